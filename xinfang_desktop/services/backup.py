"""Backups and restores of a data folder.

A backup is a folder `xinfang-backup-<YYYYmmdd-HHMMSS>-<kind>/` holding `xinfang.sqlite3` (made
with SQLite's one-step backup API: the incremental one restarts forever while the window writes),
`files/` (attachments, sync keys: every sub-folder of the data folder but logs and backups) and
`manifest.json`. It is built as `.<name>.part` and renamed when complete, so a crash, a full disk
or a pulled USB stick leaves either a whole backup or a `.part` that the next run removes.

Rotation keeps the newest backup of each of the last 7 days, 4 weeks and 12 months.

Restore checks the copy first (PRAGMA integrity_check, schema version, unit), takes a safety
backup of the current data, then copies the backup INTO the live database with the same backup
API: SQLite writes that in one transaction, so a crash mid-restore leaves the old database whole.
A restored database records `sync.epoch_needed`: its sequence numbers may already have been used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

from .. import __version__
from ..domain.errors import InvalidInput, NotFound, XinfangError
from ..file_replace import replace_file
from ..store.engine import is_postgres
from ..store import db as dbmod
from ..store.db import DB_FILENAME
from ..store.files import DamagedFile, FileStore
from ..store.keyring import KEYRING_FILE, PRODUCTION, KdfParams, Keyring
from ..store.errors import as_user_error
from ..store.migrations import SCHEMA_VERSION, migrate
from ..store import setting_keys
from ..store.models import Setting
from ..store.models_ops import BackupRecord
from .audit import audit
from .permissions import Actor, Permission, Role, require
from .progress import Progress

BACKUP_PREFIX = "xinfang-backup-"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 3               # 2: the checksum of every file; 3: encrypted, with the keyring in files/
FILES_DIR = "files"
SAFETY_DIR = "backups"            # inside the data folder: pre-migration and pre-restore copies
ATTACHMENTS = "attachments"
SKIPPED = {SAFETY_DIR, "logs"}    # data sub-folders a backup does not copy
LOCK_FILE = "xinfang.lock"        # held by the window (gui/single_instance.py)
KIND_LABELS = {"auto": "自动", "manual": "手动", "pre-restore": "恢复前"}
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12

SETTING_FOLDER = setting_keys.BACKUP_FOLDER
SETTING_LAST = setting_keys.BACKUP_LAST_AT
SETTING_EPOCH = setting_keys.SYNC_EPOCH_NEEDED

_NAME = re.compile(rf"^{BACKUP_PREFIX}(\d{{8}}-\d{{6}})-([a-z-]+?)(?:-(\d+))?$")



class BackupNeedsSecret(XinfangError):
    """The backup is encrypted under another folder's key: a password of one of its users, or its
    recovery code, opens it."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    kind: str
    size: int
    cases: int

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    safety_backup: Path | None
    cases: int
    schema_version: int


# --------------------------------------------------------------------------- failures in Chinese


def disk_error(exc: BaseException, where: Path) -> XinfangError:
    """A clear message for what goes wrong on disks: full, read-only, vanished, locked (store/errors.py)."""
    return as_user_error(exc, where) or XinfangError(str(exc))


# --------------------------------------------------------------------------- low-level steps


def _fsync_dir(path: Path) -> None:
    if sys.platform == "win32":
        return  # Windows cannot open a directory for fsync; NTFS journals the rename
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def copy_database(source: Path, target: Path, key: bytes) -> None:
    """A consistent copy of `source` in one step, as a standalone encrypted file (rollback journal)."""
    dbmod.copy_encrypted(source, key, target)


def _open_checked(path: Path, key: bytes | None):
    """A connection to a backup's database: encrypted with ``key``, or plain (a backup made before encryption)."""
    if dbmod.is_plaintext(path):
        return dbmod.read_only(path)      # "#", "?", "%" in the folder name are quoted
    if key is None:
        raise XinfangError(f"{path.name} 是加密的，需要该备份中某位用户的密码或恢复码才能打开。")
    return dbmod.connect(path, key)


def check_database(path: Path, key: bytes | None) -> tuple[int, str | None, int]:
    """(schema version, unit code, case count) of a database file after PRAGMA integrity_check.
    Raises XinfangError when the file is not a sound 信访工作平台database."""
    try:
        con = _open_checked(path, key)
    except dbmod.DatabaseError:
        raise XinfangError(f"无法打开备份文件 {path.name}。请确认它是信访工作平台的备份。") from None
    try:
        try:
            result = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        except dbmod.DatabaseError:
            raise XinfangError(f"{path.name} 不是有效的数据库文件（可能已损坏或不是备份）。请选择其他备份。") from None
        if result != ["ok"]:
            raise XinfangError(f"备份 {path.name} 未通过完整性检查（{'; '.join(result[:3])}），不能用于恢复。请选择其他备份。")
        version = con.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"setting", "case", "case_event"} <= tables:
            raise XinfangError(f"{path.name} 不是信访工作平台的数据库。请选择其他备份。")
        # a backup of a version before 18 names it as that version did (store/setting_keys.LEGACY)
        names = (setting_keys.UNIT_CODE, *(old for old, new in setting_keys.LEGACY.items() if new == setting_keys.UNIT_CODE))
        row = con.execute("SELECT value FROM setting WHERE key IN (?, ?)", names).fetchone()
        unit = json.loads(row[0]) if row else None
        cases = con.execute('SELECT COUNT(*) FROM "case"').fetchone()[0]
        return version, unit, cases
    finally:
        con.close()


def _copy_tree(src: Path, dst: Path, *, only_missing: bool = False) -> int:
    """Copy files under `src` into `dst`; with only_missing, never overwrite (content-addressed
    attachments and keys: adding is always safe). Returns the number of files copied."""
    copied = 0
    for root, dirs, files in os.walk(src):
        rel = Path(root).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            if name.endswith(".part"):
                continue
            target = dst / rel / name
            if only_missing and target.exists():
                continue
            shutil.copy2(Path(root) / name, target)
            copied += 1
    return copied


def _file_sums(root: Path) -> dict[str, str]:
    """relative path (with /) -> sha256 of every file under ``root``."""
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _data_subfolders(data_dir: Path) -> Iterable[Path]:
    for p in sorted(data_dir.iterdir()):
        if p.is_dir() and p.name not in SKIPPED and not p.name.startswith("."):
            yield p


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_backup(data_dir: Path, key: bytes, folder: Path, kind: str, at: datetime,
                 progress: Progress | None = None) -> BackupInfo:
    """Write one complete backup of `data_dir` into `folder` (no permission check, no record): the database
    encrypted as it is in the folder, the attachment files as they are (encrypted), the sync keys (under
    their passphrase) and the keyring (so a user's password, or the recovery code, opens the backup)."""
    progress = progress or (lambda _f, _t: None)
    data_dir, folder = Path(data_dir), Path(folder)
    if not folder.is_dir():
        raise XinfangError(f"备份文件夹不存在：{folder}。如果是U盘，请插好后重试，或在“设置”中选择其他文件夹。")
    source = data_dir / DB_FILENAME
    if not source.exists():
        raise NotFound(f"数据目录中没有数据库：{data_dir}")
    _remove_stale_parts(folder)
    name = f"{BACKUP_PREFIX}{at:%Y%m%d-%H%M%S}-{kind}"
    n = 1
    while (folder / name).exists():
        n += 1
        name = f"{BACKUP_PREFIX}{at:%Y%m%d-%H%M%S}-{kind}-{n}"
    part = folder / f".{name}.part"
    try:
        part.mkdir()
        dbmod.private_dir(part)
        progress(0.05, "正在复制数据库…")
        db_copy = part / DB_FILENAME
        copy_database(source, db_copy, key)
        progress(0.5, "正在检查备份的完整性…")
        version, unit, cases = check_database(db_copy, key)
        _fsync_file(db_copy)
        progress(0.6, "正在复制附件和密钥…")
        for sub in _data_subfolders(data_dir):
            _copy_tree(sub, part / FILES_DIR / sub.name)
        ring = Keyring.path_in(data_dir)
        if ring.is_file():
            (part / FILES_DIR).mkdir(exist_ok=True)
            shutil.copy2(ring, part / FILES_DIR / KEYRING_FILE)
        # What the backup holds, each file by its checksum: a restore checks all of it before replacing anything.
        manifest = {"format": MANIFEST_FORMAT, "app_version": __version__, "schema_version": version,
                    "unit_code": unit, "created_at": at.isoformat(sep=" "), "kind": kind, "cases": cases,
                    "database_sha256": _sha256(db_copy), "files": _file_sums(part / FILES_DIR)}
        with open(part / MANIFEST, "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False, indent=2)
            f.flush()
            os.fsync(f.fileno())
        dbmod.make_private(part)
        _fsync_dir(part)
        final = folder / name
        replace_file(part, final)   # an antivirus scan of the new files may hold the folder a moment
        _fsync_dir(folder)
    except XinfangError:
        shutil.rmtree(part, ignore_errors=True)
        raise
    except (OSError, dbmod.DatabaseError) as exc:
        shutil.rmtree(part, ignore_errors=True)
        raise disk_error(exc, folder) from exc
    size = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
    progress(1.0, "备份完成")
    return BackupInfo(final, at, kind, size, cases)


def _remove_stale_parts(folder: Path) -> None:
    """Remove what a crashed or interrupted backup left: only our own `.xinfang-backup-*.part`."""
    for p in folder.glob(f".{BACKUP_PREFIX}*.part"):
        shutil.rmtree(p, ignore_errors=True)


def list_backups(folder: Path) -> list[BackupInfo]:
    """The complete backups in `folder`, newest first (a folder without a manifest is not one)."""
    found: list[BackupInfo] = []
    folder = Path(folder)
    if not folder.is_dir():
        return found
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if not m or not (p / MANIFEST).is_file():
            continue
        try:
            manifest = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
            size = sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
        except (OSError, ValueError):
            continue
        found.append(BackupInfo(p, datetime.strptime(m.group(1), "%Y%m%d-%H%M%S"), m.group(2), size,
                                int(manifest.get("cases", 0))))
    found.sort(key=lambda b: (b.created_at, b.path.name), reverse=True)
    return found


def kept_by_rotation(stamps: Iterable[datetime], daily: int = KEEP_DAILY, weekly: int = KEEP_WEEKLY,
                     monthly: int = KEEP_MONTHLY) -> set[datetime]:
    """Grandfather-father-son: the newest of each of the last `daily` days, `weekly` ISO weeks
    and `monthly` months that have a backup."""
    ordered = sorted(set(stamps), reverse=True)
    kept: set[datetime] = set()
    rules: list[tuple[int, Callable[[date], object]]] = [
        (daily, lambda d: d),
        (weekly, lambda d: d.isocalendar()[:2]),
        (monthly, lambda d: (d.year, d.month)),
    ]
    for limit, key in rules:
        seen: set[object] = set()
        for stamp in ordered:
            k = key(stamp.date())
            if k in seen:
                continue
            if len(seen) >= limit:
                break
            seen.add(k)
            kept.add(stamp)
    return kept


def rotate(folder: Path) -> list[Path]:
    """Delete the regular backups (auto, manual) that rotation no longer keeps; returns them."""
    regular = [b for b in list_backups(folder) if b.kind in ("auto", "manual")]
    kept = kept_by_rotation(b.created_at for b in regular)
    # Several backups in one second share a stamp: keep only the newest of them.
    newest_per_stamp: dict[datetime, Path] = {}
    for b in regular:
        newest_per_stamp.setdefault(b.created_at, b.path)
    removed = []
    for b in regular:
        if b.created_at in kept and newest_per_stamp[b.created_at] == b.path:
            continue
        # Rename first: a crash half-way through rmtree must not leave something that looks whole.
        doomed = b.path.with_name(f".{b.path.name}.part")
        replace_file(b.path, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
        removed.append(b.path)
    return removed


def find_database(source: Path) -> Path:
    """The database file of a backup: the backup folder, its manifest, or a .sqlite3 file."""
    source = Path(source)
    if source.is_dir():
        candidate = source / DB_FILENAME
    elif source.name == MANIFEST:
        candidate = source.parent / DB_FILENAME
    else:
        candidate = source
    if not candidate.is_file():
        raise NotFound(f"找不到备份：{source}。请选择备份文件夹（xinfang-backup-…）或其中的 {DB_FILENAME}。")
    return candidate


def window_holding(data_dir: Path) -> int | None:
    """The process id of a running window on this data folder, if any (its QLockFile)."""
    lock = Path(data_dir) / LOCK_FILE
    try:
        pid = int(lock.read_text(encoding="utf-8", errors="replace").splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    if pid == os.getpid():
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def restore_database(data_dir: Path, source: Path, *, at: datetime, expected_unit: str | None,
                     live_key: bytes | None, backup_key: bytes | None,
                     progress: Progress | None = None) -> RestoreResult:
    """Check `source`, take a safety backup, then replace the data folder's database with it in
    one SQLite transaction. Works on an empty data folder too (no database yet): the backup's keyring
    then comes with it. ``backup_key`` opens the backup (None: a backup from before encryption);
    ``live_key`` is this folder's, under which the restored data stays encrypted."""
    progress = progress or (lambda _f, _t: None)
    data_dir = Path(data_dir)
    db_file = find_database(source)
    manifest = read_manifest(db_file.parent)
    live = data_dir / DB_FILENAME
    dbmod.private_dir(data_dir)
    staged = data_dir / f".restore-{os.getpid()}.part"
    staged_files = data_dir / f".restore-files-{os.getpid()}.part"
    try:
        # Check private copies, not the files on the stick: it may be pulled mid-read, or changed after
        # the check. Everything the manifest lists must match it before anything here is replaced.
        progress(0.05, "正在检查备份的完整性…")
        try:
            if manifest is None:
                _stage_bare(db_file, staged, backup_key)   # a bare database file (a -wal may lie beside)
            else:
                shutil.copyfile(db_file, staged)
                if _sha256(staged) != manifest["database_sha256"]:
                    raise XinfangError(f"备份中的数据库与备份清单（{MANIFEST}）记录的校验值不符：备份可能被改动过或已损坏，"
                                       "不能用于恢复。当前数据未受影响。请选择其他备份。")
            version, unit, cases = check_database(staged, backup_key)
        except (dbmod.DatabaseError, UnicodeDecodeError):
            raise XinfangError(f"{db_file.name} 不是有效的数据库文件（可能已损坏或不是备份）。请选择其他备份。") from None
        progress(0.15, "正在检查备份中的附件和密钥…")
        _stage_files(db_file.parent / FILES_DIR, staged_files, manifest)
        if version > SCHEMA_VERSION:
            raise XinfangError(f"这个备份来自更新版本的程序（数据库版本 {version}），请先安装最新版本再恢复。")
        if expected_unit and unit and unit != expected_unit:
            raise XinfangError(f"这个备份属于另一个单位（{unit}），不能恢复到本单位（{expected_unit}）的数据目录。")
        if not unit:
            raise XinfangError("这个备份中没有本单位的设置（可能是未初始化的数据库），不能用于恢复。")
        safety: Path | None = None
        if live.exists() and live_key is not None:
            progress(0.2, "正在备份当前数据…")
            safety = write_backup(data_dir, live_key, dbmod.private_dir(data_dir / SAFETY_DIR), "pre-restore",
                                  at).path
            progress(0.5, "正在恢复数据库…")
            src = _open_checked(staged, backup_key)
            try:
                dst = dbmod.connect(live, live_key, timeout=30)
                try:
                    src.backup(dst, pages=-1)  # one transaction on the live file, re-encrypted under its key
                finally:
                    dst.close()
            finally:
                src.close()
        else:
            progress(0.5, "正在恢复数据库…")
            os.replace(staged, live)         # an empty folder: the backup's database, and below its keyring
        progress(0.8, "正在恢复附件和密钥…")
        if staged_files.is_dir():
            _restore_files(staged_files, data_dir, backup_key, live_key)
    except XinfangError:
        raise
    except (OSError, dbmod.DatabaseError) as exc:
        raise disk_error(exc, data_dir) from exc
    finally:
        staged.unlink(missing_ok=True)
        shutil.rmtree(staged_files, ignore_errors=True)
    progress(1.0, "恢复完成")
    return RestoreResult(Path(source), safety, cases, version)


def _stage_bare(db_file: Path, staged: Path, key: bytes | None) -> None:
    if dbmod.is_plaintext(db_file):
        src = dbmod.sqlcipher.connect(str(db_file), timeout=30)
        try:
            dst = dbmod.sqlcipher.connect(str(staged))
            try:
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    elif key is None:
        raise XinfangError(f"{db_file.name} 是加密的，需要该备份中某位用户的密码或恢复码才能打开。")
    else:
        dbmod.copy_encrypted(db_file, key, staged)


def _restore_files(staged: Path, data_dir: Path, backup_key: bytes | None, live_key: bytes | None) -> None:
    """The backup's files into the folder, never over one already there (content-addressed attachments and
    keys: adding is always safe). Attachments sealed under another key than this folder's are opened and
    sealed again under this folder's; the keyring comes only into an empty folder."""
    reseal = live_key is not None and live_key != backup_key
    for sub in sorted(staged.iterdir()):
        if sub.name == ATTACHMENTS and sub.is_dir() and reseal:
            source = FileStore(sub, backup_key or live_key)
            target = FileStore(data_dir / ATTACHMENTS, live_key)
            for sha in source.shas():
                if not target.has(sha):
                    try:
                        target.put(sha, source.read(sha))
                    except DamagedFile:
                        raise XinfangError(f"备份中的附件 {sha[:12]}… 无法解密或已损坏，恢复已停止（数据库已恢复，"
                                           "其余附件未复制）。请选择其他备份，或联系技术支持。") from None
        elif sub.is_dir():
            _copy_tree(sub, data_dir / sub.name, only_missing=True)
        elif not (data_dir / sub.name).exists():
            shutil.copy2(sub, data_dir / sub.name)


def backup_key_for(source: Path, *, live_key: bytes | None, data_dir: Path, clock, name: str | None = None,
                   password: str | None = None, recovery_code: str | None = None,
                   expected_unit: str | None = None) -> bytes | None:
    """The key that opens a backup: None for one made before encryption; this folder's own key when it
    opens it (a backup of this folder); else a user's password, or the recovery code, against the keyring
    the backup carries. Wrong secrets count towards the lockout like any login. A backup that differs from
    its manifest, or belongs to another unit, is refused before any password is asked for."""
    from .access import RECOVERY_WRONG, _unwrap_user, check_secret

    db_file = find_database(source)
    manifest = read_manifest(db_file.parent)
    if manifest is not None and _sha256(db_file) != manifest["database_sha256"]:
        raise XinfangError(f"备份中的数据库与备份清单（{MANIFEST}）记录的校验值不符：备份可能被改动过或已损坏，"
                           "不能用于恢复。当前数据未受影响。请选择其他备份。")
    if dbmod.is_plaintext(db_file):
        return None
    if live_key is not None:
        try:
            dbmod.connect(db_file, live_key).close()
            return live_key
        except dbmod.WrongKey:
            pass
    ring_file = db_file.parent / FILES_DIR / KEYRING_FILE
    if not ring_file.is_file():
        raise XinfangError(f"{db_file.name} 不是有效的数据库文件，或不是用本数据目录的密钥加密的（可能已损坏、不是备份，"
                           "或缺少随附的密钥文件）。请选择完整的备份文件夹（xinfang-backup-…）。")
    ring = Keyring.load(ring_file)
    unit = (ring.unit or {}).get("code")
    if expected_unit and unit and unit != expected_unit:
        raise XinfangError(f"这个备份属于另一个单位（{unit}），不能恢复到本单位（{expected_unit}）的数据目录。")
    if recovery_code:
        return check_secret(data_dir, "恢复码", clock, lambda: ring.unwrap_recovery(recovery_code),
                            wrong=RECOVERY_WRONG)
    if name and password:
        return check_secret(data_dir, name, clock, lambda: _unwrap_user(ring, name, password))
    raise BackupNeedsSecret("这个备份的数据不是用本数据目录的密钥加密的（可能来自另一台电脑或重新初始化之前）："
                            "请输入该备份中某位用户的用户名和密码，或该备份的恢复码。")


def encrypt_old_copies(data_dir: Path, key: bytes) -> None:
    """The safety copies an earlier version left in clear in the data folder (before a schema step or a
    restore) are encrypted in place, so no plaintext copy of the database stays in the data folder."""
    folder = Path(data_dir) / SAFETY_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.sqlite3")):
        if dbmod.is_plaintext(path):
            dbmod.encrypt_plaintext(path, key)
    for backup in sorted(p for p in folder.iterdir() if p.is_dir() and _NAME.match(p.name)):
        db_file = backup / DB_FILENAME
        if not dbmod.is_plaintext(db_file):
            continue
        dbmod.encrypt_plaintext(db_file, key)
        FileStore(backup / FILES_DIR / ATTACHMENTS, key).encrypt_plaintext()
        ring = Keyring.path_in(data_dir)
        if ring.is_file():
            (backup / FILES_DIR).mkdir(exist_ok=True)
            shutil.copy2(ring, backup / FILES_DIR / KEYRING_FILE)
        try:
            manifest = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        manifest.update({"format": MANIFEST_FORMAT, "database_sha256": _sha256(db_file),
                         "files": _file_sums(backup / FILES_DIR)})
        (backup / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def read_manifest(folder: Path) -> dict | None:
    """The manifest of a backup folder; None for a bare database file (a pre-migration safety copy)."""
    path = folder / MANIFEST
    if not path.is_file():
        if (folder / FILES_DIR).is_dir():
            raise XinfangError(f"备份缺少清单文件 {MANIFEST}，无法核对其内容，不能用于恢复。请选择其他备份。")
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise XinfangError(f"备份的清单文件 {MANIFEST} 无法读取（可能已损坏），不能用于恢复。请选择其他备份。") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("database_sha256"), str):
        raise XinfangError(f"备份的清单文件 {MANIFEST} 内容不完整，不能用于恢复。请选择其他备份。")
    return manifest


def _stage_files(source: Path, staging: Path, manifest: dict | None) -> None:
    """Copy the backup's files into ``staging`` and check each copy against the manifest: a file changed,
    missing or added refuses the restore. Backups of format 1 listed no files: their attachments are
    checked against their names (the hash of their content), their keys cannot be checked."""
    listed: dict[str, str] | None = None if manifest is None else manifest.get("files")
    if listed is not None and not isinstance(listed, dict):
        raise XinfangError(f"备份的清单文件 {MANIFEST} 内容不完整，不能用于恢复。请选择其他备份。")
    found: set[str] = set()
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if not path.is_file() or path.name.endswith(".part"):
                continue
            rel = path.relative_to(source).as_posix()
            found.add(rel)
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            digest = _sha256(target)
            expected = listed.get(rel) if listed is not None else (
                path.name if rel.startswith("attachments/") else digest)
            if digest != expected:
                raise XinfangError(f"备份中的文件 {rel} 与备份清单记录的校验值不符（或不在清单中）：备份可能被改动过，"
                                   "不能用于恢复。当前数据未受影响。请选择其他备份。")
    missing = sorted(set(listed or ()) - found)
    if missing:
        raise XinfangError(f"备份清单中的文件 {missing[0]} 在备份中找不到（共缺 {len(missing)} 个）：备份不完整，"
                           "不能用于恢复。当前数据未受影响。请选择其他备份，或插好存放备份的U盘后重试。")


def _mark_restored(db, at: datetime, actor: Actor, result: RestoreResult) -> None:
    """After a restore: bring the schema up to date, ask sync for a new epoch, record it."""
    from .sync.epochs import journal_head

    migrate(db)
    with db.atomic():
        # The journal position of the restored data: rows changed after it get versions of the new epoch.
        Setting.replace(key=SETTING_EPOCH, value={"since": at.isoformat(sep=" "), "reason": "restored",
                                                  "backup": result.source.name,
                                                  "journal": journal_head(db)}).execute()
        BackupRecord.create(at=at, kind="restore", path=str(result.source), cases=result.cases, actor=actor.name)
        audit(actor, "backup.restore", None, {"backup": result.source.name, "cases": result.cases,
                                              "safety_backup": str(result.safety_backup or "")}, at=at)


def restore_into_empty(data_dir: Path, source: Path, *, clock, name: str | None = None, password: str | None = None,
                       recovery_code: str | None = None, progress: Progress | None = None,
                       kdf: KdfParams = PRODUCTION) -> RestoreResult:
    """`xinfang restore` on a data folder with no database (a new PC): the backup's own keyring comes with
    it, so the backup is opened with the password of one of its users, or its recovery code. ``kdf``: the
    cost of the keyring entries made when the backup is from before encryption."""
    from .access import unlock
    from .context import open_services

    data_dir = Path(data_dir)
    if (data_dir / DB_FILENAME).exists():
        raise XinfangError("数据目录中已有数据库，请以管理员身份恢复。")
    at = clock.now()
    key = backup_key_for(source, live_key=None, data_dir=data_dir, clock=clock, name=name, password=password,
                         recovery_code=recovery_code)
    result = restore_database(data_dir, source, at=at, expected_unit=None, live_key=None, backup_key=key,
                              progress=progress)
    if key is None:                        # a backup made before encryption: encrypted as its admin logs in
        if not (name and password):
            raise XinfangError("已恢复一个旧版本（未加密）的备份：请以其管理员的用户名和密码再运行一次任意命令，完成加密。")
        svc = unlock(data_dir, name, password, clock=clock, kdf=kdf).services
    else:
        svc = open_services(data_dir, key=key, clock=clock)
    try:
        unit = svc.auth.unit_code()
        actor = Actor(id="", name="restore", display_name="恢复程序", role=Role.ADMIN, unit_code=unit)
        _mark_restored(svc.db, at, actor, result)
    finally:
        svc.close()
    return result


class BackupService:
    """Backups of this data folder and restores into it, as a person starts them."""

    def __init__(self, services):
        self.services = services

    @property
    def data_dir(self) -> Path:
        return Path(self.services.data_dir)

    # ----------------------------------------------------------------- settings

    def folder(self) -> Path | None:
        row = Setting.get_or_none(Setting.key == SETTING_FOLDER)
        return Path(row.value) if row and row.value else None

    def last_backup_at(self) -> datetime | None:
        row = Setting.get_or_none(Setting.key == SETTING_LAST)
        return datetime.fromisoformat(row.value) if row and row.value else None

    def set_folder(self, actor: Actor, folder: Path | str) -> Path:
        require(actor, Permission.MANAGE_SETTINGS)
        text = str(folder).strip()
        if not text:
            raise InvalidInput("请选择备份文件夹", field="folder")
        path = Path(text).expanduser()
        if not path.is_absolute():
            raise InvalidInput("请选择一个完整的文件夹路径（例如 D:\\信访备份 或U盘上的文件夹）", field="folder")
        try:
            if path.resolve() == self.data_dir.resolve() or self.data_dir.resolve() in path.resolve().parents:
                raise InvalidInput("备份文件夹不能在数据目录里面：硬盘损坏时会一起丢失。请选择其他磁盘或U盘。", field="folder")
            path.mkdir(parents=True, exist_ok=True)
            probe = path / f".xinfang-write-test-{os.getpid()}"
            probe.write_bytes(b"ok")
            probe.unlink()
        except InvalidInput:
            raise
        except OSError as exc:
            raise disk_error(exc, path) from exc
        at = self.services.clock.now()
        with self.services.db.atomic():
            Setting.replace(key=SETTING_FOLDER, value=str(path)).execute()
            audit(actor, "backup.set_folder", None, {"folder": str(path)}, at=at)
        return path

    def epoch_needed(self) -> dict | None:
        row = Setting.get_or_none(Setting.key == SETTING_EPOCH)
        return row.value if row else None

    # ----------------------------------------------------------------- backing up

    def _refuse_on_server(self, what: str) -> None:
        """The program's backups copy the folder's SQLite file; data on a PostgreSQL server are the server's
        to back up (pg_dump, README), so a copy of a file that holds nothing is never made to look like one."""
        if is_postgres(self.services.db):
            raise XinfangError(f"本单位的数据在 PostgreSQL 数据库服务器上，程序不能{what}。请由管理员用服务器的 pg_dump "
                               "定时备份、用 pg_restore 恢复（见 README“市信访局：PostgreSQL 数据库”）。")

    def due(self) -> bool:
        """An automatic backup is due: a folder is set and none ran today (never on a server: pg_dump's)."""
        if self.folder() is None or is_postgres(self.services.db):
            return False
        last = self.last_backup_at()
        return last is None or last.date() < self.services.clock.today()

    def backup(self, actor: Actor, *, to: Path | None = None, kind: str = "manual",
               progress: Progress | None = None) -> BackupInfo:
        """Back up to `to`, or to the configured folder. Any user may run the configured backup
        (it protects everyone's work); only an administrator may copy the data elsewhere."""
        self._refuse_on_server("备份数据")
        if to is not None:
            require(actor, Permission.MANAGE_SETTINGS)
            folder = Path(to)
            if not folder.exists() and folder.parent.is_dir():
                try:
                    folder.mkdir()  # only one level: a missing stick must not become a folder on C:
                except OSError as exc:
                    raise disk_error(exc, folder) from exc
        else:
            require(actor, Permission.VIEW)
            folder = self.folder()
            if folder is None:
                raise XinfangError("还没有设置备份文件夹。请在“设置 → 备份”中选择，或用 xinfang backup --to 文件夹。")
        if kind not in ("auto", "manual"):
            raise InvalidInput(f"备份类型无效：{kind}", field="kind")
        at = self.services.clock.now()
        info = write_backup(self.data_dir, self.services.data_key, folder, kind, at, progress)
        with self.services.db.atomic():
            BackupRecord.create(at=at, kind=kind, path=str(info.path), size=info.size, cases=info.cases,
                                actor=actor.name)
            Setting.replace(key=SETTING_LAST, value=at.isoformat(sep=" ")).execute()
            audit(actor, f"backup.{kind}", None, {"path": str(info.path), "cases": info.cases}, at=at)
        try:
            rotate(folder)
        except OSError:
            pass  # an old backup that cannot be removed now is removed next time
        return info

    def backup_if_due(self, actor: Actor, progress: Progress | None = None) -> BackupInfo | None:
        return self.backup(actor, kind="auto", progress=progress) if self.due() else None

    def backups(self, folder: Path | None = None) -> list[BackupInfo]:
        folder = folder or self.folder()
        return list_backups(folder) if folder else []

    def history(self, limit: int = 20) -> list[BackupRecord]:
        return list(BackupRecord.select().order_by(BackupRecord.at.desc(), BackupRecord.id.desc()).limit(limit))

    # ----------------------------------------------------------------- restoring

    def restore(self, actor: Actor, source: Path, progress: Progress | None = None, *, password: str | None = None,
                recovery_code: str | None = None) -> RestoreResult:
        """A backup of this folder opens with its key; one encrypted under another key (another PC, a folder set
        up again) needs ``password`` (the acting user's in that backup) or that backup's ``recovery_code``."""
        require(actor, Permission.MANAGE_SETTINGS)
        self._refuse_on_server("从备份恢复数据")
        at = self.services.clock.now()
        key = backup_key_for(Path(source), live_key=self.services.data_key, data_dir=self.data_dir,
                             clock=self.services.clock, name=actor.name, password=password,
                             recovery_code=recovery_code, expected_unit=self.services.auth.unit_code())
        result = restore_database(self.data_dir, Path(source), at=at, expected_unit=self.services.auth.unit_code(),
                                  live_key=self.services.data_key, backup_key=key, progress=progress)
        _mark_restored(self.services.db, at, actor, result)
        return result
