"""Every string a window shows a person: labels, buttons, group titles, tab names, placeholders, combo
items, table and tree headers, menu actions, tooltips and window titles — for the vocabulary test."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit,
                               QListWidget, QMenu, QPlainTextEdit, QTableView, QTabWidget, QTextEdit,
                               QTreeView, QWidget)

# Latin text a clerk may see: file types and names, units, keys, a command line and its role codes, and a
# pinyin example of a search box that takes pinyin.
ALLOWED_LATIN = re.compile(
    r"xinfang [a-z]+ [a-z]+[^\u4e00-\u9fff]*|"
    r"(?<![A-Za-z])(?:manifest\.json|xinfang[\w*.-]*|\.?(?:xlsx|xlsm|csv|pdf|json|sqlite3|txt|age|png)"
    r"|PDF|Excel|WPS|JPG|PNG|TIF|U|KB|MB|GB|mm|A4|QR|Enter|Esc|Tab|Delete|Del|Backspace|F\d{1,2}|PgUp|PgDn|Home|End"
    r"|(?:(?:Ctrl|Alt|Shift)\+)+[A-Za-z0-9=+-]*)(?![A-Za-z])"
    r"|--[a-z-]+|(?<![A-Za-z])(?:clerk|handler|leader|admin)(?![A-Za-z])"
    r"|拼音[^。]*如 [a-z]{1,6}(?![A-Za-z])"
    r"|&[A-Za-z]|\([A-Za-z]\)|（[A-Za-z]）",
)


def texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for the widget and all its children."""
    for w in [widget, *widget.findChildren(QWidget)]:
        name = type(w).__name__
        if w.isWindow() and w.windowTitle():
            yield f"{name} windowTitle", w.windowTitle()
        if w.toolTip():
            yield f"{name} toolTip", w.toolTip()
        if isinstance(w, QLabel) and w.text():
            yield f"{name} text", w.text()
        if isinstance(w, QAbstractButton) and w.text():
            yield f"{name} text", w.text()
        if isinstance(w, QGroupBox) and w.title():
            yield f"{name} title", w.title()
        if isinstance(w, (QLineEdit, QTextEdit, QPlainTextEdit)) and w.placeholderText():
            yield f"{name} placeholder", w.placeholderText()
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                yield f"{name} item", w.itemText(i)
            if w.lineEdit() is not None and w.lineEdit().placeholderText():
                yield f"{name} placeholder", w.lineEdit().placeholderText()
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                yield f"{name} tab", w.tabText(i)
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                yield f"{name} item", w.item(i).text()
        header = (w.horizontalHeader() if isinstance(w, QTableView) else w.header() if isinstance(w, QTreeView)
                  else None)
        if header is not None and w.model() is not None:
            for section in range(header.count()):
                if header.isSectionHidden(section):
                    continue
                text = w.model().headerData(section, Qt.Horizontal, Qt.DisplayRole)
                if text:
                    yield f"{name} header", str(text)
        for action in w.actions():
            if action.text():
                yield f"{name} action", action.text()
            if action.menu() is not None:
                for sub in action.menu().actions():
                    if sub.text():
                        yield f"{name} menu action", sub.text()
        if isinstance(w, QMenu):
            for a in w.actions():
                if a.text():
                    yield f"{name} menu action", a.text()


def latin_words(text: str) -> list[str]:
    """The Latin letters left once allowed words (file types, units, keys, mnemonics) are taken out."""
    plain = re.sub(r"<[^>]+>", "", text)            # rich text: the tags are not shown
    plain = ALLOWED_LATIN.sub("", plain)
    return re.findall(r"[A-Za-z]+", plain)
