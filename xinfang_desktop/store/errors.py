"""The one place that turns a failure of the disk or the database file into words a clerk can act on.

The command line, the window and the backup and sync services all ask here, so a read-only folder,
a full disk, a database held by another program or a missing file reads the same everywhere, in
Chinese, and says what to do. Nothing here is shown when a failure is not one of these.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

import peewee
from sqlcipher3 import dbapi2 as sqlcipher

from ..domain.errors import XinfangError

# Windows: the file is open in another program (WPS, Excel, a PDF reader, an antivirus scan).
_WIN_SHARING = {32, 33}        # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_WIN_DENIED = {5}              # ERROR_ACCESS_DENIED
_WIN_FULL = {39, 112}          # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL

UNCHANGED = "已保存的数据没有受到影响。"


def read_only_folder(folder: object) -> XinfangError:
    """The data folder cannot be written: said the same way wherever it is found out."""
    return XinfangError(f"数据目录 {folder} 是只读的（或没有写入权限），程序无法打开其中的数据。{UNCHANGED}"
                        "请检查文件夹的权限或U盘的写保护开关；也可以把数据目录复制到可写的位置，再用 --data-dir 指定。")


_DB_ERRORS = (sqlite3.Error, sqlcipher.Error, peewee.DatabaseError, peewee.InterfaceError)


def is_storage_error(exc: BaseException) -> bool:
    from .pg_errors import is_server_error

    return isinstance(exc, (*_DB_ERRORS, OSError)) or is_server_error(exc)


def storage_message(exc: BaseException, where: object | None = None, *, folder: Path | None = None) -> str | None:
    """A Chinese message for a failure of storage, or None when ``exc`` is not one. ``where``: the file or
    folder concerned, when the caller knows it better than the exception does. ``folder``: the data folder;
    when its disk is (nearly) full, that is the cause whatever SQLite called it ("disk I/O error")."""
    if not is_storage_error(exc):
        return None
    if folder is not None and _ambiguous(exc) and nearly_full(folder):
        return _database_message("full")
    from .pg_errors import is_server_error, server_message

    if is_server_error(exc):       # the PostgreSQL server's words (store/pg_errors.py)
        said = server_message(str(exc))
        if said:
            return said
    if isinstance(exc, _DB_ERRORS) or is_server_error(exc):
        return _database_message(str(exc).lower())
    return _os_message(exc, where)  # type: ignore[arg-type]


def _ambiguous(exc: BaseException) -> bool:
    """A failure SQLite words vaguely (a full disk shows as an I/O error, a file it cannot open, a page it
    cannot read), unlike a read-only folder or a locked file, which say so."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.EIO, errno.ENOSPC)
    text = str(exc).lower()
    return any(w in text for w in ("disk i/o", "unable to open", "no transaction", "full", "not a database"))


def nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 4 * 1024 * 1024
    except OSError:
        return False


def _database_message(text: str) -> str:
    if "full" in text:
        return f"磁盘空间不足，刚才的操作没有保存，{UNCHANGED}请清理磁盘空间（或把数据目录移到空间足够的磁盘）后重试。"
    if "readonly" in text or "read-only" in text or "read only" in text:
        return (f"数据目录是只读的，无法写入，刚才的操作没有保存，{UNCHANGED}"
                "请检查数据目录的权限（或U盘、移动硬盘的写保护开关），或联系技术支持。")
    if "locked" in text or "busy" in text:
        return (f"数据库正被另一个程序占用（可能是另一个信访工作平台窗口或命令正在备份、导入），刚才的操作没有保存，"
                f"{UNCHANGED}请稍等片刻或关闭那个程序后重试。")
    if "unable to open" in text:
        return ("无法打开数据文件：数据目录不存在、只读，或已被移动、删除（也可能在已拔出的U盘上）。"
                f"{UNCHANGED}请检查数据目录后重新启动程序。")
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return ("数据文件已损坏，或不是信访工作平台的数据库。请不要再写入它：先复制整个数据目录留存，"
                "再用最近的备份恢复（xinfang restore 或“设置 → 备份”），并联系技术支持。")
    if "disk i/o" in text or "no transaction is active" in text or "ioerr" in text:
        return ("读写磁盘时出错（磁盘可能已满、已损坏或已被拔出），刚才的操作没有完成，"
                f"{UNCHANGED}请检查磁盘空间和磁盘连接后重试；如仍出错，请运行 xinfang check 检查数据。")
    return f"数据库操作失败（{text[:80]}），刚才的操作没有完成，{UNCHANGED}请重试；如仍出错，请联系技术支持。"


def _os_message(exc: OSError, where: object | None) -> str:
    place = str(where) if where is not None else (exc.filename or "文件或文件夹")
    winerror = getattr(exc, "winerror", None)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) or winerror in _WIN_FULL:
        return f"磁盘空间不足，无法写入 {place}，刚才的操作没有完成，{UNCHANGED}请清理磁盘空间或换一个有足够空间的位置后重试。"
    if winerror in _WIN_SHARING:
        return f"文件正被其他程序打开，请关闭后重试（{place}）。"
    if exc.errno == errno.EROFS:
        return f"{place} 在只读的磁盘上，无法写入。请检查U盘或移动硬盘的写保护开关，或换一个位置后重试。{UNCHANGED}"
    if exc.errno in (errno.EACCES, errno.EPERM) or winerror in _WIN_DENIED:
        return f"没有写入 {place} 的权限（文件夹只读或被保护），刚才的操作没有完成。请换一个位置，或检查文件夹的权限。{UNCHANGED}"
    if exc.errno in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.ENOTDIR):
        return f"找不到或无法访问 {place}（可能已被移动、删除，或U盘已拔出）。请检查后重试。"
    if exc.errno == errno.EIO:
        return f"读写 {place} 时磁盘出错（U盘可能已拔出或已损坏）。请检查后重试。{UNCHANGED}"
    return f"读写 {place} 失败（{exc.strerror or exc}）。请检查磁盘空间和文件夹权限后重试。{UNCHANGED}"


def as_user_error(exc: BaseException, where: object | None = None) -> XinfangError | None:
    """The storage failure as an XinfangError to raise or show, or None when it is not one."""
    if isinstance(exc, XinfangError):
        return exc
    message = storage_message(exc, where)
    return XinfangError(message) if message is not None else None
