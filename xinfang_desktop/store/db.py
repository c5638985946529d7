"""Opening the database: one place, encrypted at rest with SQLCipher under the folder's data key.

Every connection to a data folder's database — the application's, a backup's, a check of a copy —
comes from :func:`connect` with the raw 256-bit data key (store/keyring.py unwraps it), so SQLCipher
encrypts every page of the database, its WAL and its temporary files. With a raw key SQLCipher runs no
key derivation of its own: the password's argon2id is done once, by the keyring.
"""

from __future__ import annotations

import ntpath
import os
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from peewee import SqliteDatabase
from sqlcipher3 import dbapi2 as sqlcipher

from ..domain.errors import NotFound, XinfangError
from ..file_replace import replace_file
from .db_file import DB_FILENAME, PLAINTEXT_HEADER, db_path, is_plaintext  # noqa: F401 (this module's API too)
from .migrations import SCHEMA_VERSION, migrate
from .models import database

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",   # WAL + NORMAL is durable across application crashes
    "busy_timeout": 5000,
    # 64 MB of decrypted pages: with SQLCipher a page read again from the OS cache is decrypted again, and a
    # year's statistics over a million cases reads ~50 MB of index pages (32 MB made it ×2 of plaintext).
    # SQLite allocates the cache as pages are read, so a small township database never uses this much.
    "cache_size": -65536,
    "temp_store": "memory",
}

DatabaseError = sqlcipher.DatabaseError
OperationalError = sqlcipher.OperationalError


class WrongKey(XinfangError):
    pass


def _key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("the data key is 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(path: Path | str, key: bytes, **kwargs) -> sqlcipher.Connection:
    """A plain DB-API connection to an encrypted database file (created if missing), key applied first."""
    conn = sqlcipher.connect(str(path), **kwargs)
    try:
        # SQLCipher would print its own complaint on stderr for a wrong key; the exception says it.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()   # the key is checked here
    except sqlcipher.DatabaseError as exc:
        conn.close()
        from .errors import nearly_full

        # SQLCipher says "not a database" for a wrong key, but also when a full disk stops it reading.
        if "not a database" not in str(exc) or nearly_full(Path(path).parent):
            raise
        raise WrongKey(f"{Path(path).name} 不能用这个数据目录的密钥打开（密钥不对，或文件不是信访工作平台的数据库）。") from None
    except BaseException:
        conn.close()
        raise
    return conn


class Database(SqliteDatabase):
    """SqliteDatabase over SQLCipher, whose `atomic()` defaults to BEGIN IMMEDIATE: a writer takes
    the lock up front, so two writers queue instead of failing half-way with SQLITE_BUSY."""

    def __init__(self, path: str, key: bytes, **kwargs):
        self._data_key = key
        super().__init__(path, **kwargs)

    def _connect(self):
        conn = connect(self.database, self._data_key, timeout=self._timeout, isolation_level=None,
                       **self.connect_params)
        try:
            self._add_conn_hooks(conn)
        except BaseException:
            conn.close()
            raise
        return conn

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


def read_only(path: Path) -> "sqlcipher.Connection":
    """A read-only connection to an unencrypted database file (one from before encryption)."""
    return sqlcipher.connect(sqlite_uri(path), uri=True)


def refuse_network_folder(folder: Path) -> None:
    """WAL and SQLite's locks need one machine: a database on a network share is refused."""
    from .network_folder import network_folder_message, network_location

    where = network_location(folder)
    if where:
        raise XinfangError(network_folder_message(folder, where))


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only, where the system allows it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        try:
            os.chmod(path, 0o700)
        except OSError:
            pass
    return path


def make_private(root: Path) -> None:
    """Every folder (0700) and file (0600) under ``root`` readable by the owner only (a copied tree)."""
    if os.name != "posix":
        return
    for folder, _dirs, files in os.walk(root):
        os.chmod(folder, 0o700)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o600)


def _private_file(path: Path) -> None:
    """Create ``path`` empty with 0600 before SQLite opens it: its -wal and -shm take the same mode."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600))


def open_database(path: Path, *, key: bytes, create: bool = True, backup_dir: Path | None = None) -> Database:
    """Open (and migrate) the encrypted database at `path` with the data key; binds the models to it."""
    path = Path(path)
    if not create and not path.exists():
        raise NotFound(f"数据文件不存在：{path.name}。请先运行 xinfang init 初始化本单位。")
    refuse_network_folder(path.parent)
    private_dir(path.parent)
    if not os.access(path.parent, os.W_OK):
        # SQLite's own words ("unable to open database file") would not say why.
        from .errors import read_only_folder
        raise read_only_folder(path.parent)
    if is_plaintext(path):
        raise XinfangError("数据文件尚未加密（来自旧版本），需先由管理员登录完成加密升级。")
    _private_file(path)
    db = Database(str(path), key, pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    current = db.execute_sql("PRAGMA user_version").fetchone()[0]
    if 0 < current < SCHEMA_VERSION:
        backup_file(path, key, (backup_dir or path.parent / "backups"), f"pre-migration-v{current}")
    migrate(db)
    return db


def open_server_database(url: str):
    """Open (and migrate) the database on a PostgreSQL server at ``url``; binds the models to it. No file
    backup before a step there: the server's own backups (pg_dump) are the office's (README)."""
    from .pg import open_url
    from .pg_errors import connection_failed

    try:
        db = open_url(url)
    except Exception as exc:
        raise connection_failed(exc, url) from None
    database.initialize(db)
    migrate(db)
    return db


def require_empty_server_database(url: str) -> None:
    """`xinfang init --database URL`: the database exists and holds nothing of this program's yet (or only
    the schema of a set-up that failed before its first administrator), else refused before anything is
    written."""
    from .migrations import _has_tables
    from .models import self_unit_code
    from .pg import open_url
    from .pg_errors import connection_failed, where

    try:
        db = open_url(url)
    except Exception as exc:
        raise connection_failed(exc, url) from None
    try:
        ours = db.execute_sql("SELECT to_regclass('unit')").fetchone()[0] is not None
        if (ours and self_unit_code(db)) or (not ours and _has_tables(db)):
            raise XinfangError(f"数据库 {where(url)} 中已经有数据，不能在其中初始化。请使用一个新建的空数据库"
                               "（见 README“市信访局：PostgreSQL 数据库”），或连接已初始化的数据库时不要再运行 init。")
    finally:
        db.close()


def copy_encrypted(source: Path, source_key: bytes, target: Path, target_key: bytes | None = None) -> None:
    """A consistent copy of ``source`` in one step with SQLite's backup API (never the incremental one,
    which restarts forever while another connection writes), as one self-contained file (rollback
    journal), encrypted under ``target_key`` (by default the source's own)."""
    target = Path(target)
    _private_file(target)
    src = connect(source, source_key, timeout=30)
    try:
        dst = connect(target, target_key or source_key)
        try:
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def backup_file(path: Path, key: bytes, folder: Path, label: str) -> Path:
    """A safety copy (before a schema step), encrypted like the database itself."""
    private_dir(folder)
    target = folder / f"{path.stem}-{label}-{datetime.now():%Y%m%d-%H%M%S}.sqlite3"
    tmp = target.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    copy_encrypted(path, key, tmp)
    replace_file(tmp, target)
    return target


def encrypt_plaintext(path: Path, key: bytes) -> None:
    """Turn an unencrypted database file into an encrypted one in place (sqlcipher_export into a new
    file, checked, then renamed over the old one). The old file's bytes are then overwritten and its
    WAL and shared-memory files removed; see the README on what overwriting cannot promise on SSDs."""
    path = Path(path)
    staged = path.with_name(path.name + ".encrypting")
    staged.unlink(missing_ok=True)
    _private_file(staged)
    plain = sqlcipher.connect(str(path))
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(staged),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        version = plain.execute("PRAGMA main.user_version").fetchone()[0]
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    check = connect(staged, key)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise XinfangError("加密后的数据文件未通过完整性检查，原文件保持不变。请联系技术支持。")
    finally:
        check.close()
    size = path.stat().st_size
    old = path.with_name(path.name + ".plaintext")
    os.replace(path, old)
    os.replace(staged, path)
    shred(old, size)
    for suffix in ("-wal", "-shm", "-journal"):
        shred(path.with_name(path.name + suffix))


def shred(path: Path, size: int | None = None) -> None:
    """Overwrite a file with zeros, sync, then remove it (best effort on SSDs and journaling filesystems)."""
    path = Path(path)
    try:
        length = size if size is not None else path.stat().st_size
        with open(path, "r+b") as f:
            block = b"\0" * (1 << 20)
            left = length
            while left > 0:
                f.write(block[:min(left, len(block))])
                left -= len(block)
            f.flush()
            os.fsync(f.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
