"""Opening the database: one function, so that encryption at rest (SQLCipher) changes one place."""

from __future__ import annotations

import ntpath
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from peewee import SqliteDatabase

from ..file_replace import replace_file
from .migrations import SCHEMA_VERSION, migrate
from .models import database

DB_FILENAME = "xinfang.sqlite3"

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",   # WAL + NORMAL is durable across application crashes
    "busy_timeout": 5000,
    "cache_size": -32000,
    "temp_store": "memory",
}


class Database(SqliteDatabase):
    """SqliteDatabase whose `atomic()` defaults to BEGIN IMMEDIATE: a writer takes the lock up
    front, so two writers queue instead of failing half-way with SQLITE_BUSY."""

    def atomic(self, lock_type: str | None = "IMMEDIATE"):  # type: ignore[override]
        return super().atomic(lock_type=lock_type)


def sqlite_uri(path: str | os.PathLike[str], mode: str = "ro", *, windows: bool = os.name == "nt") -> str:
    """A `file:` URI that SQLite reads back as exactly `path`: "#", "?", "%", spaces and Chinese in
    folder names (C:\\Users\\张三 #%\\备份) are percent-encoded, never taken for the URI's own syntax.
    Windows paths become file:///C:/… and UNC paths file:////server/share/… (SQLite wants an empty
    authority)."""
    if windows:
        text = ntpath.abspath(path).replace("\\", "/")
        if not text.startswith("/"):
            text = "/" + text           # /C:/…
    else:
        text = os.path.abspath(path)
    raw = text.encode("utf-8") if windows else os.fsencode(text)   # SQLite decodes %XX as UTF-8 bytes
    return f"file://{quote(raw, safe='/:')}?mode={quote(mode)}"


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_FILENAME


def open_database(path: Path, *, key: str | None = None, create: bool = True,
                  backup_dir: Path | None = None) -> Database:
    """Open (and migrate) the database at `path`; binds the models to it."""
    if key is not None:
        raise NotImplementedError("数据库加密（SQLCipher）尚未启用")
    path = Path(path)
    if not create and not path.exists():
        from ..domain.errors import NotFound
        raise NotFound(f"数据文件不存在：{path.name}。请先运行 xinfang init 初始化本单位。")
    refuse_network_folder(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(path.parent, os.W_OK):
        # SQLite's own words ("unable to open database file") would not say why.
        from .errors import read_only_folder
        raise read_only_folder(path.parent)
    db = Database(str(path), pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    current = db.execute_sql("PRAGMA user_version").fetchone()[0]
    if 0 < current < SCHEMA_VERSION:
        backup_file(path, (backup_dir or path.parent / "backups"), f"pre-migration-v{current}")
    migrate(db)
    return db


def refuse_network_folder(folder: Path) -> None:
    """WAL and SQLite's locks need one machine: a database on a network share is refused."""
    from ..domain.errors import XinfangError
    from .network_folder import network_folder_message, network_location

    where = network_location(folder)
    if where:
        raise XinfangError(network_folder_message(folder, where))


def backup_file(path: Path, folder: Path, label: str) -> Path:
    """A consistent copy with SQLite's one-step backup API (never the incremental one, which
    restarts forever while another connection writes)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.stem}-{label}-{datetime.now():%Y%m%d-%H%M%S}.sqlite3"
    tmp = target.with_suffix(".part")
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)  # pages=-1: the whole database in one step
        finally:
            dst.close()
    finally:
        src.close()
    replace_file(tmp, target)
    return target
