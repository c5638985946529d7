"""评理: 信访评理 sessions — recent sessions, a new entry, a correction, the one-page 评理意见."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from ...services.deliberation import Deliberation, DeliberationService
from ...services.permissions import Permission
from .. import resolution_forms
from ..context import AppContext
from ..errors import show_error
from ..refresh import refresh_on_change
from ..tables import read_only_table

PAGE_KEY = "deliberation"
COLUMNS = ["评理日期", "事项编号", "地点", "评理团", "到场人员", "信访人意见", "记录"]


class DeliberationPage(QWidget):
    def __init__(self, ctx: AppContext, window=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.sessions: list[Deliberation] = []
        title = QLabel("信访评理")
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        note = QLabel("评理团（老干部、党员、调解员等）听取信访人和被反映单位的陈述，公开给出评理意见。"
                      "记录只增不改：记错了用“更正”新增一条指向原记录的更正记录，原记录保留可查。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #444;")
        self.show_corrected = QCheckBox("显示已被更正的原记录")
        self.show_corrected.toggled.connect(self.reload)
        self.add_button = QPushButton("新增评理记录(&N)…")
        self.add_button.clicked.connect(self.add)
        self.correct_button = QPushButton("更正所选(&E)…")
        self.correct_button.clicked.connect(self.correct)
        self.print_button = QPushButton("打印评理意见(&P)")
        self.print_button.clicked.connect(self.print_view)
        self.open_button = QPushButton("打开事项(&O)")
        self.open_button.clicked.connect(self.open_case)
        self.add_button.setEnabled(ctx.actor.can(Permission.NOTE))
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        for w in (self.show_corrected, self.add_button, self.correct_button, self.print_button, self.open_button):
            top.addWidget(w)
        self.table = read_only_table(COLUMNS, single=True, wrap=True, stretch=3)
        self.table.doubleClicked.connect(lambda _ix: self.open_case())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.reload()
        refresh_on_change(self, ctx.tasks, self.reload)

    def reload(self) -> None:
        svc = self.ctx.services.get(DeliberationService)
        include = self.show_corrected.isChecked()
        self.ctx.tasks.run(lambda: svc.recent(500, include_corrected=include), writes=False, on_done=self._show,
                           on_error=lambda e, t: show_error(self, e, t), owner=self)

    def _show(self, sessions: list[Deliberation]) -> None:
        self.sessions = sessions
        self.table.setRowCount(len(sessions))
        for i, s in enumerate(sessions):
            state = "已被更正" if not s.current else ("更正记录" if s.corrects else "")
            values = [f"{s.held_on:%Y-%m-%d}", s.case_number, s.place, "、".join(f"{m.name}（{m.role}）" for m in s.panel),
                      "、".join(s.attendees), "接受" if s.accepted else "未接受", state]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if not s.current:
                    item.setForeground(Qt.gray)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.Stretch)
        self._selection_changed()

    def selected(self) -> Deliberation | None:
        rows = self.table.selectionModel().selectedRows()
        return self.sessions[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        s = self.selected()
        self.print_button.setEnabled(bool(s and s.current))
        self.correct_button.setEnabled(bool(s and s.current) and self.ctx.actor.can(Permission.NOTE))
        self.open_button.setEnabled(s is not None)
        self.detail.setText("" if s is None else f"各方陈述：{s.statements}\n评理意见：{s.view}")

    def add(self):
        return resolution_forms.deliberation_form(self, self.ctx, None, "新增评理记录：请填写事项编号。",
                                                  on_saved=lambda _s: self.reload())

    def correct(self):
        s = self.selected()
        if s is None:
            return None
        return resolution_forms.deliberation_form(self, self.ctx, s.case_number,
                                                  f"更正 {s.held_on:%Y-%m-%d} 的评理记录（{s.case_number}）",
                                                  corrects=s, on_saved=lambda _s: self.reload())

    def print_view(self) -> None:
        s = self.selected()
        if s is not None and s.current:
            resolution_forms.open_deliberation(self, self.ctx, s.id)

    def open_case(self) -> None:
        s = self.selected()
        if s is not None and self.window_ is not None:
            self.window_.open_case(s.case_id)


def create(ctx: AppContext, window) -> QWidget:
    return DeliberationPage(ctx, window)
