"""工作台: the landing page lists what needs the clerk today, and each line opens its case."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from tests.conftest import make_registration
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind


def _reg(name: str, received: datetime):
    return make_registration(petitioners=[PetitionerInput(name=name)], received_at=received)


@pytest.fixture
def cases(services, clerk, handler):
    """On 2026-11-02: overdue (due 10-30), due today (handled since 09-02), due in 2 days, a fresh
    one (due 11-17, to route), and a closed one that must appear nowhere."""
    made = {
        "overdue": services.cases.register(clerk, _reg("李秀英", datetime(2026, 10, 15, 9))),
        "today": services.cases.register(clerk, _reg("王强", datetime(2026, 9, 1, 9))),
        "soon": services.cases.register(clerk, _reg("张伟", datetime(2026, 10, 20, 9))),
        "fresh": services.cases.register(clerk, _reg("欧阳娜娜", datetime(2026, 11, 2, 9))),
        "done": services.cases.register(clerk, _reg("赵敏", datetime(2026, 9, 10, 9))),
    }
    services.cases.act(handler, made["today"].number, EventKind.ROUTED, {"route": "direct", "unit": "镇综治中心", "notified": True},
                       at=datetime(2026, 9, 2, 10))
    done = made["done"].number
    services.cases.act(handler, done, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True},
                       at=datetime(2026, 9, 11, 10))
    services.cases.act(handler, done, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "supported", "text": "已解决"},
                       at=datetime(2026, 10, 8, 10))
    return {k: c.number for k, c in made.items()}


def section_numbers(wb, key: str) -> list[str]:
    return [it.title for it in wb.section(key).items]


def test_service_sections_and_counts(services, admin, cases):
    from xinfang_desktop.services.workbench import WorkbenchService

    wb = services.get(WorkbenchService).load(admin)
    assert section_numbers(wb, "overdue") == [cases["overdue"]]
    assert section_numbers(wb, "due_today") == [cases["today"]]
    assert section_numbers(wb, "due_week") == [cases["soon"]]
    # registered and not yet routed, oldest first
    assert section_numbers(wb, "to_route") == [cases[k] for k in ("overdue", "soon", "fresh")]
    counts = {label: n for _, label, n in wb.status_counts}
    assert counts["待处理"] == 3 and counts["办理中"] == 1 and counts["已答复"] == 1 and counts["已办结"] == 0


def test_section_total_beyond_the_lines_shown(services, admin, clerk):
    from xinfang_desktop.services.workbench import WorkbenchService

    for i in range(5):
        services.cases.register(clerk, _reg("钱多多", datetime(2026, 10, 1 + i, 9)))
    result = services.get(WorkbenchService).load(admin, limit=3).section("overdue")
    assert len(result.items) == 3 and result.total == 5
    assert [it.due for it in result.items] == sorted(it.due for it in result.items)   # most overdue first


def test_a_feature_adds_its_own_section(services, admin, cases):
    from xinfang_desktop.services import workbench as wbm

    def load(svc, actor, today, limit):
        return wbm.SectionResult([wbm.WorkbenchItem(title="同步提醒", detail="已有7天未与市信访局交换数据")], 1)

    wbm.register_section(wbm.SectionSpec("sync_test", "同步", "无", load, order=1))
    try:
        wb = services.get(wbm.WorkbenchService).load(admin)
        assert wb.sections[0][0].key == "sync_test" and section_numbers(wb, "sync_test") == ["同步提醒"]
    finally:
        wbm._SECTIONS.pop("sync_test")


def test_window_opens_on_workbench_and_a_click_opens_the_case(qtbot, app_ctx, cases):
    from xinfang_desktop.gui.main_window import MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=30_000)
    page = window.pages["workbench"]
    assert window.stack.currentWidget() is page
    assert page.heading.text().startswith("工作台　2026年11月2日 星期一")
    overdue = page.boxes["overdue"]
    assert overdue.title() == "已超期（1件）"
    assert overdue.table.item(0, 0).text() == cases["overdue"]
    assert overdue.table.item(0, 1).text() == "■ 2026-10-30（超期3天）"
    assert "李秀英" in overdue.table.item(0, 2).text()
    assert page.boxes["due_today"].table.item(0, 1).text() == "▲ 2026-11-02（今天到期）"
    assert page.status_buttons["registered"].text() == "待处理 3"

    rect = overdue.table.visualItemRect(overdue.table.item(0, 0))
    qtbot.mouseClick(overdue.table.viewport(), Qt.LeftButton, pos=rect.center())
    view = window.case_view
    assert view is not None and window.stack.currentWidget() is view
    assert view.detail.row.number == cases["overdue"]


def test_workbench_refreshes_when_shown_again(qtbot, app_ctx, cases, services, handler):
    from xinfang_desktop.gui.main_window import MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    page = window.pages["workbench"]
    assert page.boxes["to_route"].title() == "新登记待转办（3件）"
    services.cases.act(handler, cases["fresh"], EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    window.show_page("cases")
    window.show_page("workbench")
    assert page.boxes["to_route"].title() == "新登记待转办（2件）"


def test_show_all_opens_the_case_list_filtered(qtbot, app_ctx, services, clerk):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.gui.pages import workbench as page_module

    for i in range(page_module.LINES + 2):
        services.cases.register(clerk, _reg("钱多多", datetime(2026, 10, 1, 9 + i)))
    services.cases.register(clerk, _reg("孙新", datetime(2026, 11, 2, 9)))
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    box = window.pages["workbench"].boxes["overdue"]
    assert box.table.rowCount() == page_module.LINES and box.more.isVisibleTo(box)
    box.more.click()
    cases_page = window.pages["cases"]
    assert window.stack.currentWidget() is cases_page
    assert cases_page.due.currentText() == "已超期"
    assert len(cases_page.model.rows) == page_module.LINES + 2
    assert all(r.urgency == "red" for r in cases_page.model.rows)


def test_a_status_count_lists_those_cases(qtbot, app_ctx, cases):
    from xinfang_desktop.gui.main_window import MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    window.pages["workbench"].status_buttons["handling"].click()
    cases_page = window.pages["cases"]
    assert window.stack.currentWidget() is cases_page and cases_page.status.currentText() == "办理中"
    assert [r.number for r in cases_page.model.rows] == [cases["today"]]


def test_a_failing_section_does_not_hide_the_others(qtbot, app_ctx, cases):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.services import workbench as wbm

    def broken(svc, actor, today, limit):
        svc.db.execute_sql("SELECT * FROM no_such_table")

    wbm.register_section(wbm.SectionSpec("broken_test", "坏的部分", "无", broken, order=1))
    try:
        window = MainWindow(app_ctx)
        qtbot.addWidget(window)
        window.show()
        page = window.pages["workbench"]
        assert "暂时无法显示" in page.boxes["broken_test"].empty.text()
        assert page.boxes["overdue"].table.item(0, 0).text() == cases["overdue"]
    finally:
        wbm._SECTIONS.pop("broken_test")


def test_due_soon_is_the_boards_one_setting_on_the_workbench_and_the_case_list(services, admin, cases):
    """One "due soon" (issue 14): the board's 临近到期天数 decides the workbench's section and the case
    list's filter; the section is titled with it."""
    from xinfang_desktop.services.board import BoardService
    from xinfang_desktop.services.queries import CaseFilter
    from xinfang_desktop.services.workbench import WorkbenchService

    wb = services.get(WorkbenchService).load(admin)
    assert wb.section("due_week").title == "7日内到期" and section_numbers(wb, "due_week") == [cases["soon"]]
    services.get(BoardService).save_settings(admin, due_soon_days=1)        # "soon" is due in 2 days
    wb = services.get(WorkbenchService).load(admin)
    assert wb.section("due_week").title == "1日内到期" and section_numbers(wb, "due_week") == []
    soon = CaseFilter(due_soon=True)           # the case list's 临近到期: from today on
    assert {r.number for r in services.queries.page(soon, sort="next_due")} == {cases["today"]}
    services.get(BoardService).save_settings(admin, due_soon_days=2)
    assert {r.number for r in services.queries.page(soon, sort="next_due")} == {cases["today"], cases["soon"]}
