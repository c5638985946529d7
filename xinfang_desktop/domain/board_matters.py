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


def linked_matters(cases: Mapping[str, CaseFacts], people_of: Mapping[str, Sequence[str]], today: date,
                   s: BoardSettings) -> list[list[CaseFacts]]:
    """The matters of two or more petitions among `cases` (by id): linked by repeat_of, or petitioned
    by the same person in the same category within the repeat window. Each in the order of
    `cases`; every case in none of them is a matter of its own (most are: they cost one look-up)."""
    parent: dict[str, str] = {}                   # only cases merged into another: the rest are roots

    def find(x: str) -> str:
        root = x
        while (up := parent.get(root)) is not None:
            root = up
        while x != root:                          # path compression
            parent[x], x = root, parent[x]
        return root

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb

    window_start = today - timedelta(days=s.repeat_window_days)
    # person → their first recent petition, or (once they have two) category → the first in it
    first_of: dict[str, str | dict[str, str]] = {}
    for cid, c in cases.items():
        if c.repeat_of is not None and c.repeat_of in cases:
            union(cid, c.repeat_of)
        if window_start < c.received_on <= today:
            for pid in people_of.get(cid, ()):
                first = first_of.get(pid)
                if first is None:
                    first_of[pid] = cid               # most people: one recent petition
                    continue
                if first.__class__ is str:
                    first = first_of[pid] = {cases[first].category_code: first}
                same = first.setdefault(c.category_code, cid)
                if same != cid:
                    union(cid, same)
    if not parent:
        return []
    members = set(parent) | {find(x) for x in list(parent)}
    groups: dict[str, list[CaseFacts]] = {}
    for cid in cases:                             # in the order of `cases`
        if cid in members:
            groups.setdefault(find(cid), []).append(cases[cid])
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


def grade_petition(c: CaseFacts, override: Override | None, today: date, settings: BoardSettings,
                   reasons_cache: dict[str, tuple[Reason, ...]] | None = None) -> Grade | None:
    """A matter of one petition and no hardship: graded by the petition's own reasons (what
    grade_matter gives it, without building its MatterFacts: most matters are such)."""
    return grade_cases(c.case_id, (c,), (), override, today, settings, reasons_cache)


def parties_text(names: Sequence[str], people: int, shown: int = 3) -> str:
    """「张三」, 「张三、李四」, 「张三等6人」: the named petitioners (at most `shown`) and how many in all."""
    total = max(people, len(names))
    head = "、".join(names[:shown])
    return head if total == len(names[:shown]) else f"{head}等{total}人"
