"""Nothing the meetings feature shows, stores or prints speaks of watching or restraining people (issue 19,
DOMAIN.md "What the product never does"): the words 行踪, 稳控, 管控, 布控, 预警人员 are in none of its tables,
its page and form, its command's help, or the 会议纪要 — and a meeting record carrying them is refused."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QTableWidget, QWidget

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.services.meetings import MeetingInput, MeetingKind, MeetingService, TaskInput

WORDS = ("行踪", "稳控", "管控", "布控", "预警人员")


def spoken(text: str) -> list[str]:
    return [w for w in WORDS if w in text]


def widget_texts(root: QWidget) -> str:
    """Every word a person can read on a widget tree: labels, buttons, boxes' hints, headers, tooltips."""
    out = [root.windowTitle(), root.toolTip()]
    for w in root.findChildren(QWidget):
        out.append(w.toolTip())
        if isinstance(w, (QLabel, QAbstractButton)):
            out.append(w.text())
        if isinstance(w, (QLineEdit, QPlainTextEdit)):
            out.append(w.placeholderText())
        if isinstance(w, QTableWidget):
            out += [w.horizontalHeaderItem(i).text() for i in range(w.columnCount())]
    return "\n".join(t for t in out if t)


@pytest.fixture
def meeting(services, clerk, two_cases):
    wages, road = two_cases
    return services.get(MeetingService).add(clerk, MeetingInput(
        kind="专题会", held_on="2026-11-02", chair="陈镇长", topic="拖欠工资问题研判", units=["镇劳动保障所", "镇司法所"],
        matters=[wages.number, road.number], summaries={wages.number: "企业已承认拖欠"},
        tasks=[TaskInput(wages.number, "镇劳动保障所", "核实拖欠工资数额", "2026-11-16")], notes="下月再议"))


def test_the_tables_hold_none_of_the_words(services, meeting):
    schema = "\n".join(r[0] or "" for r in services.db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name IN ('meeting', 'meeting_task')").fetchall())
    assert "meeting_task" in schema and spoken(schema) == []
    for table in ("meeting", "meeting_task"):
        rows = services.db.execute_sql(f'SELECT * FROM "{table}"').fetchall()
        assert rows and spoken(repr(rows)) == []


def test_the_page_the_form_and_the_commands_help_hold_none_of_the_words(qtbot, app_ctx, meeting, capsys):
    from xinfang_desktop.cli import main
    from xinfang_desktop.gui.pages.meeting import MeetingPage, meeting_form

    page = MeetingPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    page.all_open.setChecked(True)
    form = meeting_form(page, app_ctx, on_saved=lambda _v: None)
    shown = widget_texts(page) + widget_texts(form) + "\n".join(f"{k.label}{k.rhythm}" for k in MeetingKind)
    assert "议定任务" in shown and "核实拖欠工资数额" in shown and spoken(shown) == []
    form.reject()
    helps = []
    for argv in (["meeting", "--help"], *([["meeting", sub, "--help"]
                                           for sub in ("add", "list", "show", "tasks", "close-task", "print")])):
        with pytest.raises(SystemExit):
            main(argv)
        helps.append(capsys.readouterr().out)
    assert all(h.startswith("usage: xinfang meeting") for h in helps) and "会议纪要" in "\n".join(helps)
    assert spoken("\n".join(helps)) == []


def test_the_minutes_hold_none_of_the_words(services, clerk, meeting):
    doc = services.get(MeetingService).minutes(clerk, meeting.id)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(doc.pdf)).pages))
    assert "专题会／研判会纪要" in text and "议题：拖欠工资问题研判" in text and spoken(text) == []


@pytest.mark.parametrize("word", WORDS)
def test_a_meeting_record_with_one_of_the_words_is_refused(services, clerk, two_cases, word):
    wages, _ = two_cases
    with pytest.raises(InvalidInput, match="不记录人员的去向"):
        services.get(MeetingService).add(clerk, MeetingInput(
            kind="研判会", held_on="2026-11-02", chair="陈镇长", units=["镇综治中心"], matters=[wages.number],
            tasks=[TaskInput(wages.number, "镇综治中心", f"落实{word}措施", "2026-11-16")]))
