"""The 导入台账 dialog: a progress bar while checking and importing, 取消 that leaves nothing, no
closing half-way, and the work off the UI thread."""

from __future__ import annotations

from openpyxl import Workbook

from xinfang_desktop.services import ledger_bulk
from xinfang_desktop.store.models import Case, Person


def write_ledger(path, n: int):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "联系电话", "信访日期", "信访方式", "反映问题", "问题类别"])
    for i in range(n):
        ws.append([f"张{'伟芳娜敏静丽强磊军洋'[i % 10]}", f"139{i:08d}", f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                   "来访", f"反映问题第{i}号", "欠薪"])
    ws.append(["李四", None, "2025-02-30", "来访", "反映问题", "欠薪"])       # one row with a problem
    wb.save(path)
    return path


def test_progress_shows_and_cancel_imports_nothing(qtbot, app_ctx, services, tmp_path, monkeypatch):
    from xinfang_desktop.gui.ledger_import import LedgerImportDialog

    monkeypatch.setattr(ledger_bulk, "CHUNK", 50)
    dlg = LedgerImportDialog(app_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.open_file(write_ledger(tmp_path / "台账.xlsx", 400))
    dlg.check_button.click()
    assert dlg.import_button.text().startswith("导入400行")
    before = (Case.select().count(), Person.select().count())
    seen: list[tuple[int, bool, bool, str]] = []

    def watch(value: int) -> None:
        seen.append((value, dlg.progress.isVisible(), dlg.cancel_button.isVisible(), dlg.summary.text()))
        if len(seen) == 1:
            dlg.close_button.click()                 # no closing while the import runs
            dlg.reject()
        if value >= 60:
            dlg.cancel_button.click()                # the clerk changes their mind while rows are written

    dlg.progress.valueChanged.connect(watch)
    dlg.import_button.click()
    assert seen and all(visible and cancel for _, visible, cancel, _ in seen)
    assert any("正在写入" in text for *_, text in seen)
    assert dlg.isVisible()
    assert "已取消，未导入任何记录" in dlg.summary.text()
    assert (Case.select().count(), Person.select().count()) == before
    assert not dlg.progress.isVisible() and not dlg.cancel_button.isVisible()
    assert not (tmp_path / "台账.未导入.xlsx").exists()
    dlg.progress.valueChanged.disconnect(watch)
    assert dlg.import_button.isEnabled()            # and may start it again
    dlg.import_button.click()
    assert Case.select().count() == before[0] + 400
    assert "已导入400行" in dlg.summary.text() and dlg.close_button.text() == "完成"


def test_the_work_runs_off_the_ui_thread(qtbot, services, admin, tmp_path, monkeypatch):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.ledger_import import LedgerImportDialog
    from xinfang_desktop.gui.tasks import TaskRunner

    monkeypatch.setattr(ledger_bulk, "CHUNK", 100)
    tasks = TaskRunner()
    dlg = LedgerImportDialog(AppContext(services, tasks, admin))
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.open_file(write_ledger(tmp_path / "台账.xlsx", 300))
    qtbot.waitUntil(lambda: dlg.table is not None, timeout=30_000)
    dlg.check_button.click()
    qtbot.waitUntil(lambda: dlg.plan is not None and not dlg.busy(), timeout=30_000)
    assert dlg.plan.count("ok") == 300 and "有问题1行" in dlg.summary.text()
    values: list[int] = []
    dlg.progress.valueChanged.connect(values.append)
    dlg.import_button.click()
    assert dlg.busy() and not dlg.import_button.isEnabled() and not dlg.close_button.isEnabled()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=30_000)
    assert tasks.wait()
    assert dlg.result.imported == 300 and Case.select().count() == 300
    assert len(values) >= 3 and values == sorted(values)
    assert not dlg.busy() and dlg.close_button.isEnabled()
