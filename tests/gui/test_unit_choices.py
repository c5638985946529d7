"""转办's 接收单位: a pick list of the units this office routed to before and the usual ones, opened
with ▾ or found by typing part of the name; any other unit can still be typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from tests.conftest import make_registration
from xinfang_desktop.domain.workflow import EventKind


def test_the_unit_is_picked_from_past_and_usual_units(qtbot, app_ctx, services, admin):
    from xinfang_desktop.gui.action_dialogs import RouteDialog
    from xinfang_desktop.gui.unit_choices import COMMON_UNITS

    earlier = services.cases.register(admin, make_registration())
    services.cases.act(admin, earlier.number, EventKind.ROUTED,
                       {"route": "assign", "unit": "镇人武部", "deadline": "2026-12-20", "notified": True})
    ref = services.cases.register(admin, make_registration())
    dialog = RouteDialog(None, app_ctx, services.queries.detail(admin, ref.number))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    unit = dialog.editor("unit")
    completer = unit.completer()
    listed = completer.model().stringList()
    assert listed[0] == "镇人武部" and set(COMMON_UNITS) <= set(listed)     # this office's own first
    unit.setFocus()
    commit = QInputMethodEvent("", [])                         # part of a name, typed through the input method
    commit.setCommitString("人社")
    QApplication.sendEvent(unit, commit)
    qtbot.waitUntil(lambda: completer.popup().isVisible())
    popup = completer.popup()
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == ["市人社局"]
    unit.clear()
    unit.unit_list_action.trigger()                            # ▾ opens the whole list
    qtbot.waitUntil(lambda: completer.popup().isVisible())
    assert completer.popup().model().rowCount() == len(listed)
    qtbot.keyClick(completer.popup(), Qt.Key_Escape)
    QApplication.processEvents()
    commit = QInputMethodEvent("", [])                         # a unit never used is typed as it is
    commit.setCommitString("漳平市某某公司")
    QApplication.sendEvent(unit, commit)
    assert unit.text() == "漳平市某某公司"
