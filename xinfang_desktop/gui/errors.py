"""How failures reach a person: a Chinese message that says what to do, and the details to copy.

`install_logging` writes rotating log files in the data folder; `install_excepthook` turns any
unexpected error (main thread, a Qt slot, a worker thread) into a logged, non-blocking message
with a button that copies the details, so the window stays usable."""

from __future__ import annotations

import errno
import logging
import logging.handlers
import sqlite3
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
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if "full" in text:
            return "磁盘空间不足，刚才的操作没有保存（已保存的数据不受影响）。请清理磁盘空间后重试。"
        if "locked" in text or "busy" in text:
            return "数据库正被另一个程序占用（可能是命令行工具正在备份或导入），刚才的操作没有保存。请稍等片刻后重试。"
        if "readonly" in text or "read-only" in text:
            return "数据目录是只读的，刚才的操作没有保存。请检查数据目录的权限，或联系技术支持。"
        if "unable to open" in text or "disk i/o" in text:
            return "无法访问数据文件（磁盘或文件夹可能已不可用），刚才的操作没有保存。请检查磁盘后重新启动程序。"
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "磁盘空间不足，刚才的操作没有完成，已保存的数据不受影响。请清理磁盘空间后重试。"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"没有写入权限（{exc.filename or '文件夹'} 只读或被保护），刚才的操作没有完成。请换一个文件夹或检查权限。"
        if exc.errno == errno.ENOENT:
            return f"找不到 {exc.filename or '文件或文件夹'}（可能已被移动、删除，或U盘已拔出）。请检查后重试。"
        return f"文件或磁盘操作失败：{exc.strerror or exc}。请检查磁盘空间和数据目录后重试。"
    return "程序发生了意外错误，刚才的操作没有完成，已保存的数据不受影响。请复制详细信息并联系技术支持。"


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
