"""Lists that are always current: a page reloads what it shows after any write made in the app, or on
another desk.

The write lane of the TaskRunner emits `changed` once after each successful write; the change watcher
(change_watch.py) emits `changed_elsewhere` when another desk or process committed. A page that
registers here reloads at once when it is on the screen, or the next time it is shown, so a page
nobody looks at costs nothing. A reload keeps what the clerk set: the selection, sort, filter and
scroll position of the list (each page's reload sees to it). The reload must only read (`writes=False`): a reload that wrote
would announce a change and reload again, for ever.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from .tasks import CASES, TaskRunner


class _Refresher(QObject):
    """A child of the page: it goes with the page, and so does its connection to the runner."""

    def __init__(self, page: QWidget, tasks: TaskRunner, reload: Callable[[], None], on_show: bool):
        super().__init__(page)
        self.page = page
        self.reload = reload
        self.on_show = on_show
        self.stale = False
        tasks.changed.connect(self._changed)
        tasks.changed_elsewhere.connect(self._changed)
        page.installEventFilter(self)

    def _changed(self, what: str) -> None:
        if what != CASES:
            return
        if self.page.isVisible():
            self.stale = False
            self.reload()
        else:
            self.stale = True

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if obj is self.page and event.type() == QEvent.Show and self.stale:
            self.stale = False
            if self.on_show:
                self.reload()
        return False


def refresh_on_change(page: QWidget, tasks: TaskRunner, reload: Callable[[], None], *,
                      on_show: bool = True) -> None:
    """Call `reload` after each write that changed cases, here or on another desk: now if `page` is visible,
    else when it is next shown. `on_show=False` for a page that reloads every time it is shown anyway (the workbench)."""
    _Refresher(page, tasks, reload, on_show)
