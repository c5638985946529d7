"""Is a data folder on a network share? The database must not be.

SQLite documents WAL mode as unusable on a network filesystem (the readers and the writer share
memory through the -shm file, which needs one machine), and file locking over SMB and NFS is
unreliable: two PCs opening one database through a share can corrupt it. So the database is
opened only from a local disk; a network share is still fine as the backup folder.

Windows: a UNC path (\\\\server\\share) or a mapped drive letter (GetDriveTypeW = DRIVE_REMOTE).
Linux: the filesystem type of the mount holding the folder (nfs, cifs, sshfs …). The system calls
are parameters so the tests can answer as Windows or a Linux machine with NFS mounts would."""

from __future__ import annotations

import ntpath
import os
import sys
from pathlib import Path, PureWindowsPath
from typing import Callable

DRIVE_REMOTE = 4   # GetDriveTypeW
NETWORK_FS_TYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "ceph", "glusterfs", "lustre", "gpfs",
    "davfs", "fuse.sshfs", "fuse.glusterfs", "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "fuse.smbnetfs",
})


def _drive_type(root: str) -> int:
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))  # type: ignore[attr-defined]


def _mounts() -> str:
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _unescape(field: str) -> str:
    """/proc/mounts writes a space in a mount point as \\040 (and tab, newline, backslash alike)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def windows_network_location(path: str, drive_type: Callable[[str], int] = _drive_type) -> str | None:
    """What makes `path` a network location on Windows, in Chinese; None for a local disk."""
    p = PureWindowsPath(path)
    text = str(p)
    if text.upper().startswith("\\\\?\\UNC\\") or (text.startswith("\\\\") and not text.startswith(("\\\\?\\", "\\\\.\\"))):
        return f"网络共享文件夹 {p.anchor.rstrip(chr(92))}"
    drive = p.drive or text[:2]
    if drive.startswith("\\\\?\\"):
        drive = drive[4:]
    if len(drive) >= 2 and drive[1] == ":" and drive_type(drive[:2] + "\\") == DRIVE_REMOTE:
        return f"映射的网络驱动器 {drive[:2].upper()}"
    return None


def linux_network_location(path: str, mounts: str) -> str | None:
    """The network filesystem holding `path` (an absolute, resolved path), from /proc/self/mounts."""
    best, best_type = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point, fstype = _unescape(fields[1]), fields[2]
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, fstype
    if best_type in NETWORK_FS_TYPES:
        return f"网络文件系统（{best_type}，挂载于 {best}）"
    return None


def network_location(folder: Path, *, platform: str | None = None,
                     drive_type: Callable[[str], int] | None = None,
                     mounts: Callable[[], str] | None = None) -> str | None:
    """Why `folder` is on the network (a Chinese phrase), or None when it is on a local disk.
    The system is asked (GetDriveTypeW, /proc/self/mounts) unless answers are given."""
    platform = platform or sys.platform
    if platform == "win32":
        return windows_network_location(ntpath.abspath(folder), drive_type or _drive_type)
    # the folder may not exist yet: judge the nearest existing parent
    existing = Path(os.path.abspath(folder))
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return linux_network_location(os.path.realpath(existing), (mounts or _mounts)())


def network_folder_message(folder: Path, where: str) -> str:
    return (f"数据目录 {folder} 位于{where}，不能在这里打开信访数据库：SQLite 数据库放在网络共享文件夹中，"
            "断网或两台电脑同时打开时可能损坏数据。\n\n"
            "请把数据目录放在本机硬盘上（不指定 --data-dir 即使用默认位置），然后在新位置恢复备份；"
            "网络共享文件夹可以用作备份文件夹。")
