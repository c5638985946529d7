"""事项 page: 导出 writes the cases the list shows, with its filters, to an .xlsx read back with openpyxl."""

from __future__ import annotations

from datetime import datetime

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.conftest import make_registration
from xinfang_desktop.domain.petition import PetitionerInput


def test_export_writes_the_filtered_cases(qtbot, services, clerk, tasks, tmp_path, monkeypatch):
    from xinfang_desktop.gui import case_export
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.case_list import CaseListPage

    for name, channel, day in (("陈秀英", "visit", 20), ("林国华", "letter", 21), ("郑美玲", "visit", 22)):
        services.cases.register(clerk, make_registration(channel=channel, received_at=datetime(2026, 10, day, 9),
                                                         petitioners=[PetitionerInput(name=name, phone="13805981234")]))
    page = CaseListPage(AppContext(services, tasks, clerk))
    qtbot.addWidget(page)
    page.show()
    page.channel.setCurrentIndex(page.channel.findData("visit"))         # the clerk narrows the list
    qtbot.waitUntil(lambda: page.model.total == 2)
    target = tmp_path / "走访事项.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(case_export, "ask_redaction", lambda parent: True)     # the clerk answers 脱敏导出
    qtbot.mouseClick(page.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and not page.busy.isVisible())
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    header = rows[0]
    names = sorted(r[header.index("信访人")] for r in rows[1:] if r[0] is not None)
    assert names == ["郑美玲", "陈秀英"]
    assert header[3] == "信访形式" and all(r[3] == "走访" for r in rows[1:] if r[0] is not None)
    phones = {r[header.index("联系电话")] for r in rows[1:] if r[0] is not None}
    assert phones == {"138****1234"}                                     # masked, as asked
    assert page.saved.text() == "已导出2件事项：走访事项.xlsx" and page.export_button.isEnabled()
