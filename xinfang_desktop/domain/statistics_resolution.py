"""The figures of the office's ways of resolving hard matters (pure): 信访评理 and the 积案 register, each
named and defined once here (a Figure of domain/statistics.py, as the case figures are) and printed from here by
the page, the PDF, the xlsx and the JSON alike (domain/statistics_tables.resolution_table, the table of figures
the 办理情况 table is).

Over a period [start, end]:
- 评理场次: current (not corrected) 评理 sessions held in the period;
- 评理事项: the matters those sessions heard;
- 评理后化解: of those matters, the ones resolved after a session, by the statistics date: the petitioner
  accepted the panel's view, or the matter was closed (结案) or left the 积案 register with an outcome
  on or after the session's day;
- 积案 at the start, added, resolved and remaining: at the start = decided before the first day and
  without an outcome before it; added = decided in the period; resolved = an outcome in the period;
  remaining = decided by the last day and without an outcome by then. So start + added − resolved =
  remaining, always.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from .statistics import Figure, figure_rows

RESOLUTION_FIGURES: tuple[Figure, ...] = (
    Figure("deliberations", "评理场次", "本期召开的信访评理会（更正后的记录计一次）"),
    Figure("deliberated", "评理事项", "本期召开评理会的信访事项（同一事项多次评理计一件）"),
    Figure("resolved_after_deliberation", "评理后化解",
           "评理事项中，截至统计日信访人接受评理意见，或评理之后已结案、已以化解结果移出积案台账的事项"),
    Figure("backlog_start", "积案期初数", "本期开始前已列入积案台账、且期初尚未化解的事项"),
    Figure("backlog_added", "积案新增数", "本期经决定列入积案台账的事项"),
    Figure("backlog_resolved", "积案化解数", "本期以案结事了、息诉罢访或依法终结移出积案台账的事项"),
    Figure("backlog_remaining", "积案期末数", "截至本期最后一日仍在积案台账上的事项（期初数＋新增数－化解数）"),
)


@dataclass(frozen=True)
class SessionFact:
    case_id: str
    held_on: date
    accepted: bool


@dataclass(frozen=True)
class EntryFact:
    case_id: str
    decided_on: date
    outcome_on: date | None


@dataclass(frozen=True)
class ResolutionFigures:
    deliberations: int = 0
    deliberated: int = 0
    resolved_after_deliberation: int = 0
    backlog_start: int = 0
    backlog_added: int = 0
    backlog_resolved: int = 0
    backlog_remaining: int = 0

    def rows(self) -> list[tuple[str, str, int, str]]:
        """(key, label, value, what it counts), in the order of the report."""
        return figure_rows(self, RESOLUTION_FIGURES)


def resolution_figures(start: date, end: date, as_of: date, sessions: Iterable[SessionFact],
                       entries: Iterable[EntryFact], closed_on: dict[str, date]) -> ResolutionFigures:
    """`sessions`: current 评理 sessions; `entries`: every 积案 register entry; `closed_on`: the day each
    closed matter was closed (结案). Outcomes and closings after `as_of` are not known yet."""
    entries = [e for e in entries if e.decided_on <= as_of]
    held = [s for s in sessions if start <= s.held_on <= end]
    first_session: dict[str, date] = {}
    for s in held:
        first_session[s.case_id] = min(s.held_on, first_session.get(s.case_id, s.held_on))
    accepted = {s.case_id for s in held if s.accepted}
    outcomes: dict[str, list[date]] = {}
    for e in entries:
        if e.outcome_on is not None and e.outcome_on <= as_of:
            outcomes.setdefault(e.case_id, []).append(e.outcome_on)

    def resolved_after(case_id: str, since: date) -> bool:
        if case_id in accepted:
            return True
        closed = closed_on.get(case_id)
        if closed is not None and since <= closed <= as_of:
            return True
        return any(since <= d for d in outcomes.get(case_id, ()))

    def out_by(e: EntryFact, day: date) -> bool:
        return e.outcome_on is not None and e.outcome_on <= day

    return ResolutionFigures(
        deliberations=len(held),
        deliberated=len(first_session),
        resolved_after_deliberation=sum(1 for c, d in first_session.items() if resolved_after(c, d)),
        backlog_start=sum(1 for e in entries if e.decided_on < start and not (e.outcome_on and e.outcome_on < start)),
        backlog_added=sum(1 for e in entries if start <= e.decided_on <= end),
        backlog_resolved=sum(1 for e in entries if e.outcome_on is not None and start <= e.outcome_on <= min(end, as_of)),
        backlog_remaining=sum(1 for e in entries if e.decided_on <= end and not out_by(e, min(end, as_of))),
    )
