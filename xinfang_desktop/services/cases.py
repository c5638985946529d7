"""Registering petitions and every workflow action on them.

Each method takes the acting user, checks the permission, validates before writing, writes in
one IMMEDIATE transaction and appends the audit entry in that same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Mapping

from peewee import fn

from ..domain import workflow as wf
from ..domain.categories import CategoryTable
from ..domain.errors import InvalidInput, NotFound
from ..domain.numbers import format_case_number, new_query_code
from ..domain.petition import PetitionerInput, RegistrationInput, is_group, validate_registration
from ..domain.statistics import stat_facts
from ..domain.workflow import CaseState, Event, EventKind
from ..store import search
from ..store.ownership import require_writable
from ..store.models_facts import FACT_COLUMNS
from ..store.models_board import BOARD_COLUMNS, board_values
from ..store.models import Case, CaseCounter, CaseEvent, CaseParty, Person
from .audit import audit
from .clock import Clock
from .permissions import Actor, Permission, require

EVENT_PERMISSIONS: dict[EventKind, Permission] = {
    EventKind.ROUTED: Permission.ROUTE,
    EventKind.OBJECTED: Permission.ROUTE,
    EventKind.NOTIFIED: Permission.NOTIFY,
    EventKind.REFUSED: Permission.REFUSE,
    EventKind.EXTENDED: Permission.EXTEND,
    EventKind.REPLIED: Permission.REPLY,
    EventKind.REVIEW_REQUESTED: Permission.REVIEW,
    EventKind.REVIEW_DECIDED: Permission.REVIEW,
    EventKind.RECHECK_REQUESTED: Permission.REVIEW,
    EventKind.RECHECK_DECIDED: Permission.REVIEW,
    EventKind.FOLLOWED_UP: Permission.FOLLOW_UP,
    EventKind.CLOSED: Permission.CLOSE,
    EventKind.NOTE: Permission.NOTE,
}


@dataclass(frozen=True)
class CaseRef:
    id: str
    number: str
    query_code: str


def to_event(row: CaseEvent) -> Event:
    return Event(id=row.id, kind=EventKind(row.kind), occurred_at=row.occurred_at, data=row.data or {})


def parties_label(names: list[str], people_count: int) -> str:
    if not names:
        return ""
    if people_count > 1:
        return f"{names[0]}等{people_count}人"
    return names[0]


# The columns of a case row that cache fold(events): its status and next deadline, and the
# statistics and board facts of the same fold. Every writer of events or case rows keeps them.
CACHED_COLUMNS = ("status", "next_due", "next_due_start", "next_due_key", "provisional", *FACT_COLUMNS, *BOARD_COLUMNS)


def cached_values(state: CaseState) -> tuple:
    """The values of CACHED_COLUMNS for a folded state, in that order."""
    nxt = state.next_deadline
    facts = stat_facts(state)
    return (state.status.value if state.status else wf.Status.REGISTERED.value,
            nxt.due.date if nxt else None, nxt.start if nxt else None, nxt.key.value if nxt else None,
            state.provisional, facts.flags, facts.open_limit, facts.replied_on, facts.decided_on,
            state.followed_up_on, *board_values(state))


def apply_state(case: Case, state: CaseState) -> None:
    """Write the cache of fold(events) onto the case row (not saved here)."""
    for column, value in zip(CACHED_COLUMNS, cached_values(state)):
        setattr(case, column, value)


def refold_cases(db, case_ids: Iterable[str], cal) -> int:
    """Fold each case from its events and write every cached column, in bulk (inside the caller's
    transaction): the sync import, whatever table its changes came by. Returns the cases written."""
    items = sorted(set(case_ids))
    update = f'UPDATE "case" SET {", ".join(f"{c} = ?" for c in CACHED_COLUMNS)} WHERE id = ?'
    conn = db.connection()
    written = 0
    for i in range(0, len(items), 500):
        part = items[i:i + 500]
        events: dict[str, list[Event]] = {cid: [] for cid in part}
        for cid, eid, kind, occurred, data in conn.execute(
                f"SELECT case_id, id, kind, occurred_at, data FROM case_event WHERE case_id IN "
                f"({','.join('?' for _ in part)})", part):
            events[cid].append(Event(eid, EventKind(kind), datetime.fromisoformat(occurred),
                                     json.loads(data) if data else {}))
        rows = []
        for cid in part:
            values = cached_values(wf.fold(events[cid], cal))
            rows.append((*(v.isoformat() if isinstance(v, date) else v for v in values), cid))
        conn.executemany(update, rows)
        written += len(rows)
    return written


PERSON_FIELDS = ("name", "id_number", "phone", "sex", "birth_date", "township_code", "village_code", "address")


def update_person(person: Person, given: PetitionerInput, now: datetime) -> bool:
    """Fill or update `person` with what `given` newly says (an empty field never erases one).
    True when something changed; its version and time then move on (not saved here)."""
    changed = False
    for attr in PERSON_FIELDS:
        value = getattr(given, attr)
        if value and value != getattr(person, attr):
            setattr(person, attr, value)
            changed = True
    if changed:
        person.version += 1
        person.updated_at = now
    return changed


def find_case(ref: str) -> Case:
    ref = (ref or "").strip()
    case = Case.get_or_none((Case.number == ref) | (Case.id == ref))
    if case is None:
        raise NotFound(f"找不到事项：{ref}。请核对事项编号。")
    return case


class CaseService:
    def __init__(self, db, clock: Clock, calendar: Callable[[], Any], categories: CategoryTable, unit_code: str):
        self.db = db
        self.clock = clock
        self._calendar = calendar      # a callable: the calendar changes when a year is loaded
        self.categories = categories
        self.unit_code = unit_code

    @property
    def cal(self):
        return self._calendar()

    # -- reading state -----------------------------------------------------------------
    def events_of(self, case: Case) -> list[Event]:
        return [to_event(r) for r in CaseEvent.select().where(CaseEvent.case == case)]

    def state_of(self, case: Case) -> CaseState:
        return wf.fold(self.events_of(case), self.cal)

    # -- registration ------------------------------------------------------------------
    def validate(self, reg: RegistrationInput) -> RegistrationInput:
        return validate_registration(reg, now=self.clock.now(), category_exists=self._category_exists)

    def _category_exists(self, code: str) -> bool:
        try:
            self.categories.get(code)
            return True
        except InvalidInput:
            return False

    def register(self, actor: Actor, reg: RegistrationInput) -> CaseRef:
        require(actor, Permission.REGISTER)
        reg = self.validate(reg)
        now = self.clock.now()
        with self.db.atomic():
            repeat_of = find_case(reg.repeat_of).id if reg.repeat_of else None
            persons = [self._upsert_person(actor, p, now) for p in reg.petitioners]
            year = reg.received_at.year
            seq = self._next_seq(actor.unit_code, year)
            sid = (Case.select(fn.MAX(Case.sid)).scalar() or 0) + 1
            names = [p.name for p in persons]
            case = Case(
                sid=sid, unit_code=actor.unit_code, number=format_case_number(actor.unit_code, year, seq),
                query_code=new_query_code(), channel=reg.channel, received_at=reg.received_at,
                category_code=reg.category_code, request=reg.request, facts=reg.facts, reasons=reg.reasons,
                people_count=reg.people_count, is_group=is_group(reg.people_count or 1),
                concerned_unit=reg.concerned_unit, township_code=persons[0].township_code,
                repeat_of=repeat_of, created_by=actor.name, created_at=now, updated_at=now,
                parties_label=parties_label(names, reg.people_count or 1), status=wf.Status.REGISTERED.value,
            )
            registered = CaseEvent(case=case, unit_code=actor.unit_code, kind=EventKind.REGISTERED.value,
                                   occurred_at=reg.received_at, recorded_at=now, actor=actor.name,
                                   data={"channel": reg.channel})
            apply_state(case, wf.fold([to_event(registered)], self.cal))
            case.save(force_insert=True)
            registered.save(force_insert=True)
            for i, (person, p) in enumerate(zip(persons, reg.petitioners)):
                CaseParty.create(case=case, person=person, unit_code=actor.unit_code, role="petitioner",
                                 is_representative=p.is_representative, position=i, updated_at=now)
            search.reindex(self.db, sid, self._search_tokens(case, persons))
            audit(actor, "case.register", case.id, {"number": case.number}, at=now)
        return CaseRef(case.id, case.number, case.query_code)

    def _next_seq(self, unit_code: str, year: int) -> int:
        self.db.execute_sql(
            "INSERT INTO case_counter (unit_code, year, last) VALUES (?, ?, 1) "
            "ON CONFLICT (unit_code, year) DO UPDATE SET last = last + 1", (unit_code, year))
        return CaseCounter.get((CaseCounter.unit_code == unit_code) & (CaseCounter.year == year)).last

    def _upsert_person(self, actor: Actor, p: PetitionerInput, now: datetime) -> Person:
        person = None
        if p.person_id:
            person = Person.get_or_none(Person.id == p.person_id)
            if person is None:
                raise NotFound("所选的信访人记录不存在，请重新查找")
        elif p.id_number:
            person = Person.get_or_none((Person.id_number == p.id_number) & (Person.unit_code == actor.unit_code))
        if person is None:
            return Person.create(unit_code=actor.unit_code, name=p.name, id_number=p.id_number, phone=p.phone,
                                 sex=p.sex, birth_date=p.birth_date, township_code=p.township_code,
                                 village_code=p.village_code, address=p.address, created_at=now, updated_at=now)
        # Only the owning unit changes a record's fields; what is newly given fills or updates it.
        if person.unit_code == actor.unit_code and update_person(person, p, now):
            person.save()
        return person

    def _search_tokens(self, case: Case, persons: Iterable[Person]) -> str:
        persons = list(persons)
        return search.document_tokens(search.SearchDoc(
            names=[p.name for p in persons], id_numbers=[p.id_number for p in persons if p.id_number],
            phones=[p.phone for p in persons if p.phone], case_number=case.number, query_code=case.query_code,
            request=case.request))

    # -- earlier matters of the same person ----------------------------------------------
    def find_earlier(self, name: str | None = None, id_number: str | None = None,
                     phone: str | None = None, limit: int = 20) -> list[tuple[Person, list[Case]]]:
        """People who may be this petitioner (same ID number, or same name and phone) and their cases."""
        conds = []
        if id_number:
            conds.append(Person.id_number == id_number.strip().upper())
        if name and phone:
            conds.append((Person.name == name.strip()) & (Person.phone == phone.strip()))
        if not conds:
            return []
        where = conds[0]
        for c in conds[1:]:
            where = where | c
        out = []
        for person in Person.select().where(where).limit(limit):
            cases = list(Case.select().join(CaseParty).where(CaseParty.person == person)
                         .order_by(Case.received_at.desc()))
            out.append((person, cases))
        return out

    # -- workflow actions --------------------------------------------------------------
    def act(self, actor: Actor, ref: str, kind: EventKind | str, data: Mapping[str, Any] | None = None,
            at: datetime | None = None, corrects: str | None = None) -> CaseState:
        kind = EventKind(kind)
        if kind == EventKind.REGISTERED:
            raise InvalidInput("登记请使用“登记”功能")
        require(actor, EVENT_PERMISSIONS[kind])
        now = self.clock.now()
        occurred = at or now
        if occurred.date() > now.date():
            raise InvalidInput(f"日期（{occurred:%Y-%m-%d}）晚于今天，请核对", field="at")
        with self.db.atomic():
            case = find_case(ref)
            require_writable(self.db, actor.unit_code, "case_event",
                             {"case_id": case.id, "kind": kind.value, "corrects": corrects})
            events = self.events_of(case)
            state = wf.fold(events, self.cal)
            wf.check_allowed(state, kind, occurred.date())
            last = max((e.occurred_at for e in events), default=None)
            # Only a date the user gave can be refused as too early; "now" follows the last event.
            if last is not None and at is not None and occurred < last and kind != EventKind.NOTE:
                raise InvalidInput(f"日期早于该事项最后一次办理记录（{last:%Y-%m-%d %H:%M}），请核对", field="at")
            if last is not None and occurred <= last:
                # Two actions in the same second keep the order in which they were recorded.
                occurred = last + timedelta(seconds=1)
            clean = wf.validate_event_data(kind, data or {}, state, occurred.date())
            row = CaseEvent.create(case=case, unit_code=actor.unit_code, kind=kind.value, occurred_at=occurred,
                                   recorded_at=now, actor=actor.name, data=clean, corrects=corrects)
            state = wf.fold([*events, to_event(row)], self.cal)
            apply_state(case, state)
            if case.unit_code == actor.unit_code:
                # The owner's row changes; on a case handed to this unit by 交办 only the local cache does.
                if kind == EventKind.ROUTED and clean.get("unit") and clean.get("route") == wf.Route.DIRECT.value:
                    case.owner_name = clean["unit"]
                case.version += 1
                case.updated_at = now
            case.save()
            audit(actor, f"case.{kind.value}", case.id, {"number": case.number}, at=now)
        return state

    def recompute_open(self) -> int:
        """Refold every case whose deadlines may change (after a holiday schedule is loaded): the
        open ones, and those received since the start of last year, whose limits the statistics
        still count (a limit of last December's matter can fall in this year's holidays)."""
        n = 0
        since = datetime(self.clock.today().year - 1, 1, 1)
        cached = CACHED_COLUMNS
        with self.db.atomic():
            for case in Case.select().where(Case.status.in_([s.value for s in wf.OPEN_STATUSES]
                                                            + [wf.Status.REPLIED.value, wf.Status.REVIEWED.value])
                                            | (Case.received_at >= since)):
                before = tuple(getattr(case, f) for f in cached)
                apply_state(case, self.state_of(case))
                if tuple(getattr(case, f) for f in cached) != before:
                    case.save()
                    n += 1
        return n

    def today(self) -> date:
        return self.clock.today()
