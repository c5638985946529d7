"""Removable drives a clerk can write bundles to: USB sticks on Windows (GetDriveTypeW) and Linux
(mounts under /media/<user> and /run/media/<user>). Any folder works too; this only offers choices."""

from __future__ import annotations

import os
import string
import sys
from dataclasses import dataclass
from pathlib import Path

DRIVE_REMOVABLE = 2   # GetDriveTypeW


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str


def _windows() -> list[Drive]:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = kernel32.GetLogicalDrives()
    found = []
    for i, letter in enumerate(string.ascii_uppercase):
        if not mask & (1 << i):
            continue
        root = f"{letter}:\\"
        if kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)) != DRIVE_REMOVABLE:
            continue
        name = ctypes.create_unicode_buffer(261)
        ok = kernel32.GetVolumeInformationW(ctypes.c_wchar_p(root), name, 261, None, None, None, None, 0)
        label = name.value if ok and name.value else "可移动磁盘"
        found.append(Drive(Path(root), f"{label}（{letter}:）"))
    return found


def _linux(roots: tuple[Path, ...], is_mount=os.path.ismount) -> list[Drive]:
    found = []
    for base in roots:
        try:
            users = [p for p in base.iterdir() if p.is_dir()]
        except OSError:
            continue
        for user_dir in users:
            # /media/<user>/<label> (Debian, Ubuntu), /run/media/<user>/<label> (Fedora); some mount at /media/<label>
            try:
                entries = [p for p in user_dir.iterdir() if p.is_dir() and is_mount(p)]
            except OSError:
                entries = []
            if is_mount(user_dir):
                entries.append(user_dir)
            for mount in entries:
                if os.access(mount, os.W_OK):
                    found.append(Drive(mount, f"{mount.name}（{mount}）"))
    return found


def removable_drives(linux_roots: tuple[Path, ...] = (Path("/media"), Path("/run/media")),
                     is_mount=os.path.ismount) -> list[Drive]:
    """Writable removable drives, best effort: an empty list when none is found or the platform is unknown."""
    try:
        if sys.platform == "win32":
            return _windows()
        if sys.platform.startswith("linux"):
            return _linux(linux_roots, is_mount)
    except OSError:
        return []
    return []


__all__ = ["Drive", "removable_drives"]
