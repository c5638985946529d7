"""The attention board: facts gathered in a few queries over the cached case rows (never a
refold of every timeline), graded by the published rules of domain/board.py; leaders' overrides.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Container, Iterator

from ..domain import board as rules
from ..domain.board import (BoardSettings, CaseFacts, Colour, Grade, Hardship, HardshipKind, Override, PersonFacts,
                            colour_meanings)
from ..domain.errors import InvalidInput, NotFound
from ..domain.idcard import mask_id_number
from ..domain.text import clean_text
from ..domain.workflow import OPEN_STATUSES, Status
from ..store.models import Person, Setting
from ..store.models_attention import ColourOverride
from ..store.ownership import require_writable
from .attention import require_leader
from .audit import audit
from .permissions import Actor, Permission, require

SETTING_KEY = "board.rules"

# Statuses of matters that may be on the board: open, or decided and maybe awaiting the follow-up.
_OPEN = [s.value for s in OPEN_STATUSES]
_DECIDED = [Status.REPLIED.value, Status.REVIEWED.value, Status.RECHECKED.value, Status.REDIRECTED.value,
            Status.CLOSED.value]
_OPEN_SET = frozenset(_OPEN)
# A decided matter off the board: followed up since its last decision, or ended without one (but
# redirected matters wait for their follow-up too). The same test as in gather's loop, so SQL
# leaves out the rows the loop would skip anyway when they are older than the repeat window.
_SETTLED = ("((followed_on IS NOT NULL AND (decided_on IS NULL OR followed_on >= decided_on)) "
            f"OR (decided_on IS NULL AND status != '{Status.REDIRECTED.value}'))")
_STATUSES = _OPEN + _DECIDED
_REDIRECTED = Status.REDIRECTED.value


@dataclass(frozen=True)
class BoardFilter:
    township: str | None = None         # township code
    leader: str | None = None           # 包案 leader display name; "" = not owned
    category: str | None = None         # a category code; a two-digit code matches its children
    colour: Colour | None = None


@dataclass(slots=True)
class Card:
    """A person on the board, as the card, the printout and `xinfang board` show them.
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
    def place(self) -> str:
        return f"{self.township}{self.village}" if self.village != self.township else self.township

    def reason_texts(self) -> list[str]:
        """Every reason for the colour; the matter's number only when the person has several."""
        several = len(self.grade.matters) > 1
        return [str(r) if several else r.text for r in self.grade.reasons]

    def print_card(self):
        from ..documents.board_print import BoardPrintCard

        g = self.grade
        return BoardPrintCard(g.colour, self.name, self.id_masked or "—", self.place,
                              tuple(f"{m.number}（{m.status.label}）" for m in g.matters), tuple(self.reason_texts()),
                              g.owner, self.next_step_text(), g.next_date, self.override_text())

    def next_step_text(self) -> str | None:
        """The next step; the matter's number only when the person has several."""
        step = self.grade.next_step
        if step and len(self.grade.matters) == 1:
            step = step.replace(f"（{self.grade.matters[0].number}）", "")
        return step

    def override_text(self) -> str | None:
        o = self.grade.override
        if o is None:
            return None
        way = "调高" if o.colour.rank < o.base.rank else "调低"
        return f"{o.by}于{o.on:%Y-%m-%d}将颜色由{o.base.label}{o.base.value}{way}为{o.colour.label}{o.colour.value}：{o.reason}"

    def as_json(self) -> dict:
        g = self.grade
        return {
            "person_id": self.person_id, "name": self.name, "id_number": self.id_masked, "township": self.township,
            "village": self.village, "colour": g.colour.value, "colour_label": f"{g.colour.label}{g.colour.value}",
            "computed_colour": g.computed.value, "reasons": self.reason_texts(),
            "other_reasons": [str(r) for r in g.other_reasons],
            "override": ({"colour": g.override.colour.value, "reason": g.override.reason, "by": g.override.by,
                          "on": g.override.on.isoformat()} if g.override else None),
            "owner": g.owner, "next_step": g.next_step,
            "next_date": g.next_date.isoformat() if g.next_date else None,
            "matters": [{"id": c.case_id, "number": c.number, "status": c.status.label} for c in g.matters],
        }


@dataclass(frozen=True)
class Board:
    cards: list[Card]                   # most urgent first
    today: date
    settings: BoardSettings

    def of(self, colour: Colour) -> list[Card]:
        return [c for c in self.cards if c.colour == colour]

    def counts(self) -> dict[Colour, int]:
        out = {c: 0 for c in Colour}
        for card in self.cards:
            out[card.colour] += 1
        return out


def board_settings() -> BoardSettings:
    """The board's rules as saved (defaults when unset or unreadable). Its 临近到期天数 is the one
    "due soon" of every dated list: the board, the workbench and the case list's filter."""
    row = Setting.get_or_none(Setting.key == SETTING_KEY)
    if row is None or not isinstance(row.value, dict):
        return BoardSettings()
    known = {k: v for k, v in row.value.items() if k in BoardSettings.__dataclass_fields__}
    try:
        return BoardSettings(**known)
    except InvalidInput:
        return BoardSettings()


class BoardService:
    def __init__(self, services):
        self.s = services

    # -- settings ------------------------------------------------------------------------
    def settings(self) -> BoardSettings:
        return board_settings()

    def save_settings(self, actor: Actor, **values: int) -> BoardSettings:
        require(actor, Permission.MANAGE_SETTINGS)
        new = replace(self.settings(), **values)        # validates in __post_init__
        with self.s.db.atomic():
            Setting.replace(key=SETTING_KEY, value=new.__dict__).execute()
            audit(actor, "attention.board_settings", None, dict(new.__dict__), at=self.s.clock.now())
        return new

    # -- the board -----------------------------------------------------------------------
    def board(self, actor: Actor, f: BoardFilter = BoardFilter()) -> Board:
        require(actor, Permission.VIEW)
        today = self.s.clock.today()
        settings = self.settings()
        cards = self._cards(today, settings)
        if f != BoardFilter():
            cards = [c for c in cards if matches(c, f, self.s.categories)]
        # Most urgent first: the colour letters (a str enum) sort as the urgency.
        cards.sort(key=_board_order)
        return Board(cards, today, settings)

    def card(self, actor: Actor, person_id: str) -> Card | None:
        require(actor, Permission.VIEW)
        today = self.s.clock.today()
        return next(iter(self._cards(today, self.settings(), only=person_id)), None)

    def _cards(self, today: date, settings: BoardSettings, only: str | None = None) -> list[Card]:
        with _collector_paused():
            facts = self.gather(today, only=only, settings=settings)
            div = self.s.divisions
            names: dict[str | None, str] = {}

            def place(code: str | None) -> str:
                if code not in names:
                    try:
                        names[code] = div.get(code).name if code else ""
                    except Exception:  # noqa: BLE001 - an unknown code shows as the code
                        names[code] = code or ""
                return names[code]

            reasons_cache: dict = {}            # a group matter's reasons, worded once for all its people
            grade = rules.grade
            out = []
            for pf, person in facts:
                g = grade(pf, today, settings, reasons_cache)
                if g is None:
                    continue
                out.append(Card(pf.person_id, person[0], mask_id_number(person[1]) if person[1] else "",
                                place(person[2]), place(person[3]), person[2], g))
            return out

    def gather(self, today: date, only: str | None = None,
               settings: BoardSettings | None = None) -> list[tuple[PersonFacts, tuple]]:
        """Each person with a matter on the board, with the facts the rules need, and their
        (name, ID number, township code, village code).

        Plain scans, each table read once: the case rows (which carry the day of their last
        written decision and follow-up), the parties, the people; joined in dictionaries. (SQLite joining the same rows through its
        UUID indexes costs over twice as much: a probe per row.) Decided matters already
        followed up are left out as soon as their events are known, unless they fall in the
        repeat window, where they may still link two petitions on the same matter."""
        settings = settings or self.settings()
        db = self.s.db
        of_person = "IN (SELECT case_id FROM case_party WHERE person_id = ?)"
        one = [only] if only else []
        # Received on or after this day: inside the repeat window (received_on > today - window).
        window_from = (today - timedelta(days=settings.repeat_window_days - 1)).isoformat()
        built: dict[str, CaseFacts] = {}
        days = _DAYS                             # the parsed days, looked up inline (most rows)
        for cid, number, status, received, cat, group, n, repeat_of, due, due_key, dec, fu in db.execute_sql(
                f"""SELECT id, number, status, received_at, category_code, is_group, people_count, repeat_of,
                           next_due, next_due_key, decided_on, followed_on
                    FROM "case" WHERE status IN ({_marks(_STATUSES)}) AND (status IN ({_marks(_OPEN)})
                          OR received_at >= ? OR NOT {_SETTLED})""" + (f" AND id {of_person}" if only else ""),
                [*_STATUSES, *_OPEN, window_from, *one]):
            replied_on = None
            followed = False
            if status not in _OPEN_SET:
                # the last written decision and the last follow-up, cached on the row by apply_state
                followed = fu is not None and (dec is None or fu >= dec)
                if (followed or (dec is None and status != _REDIRECTED)) and received < window_from:
                    continue                   # off the board, and too old to count as a repeat
                replied_on = dec and (days.get(dec) or _day(dec))
            built[cid] = CaseFacts(cid, number, _STATUS[status], days.get(received[:10]) or _day(received), cat,
                                   bool(group), n or 1, repeat_of, due and (days.get(due) or _day(due)), due_key,
                                   replied_on, followed)
        leaders = self._leaders(built)
        for cid, nxt in self._next_sessions(built, today).items():
            built[cid].next_session = nxt
        for cid, (name, target) in leaders.items():
            f = built[cid]
            f.leader, f.leader_target = name, target
        per_person: dict[str, list[CaseFacts]] = {}
        on_board: set[str] = set()               # people with a matter on the board
        for cid, pid in db.execute_sql(f"SELECT case_id, person_id FROM case_party {'WHERE person_id = ?' if only else ''}",
                                       one):
            facts = built.get(cid)           # a group case is one matter of each of its people
            if facts is None:
                continue
            got = per_person.get(pid)
            if got is None:
                per_person[pid] = [facts]
            else:
                got.append(facts)
            if facts.on_board:
                on_board.add(pid)
        hardships = self._hardships(on_board)
        overrides = self._overrides(on_board)
        out = []
        no_hardship = ()
        for pid, name, id_number, township, village in db.execute_sql(
                f"SELECT id, name, id_number, township_code, village_code FROM person {'WHERE id = ?' if only else ''}",
                one):
            if pid not in on_board:
                continue
            cs = per_person[pid]
            if len(cs) > 1:
                cs.sort(key=_received_order)     # a person's matters oldest first
            h = hardships.get(pid)
            out.append((PersonFacts(pid, name, tuple(cs), tuple(h) if h else no_hardship, overrides.get(pid)),
                        (name, id_number, township, village)))
        return out

    def _leaders(self, case_ids: Container[str]) -> dict[str, tuple[str, date]]:
        out: dict[str, tuple[str, date]] = {}
        for cid, name, target in self.s.db.execute_sql(
                "SELECT case_id, leader_display, target_date FROM leader_assignment WHERE ended_at IS NULL "
                "ORDER BY assigned_at"):
            if cid in case_ids:
                out[cid] = (name, _day(target))
        return out

    def _next_sessions(self, case_ids: Container[str], today: date) -> dict[str, date]:
        # The planned next session of each case's latest, uncorrected mediation entry.
        out: dict[str, date] = {}
        rows = self.s.db.execute_sql(
            "SELECT m.case_id, m.next_session FROM mediation_session m WHERE NOT EXISTS "
            "(SELECT 1 FROM mediation_session c WHERE c.corrects = m.id) ORDER BY m.held_on, m.recorded_at").fetchall()
        for cid, nxt in rows:
            if cid in case_ids:
                d = _day(nxt)
                if d is None:
                    out.pop(cid, None)
                else:
                    out[cid] = d
        return out

    def _hardships(self, wanted: Container[str]) -> dict[str, list[Hardship]]:
        out: dict[str, list[Hardship]] = {}
        for pid, kind, note, opened in self.s.db.execute_sql(
                "SELECT person_id, kind, note, opened_at FROM hardship_flag WHERE cleared_at IS NULL ORDER BY opened_at"):
            if pid in wanted:
                out.setdefault(pid, []).append(Hardship(HardshipKind(kind), note or "", _day(opened)))
        return out

    def _overrides(self, wanted: Container[str]) -> dict[str, Override]:
        out: dict[str, Override] = {}
        for pid, colour, base, reason, by, at in self.s.db.execute_sql(
                "SELECT person_id, colour, base_colour, reason, set_by_display, set_at FROM colour_override "
                "WHERE withdrawn_at IS NULL ORDER BY set_at"):
            if pid in wanted:
                out[pid] = Override(Colour(colour), Colour(base), reason, by, _day(at))
        return out

    def print_board(self, actor: Actor, f: BoardFilter = BoardFilter(), filters_text: str = ""):
        """The A4 landscape board for the leaders' meeting (IDs always masked), audited."""
        require(actor, Permission.PRINT)
        from ..documents.board_print import BoardPrintDetails, render_board
        from .printing import PrintService

        b = self.board(actor, f)
        rendered = render_board(BoardPrintDetails(self.s.get(PrintService).office().name, b.today,
                                                  tuple(c.print_card() for c in b.cards), filters_text,
                                                  colour_meanings(b.settings)))
        with self.s.db.atomic():
            audit(actor, "attention.board.print", None, {"people": len(b.cards), "filters": filters_text},
                  at=self.s.clock.now())
        return rendered

    # -- overrides -----------------------------------------------------------------------
    def override(self, actor: Actor, person_id: str, colour, reason: str) -> Card:
        """A leader raises or lowers a person's colour with a written reason (audited)."""
        require_leader(actor, "调整看板颜色")
        colour = colour if isinstance(colour, Colour) else Colour.parse(str(colour))
        reason = clean_text(reason, label="调整理由", field="reason", required=True, limit=500)
        if len(reason) < 4:
            raise InvalidInput("请写明调整颜色的理由（至少4个字）", field="reason")
        today = self.s.clock.today()
        now = self.s.clock.now()
        with self.s.db.atomic():
            if Person.get_or_none(Person.id == person_id) is None:
                raise NotFound("找不到该信访人")
            require_writable(self.s.db, actor.unit_code, "colour_override", {"person_id": person_id})
            facts = self.gather(today, only=person_id)
            g = rules.grade(facts[0][0], today, self.settings()) if facts else None
            if g is None:
                raise InvalidInput("该信访人不在看板上（没有未结或待回访的事项），无需调整颜色")
            if colour == g.computed:
                raise InvalidInput(f"按规则该信访人已是{colour.label}{colour.value}，无需调整；如要撤销调整请选“撤销调整”",
                                   field="colour")
            self._withdraw_all(person_id, now, actor.unit_code)
            ColourOverride.create(unit_code=actor.unit_code, person_id=person_id, colour=colour.value,
                                  base_colour=g.computed.value, reason=reason, set_by=actor.name,
                                  set_by_display=actor.display_name, set_at=now, updated_at=now)
            audit(actor, "attention.override", person_id,
                  {"from": g.computed.value, "to": colour.value, "reason": reason}, at=now)
        card = self.card(actor, person_id)
        assert card is not None
        return card

    def withdraw_override(self, actor: Actor, person_id: str) -> None:
        require_leader(actor, "撤销看板颜色调整")
        now = self.s.clock.now()
        with self.s.db.atomic():
            if not self._withdraw_all(person_id, now, actor.unit_code):
                raise InvalidInput("该信访人没有领导调整的颜色")
            audit(actor, "attention.override_withdrawn", person_id, None, at=now)

    @staticmethod
    def _withdraw_all(person_id: str, now: datetime, unit: str) -> int:
        """Withdraw this unit's overrides in force (another unit's rows are that unit's to change)."""
        n = 0
        for row in ColourOverride.select().where((ColourOverride.person_id == person_id)
                                                 & (ColourOverride.unit_code == unit)
                                                 & ColourOverride.withdrawn_at.is_null()):
            row.withdrawn_at = now
            row.version += 1
            row.updated_at = now
            row.save()
            n += 1
        return n

    # -- follow-ups due (for the workbench) ----------------------------------------------
    def followups_due(self, actor: Actor, within_days: int = 7) -> list[tuple[date, str, str, str]]:
        """(due date, case id, case number, parties) of decided matters awaiting 回访, due within
        `within_days` or already late, earliest first. One query over the decided cases."""
        require(actor, Permission.VIEW)
        today = self.s.clock.today()
        days = self.settings().followup_days
        marks = ",".join("?" * len(_DECIDED))
        rows = self.s.db.execute_sql(
            f"""SELECT c.id, c.number, c.parties_label,
                       MAX(CASE WHEN e.kind IN ('replied','review_decided','recheck_decided') THEN e.occurred_at END) AS dec,
                       MAX(CASE WHEN e.kind = 'followed_up' THEN e.occurred_at END) AS fu
                FROM "case" c JOIN case_event e ON e.case_id = c.id
                WHERE c.status IN ({marks}) AND e.kind IN ('replied','review_decided','recheck_decided','followed_up')
                GROUP BY c.id HAVING dec IS NOT NULL AND (fu IS NULL OR fu < dec)""", _DECIDED).fetchall()
        limit = today + timedelta(days=within_days)
        out = []
        for cid, number, parties, dec, _fu in rows:
            due = _day(dec) + timedelta(days=days)
            if due <= limit:
                out.append((due, cid, number, parties))
        return sorted(out)


def matches(card: Card, f: BoardFilter, categories=None) -> bool:
    if f.colour is not None and card.colour != f.colour:
        return False
    if f.township and card.township_code != f.township:
        return False
    if f.leader is not None:
        owners = {c.leader or "" for c in card.grade.matters}
        if f.leader not in owners:
            return False
    if f.category:
        codes = [c.category_code for c in card.grade.matters]
        if not any(code == f.category or (len(f.category) == 2 and code.startswith(f.category)) for code in codes):
            return False
    return True


_DAYS: dict[str, date] = {}
_STATUS = {s.value: s for s in Status}


def _day(value) -> date | None:
    if value is None:
        return None
    if value.__class__ is str:     # what SQLite hands back: the common case first
        got = _DAYS.get(value[:10])  # a few hundred distinct days among tens of thousands of rows
        if got is None:
            got = _DAYS[value[:10]] = date.fromisoformat(value[:10])
        return got
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _day(str(value))


def _marks(values: list) -> str:
    return ",".join("?" * len(values))


_received_order = attrgetter("received_on", "number")


def _board_order(card: Card) -> tuple:
    g = card.grade
    return g.colour, g.next_date or date.max, card.name


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a board is built: it makes some 100,000 small objects
    without a single reference cycle, and the collector, set off by their number, would walk
    every live object of the program several times over (a third of the time for 10,000 people).
    Whoever paused it first starts it again; the objects are collected as usual afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
