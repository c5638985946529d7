"""How failures reach a person: a Chinese message that says what to do, and the details to copy."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..domain.errors import XinfangError

log = logging.getLogger(__name__)


def message_for(exc: BaseException) -> str:
    if isinstance(exc, XinfangError):
        return exc.message
    if isinstance(exc, OSError):
        return f"文件或磁盘操作失败：{exc.strerror or exc}。请检查磁盘空间和数据目录后重试。"
    return "程序发生了意外错误，刚才的操作没有完成，已保存的数据不受影响。请复制详细信息并联系技术支持。"


def show_error(parent: QWidget | None, exc: BaseException, details: str = "") -> None:
    if not isinstance(exc, XinfangError):
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
    box.open()
