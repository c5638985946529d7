"""Replacing a file that Windows reports in use: retried, then refused with a plain message.

The Windows refusals are raised by a stand-in for os.replace that carries the WinError codes
(an OSError's `winerror`), since Linux never refuses to rename over an open file."""

from __future__ import annotations

import errno
import os

import pytest

from xinfang_desktop.domain.errors import XinfangError
from xinfang_desktop.file_replace import FILE_IN_USE, FileInUse, held_by_another_program, replace_file


def win_error(code: int) -> OSError:
    exc = PermissionError(errno.EACCES, "Access is denied" if code == 5 else "The process cannot access the file")
    exc.winerror = code   # what Windows' OSError carries
    return exc


class Windows:
    """os.replace as Windows does it while another program holds the target for `busy` attempts."""

    def __init__(self, busy: int, code: int = 32):
        self.busy, self.code, self.calls, self.slept = busy, code, 0, []

    def replace(self, source, target):
        self.calls += 1
        if self.calls <= self.busy:
            raise win_error(self.code)
        os.replace(source, target)

    def sleep(self, seconds):
        self.slept.append(seconds)


@pytest.fixture
def files(tmp_path):
    new, old = tmp_path / ".台账.xlsx.part", tmp_path / "台账.xlsx"
    new.write_bytes(b"new")
    old.write_bytes(b"old")
    return new, old


@pytest.mark.parametrize("code", [5, 32, 33])
def test_a_short_hold_is_waited_out(files, code):
    # an antivirus scan of the new file, or Explorer's preview, lets go within a second
    new, old = files
    win = Windows(busy=3, code=code)
    replace_file(new, old, replace=win.replace, sleep=win.sleep)
    assert old.read_bytes() == b"new" and not new.exists()
    assert win.calls == 4 and win.slept == [0.1, 0.1, 0.1]


def test_a_file_kept_open_is_refused_with_a_message_that_says_what_to_do(files):
    # WPS still shows yesterday's ledger: every attempt fails
    new, old = files
    win = Windows(busy=10**6)
    with pytest.raises(FileInUse) as caught:
        replace_file(new, old, attempts=5, replace=win.replace, sleep=win.sleep)
    assert win.calls == 5 and len(win.slept) == 4
    assert FILE_IN_USE in caught.value.message and "台账.xlsx" in caught.value.message
    # the old file is untouched and the new one still there for the caller to remove
    assert old.read_bytes() == b"old" and new.read_bytes() == b"new"
    # both kinds of caller understand it: shown as is, and cleaned up after like any OSError
    assert isinstance(caught.value, XinfangError) and isinstance(caught.value, OSError)
    assert str(caught.value) == caught.value.message


def test_other_failures_are_not_retried(files):
    new, old = files
    calls = []

    def full_disk(source, target):
        calls.append(1)
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as caught:
        replace_file(new, old, replace=full_disk, sleep=lambda s: pytest.fail("slept"))
    assert caught.value.errno == errno.ENOSPC and not isinstance(caught.value, FileInUse)
    assert calls == [1]


def test_a_read_only_target_is_a_permission_problem_not_a_file_in_use(files):
    # WinError 5 also means "read-only": saying "close the other program" would send the clerk looking in vain
    new, old = files
    os.chmod(old, 0o444)
    win = Windows(busy=10**6, code=5)
    with pytest.raises(PermissionError) as caught:
        replace_file(new, old, attempts=3, replace=win.replace, sleep=win.sleep)
    assert not isinstance(caught.value, FileInUse)


def test_linux_errors_are_not_mistaken_for_windows_ones():
    assert not held_by_another_program(PermissionError(errno.EACCES, "Permission denied"))
    assert held_by_another_program(win_error(32))


def test_the_real_rename_replaces_the_file(files):
    new, old = files
    replace_file(new, old)
    assert old.read_bytes() == b"new" and not new.exists()


# ------------------------------------------------------------------ the places that save files


class HeldOpen:
    """os.replace as Windows answers it while another program holds `names` open (WinError 32)."""

    def __init__(self, monkeypatch, *names: str, for_attempts: int = 10**6):
        self.names, self.left, self.real = set(names), for_attempts, os.replace
        monkeypatch.setattr(os, "replace", self)
        monkeypatch.setattr("xinfang_desktop.file_replace.DELAY_S", 0)

    def __call__(self, source, target):
        if os.path.basename(target) in self.names and self.left > 0:
            self.left -= 1
            raise win_error(32)
        self.real(source, target)


def test_a_pdf_open_in_a_reader_is_not_overwritten_and_the_message_says_why(tmp_path, monkeypatch):
    from xinfang_desktop.services.document_files import save_file

    target = tmp_path / "受理告知书.pdf"
    target.write_bytes(b"%PDF-old")
    HeldOpen(monkeypatch, target.name)
    with pytest.raises(XinfangError) as caught:
        save_file(target, b"%PDF-new")
    assert FILE_IN_USE in caught.value.message and target.name in caught.value.message
    assert target.read_bytes() == b"%PDF-old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]   # no .part left behind


def test_a_rejects_ledger_open_in_excel_leaves_no_part_file(tmp_path, monkeypatch):
    from xinfang_desktop.services.ledger import ImportPlan, RawTable, write_rejects

    target = tmp_path / "台账.未导入.xlsx"
    target.write_bytes(b"old")
    HeldOpen(monkeypatch, target.name)
    table = RawTable(file_name="台账.xlsx", headers=["姓名"], rows=[["张三"]], first_row_number=2)
    plan = ImportPlan(file_name="台账.xlsx", headers=["姓名"], mapping={}, rows=[])
    with pytest.raises(FileInUse):
        write_rejects(target, table, plan)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_the_days_backup_survives_an_antivirus_scan_of_it(tmp_path, monkeypatch, services, admin):
    from xinfang_desktop.services.backup import BACKUP_PREFIX, BackupService, list_backups

    folder = tmp_path / "backups"
    folder.mkdir()
    scans = []

    def scanned(source, target):
        # the scan holds the fresh backup folder for the first three tries of its rename
        if os.path.basename(target).startswith(BACKUP_PREFIX) and len(scans) < 3:
            scans.append(target)
            raise win_error(5)
        real(source, target)

    real = os.replace
    monkeypatch.setattr(os, "replace", scanned)
    monkeypatch.setattr("xinfang_desktop.file_replace.DELAY_S", 0)
    info = services.get(BackupService).backup(admin, to=folder)
    assert len(scans) == 3 and [b.path for b in list_backups(folder)] == [info.path]
