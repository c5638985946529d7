"""What a page shows while a print or an export is being made off the UI thread: the button disabled
and saying what is happening, and a moving bar beside it, so a wait of seconds is never a dead window."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QPushButton, QWidget


class BusyBar(QProgressBar):
    """A bar without a fraction (the renderer does not say how far it has got), hidden while idle."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setFixedWidth(110)
        self.setVisible(False)
        self._buttons: dict[QPushButton, str] = {}

    def start(self, button: QPushButton, text: str) -> None:
        self._buttons[button] = button.text()
        button.setEnabled(False)
        button.setText(text)
        self.setToolTip(text)
        self.setVisible(True)

    def stop(self, button: QPushButton) -> None:
        """Called from a task's callback, which the TaskRunner drops once its owner (the page) is gone."""
        original = self._buttons.pop(button, None)
        if original is not None:
            button.setText(original)
            button.setEnabled(True)
        self.setVisible(bool(self._buttons))

    def busy(self) -> bool:
        return bool(self._buttons)
