"""How failures reach a person: a Chinese message that says what to do, and the details to copy.

`install_logging` writes rotating log files in the data folder; `install_excepthook` turns any
unexpected error (main thread, a Qt slot, a worker thread) into a logged, non-blocking message
with a button that copies the details, so the window stays usable."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..domain.errors import XinfangError

log = logging.getLogger(__name__)

LOG_DIR = "logs"
LOG_FILE = "xinfang.log"


def message_for(exc: BaseException) -> str:
    if isinstance(exc, XinfangError):
        return exc.message
    # Imported when needed: it loads the database driver, which the first window does without.
    from ..store.errors import storage_message

    return storage_message(exc) or \
        "程序发生了意外错误，刚才的操作没有完成，已保存的数据不受影响。请复制详细信息并联系技术支持。"


def install_logging(data_dir: Path, level: int = logging.INFO) -> Path | None:
    """Rotating log files `<data>/logs/xinfang.log` (1 MB × 5). None when the folder cannot be
    written: the program still runs, it only logs to stderr."""
    root = logging.getLogger()
    root.setLevel(level)
    folder = Path(data_dir) / LOG_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / LOG_FILE, maxBytes=1_000_000, backupCount=5,
                                                       encoding="utf-8", delay=False)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    for old in [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    return folder / LOG_FILE


class _Bridge(QObject):
    """Carries an error from any thread to the UI thread (queued signal)."""

    raised = Signal(object, str)


class ErrorReporter:
    """sys.excepthook and threading.excepthook: log, then show the message without blocking.
    While one message is open, further ones are only logged (an error in a paint loop must not
    bury the window under boxes)."""

    def __init__(self, parent_for=QApplication.activeWindow):
        self.parent_for = parent_for
        self.bridge = _Bridge()
        self.bridge.raised.connect(self._show, Qt.QueuedConnection)
        self.open_box: QMessageBox | None = None
        self.shown = 0
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> "ErrorReporter":
        sys.excepthook = self._hook
        threading.excepthook = lambda a: self._hook(a.exc_type, a.exc_value, a.exc_traceback)
        return self

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    def _hook(self, exc_type, exc, tb) -> None:
        if exc_type is KeyboardInterrupt:
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unexpected error\n%s", details)
        if exc is None:
            exc = exc_type()
        self.bridge.raised.emit(exc, details)

    def _show(self, exc: BaseException, details: str) -> None:
        if self.open_box is not None and shiboken6.isValid(self.open_box) and self.open_box.isVisible():
            return
        self.shown += 1
        self.open_box = show_error(self.parent_for(), exc, details, logged=True)


def show_error(parent: QWidget | None, exc: BaseException, details: str = "", *,
               logged: bool = False) -> QMessageBox:
    if not isinstance(exc, XinfangError) and not logged:
        log.error("unexpected error: %s\n%s", exc, details)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Warning if isinstance(exc, XinfangError) else QMessageBox.Critical)
    box.setWindowTitle("提示" if isinstance(exc, XinfangError) else "错误")
    box.setText(message_for(exc))
    if details and not isinstance(exc, XinfangError):
        box.setDetailedText(details)
        copy = box.addButton("复制详细信息", QMessageBox.ActionRole)
        copy.clicked.disconnect()
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
    box.addButton("确定", QMessageBox.AcceptRole)
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.open()
    return box
