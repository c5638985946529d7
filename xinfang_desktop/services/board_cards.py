"""The board's cards as the screen, the printout and `xinfang board` show them.

`MatterCard` is the board: one card per matter, naming its petitioners as the matter's parties.
`PersonCard` is the grouping by person the screen keeps for finding a person's matters (with a
masked ID and the place, as before); it is never printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Callable, Container

from ..domain import board as rules
from ..domain.board import BoardSettings, Colour, Grade, Override, PersonFacts
from ..domain.board_matters import (MatterFacts, Petitioner, grade_matter, grade_petition, linked_matters,
                                    parties_text)
from ..domain.idcard import mask_id_number
from .board_facts import REQUEST_CHARS, BoardFacts


def _override_text(o: Override, whose: str = "") -> str:
    way = "调高" if o.colour.rank < o.base.rank else "调低"
    return f"{o.by}于{o.on:%Y-%m-%d}将{whose}颜色由{o.base.word}{way}为{o.colour.word}：{o.reason}"


def _reason_texts(g: Grade) -> list[str]:
    """Every reason for the colour; the petition's number only when the card holds several."""
    several = len(g.matters) > 1
    return [str(r) if several else r.text for r in g.reasons]


def _next_step_text(g: Grade) -> str | None:
    step = g.next_step
    if step and len(g.matters) == 1:
        step = step.replace(f"（{g.matters[0].number}）", "")
    return step


def _override_json(o: Override | None) -> dict | None:
    return {"colour": o.colour.value, "reason": o.reason, "by": o.by, "on": o.on.isoformat()} if o else None


class CardContext:
    """What the matter cards of one refresh share, read when a card is shown rather than for every
    card when the board is built: the start of each request, each case's township, category names."""

    __slots__ = ("requests", "townships", "_label", "_labels")

    def __init__(self, requests: dict[str, str], townships: dict[str, str | None], label: Callable[[str], str]):
        self.requests, self.townships, self._label = requests, townships, label
        self._labels: dict[str, str] = {}

    def category(self, code: str) -> str:
        got = self._labels.get(code)
        if got is None:
            got = self._labels[code] = self._label(code)
        return got

    def request(self, case_id: str) -> str:
        text = self.requests.get(case_id) or ""
        return text if len(text) <= REQUEST_CHARS else text[:REQUEST_CHARS] + "…"


@dataclass(slots=True)
class MatterCard:
    """A matter on the board: its petitions on the board (grade.matters, oldest first; the first is
    the card's id), its parties, why its colour. Not frozen (one per matter per refresh); read-only."""

    grade: Grade
    parties: str                        # 「张三」, 「张三、李四等6人」: the matter's parties, as the card names them
    petitioners: tuple[Petitioner, ...]  # named, representatives first
    people: int                         # how many brought it
    context: CardContext
    person_overrides: tuple[tuple[str, Override], ...] = ()   # earlier versions' overrides on a petitioner

    @property
    def case_id(self) -> str:
        """The card's id: the matter's first petition on the board."""
        return self.grade.key

    @property
    def number(self) -> str:
        return self.grade.matters[0].number

    @property
    def category_code(self) -> str:
        return self.grade.matters[0].category_code

    @property
    def category(self) -> str:
        """「劳动和社会保障/劳动关系」"""
        return self.context.category(self.category_code)

    @property
    def request(self) -> str:
        """The gist of the request."""
        return self.context.request(self.case_id)

    @property
    def township_codes(self) -> tuple[str, ...]:
        towns = self.context.townships
        return tuple(dict.fromkeys(t for c in self.grade.matters if (t := towns.get(c.case_id))))

    @property
    def colour(self) -> Colour:
        return self.grade.colour

    @property
    def name(self) -> str:
        return self.parties

    @property
    def case_ids(self) -> tuple[str, ...]:
        return tuple(c.case_id for c in self.grade.matters)

    def reason_texts(self) -> list[str]:
        return _reason_texts(self.grade)

    def next_step_text(self) -> str | None:
        return _next_step_text(self.grade)

    def override_text(self) -> str | None:
        o = self.grade.override
        return _override_text(o) if o else None

    def owner_text(self) -> str:
        """Who owns it: the 包案 leader, else the unit handling it."""
        g = self.grade
        if g.owner:
            return f"{g.owner}（包案）"
        return f"{g.handler}（承办）" if g.handler else "未包案、尚未分办"

    def earlier_override_texts(self) -> list[str]:
        """Overrides of earlier versions, on one of the petitioners: shown, not applied to the matter."""
        return [_override_text(o, f"{name}的") for name, o in self.person_overrides]

    def print_card(self):
        from ..documents.board_print import BoardPrintCard

        g = self.grade
        return BoardPrintCard(g.colour, self.number, self.category, self.request, self.parties,
                              tuple(f"{m.number}（{m.status.label}）" for m in g.matters if m.case_id != self.case_id),
                              tuple(self.reason_texts()), self.owner_text(), self.next_step_text(), g.next_date,
                              self.override_text())

    def as_json(self) -> dict:
        g = self.grade
        return {
            "case_id": self.case_id, "number": self.number, "category_code": self.category_code,
            "category": self.category, "request": self.request, "parties": self.parties,
            "petitioners": [p.name for p in self.petitioners], "people_count": self.people,
            "colour": g.colour.value, "colour_label": f"{g.colour.label}{g.colour.value}",
            "computed_colour": g.computed.value, "reasons": self.reason_texts(),
            "other_reasons": [str(r) for r in g.other_reasons], "override": _override_json(g.override),
            "earlier_overrides": self.earlier_override_texts(),
            "owner": g.owner, "handler": g.handler, "next_step": g.next_step,
            "next_date": g.next_date.isoformat() if g.next_date else None,
            "matters": [{"id": c.case_id, "number": c.number, "status": c.status.label} for c in g.matters],
        }


@dataclass(slots=True)
class PersonCard:
    """A person on the grouping by person (the screen and `xinfang board --by person`).
    Not frozen (one per person per refresh, and a frozen init costs twice as much); read-only."""

    person_id: str
    name: str
    id_masked: str
    township: str
    village: str
    township_code: str | None
    grade: Grade

    @property
    def colour(self) -> Colour:
        return self.grade.colour

    @property
    def township_codes(self) -> tuple[str, ...]:
        return (self.township_code,) if self.township_code else ()

    @property
    def place(self) -> str:
        return f"{self.township}{self.village}" if self.village != self.township else self.township

    def reason_texts(self) -> list[str]:
        return _reason_texts(self.grade)

    def next_step_text(self) -> str | None:
        return _next_step_text(self.grade)

    def override_text(self) -> str | None:
        """An override on a person is from an earlier version: it holds on this grouping only."""
        o = self.grade.override
        return _override_text(o) + "（按人员调整，仅在按人员查看中生效）" if o else None

    def as_json(self) -> dict:
        g = self.grade
        return {
            "person_id": self.person_id, "name": self.name, "id_number": self.id_masked, "township": self.township,
            "village": self.village, "colour": g.colour.value, "colour_label": f"{g.colour.label}{g.colour.value}",
            "computed_colour": g.computed.value, "reasons": self.reason_texts(),
            "other_reasons": [str(r) for r in g.other_reasons], "override": _override_json(g.override),
            "owner": g.owner, "next_step": g.next_step,
            "next_date": g.next_date.isoformat() if g.next_date else None,
            "matters": [{"id": c.case_id, "number": c.number, "status": c.status.label} for c in g.matters],
        }


Card = MatterCard | PersonCard

_received_order = attrgetter("received_on", "number")


def matter_cards(facts: BoardFacts, today: date, s: BoardSettings, category_label: Callable[[str], str]
                 ) -> list[MatterCard]:
    """One card per matter with a petition on the board. Most matters are a single petition of a
    single person; they take the short path (a board refresh makes thousands)."""
    cases, parties, reps, names = facts.cases, facts.parties, facts.representatives, facts.names
    hardships, overrides, person_overrides = facts.hardships, facts.case_overrides, facts.person_overrides
    context = CardContext(facts.request, facts.township, category_label)
    reasons_cache: dict = {}
    out: list[MatterCard] = []

    def flags_of(petitioners, ids: Container[str]) -> tuple:
        flags = []
        for p in petitioners:
            for h, on in hardships.get(p.person_id, ()):
                # A flag tied to a petition on the board belongs to that petition's matter; any
                # other flag is the person's, and shows on each of their matters.
                if on is None or on in ids or on not in cases or not cases[on].on_board:
                    flags.append((p.name, h))
        return tuple(flags)

    def override_of(ids) -> Override | None:
        held = None
        for cid in ids:
            got = overrides.get(cid)
            if got is not None and (held is None or got[0] > held[0]):
                held = got
        return held[1] if held else None

    def named(cid: str, seen: set[str] | None = None) -> list[Petitioner]:
        """The case's petitioners not yet `seen`, each once, representatives first."""
        rep = reps.get(cid)
        got: list[Petitioner] = []
        for pid in parties.get(cid, ()):
            if seen is not None:
                if pid in seen:
                    continue
                seen.add(pid)
            got.append(Petitioner(pid, names[pid], rep is not None and pid in rep))
        if rep and len(got) > 1:
            got.sort(key=_not_representative)                 # stable: otherwise in their order
        return got

    def add(g: Grade | None, petitioners: tuple[Petitioner, ...], count: int) -> None:
        if g is None:
            return
        label = petitioners[0].name if count <= 1 and len(petitioners) == 1 else \
            parties_text([p.name for p in petitioners], count)
        earlier = tuple((p.name, person_overrides[p.person_id]) for p in petitioners
                        if p.person_id in person_overrides) if person_overrides else ()
        out.append(MatterCard(g, label, petitioners, count, context, earlier))

    grouped: set[str] = set()
    for group in linked_matters(cases, parties, today, s):
        ids = {c.case_id for c in group}
        grouped |= ids
        group.sort(key=_received_order)
        first = next((c for c in group if c.on_board), None)
        if first is None:
            continue
        seen: set[str] = set()
        petitioners = [p for c in group for p in named(c.case_id, seen)]
        petitioners.sort(key=_not_representative)
        named_ = tuple(petitioners)
        count = max(c.people_count for c in group)
        case_people = {c.case_id: tuple(parties.get(c.case_id, ())) for c in group} \
            if len(group) >= s.repeat_count else {}
        add(grade_matter(MatterFacts(first.case_id, tuple(group), named_, count, case_people,
                                     flags_of(named_, ids) if hardships else (),
                                     override_of(ids) if overrides else None), today, s, reasons_cache),
            named_, count)
    append = out.append
    for cid, c in cases.items():
        if not c.on_board or cid in grouped:
            continue
        pids = parties.get(cid, ())
        held = overrides[cid][1] if overrides and cid in overrides else None
        if len(pids) == 1 and cid not in reps and pids[0] not in hardships:
            # The common case: one petitioner, no hardship. Graded and named without the general path.
            pid = pids[0]
            g = grade_petition(c, held, today, s, reasons_cache)
            if g is not None:
                name = names[pid]
                append(MatterCard(g, name if c.people_count <= 1 else parties_text((name,), c.people_count),
                                  (Petitioner(pid, name, False),), c.people_count, context,
                                  ((name, person_overrides[pid]),) if pid in person_overrides else ()))
            continue
        named_ = tuple(named(cid))
        flags = flags_of(named_, (cid,)) if hardships else ()
        if flags:
            g = grade_matter(MatterFacts(cid, (c,), named_, c.people_count, {}, flags, held), today, s,
                             reasons_cache)
        else:
            g = grade_petition(c, held, today, s, reasons_cache)
        add(g, named_, c.people_count)
    return out


def _not_representative(p: Petitioner) -> bool:
    return not p.representative


def person_cards(facts: BoardFacts, today: date, s: BoardSettings, place: Callable[[str | None], str],
                 only: str | None = None) -> list[PersonCard]:
    """One card per person with a matter on the board (the grouping by person)."""
    per_person: dict[str, list] = {}
    on_board: set[str] = set()
    for cid, pids in facts.parties.items():
        f = facts.cases[cid]            # a group case is one matter of each of its people
        for pid in pids:
            got = per_person.get(pid)
            if got is None:
                per_person[pid] = [f]
            else:
                got.append(f)
            if f.on_board:
                on_board.add(pid)
    reasons_cache: dict = {}            # a group matter's reasons, worded once for all its people
    grade = rules.grade
    no_hardship = ()
    out = []
    for pid, (id_number, township, village) in facts.places.items():
        if pid not in on_board or (only is not None and pid != only):
            continue
        name = facts.names[pid]
        cs = per_person[pid]
        if len(cs) > 1:
            cs.sort(key=_received_order)     # a person's matters oldest first
        h = facts.hardships.get(pid)
        pf = PersonFacts(pid, name, tuple(cs), tuple(x for x, _on in h) if h else no_hardship,
                         facts.person_overrides.get(pid))
        g = grade(pf, today, s, reasons_cache)
        if g is None:
            continue
        out.append(PersonCard(pid, name, mask_id_number(id_number) if id_number else "", place(township),
                              place(village), township, g))
    return out
