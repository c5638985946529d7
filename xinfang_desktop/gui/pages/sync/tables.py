"""The sync page's tables: how they are built and filled, and the words for roles, bundle kinds and a
peer's state. No data is read here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
)

ROLE_WORDS = {"city": "市局", "township": "乡镇"}
KIND_WORDS = {"data": "数据", "ack": "确认回执", "instruction": "交办督办", "key-rotation": "密钥轮换",
              "epoch-start": "新纪元"}


def make_table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setWordWrap(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def fill_table(table: QTableWidget, rows: list[list[Any]], colours: list[str | None] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            item = QTableWidgetItem("" if value is None else str(value))
            if isinstance(value, int):
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if colours and colours[r]:
                item.setForeground(Qt.GlobalColor.darkRed if colours[r] == "red" else Qt.GlobalColor.darkYellow)
            table.setItem(r, c, item)


def peer_state(p) -> str:
    if p.revoked:
        return "已吊销"
    if p.frozen:
        return "已冻结：" + (p.frozen_reason or "")
    if p.allowed_epoch > p.head_epoch:
        return f"正常（已授权第 {p.allowed_epoch} 纪元，待对方开始）"
    return "正常"
