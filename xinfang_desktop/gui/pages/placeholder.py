"""A page that is not built yet says so plainly instead of showing an empty screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPage(QWidget):
    def __init__(self, title: str, what: str, parent: QWidget | None = None):
        super().__init__(parent)
        label = QLabel(f"<h2>{title}</h2><p>此功能尚未开放。</p><p>{what}</p><p>将在后续版本中提供。</p>")
        label.setAlignment(Qt.AlignCenter)
        label.setWordWrap(True)
        QVBoxLayout(self).addWidget(label)
