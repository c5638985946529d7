"""A case picker for the forms that name a case (调解, 接访): type what a clerk says — 1252, 2026-1252,
the full number, or a name — and press Enter; the one case it names is chosen, or the candidates are
listed to choose from with the arrow keys and Enter.

Resolved like the case list's search box and the services (queries.case_candidates → find_case), in
the background. `text()` is what the form reads: the chosen full number(s), else what was typed (the
service then says what is wrong with it)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout, QWidget)

from ..services.queries import CaseRow
from .context import AppContext

SHOWN_PARTIES = 6          # characters of the petitioners' names shown on a candidate's line


def describe(row: CaseRow) -> str:
    """One short line per case (the request goes in the tooltip): the list is as wide as the form."""
    parties = row.parties if len(row.parties) <= SHOWN_PARTIES else row.parties[:SHOWN_PARTIES] + "…"
    return f"{row.number}　{parties}　{row.received_at:%Y-%m-%d}　{row.status_label}"


class _Entry(QLineEdit):
    """Enter looks up (it must not reach the dialog's default button); Down goes to the candidates."""

    enter = Signal()
    down = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not event.modifiers() & Qt.ControlModifier:
            self.enter.emit()
            event.accept()
            return
        if event.key() == Qt.Key_Down:
            self.down.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _List(QListWidget):
    """Enter chooses the current candidate here too, not the dialog's default button."""

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not event.modifiers() & Qt.ControlModifier:
            item = self.currentItem()
            if item is not None:
                self.itemActivated.emit(item)
            event.accept()
            return
        super().keyPressEvent(event)


class CasePicker(QWidget):
    """One case (`multiple=False`), or several (接访: each chosen is added to the list kept)."""

    chosen_changed = Signal()

    def __init__(self, ctx: AppContext, *, multiple: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.multiple = multiple
        self.candidates: list[CaseRow] = []
        self.chosen: list[CaseRow] = []
        self.entry = _Entry()
        self.entry.setPlaceholderText("序号如 1252、年份-序号或姓名，回车查找")
        self.entry.enter.connect(self.look_up)
        self.entry.down.connect(self._to_list)
        self.entry.textEdited.connect(self._typed)
        self.find = QPushButton("查找")
        self.find.setAutoDefault(False)
        self.find.clicked.connect(self.look_up)
        self.clear_button = QPushButton("清除所选")
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.clear_chosen)
        self.clear_button.setVisible(multiple)
        self.list = _List()
        self.list.hide()
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.entry, 1)
        row.addWidget(self.find)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.list)
        layout.addWidget(self.status)
        self.setFocusProxy(self.entry)

    # -- what the form reads ------------------------------------------------------------------
    def text(self) -> str:
        if self.chosen:
            return "、".join(r.number for r in self.chosen)
        return self.entry.text()

    def setText(self, text: str) -> None:
        self.entry.setText(text)

    # -- looking up ---------------------------------------------------------------------------
    def look_up(self) -> None:
        typed = self.entry.text().strip()
        if not typed:
            self.status.setText("请输入事项编号或姓名。")
            return
        queries = self.ctx.services.queries
        self.status.setStyleSheet("color: #666;")
        self.status.setText("正在查找…")
        self.ctx.tasks.run(lambda: queries.case_candidates(typed), writes=False,
                           on_done=lambda rows: self._found(typed, rows), on_error=self._failed, owner=self)

    def _found(self, typed: str, rows: list[CaseRow]) -> None:
        self.candidates = rows
        self.list.clear()
        if len(rows) == 1:
            self.list.hide()
            self._choose(rows[0])
            return
        if not rows:
            self.list.hide()
            self.status.setStyleSheet("color: #b00020;")
            self.status.setText(f"找不到“{typed}”对应的事项。请核对编号，或输入完整编号、姓名再试。")
            return
        for r in rows:
            item = QListWidgetItem(describe(r))
            item.setToolTip(r.request)
            item.setData(Qt.UserRole, r.id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        shown = min(len(rows), 6)
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * shown + 2 * self.list.frameWidth() + 4)
        self.list.show()
        self._fit()
        self.status.setStyleSheet("color: #5d4200;")
        self.status.setText(f"“{typed}”对应{len(rows)}件事项，请选择一件（↑↓ 移动，回车确定）。")

    def _failed(self, exc: BaseException, details: str) -> None:
        self.status.setStyleSheet("color: #b00020;")
        self.status.setText(getattr(exc, "message", None) or "查找没有完成，请重试。")

    def _to_list(self) -> None:
        if self.list.isVisible() and self.list.count():
            self.list.setFocus()
            if self.list.currentRow() < 0:
                self.list.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        row = next((r for r in self.candidates if r.id == item.data(Qt.UserRole)), None)
        if row is not None:
            self.list.hide()
            self._choose(row)
            self.entry.setFocus()

    def _choose(self, row: CaseRow) -> None:
        if self.multiple:
            if all(r.id != row.id for r in self.chosen):
                self.chosen.append(row)
            self.entry.clear()
        else:
            self.chosen = [row]
            self.entry.setText(row.number)
        self.status.setStyleSheet("color: #1b5e20;")
        lines = ["✓ " + describe(r) for r in self.chosen]
        if not self.multiple:
            lines.append(row.request)        # one case: what it is about, to be sure it is the right one
        self.status.setText("\n".join(lines))
        self.chosen_changed.emit()
        self._fit()

    def _fit(self) -> None:
        """The dialog grows to show the candidates and the chosen cases (it does not on its own)."""
        top = self.window()
        if top is not self:
            top.resize(top.width(), max(top.height(), top.sizeHint().height()))

    def _typed(self, _text: str) -> None:
        # Typing again in a single picker drops the choice: what is read is what is now typed.
        if not self.multiple and self.chosen:
            self.chosen = []
            self.status.setText("")
            self.chosen_changed.emit()

    def clear_chosen(self) -> None:
        self.chosen = []
        self.status.setText("")
        self.chosen_changed.emit()
