"""The `xinfang` command: the entry function and the parser assembly. The subcommands are in commands/,
one module per group; they drive the same services as the window and repeat none of their checks.

Errors go to stderr in Chinese with a non-zero exit status; `--format json` prints one JSON
document on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from . import __version__
from .commands._common import EXIT_ERROR, ChineseArgumentParser
from .domain.errors import XinfangError

if TYPE_CHECKING:
    from .store.keyring import KdfParams


def build_parser() -> argparse.ArgumentParser:
    from . import commands

    p = ChineseArgumentParser(prog="xinfang", description="信访工作平台命令行工具")
    p.add_argument("--version", action="version", version=f"xinfang {__version__}")
    p.add_argument("--data-dir", type=Path, help="数据目录（默认：用户数据目录；环境变量 XINFANG_HOME 可覆盖）")
    p.add_argument("--as", dest="as_user", metavar="USER", help="以该用户身份操作（默认：第一个管理员）")
    p.add_argument("--database", dest="database_url", metavar="URL",
                   help="数据放在这个 PostgreSQL 数据库中（postgresql://用户@服务器/库名；环境变量 XINFANG_DATABASE_URL 同）")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ChineseArgumentParser)
    for module in commands.modules():
        module.register(sub)
    return p


def main(argv: Sequence[str] | None = None, *, kdf: KdfParams | None = None, scrypt_log_n: int | None = None) -> int:
    """Run one command; returns its exit status. `kdf` and `scrypt_log_n` are the cost of the keyring
    entries and sync key files the command writes (None: production's; the test suite passes its cheapest).
    A call leaves the process as it found it (umask, the database binding, no connection left open), so it
    can be called again."""
    umask = os.umask(0o077) if hasattr(os, "umask") else None  # what it writes is this user's only (PIPL 第五十一条)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    bound = _bound_database()
    try:
        args = build_parser().parse_args(argv)
        args.kdf, args.scrypt_log_n = kdf, scrypt_log_n
        args.opened = []          # the services this command opens (commands/_common.open_services)
        chosen = _choose_database(getattr(args, "database_url", None))
        try:
            return _run(args)
        finally:
            for services in args.opened:
                services.close()
            _choose_database(chosen, restore=True)
    finally:
        _rebind_database(bound)
        if umask is not None:
            os.umask(umask)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.func(args)
    except XinfangError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a person reads this: words, never a traceback
        from .commands._common import report_failure

        print(f"错误：{report_failure(exc, args)}", file=sys.stderr)
        return EXIT_ERROR


def _choose_database(url: str | None, *, restore: bool = False) -> str | None:
    """``--database URL``: this command's data on that server (as XINFANG_DATABASE_URL); returns what the
    environment said before, to put back after the command (the tests run many commands in one process)."""
    from .store.engine import ENV

    before = os.environ.get(ENV)
    if restore:
        if url is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = url
    elif url:
        os.environ[ENV] = url
    return before


def _bound_database() -> object:
    """The database the models are bound to before the command (None when the store is not loaded yet)."""
    models = sys.modules.get("xinfang_desktop.store.models")
    return models.database.obj if models is not None else None


def _rebind_database(previous: object) -> None:
    models = sys.modules.get("xinfang_desktop.store.models")
    if models is not None and models.database.obj is not previous:
        models.database.initialize(previous)


if __name__ == "__main__":
    raise SystemExit(main())
