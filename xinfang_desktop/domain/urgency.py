"""How near a deadline is: one enum with its symbol, its word and the rule in words, so the lists,
the case view, the legend and the command line all say the same (colour is never the only sign)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

# The share of a deadline's span left below which it is "临近": a 15-day limit turns amber with 3 days
# left, a 60-day one with 15. The rule text below is built from it.
DUE_SOON_SHARE = 4          # amber once no more than 1/DUE_SOON_SHARE of the span is left


class Urgency(StrEnum):
    """Values are the strings the command line's JSON has always printed (green / amber / red)."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def symbol(self) -> str:
        return {"green": "●", "amber": "▲", "red": "■"}[self.value]

    @property
    def word(self) -> str:
        return {"green": "时间充裕", "amber": "临近期限", "red": "已超期"}[self.value]

    @property
    def short_word(self) -> str:
        """In a sentence: 正常 / 临近 / 已超期."""
        return {"green": "正常", "amber": "临近", "red": "已超期"}[self.value]

    @property
    def rule(self) -> str:
        return {"green": f"剩余时间多于期限的1/{DUE_SOON_SHARE}", "amber": f"剩余时间不足期限的1/{DUE_SOON_SHARE}",
                "red": "已过期限"}[self.value]


def urgency(start: date, due: date, today: date) -> Urgency:
    """RED once past due; GREEN while more than 1/DUE_SOON_SHARE of (due - start) is left; else AMBER.

    On the due day itself at least amber, so a same-day limit (due == start) is amber that day.
    """
    if today > due:
        return Urgency.RED
    left = (due - today).days
    span = (due - start).days
    return Urgency.GREEN if left * DUE_SOON_SHARE > span else Urgency.AMBER


def by_days_left(due: date, today: date, soon_days: int) -> Urgency:
    """For a date that is not a statutory span (a 回访 due, a 包案 target): past it RED, within
    `soon_days` (the board's 临近到期天数) AMBER."""
    if due < today:
        return Urgency.RED
    return Urgency.AMBER if (due - today).days <= soon_days else Urgency.GREEN


def legend() -> str:
    """One line explaining the deadline marks, shown beside every list that colours deadlines."""
    return "    ".join(f"{u.symbol} {u.word}（{u.rule}）" for u in Urgency)
