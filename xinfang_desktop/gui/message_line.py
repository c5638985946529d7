"""A page's line for what just happened (saved, failed, copied): shown only with something to say.

An empty QLabel still takes a line's height, which left a blank row in the boxes that keep one ready
(the 同步 page's U盘 box, the 设置 page's 备份 box)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


class MessageLine(QLabel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setVisible(False)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")
