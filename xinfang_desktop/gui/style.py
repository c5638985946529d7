"""Look and feel shared by the pages: fonts that older eyes can read, and deadline colours that
do not rely on colour alone (a symbol and words go with each)."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QColor, QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

BASE_POINT_SIZE = 11
UI_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
               "WenQuanYi Micro Hei", "Droid Sans Fallback")

URGENCY_BACKGROUND = {"green": QColor("#dff3e4"), "amber": QColor("#fff1c7"), "red": QColor("#fbd5d5")}
URGENCY_FOREGROUND = {"green": QColor("#1d5e2c"), "amber": QColor("#7a4b00"), "red": QColor("#9b1111")}
URGENCY_SYMBOL = {"green": "●", "amber": "▲", "red": "■"}
URGENCY_WORD = {"green": "时间充裕", "amber": "临近期限", "red": "已超期"}
URGENCY_RULE = {"green": "剩余时间多于期限的1/4", "amber": "剩余时间不足期限的1/4", "red": "已过期限"}


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
    if urgency == "red":
        note = f"超期{-days}天"
    elif days == 0:
        note = "今天到期"
    elif urgency == "amber":
        note = f"剩{days}天，临近"     # words as well as colour: amber and green look alike to some
    else:
        note = f"剩{days}天"
    if provisional:
        note += "，暂定"
    mark = URGENCY_SYMBOL.get(urgency or "", "")
    return f"{mark} {due:%Y-%m-%d}（{note}）".strip()


def urgency_legend() -> str:
    """One line explaining the deadline marks, shown beside every list that colours deadlines."""
    return "    ".join(f"{URGENCY_SYMBOL[k]} {URGENCY_WORD[k]}（{URGENCY_RULE[k]}）" for k in ("green", "amber", "red"))
