"""积案: the 积案 register by matter — plan, owner (包案), next step with its urgency, days on the register — and
the matters the rule suggests, each put on the register only by a decision with a reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ...domain.urgency import Urgency
from ...services.backlog import BacklogService, Entry
from ...services.permissions import Permission
from .. import list_place, resolution_forms
from ..context import AppContext
from ..errors import show_error
from ..refresh import refresh_on_change
from ..tables import read_only_table

PAGE_KEY = "backlog"
COLUMNS = ["事项编号", "诉求", "列入依据", "包案领导", "化解方案", "下一步", "信访天数", "列入天数", "状态", "单位"]
SUGGESTED = ["事项编号", "建议依据", "说明"]
_COLOURS = {Urgency.RED: "#fbe3e3", Urgency.AMBER: "#fdf1d6"}


def _plan(e: Entry) -> str:
    done = sum(1 for s in e.steps if s.done_on)
    return f"共{len(e.steps)}步，已完成{done}步" if e.steps else "尚未制定"


def _next(e: Entry) -> str:
    n = e.next_step
    if n is None:
        return "—"
    return f"{n.urgency.symbol}{n.action}（{n.responsible}，{n.due_on:%Y-%m-%d}前，{n.urgency.short_word}）"


class BacklogPage(QWidget):
    def __init__(self, ctx: AppContext, window=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.entries: list[Entry] = []
        self.suggestions: list = []
        self._wanted: str | None = None
        title = QLabel("积案台账")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        note = QLabel("长期未化解、重复信访的事项，经经办人或领导决定并写明理由列入积案，制定化解方案、明确包案领导，"
                      "直至案结事了、息诉罢访或依法终结。步骤期限与其他期限一样：不足期限的1/4为临近（▲），过期为超期（■）。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #444;")
        can = ctx.actor.can(Permission.NOTE)
        self.show_resolved = QCheckBox("显示已化解移出的")
        self.show_resolved.toggled.connect(self.reload)
        self.add_button = QPushButton("列入积案(&N)…")
        self.add_button.clicked.connect(self.add)
        self.step_button = QPushButton("增加步骤(&T)…")
        self.step_button.clicked.connect(self.add_step)
        self.done_button = QPushButton("步骤完成(&D)…")
        self.done_button.clicked.connect(self.step_done)
        self.resolve_button = QPushButton("化解移出(&R)…")
        self.resolve_button.clicked.connect(self.resolve)
        self.open_button = QPushButton("打开事项(&O)")
        self.open_button.clicked.connect(self.open_case)
        self.add_button.setEnabled(can)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        for w in (self.show_resolved, self.add_button, self.step_button, self.done_button, self.resolve_button,
                  self.open_button):
            top.addWidget(w)
        self.table = self._table(COLUMNS)
        self.table.doubleClicked.connect(lambda _ix: self.open_case())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.suggested_label = QLabel()
        self.suggested = self._table(SUGGESTED)
        self.suggested.setMinimumHeight(120)
        self.decide_button = QPushButton("决定列入所选(&J)…")
        self.decide_button.clicked.connect(self.decide)
        self.decide_button.setEnabled(False)
        self.suggested.itemSelectionChanged.connect(
            lambda: self.decide_button.setEnabled(can and bool(self.suggested.selectionModel().selectedRows())))
        below = QHBoxLayout()
        below.addWidget(self.suggested_label, 1)
        below.addWidget(self.decide_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        # The register above, the suggestions below, sharing the height: at 1920×1080 a short register left
        # most of the page empty while the suggestions showed 4 rows of 17 behind a scroll bar.
        layout.addWidget(self.table, 3)
        layout.addWidget(self.detail)
        layout.addLayout(below)
        layout.addWidget(self.suggested, 2)
        self.reload()
        refresh_on_change(self, ctx.tasks, self.reload)

    @staticmethod
    def _table(columns: list[str]) -> QTableWidget:
        # The request (the register's) or the reason (the suggestions') takes the width, not the last column.
        return read_only_table(columns, single=True, wrap=True, stretch_last=False)

    def reload(self) -> None:
        svc = self.ctx.services.get(BacklogService)
        include = self.show_resolved.isChecked()
        actor = self.ctx.actor
        self.ctx.tasks.run(lambda: (svc.register(include_resolved=include), svc.suggestions(actor)), writes=False,
                           on_done=self._show, on_error=lambda e, t: show_error(self, e, t), owner=self)

    def _show(self, found) -> None:
        place = list_place.remember(self.table, [e.id for e in self.entries])
        self.entries, self.suggestions = found
        self.table.setRowCount(len(self.entries))
        for i, e in enumerate(self.entries):
            state = f"已{e.outcome.label}（{e.outcome_on:%Y-%m-%d}）" if e.outcome else "在册"
            values = [e.case_number, e.request, e.basis.label, e.owner or "未指定", _plan(e), _next(e),
                      str(e.matter_days), str(e.days_open), state, e.unit_name]
            urgency = e.next_step.urgency if e.next_step and e.on_register else None
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if not e.on_register:
                    item.setForeground(Qt.gray)
                elif j == 5 and urgency in _COLOURS:
                    item.setBackground(QColor(_COLOURS[urgency]))
                self.table.setItem(i, j, item)
        # The unit shows where the register holds other units' matters (the city sees every township's).
        self.table.setColumnHidden(9, all(e.unit_code == self.ctx.actor.unit_code for e in self.entries))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        list_place.restore(self.table, place, [e.id for e in self.entries])   # the same entry, another desk's too
        self.suggested_label.setText(f"按规则建议列入积案的事项（{len(self.suggestions)}件，须决定并写明理由才列入）：")
        self.suggested.setRowCount(len(self.suggestions))
        for i, s in enumerate(self.suggestions):
            for j, v in enumerate((s.number, s.basis.label, s.why)):
                self.suggested.setItem(i, j, QTableWidgetItem(v))
        self.suggested.resizeColumnsToContents()
        self.suggested.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self._selection_changed()
        if self._wanted:
            self.show_case(self._wanted)

    def selected(self) -> Entry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        e = self.selected()
        mine = bool(e and e.on_register and e.unit_code == self.ctx.actor.unit_code
                    and self.ctx.actor.can(Permission.NOTE))
        self.step_button.setEnabled(mine)
        self.done_button.setEnabled(mine and e.next_step is not None)
        self.resolve_button.setEnabled(mine)
        self.open_button.setEnabled(e is not None)
        if e is None:
            self.detail.setText("")
            return
        lines = [f"列入：{e.decided_on:%Y-%m-%d}，{e.decided_by}决定；理由：{e.reason}"]
        for s in e.steps:
            state = f"已于{s.done_on:%Y-%m-%d}完成：{s.result}" if s.done_on else f"{s.urgency.symbol}{s.urgency.short_word}"
            lines.append(f"{s.position}. {s.action}（{s.responsible}，{s.due_on:%Y-%m-%d}前）{state}")
        if e.outcome:
            lines.append(f"化解结果：{e.outcome.label}（{e.outcome_on:%Y-%m-%d}）{e.outcome_note or ''}")
        self.detail.setText("\n".join(lines))

    # -- actions -----------------------------------------------------------------------------------
    def add(self):
        return resolution_forms.backlog_form(self, self.ctx, None, "列入积案：请填写事项编号。",
                                             on_saved=lambda _e: self.reload())

    def decide(self):
        rows = self.suggested.selectionModel().selectedRows()
        if not rows:
            return None
        s = self.suggestions[rows[0].row()]
        return resolution_forms.backlog_form(self, self.ctx, s.number, f"{s.number}：{s.why}", basis=s.basis.value,
                                             reason=s.why, on_saved=lambda _e: self.reload())

    def add_step(self):
        e = self.selected()
        return e and resolution_forms.step_form(self, self.ctx, e, lambda _e: self.reload())

    def step_done(self):
        e = self.selected()
        return e and resolution_forms.step_done_form(self, self.ctx, e, lambda _e: self.reload())

    def resolve(self):
        e = self.selected()
        return e and resolution_forms.resolve_form(self, self.ctx, e, lambda _e: self.reload())

    def open_case(self) -> None:
        e = self.selected()
        if e is not None and self.window_ is not None:
            self.window_.open_case(e.case_id)

    def show_case(self, number: str) -> None:
        """Select the matter's row, or its suggestion (the board's "long-standing" reason opens the register on
        it); done again when the page has (re)loaded."""
        self._wanted = number
        for i, e in enumerate(self.entries):
            if e.case_number == number:
                self.table.selectRow(i)
                return
        for i, s in enumerate(self.suggestions):
            if s.number == number:
                self.suggested.selectRow(i)
                return


def create(ctx: AppContext, window) -> QWidget:
    return BacklogPage(ctx, window)
