"""What can be known of a data folder before a password opens it: whether it is new, encrypted or from
before encryption, and the unit's name for the login window. Kept light (no database driver, no
services): the first window asks this before anything else of the program is loaded."""

from __future__ import annotations

from pathlib import Path

from ..domain.errors import XinfangError
from ..store.db_file import db_path, is_plaintext
from ..store.keyring import Keyring


def folder_state(data_dir: Path) -> str:
    """"new" (nothing yet), "encrypted", "plaintext" (a folder from before encryption), or "no-keyring"
    (an encrypted database whose keyring.json is missing)."""
    data_dir = Path(data_dir)
    db_file = db_path(data_dir)
    has_ring = Keyring.exists(data_dir)
    if is_plaintext(db_file):
        return "plaintext"
    if not db_file.exists() or db_file.stat().st_size == 0:
        return "encrypted" if has_ring else "new"
    return "encrypted" if has_ring else "no-keyring"


def keyring_summary(data_dir: Path) -> dict:
    """What the login window may show before anyone logs in: the unit's name (nothing secret)."""
    try:
        ring = Keyring.load(data_dir)
    except XinfangError:
        return {}
    return {"unit": ring.unit, "users": ring.users()}
