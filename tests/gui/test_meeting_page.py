"""会议 page (issue 19): a leader's monthly 跟踪督办会 recorded from the keyboard — the real buttons clicked and
keys pressed — its tasks coloured by urgency, one closed with its result, the 会议纪要 printed, and the open
tasks on the 工作台. The walk-through counts its keys and clicks and times itself (printed: the closing note's
figures)."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from xinfang_desktop.domain.urgency import Urgency


class Counter:
    """The keys and clicks a walk-through sends, counted as a person would press them."""

    def __init__(self, qtbot):
        self.qtbot, self.keys, self.chars, self.clicks = qtbot, 0, 0, 0

    def type(self, widget, text: str) -> None:
        """ASCII as key clicks; Chinese committed the way an input method does (keyClicks cannot)."""
        for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
            if run.isascii():
                self.qtbot.keyClicks(widget, run)
            else:
                ev = QInputMethodEvent()
                ev.setCommitString(run)
                QApplication.sendEvent(widget, ev)
        self.chars += len(text)

    def key(self, widget, key, modifier=Qt.NoModifier) -> None:
        self.qtbot.keyClick(widget, key, modifier)
        self.keys += 1

    def click(self, button) -> None:
        self.qtbot.mouseClick(button, Qt.LeftButton)
        self.clicks += 1


def focused():
    return QApplication.focusWidget()


@pytest.fixture
def page(qtbot, app_ctx):
    from xinfang_desktop.gui.pages.meeting import MeetingPage

    p = MeetingPage(app_ctx)
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    qtbot.waitExposed(p, timeout=30_000)
    return p


def the_dialog(qtbot, page):
    """The form the click opened, once it has the keyboard (as it has on screen)."""
    from xinfang_desktop.gui.attention_forms import FormDialog

    found = [d for d in page.findChildren(FormDialog) if d.isVisible()]
    assert len(found) == 1
    dialog = found[0]
    qtbot.waitExposed(dialog, timeout=30_000)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused() is not None and dialog.isAncestorOf(focused()), timeout=30_000)
    return dialog


def test_a_monthly_meeting_is_recorded_from_the_keyboard_closed_and_printed(qtbot, page, services, two_cases,
                                                                            receipts, capsys):
    wages, road = two_cases
    w, r = str(int(wages.number[-5:])), str(int(road.number[-5:]))
    c = Counter(qtbot)
    started = time.perf_counter()
    c.click(page.add_button)
    dialog = the_dialog(qtbot, page)
    ed = dialog.editors
    assert focused() is ed["kind"] and ed["kind"].currentText() == "跟踪督办会（每月）"
    assert ed["held_on"].date().toPython() == date(2026, 11, 2)            # today, as the meeting was held
    c.key(focused(), Qt.Key_Tab)
    while focused() is ed["held_on"] and c.keys < 5:                       # the date's own sections, then on
        c.key(focused(), Qt.Key_Tab)
    assert focused() is ed["chair"]
    c.type(ed["chair"], "陈镇长")
    c.key(focused(), Qt.Key_Tab)
    c.type(ed["place"], "镇政府三楼会议室")
    c.key(focused(), Qt.Key_Tab)
    c.key(focused(), Qt.Key_Tab)                                          # no topic for a monthly meeting
    assert focused() is ed["units"]
    c.type(ed["units"], "镇劳动保障所、镇司法所、镇村建办")
    c.key(focused(), Qt.Key_Tab)
    c.type(ed["matters"], f"{w}、{r}")
    c.key(focused(), Qt.Key_Tab)
    assert focused() is ed["tasks"]
    c.type(ed["tasks"], f"{w}：镇劳动保障所：核实拖欠工资数额，约谈用工企业：2026-11-06")
    c.key(ed["tasks"], Qt.Key_Return)
    c.type(ed["tasks"], f"{w}：镇司法所：引导申请劳动仲裁：2026-11-30")
    c.key(ed["tasks"], Qt.Key_Return)
    c.type(ed["tasks"], f"{r}：镇村建办：勘查村道损毁情况，提出修复方案：2026-11-20")
    c.key(focused(), Qt.Key_Tab)
    c.type(ed["summaries"], f"{w}：企业已承认拖欠三个月工资")
    c.key(focused(), Qt.Key_Return, Qt.ControlModifier)                  # Ctrl+Enter saves
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    recorded = time.perf_counter()

    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == "跟踪督办会"
    assert page.table.item(0, 2).text() == "第1期" and page.table.item(0, 6).text() == "3"
    assert page.task_table.rowCount() == 3
    rows = {page.task_table.item(i, 1).text(): i for i in range(3)}
    amber = page.task_table.item(rows["镇劳动保障所"], 4)                   # due in 4 days: within the board's 7
    assert amber.text() == "▲ 剩4天" and amber.toolTip() == Urgency.AMBER.word
    assert page.task_table.item(rows["镇司法所"], 4).text() == "● 剩28天"
    assert "企业已承认拖欠三个月工资" in page.detail.text()

    page.task_table.selectRow(rows["镇劳动保障所"])
    c.click(page.close_button)
    close = the_dialog(qtbot, page)
    assert focused() is close.editors["result"]
    c.type(close.editors["result"], "已约谈企业，承诺月底前支付")
    c.key(focused(), Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not close.isVisible(), timeout=30_000)
    qtbot.waitUntil(lambda: page.table.item(0, 6).text() == "2", timeout=30_000)
    done_row = next(i for i in range(3) if page.task_table.item(i, 1).text() == "镇劳动保障所")
    assert page.task_table.item(done_row, 4).text() == "已于2026-11-02完成"
    assert page.task_table.item(done_row, 5).text() == "已约谈企业，承诺月底前支付"

    c.click(page.print_button)
    qtbot.waitUntil(lambda: len(receipts) == 1, timeout=30_000)
    rendered, file_name = receipts[0]
    assert rendered.pages == 1 and rendered.title == "跟踪督办会纪要" and file_name == "跟踪督办会纪要20261102.pdf"
    finished = time.perf_counter()
    with capsys.disabled():
        print(f"\n[meeting walk-through] typed {c.chars} characters, {c.keys} other keys, {c.clicks} clicks; "
              f"recorded in {recorded - started:.2f} s, task closed and minutes printed by {finished - started:.2f} s")


def test_bad_task_line_is_shown_under_its_box_and_nothing_is_written(qtbot, page, two_cases):
    from xinfang_desktop.store.models_meetings import Meeting

    wages, _road = two_cases
    c = Counter(qtbot)
    c.click(page.add_button)
    dialog = the_dialog(qtbot, page)
    ed = dialog.editors
    c.type(ed["chair"], "陈镇长")
    c.type(ed["units"], "镇村建办")
    c.type(ed["matters"], wages.number)
    c.type(ed["tasks"], f"{wages.number}：镇村建办：没有期限")
    c.key(ed["tasks"], Qt.Key_Return, Qt.ControlModifier)
    qtbot.waitUntil(lambda: dialog.errors["tasks"].isVisible(), timeout=30_000)
    assert "任务格式应为" in dialog.errors["tasks"].text() and dialog.isVisible()
    assert Meeting.select().count() == 0


def test_the_workbench_lists_open_meeting_tasks_coloured_and_opens_the_case(qtbot, app_ctx, services, clerk,
                                                                          two_cases):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.services.meetings import MeetingInput, MeetingService, TaskInput

    wages, _road = two_cases
    services.get(MeetingService).add(clerk, MeetingInput(
        kind="推进会", held_on="2026-11-02", chair="陈镇长", units=["镇劳动保障所"], matters=[wages.number],
        tasks=[TaskInput(wages.number, "镇劳动保障所", "核实拖欠工资数额", "2026-11-05")]))
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=30_000)
    box = window.pages["workbench"].boxes["meeting_tasks"]
    assert box.title() == "会议任务（1件）"
    assert box.table.item(0, 0).text() == wages.number
    assert box.table.item(0, 1).text() == "▲ 2026-11-05（剩3天，临近）"
    assert "镇劳动保障所：核实拖欠工资数额" in box.table.item(0, 2).text()
    rect = box.table.visualItemRect(box.table.item(0, 0))
    qtbot.mouseClick(box.table.viewport(), Qt.LeftButton, pos=rect.center())
    view = window.case_view
    assert view is not None and view.detail.row.number == wages.number
    labels = [view.deadlines.item(i, 0).text() for i in range(view.deadlines.rowCount())]
    assert "会议任务（镇劳动保障所）：核实拖欠工资数额" in labels
