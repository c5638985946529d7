"""The case view as issue 15 found it: the timeline's punctuation, the 办理期限 row after 交办 and an
extension, the next due date in its colour, and Esc back to the page the case was opened from."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import make_registration
from tests.gui.test_board_gui import window  # noqa: F401 - the main window on the 看板 page
from xinfang_desktop.domain.board import Colour
from xinfang_desktop.domain.workflow import EventKind


def open_view(qtbot, app_ctx, number):
    from xinfang_desktop.gui.pages.case_view import CaseViewPage

    view = CaseViewPage(app_ctx, number)
    qtbot.addWidget(view)
    return view


def deadline_row(view, prefix: str) -> list[str]:
    t = view.deadlines
    row = next(r for r in range(t.rowCount()) if t.item(r, 0).text().startswith(prefix))
    return [t.item(row, c).text() for c in range(t.columnCount())]


def test_the_handling_row_names_the_limit_that_runs(qtbot, app_ctx, services, clerk, handler, admin):
    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED,
                       {"route": "assign", "unit": "市人社局", "deadline": "2026-12-02", "notified": True})
    label, start, due, _state = deadline_row(open_view(qtbot, app_ctx, ref.number), "办理期限")
    assert (label, start, due) == ("办理期限（交办限期30日）", "2026-11-02", "2026-12-02")
    services.cases.act(admin, ref.number, EventKind.EXTENDED,
                       {"days": 30, "reason": "需调取工资台账，待核实。", "approver": "陈镇长"})
    view = open_view(qtbot, app_ctx, ref.number)
    label, start, due, _state = deadline_row(view, "办理期限")
    assert label == "办理期限（交办限期30日，延期30日）" and due.startswith("2027-01-04")
    texts = [view.timeline.item(r, 2).text() for r in range(view.timeline.rowCount())]
    assert texts[-1].startswith("延期30日，理由：需调取工资台账，待核实，批准人：陈镇长")   # no 「核实。，批准人」
    assert not any("。，" in t for t in texts)


def test_a_direct_case_keeps_60_days_and_shows_its_extension(qtbot, app_ctx, services, clerk, handler, admin):
    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    assert deadline_row(open_view(qtbot, app_ctx, ref.number), "办理期限")[0] == "办理期限（60日）"
    services.cases.act(admin, ref.number, EventKind.EXTENDED, {"days": 20, "reason": "需调查", "approver": "陈镇长"})
    assert deadline_row(open_view(qtbot, app_ctx, ref.number), "办理期限")[0] == "办理期限（60日，延期20日）"


def test_the_next_due_date_is_in_its_colour(qtbot, app_ctx, services, clerk):
    from xinfang_desktop.domain.urgency import Urgency
    from xinfang_desktop.gui.style import URGENCY_FOREGROUND

    ref = services.cases.register(clerk, make_registration())
    status = open_view(qtbot, app_ctx, ref.number).fields["status"]
    assert status.textFormat() == Qt.RichText
    assert URGENCY_FOREGROUND[Urgency.GREEN].name() in status.text() and "待处理" in status.text()


def test_a_case_opened_from_the_board_returns_there_with_esc(qtbot, window, services, clerk, handler, clock):  # noqa: F811
    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    clock.advance(days=65)
    w = window()
    board = w.pages["board"]
    red = board.columns[Colour.RED]
    rect = red.view.visualRect(red.model.index(0))
    qtbot.mouseClick(red.view.viewport(), Qt.LeftButton, pos=rect.center())      # a click opens the case
    view = w.case_view
    assert w.stack.currentWidget() is view and w.nav.currentItem().text() == "看板"
    qtbot.keyClick(view, Qt.Key_Escape)
    assert w.stack.currentWidget() is board and w.nav.currentItem().text() == "看板"
    # from the list, back to the list
    w.show_page("cases")
    w.open_case(ref.id)
    qtbot.mouseClick(w.case_view.back_button, Qt.LeftButton)
    assert w.stack.currentWidget() is w.pages["cases"] and w.nav.currentItem().text() == "事项"
