"""The editor widget of one form field, by kind, and reading its value back. Shared by the small
forms of the case view: the workflow actions (action_dialogs) and the attention records
(attention_forms)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLineEdit, QPlainTextEdit, QSpinBox, QWidget

from ..domain import workflow as wf


def make_editor(kind: str, *, today: date, default: Any = None, placeholder: str = "",
                choices: tuple[tuple[Any, str], ...] = (), text_height: int = 80) -> QWidget:
    """`kind`: text (several lines), choice, date, days (an extension, 1–30), count (a whole number),
    check (yes or no, `placeholder` is its text); anything else is one line of text."""
    if kind == "check":
        box = QCheckBox(placeholder)
        box.setChecked(bool(default))
        return box
    if kind == "text":
        w = QPlainTextEdit()
        w.setTabChangesFocus(True)         # Tab moves on, as everywhere else in the form
        w.setFixedHeight(text_height)
        w.setPlaceholderText(placeholder)
        if default:
            w.setPlainText(str(default))
        return w
    if kind == "choice":
        c = QComboBox()
        for value, label in choices:
            c.addItem(label, value)
        if default is not None:
            c.setCurrentIndex(max(0, c.findData(default)))
        return c
    if kind == "date":
        d = QDateEdit()
        d.setCalendarPopup(True)
        d.setDisplayFormat("yyyy-MM-dd")
        day: date = default or today
        d.setDate(QDate(day.year, day.month, day.day))
        return d
    if kind == "days":
        s = QSpinBox()
        s.setRange(1, wf.MAX_EXTENSION_DAYS)
        s.setSuffix(" 日")
        s.setValue(int(default or wf.MAX_EXTENSION_DAYS))
        return s
    if kind == "count":
        s = QSpinBox()
        s.setRange(0, 10000)
        s.setValue(int(default or 1))
        return s
    line = QLineEdit()
    line.setPlaceholderText(placeholder)
    if default:
        line.setText(str(default))
    return line


def read_value(w: QWidget) -> Any:
    """Stripped text, the chosen item's data, a `date`, an int, or a bool."""
    if isinstance(w, QCheckBox):
        return w.isChecked()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText().strip()
    if isinstance(w, QComboBox):
        return w.currentData()
    if isinstance(w, QDateEdit):
        return w.date().toPython()
    if isinstance(w, QSpinBox):
        return w.value()
    return w.text().strip()  # type: ignore[attr-defined]
