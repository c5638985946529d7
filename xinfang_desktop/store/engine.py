"""Which storage engine a data folder uses: the embedded SQLite file (the default, a township's PC) or a
PostgreSQL server (the city bureau, several desks on one database).

The choice, first found wins: the ``--database URL`` option (the command line puts it in the environment),
``XINFANG_DATABASE_URL``, then ``database.json`` in the data folder (written by ``xinfang init --database``).
Only ``postgresql://`` (or ``postgres://``) URLs are taken; the folder keeps its keyring either way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..domain.errors import XinfangError

ENV = "XINFANG_DATABASE_URL"
FOLDER_FILE = "database.json"
SQLITE, POSTGRESQL = "sqlite", "postgresql"


def check_url(url: str) -> str:
    """The URL if it names a PostgreSQL database; refused (before anything is written) otherwise."""
    url = url.strip()
    if not url.startswith(("postgresql://", "postgres://")):
        raise XinfangError(f"数据库地址不对：{url[:60]}。请写成 postgresql://用户名@服务器/数据库名 的形式"
                           "（不写则使用本机的数据文件）。")
    return url


def database_url(data_dir: Path | None) -> str | None:
    """The PostgreSQL URL the folder's data is kept at, or None for its SQLite file."""
    url = os.environ.get(ENV, "").strip()
    if url:
        return check_url(url)
    if data_dir is None:
        return None
    path = Path(data_dir) / FOLDER_FILE
    if not path.exists():
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8")).get("url")
    except (OSError, ValueError, AttributeError):
        raise XinfangError(f"数据目录中的 {FOLDER_FILE} 无法读取，不知道数据库在哪里。请检查该文件，"
                           "或用 --database 指定数据库地址。") from None
    return check_url(saved) if saved else None


def save_url(data_dir: Path, url: str) -> None:
    """Remember in the data folder that its data is at ``url`` (readable by the owner only)."""
    path = Path(data_dir) / FOLDER_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": check_url(url)}, f, ensure_ascii=False)


def engine_of(db) -> str:
    """"sqlite" or "postgresql": for the few places (schema pieces, steps) written per engine."""
    return POSTGRESQL if getattr(db, "engine", SQLITE) == POSTGRESQL else SQLITE


def is_postgres(db) -> bool:
    return engine_of(db) == POSTGRESQL
