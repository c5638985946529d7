"""Reading a test data folder's encrypted database file directly (as an auditor would with the key)."""

from __future__ import annotations

from pathlib import Path

# db file (resolved) -> its data key, for the folders the test fixtures open
KEYS: dict[str, bytes] = {}


def remember(db_file: Path, key: bytes) -> None:
    KEYS[str(Path(db_file).resolve())] = key


def key_of(data_dir: Path, password: str, name: str = "admin") -> bytes:
    from xinfang_desktop.store.keyring import Keyring

    ring = Path(data_dir) / "keyring.json"
    if not ring.exists():
        ring = Path(data_dir) / "files" / "keyring.json"      # a backup folder carries it in files/
    return Keyring.load(ring).unwrap_user(name, password)


def connect(db_file: Path, key: bytes | None = None, *, password: str | None = None, name: str = "admin"):
    """A DB-API connection to the file: with ``key``, else the remembered key, else one unwrapped with
    ``password`` from the folder's keyring."""
    from xinfang_desktop.store.db import connect as keyed

    db_file = Path(db_file)
    if key is None:
        key = KEYS.get(str(db_file.resolve()))
    if key is None:
        # a copy of a test folder (its keyring came with it): opened as the test suites' administrator
        key = key_of(db_file.parent, password or "admin-pass-1", name)
    if key is None:
        raise LookupError(f"no key known for {db_file}")
    return keyed(db_file, key)
