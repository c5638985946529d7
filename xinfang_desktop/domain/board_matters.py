"""The board's cards are matters (信访事项), not people.

A matter is the petitions that make one grievance: a case and its 重件 (linked by repeat_of), and
the same person's petitions in the same category inside the repeat window (the same-matter rule of
the repeat count). A group visit is one matter naming its petitioners — its representatives, at
most five (第二十条第三款) — never one red card per person (DOMAIN.md, "The attention board").

Pure: the service gathers CaseFacts and who petitioned in each; this module groups and grades them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from .board import (BoardSettings, CaseFacts, Grade, Hardship, Override, Reason, grade_cases, hardship_reason,
                    repeat_reason, unanswered_runs)


class Petitioner(NamedTuple):
    """A named petitioner of a matter (a tuple: a refresh makes one per party)."""

    person_id: str
    name: str
    representative: bool = False


@dataclass(slots=True)
class MatterFacts:
    """One matter's petitions and parties. Not frozen (one per card per refresh); read-only."""

    key: str                                    # the id of the matter's first petition: the card's id
    cases: tuple[CaseFacts, ...]                # oldest first: on the board, or inside the repeat window
    petitioners: tuple[Petitioner, ...]         # named petitioners, representatives first
    people: int                                 # how many brought it (the largest count of its petitions)
    case_people: Mapping[str, tuple[str, ...]]  # petition id → its named petitioners' ids (the repeat rule)
    hardships: tuple[tuple[str, Hardship], ...] = ()   # (petitioner's name, open hardship)
    override: Override | None = None            # a leader's colour for this matter


def group_matters(cases: Sequence[CaseFacts], people_of: Mapping[str, Sequence[str]], today: date,
                  s: BoardSettings) -> list[list[CaseFacts]]:
    """`cases` grouped into matters, each in the order given: linked by repeat_of, or petitioned by
    the same person in the same category within the repeat window."""
    parent: dict[str, str] = {c.case_id: c.case_id for c in cases}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    window_start = today - timedelta(days=s.repeat_window_days)
    first_of: dict[tuple[str, str], str] = {}          # (person, category) → their first recent petition
    for c in cases:
        if c.repeat_of is not None and c.repeat_of in parent:
            a, b = find(c.case_id), find(c.repeat_of)
            if a != b:
                parent[a] = b
        if window_start < c.received_on <= today:
            cid = c.case_id
            for pid in people_of.get(cid, ()):
                first = first_of.setdefault((pid, c.category_code), cid)
                if first != cid:
                    a, b = find(cid), find(first)
                    if a != b:
                        parent[a] = b
    groups: dict[str, list[CaseFacts]] = {}
    for c in cases:
        groups.setdefault(find(c.case_id), []).append(c)
    return list(groups.values())


def grade_matter(m: MatterFacts, today: date, settings: BoardSettings = BoardSettings(),
                 reasons_cache: dict[str, tuple[Reason, ...]] | None = None) -> Grade | None:
    """The colour of matter `m` and why, or None when it is off the board (every petition followed
    up, or none open). Hardship and the repeat rule come first, as on a person's card; a hardship
    names whose it is when the matter has several petitioners."""
    s = settings
    front: list[Reason] = []
    several = len(m.petitioners) > 1
    for name, h in m.hardships:
        front.append(hardship_reason(h, name if several else ""))
    if len(m.cases) >= s.repeat_count:
        # The rule counts one person's petitions on the matter; the longest run speaks for it.
        groups = [[c for c in m.cases if p.person_id in m.case_people.get(c.case_id, ())] for p in m.petitioners]
        runs = unanswered_runs(groups, today, s)
        if runs:
            front.append(repeat_reason(max(runs, key=len), s))
    return grade_cases(m.key, m.cases, front, m.override, today, s, reasons_cache)


def parties_text(names: Sequence[str], people: int, shown: int = 3) -> str:
    """「张三」, 「张三、李四」, 「张三等6人」: the named petitioners (at most `shown`) and how many in all."""
    total = max(people, len(names))
    head = "、".join(names[:shown])
    return head if total == len(names[:shown]) else f"{head}等{total}人"
