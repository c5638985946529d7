"""First-run wizard, settings page (backups), one instance per data folder, unexpected errors:
real widgets, real data folders."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QWizard

from tests.conftest import UNIT, make_registration


@pytest.fixture
def fresh(tmp_path):
    """An empty data folder for the set-up wizard."""
    yield tmp_path / "fresh"
    from xinfang_desktop.store.models import database

    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


def _wizard(qtbot, folder, tasks):
    from tests.conftest import cheap_kdf
    from xinfang_desktop.gui.wizard import FirstRunWizard

    w = FirstRunWizard(folder, tasks, kdf=cheap_kdf())
    qtbot.addWidget(w)
    w.show()
    return w


def _initialised(folder) -> bool:
    from xinfang_desktop.services.access import folder_state

    return folder_state(folder) != "new"


def _keep_code_and_finish(w) -> None:
    """The last page: the recovery code, which must be confirmed kept before 完成 does anything."""
    from xinfang_desktop.gui.wizard import RECOVERY_PAGE

    assert w.currentId() == RECOVERY_PAGE and len(w.recovery_page.code.text()) == 29
    assert not w.button(QWizard.FinishButton).isEnabled()
    w.recovery_page.kept.setChecked(True)
    w.button(QWizard.FinishButton).click()


def test_wizard_sets_up_unit_admin_and_backup_folder(qtbot, fresh, tasks, tmp_path):
    from xinfang_desktop.services.backup import BackupService

    w = _wizard(qtbot, fresh, tasks)
    page = w.unit_page
    assert all("信访办" in page.unit.itemText(i) for i in range(page.unit.count()))
    page.city.setChecked(True)
    assert page.unit.count() >= 1 and all("信访局" in page.unit.itemText(i) for i in range(page.unit.count()))
    page.township.setChecked(True)
    page.unit.setCurrentIndex(page.unit.findData(UNIT))
    w.next()
    assert w.currentId() == 1
    w.admin_page.name.setText("wangli")
    w.admin_page.password.setText("pass-word-1")
    w.admin_page.password2.setText("pass-word-2")
    w.next()
    assert w.currentId() == 1 and "不一致" in w.admin_page.message.text()   # refused, stays on the page
    w.admin_page.password2.setText("pass-word-1")
    w.next()
    assert w.currentId() == 2
    w.next()                                                               # the key is optional
    assert w.currentId() == 3
    w.backup_page.folder.setText(str(tmp_path / "stick" / "信访备份"))
    w.next()                                                               # the folder and its key are made
    _keep_code_and_finish(w)
    assert w.result() == QWizard.Accepted and w.actor is not None and w.actor.name == "wangli"
    services = w.opened.services
    assert services.auth.unit_code() == UNIT
    assert services.get(BackupService).folder() == tmp_path / "stick" / "信访备份"
    assert not (fresh / "xinfang.sqlite3").read_bytes().startswith(b"SQLite format 3")      # encrypted


def test_wizard_refuses_a_wrong_enrolment_file_and_writes_nothing(qtbot, fresh, tasks, tmp_path):
    w = _wizard(qtbot, fresh, tasks)
    w.next()
    w.admin_page.name.setText("wangli")
    w.admin_page.password.setText("pass-word-1")
    w.admin_page.password2.setText("pass-word-1")
    w.next()
    bogus = tmp_path / "city.json"
    bogus.write_bytes(b'{"format": "nonsense"}')
    w.enrol_page.file.setText(str(bogus))
    w.enrol_page.fingerprint.setText("AB" * 32)
    w.next()
    assert w.currentId() == 2 and w.enrol_page.message.text()
    assert not _initialised(fresh)


def test_wizard_with_an_unwritable_backup_folder_stays_open(qtbot, fresh, tasks, tmp_path, monkeypatch):
    import errno
    import os

    w = _wizard(qtbot, fresh, tasks)
    w.next()
    w.admin_page.name.setText("wangli")
    w.admin_page.password.setText("pass-word-1")
    w.admin_page.password2.setText("pass-word-1")
    w.next()
    w.next()
    real_mkdir = Path.mkdir

    def readonly(self, *a, **k):
        if "只读盘" in str(self):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", readonly)
    w.backup_page.folder.setText(str(tmp_path / "只读盘" / "备份"))
    w.next()
    assert w.isVisible() and "写保护" in w.backup_page.message.text()
    assert not _initialised(fresh)
    w.backup_page.later.setChecked(True)                 # choose later: set-up completes
    w.next()
    _keep_code_and_finish(w)
    assert w.result() == QWizard.Accepted and w.opened.services.auth.is_initialized()


@pytest.fixture
def settings_page(qtbot, app_ctx):
    from xinfang_desktop.gui.pages import settings

    page = settings.create(app_ctx, None)
    qtbot.addWidget(page)
    page.resize(1000, 800)
    page.show()
    return page


def test_settings_page_backs_up_and_restores(qtbot, settings_page, services, admin, clerk, tmp_path, monkeypatch):
    from xinfang_desktop.store.models import Case

    box = settings_page.backup
    assert "尚未设置" in box.folder_label.text()
    services.cases.register(clerk, make_registration())
    box.set_folder(str(tmp_path / "usb"))
    assert box.folder_label.text() == str(tmp_path / "usb")
    box.now.click()
    assert "已备份 1 件事项" in box.message.text()
    assert box.table.rowCount() == 1 and box.table.item(0, 2).text() == "1"
    services.cases.register(clerk, make_registration())
    asked = []
    monkeypatch.setattr(box, "confirm_restore", lambda source: asked.append(source) or True)  # no modal loop
    box.restore_selected.click()
    assert asked and asked[0].name.startswith("xinfang-backup-")
    assert "已从备份恢复 1 件事项" in box.message.text()
    assert Case.select().count() == 1


def test_a_backup_of_another_folder_asks_for_its_password_in_the_secret_dialog(qtbot, settings_page, tmp_path,
                                                                               monkeypatch):
    from PySide6.QtCore import Qt

    from tests.gui.modal import answer
    from xinfang_desktop.gui.form_dialog import SecretDialog
    from xinfang_desktop.services.backup import BackupNeedsSecret

    box = settings_page.backup
    tried = []

    def restore(actor, source, *, progress=None, password=None, recovery_code=None):
        tried.append((password, recovery_code))
        raise BackupNeedsSecret("该备份用另一把密钥加密") if len(tried) == 1 else BackupNeedsSecret("密码不对")

    monkeypatch.setattr(box.service, "restore", restore)
    monkeypatch.setattr(box, "confirm_restore", lambda source: True)

    def fill(dialog: SecretDialog) -> None:
        secret = dialog.editor("secret")
        assert dialog.windowTitle() == "打开备份" and secret.echoMode() == secret.EchoMode.Password
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
        assert dialog.isVisible() and "请输入您在该备份中的密码" in dialog.rows["secret"].error.text()
        qtbot.keyClicks(secret, " pass word ")
        qtbot.keyClick(secret, Qt.Key_Return)

    seen = answer(SecretDialog, fill)
    box.ask_restore(tmp_path / "manifest.json")
    assert seen == ["打开备份"]
    assert tried == [(None, None), (" pass word ", None)]           # the password as typed, once asked


def test_settings_page_shows_a_missing_stick_in_words(qtbot, settings_page, admin, tmp_path):
    box = settings_page.backup
    box.set_folder(str(tmp_path / "usb"))
    (tmp_path / "usb").rmdir()
    box.now.click()
    assert "U盘" in box.message.text() and box.now.isEnabled()


def test_settings_page_lists_years_and_points_to_the_staff_page(qtbot, settings_page, clerk):
    settings_page.refresh()
    assert "已知放假安排" in settings_page.calendar.years.text()
    assert any("“人员”页" in label.text() for label in settings_page.findChildren(QLabel))


def test_clerk_cannot_restore_or_move_backups(qtbot, services, clerk, tasks):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.settings import SettingsPage

    page = SettingsPage(AppContext(services, tasks, clerk))
    qtbot.addWidget(page)
    b = page.backup
    assert not b.restore_selected.isEnabled() and not b.change.isEnabled() and b.now.isEnabled()


SECOND_START = """
import sys
from PySide6.QtCore import QCoreApplication
from xinfang_desktop.gui.single_instance import SingleInstance
app = QCoreApplication([])
s = SingleInstance(sys.argv[1])
print("owner" if s.acquire() else ("forward" if s.ask_first_forward(4000) else "refused"), flush=True)
print(s.why_not(), flush=True)
"""


def _second_start(qtbot, data: Path) -> list[str]:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", SECOND_START, str(data)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, encoding="utf-8")
    qtbot.waitUntil(lambda: child.poll() is not None, timeout=30_000)   # our event loop answers it
    out, err = child.communicate()
    assert child.returncode == 0, err
    return out.splitlines()


def test_second_start_on_the_same_folder_brings_the_first_forward(qtbot, tmp_path):
    from xinfang_desktop.gui.single_instance import SingleInstance

    first = SingleInstance(tmp_path / "data")
    assert first.acquire()
    with qtbot.waitSignal(first.activate, timeout=30_000):
        lines = _second_start(qtbot, tmp_path / "data")
    assert lines[0] == "forward"
    first.release()
    assert _second_start(qtbot, tmp_path / "data")[0] == "owner"    # released: the next start owns it


def test_second_start_when_the_first_does_not_answer_says_why(qtbot, tmp_path):
    from xinfang_desktop.gui.single_instance import SingleInstance

    first = SingleInstance(tmp_path / "data")
    assert first.acquire()
    first.server.close()                        # a hung window: holds the lock, answers nothing
    lines = _second_start(qtbot, tmp_path / "data")
    assert lines[0] == "refused"
    assert "没有响应" in lines[1] and str(__import__("os").getpid()) in lines[1]
    first.release()


def test_unexpected_error_is_logged_and_shown_with_copyable_details(qtbot, tmp_path):
    from xinfang_desktop.gui.errors import ErrorReporter, install_logging

    log_file = install_logging(tmp_path / "data")
    reporter = ErrorReporter(parent_for=lambda: None).install()
    try:
        def boom():
            raise RuntimeError("kaputt-42")

        worker = threading.Thread(target=boom)
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: reporter.open_box is not None, timeout=30_000)
        box = reporter.open_box
        assert "意外错误" in box.text() and "kaputt-42" in box.detailedText()
        copy = next(b for b in box.buttons() if b.text() == "复制详细信息")
        copy.click()
        assert "kaputt-42" in QApplication.clipboard().text()
        try:
            raise ValueError("second")
        except ValueError as exc:
            import sys
            sys.excepthook(type(exc), exc, exc.__traceback__)
        QApplication.processEvents()
        assert reporter.shown == 1          # one box at a time: the second is only logged
    finally:
        reporter.uninstall()
        for h in logging.getLogger().handlers[:]:
            if getattr(h, "baseFilename", None) == str(log_file):
                h.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "kaputt-42" in text and "second" in text


def test_disk_full_and_locked_database_messages(qtbot):
    import errno
    import sqlite3

    from xinfang_desktop.gui.errors import message_for

    assert "磁盘空间不足" in message_for(OSError(errno.ENOSPC, "No space left on device"))
    assert "磁盘空间不足" in message_for(sqlite3.OperationalError("database or disk is full"))
    assert "另一个程序占用" in message_for(sqlite3.OperationalError("database is locked"))
    assert "只读" in message_for(sqlite3.OperationalError("attempt to write a readonly database"))


def test_self_test_of_the_window_passes(qtbot, capsys):
    """What CI runs on the frozen build, run here from source: every check must pass."""
    from xinfang_desktop.gui.app import self_test

    assert self_test() == 0
    assert "self-test: ok" in capsys.readouterr().out


def test_wizard_keeps_the_city_enrolment_for_the_sync_page(qtbot, fresh, tasks, tmp_path):
    from xinfang_desktop.services.first_run import ENROLMENT_DIR, ENROLMENT_FILE, SETTING_ENROLMENT
    from xinfang_desktop.store.models import Setting
    from xinfang_desktop.sync.keys import export_public, generate_keys

    city = generate_keys("350881000000", "漳平市信访局", "city")
    file = tmp_path / "city.json"
    file.write_bytes(export_public(city))
    fingerprint = city.public().signing_fingerprint
    w = _wizard(qtbot, fresh, tasks)
    w.next()
    w.admin_page.name.setText("wangli")
    w.admin_page.password.setText("pass-word-1")
    w.admin_page.password2.setText("pass-word-1")
    w.next()
    w.enrol_page.file.setText(str(file))
    w.enrol_page.fingerprint.setText(fingerprint[:-1] + ("0" if fingerprint[-1] != "0" else "1"))
    w.next()
    assert w.currentId() == 2 and w.enrol_page.message.text()            # a mistyped fingerprint
    w.enrol_page.fingerprint.setText(" ".join(fingerprint[i:i + 4] for i in range(0, 64, 4)).lower())
    w.next()
    assert w.currentId() == 3 and "漳平市信访局" in w.enrol_page.result.text()
    w.backup_page.later.setChecked(True)
    w.next()
    _keep_code_and_finish(w)
    assert w.result() == QWizard.Accepted
    kept = Setting.get(Setting.key == SETTING_ENROLMENT).value
    assert kept["unit_code"] == "350881000000" and kept["fingerprint"] == fingerprint
    assert (fresh / ENROLMENT_DIR / ENROLMENT_FILE).read_bytes() == file.read_bytes()


def test_settings_page_backs_up_on_a_worker_thread_and_reports_progress_on_the_ui_thread(
        qtbot, services, admin, tmp_path, monkeypatch):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.settings import BackupBox, SettingsPage
    from xinfang_desktop.gui.tasks import TaskRunner

    seen: list[bool] = []
    real = BackupBox._progress
    monkeypatch.setattr(BackupBox, "_progress", lambda self, f, t: (
        seen.append(threading.current_thread() is threading.main_thread()), real(self, f, t)))
    tasks = TaskRunner()                                 # real threads, as in the window
    page = SettingsPage(AppContext(services, tasks, admin))
    qtbot.addWidget(page)
    page.backup.set_folder(str(tmp_path / "usb"))
    qtbot.waitUntil(lambda: page.backup.folder_label.text() == str(tmp_path / "usb"), timeout=30_000)
    page.backup.now.click()
    qtbot.waitUntil(lambda: "已备份" in page.backup.message.text(), timeout=30_000)
    assert seen and all(seen)
    tasks.wait()


def test_automatic_backup_runs_when_due_and_reports_a_missing_stick(qtbot, app_ctx, services, admin, tmp_path, clock):
    from xinfang_desktop.gui.auto_backup import AutoBackup
    from xinfang_desktop.services.backup import BackupService

    auto = AutoBackup(app_ctx)
    with qtbot.waitSignal(auto.finished, timeout=30_000) as done:
        auto.run_if_due()
    assert done.args == [None]                         # no folder chosen: nothing to do, no error
    services.get(BackupService).set_folder(admin, tmp_path / "usb")
    with qtbot.waitSignal(auto.finished, timeout=30_000) as done:
        auto.run_if_due()
    assert done.args[0].kind == "auto"
    with qtbot.waitSignal(auto.finished, timeout=30_000) as done:
        auto.run_if_due()
    assert done.args == [None]                         # once a day
    clock.advance(days=1)
    (tmp_path / "usb").rename(tmp_path / "usb-pulled")
    with qtbot.waitSignal(auto.failed, timeout=30_000) as failed:
        auto.run_if_due()
    assert "自动备份未完成" in failed.args[0] and "U盘" in failed.args[0]


def test_self_test_for_a_build_machine_writes_its_result_to_a_file(qtbot, tmp_path, capsys):
    from xinfang_desktop.gui.app import main

    log = tmp_path / "自检 #1.txt"
    assert main(["xinfang-desktop", "--self-test", "--self-test-log", str(log)]) == 0
    assert log.read_text(encoding="utf-8").strip().endswith("self-test: ok")
    assert "self-test: ok" in capsys.readouterr().out


def test_a_crashing_self_test_reports_and_exits_1_without_a_dialog(qtbot, tmp_path, capsys, monkeypatch):
    # what a frozen build that lost a module looks like from inside: an exception half-way
    from xinfang_desktop.gui import app
    from xinfang_desktop.services import demo

    def broken(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'xinfang_desktop.documents.notices'")

    monkeypatch.setattr(demo, "generate", broken)
    log = tmp_path / "self-test.txt"
    assert app.main(["xinfang-desktop", "--self-test", "--self-test-log", str(log)]) == 1
    text = log.read_text(encoding="utf-8")
    assert text.startswith("self-test: FAILED") and "ModuleNotFoundError" in text and "Traceback" in text


