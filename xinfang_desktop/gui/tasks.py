"""Work off the UI thread, results back on it (Anki's TaskManager, Orange3's TaskState).

Database writes go through one lane (a pool of one thread), so they are serialised; reads and
rendering use a second pool. Each function may take `progress(fraction, text)` and
`cancelled()` callables. Tests construct the runner with inline=True: work then runs at once.

A task started with `owner=widget` belongs to that widget: if the widget is deleted before the work
finishes, its callbacks are dropped (no hand-written "is the widget still there" checks). Every
successful task on the write lane emits `changed` once, after its callback: the window's lists and
counts refresh from that one signal. Reads must say `writes=False`, or a refresh would set off
another refresh.
"""

from __future__ import annotations

import inspect
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

# What a write changed, for `TaskRunner.changed`. Coarse on purpose: a listener reloads what it shows.
CASES = "cases"     # cases, their people or anything derived from them (lists, counts, the board)
OTHER = "other"     # nothing a list shows: a draft, an audit entry of a print or a view, a password


@dataclass
class TaskState:
    """Handed to a background function that asks for it: report progress, notice cancellation."""

    _cancel: threading.Event = field(default_factory=threading.Event)
    _progress: Callable[[float, str], None] | None = None

    def progress(self, fraction: float, text: str = "") -> None:
        if self._progress:
            self._progress(fraction, text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object, str)
    progress = Signal(float, str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals):
        super().__init__()
        self.fn = fn
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            self.signals.done.emit(result)
        finally:
            # A thread's database connection exists only once the services are loaded; a task run
            # before that (the login window's) must not load them for this.
            services = sys.modules.get("xinfang_desktop.services.context")
            if services is not None:
                services.release_thread_connection()


class _Owner:
    """Whether the widget a task reports to still exists: deleted (shiboken) or its destroyed signal seen."""

    def __init__(self, obj: QObject | None):
        self.obj = obj
        self.gone = False
        if obj is not None:
            obj.destroyed.connect(self._destroyed)

    def _destroyed(self, *_args: object) -> None:
        self.gone = True

    def alive(self) -> bool:
        return self.obj is None or (not self.gone and shiboken6.isValid(self.obj))

    def release(self) -> None:
        """Stop listening once the task is over: a page runs many tasks, the connections would pile up."""
        if self.obj is not None and not self.gone and shiboken6.isValid(self.obj):
            try:
                self.obj.destroyed.disconnect(self._destroyed)
            except (RuntimeError, TypeError):
                pass


class TaskRunner(QObject):
    changed = Signal(str)      # after each successful write: what changed (CASES or OTHER)
    # another desk, process or connection committed (gui/change_watch.py); what lists follow, like `changed`
    changed_elsewhere = Signal(str)

    def __init__(self, *, inline: bool = False, on_error: Callable[[BaseException, str], None] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.inline = inline
        self.default_error = on_error
        self._write = QThreadPool(self)
        self._write.setMaxThreadCount(1)
        self._read = QThreadPool(self)
        self._read.setMaxThreadCount(2)
        self._live: set[_Signals] = set()

    def run(self, fn: Callable[..., Any], *, on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException, str], None] | None = None, writes: bool = True,
            progress: Callable[[float, str], None] | None = None, state: TaskState | None = None,
            owner: QObject | None = None, changes: str = CASES) -> TaskState:
        """Run `fn` off the UI thread. `writes` picks the lane: True (the default, kept for old callers)
        serialises it with the other writes and emits `changed(changes)` when it succeeds; reads pass
        False. With `owner`, done/failed/progress are dropped once the owner has been deleted."""
        state = state or TaskState()
        on_error = on_error or self.default_error
        wants_state = "state" in inspect.signature(fn).parameters
        call = (lambda: fn(state=state)) if wants_state else fn
        watch = _Owner(owner)

        def done(result: Any) -> None:
            try:
                if on_done and watch.alive():
                    on_done(result)
            finally:
                watch.release()
                if writes:
                    self.changed.emit(changes)

        def failed(exc: BaseException, details: str) -> None:
            try:
                if on_error is None:
                    raise exc
                if watch.alive():
                    on_error(exc, details)
            finally:
                watch.release()

        def progressed(fraction: float, text: str) -> None:
            if progress and watch.alive():
                progress(fraction, text)

        if self.inline:
            if progress:
                state._progress = progressed
            try:
                result = call()
            except Exception as exc:  # noqa: BLE001
                failed(exc, traceback.format_exc())
            else:
                done(result)
            return state
        signals = _Signals()
        self._live.add(signals)
        if progress:
            signals.progress.connect(progressed)
            state._progress = signals.progress.emit
        signals.done.connect(lambda r, s=signals: (self._live.discard(s), done(r)))
        signals.failed.connect(lambda e, t, s=signals: (self._live.discard(s), on_error and failed(e, t)))
        (self._write if writes else self._read).start(_Job(call, signals))
        return state

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until queued work has finished (at exit, and in tests)."""
        return self._write.waitForDone(msecs) and self._read.waitForDone(msecs)
