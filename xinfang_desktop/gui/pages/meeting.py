"""会议: the office's 跟踪督办会 (monthly), 推进会 (quarterly), 信访工作联席会议 (half-yearly) and 专题会/研判会 —
the meetings held, the tasks each handed to units with their deadlines, a task closed with its result, and the
会议纪要 printed. Importing this page adds the open tasks to the 工作台 (services/meetings_workbench.py)."""

from __future__ import annotations

from typing import Any, Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...services import meetings_workbench  # noqa: F401 - registers the workbench section
from ...services.meetings import (MeetingInput, MeetingKind, MeetingService, MeetingView, TaskView,
                                  parse_summary_lines, parse_task_line)
from ...services.permissions import Permission
from ..attention_forms import Field, FormDialog
from ..context import AppContext
from ..errors import show_error
from ..style import URGENCY_BACKGROUND, URGENCY_FOREGROUND

PAGE_KEY = "meeting"
MEETING_COLUMNS = ["会议日期", "会议", "期数", "主持", "研究事项", "议定任务", "未完成", "召开单位"]
TASK_COLUMNS = ["事项编号", "责任单位", "任务", "完成时限", "情况", "完成情况", "会议"]
STATE_COLUMN = 4


class MeetingPage(QWidget):
    def __init__(self, ctx: AppContext, window=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.meetings: list[MeetingView] = []
        self.tasks: list[TaskView] = []
        title = QLabel("会议")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        note = QLabel("每月跟踪督办会、每季度推进会、每半年信访工作联席会议，以及就具体事项召开的专题会、研判会："
                      "记录研究的事项和议定的任务（责任单位、任务内容、完成时限），任务到期前后像其他期限一样变色，"
                      "完成后记录完成情况。会议纪要可打印。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #444;")
        self.add_button = QPushButton("新建会议记录(&N)…")
        self.add_button.clicked.connect(self.add)
        self.print_button = QPushButton("打印会议纪要(&P)")
        self.print_button.clicked.connect(self.print_minutes)
        self.close_button = QPushButton("任务完成(&C)…")
        self.close_button.clicked.connect(self.close_task)
        self.open_button = QPushButton("打开事项(&O)")
        self.open_button.clicked.connect(self.open_case)
        self.add_button.setEnabled(ctx.actor.can(Permission.NOTE))
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        for w in (self.add_button, self.print_button, self.close_button, self.open_button):
            top.addWidget(w)
        self.table = _table(MEETING_COLUMNS)
        self.table.itemSelectionChanged.connect(self._meeting_selected)
        self.all_open = QCheckBox("显示全部未完成的会议任务(&A)")
        self.all_open.setToolTip("不限于所选会议：本单位各次会议的未完成任务；市局可看到各乡镇同步来的任务。")
        self.all_open.toggled.connect(self._show_tasks)
        self.tasks_title = QLabel("议定任务")
        self.tasks_title.setStyleSheet("font-weight: bold;")
        tasks_head = QHBoxLayout()
        tasks_head.addWidget(self.tasks_title)
        tasks_head.addStretch(1)
        tasks_head.addWidget(self.all_open)
        self.task_table = _table(TASK_COLUMNS)
        self.task_table.itemSelectionChanged.connect(self._task_selected)
        self.task_table.doubleClicked.connect(lambda _ix: self.open_case())
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.detail)
        layout.addLayout(tasks_head)
        layout.addWidget(self.task_table, 3)
        self._open_tasks: list[TaskView] = []
        self.reload()

    # -- loading -------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        svc = self.ctx.services.get(MeetingService)
        actor = self.ctx.actor
        self.ctx.tasks.run(lambda: (svc.list(actor), svc.open_tasks(actor)), writes=False,
                           on_done=lambda got: self._show(*got, select=select),
                           on_error=lambda e, t: shiboken6.isValid(self) and show_error(self, e, t))

    def _show(self, meetings: list[MeetingView], open_tasks: list[TaskView], select: str | None = None) -> None:
        if not shiboken6.isValid(self):
            return
        keep = select or (self.selected().id if self.selected() else None)
        self.meetings, self._open_tasks = meetings, open_tasks
        self.table.setRowCount(len(meetings))
        for i, m in enumerate(meetings):
            values = [f"{m.held_on:%Y-%m-%d}", m.kind.label + (f"：{m.topic}" if m.topic else ""), f"第{m.issue}期",
                      m.chair, "、".join(x.number[-10:] for x in m.matters), str(len(m.tasks)), str(m.open_tasks),
                      m.unit_name]
            for j, v in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(v))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        row = next((i for i, m in enumerate(meetings) if m.id == keep), 0 if meetings else -1)
        if row >= 0:
            self.table.selectRow(row)
        self._meeting_selected()

    def selected(self) -> MeetingView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.meetings[rows[0].row()] if rows and rows[0].row() < len(self.meetings) else None

    def selected_task(self) -> TaskView | None:
        rows = self.task_table.selectionModel().selectedRows()
        return self.tasks[rows[0].row()] if rows and rows[0].row() < len(self.tasks) else None

    def _meeting_selected(self) -> None:
        m = self.selected()
        self.print_button.setEnabled(m is not None)
        if m is None:
            self.detail.setText("还没有会议记录。开过会后，点“新建会议记录”记下研究的事项和议定的任务。")
        else:
            lines = [f"参会单位：{'、'.join(m.units)}" + (f"    地点：{m.place}" if m.place else "")]
            lines += [f"{x.number}（{x.parties}：{x.request}）" + (f"——{x.summary}" if x.summary else "")
                      for x in m.matters]
            if m.notes:
                lines.append(f"其他事项：{m.notes}")
            self.detail.setText("\n".join(lines))
        self._show_tasks()

    def _show_tasks(self) -> None:
        m = self.selected()
        if self.all_open.isChecked():
            self.tasks = list(self._open_tasks)
            self.tasks_title.setText(f"全部未完成的会议任务（{len(self.tasks)}项）")
        else:
            self.tasks = list(m.tasks) if m else []
            self.tasks_title.setText(f"{m.title()}议定的任务" if m else "议定任务")
        today = self.ctx.services.clock.today()
        self.task_table.setRowCount(len(self.tasks))
        for i, t in enumerate(self.tasks):
            values = [t.case_number, t.unit, t.what, f"{t.due_on:%Y-%m-%d}", t.state_text(today), t.result or "",
                      f"{t.meeting_kind.label} {t.meeting_date:%Y-%m-%d}"
                      + ("" if t.owner_unit == self.ctx.actor.unit_code else f"（{t.owner_name}）")]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if j == STATE_COLUMN and t.urgency is not None:
                    item.setBackground(URGENCY_BACKGROUND[t.urgency.value])
                    item.setForeground(URGENCY_FOREGROUND[t.urgency.value])
                    item.setToolTip(t.urgency.word)
                self.task_table.setItem(i, j, item)
        self.task_table.resizeColumnsToContents()
        self.task_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.task_table.resizeRowsToContents()
        # No row chosen for the user: a selected row's highlight would hide its deadline's colour.
        self._task_selected()

    def _task_selected(self) -> None:
        t = self.selected_task()
        self.open_button.setEnabled(t is not None)
        self.close_button.setEnabled(bool(t and t.open and t.owner_unit == self.ctx.actor.unit_code
                                          and self.ctx.actor.can(Permission.NOTE)))

    # -- actions -------------------------------------------------------------------------------
    def add(self) -> FormDialog | None:
        if not self.ctx.actor.can(Permission.NOTE):
            return None
        return meeting_form(self, self.ctx, on_saved=lambda v: self.reload(select=v.id))

    def close_task(self) -> FormDialog | None:
        t = self.selected_task()
        if t is None or not t.open:
            return None
        svc = self.ctx.services.get(MeetingService)
        fields = [Field("result", "完成情况(&R)", "text", True, placeholder="如：已约谈企业，工资已于本月底前支付"),
                  Field("closed_on", "完成日期(&D)", "date", True)]
        dialog = FormDialog(self, self.ctx, f"任务完成 — {t.case_number}", fields,
                            lambda v: svc.close_task(self.ctx.actor, t.id, v["result"], v["closed_on"]),
                            head=f"{t.unit}：{t.what}（完成时限{t.due_on:%Y-%m-%d}）")
        dialog.saved.connect(lambda _t: self.reload())
        dialog.open()
        return dialog

    def print_minutes(self) -> None:
        m = self.selected()
        if m is None:
            return
        from ..print_preview import show_document

        svc = self.ctx.services.get(MeetingService)

        def shown(rendered) -> None:
            if shiboken6.isValid(self):
                show_document(self, rendered, file_name=f"{rendered.title}{m.held_on:%Y%m%d}.pdf")

        self.ctx.tasks.run(lambda: svc.minutes(self.ctx.actor, m.id), writes=True, on_done=shown,
                           on_error=lambda e, t: shiboken6.isValid(self) and show_error(self, e, t))

    def open_case(self) -> None:
        t = self.selected_task()
        if t is not None and self.window_ is not None:
            self.window_.open_case(t.case_id)


def meeting_form(parent: QWidget, ctx: AppContext, *, on_saved: Callable[[MeetingView], None]) -> FormDialog:
    """The meeting's record in one keyboard form: the matters by (short) number, one task a line."""
    svc = ctx.services.get(MeetingService)
    fields = [
        Field("kind", "会议类型(&K)", "choice", True, tuple((k.value, f"{k.label}（{k.rhythm}）") for k in MeetingKind)),
        Field("held_on", "会议日期(&D)", "date", True),
        Field("chair", "主持人(&H)", "line", True, placeholder="如：陈镇长"),
        Field("place", "地点(&L)", "line", placeholder="如：镇政府三楼会议室"),
        Field("topic", "议题(&T)", "line", placeholder="专题会、研判会的议题；其他会议可不填"),
        Field("units", "参会单位(&U)", "line", True, placeholder="镇劳动保障所、镇司法所、镇村建办",
              hint="多个单位用顿号分隔。"),
        Field("matters", "研究事项(&M)", "line", True, placeholder="1252、1253",
              hint="事项编号用顿号分隔；可只输入序号（1252）或年份-序号（2026-1252）。"),
        Field("tasks", "议定任务(&R)", "text", placeholder="1252：镇劳动保障所：核实拖欠工资数额，约谈企业：2026-11-20",
              hint="每行一项：事项：责任单位：任务内容：完成时限（YYYY-MM-DD）。"),
        Field("summaries", "研究情况(&S)", "text", placeholder="1252：企业已承认拖欠三个月工资",
              hint="可不填；每行一件：事项：研究情况。"),
        Field("notes", "其他事项(&E)", "text"),
    ]

    def submit(v: dict[str, Any]) -> MeetingView:
        tasks = [parse_task_line(line) for line in (v["tasks"] or "").splitlines() if line.strip()]
        matters = [x for x in (v["matters"] or "").replace("，", "、").replace(",", "、").replace(" ", "、").split("、")
                   if x.strip()]
        return svc.add(ctx.actor, MeetingInput(
            kind=v["kind"], held_on=v["held_on"], chair=v["chair"], units=[v["units"] or ""], matters=matters,
            tasks=tasks, place=v["place"] or "", topic=v["topic"] or "", summaries=parse_summary_lines(v["summaries"]),
            notes=v["notes"] or ""))

    dialog = FormDialog(parent, ctx, "新建会议记录", fields, submit,
                        head="会议开过后记录：研究了哪些事项，每件议定由哪个单位做什么、何时完成。"
                             "任务只写对事项的处理，不写对人员的限制措施。")
    dialog.setMinimumWidth(720)
    dialog.saved.connect(on_saved)
    dialog.open()
    return dialog


def _table(columns: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels(columns)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setSelectionMode(QAbstractItemView.SingleSelection)
    t.setWordWrap(True)
    return t


def create(ctx: AppContext, window) -> QWidget:
    return MeetingPage(ctx, window)
