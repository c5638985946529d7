"""The data key of a data folder, wrapped once per user and once under the recovery code.

Everything a data folder holds in its database and attachment files is encrypted with one random
256-bit data key (SQLCipher for the database, AES-GCM for the files). The key itself is never
written down in clear: ``keyring.json`` in the data folder holds it wrapped (AES-256-GCM) under a
key derived with argon2id from each user's password, and once under the recovery code shown at
set-up. The argon2id parameters and salt are stored beside each wrapped key, so they can be raised
later without breaking existing entries. Each wrapping binds, as associated data, the keyring's own
id and the entry's name: an entry copied into another keyring, or under another name, does not open.

Losing every password and the recovery code loses the data: there is no other way to the key.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..domain.errors import XinfangError
from ..file_replace import replace_file

KEYRING_FILE = "keyring.json"
FORMAT = 1
KEY_BYTES = 32
RECOVERY = "recovery"
# Crockford's base32: no I, L, O or U, so a code read off paper is typed back without guessing.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_GROUPS, RECOVERY_GROUP_LEN = 5, 5       # 25 characters: 125 bits


@dataclass(frozen=True)
class KdfParams:
    """argon2id cost. PRODUCTION is RFC 9106's low-memory profile (about 0.1–0.2 s on an office PC)."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


# The cost every program path uses unless its caller passes another: nothing in the environment can lower
# it. The test suite passes cheap parameters to the functions that take ``kdf`` (tests/conftest.py).
PRODUCTION = KdfParams()


class WrongSecret(XinfangError):
    """The password (or recovery code) does not open this keyring entry."""


class KeyringMissing(XinfangError):
    pass


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
    return "-".join(raw[i:i + RECOVERY_GROUP_LEN] for i in range(0, len(raw), RECOVERY_GROUP_LEN))


def normalise_recovery_code(text: str) -> str:
    """As typed: any case, spaces or dashes, and the letters people read for digits (O, I, L)."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    raw = raw.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(raw) != RECOVERY_GROUPS * RECOVERY_GROUP_LEN or any(ch not in _ALPHABET for ch in raw):
        raise WrongSecret(f"恢复码应为 {RECOVERY_GROUPS} 组、每组 {RECOVERY_GROUP_LEN} 个字母或数字（如 ABCDE-12345-…），请核对后重新输入。")
    return "-".join(raw[i:i + RECOVERY_GROUP_LEN] for i in range(0, len(raw), RECOVERY_GROUP_LEN))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive(secret: str, salt: bytes, kdf: KdfParams) -> bytes:
    return hash_secret_raw(secret.encode("utf-8"), salt, kdf.time_cost, kdf.memory_kib, kdf.parallelism,
                           KEY_BYTES, Type.ID)


class Keyring:
    """``keyring.json``: who may open the data folder. Loaded, changed in memory, then saved atomically."""

    def __init__(self, path: Path, doc: dict[str, Any]):
        self.path = Path(path)
        self.doc = doc

    # -- files ----------------------------------------------------------------------------
    @staticmethod
    def path_in(data_dir: Path) -> Path:
        return Path(data_dir) / KEYRING_FILE

    @classmethod
    def exists(cls, data_dir: Path) -> bool:
        return cls.path_in(data_dir).is_file()

    @classmethod
    def load(cls, data_dir_or_file: Path) -> "Keyring":
        path = Path(data_dir_or_file)
        if path.is_dir() or path.name != KEYRING_FILE:
            path = cls.path_in(path)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyringMissing(f"数据目录中没有密钥文件 {KEYRING_FILE}。") from None
        except (OSError, ValueError):
            raise XinfangError(f"密钥文件 {path.name} 无法读取或已损坏。请用备份中的密钥文件恢复（xinfang restore），"
                               "或联系技术支持。") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("entries"), dict):
            raise XinfangError(f"密钥文件 {path.name} 的格式不对（可能来自更新版本的程序，或已损坏）。")
        return cls(path, doc)

    @classmethod
    def create(cls, data_dir: Path, data_key: bytes, recovery_code: str, *, kdf: KdfParams = PRODUCTION) -> "Keyring":
        """A new keyring for ``data_key`` with its recovery entry (not saved yet)."""
        ring = cls(cls.path_in(data_dir), {"format": FORMAT, "id": secrets.token_hex(16), "unit": None,
                                           "entries": {}})
        ring._wrap(RECOVERY, normalise_recovery_code(recovery_code), data_key, kdf, role=None)
        return ring

    def save(self) -> None:
        """Written as .part, fsynced, renamed: a crash leaves the old keyring or the new one, whole."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_name(self.path.name + ".part")
        data = json.dumps(self.doc, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        replace_file(part, self.path)
        if sys.platform != "win32":
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    # -- what it says, in clear (nothing secret) ---------------------------------------------
    @property
    def unit(self) -> dict[str, str] | None:
        return self.doc.get("unit")

    def set_unit(self, code: str, name: str, kind: str) -> None:
        self.doc["unit"] = {"code": code, "name": name, "kind": kind}

    def users(self) -> list[str]:
        return sorted(k[5:] for k in self.doc["entries"] if k.startswith("user:"))

    def has_user(self, name: str) -> bool:
        return f"user:{name}" in self.doc["entries"]

    def role(self, name: str) -> str | None:
        entry = self.doc["entries"].get(f"user:{name}")
        return entry.get("role") if entry else None

    def first_admin(self) -> str | None:
        admins = sorted((e.get("added", ""), k[5:]) for k, e in self.doc["entries"].items()
                        if k.startswith("user:") and e.get("role") == "admin")
        return admins[0][1] if admins else None

    # -- wrapping ------------------------------------------------------------------------------
    def _aad(self, entry: str) -> bytes:
        return f"xinfang-keyring/{FORMAT}/{self.doc['id']}/{entry}".encode("utf-8")

    def _wrap(self, entry: str, secret: str, data_key: bytes, kdf: KdfParams, *, role: str | None,
              added: str = "") -> None:
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        wrapped = AESGCM(derive(secret, salt, kdf)).encrypt(nonce, data_key, self._aad(entry))
        self.doc["entries"][entry] = {"kdf": {"alg": "argon2id", **asdict(kdf), "salt": _b64(salt)},
                                      "nonce": _b64(nonce), "wrapped": _b64(wrapped), "role": role,
                                      "added": added or self.doc["entries"].get(entry, {}).get("added", "")}

    def _unwrap(self, entry: str, secret: str) -> bytes:
        item = self.doc["entries"].get(entry)
        if item is None:
            raise WrongSecret("用户名或密码错误")
        try:
            k = item["kdf"]
            if k.get("alg") != "argon2id":
                raise ValueError(k.get("alg"))
            kdf = KdfParams(int(k["time_cost"]), int(k["memory_kib"]), int(k["parallelism"]))
            key = derive(secret, _unb64(k["salt"]), kdf)
            return AESGCM(key).decrypt(_unb64(item["nonce"]), _unb64(item["wrapped"]), self._aad(entry))
        except InvalidTag:
            raise WrongSecret("用户名或密码错误") from None
        except (KeyError, ValueError, TypeError):
            raise XinfangError("密钥文件中的条目已损坏，无法使用。请用恢复码或备份恢复，或联系技术支持。") from None

    def unwrap_user(self, name: str, password: str) -> bytes:
        return self._unwrap(f"user:{name}", password)

    def unwrap_recovery(self, code: str) -> bytes:
        try:
            return self._unwrap(RECOVERY, normalise_recovery_code(code))
        except WrongSecret:
            raise WrongSecret("恢复码不对：它打不开这个数据目录（或这个备份）的数据。请核对恢复码。") from None

    def set_user(self, name: str, role: str, password: str, data_key: bytes, *, kdf: KdfParams = PRODUCTION,
                 added: str = "") -> None:
        """Add a user, or wrap the key again under a new password (the old one then opens nothing here)."""
        self._wrap(f"user:{name}", password, data_key, kdf, role=role, added=added)

    def set_role(self, name: str, role: str) -> None:
        entry = self.doc["entries"].get(f"user:{name}")
        if entry is not None:
            entry["role"] = role

    def remove_user(self, name: str) -> None:
        self.doc["entries"].pop(f"user:{name}", None)
