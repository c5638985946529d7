"""Look and feel shared by the pages: fonts that older eyes can read, and deadline colours that
do not rely on colour alone (a symbol and words go with each)."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ..domain.urgency import Urgency, legend

BASE_POINT_SIZE = 11
UI_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
               "WenQuanYi Micro Hei", "Droid Sans Fallback")

URGENCY_BACKGROUND = {Urgency.GREEN: QColor("#dff3e4"), Urgency.AMBER: QColor("#fff1c7"), Urgency.RED: QColor("#fbd5d5")}
URGENCY_FOREGROUND = {Urgency.GREEN: QColor("#1d5e2c"), Urgency.AMBER: QColor("#7a4b00"), Urgency.RED: QColor("#9b1111")}
URGENCY_WORD = {u: u.word for u in Urgency}     # symbols, words and rules live in domain.urgency


def apply_fonts(app: QApplication, scale: float = 1.0) -> None:
    families = set(QFontDatabase.families())
    font = QFont(app.font())
    for family in UI_FAMILIES:
        if family in families:
            font.setFamily(family)
            break
    font.setPointSizeF(BASE_POINT_SIZE * scale)
    app.setFont(font)


def due_text(due: date | None, urgency: str | None, today: date, provisional: bool = False) -> str:
    if due is None:
        return ""
    days = (due - today).days
    if urgency == Urgency.RED:
        note = f"超期{-days}天"
    elif days == 0:
        note = "今天到期"
    elif urgency == Urgency.AMBER:
        note = f"剩{days}天，临近"     # words as well as colour: amber and green look alike to some
    else:
        note = f"剩{days}天"
    if provisional:
        note += "，暂定"
    mark = Urgency(urgency).symbol if urgency else ""
    return f"{mark} {due:%Y-%m-%d}（{note}）".strip()


def urgency_legend() -> str:
    """One line explaining the deadline marks, shown beside every list that colours deadlines."""
    return legend()
