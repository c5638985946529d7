"""Which drives are offered for bundles and backups on Windows, from what Windows answers.

`FakeKernel32` answers the Win32 calls the way Windows does for a PC with a system disk C:, a
DVD drive, a network drive, a card reader with an empty slot, a USB stick, a USB hard disk that
calls itself "fixed" and a second internal disk; the real `Kernel32Drives` code runs against it."""

from __future__ import annotations

import ctypes
import struct
from dataclasses import dataclass
from pathlib import Path

import pytest

from xinfang_desktop.sync import drives as d


@dataclass
class Letter:
    kind: int
    label: str | None          # None: no medium
    bus: int | None = None
    disk: int | None = None


SATA, NVME = 0x0B, 0x11
PC = {
    "C": Letter(d.DRIVE_FIXED, "系统", NVME, 0),
    "D": Letter(d.DRIVE_FIXED, "数据", NVME, 0),            # a second partition of the system disk
    "E": Letter(d.DRIVE_CDROM, None),
    "F": Letter(d.DRIVE_REMOVABLE, None, d.BUS_USB, 2),      # card reader, empty SD slot
    "G": Letter(d.DRIVE_REMOVABLE, "KINGSTON", d.BUS_USB, 3),
    "H": Letter(d.DRIVE_FIXED, "移动硬盘", d.BUS_USB, 4),     # USB disk that reports "fixed"
    "I": Letter(d.DRIVE_FIXED, "", SATA, 1),                 # second internal disk, no volume name
    "Z": Letter(d.DRIVE_REMOTE, "共享"),
}


class FakeKernel32:
    """The kernel32 calls Kernel32Drives makes, answered from `letters`; records the error mode."""

    def __init__(self, letters: dict[str, Letter]):
        self.letters = letters
        self.error_mode = 0
        self.calls: list[tuple[str, int]] = []   # (call, error mode in force)
        self.handles: dict[int, str] = {}
        self.closed: list[int] = []

    def _log(self, name):
        self.calls.append((name, self.error_mode))

    def SetThreadErrorMode(self, mode, old):
        if old is not None:
            old._obj.value = self.error_mode
        self.error_mode = mode
        return 1

    def GetLogicalDrives(self):
        return sum(1 << (ord(c) - ord("A")) for c in self.letters)

    def GetDriveTypeW(self, root):
        self._log("GetDriveTypeW")
        return self.letters[root[0]].kind

    def GetVolumeInformationW(self, root, name, size, *rest):
        self._log("GetVolumeInformationW")
        letter = self.letters[root[0]]
        if letter.label is None:
            return 0        # ERROR_NOT_READY; without SEM_FAILCRITICALERRORS Windows would show a box first
        name.value = letter.label
        return 1

    def CreateFileW(self, path, access, share, security, disposition, flags, template):
        assert path.startswith("\\\\.\\") and access == 0 and disposition == d.OPEN_EXISTING
        handle = 100 + len(self.handles)
        self.handles[handle] = path[4]
        return handle

    def DeviceIoControl(self, handle, code, inp, inlen, out, outsize, returned, overlapped):
        self._log("DeviceIoControl")
        letter = self.letters[self.handles[handle]]
        if code == d.IOCTL_STORAGE_QUERY_PROPERTY:
            assert bytes(inp.raw[:8]) == struct.pack("<II", 0, 0)   # StorageDeviceProperty, PropertyStandardQuery
            if letter.bus is None:
                return 0
            # STORAGE_DEVICE_DESCRIPTOR: Version, Size, DeviceType..CommandQueueing, 4 offsets, BusType, RawPropertiesLength
            data = struct.pack("<IIBBBBIIIIII", 40, 40, 0, 0, 1, 0, 0, 0, 0, 0, letter.bus, 0)
        elif code == d.IOCTL_STORAGE_GET_DEVICE_NUMBER:
            if letter.disk is None:
                return 0
            data = struct.pack("<III", 7, letter.disk, 1)
        else:
            return 0
        assert outsize >= len(data)
        ctypes.memmove(out, data, len(data))
        returned._obj.value = len(data)
        return 1

    def CloseHandle(self, handle):
        self.closed.append(handle)
        return 1


@pytest.fixture
def kernel32():
    return FakeKernel32(PC)


def test_sticks_usb_disks_and_cards_with_media_are_offered(kernel32, monkeypatch):
    monkeypatch.setenv("SystemDrive", "C:")
    found = d.removable_drives(windows_api=d.Kernel32Drives(kernel32))
    assert [str(x.path) for x in found] == ["G:\\", "H:\\"]
    assert [x.label for x in found] == ["KINGSTON（G:）", "移动硬盘（H:）"]
    assert sorted(kernel32.closed) == sorted(kernel32.handles)   # every device handle closed


def test_no_windows_error_box_while_drives_are_asked(kernel32):
    drives = d.windows_drives(d.Kernel32Drives(kernel32))
    assert kernel32.calls and all(mode & d.SEM_FAILCRITICALERRORS for _call, mode in kernel32.calls)
    assert kernel32.error_mode == 0                 # restored afterwards
    assert "F" not in [x.letter for x in drives]    # the empty slot is skipped, not asked about further
    assert [x.letter for x in drives] == ["C", "D", "G", "H", "I"]


def test_what_each_drive_is(kernel32):
    by_letter = {x.letter: x for x in d.windows_drives(d.Kernel32Drives(kernel32))}
    assert by_letter["H"].removable and not by_letter["H"].internal       # USB, though "fixed"
    assert by_letter["I"].internal and by_letter["I"].disk == 1
    assert by_letter["G"].bus == d.BUS_USB


def test_backups_go_to_another_internal_disk_first(kernel32, tmp_path):
    drives = d.windows_drives(d.Kernel32Drives(kernel32))
    # D: is on the system disk: a failing disk would take the backups with it
    assert d.backup_folder_suggestion(drives, "C", tmp_path, writable=lambda p: True) == Path("I:\\") / "信访备份"


def test_then_a_usb_disk_then_the_users_folder(tmp_path):
    pc = {k: v for k, v in PC.items() if k != "I"}
    drives = d.windows_drives(d.Kernel32Drives(FakeKernel32(pc)))
    assert d.backup_folder_suggestion(drives, "C", tmp_path, writable=lambda p: True) == Path("G:\\") / "信访备份"
    assert d.backup_folder_suggestion(drives, "C", tmp_path, writable=lambda p: False) == tmp_path / "信访备份"
    only_system = {"C": PC["C"], "D": PC["D"], "E": PC["E"]}
    drives = d.windows_drives(d.Kernel32Drives(FakeKernel32(only_system)))
    assert d.backup_folder_suggestion(drives, "C", tmp_path, writable=lambda p: True) == tmp_path / "信访备份"


def test_a_drive_whose_bus_cannot_be_asked_is_judged_by_its_type():
    pc = {"C": PC["C"], "K": Letter(d.DRIVE_REMOVABLE, "STICK", None, None),
          "L": Letter(d.DRIVE_FIXED, "DISK", None, None)}
    by_letter = {x.letter: x for x in d.windows_drives(d.Kernel32Drives(FakeKernel32(pc)))}
    assert by_letter["K"].removable and by_letter["L"].internal
