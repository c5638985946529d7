"""Helpers every `xinfang` subcommand shares: the parser class and option types, opening the data folder,
the acting user, output."""

from __future__ import annotations

import argparse
import getpass
import json
import re
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..domain.errors import XinfangError

EXIT_ERROR = 1
EXIT_USAGE = 2

# argparse's own messages, in Chinese (the parser of every subcommand)
_ARGPARSE_ZH = [
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"参数 \1 的取值 \2 无效，可选：\3"),
    (r"argument (\S+): invalid int value: (.*)", r"参数 \1 应为整数，收到 \2"),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", r"无效的子命令 \1，可选：\2"),
    (r"argument (\S+): (.*)", r"参数 \1：\2"),
]


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        for pattern, repl in _ARGPARSE_ZH:
            if re.search(pattern, message):
                message = re.sub(pattern, repl, message)
                break
        self.print_usage(sys.stderr)
        sys.stderr.write(f"错误：{message}\n（运行 {self.prog} --help 查看用法）\n")
        raise SystemExit(EXIT_USAGE)


def date_arg(text: str) -> date:
    """An option's date, YYYY-MM-DD (argparse ``type=``)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期无效：{text}（格式为 YYYY-MM-DD）") from None


def datetime_arg(text: str) -> datetime:
    """An option's date and time, YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (argparse ``type=``)."""
    try:
        return datetime.fromisoformat(text.replace("T", " "))
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期无效：{text}（格式为 YYYY-MM-DD 或 'YYYY-MM-DD HH:MM'）") from None


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


def emit_one(args, item: Any, as_json: Callable[[Any], Any], text: Callable[[Any], Iterable[str]]) -> None:
    """What a command that shows or changes one record prints: with --format json the record's document,
    else the lines `text` says of it (made only then)."""
    if args.format == "json":
        emit_json(as_json(item))
        return
    for line in text(item):
        print(line)


def emit_items(args, items: Sequence[Any], as_json: Callable[[Any], Any], line: Callable[[Any], str], *,
               empty: str = "", end: str = "") -> None:
    """What a list command prints: with --format json the list of the items' documents, else a line for
    each item, `empty` when there is none, and `end` (a total, what to do next) after them."""
    if args.format == "json":
        emit_json([as_json(x) for x in items])
        return
    if not items and empty:
        print(empty)
    for x in items:
        print(line(x))
    if end:
        print(end)


def write_document(rendered, out: Path, fmt: str) -> int:
    """Save a rendered document to `--out`, warn on stderr of each character the fonts lack (it prints
    blank, to be written in by hand), and say what was written, as text or JSON."""
    from ..services.document_files import save_file

    for warning in rendered.warnings():
        print(f"警告：字库缺字，打印时为空白，请手写补充——{warning}", file=sys.stderr)
    saved = save_file(out, rendered.pdf)
    if fmt == "json":
        emit_json({"title": rendered.title, "pages": rendered.pages, "out": str(saved), "missing": rendered.warnings()})
    else:
        print(f"已生成{rendered.title}（{rendered.pages}页）：{saved}")
    return 0


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


PASSWORD_ENV = "XINFANG_PASSWORD"
RECOVERY_ENV = "XINFANG_RECOVERY_CODE"


def data_dir_of(args) -> Path:
    from ..paths import default_data_dir

    return Path(getattr(args, "data_dir", None) or default_data_dir())


def login_password(name: str) -> str:
    """The acting user's password: XINFANG_PASSWORD, else a prompt at a terminal. Never read from stdin,
    which may carry something else (a new user's password)."""
    import os

    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(f"{name} 的密码：")
        if password:
            return password
    raise XinfangError(f"需要密码才能打开数据：请在终端中运行以便输入 {name} 的密码，或设置环境变量 {PASSWORD_ENV}"
                       "（用 --as 用户名 选择以哪个用户的身份操作）。")


def default_user(data_dir: Path) -> str:
    """--as when not given: the first administrator (from the keyring, or from an old unencrypted database)."""
    from ..store.keyring import Keyring

    if Keyring.exists(data_dir):
        name = Keyring.load(data_dir).first_admin()
        if name:
            return name
    from ..store.db import db_path, is_plaintext, read_only

    if is_plaintext(db_path(data_dir)):
        con = read_only(db_path(data_dir))
        try:
            row = con.execute("SELECT name FROM user WHERE role = 'admin' AND active = 1 ORDER BY created_at").fetchone()
        finally:
            con.close()
        if row:
            return row[0]
    raise XinfangError("没有管理员账户，请先运行 xinfang init，或用 --as 用户名 指定用户。")


def open_services(args, *, create: bool = False):
    """The data folder opened as the acting user (--as, default the first administrator), with their
    password: every command that reads or writes data authenticates first, before anything is read."""
    from ..services.access import folder_state, unlock

    data_dir = data_dir_of(args)
    if folder_state(data_dir) == "new":
        raise XinfangError(f"数据目录中没有数据库：{data_dir}。请先运行 xinfang init --unit 区划代码 --admin 用户名")
    name = getattr(args, "as_user", None) or default_user(data_dir)
    opened = unlock(data_dir, name, login_password(name), kdf=kdf_of(args))
    opened_by(args, opened.services)
    if opened.recovery_code:
        print_recovery_code(opened.recovery_code, upgraded=True, users_to_reset=opened.users_to_reset)
    opened.services.acting = opened.actor
    opened.services.scrypt_log_n = getattr(args, "scrypt_log_n", None)
    return opened.services


def kdf_of(args):
    """The argon2id cost of keyring entries this command creates: production's unless main() was given one."""
    from ..store.keyring import PRODUCTION

    return getattr(args, "kdf", None) or PRODUCTION


def opened_by(args, services) -> None:
    """Remember services a command opened: main() closes them when the command ends, however it ends."""
    opened = getattr(args, "opened", None)
    if opened is not None:
        opened.append(services)


def print_recovery_code(code: str, *, upgraded: bool = False, users_to_reset=()) -> None:
    if upgraded:
        print("本数据目录的数据已加密保存（程序升级后的第一次使用）。")
    print(f"恢复码：{code}")
    print("请立即把恢复码抄写在纸上，存放在办公室的保险柜里。所有密码都忘记时，只有用它才能打开数据；"
          "恢复码和所有密码都丢失，数据将无法找回。")
    if users_to_reset:
        print("以下用户需要管理员重设密码后才能登录：" + "、".join(users_to_reset)
              + "（xinfang user reset-password 用户名）。")


def acting_user(svc, args):
    return svc.acting


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
