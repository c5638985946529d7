"""The busy panel: what a page or dialog shows while work runs off the UI thread, so that a wait of
seconds is never a dead window. A bar (the fraction done, or moving when the work cannot say how far
it has got) and, for work that can stop, a 取消 button; the button that started the work disabled and
saying what is happening. Hidden while nothing runs.

A page starts it before handing work to the TaskRunner — `start(button, "正在导出…", measured=False)`,
or `start(cancellable=True)`, which gives the TaskState that 取消 reaches — passes `panel.set_progress`
as the task's progress callback where there is a fraction, and calls `stop(button)` when the work has
finished or failed (from the task's callbacks, which the TaskRunner drops once the page is gone).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from .tasks import TaskState


class BusyPanel(QWidget):
    cancelling = Signal()       # 取消 was pressed: the page says so in its own words

    def __init__(self, *, cancel_tip: str = "", width: int | None = None, parent: QWidget | None = None):
        """`width`: a small bar of that width without a percentage, for a toolbar (beside the button)."""
        super().__init__(parent)
        self.state: TaskState | None = None
        self._running = False
        self._buttons: dict[QPushButton, str] = {}     # each button started with, and its own words
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        if width:
            self.progress.setFixedWidth(width)
            self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("取消")
        if cancel_tip:
            self.cancel_button.setToolTip(cancel_tip)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self.setVisible(False)

    def start(self, button: QPushButton | None = None, text: str = "", *, cancellable: bool = False,
              measured: bool = True) -> TaskState | None:
        """Show the bar at 0. `button`: disabled and saying `text` until `stop(button)`.
        `measured=False`: work with no fraction to show (the bar just moves). Returns the TaskState to
        run the work with when it can be cancelled, made before the run so that 取消 reaches it."""
        if button is not None:
            self._buttons.setdefault(button, button.text())
            button.setEnabled(False)
            button.setText(text)
        self.setToolTip(text)
        self._running = True
        self.state = TaskState() if cancellable else None
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable)
        self.setVisible(True)             # before the value: a listener to the bar sees it shown
        self.progress.setRange(0, 100 if measured else 0)
        self.progress.setValue(0)
        return self.state

    def stop(self, button: QPushButton | None = None) -> None:
        """The work started with `button` (or the panel's one piece of work) has finished or failed;
        the panel hides once no button's work is still running."""
        if button is not None:
            original = self._buttons.pop(button, None)
            if original is not None:
                button.setText(original)
                button.setEnabled(True)
        if self._buttons:
            return
        self._running = False
        self.state = None
        self.cancel_button.setVisible(False)
        self.setVisible(False)

    def busy(self) -> bool:
        return self._running

    def set_progress(self, fraction: float, _text: str = "") -> None:
        if self._running:
            self.progress.setValue(int(fraction * 100))

    def cancel(self) -> None:
        if self.state is not None:
            self.state.cancel()
            self.cancel_button.setEnabled(False)
            self.cancelling.emit()
