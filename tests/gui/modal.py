"""Answering a modal dialog in a GUI test: its exec() runs a nested event loop, so a timer started
before the click finds the dialog there and clicks through it."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

# A failed assertion inside the nested loop would abort the run (an exception in a Qt slot): it is
# kept here instead, the dialog closed, and tests/gui/conftest.py fails the test with it.
FAILURES: list[BaseException] = []


def answer(kind: type, fill: Callable) -> list[str]:
    """Fill the dialog of `kind` the next click or key opens; returns the titles of the dialogs seen."""
    seen: list[str] = []

    def step() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(10, step)
            return
        seen.append(dialog.windowTitle())
        try:
            fill(dialog)
        except BaseException as exc:  # noqa: BLE001 - reported by the fixture, not raised in Qt's loop
            FAILURES.append(exc)
            dialog.reject()

    QTimer.singleShot(0, step)
    return seen


def click_button(qtbot, text: str) -> Callable[[QMessageBox], None]:
    """A `fill` for a message box: click the button whose text starts with `text`."""
    def fill(box: QMessageBox) -> None:
        button = next(b for b in box.buttons() if b.text().startswith(text))
        qtbot.mouseClick(button, Qt.LeftButton)
    return fill
