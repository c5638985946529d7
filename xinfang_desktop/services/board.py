"""The attention board: one card per matter (信访事项), graded by the published rules of
domain/board.py from facts gathered over the cached case rows (services/board_facts.py); the
grouping by person kept for the screen; leaders' overrides, which hang on a matter.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Iterator

from ..domain.board import BoardSettings, Colour
from ..domain.errors import InvalidInput
from ..domain.text import clean_text
from ..store import setting_keys
from ..store.models import Setting
from ..store.models_listing import AWAITING_FOLLOWUP, FOLLOWUP_INDEX
from ..store.models_attention import ColourOverride
from ..store.ownership import require_writable
from .attention import require_leader
from .audit import audit
from .board_cards import Card, MatterCard, PersonCard, matter_cards, person_cards
from .board_facts import BoardFacts, gather as gather_facts
from .cases import find_case
from .permissions import Actor, Permission, require

SETTING_KEY = setting_keys.BOARD_RULES
# SQLite's planner, without statistics, preferred the status index and sorted (PostgreSQL drops the hint and
# chooses by its statistics); the hint also fails loudly should the query's terms ever differ from the index's.
_FOLLOWUP_INDEX = f"INDEXED BY {FOLLOWUP_INDEX[0]}"


class BoardView(str, Enum):
    """The board's grouping: by matter (the board itself, and its printout), or by person (the
    screen's way of finding a person's matters)."""

    MATTER = "matter"
    PERSON = "person"

    @property
    def label(self) -> str:
        return "按事项" if self is BoardView.MATTER else "按人员"

    @property
    def unit(self) -> str:
        """What a card counts: 「件」 matters or 「人」 people."""
        return "件" if self is BoardView.MATTER else "人"


@dataclass(frozen=True)
class BoardFilter:
    township: str | None = None         # township code
    leader: str | None = None           # 包案 leader display name; "" = not owned
    category: str | None = None         # a category code; a two-digit code matches its children
    colour: Colour | None = None


@dataclass(frozen=True)
class Board:
    cards: list                         # MatterCard or PersonCard (by `view`), most urgent first
    today: date
    settings: BoardSettings
    view: BoardView = BoardView.MATTER

    def of(self, colour: Colour) -> list:
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
        self.services = services

    # -- settings ------------------------------------------------------------------------
    def settings(self) -> BoardSettings:
        return board_settings()

    def save_settings(self, actor: Actor, **values: int) -> BoardSettings:
        require(actor, Permission.MANAGE_SETTINGS)
        new = replace(self.settings(), **values)        # validates in __post_init__
        with self.services.db.atomic():
            Setting.replace(key=SETTING_KEY, value=new.__dict__).execute()
            audit(actor, "attention.board_settings", None, dict(new.__dict__), at=self.services.clock.now())
        return new

    # -- the board -----------------------------------------------------------------------
    def board(self, actor: Actor, f: BoardFilter = BoardFilter(), view: BoardView | str = BoardView.MATTER) -> Board:
        """The board by matter (the default), or the grouping by person, most urgent first."""
        require(actor, Permission.VIEW)
        view = BoardView(view)
        today = self.services.clock.today()
        settings = self.settings()
        with _collector_paused():           # the sort too: its keys would set the collector off
            facts = gather_facts(self.services.db, today, settings, places=view is BoardView.PERSON)
            cards = self._matter_cards(facts, today, settings) if view is BoardView.MATTER else \
                self._person_cards(facts, today, settings)
            return self._board(cards, f, today, settings, view)

    def both(self, actor: Actor, f: BoardFilter = BoardFilter()) -> tuple[Board, Board]:
        """The board by matter and the grouping by person, from one gathering of the facts."""
        require(actor, Permission.VIEW)
        today = self.services.clock.today()
        settings = self.settings()
        with _collector_paused():
            facts = gather_facts(self.services.db, today, settings)
            matters = self._matter_cards(facts, today, settings)
            people = self._person_cards(facts, today, settings)
            return (self._board(matters, f, today, settings, BoardView.MATTER),
                    self._board(people, f, today, settings, BoardView.PERSON))

    def _board(self, cards: list, f: BoardFilter, today: date, settings: BoardSettings, view: BoardView) -> Board:
        if f != BoardFilter():
            cards = [c for c in cards if matches(c, f, self.services.categories)]
        # Most urgent first: the colour letters (a str enum) sort as the urgency.
        cards.sort(key=_board_order)
        return Board(cards, today, settings, view)

    def matter_card(self, actor: Actor, case_ref: str) -> MatterCard | None:
        """The card of the matter that case `case_ref` (an id or a number) belongs to, if it is on the board."""
        require(actor, Permission.VIEW)
        case_id = find_case(case_ref).id
        today = self.services.clock.today()
        settings = self.settings()
        with _collector_paused():
            cards = self._matter_cards(gather_facts(self.services.db, today, settings, places=False), today, settings)
        return next((c for c in cards if case_id in c.case_ids), None)

    def person_card(self, actor: Actor, person_id: str) -> PersonCard | None:
        require(actor, Permission.VIEW)
        today = self.services.clock.today()
        settings = self.settings()
        facts = gather_facts(self.services.db, today, settings, only_person=person_id)
        return next(iter(self._person_cards(facts, today, settings, only=person_id)), None)

    def _matter_cards(self, facts: BoardFacts, today: date, settings: BoardSettings) -> list[MatterCard]:
        return matter_cards(facts, today, settings, self.services.categories.label)

    def _person_cards(self, facts: BoardFacts, today: date, settings: BoardSettings,
                      only: str | None = None) -> list[PersonCard]:
        div = self.services.divisions
        names: dict[str | None, str] = {}

        def place(code: str | None) -> str:
            if code not in names:
                try:
                    names[code] = div.get(code).name if code else ""
                except Exception:  # noqa: BLE001 - an unknown code shows as the code
                    names[code] = code or ""
            return names[code]

        return person_cards(facts, today, settings, place, only)

    def print_board(self, actor: Actor, f: BoardFilter = BoardFilter(), filters_text: str = ""):
        """The matters needing a leader, on A4 landscape for the leaders' meeting, audited. Laid out
        by matter, whatever the screen shows: no ID numbers, addresses or villages, only what a
        leader needs to act (DOMAIN.md, "The attention board")."""
        require(actor, Permission.PRINT)
        from ..documents.board_print import BoardPrintDetails, render_board
        from ..domain.board import colour_meanings
        from .printing import PrintService

        b = self.board(actor, f, BoardView.MATTER)
        rendered = render_board(BoardPrintDetails(self.services.get(PrintService).office().name, b.today,
                                                  tuple(c.print_card() for c in b.cards), filters_text,
                                                  colour_meanings(b.settings)))
        with self.services.db.atomic():
            audit(actor, "attention.board.print", None, {"matters": len(b.cards), "filters": filters_text},
                  at=self.services.clock.now())
        return rendered

    # -- overrides -----------------------------------------------------------------------
    def override(self, actor: Actor, case_ref: str, colour, reason: str) -> MatterCard:
        """A leader raises or lowers a matter's colour with a written reason (audited). `case_ref`
        names any petition of the matter (an id or a number); the override hangs on the matter."""
        require_leader(actor, "调整看板颜色")
        colour = colour if isinstance(colour, Colour) else Colour.parse(str(colour))
        reason = clean_text(reason, label="调整理由", field="reason", required=True, limit=500)
        if len(reason) < 4:
            raise InvalidInput("请写明调整颜色的理由（至少4个字）", field="reason")
        now = self.services.clock.now()
        with self.services.db.atomic():
            case = find_case(case_ref)
            require_writable(self.services.db, actor.unit_code, "colour_override", {"case_id": case.id})
            card = self.matter_card(actor, case.id)
            if card is None:
                raise InvalidInput(f"事项 {case.number} 不在看板上（已办结并回访，或未予受理），无需调整颜色")
            g = card.grade
            if colour == g.computed:
                raise InvalidInput(f"按规则该事项已是{colour.word}，无需调整；如要撤销调整请选“撤销调整”",
                                   field="colour")
            self._withdraw_matter(card, now, actor.unit_code)
            ColourOverride.create(unit_code=actor.unit_code, case_id=card.case_id, person_id=None, colour=colour.value,
                                  base_colour=g.computed.value, reason=reason, set_by=actor.name,
                                  set_by_display=actor.display_name, set_at=now, updated_at=now)
            audit(actor, "attention.override", card.case_id,
                  {"number": card.number, "from": g.computed.value, "to": colour.value, "reason": reason}, at=now)
        card = self.matter_card(actor, card.case_id)
        assert card is not None
        return card

    def withdraw_override(self, actor: Actor, case_ref: str) -> None:
        """Withdraw this unit's override of the matter that case `case_ref` belongs to."""
        require_leader(actor, "撤销看板颜色调整")
        now = self.services.clock.now()
        with self.services.db.atomic():
            case = find_case(case_ref)
            card = self.matter_card(actor, case.id)
            n = self._withdraw_matter(card, now, actor.unit_code) if card else \
                self._withdraw(ColourOverride.case_id == case.id, now, actor.unit_code)
            if not n:
                raise InvalidInput("该事项没有领导调整的颜色")
            audit(actor, "attention.override_withdrawn", case.id, {"number": case.number}, at=now)

    def withdraw_person_override(self, actor: Actor, person_id: str) -> None:
        """Withdraw an override an earlier version set on a person (new overrides hang on a matter)."""
        require_leader(actor, "撤销看板颜色调整")
        now = self.services.clock.now()
        with self.services.db.atomic():
            if not self._withdraw(ColourOverride.person_id == person_id, now, actor.unit_code):
                raise InvalidInput("该信访人没有按人员调整的颜色")
            audit(actor, "attention.override_withdrawn", person_id, None, at=now)

    def _withdraw_matter(self, card: MatterCard, now: datetime, unit: str) -> int:
        # Any petition of the matter may carry an override (the first on the board changes over time).
        ids = {card.case_id, *card.case_ids}
        return self._withdraw(ColourOverride.case_id.in_(sorted(ids)), now, unit)

    @staticmethod
    def _withdraw(where, now: datetime, unit: str) -> int:
        """Withdraw this unit's overrides in force (another unit's rows are that unit's to change)."""
        n = 0
        for row in ColourOverride.select().where(where & (ColourOverride.unit_code == unit)
                                                 & ColourOverride.withdrawn_at.is_null()):
            row.withdrawn_at = now
            row.version += 1
            row.updated_at = now
            row.save()
            n += 1
        return n

    # -- follow-ups due (for the workbench) ----------------------------------------------
    def followups_due(self, actor: Actor, within_days: int = 7,
                      limit: int | None = None) -> list[tuple[date, str, str, str]]:
        """(due date, case id, case number, parties) of decided matters awaiting 回访, due within
        `within_days` or already late, earliest first (the first `limit` of them). Read from the case row's
        cached decision and follow-up dates through their partial index (store/models_listing.py), so a
        city's closed matters are not read on every look. The dates are the ones the board's cards read
        (services/board_facts.py): a 回访 on the day of the last decision or later settles it."""
        require(actor, Permission.VIEW)
        days, cutoff = self._followup_cutoff(within_days)
        rows = self.services.db.execute_sql(
            f'SELECT decided_on, id, number, parties_label FROM "case" {_FOLLOWUP_INDEX} WHERE {AWAITING_FOLLOWUP} '
            f"AND decided_on <= ? ORDER BY decided_on, sid" + ("" if limit is None else " LIMIT ?"),
            (cutoff,) if limit is None else (cutoff, limit)).fetchall()
        return [(_day(dec) + timedelta(days=days), cid, number, parties) for dec, cid, number, parties in rows]

    def followups_due_count(self, actor: Actor, within_days: int = 7) -> int:
        """How many matters :meth:`followups_due` would list (one count over the same index)."""
        require(actor, Permission.VIEW)
        _days, cutoff = self._followup_cutoff(within_days)
        return self.services.db.execute_sql(
            f'SELECT COUNT(*) FROM "case" {_FOLLOWUP_INDEX} WHERE {AWAITING_FOLLOWUP} AND decided_on <= ?',
            (cutoff,)).fetchone()[0]

    def _followup_cutoff(self, within_days: int) -> tuple[int, str]:
        """The 回访 period, and the last decision date whose 回访 falls due within `within_days` from today."""
        days = self.settings().followup_days
        return days, (self.services.clock.today() + timedelta(days=within_days - days)).isoformat()


def matches(card: Card, f: BoardFilter, categories=None) -> bool:
    if f.colour is not None and card.colour != f.colour:
        return False
    if f.township and f.township not in card.township_codes:
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


def _day(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _board_order(card: Card) -> tuple:
    g = card.grade
    return g.colour, g.next_date or date.max, card.name


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A board makes some 100,000 small objects without a single reference cycle, and the collector,
    set off by their number, would walk every live object of the program several times over (a third
    of the time for 10,000 people). Freezing sets the objects alive before the build aside, so it walks
    only the board's own; collection itself never stops, in this thread or the window's."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
