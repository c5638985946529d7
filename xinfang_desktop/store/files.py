"""The data folder's attachment files, encrypted with the folder's data key, addressed by content.

A file lives at ``attachments/<sha256[:2]>/<sha256>`` where the hash is that of its *content*, so the
same scan attached twice is stored once and sync carries it by the same hash as before. On disk it
is ``XFA1 | nonce (12) | AES-256-GCM(content)``, with the hash as associated data: a file renamed to
another hash, or altered, does not decrypt. Files of a folder from before encryption (plain content)
are read until :meth:`FileStore.encrypt_plaintext` has turned them into encrypted ones.

Every write goes to a temporary name, is flushed to disk and renamed, so a crash never leaves half
a file under a real name.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from pathlib import Path
from typing import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..file_replace import replace_file

MAGIC = b"XFA1"
_NONCE = 12


class DamagedFile(Exception):
    """The file under this hash is missing, altered or not this folder's."""


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":        # Windows cannot open a directory; its rename is durable enough
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _private_dirs(folder: Path) -> None:
    """The folder and its parent (attachments/ab/) readable by the owner only, where the system allows."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        for d in (folder.parent, folder):
            try:
                os.chmod(d, 0o700)
            except OSError:
                pass


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only, through a temporary name, fsynced, renamed."""
    path = Path(path)
    _private_dirs(path.parent)
    tmp = path.parent / f".part-{uuid.uuid4().hex}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        replace_file(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    fsync_dir(path.parent)


class FileStore:
    def __init__(self, root: Path, key: bytes):
        self.root = Path(root)
        self._aead = AESGCM(key)

    def path_of(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def has(self, sha: str) -> bool:
        return self.path_of(sha).is_file()

    @staticmethod
    def _aad(sha: str) -> bytes:
        return b"xinfang-attachment/1/" + sha.encode("ascii")

    def seal(self, sha: str, content: bytes) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        return MAGIC + nonce + self._aead.encrypt(nonce, content, self._aad(sha))

    def open_sealed(self, sha: str, data: bytes) -> bytes:
        """The content of a file as stored (encrypted, or plain from before encryption), checked against its hash."""
        if data.startswith(MAGIC):
            try:
                content = self._aead.decrypt(data[4:4 + _NONCE], data[4 + _NONCE:], self._aad(sha))
            except InvalidTag:
                raise DamagedFile(sha) from None
        else:
            content = data
        if hashlib.sha256(content).hexdigest() != sha:
            raise DamagedFile(sha)
        return content

    def read(self, sha: str) -> bytes:
        try:
            data = self.path_of(sha).read_bytes()
        except FileNotFoundError:
            raise DamagedFile(sha) from None
        return self.open_sealed(sha, data)

    def intact(self, sha: str) -> bool:
        try:
            self.read(sha)
            return True
        except (DamagedFile, OSError):
            return False

    def put(self, sha: str, content: bytes) -> bool:
        """Store ``content`` (already checked against ``sha``); True when this call created the file.
        A healthy file under this name is never rewritten; a damaged one is replaced."""
        target = self.path_of(sha)
        if target.exists() and self.intact(sha):
            return False
        write_private(target, self.seal(sha, content))
        return True

    def remove(self, shas) -> None:
        for sha in shas:
            self.path_of(sha).unlink(missing_ok=True)

    def shas(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir():
                for f in sorted(sub.iterdir()):
                    if f.is_file() and len(f.name) == 64 and not f.name.startswith("."):
                        yield f.name

    def encrypt_plaintext(self) -> int:
        """Encrypt, in place, every file still stored in clear (a folder from before encryption). Each file:
        the sealed copy is written beside it, the clear one renamed aside, the sealed one renamed in, the
        clear one overwritten and removed. A run cut short is finished by the next one."""
        from .db import shred

        if not self.root.is_dir():
            return 0
        for aside in self.root.glob("*/*.plaintext"):
            target = aside.with_name(aside.name[:-len(".plaintext")])
            if target.exists():
                shred(aside)
            else:
                os.replace(aside, target)
        done = 0
        for sha in list(self.shas()):
            path = self.path_of(sha)
            data = path.read_bytes()
            if data.startswith(MAGIC) or hashlib.sha256(data).hexdigest() != sha:
                continue                     # sealed already, or damaged (left for the sender to send again)
            sealed = path.with_name(f".part-{uuid.uuid4().hex}")
            aside = path.with_name(path.name + ".plaintext")
            write_private(sealed, self.seal(sha, data))
            os.replace(path, aside)
            os.replace(sealed, path)
            fsync_dir(path.parent)
            shred(aside, len(data))
            done += 1
        return done
