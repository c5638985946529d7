"""Keys of a unit: signing (Ed25519), encryption (age X25519), fingerprints, key store, enrolment, rotation.

Every unit (township or city) has an Ed25519 signing key. The city also has an
X25519 encryption identity in age's format (``AGE-SECRET-KEY-1…`` /
``age1…``) that township bundles are encrypted to; a township may have one too
(``generate_keys(..., encryption=True)``) so the city can encrypt bundles sent
down to it.

Fingerprints
    ``fingerprint = SHA-256(raw public key)``; for an age recipient the "raw
    key" is the recipient string ``age1…`` encoded as ASCII. The canonical form
    is 64 upper-case hex digits; :func:`format_fingerprint` shows it in 16
    groups of 4 for paper; :func:`normalize_fingerprint` reads back what a
    person typed. The key id is the first 16 hex digits of the fingerprint.

Key store
    :class:`KeyStore` is the one small interface that hands out unlocked keys
    (``unlock(passphrase)``); :class:`FileKeyStore` keeps them in a JSON file
    whose secret part is an age passphrase (scrypt) file. A hardware token can
    implement the same interface later.

Enrolment
    :func:`export_public` writes the public half (unit, role, keys,
    fingerprints, date) as canonical JSON, self-signed by the signing key, so
    that checking the signing fingerprint on the paper form authenticates the
    whole file, the encryption recipient included. :func:`read_enrolment`
    refuses a file whose signing fingerprint differs from the one on paper.

Rotation
    :func:`make_rotation_record` produces a record, signed by the old key and
    countersigned by the new one, that travels in a ``key-rotation`` bundle;
    :func:`verify_rotation_record` checks it against the old public key.
    Revocation is registry state on the city side, not here.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import os
import re
import tempfile
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import pyrage
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyrage import x25519

from xinfang_desktop.domain.errors import InvalidInput, XinfangError
from xinfang_desktop.file_replace import replace_file
from xinfang_desktop.sync import age_passphrase, canonical

Role = Literal["township", "city"]
ROLES: tuple[str, ...] = ("township", "city")

UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}\Z")
"""Unit codes: ASCII letters, digits and hyphens, 1-32 characters (they appear in file names)."""

FINGERPRINT_RE = re.compile(r"^[0-9A-F]{64}\Z")
KEY_ID_RE = re.compile(r"^[0-9A-F]{16}\Z")
_HEX64_LOWER_RE = re.compile(r"^[0-9a-f]{64}\Z")
_HEX128_LOWER_RE = re.compile(r"^[0-9a-f]{128}\Z")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_AGE_RECIPIENT_RE = re.compile(r"^age1[02-9ac-hj-np-z]{58}\Z")

ENROLMENT_FORMAT = "xinfang-enrolment"
KEYSTORE_FORMAT = "xinfang-keystore"
ROTATION_TYPE = "key_rotation"
MAX_ENROLMENT_SIZE = 64 * 1024
MAX_KEYSTORE_SIZE = 64 * 1024
MAX_UNIT_NAME = 100
MIN_PASSPHRASE = 8

_ENROLMENT_CONTEXT = b"xinfang-enrolment-v1\x00"
_ROTATION_OLD_CONTEXT = b"xinfang-key-rotation-old-v1\x00"
_ROTATION_NEW_CONTEXT = b"xinfang-key-rotation-new-v1\x00"


class SyncKeyError(XinfangError):
    """Base of key errors; ``code`` is stable for programs, ``message`` is Chinese for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class KeyStoreError(SyncKeyError):
    """Codes: ``wrong_passphrase``, ``corrupt``, ``exists``, ``missing``, ``io``."""


class EnrolmentError(SyncKeyError):
    """Codes: ``fingerprint_mismatch``, ``bad_enrolment``, ``bad_signature``."""


class RotationError(SyncKeyError):
    """Codes: ``bad_rotation``, ``bad_signature``, ``wrong_old_key``."""


@runtime_checkable
class Signer(Protocol):
    """What signing needs: ``Ed25519PrivateKey`` satisfies it; a hardware token can too."""

    def sign(self, data: bytes) -> bytes: ...

    def public_key(self) -> Ed25519PublicKey: ...


# --------------------------------------------------------------------------- fingerprints


def fingerprint_of_bytes(raw: bytes) -> str:
    """SHA-256 of ``raw`` as 64 upper-case hex digits (the canonical fingerprint)."""
    return hashlib.sha256(raw).hexdigest().upper()


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signing_fingerprint(public_key: Ed25519PublicKey) -> str:
    """Fingerprint of an Ed25519 public key: SHA-256 of its 32 raw bytes."""
    return fingerprint_of_bytes(raw_public_bytes(public_key))


def recipient_fingerprint(recipient: str) -> str:
    """Fingerprint of an age X25519 recipient: SHA-256 of the ``age1…`` string as ASCII."""
    return fingerprint_of_bytes(recipient.encode("ascii"))


def key_id_of(fingerprint: str) -> str:
    """Key id: the first 16 hex digits of the (canonical) fingerprint."""
    return normalize_fingerprint(fingerprint)[:16]


def signing_key_id(public_key: Ed25519PublicKey) -> str:
    return signing_fingerprint(public_key)[:16]


def format_fingerprint(fingerprint: str) -> str:
    """Paper form: ``"ABCD EF01 …"``, 16 groups of 4 upper-case hex digits separated by spaces."""
    fp = normalize_fingerprint(fingerprint)
    return " ".join(fp[i : i + 4] for i in range(0, 64, 4))


_SEPARATORS = set(" \t\r\n-_:.\u00a0\u2010\u2011\u2012\u2013\u2014\u2212\u3000")


def normalize_fingerprint(text: str) -> str:
    """Canonical fingerprint from what a person typed back from paper.

    Accepts upper or lower case, spaces (also full-width), hyphens and dashes,
    colons, and full-width digits and letters typed with a Chinese input
    method. Raises :class:`InvalidInput` when what remains is not 64 hex digits.
    """
    if not isinstance(text, str):
        raise InvalidInput("密钥核对码必须是文字。", field="fingerprint")
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(ch for ch in folded if ch not in _SEPARATORS)
    upper = kept.upper()
    if not FINGERPRINT_RE.match(upper):
        bad = [ch for ch in upper if ch not in "0123456789ABCDEF"]
        if bad:
            detail = f"其中含有不是十六进制数字的字符“{bad[0]}”"
        else:
            detail = f"应为 64 个十六进制数字，实际为 {len(upper)} 个"
        raise InvalidInput(
            f"密钥核对码格式不正确：{detail}。请对照纸质登记表逐组核对后重新输入（0-9 与 A-F，每组 4 位，共 16 组）。",
            field="fingerprint",
        )
    return upper


# --------------------------------------------------------------------------- key material


def _check_unit(unit_code: str, unit_name: str, role: str) -> None:
    if not isinstance(unit_code, str) or not UNIT_CODE_RE.match(unit_code):
        raise InvalidInput("单位代码只能由字母、数字和连字符组成，长度 1 到 32 位。", field="unit_code")
    if not isinstance(unit_name, str) or not unit_name.strip() or len(unit_name) > MAX_UNIT_NAME:
        raise InvalidInput(f"单位名称不能为空，且不超过 {MAX_UNIT_NAME} 个字。", field="unit_name")
    if role not in ROLES:
        raise InvalidInput("单位角色只能是乡镇（township）或市局（city）。", field="role")


@dataclass(frozen=True)
class PublicIdentity:
    """The public half of a unit's keys: what an enrolment file carries."""

    unit_code: str
    unit_name: str
    role: str
    signing_public_key: Ed25519PublicKey
    encryption_recipient: str | None
    created: str  # ISO date, YYYY-MM-DD

    @property
    def signing_fingerprint(self) -> str:
        return signing_fingerprint(self.signing_public_key)

    @property
    def key_id(self) -> str:
        """Key id of the signing key (used in bundle headers)."""
        return self.signing_fingerprint[:16]

    @property
    def encryption_fingerprint(self) -> str | None:
        if self.encryption_recipient is None:
            return None
        return recipient_fingerprint(self.encryption_recipient)

    @property
    def qr_payload(self) -> str:
        """Text for the QR code on the paper form: ``xinfang-enrol:1:<unit>:<signing fingerprint>``."""
        return f"xinfang-enrol:1:{self.unit_code}:{self.signing_fingerprint}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicIdentity):
            return NotImplemented
        return (
            self.unit_code == other.unit_code
            and self.unit_name == other.unit_name
            and self.role == other.role
            and raw_public_bytes(self.signing_public_key) == raw_public_bytes(other.signing_public_key)
            and self.encryption_recipient == other.encryption_recipient
            and self.created == other.created
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class UnlockedKeys:
    """Private keys in memory, as handed out by :meth:`KeyStore.unlock`. Never log or persist this."""

    unit_code: str
    unit_name: str
    role: str
    signing_key: Ed25519PrivateKey
    encryption_identity: x25519.Identity | None
    created: str

    def public(self) -> PublicIdentity:
        recipient = None
        if self.encryption_identity is not None:
            recipient = str(self.encryption_identity.to_public())
        return PublicIdentity(
            unit_code=self.unit_code,
            unit_name=self.unit_name,
            role=self.role,
            signing_public_key=self.signing_key.public_key(),
            encryption_recipient=recipient,
            created=self.created,
        )

    @property
    def key_id(self) -> str:
        return signing_key_id(self.signing_key.public_key())

    def __repr__(self) -> str:  # keep secrets out of logs and tracebacks
        return f"UnlockedKeys(unit_code={self.unit_code!r}, role={self.role!r}, key_id={self.key_id})"


def generate_keys(
    unit_code: str,
    unit_name: str,
    role: str,
    *,
    encryption: bool | None = None,
    created: _dt.date | None = None,
) -> UnlockedKeys:
    """New keys for a unit. The city always gets an encryption identity; a township only with ``encryption=True``."""
    _check_unit(unit_code, unit_name, role)
    if encryption is None:
        encryption = role == "city"
    if role == "city" and not encryption:
        raise InvalidInput("市局必须有加密密钥，乡镇的同步包要加密发给市局。", field="role")
    created_date = created or _dt.datetime.now(_dt.timezone.utc).date()
    return UnlockedKeys(
        unit_code=unit_code,
        unit_name=unit_name,
        role=role,
        signing_key=Ed25519PrivateKey.generate(),
        encryption_identity=x25519.Identity.generate() if encryption else None,
        created=created_date.isoformat(),
    )


def generate_escrow_identity() -> x25519.Identity:
    """An offline escrow identity (kept on paper or in a safe); its ``to_public()`` is an extra bundle recipient."""
    return x25519.Identity.generate()


def age_identity_file_text(identity: x25519.Identity, created: str | None = None) -> str:
    """The identity in the layout of ``age-keygen`` output, readable by the stock ``age -d -i FILE`` tool.

    Emergency use only: the result is the secret key in clear text.
    """
    when = created or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    return f"# created: {when}\n# public key: {identity.to_public()}\n{identity}\n"


def _load_public_hex(value: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(value))


# --------------------------------------------------------------------------- key store


class KeyStore(ABC):
    """Where a unit's private keys live. The rest of the product only calls these two methods."""

    @abstractmethod
    def public(self) -> PublicIdentity:
        """The public identity, readable without the passphrase (for display; not authenticated)."""

    @abstractmethod
    def unlock(self, passphrase: str) -> UnlockedKeys:
        """The private keys; raises :class:`KeyStoreError` (code ``wrong_passphrase``) on a wrong passphrase."""


def _check_passphrase(passphrase: str) -> None:
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE:
        raise InvalidInput(f"密钥口令至少需要 {MIN_PASSPHRASE} 个字符，请重新设置。", field="passphrase")


def _corrupt(detail: str) -> KeyStoreError:
    return KeyStoreError(
        "corrupt",
        f"密钥文件已损坏或不是本软件的密钥文件（{detail}）。请从备份恢复密钥文件；如无备份，请联系市局重新登记密钥。",
    )


class FileKeyStore(KeyStore):
    """Keys in one JSON file; the private part is an age passphrase (scrypt) file, base64-encoded.

    File layout (canonical JSON)::

        {"created": "YYYY-MM-DD", "encryption_recipient": "age1…"|null,
         "format": "xinfang-keystore", "role": "township"|"city",
         "secret": "<base64 of age scrypt file>", "signing_public_key": "<64 hex>",
         "unit_code": "…", "unit_name": "…", "version": 1}

    The secret decrypts to canonical JSON
    ``{"encryption_identity": "AGE-SECRET-KEY-1…"|null, "signing_seed": "<64 hex>"}``.
    On unlock the private keys are checked against the public fields.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    # -- writing

    @classmethod
    def create(cls, path: str | os.PathLike[str], keys: UnlockedKeys, passphrase: str, *,
               scrypt_log_n: int | None = None) -> "FileKeyStore":
        """Write a new key file (never overwrites one) and return its store. The passphrase's scrypt cost is
        age's own (calibrated to about a second here) unless ``scrypt_log_n`` names one (the test suite's
        cheapest); the cost is written in the file, and unlocking reads it from there."""
        _check_passphrase(passphrase)
        target = Path(path)
        if target.exists():
            raise KeyStoreError("exists", "密钥文件已存在，为防止覆盖现有密钥，未写入。如确需重新生成，请先备份并移走原文件。")
        secret = canonical.dumps(
            {
                "encryption_identity": str(keys.encryption_identity) if keys.encryption_identity else None,
                "signing_seed": keys.signing_key.private_bytes(
                    serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
                ).hex(),
            }
        )
        sealed = (pyrage.passphrase.encrypt(secret, passphrase) if scrypt_log_n is None
                  else age_passphrase.encrypt(secret, passphrase, log_n=scrypt_log_n))
        public = keys.public()
        document = {
            "created": public.created,
            "encryption_recipient": public.encryption_recipient,
            "format": KEYSTORE_FORMAT,
            "role": public.role,
            "secret": base64.b64encode(sealed).decode("ascii"),
            "signing_public_key": raw_public_bytes(public.signing_public_key).hex(),
            "unit_code": public.unit_code,
            "unit_name": public.unit_name,
            "version": 1,
        }
        _atomic_write_new(target, canonical.dumps(document))
        return cls(target)

    # -- reading

    def _document(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as fh:
                data = fh.read(MAX_KEYSTORE_SIZE + 1)
        except FileNotFoundError:
            raise KeyStoreError("missing", "找不到密钥文件。请确认本机已完成密钥设置，或从备份恢复密钥文件。") from None
        except OSError as exc:
            raise KeyStoreError("io", f"无法读取密钥文件（{exc.strerror or exc}）。请检查磁盘后重试。") from None
        if len(data) > MAX_KEYSTORE_SIZE:
            raise _corrupt("文件过大")
        try:
            doc = canonical.loads(data)
        except canonical.CanonicalJSONError as exc:
            raise _corrupt(exc.reason) from None
        expected = {
            "created",
            "encryption_recipient",
            "format",
            "role",
            "secret",
            "signing_public_key",
            "unit_code",
            "unit_name",
            "version",
        }
        if not isinstance(doc, dict) or set(doc) != expected:
            raise _corrupt("字段不符")
        if doc["format"] != KEYSTORE_FORMAT or doc["version"] != 1 or isinstance(doc["version"], bool):
            raise _corrupt("格式或版本不符")
        for name in ("created", "role", "secret", "signing_public_key", "unit_code", "unit_name"):
            if not isinstance(doc[name], str):
                raise _corrupt(f"字段 {name} 类型错误")
        if doc["encryption_recipient"] is not None and not isinstance(doc["encryption_recipient"], str):
            raise _corrupt("字段 encryption_recipient 类型错误")
        return doc

    def public(self) -> PublicIdentity:
        doc = self._document()
        try:
            _check_unit(doc["unit_code"], doc["unit_name"], doc["role"])
            if not _HEX64_LOWER_RE.match(doc["signing_public_key"]):
                raise ValueError
            key = _load_public_hex(doc["signing_public_key"])
        except (InvalidInput, ValueError):
            raise _corrupt("公开信息无效") from None
        return PublicIdentity(
            unit_code=doc["unit_code"],
            unit_name=doc["unit_name"],
            role=doc["role"],
            signing_public_key=key,
            encryption_recipient=doc["encryption_recipient"],
            created=doc["created"],
        )

    def unlock(self, passphrase: str) -> UnlockedKeys:
        public = self.public()
        doc = self._document()
        try:
            sealed = base64.b64decode(doc["secret"].encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            raise _corrupt("加密部分无效") from None
        if not isinstance(passphrase, str) or not passphrase:
            raise KeyStoreError("wrong_passphrase", "请输入密钥口令。")
        try:
            secret = pyrage.passphrase.decrypt(sealed, passphrase)
        except pyrage.DecryptError:
            raise KeyStoreError(
                "wrong_passphrase",
                "密钥口令不正确，密钥未解锁。请检查大小写和输入法后重新输入；如忘记口令，需要联系市局重新登记密钥。",
            ) from None
        try:
            inner = canonical.loads(secret)
            if not isinstance(inner, dict) or set(inner) != {"encryption_identity", "signing_seed"}:
                raise ValueError
            seed = inner["signing_seed"]
            if not isinstance(seed, str) or not _HEX64_LOWER_RE.match(seed):
                raise ValueError
            signing_key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed))
            identity = None
            if inner["encryption_identity"] is not None:
                if not isinstance(inner["encryption_identity"], str):
                    raise ValueError
                identity = x25519.Identity.from_str(inner["encryption_identity"])
        except (canonical.CanonicalJSONError, ValueError, pyrage.IdentityError):
            raise _corrupt("私钥内容无效") from None
        keys = UnlockedKeys(
            unit_code=public.unit_code,
            unit_name=public.unit_name,
            role=public.role,
            signing_key=signing_key,
            encryption_identity=identity,
            created=public.created,
        )
        if keys.public() != public:
            raise _corrupt("私钥与文件中的公钥不一致")
        return keys


def _atomic_write_new(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".keystore-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)  # fails if target exists: never overwrite keys
        except FileExistsError:
            raise KeyStoreError("exists", "密钥文件已存在，为防止覆盖现有密钥，未写入。") from None
        except OSError:
            if target.exists():
                raise KeyStoreError("exists", "密钥文件已存在，为防止覆盖现有密钥，未写入。") from None
            replace_file(tmp, target)  # file systems without hard links
    except OSError as exc:
        raise KeyStoreError("io", f"写入密钥文件失败（{exc.strerror or exc}）。请检查磁盘空间和权限后重试。") from None
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- enrolment


def _enrolment_body(public: PublicIdentity) -> dict[str, Any]:
    return {
        "created": public.created,
        "encryption_fingerprint": public.encryption_fingerprint,
        "encryption_recipient": public.encryption_recipient,
        "format": ENROLMENT_FORMAT,
        "role": public.role,
        "signing_fingerprint": public.signing_fingerprint,
        "signing_public_key": raw_public_bytes(public.signing_public_key).hex(),
        "unit_code": public.unit_code,
        "unit_name": public.unit_name,
        "version": 1,
    }


def export_public(keys: UnlockedKeys) -> bytes:
    """The enrolment file: canonical JSON of the public identity plus a self-signature.

    Fields: ``created``, ``encryption_fingerprint``, ``encryption_recipient``,
    ``format`` ("xinfang-enrolment"), ``role``, ``self_signature`` (128 hex,
    Ed25519 by the signing key over ``b"xinfang-enrolment-v1\\0"`` + canonical
    JSON of the other fields), ``signing_fingerprint``, ``signing_public_key``
    (64 hex, raw key), ``unit_code``, ``unit_name``, ``version`` (1).
    Taking the unlocked keys (not a file) guarantees the printed fingerprint is
    that of the key that really signs.
    """
    body = _enrolment_body(keys.public())
    signature = keys.signing_key.sign(_ENROLMENT_CONTEXT + canonical.dumps(body))
    return canonical.dumps({**body, "self_signature": signature.hex()})


def _bad_enrolment(detail: str) -> EnrolmentError:
    return EnrolmentError(
        "bad_enrolment",
        f"登记文件格式不正确（{detail}），未导入。请让对方单位重新导出登记文件。",
    )


def read_enrolment(data: bytes, expected_fingerprint: str) -> PublicIdentity:
    """Parse an enrolment file strictly and check it against the fingerprint read off the paper form.

    Raises :class:`InvalidInput` when the typed fingerprint is malformed, and
    :class:`EnrolmentError` (``bad_enrolment``, ``bad_signature``,
    ``fingerprint_mismatch``) when the file is wrong or is not the one on paper.
    """
    expected = normalize_fingerprint(expected_fingerprint)
    if len(data) > MAX_ENROLMENT_SIZE:
        raise _bad_enrolment("文件过大")
    try:
        doc = canonical.loads(data)
    except canonical.CanonicalJSONError as exc:
        raise _bad_enrolment(exc.reason) from None
    fields = {
        "created",
        "encryption_fingerprint",
        "encryption_recipient",
        "format",
        "role",
        "self_signature",
        "signing_fingerprint",
        "signing_public_key",
        "unit_code",
        "unit_name",
        "version",
    }
    if not isinstance(doc, dict):
        raise _bad_enrolment("不是对象")
    missing = sorted(fields - set(doc))
    unknown = sorted(set(doc) - fields)
    if missing:
        raise _bad_enrolment(f"缺少字段 {', '.join(missing)}")
    if unknown:
        raise _bad_enrolment(f"含有未知字段 {', '.join(unknown)}")
    if doc["format"] != ENROLMENT_FORMAT or doc["version"] != 1 or isinstance(doc["version"], bool):
        raise _bad_enrolment("格式或版本不符")
    for name in ("created", "role", "self_signature", "signing_fingerprint", "signing_public_key", "unit_code", "unit_name"):
        if not isinstance(doc[name], str):
            raise _bad_enrolment(f"字段 {name} 类型错误")
    try:
        _check_unit(doc["unit_code"], doc["unit_name"], doc["role"])
    except InvalidInput as exc:
        raise _bad_enrolment(exc.message.rstrip("。")) from None
    if not _DATE_RE.match(doc["created"]):
        raise _bad_enrolment("日期格式错误")
    try:
        _dt.date.fromisoformat(doc["created"])
    except ValueError:
        raise _bad_enrolment("日期无效") from None
    if not _HEX64_LOWER_RE.match(doc["signing_public_key"]) or not _HEX128_LOWER_RE.match(doc["self_signature"]):
        raise _bad_enrolment("公钥或签名格式错误")
    try:
        public_key = _load_public_hex(doc["signing_public_key"])
    except ValueError:
        raise _bad_enrolment("公钥无效") from None
    if doc["signing_fingerprint"] != signing_fingerprint(public_key):
        raise _bad_enrolment("签名公钥与其指纹不一致")
    recipient = doc["encryption_recipient"]
    if recipient is None:
        if doc["encryption_fingerprint"] is not None:
            raise _bad_enrolment("加密指纹多余")
        if doc["role"] == "city":
            raise _bad_enrolment("市局登记文件缺少加密公钥")
    else:
        if not isinstance(recipient, str) or not _AGE_RECIPIENT_RE.match(recipient):
            raise _bad_enrolment("加密公钥格式错误")
        try:
            x25519.Recipient.from_str(recipient)
        except pyrage.RecipientError:
            raise _bad_enrolment("加密公钥无效") from None
        if doc["encryption_fingerprint"] != recipient_fingerprint(recipient):
            raise _bad_enrolment("加密公钥与其指纹不一致")
    # The paper check comes before the signature check so the person sees the
    # one message that matters: this file is not the one on the form.
    if not hmac.compare_digest(doc["signing_fingerprint"], expected):
        raise EnrolmentError(
            "fingerprint_mismatch",
            "登记文件中的密钥核对码与纸质登记表上的不一致，未导入。"
            "该文件可能被替换或拿错了；请勿使用此文件，与对方单位当面或电话核对后重新交换登记文件。",
        )
    body = {key: value for key, value in doc.items() if key != "self_signature"}
    try:
        public_key.verify(bytes.fromhex(doc["self_signature"]), _ENROLMENT_CONTEXT + canonical.dumps(body))
    except InvalidSignature:
        raise EnrolmentError(
            "bad_signature", "登记文件的自签名无效，文件内容已被改动，未导入。请让对方单位重新导出登记文件。"
        ) from None
    return PublicIdentity(
        unit_code=doc["unit_code"],
        unit_name=doc["unit_name"],
        role=doc["role"],
        signing_public_key=public_key,
        encryption_recipient=recipient,
        created=doc["created"],
    )


# --------------------------------------------------------------------------- rotation


@dataclass(frozen=True)
class KeyRotation:
    """A verified rotation: from now on ``unit_code`` signs with ``new_public_key``."""

    unit_code: str
    old_key_id: str
    new_public_key: Ed25519PublicKey
    new_key_id: str
    new_encryption_recipient: str | None
    created: str


_ROTATION_FIELDS = {
    "created",
    "new_encryption_recipient",
    "new_fingerprint",
    "new_signing_public_key",
    "old_fingerprint",
    "old_signature",
    "new_signature",
    "type",
    "unit_code",
    "version",
}


def make_rotation_record(old_keys: UnlockedKeys, new_keys: UnlockedKeys, *, created: str | None = None) -> dict[str, Any]:
    """A ``key_rotation`` record introducing ``new_keys``, signed by the old key and countersigned by the new one.

    The record is a plain dict of canonical-JSON values, ready to be the one
    record of a ``key-rotation`` bundle (signed, as a bundle, by the old key).
    Signed message: context + canonical JSON of the record without the two
    signature fields; ``old_signature`` uses ``b"xinfang-key-rotation-old-v1\\0"``,
    ``new_signature`` (proof the new key is held) ``b"xinfang-key-rotation-new-v1\\0"``.
    """
    if old_keys.unit_code != new_keys.unit_code:
        raise InvalidInput("新旧密钥必须属于同一单位。", field="unit_code")
    old_public = old_keys.public()
    new_public = new_keys.public()
    if old_public.signing_fingerprint == new_public.signing_fingerprint:
        raise InvalidInput("新密钥与旧密钥相同，无需轮换。", field="signing_key")
    body = {
        "created": created or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "new_encryption_recipient": new_public.encryption_recipient,
        "new_fingerprint": new_public.signing_fingerprint,
        "new_signing_public_key": raw_public_bytes(new_public.signing_public_key).hex(),
        "old_fingerprint": old_public.signing_fingerprint,
        "type": ROTATION_TYPE,
        "unit_code": old_keys.unit_code,
        "version": 1,
    }
    message = canonical.dumps(body)
    return {
        **body,
        "new_signature": new_keys.signing_key.sign(_ROTATION_NEW_CONTEXT + message).hex(),
        "old_signature": old_keys.signing_key.sign(_ROTATION_OLD_CONTEXT + message).hex(),
    }


def _bad_rotation(detail: str) -> RotationError:
    return RotationError("bad_rotation", f"密钥轮换记录格式不正确（{detail}），未采用新密钥。请联系该单位重新生成轮换记录。")


def verify_rotation_record(record: Any, old_public_key: Ed25519PublicKey) -> KeyRotation:
    """Check a rotation record against the currently registered (old) key; return the new key on success."""
    if not isinstance(record, dict):
        raise _bad_rotation("不是对象")
    if set(record) != _ROTATION_FIELDS:
        raise _bad_rotation("字段不符")
    if record["type"] != ROTATION_TYPE or record["version"] != 1 or isinstance(record["version"], bool):
        raise _bad_rotation("类型或版本不符")
    for name in ("created", "new_fingerprint", "new_signing_public_key", "old_fingerprint", "old_signature", "new_signature", "unit_code"):
        if not isinstance(record[name], str):
            raise _bad_rotation(f"字段 {name} 类型错误")
    if not UNIT_CODE_RE.match(record["unit_code"]):
        raise _bad_rotation("单位代码无效")
    if not (_HEX64_LOWER_RE.match(record["new_signing_public_key"])
            and _HEX128_LOWER_RE.match(record["old_signature"])
            and _HEX128_LOWER_RE.match(record["new_signature"])):
        raise _bad_rotation("公钥或签名格式错误")
    recipient = record["new_encryption_recipient"]
    if recipient is not None and (not isinstance(recipient, str) or not _AGE_RECIPIENT_RE.match(recipient)):
        raise _bad_rotation("加密公钥格式错误")
    if record["old_fingerprint"] != signing_fingerprint(old_public_key):
        raise RotationError(
            "wrong_old_key",
            "密钥轮换记录不是由该单位当前登记的密钥签发的，未采用新密钥。请核实该单位的密钥登记情况。",
        )
    try:
        new_key = _load_public_hex(record["new_signing_public_key"])
    except ValueError:
        raise _bad_rotation("新公钥无效") from None
    if record["new_fingerprint"] != signing_fingerprint(new_key):
        raise _bad_rotation("新公钥与其指纹不一致")
    body = {key: value for key, value in record.items() if key not in ("old_signature", "new_signature")}
    try:
        message = canonical.dumps(body)
    except canonical.CanonicalJSONError as exc:
        raise _bad_rotation(exc.reason) from None
    try:
        old_public_key.verify(bytes.fromhex(record["old_signature"]), _ROTATION_OLD_CONTEXT + message)
        new_key.verify(bytes.fromhex(record["new_signature"]), _ROTATION_NEW_CONTEXT + message)
    except InvalidSignature:
        raise RotationError(
            "bad_signature", "密钥轮换记录的签名无效，记录已被改动或伪造，未采用新密钥。请联系该单位核实。"
        ) from None
    return KeyRotation(
        unit_code=record["unit_code"],
        old_key_id=record["old_fingerprint"][:16],
        new_public_key=new_key,
        new_key_id=record["new_fingerprint"][:16],
        new_encryption_recipient=recipient,
        created=record["created"],
    )


__all__ = [
    "EnrolmentError",
    "Signer",
    "SyncKeyError",
    "FileKeyStore",
    "KeyRotation",
    "KeyStore",
    "KeyStoreError",
    "PublicIdentity",
    "RotationError",
    "UnlockedKeys",
    "age_identity_file_text",
    "export_public",
    "format_fingerprint",
    "generate_escrow_identity",
    "generate_keys",
    "key_id_of",
    "make_rotation_record",
    "normalize_fingerprint",
    "read_enrolment",
    "recipient_fingerprint",
    "signing_fingerprint",
    "signing_key_id",
    "verify_rotation_record",
]
