"""Helpers every `xinfang` subcommand shares: opening the data folder, the acting user, output."""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain.errors import XinfangError

EXIT_ERROR = 1
EXIT_USAGE = 2


def json_default(o: Any) -> Any:
    if isinstance(o, (datetime, date)):
        return o.isoformat(sep=" ") if isinstance(o, datetime) else o.isoformat()
    if is_dataclass(o):
        return asdict(o)
    if hasattr(o, "value"):
        return o.value
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(type(o))


def emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2, default=json_default)
    sys.stdout.write("\n")


def read_password(prompt: str = "密码：", *, confirm: bool = True, env: str | None = None) -> str:
    """From the environment variable `env` when set, else stdin when it is not a terminal, else a prompt."""
    import os

    if env and os.environ.get(env):
        return os.environ[env]
    if sys.stdin is None or not sys.stdin.isatty():
        line = sys.stdin.readline() if sys.stdin else ""
        password = line.rstrip("\r\n")
        if not password:
            raise XinfangError("没有从标准输入读到密码。请用管道提供密码，例如：echo 密码 | xinfang …")
        return password
    first = getpass.getpass(prompt)
    if confirm:
        if first != getpass.getpass("再次输入："):
            raise XinfangError("两次输入的密码不一致")
    return first


def open_services(args, *, create: bool = False):
    from ..paths import default_data_dir
    from ..services.context import open_services as _open

    data_dir = args.data_dir or default_data_dir()
    if not create and not (Path(data_dir) / "xinfang.sqlite3").exists():
        raise XinfangError(f"数据目录中没有数据库：{data_dir}。请先运行 xinfang init --unit 区划代码 --admin 用户名")
    return _open(data_dir)


def acting_user(svc, args):
    if getattr(args, "as_user", None):
        return svc.auth.user(args.as_user)
    return svc.auth.first_admin()


def report_failure(exc: BaseException, args) -> str:
    """The message for a failure that reached the top of a command: a storage failure in words
    (store/errors.py); anything else is unexpected — its details go to a log file, never the screen."""
    import os
    import tempfile
    import traceback
    from datetime import datetime

    from ..store.errors import storage_message

    from ..paths import default_data_dir

    data_dir = Path(getattr(args, "data_dir", None) or default_data_dir())
    message = storage_message(exc, folder=data_dir)
    if message is not None:
        return message
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if os.environ.get("XINFANG_DEBUG"):
        sys.stderr.write(details)
    written = None
    for folder in (data_dir / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "xinfang-cli-errors.log"
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S} xinfang {' '.join(sys.argv[1:])}\n{details}")
            written = path
            break
        except OSError:
            continue
    where = f"详细信息已写入 {written}，" if written else ""
    return (f"程序发生了意外错误（{type(exc).__name__}），操作没有完成，已保存的数据不受影响。"
            f"{where}请把它和所运行的命令一起交给技术支持。")
