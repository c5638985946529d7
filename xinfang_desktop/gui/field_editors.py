"""The editor widget of one form field, by kind, and reading its value back. Shared by the small
forms of the case view: the workflow actions (action_dialogs) and the attention records
(attention_forms)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..domain import workflow as wf


class FileEdit(QWidget):
    """A path typed or chosen with 浏览…: `line` holds it."""

    def __init__(self, title: str, file_filter: str, placeholder: str = ""):
        super().__init__()
        self.title, self.file_filter = title, file_filter
        self.line = QLineEdit()
        self.line.setPlaceholderText(placeholder)
        self.browse_button = QPushButton("浏览(&B)…")
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        row.addWidget(self.browse_button)
        self.setFocusProxy(self.line)

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.title, self.line.text(), self.file_filter)
        if name:
            self.line.setText(name)

    def text(self) -> str:
        return self.line.text()


def make_editor(kind: str, *, today: date | None, default: Any = None, placeholder: str = "",
                choices: tuple[tuple[Any, str], ...] = (), text_height: int = 80,
                bounds: tuple[int, int] | None = None, browse: tuple[str, str] = ()) -> QWidget:
    """`kind`: text (several lines), choice, date, days (an extension, 1–30), count (a whole number,
    within `bounds`), check (yes or no, `placeholder` is its text), password (hidden as typed), file (a
    path with 浏览…, `browse` = the dialog's title and filter); anything else is one line of text."""
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
        day = default or today
        assert day is not None, "a date field needs today's date"
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
        s.setRange(*(bounds or (0, 10000)))
        s.setValue(int(default or 1))
        return s
    if kind == "file":
        title, file_filter = browse or ("选择文件", "所有文件 (*)")
        f = FileEdit(title, file_filter, placeholder)
        if default:
            f.line.setText(str(default))
        return f
    line = QLineEdit()
    if kind == "password":
        line.setEchoMode(QLineEdit.Password)
    line.setPlaceholderText(placeholder)
    if default:
        line.setText(str(default))
    return line


def read_value(w: QWidget) -> Any:
    """Stripped text (a password as typed), the chosen item's data, a `date`, an int, or a bool."""
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
    if isinstance(w, FileEdit):
        return w.text().strip()
    if isinstance(w, QLineEdit) and w.echoMode() == QLineEdit.Password:
        return w.text()
    return w.text().strip()  # type: ignore[attr-defined]
