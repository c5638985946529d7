"""Work off the UI thread, results back on it (Anki's TaskManager, Orange3's TaskState).

Database writes go through one lane (a pool of one thread), so they are serialised; reads and
rendering use a second pool. Each function may take `progress(fraction, text)` and
`cancelled()` callables. Tests construct the runner with inline=True: work then runs at once.
"""

from __future__ import annotations

import inspect
import sys
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


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


class TaskRunner(QObject):
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
            progress: Callable[[float, str], None] | None = None, state: TaskState | None = None) -> TaskState:
        state = state or TaskState()
        on_error = on_error or self.default_error
        wants_state = "state" in inspect.signature(fn).parameters
        call = (lambda: fn(state=state)) if wants_state else fn
        if self.inline:
            if progress:
                state._progress = progress
            try:
                result = call()
            except Exception as exc:  # noqa: BLE001
                if on_error is None:
                    raise
                on_error(exc, traceback.format_exc())
            else:
                if on_done:
                    on_done(result)
            return state
        signals = _Signals()
        self._live.add(signals)
        if progress:
            signals.progress.connect(progress)
            state._progress = signals.progress.emit
        if on_done:
            signals.done.connect(on_done)
        if on_error:
            signals.failed.connect(on_error)
        signals.done.connect(lambda _r, s=signals: self._live.discard(s))
        signals.failed.connect(lambda _e, _t, s=signals: self._live.discard(s))
        (self._write if writes else self._read).start(_Job(call, signals))
        return state

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until queued work has finished (at exit, and in tests)."""
        return self._write.waitForDone(msecs) and self._read.waitForDone(msecs)
