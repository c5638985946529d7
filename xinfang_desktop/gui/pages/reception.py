"""接访: the log of leaders' receptions, a new entry, and the summary for a period (批 and 人次)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QDateEdit, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...services.permissions import Permission
from ...services.reception import ReceptionEntry, ReceptionKind, ReceptionService, ReceptionSummary
from ..attention_forms import Field, FormDialog
from .. import list_place
from ..context import AppContext
from ..errors import show_error
from ..refresh import refresh_on_change
from ..tables import read_only_table

PAGE_KEY = "reception"
LOG_COLUMNS = ["日期", "接访领导", "方式", "地点", "批次", "人次", "相关事项", "情况"]


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class ReceptionPage(QWidget):
    def __init__(self, ctx: AppContext, window=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.entries: list[ReceptionEntry] = []
        self.summary_value: ReceptionSummary | None = None
        title = QLabel("领导接访")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.add_button = QPushButton("记录接访(&N)…")
        self.add_button.setEnabled(ctx.actor.can(Permission.NOTE))
        self.add_button.clicked.connect(self.add)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.add_button)

        self.log = read_only_table(LOG_COLUMNS, stretch_last=False)
        self.log.horizontalHeader().setSectionResizeMode(7, QHeaderView.Stretch)

        today = ctx.services.clock.today()
        self.start = QDateEdit(_qdate(today.replace(day=1)))
        self.end = QDateEdit(_qdate(today))
        for w in (self.start, self.end):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        self.summary_button = QPushButton("汇总(&S)")
        self.summary_button.clicked.connect(self.summarize)
        self.summary = read_only_table(["接访方式", "次数", "批次（批）", "人次"], stretch_last=False)
        self.summary.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.summary_title = QLabel()
        box = QGroupBox("期间汇总")
        row = QHBoxLayout()
        for w in (QLabel("自"), self.start, QLabel("至"), self.end, self.summary_button):
            row.addWidget(w)
        row.addStretch(1)
        inner = QVBoxLayout(box)
        inner.addLayout(row)
        inner.addWidget(self.summary_title)
        inner.addWidget(self.summary)

        body = QHBoxLayout()
        body.addWidget(self.log, 3)
        body.addWidget(box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.reload()
        self.summarize()
        refresh_on_change(self, ctx.tasks, lambda: (self.reload(), self.summarize()))

    def reload(self) -> None:
        rs = self.ctx.services.get(ReceptionService)
        self.ctx.tasks.run(lambda: rs.entries(limit=500), writes=False, on_done=self._show_log,
                           on_error=lambda e, t: show_error(self, e, t), owner=self)

    def _show_log(self, entries: list[ReceptionEntry]) -> None:
        place = list_place.remember(self.log, [e.id for e in self.entries])
        self.entries = entries
        self.log.setRowCount(len(entries))
        for i, e in enumerate(entries):
            for j, v in enumerate((f"{e.held_on:%Y-%m-%d}", e.leader, e.kind.label, e.place, str(e.batches),
                                   str(e.persons), "、".join(e.case_numbers), e.notes)):
                self.log.setItem(i, j, QTableWidgetItem(v))
        self.log.resizeColumnsToContents()
        self.log.horizontalHeader().setSectionResizeMode(7, QHeaderView.Stretch)
        list_place.restore(self.log, place, [e.id for e in self.entries])

    def summarize(self) -> None:
        rs = self.ctx.services.get(ReceptionService)
        start, end, actor = self.start.date().toPython(), self.end.date().toPython(), self.ctx.actor
        self.ctx.tasks.run(lambda: rs.summary(actor, start, end), writes=False, on_done=self._show_summary,
                           on_error=lambda e, t: show_error(self, e, t), owner=self)

    def _show_summary(self, s: ReceptionSummary) -> None:
        self.summary_value = s
        self.summary_title.setText(f"{s.start:%Y-%m-%d} 至 {s.end:%Y-%m-%d}：共接访{s.total.receptions}次，"
                                   f"{s.total.batches}批{s.total.persons}人次")
        lines = s.display_lines()           # the 四门四访 subtotal beside 接访日, as in the statistics
        self.summary.setRowCount(len(lines))
        for i, ln in enumerate(lines):
            for j, v in enumerate((ln.label, str(ln.receptions), str(ln.batches), str(ln.persons))):
                item = QTableWidgetItem(v)
                if ln.kind is None:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.summary.setItem(i, j, item)

    def add(self) -> FormDialog:
        rs = self.ctx.services.get(ReceptionService)
        actor = self.ctx.actor
        fields = [
            Field("leader", "接访领导(&L)", "line", True, default=actor.display_name if actor.role.value == "leader" else ""),
            Field("held_on", "接访日期(&D)", "date", True),
            Field("place", "地点(&P)", "line", True, placeholder="如：镇信访接待大厅"),
            Field("kind", "接访方式(&K)", "choice", True, tuple((k.value, k.label) for k in ReceptionKind)),
            Field("batches", "接待批次(&B)", "count", True, default=1),
            Field("persons", "接待人次(&R)", "count", True, default=1, hint="每批至少1人，人次不少于批次。"),
            Field("cases", "相关事项(&C)", "cases",
                  placeholder="可不填；如 1252，回车查找",
                  hint="序号、年份-序号（如 2026-1252）、完整编号或姓名；可选多件。"),
            Field("notes", "接访情况(&Q)", "text"),
        ]

        def submit(v):
            cases = [c.strip() for c in v["cases"].replace("，", "、").replace(",", "、").split("、") if c.strip()]
            return rs.add(actor, leader=v["leader"], held_on=v["held_on"], place=v["place"], kind=v["kind"],
                          batches=v["batches"], persons=v["persons"], cases=cases, notes=v["notes"])

        dialog = FormDialog(self, self.ctx, "记录领导接访", fields, submit)
        dialog.saved.connect(lambda _e: (self.reload(), self.summarize()))
        dialog.open()
        return dialog


def create(ctx: AppContext, window) -> QWidget:
    return ReceptionPage(ctx, window)
