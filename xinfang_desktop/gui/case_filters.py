"""Pickers of the case list's filter bar: a category box searchable by text and pinyin, and a
received-date range that can be switched off."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QStringListModel, Signal
from PySide6.QtWidgets import QCheckBox, QCompleter, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QWidget

from ..domain.categories import Category, CategoryTable
from ..domain.glossary import RECEIVED_DATE


def category_text(c: Category) -> str:
    return f"{c.code} {c.name}"


class CategoryFilter(QLineEdit):
    """Type a code, a name, pinyin or initials ("tdcb", "tudi") and pick a first- or second-level
    category; a first-level one matches all of its children. Empty means every category."""

    changed = Signal()

    def __init__(self, categories: CategoryTable, parent: QWidget | None = None):
        super().__init__(parent)
        self.categories = categories
        self.code: str | None = None
        self.setPlaceholderText("类别：名称或拼音")
        self.setClearButtonEnabled(True)
        self._model = QStringListModel(self)
        self._codes: list[str] = []
        self._completer = QCompleter(self._model, self)
        # The list is already filtered by CategoryTable.search (pinyin too); do not filter it again.
        self._completer.setCompletionMode(QCompleter.UnfilteredPopupCompletion)
        self._completer.setMaxVisibleItems(12)
        self.setCompleter(self._completer)
        self._completer.activated[str].connect(self._picked)
        self.textEdited.connect(self._suggest)
        self.editingFinished.connect(self._settle)

    def _suggest(self, text: str) -> None:
        hits = self.categories.search(text)[:40]
        self._codes = [c.code for c in hits]
        self._model.setStringList([("" if c.parent_code is None else "　") + category_text(c) for c in hits])
        if hits:
            self._completer.complete()
        if not text.strip():
            self._set(None)

    def _picked(self, text: str) -> None:
        code = text.strip().split(" ", 1)[0]
        self._set(code if code in self.categories else None)

    def _settle(self) -> None:
        """Enter or leaving the box: the typed text becomes its best match, or nothing."""
        text = self.text().strip()
        if not text:
            self._set(None)
            return
        if self.code and text == category_text(self.categories.get(self.code)):
            return
        hits = self.categories.search(text.split(" ", 1)[-1] if text[:2].isdigit() else text)
        self._set(hits[0].code if hits else None)

    def set_code(self, code: str | None) -> None:
        self._set(code)

    def _set(self, code: str | None) -> None:
        text = category_text(self.categories.get(code)) if code else ""
        if self.text() != text:
            self.setText(text)
        if code != self.code:
            self.code = code
            self.changed.emit()


class DateRangeFilter(QWidget):
    """收到日期 [x] from … to …; unticked means any date."""

    changed = Signal()

    def __init__(self, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.enabled = QCheckBox(RECEIVED_DATE)
        self.start = QDateEdit(QDate(today.year, today.month, 1), calendarPopup=True)
        self.end = QDateEdit(QDate(today.year, today.month, today.day), calendarPopup=True)
        for w in (self.start, self.end):
            w.setDisplayFormat("yyyy-MM-dd")
            w.setEnabled(False)
            w.dateChanged.connect(self._edited)
        self.enabled.toggled.connect(self._toggled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.start)
        layout.addWidget(QLabel("至"))
        layout.addWidget(self.end)

    def _toggled(self, on: bool) -> None:
        self.start.setEnabled(on)
        self.end.setEnabled(on)
        self.changed.emit()

    def _edited(self) -> None:
        if self.enabled.isChecked():
            self.changed.emit()

    def set_range(self, start: date | None, end: date | None) -> None:
        for w, d in ((self.start, start), (self.end, end)):
            if d:
                w.blockSignals(True)
                w.setDate(QDate(d.year, d.month, d.day))
                w.blockSignals(False)
        self.enabled.setChecked(bool(start or end))
        self.changed.emit()

    def range(self) -> tuple[date | None, date | None]:
        if not self.enabled.isChecked():
            return None, None
        a, b = self.start.date().toPython(), self.end.date().toPython()
        return (a, b) if a <= b else (b, a)       # a reversed range is what the clerk meant, swapped
