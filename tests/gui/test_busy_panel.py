"""The one busy panel (gui/busy_panel.py): while a long export runs off the UI thread the page shows it is
being made (the button disabled and saying so, the bar beside it) and goes back once the file is written;
work that can stop shows how far it has got and stops when 取消 is pressed."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from tests.conftest import make_registration

WAIT = 30_000       # generous: the machine may be busy; nothing here depends on how fast it is


def test_a_long_export_shows_it_is_being_made_until_the_file_is_written(qtbot, services, clerk, tmp_path,
                                                                        monkeypatch):
    from xinfang_desktop.gui import case_export
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.case_list import CaseListPage
    from xinfang_desktop.gui.tasks import TaskRunner
    from xinfang_desktop.services.ledger import LedgerService

    services.cases.register(clerk, make_registration())
    tasks = TaskRunner()                                   # a real worker thread, not inline
    page = CaseListPage(AppContext(services, tasks, clerk))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=WAIT)
    assert not page.busy.isVisible()

    started, release = threading.Event(), threading.Event()
    real = LedgerService.export_xlsx

    def slow_export(self, *args, **kwargs):
        started.set()
        assert release.wait(WAIT / 1000)                   # held until the test has looked at the page
        return real(self, *args, **kwargs)

    target = tmp_path / "事项.xlsx"
    monkeypatch.setattr(LedgerService, "export_xlsx", slow_export)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(case_export, "ask_redaction", lambda parent: True)
    qtbot.mouseClick(page.export_button, Qt.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=WAIT)
    try:
        assert page.busy.isVisible() and page.busy.busy()
        assert page.export_button.text() == "正在导出…" and not page.export_button.isEnabled()
        assert page.busy.progress.maximum() == 0           # no fraction to say: the bar moves
        assert page.busy.cancel_button.isHidden()          # an export cannot be stopped half-way
    finally:
        release.set()
    qtbot.waitUntil(lambda: not page.busy.isVisible(), timeout=WAIT)
    assert tasks.wait()
    assert target.exists() and page.export_button.text() == "导出(&X)…" and page.export_button.isEnabled()
    assert not page.busy.busy() and page.saved.text() == "已导出1件事项：事项.xlsx"


def test_work_that_can_stop_shows_its_progress_and_stops_on_cancel(qtbot):
    from xinfang_desktop.gui.busy_panel import BusyPanel
    from xinfang_desktop.gui.tasks import TaskRunner

    page = QWidget()
    qtbot.addWidget(page)
    button = QPushButton("导入(&I)", page)
    panel = BusyPanel(cancel_tip="停止", parent=page)
    page.show()
    assert not panel.isVisible()
    said, finished = [], []
    panel.cancelling.connect(lambda: said.append("正在取消"))
    halfway = threading.Event()

    def work(state) -> str:
        state.progress(0.4, "")
        halfway.set()
        stopped = state._cancel.wait(WAIT / 1000)          # the clerk presses 取消 (a safety limit, not a timing)
        return "已取消" if stopped else "做完了"

    state = panel.start(button, "正在导入…", cancellable=True)
    tasks = TaskRunner()
    tasks.run(work, state=state, progress=panel.set_progress, writes=False, owner=page,
              on_done=lambda result: (finished.append(result), panel.stop(button)))
    qtbot.waitUntil(lambda: halfway.is_set() and panel.progress.value() == 40, timeout=WAIT)
    assert panel.isVisible() and panel.cancel_button.isVisible() and not button.isEnabled()
    assert button.text() == "正在导入…"
    qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
    assert said == ["正在取消"] and not panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: finished == ["已取消"], timeout=WAIT)
    assert tasks.wait()
    assert not panel.isVisible() and not panel.busy() and button.isEnabled() and button.text() == "导入(&I)"


def test_the_panel_stays_while_any_button_s_work_runs(qtbot):
    from xinfang_desktop.gui.busy_panel import BusyPanel

    page = QWidget()
    qtbot.addWidget(page)
    report, ledger = QPushButton("生成报告(&R)…", page), QPushButton("导出台账(&L)…", page)
    panel = BusyPanel(width=110, parent=page)
    page.show()
    panel.start(report, "正在生成报告…", measured=False)
    panel.start(ledger, "正在导出台账…", measured=False)
    panel.stop(report)
    assert panel.isVisible() and report.isEnabled() and report.text() == "生成报告(&R)…"
    assert not ledger.isEnabled() and ledger.text() == "正在导出台账…"
    panel.stop(ledger)
    assert not panel.isVisible() and ledger.isEnabled() and ledger.text() == "导出台账(&L)…"
