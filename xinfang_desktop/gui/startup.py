"""The start path's timing: what is loaded behind the first window, and the probes that measure it.

The first window (the login) imports only what it shows. Once it is on the screen, `warm_up` imports
the services and documents the main window's pages use, in a worker thread, while the name and
password are typed: after the login only the pages themselves are left to load."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

# Non-Qt modules the main window's pages import anyway (tests/gui/test_startup.py checks that each is),
# the heaviest first. Only the order of imports changes; a module missing here loads with its page.
WARM_UP = (
    "xinfang_desktop.services.access",
    "xinfang_desktop.services.context",
    "xinfang_desktop.services.printing",
    "xinfang_desktop.services.attention",
    "xinfang_desktop.services.sync",
    "xinfang_desktop.services.statistics",
    "xinfang_desktop.services.backup",
    "xinfang_desktop.services.receipts",
    "pypdfium2",                                # the print preview's
)


def warm_up() -> None:
    """Import WARM_UP (in a worker: no Qt object is made by these modules)."""
    for name in WARM_UP:
        importlib.import_module(name)


class _PaintWatch(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self.then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.then)      # after the whole window is painted, not only its frame
            self.deleteLater()
        return False


def when_painted(widget: QWidget, then: Callable[[], None]) -> None:
    """Call `then` once, just after `widget` is first painted (it is on the screen)."""
    _PaintWatch(widget, then)


# --probe-start / --probe-login (benchmarks/startup.py): the real start path, ended by the probe once
# what it measures is on the screen. Never used by a person.

class LoginProbe:
    """--probe-login: once the warm-up is done (a person types for longer than it takes), type the
    folder's first administrator's name and the password in XINFANG_PASSWORD and press 登录; when the
    workbench has its figures, paint them, print the wait since 登录 and end the program. Gives up
    after WAIT_S, saying what is on the screen, so that a benchmark never waits for ever."""

    WAIT_S = 60

    def __init__(self, login, data_dir: Path):
        self.login = login
        self.data_dir = data_dir
        self.pressed_at = 0.0

    def log_in(self, *_ignored) -> None:
        from ..store.keyring import Keyring

        self.login.ui.name.setText(Keyring.load(self.data_dir).first_admin() or "admin")
        self.login.ui.password.setText(os.environ.get("XINFANG_PASSWORD", ""))
        self.pressed_at = time.perf_counter()
        QTimer.singleShot(self.WAIT_S * 1000, self._gave_up)
        self.login.ui.buttons.button(QDialogButtonBox.Ok).click()

    def done(self, window: QWidget) -> None:
        window.repaint()
        print(f"probe: from 登录 to the filled workbench {time.perf_counter() - self.pressed_at:.3f} s", flush=True)
        window.close()
        QApplication.quit()

    def _gave_up(self) -> None:
        shown = [f"{type(w).__name__} {w.windowTitle()!r}" for w in QApplication.topLevelWidgets() if w.isVisible()]
        print(f"probe: no filled workbench {self.WAIT_S} s after 登录; on the screen: {shown}", file=sys.stderr,
              flush=True)
        os._exit(1)         # whatever holds the program up, the benchmark learns of it now
