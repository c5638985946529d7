"""A page of an append-only log of sessions held on matters (调解, 评理): the recent sessions, a new entry,
a correction that adds an entry pointing at the one it replaces (the original stays, greyed), the
session's document, and the case. The mediation and deliberation pages say only what differs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from ...services.permissions import Permission
from .. import list_place
from ..context import AppContext
from ..errors import show_error
from ..refresh import refresh_on_change
from ..tables import read_only_table

RECENT = 500        # sessions listed, newest first


class SessionLogPage(QWidget):
    TITLE = ""
    ENTRY = ""              # what one entry is called (调解记录)
    NOTE = ""
    ADD_LABEL = ""          # the 新增 button, with its mnemonic
    ADD_HEAD = ""           # the new entry's form says this first
    PRINT_LABEL = ""        # the document's button, with its mnemonic
    COLUMNS: list[str] = []
    STRETCH = 0             # the column that takes the table's spare width
    WIDEST = 13             # no other column wider than this many characters: longer text wraps

    def __init__(self, ctx: AppContext, window=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.window_ = window
        self.sessions: list[Any] = []
        title = QLabel(self.TITLE)
        title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        note = QLabel(self.NOTE)
        note.setWordWrap(True)
        note.setStyleSheet("color: #444;")
        self.show_corrected = QCheckBox("显示已被更正的原记录")
        self.show_corrected.toggled.connect(self.reload)
        self.add_button = QPushButton(self.ADD_LABEL)
        self.add_button.clicked.connect(self.add)
        self.correct_button = QPushButton("更正所选(&E)…")
        self.correct_button.clicked.connect(self.correct)
        self.print_button = QPushButton(self.PRINT_LABEL)
        self.print_button.clicked.connect(self._print)
        self.open_button = QPushButton("打开事项(&O)")
        self.open_button.clicked.connect(self.open_case)
        can_write = ctx.actor.can(Permission.NOTE)
        self.add_button.setEnabled(can_write)
        self.correct_button.setEnabled(can_write)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        for w in (self.show_corrected, self.add_button, self.correct_button, self.print_button, self.open_button):
            top.addWidget(w)
        self.table = read_only_table(self.COLUMNS, single=True, wrap=True, stretch=self.STRETCH)
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

    # -- what a log says about its own sessions --------------------------------------------------
    def service(self) -> Any:
        """The log's service: `recent(limit, include_corrected=...)`, newest first."""
        raise NotImplementedError

    def values(self, session) -> list[str]:
        raise NotImplementedError

    def detail_text(self, session) -> str:
        raise NotImplementedError

    def printable(self, session) -> bool:
        return bool(session.current)

    def print_session(self, session) -> None:
        raise NotImplementedError

    def form(self, case_number: str | None, head: str, corrects=None):
        raise NotImplementedError

    # -- the list ----------------------------------------------------------------------------------
    def reload(self) -> None:
        svc = self.service()
        include = self.show_corrected.isChecked()
        self.ctx.tasks.run(lambda: svc.recent(RECENT, include_corrected=include), writes=False,
                           on_done=self._show, on_error=lambda e, t: show_error(self, e, t), owner=self)

    def _show(self, sessions: list) -> None:
        place = list_place.remember(self.table, [s.id for s in self.sessions])
        self.sessions = sessions
        self.table.setRowCount(len(sessions))
        for i, s in enumerate(sessions):
            state = "已被更正" if not s.current else ("更正记录" if s.corrects else "")
            for j, v in enumerate([*self.values(s), state]):
                item = QTableWidgetItem(v)
                if not s.current:
                    item.setForeground(Qt.gray)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        # Long columns (调解员, 评理团, 地点) wrap at WIDEST instead of pushing the stretched one (到场当事人) down
        # to one character and the last past the edge: at 1280 wide it read 姜… behind a scroll bar.
        widest = self.widest()
        for col in range(self.table.columnCount()):
            if col != self.STRETCH and self.table.columnWidth(col) > widest:
                self.table.setColumnWidth(col, widest)
        self.table.horizontalHeader().setSectionResizeMode(self.STRETCH, QHeaderView.Stretch)
        self.table.resizeRowsToContents()
        # the same session stays selected when another desk's comes in above it: 更正 goes to the right one
        list_place.restore(self.table, place, [s.id for s in self.sessions])
        self._selection_changed()

    def widest(self) -> int:
        return self.table.fontMetrics().horizontalAdvance("字" * self.WIDEST) + 8

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.sessions[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        s = self.selected()
        self.print_button.setEnabled(bool(s and self.printable(s)))
        self.correct_button.setEnabled(bool(s and s.current) and self.ctx.actor.can(Permission.NOTE))
        self.open_button.setEnabled(s is not None)
        self.detail.setText("" if s is None else self.detail_text(s))

    # -- actions -------------------------------------------------------------------------------------
    def add(self):
        return self.form(None, self.ADD_HEAD)

    def correct(self):
        s = self.selected()
        if s is None:
            return None
        return self.form(s.case_number, f"更正 {s.held_on:%Y-%m-%d} 的{self.ENTRY}（{s.case_number}）", corrects=s)

    def _print(self) -> None:
        s = self.selected()
        if s is not None and self.printable(s):
            self.print_session(s)

    def open_case(self) -> None:
        s = self.selected()
        if s is not None and self.window_ is not None:
            self.window_.open_case(s.case_id)
