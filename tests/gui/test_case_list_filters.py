"""The case list as a clerk uses it: each filter of the bar narrows the list, columns sort, and
deadlines read the same in colour, symbol and words."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from tests.conftest import make_registration
from tests.gui.test_login_and_case import commit_text
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind

YONGFU, XINQIAO, SHUANGYANG = "350881102000", "350881100000", "350881101000"


def _reg(name: str, township: str, received: datetime, channel: str, category: str, request: str):
    return make_registration(petitioners=[PetitionerInput(name=name, township_code=township)], channel=channel,
                             received_at=received, category_code=category, request=request)


@pytest.fixture
def cases(services, clerk, handler):
    """Four cases on 2026-11-02 (the fixed clock): green, amber (due in 2 days), red, and one being handled
    directly by a unit since 09-02, whose 60 days end today."""
    made = {
        "green": services.cases.register(clerk, _reg("欧阳娜娜", YONGFU, datetime(2026, 11, 2, 9), "走访", "0402",
                                                   "要求追讨拖欠的工资")),
        "amber": services.cases.register(clerk, _reg("张伟", XINQIAO, datetime(2026, 10, 20, 9), "来信", "0301",
                                                   "反映房屋征收补偿不合理")),
        "red": services.cases.register(clerk, _reg("李秀英", SHUANGYANG, datetime(2026, 10, 15, 9), "来电", "0403",
                                                 "反映用人单位未缴纳社保")),
        "handled": services.cases.register(clerk, _reg("王强", YONGFU, datetime(2026, 9, 1, 9), "网上", "0101",
                                                     "要求落实土地承包经营权")),
    }
    services.cases.act(handler, made["handled"].number, EventKind.ROUTED,
                       {"route": "direct", "unit": "镇综治中心", "notified": True}, at=datetime(2026, 9, 2, 10))
    return {k: c.number for k, c in made.items()}


@pytest.fixture
def page(qtbot, app_ctx, cases):
    from xinfang_desktop.gui.pages.case_list import CaseListPage

    p = CaseListPage(app_ctx)
    qtbot.addWidget(p)
    p.resize(1300, 700)
    p.show()
    return p


def numbers(page) -> set[str]:
    return {r.number for r in page.model.rows}


def test_each_filter_narrows_the_list(page, cases):
    everything = set(cases.values())
    assert numbers(page) == everything and page.count_label.text() == "共 4 件"

    page.channel.setCurrentIndex(page.channel.findText("来信"))
    assert numbers(page) == {cases["amber"]}
    page.channel.setCurrentIndex(0)

    page.township.setCurrentIndex(page.township.findText("永福镇"))
    assert numbers(page) == {cases["green"], cases["handled"]}
    assert page.count_label.text() == "共 2 件"
    page.township.setCurrentIndex(0)

    page.status.setCurrentIndex(page.status.findText("办理中"))
    assert numbers(page) == {cases["handled"]}
    page.status.setCurrentIndex(page.status.findText("待处理"))
    assert numbers(page) == everything - {cases["handled"]}
    page.status.setCurrentIndex(0)

    page.owner.setCurrentIndex(page.owner.findText("镇综治中心"))
    assert numbers(page) == {cases["handled"]}
    page.owner.setCurrentIndex(0)

    page.due.setCurrentIndex(page.due.findText("已超期"))
    assert cases["red"] in numbers(page) and cases["green"] not in numbers(page)
    assert all(r.urgency == "red" for r in page.model.rows)
    page.due.setCurrentIndex(page.due.findText("临近到期"))
    assert numbers(page) == {cases["amber"], cases["handled"]}    # due 11-04 and today
    page.due.setCurrentIndex(page.due.findText("今天到期"))
    assert numbers(page) == {cases["handled"]}
    page.due.setCurrentIndex(0)

    page.received.set_range(date(2026, 10, 14), date(2026, 10, 31))
    assert numbers(page) == {cases["amber"], cases["red"]}
    page.received.set_range(date(2026, 10, 31), date(2026, 10, 14))   # typed backwards: same days
    assert numbers(page) == {cases["amber"], cases["red"]}
    page.received.enabled.setChecked(False)
    assert numbers(page) == everything

    commit_text(page.search, "张伟")
    page.apply_filter()
    assert numbers(page) == {cases["amber"]}
    page.clear.click()
    assert numbers(page) == everything and page.search.text() == "" and page.count_label.text() == "共 4 件"


def test_category_filter_by_pinyin_and_first_level(qtbot, page, cases):
    box = page.category
    box.setFocus()
    qtbot.keyClicks(box, "ldsb")              # 劳动社保: initials of the short name
    popup = box.completer().popup()
    assert popup.isVisible()
    assert box.completer().completionModel().index(0, 0).data().strip() == "04 劳动和社会保障"
    qtbot.keyClick(box, Qt.Key_Return)
    assert box.code == "04" and box.text() == "04 劳动和社会保障"
    # a first-level category takes in its children: 0402 and 0403, not 0301 or 0101
    assert numbers(page) == {cases["green"], cases["red"]}

    box.clear()
    qtbot.keyClicks(box, "shbx")              # 社会保险, a second-level category
    qtbot.keyClick(box, Qt.Key_Return)
    assert box.code == "0403" and numbers(page) == {cases["red"]}
    box.set_code(None)
    assert numbers(page) == set(cases.values())


def test_filters_combine(page, cases):
    page.township.setCurrentIndex(page.township.findText("永福镇"))
    page.status.setCurrentIndex(page.status.findText("未办结"))
    page.channel.setCurrentIndex(page.channel.findText("走访"))
    assert numbers(page) == {cases["green"]}
    page.due.setCurrentIndex(page.due.findText("已超期"))
    assert numbers(page) == set() and page.count_label.text() == "共 0 件"


def test_sort_by_due_date(page, cases):
    page.table.sortByColumn(6, Qt.AscendingOrder)
    dues = [r.next_due for r in page.model.rows]
    assert [r.number for r in page.model.rows] == [cases[k] for k in ("red", "handled", "amber", "green")]
    assert dues == sorted(dues)
    page.table.sortByColumn(6, Qt.DescendingOrder)
    assert [r.next_due for r in page.model.rows] == sorted(dues, reverse=True)
    assert page.model.rows[0].number == cases["green"]


def test_deadline_colour_symbol_and_words(page, cases):
    from xinfang_desktop.gui.pages.case_list import DUE_COLUMN, TOWNSHIP_COLUMN

    by_number = {r.number: i for i, r in enumerate(page.model.rows)}

    def cell(key: str, role=Qt.DisplayRole):
        return page.model.index(by_number[cases[key]], DUE_COLUMN).data(role)

    assert cell("green") == "● 2026-11-17（剩15天）"
    assert cell("amber") == "▲ 2026-11-04（剩2天，临近）"
    assert cell("red") == "■ 2026-10-30（超期3天）"
    green, amber, red = (QColor(cell(k, Qt.BackgroundRole)) for k in ("green", "amber", "red"))
    assert green.green() > green.red() and red.red() > red.green() and amber.red() > amber.blue()
    assert len({green.name(), amber.name(), red.name()}) == 3
    assert "临近期限" in cell("amber", Qt.ToolTipRole) and "已超期" in cell("red", Qt.ToolTipRole)
    assert "已超期" in page.legend.text() and "1/4" in page.legend.text()
    township = page.model.index(by_number[cases["amber"]], TOWNSHIP_COLUMN).data()
    assert township == "新桥镇"


def test_list_refreshes_its_colours_when_the_day_changes(page, cases, clock):
    clock.advance(days=3)                     # 2026-11-05: the amber case is now overdue
    page.apply_filter()
    row = next(i for i, r in enumerate(page.model.rows) if r.number == cases["amber"])
    assert page.model.index(row, 6).data().startswith("■ 2026-11-04（超期1天")


def test_down_and_enter_from_the_search_box_reach_the_results(qtbot, page, cases):
    opened = []
    page.open_case.connect(opened.append)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=30_000)
    page.search.setFocus()
    qtbot.keyClicks(page.search, "1")                       # the short number of the first case
    qtbot.keyClick(page.search, Qt.Key_Return)               # searches at once and goes to the results
    assert numbers(page) == {cases["green"]}
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key_Return)                # opens it
    assert len(opened) == 1
    page.search.setFocus()
    page.search.clear()
    qtbot.keyClick(page.search, Qt.Key_Return)
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key_Down)                 # Down: to the list as it stands
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key_Down)
    assert page.table.currentIndex().row() == 1
