"""The database file's name and how to tell an unencrypted one, without the database driver: the
first window asks these of a folder before a password opens it (services/folder.py)."""

from __future__ import annotations

from pathlib import Path

DB_FILENAME = "xinfang.sqlite3"
PLAINTEXT_HEADER = b"SQLite format 3\x00"     # an unencrypted SQLite file begins so; SQLCipher's never


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_FILENAME


def is_plaintext(path: Path) -> bool:
    """An unencrypted SQLite file (a data folder of a version before encryption)."""
    try:
        with open(path, "rb") as f:
            return f.read(len(PLAINTEXT_HEADER)) == PLAINTEXT_HEADER
    except FileNotFoundError:
        return False
