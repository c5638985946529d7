"""`xinfang backup [--to DIR]` and `xinfang restore FILE`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..domain.errors import XinfangError
from ._common import PASSWORD_ENV, RECOVERY_ENV, acting_user, emit_json, kdf_of, login_password, open_services


def register(sub) -> None:
    p = sub.add_parser("backup", help="备份数据（数据库、附件和密钥）到备份文件夹或指定文件夹")
    p.add_argument("--to", type=Path, metavar="DIR", help="备份到这个文件夹（默认：设置中的备份文件夹；需要管理员）")
    p.add_argument("--set-folder", type=Path, metavar="DIR", help="把这个文件夹设为自动备份的位置（需要管理员）")
    p.add_argument("--list", action="store_true", help="列出备份文件夹中的备份")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="从备份恢复数据：先检查备份的完整性，并先备份当前数据")
    r.add_argument("file", type=Path, metavar="FILE", help="备份文件夹（xinfang-backup-…）或其中的 xinfang.sqlite3")
    r.add_argument("--recovery-code", help="该备份的恢复码（备份不是用本数据目录的密钥加密、又没有可用的密码时；"
                                            "也可用环境变量 XINFANG_RECOVERY_CODE 给出）")
    r.add_argument("--format", choices=("text", "json"), default="text")
    r.set_defaults(func=cmd_restore)


def _progress(fraction: float, text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%} {text}        ", end="", file=sys.stderr, flush=True)


def cmd_backup(args) -> int:
    from ..services.backup import BackupService

    svc = open_services(args)
    try:
        backups = svc.get(BackupService)
        actor = acting_user(svc, args)
        if args.set_folder:
            folder = backups.set_folder(actor, args.set_folder.resolve())
            print(f"自动备份文件夹已设为：{folder}")
            return 0
        if args.list:
            found = backups.backups(args.to)
            if args.format == "json":
                emit_json([{"path": b.path, "created_at": b.created_at, "kind": b.kind, "size": b.size,
                            "cases": b.cases} for b in found])
            elif not found:
                print("没有找到备份。")
            for b in found if args.format == "text" else []:
                print(f"{b.created_at:%Y-%m-%d %H:%M}  {b.kind_label:　<4} {b.cases:>7} 件  {b.size / 1e6:8.1f} MB  {b.path}")
            return 0
        info = backups.backup(actor, to=args.to.resolve() if args.to else None, progress=_progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        if args.format == "json":
            emit_json({"path": info.path, "created_at": info.created_at, "kind": info.kind, "size": info.size,
                       "cases": info.cases})
        else:
            print(f"已备份 {info.cases} 件事项到 {info.path}（{info.size / 1e6:.1f} MB）")
        return 0
    finally:
        svc.close()


def _backup_admin(source: Path) -> str:
    """The first administrator named in a backup's keyring (the user a restore on a new PC acts as)."""
    from ..services.backup import FILES_DIR, find_database
    from ..store.keyring import KEYRING_FILE, Keyring

    ring = find_database(source).parent / FILES_DIR / KEYRING_FILE
    name = Keyring.load(ring).first_admin() if ring.is_file() else None
    if not name:
        raise XinfangError("请用 --as 用户名 指定以该备份中哪位用户的身份恢复（或用 --recovery-code 给出恢复码）。")
    return name


def cmd_restore(args) -> int:
    from ..paths import default_data_dir
    from ..services.backup import BackupService, restore_into_empty, window_holding
    from ..services.clock import SystemClock
    from ..store.db import DB_FILENAME

    data_dir = Path(args.data_dir or default_data_dir())
    pid = window_holding(data_dir)
    if pid is not None:
        raise XinfangError(f"信访工作平台窗口正在使用这个数据目录（进程 {pid}）。请先关闭窗口，或在窗口的“设置 → 备份”中恢复。")
    code = args.recovery_code or os.environ.get(RECOVERY_ENV)
    if not (data_dir / DB_FILENAME).exists():
        # A new PC: the backup opens with the password of one of its users (--as, default its first
        # administrator) or its recovery code; its keyring comes with it.
        name = args.as_user or _backup_admin(args.file)
        password = None if code else login_password(name)
        result = restore_into_empty(data_dir, args.file, clock=SystemClock(), name=name, password=password,
                                    recovery_code=code, progress=_progress, kdf=kdf_of(args))
    else:
        svc = open_services(args)
        try:
            actor = acting_user(svc, args)
            result = svc.get(BackupService).restore(actor, args.file, progress=_progress,
                                                    password=os.environ.get(PASSWORD_ENV), recovery_code=code)
        finally:
            svc.close()
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if args.format == "json":
        emit_json({"source": result.source, "cases": result.cases, "safety_backup": result.safety_backup,
                   "schema_version": result.schema_version, "sync_epoch_needed": True})
    else:
        print(f"已从 {result.source} 恢复 {result.cases} 件事项。")
        if result.safety_backup:
            print(f"恢复前的数据已备份到 {result.safety_backup}")
        print("注意：同步将开始新的批次（epoch），请在“同步”页面联系市信访局确认。")
    return 0
