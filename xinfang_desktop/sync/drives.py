"""Drives a clerk can write bundles or backups to: USB sticks and card readers, and on Windows a
second internal disk. Any folder works too; this only offers choices.

Windows: a drive's bus (IOCTL_STORAGE_QUERY_PROPERTY) says what it is, not GetDriveTypeW alone,
which calls many USB disks "fixed" and every empty card-reader slot "removable". A drive without
media is skipped; the queries run under SEM_FAILCRITICALERRORS so Windows never pops up its "no
disk in drive" box. Linux: mounts under /media/<user> and /run/media/<user>.

The Win32 calls go through `Kernel32Drives`, which takes the kernel32 object: tests hand it a
stand-in that answers like Windows does."""

from __future__ import annotations

import ctypes
import os
import string
import struct
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

# GetDriveTypeW
DRIVE_REMOVABLE, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK = 2, 3, 4, 5, 6
# STORAGE_BUS_TYPE
BUS_USB, BUS_SD, BUS_MMC = 0x07, 0x0C, 0x0D
REMOVABLE_BUSES = frozenset({BUS_USB, BUS_SD, BUS_MMC})
# SetThreadErrorMode: no "There is no disk in the drive" box, no "cannot open file" box
SEM_FAILCRITICALERRORS, SEM_NOOPENFILEERRORBOX = 0x0001, 0x8000
IOCTL_STORAGE_QUERY_PROPERTY = 0x002D1400
IOCTL_STORAGE_GET_DEVICE_NUMBER = 0x002D1080
OPEN_EXISTING, FILE_SHARE_READ_WRITE = 3, 0x1 | 0x2
INVALID_HANDLE = -1
BACKUP_FOLDER_NAME = "信访备份"


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str


@dataclass(frozen=True)
class WindowsDrive:
    """What Windows says about one drive letter that has media in it."""

    letter: str
    drive_type: int
    bus: int | None          # STORAGE_BUS_TYPE, None when the query failed
    disk: int | None         # the physical disk's number, None when unknown
    label: str

    @property
    def root(self) -> Path:
        return Path(f"{self.letter}:\\")

    @property
    def removable(self) -> bool:
        """A stick, a USB disk (even one that calls itself fixed) or a memory card."""
        return self.drive_type == DRIVE_REMOVABLE or (self.drive_type == DRIVE_FIXED and self.bus in REMOVABLE_BUSES)

    @property
    def internal(self) -> bool:
        return self.drive_type == DRIVE_FIXED and not self.removable


class Kernel32Drives:
    """The Win32 calls, one small method each. `kernel32` is ctypes' WinDLL("kernel32") on Windows."""

    def __init__(self, kernel32: Any | None = None):
        if kernel32 is None:
            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
            kernel32.CreateFileW.restype = ctypes.c_void_p
            kernel32.CreateFileW.argtypes = [ctypes.c_wchar_p, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p,
                                             ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p]
            kernel32.DeviceIoControl.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32,
                                                 ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p]
            kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
        self.k = kernel32

    @contextmanager
    def no_error_boxes(self) -> Iterator[None]:
        """Windows answers "not ready" instead of asking the person to insert a disk."""
        old = ctypes.c_uint32(0)
        self.k.SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX, ctypes.byref(old))
        try:
            yield
        finally:
            self.k.SetThreadErrorMode(old.value, None)

    def letters(self) -> list[str]:
        mask = self.k.GetLogicalDrives()
        return [c for i, c in enumerate(string.ascii_uppercase) if mask & (1 << i)]

    def drive_type(self, letter: str) -> int:
        return int(self.k.GetDriveTypeW(f"{letter}:\\"))

    def volume_label(self, letter: str) -> str | None:
        """The volume's name ("" when it has none); None when there is no medium (an empty slot)."""
        name = ctypes.create_unicode_buffer(261)
        ok = self.k.GetVolumeInformationW(f"{letter}:\\", name, 261, None, None, None, None, 0)
        return name.value if ok else None

    def _ioctl(self, letter: str, code: int, query: bytes, size: int) -> bytes | None:
        handle = self.k.CreateFileW(f"\\\\.\\{letter}:", 0, FILE_SHARE_READ_WRITE, None, OPEN_EXISTING, 0, None)
        if handle in (None, 0, INVALID_HANDLE, ctypes.c_void_p(-1).value):
            return None
        try:
            inp = ctypes.create_string_buffer(query, max(len(query), 1))
            out = ctypes.create_string_buffer(size)
            returned = ctypes.c_uint32(0)
            if not self.k.DeviceIoControl(handle, code, inp if query else None, len(query), out, size,
                                          ctypes.byref(returned), None):
                return None
            return out.raw[: returned.value]
        finally:
            self.k.CloseHandle(handle)

    def bus_type(self, letter: str) -> int | None:
        # STORAGE_PROPERTY_QUERY{StorageDeviceProperty, PropertyStandardQuery} → STORAGE_DEVICE_DESCRIPTOR,
        # whose BusType is the DWORD at offset 28
        raw = self._ioctl(letter, IOCTL_STORAGE_QUERY_PROPERTY, struct.pack("<III", 0, 0, 0), 1024)
        return struct.unpack_from("<I", raw, 28)[0] if raw and len(raw) >= 32 else None

    def disk_number(self, letter: str) -> int | None:
        # STORAGE_DEVICE_NUMBER{DeviceType, DeviceNumber, PartitionNumber}
        raw = self._ioctl(letter, IOCTL_STORAGE_GET_DEVICE_NUMBER, b"", 12)
        return struct.unpack_from("<I", raw, 4)[0] if raw and len(raw) >= 8 else None


def windows_drives(api: Kernel32Drives) -> list[WindowsDrive]:
    """Every local drive letter with media in it (no floppy or card slot left empty, no network drive)."""
    found = []
    with api.no_error_boxes():
        for letter in api.letters():
            kind = api.drive_type(letter)
            if kind not in (DRIVE_REMOVABLE, DRIVE_FIXED):
                continue              # CD/DVD, network, RAM disk, unknown
            label = api.volume_label(letter)
            if label is None:
                continue              # an empty card-reader slot or a drive that is not ready
            found.append(WindowsDrive(letter, kind, api.bus_type(letter), api.disk_number(letter), label))
    return found


def _system_letter() -> str:
    return (os.environ.get("SystemDrive") or "C:")[0].upper()


def _windows_removable(api: Kernel32Drives) -> list[Drive]:
    return [Drive(d.root, f"{d.label or '可移动磁盘'}（{d.letter}:）")
            for d in windows_drives(api) if d.removable and d.letter != _system_letter()]


def backup_folder_suggestion(drives: list[WindowsDrive], system_letter: str, home: Path,
                             writable: Callable[[Path], bool] = lambda p: os.access(p, os.W_OK)) -> Path:
    """Where the first-run wizard proposes the backups: another internal disk (it is always there,
    and survives the system disk), else a USB disk or stick, else the user's folder."""
    system = next((d for d in drives if d.letter == system_letter), None)
    system_disk = system.disk if system else None

    def other_disk(d: WindowsDrive) -> bool:
        # a second partition of the system disk dies with it; unknown disk numbers count as other
        return d.letter != system_letter and (d.disk is None or system_disk is None or d.disk != system_disk)

    for wanted in (lambda d: d.internal, lambda d: d.removable):
        for d in drives:
            if wanted(d) and other_disk(d) and writable(d.root):
                return d.root / BACKUP_FOLDER_NAME
    return home / BACKUP_FOLDER_NAME


def suggested_backup_folder(api: Kernel32Drives | None = None) -> Path:
    home = Path.home()
    if sys.platform != "win32" and api is None:
        return home / BACKUP_FOLDER_NAME
    try:
        api = api or Kernel32Drives()
        return backup_folder_suggestion(windows_drives(api), _system_letter(), home)
    except OSError:
        return home / BACKUP_FOLDER_NAME


def backup_folder_off_this_disk(api: Kernel32Drives | None = None,
                                linux_roots: tuple[Path, ...] = (Path("/media"), Path("/run/media")),
                                is_mount=os.path.ismount) -> Path | None:
    """A backup folder the first-run wizard may propose: on another internal disk or a USB disk, never
    on the disk that holds the data (a backup there dies with it); None when there is no such disk."""
    home = Path.home()
    if sys.platform == "win32" or api is not None:
        try:
            api = api or Kernel32Drives()
            found = backup_folder_suggestion(windows_drives(api), _system_letter(), home)
        except OSError:
            return None
        return None if found == home / BACKUP_FOLDER_NAME else found
    drives = _linux(linux_roots, is_mount)
    return drives[0].path / BACKUP_FOLDER_NAME if drives else None


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
                     is_mount=os.path.ismount, windows_api: Kernel32Drives | None = None) -> list[Drive]:
    """Writable removable drives, best effort: an empty list when none is found or the platform is unknown."""
    try:
        if windows_api is not None or sys.platform == "win32":
            return _windows_removable(windows_api or Kernel32Drives())
        if sys.platform.startswith("linux"):
            return _linux(linux_roots, is_mount)
    except OSError:
        return []
    return []


__all__ = ["Drive", "Kernel32Drives", "WindowsDrive", "backup_folder_off_this_disk", "removable_drives",
           "suggested_backup_folder"]
