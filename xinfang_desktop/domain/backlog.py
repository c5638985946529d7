"""The 积案 register's rules (pure): why a matter may be put on it, how it leaves it, and the urgency of
the steps of its 化解 plan.

A matter goes on the register only by a recorded decision with a reason; the rule only suggests (open
longer than the board's 长期未化解天数, or petitioned on again and again: the board's 重复信访次数). It leaves
the register only with a 化解 outcome: 案结事了, 息诉罢访 (with the petitioner's signed statement, an
attachment of the case) or 依法终结. Everything here is about resolving the matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from .errors import InvalidInput
from .urgency import Urgency, urgency


class Basis(str, Enum):
    LONG_OPEN = "long_open"      # 长期未化解
    REPEATED = "repeated"        # 重复信访
    OTHER = "other"              # 其他（理由中说明）

    @property
    def label(self) -> str:
        return {"long_open": "长期未化解", "repeated": "重复信访", "other": "其他"}[self.value]


class Outcome(str, Enum):
    RESOLVED = "resolved"        # 案结事了
    WITHDRAWN = "withdrawn"      # 息诉罢访: the petitioner's signed statement that the matter is settled
    ENDED = "ended"              # 依法终结

    @property
    def label(self) -> str:
        return {"resolved": "案结事了", "withdrawn": "息诉罢访", "ended": "依法终结"}[self.value]

    @property
    def needs_statement(self) -> bool:
        return self is Outcome.WITHDRAWN


def pick(enum: type[Enum], raw: object, label: str, field_name: str):
    for m in enum:
        if raw in (m, m.value, m.label):  # type: ignore[attr-defined]
            return m
    options = "、".join(m.label for m in enum)  # type: ignore[attr-defined]
    raise InvalidInput(f"{label}无效：{raw}，应为{options}之一", field=field_name)


@dataclass(frozen=True)
class Suggestion:
    """A matter the rule suggests for the register, and why (the clerk or leader decides)."""

    case_id: str
    number: str
    basis: Basis
    why: str


def suggest(case_id: str, number: str, received_on: date, petitions: int, today: date, *,
            long_standing_days: int, repeat_count: int) -> Suggestion | None:
    """An open matter received `received_on`, petitioned on `petitions` times in all (its earlier
    petitions linked as the same matter): a suggestion, or None."""
    age = (today - received_on).days
    if age > long_standing_days:
        return Suggestion(case_id, number, Basis.LONG_OPEN, f"信访已{age}天未化解（超过{long_standing_days}天）")
    if petitions >= repeat_count:
        return Suggestion(case_id, number, Basis.REPEATED, f"同一事项已信访{petitions}次（{repeat_count}次及以上）")
    return None


def step_urgency(set_on: date, due_on: date, done_on: date | None, today: date) -> Urgency | None:
    """A plan step's deadline under the one urgency rule (domain/urgency.py); None once done."""
    return None if done_on is not None else urgency(set_on, due_on, today)


def days_open(decided_on: date, outcome_on: date | None, today: date) -> int:
    """Days on the register: from the decision to the outcome (or today)."""
    return ((outcome_on or today) - decided_on).days
