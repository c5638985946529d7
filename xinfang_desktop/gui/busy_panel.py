"""The busy panel: a progress bar and, for work that can stop, a 取消 button; hidden while nothing runs.

A page starts it before handing work to the TaskRunner (`start()` gives the TaskState that 取消
reaches), passes `panel.set_progress` as the task's progress callback, and calls `stop()` when the
work has finished or failed.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from .tasks import TaskState


class BusyPanel(QWidget):
    cancelling = Signal()       # 取消 was pressed: the page says so in its own words

    def __init__(self, *, cancel_tip: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.state: TaskState | None = None
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("取消")
        if cancel_tip:
            self.cancel_button.setToolTip(cancel_tip)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)

    def start(self, *, cancellable: bool = False, measured: bool = True) -> TaskState | None:
        """Show the bar at 0. `measured=False`: work with no fraction to show (the bar just moves).
        Returns the TaskState to run the work with when it can be cancelled, made before the run so
        that 取消 reaches it."""
        self.state = TaskState() if cancellable else None
        self.progress.setVisible(True)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable)
        self.progress.setRange(0, 100 if measured else 0)
        self.progress.setValue(0)
        return self.state

    def stop(self) -> None:
        self.state = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def busy(self) -> bool:
        return self.progress.isVisible()

    def set_progress(self, fraction: float, _text: str = "") -> None:
        if self.busy():
            self.progress.setValue(int(fraction * 100))

    def cancel(self) -> None:
        if self.state is not None:
            self.state.cancel()
            self.cancel_button.setEnabled(False)
            self.cancelling.emit()
