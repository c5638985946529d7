"""Registering petitions and every workflow action on them.

Each method takes the acting user, checks the permission, validates before writing, writes in
one IMMEDIATE transaction and appends the audit entry in that same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Callable, Collection, Iterable, Mapping, Sequence


from ..domain import workflow as wf
from ..domain.categories import CategoryTable
from ..domain.divisions import DivisionTable
from ..domain.errors import InvalidInput, NotFound, StaleCase
from ..domain.numbers import format_case_number, new_query_code, number_tail, parse_short_number
from ..domain.matters import default_matter
from ..domain.petition import RegistrationInput, is_group, validate_registration
from ..domain.case_cache import CACHED_COLUMNS, cached_values, sql_values
from ..domain.workflow import CaseState, Event, EventKind
from ..store import search
from ..store.locks import (batched, documents_at_commit, for_update, locked, numbers_at_commit, parties_first,
                           retrying, row_writer)
from ..store.ownership import require_writable
from ..store.select_texts import SelectText
from ..store.models import Case, CaseEvent, CaseParty, Person, Unit, new_id, self_unit_code
from .audit import audit
from .clock import Clock
from .names import person_names
from .permissions import Actor, Permission, require
from .persons import lock_people, place_label, plan_people, settle_people

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
    EventKind.RECLASSIFIED: Permission.ROUTE,
    EventKind.DELIVERED: Permission.NOTIFY,
    EventKind.HEARING: Permission.REVIEW,
}


@dataclass(frozen=True)
class CaseRef:
    id: str
    number: str
    query_code: str


def to_event(row: CaseEvent) -> Event:
    return Event(id=row.id, kind=EventKind(row.kind), occurred_at=row.occurred_at, data=row.data or {})


def _moment(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value    # a raw row written with "T"


def recorded_order(rows: Iterable[CaseEvent]) -> list[CaseEvent]:
    """A case's event rows in the order they were recorded: by recorded_at, and those of one second in the
    workflow's order. Explicit, because the engine's row order is none (on PostgreSQL an updated row moves).
    Recorded, not occurred: a note dated back is still what came last, for the stale check (refuse_if_changed)."""
    return sorted(rows, key=lambda r: _recorded_key(r, to_event(r)))


def _recorded_key(row: CaseEvent, event: Event):
    return _moment(row.recorded_at), wf.event_sort_key(event)


def last_event_id(rows: Iterable[CaseEvent]) -> str | None:
    """The id of the event recorded last: what a desk that shows these rows passes as ``seen_event``."""
    ordered = recorded_order(rows)
    return ordered[-1].id if ordered else None


def parties_label(names: list[str], people_count: int) -> str:
    if not names:
        return ""
    if people_count > 1:
        return f"{names[0]}等{people_count}人"
    return names[0]


def apply_state(case: Case, state: CaseState, here: str | None = None) -> None:
    """Write the cache of fold(events), as the office `here` reads it, onto the case row (not saved here)."""
    for column, value in zip(CACHED_COLUMNS, cached_values(state, here)):
        setattr(case, column, value)


def refold_cases(db, case_ids: Iterable[str], cal, here: str | None = None) -> int:
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
        rows = [(*sql_values(wf.fold(events[cid], cal), here), cid) for cid in part]
        conn.executemany(update, rows)
        written += len(rows)
    return written


def refuse_if_changed(case: Case, events: Sequence[Event], seen_event: str | None = None,
                      seen_events: Collection[str] | None = None) -> None:
    """Refuse an action on what a desk saw when ``events`` (in recorded order, events_of) have gone on since.
    ``seen_events``: the ids of every event the desk showed; any other event of the case is new to it, wherever
    it sorts (one that came by sync carries the other office's recorded_at, and within one second the order
    is the workflow's, not the arrival's). Else ``seen_event``: the last one it showed, and what follows it."""
    if seen_events is not None:
        seen = set(seen_events)
        since = [e for e in events if e.id not in seen]
    else:
        ids = [e.id for e in events]
        if not ids or ids[-1] == seen_event:
            return
        since = list(events[ids.index(seen_event) + 1:] if seen_event in ids else events)
    if since:
        raise StaleCase(f"事项 {case.number} 在您打开之后已被他人办理（{what_happened(since)}），您的操作没有保存。"
                        "请重新打开该事项，看过最新情况后再办理。")


def what_happened(since: Sequence[Event]) -> str:
    """The events another desk recorded, as a clerk reads them: when, who (张承办, not handler1; an event that
    came by sync from another office, that office: its logins are not this one's users), what; the last five,
    and how many in all when there are more."""
    rows = {eid: (login, unit) for eid, login, unit in CaseEvent.select(
        CaseEvent.id, CaseEvent.actor, CaseEvent.unit_code).where(CaseEvent.id.in_([e.id for e in since])).tuples()}
    units = {code: (name, is_self) for code, name, is_self in Unit.select(Unit.code, Unit.name, Unit.is_self).where(
        Unit.code.in_({unit for _, unit in rows.values()})).tuples()}
    names = person_names(login for login, _ in rows.values())
    actors = {eid: names.get(login, login) if units.get(unit, ("", True))[1] else units[unit][0]
              for eid, (login, unit) in rows.items()}
    what = "；".join(" ".join(filter(None, (f"{e.occurred_at:%m-%d %H:%M}", actors.get(e.id), e.kind.label)))
                    for e in since[-5:])
    return what + (f"等{len(since)}项" if len(since) > 5 else "")


def find_case(ref: str, today: date | None = None, *, locking: bool = False) -> Case:
    """A case by its full number, its id, or the short number a clerk says: the sequence alone (1252),
    or year and sequence (2026-1252). A short number means this unit's case of this year first; else
    the only case anywhere whose number ends so; several are listed for the clerk to choose.
    ``locking``: the case's row locked until the transaction ends (store/locks.locked), found by its full
    number or id and locked in one statement (one round trip less for every action a desk records)."""
    ref = (ref or "").strip()
    db = Case._meta.database
    case = (_BY_REF_LOCKING if locking else _BY_REF).first(ref)
    if case is not None:
        return case
    case = _by_short_number(ref, today)
    return locked(db, case) if locking else case


def _by_ref(ref: str):
    return Case.select().where((Case.number == ref) | (Case.id == ref))


# As ``get_or_none`` runs them (one row); their texts made once (store/select_texts.py).
_BY_REF = SelectText(Case, lambda ref: _by_ref(ref).paginate(1, 1))
_BY_REF_LOCKING = SelectText(Case, lambda ref: for_update(Case._meta.database, _by_ref(ref)).paginate(1, 1))
_EVENTS = SelectText(CaseEvent, lambda case_id: CaseEvent.select().where(CaseEvent.case == case_id))


def _by_short_number(ref: str, today: date | None) -> Case:
    short = parse_short_number(ref)
    if short is None:
        raise NotFound(f"找不到事项：{ref}。请核对事项编号。")
    year, seq = short
    here = self_unit_code(Case._meta.database)
    if here:
        mine = Case.get_or_none(Case.number == format_case_number(here, year or (today or date.today()).year, seq))
        if mine is not None:
            return mine
    found = list(Case.select().where(Case.number.endswith(number_tail(year, seq)))
                 .order_by(Case.received_at.desc()).limit(SHORT_MATCHES + 1))
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"找不到编号以“{number_tail(year, seq)[1:]}”结尾的事项。请核对编号，或输入完整的事项编号。")
    listed = "、".join(c.number for c in found[:SHORT_MATCHES]) + ("等" if len(found) > SHORT_MATCHES else "")
    raise NotFound(f"“{ref}”对应多件事项：{listed}。请输入完整编号，或“年份-序号”（如 2026-{seq}）。")


SHORT_MATCHES = 10      # cases listed when a short number is ambiguous


# Review steps a superior records on a matter of the office below (第三十五、三十六条).
REVIEW_KINDS = frozenset({EventKind.REVIEW_REQUESTED, EventKind.REVIEW_DECIDED, EventKind.RECHECK_REQUESTED,
                          EventKind.RECHECK_DECIDED, EventKind.HEARING})


class CaseService:
    def __init__(self, db, clock: Clock, calendar: Callable[[], Any], categories: CategoryTable, unit_code: str,
                 office: Callable[[], Any] | None = None, divisions: DivisionTable | None = None):
        self.db = db
        self.clock = clock
        self._calendar = calendar      # a callable: the calendar changes when a year is loaded
        self.categories = categories
        self.unit_code = unit_code
        self._office = office          # a callable giving services.office.OfficeSettings
        self.divisions = divisions

    def office(self):
        if self._office is None:
            from .office import OfficeSettings
            return OfficeSettings("", "", "", "")
        return self._office()

    def late_days(self) -> int:
        return self.office().late_entry_days

    @property
    def cal(self):
        return self._calendar()

    # -- reading state -----------------------------------------------------------------
    def events_of(self, case: Case) -> list[Event]:
        """The case's events in recorded order (recorded_order)."""
        # Each row made an Event once (recorded_order's key would make it again).
        pairs = [(r, to_event(r)) for r in _EVENTS.rows(case.id)]
        pairs.sort(key=lambda p: _recorded_key(*p))
        return [e for _, e in pairs]

    def state_of(self, case: Case) -> CaseState:
        return wf.fold(self.events_of(case), self.cal)

    # -- registration ------------------------------------------------------------------
    def validate(self, reg: RegistrationInput, *, suggest: bool = True) -> RegistrationInput:
        reg = validate_registration(reg, now=self.clock.now(), category_exists=self._category_exists)
        if reg.matter is None and suggest:
            # The category suggests the kind (第二十九、三十、三十一条); the clerk confirms it at intake.
            reg = replace(reg, matter=default_matter(self.categories.suggested_matter(reg.category_code)))
        return reg

    def _category_exists(self, code: str) -> bool:
        try:
            self.categories.get(code)
            return True
        except InvalidInput:
            return False

    def register(self, actor: Actor, reg: RegistrationInput, *, from_ledger: bool = False,
                 with_rows: Callable[[Case], None] | None = None) -> CaseRef:
        """Register a petition. A petitioner whose details conflict with a registered person's is
        refused (PersonConflict, both versions) before anything is written, unless the registration
        carries the clerk's choice for that petitioner (PetitionerInput.on_conflict). `from_ledger`: a
        row of an old register (台账) — its kind of matter is unknown unless given, and the documents
        it had were numbered on paper, not here. `with_rows(case)`: more rows written with the case, in its
        transaction (its attachments, the end of the clerk's draft); it only writes — on PostgreSQL those
        rows go in the message that takes the numbers and commits, where a read would cost a round trip
        while another desk waits for this unit's counter."""
        require(actor, Permission.REGISTER)
        reg = self.validate(reg, suggest=not from_ledger)
        now = self.clock.now()
        return retrying(self.db, lambda: self._register(actor, reg, now, from_ledger, with_rows))

    def _register(self, actor: Actor, reg: RegistrationInput, now: datetime, from_ledger: bool,
                  with_rows: Callable[[Case], None] | None = None) -> CaseRef:
        with row_writer(self.db):
            repeat_of = find_case(reg.repeat_of, self.clock.today()).id if reg.repeat_of else None
            lock_people(self.db, actor.unit_code, reg.petitioners)
            planned = plan_people(self.db, actor.unit_code, reg.petitioners, place=self.place_name)
            case_id = new_id()
            with batched(self.db):              # the people's rows go with the next statement, in one message
                persons = settle_people(actor, planned, now, case_id=case_id, source="intake")
            year = reg.received_at.year
            names = [p.name for p in persons]
            case = Case(
                id=case_id, unit_code=actor.unit_code,
                query_code=new_query_code(), channel=reg.channel, received_at=reg.received_at,
                category_code=reg.category_code, request=reg.request, facts=reg.facts, reasons=reg.reasons,
                people_count=reg.people_count, is_group=is_group(reg.people_count or 1, reg.channel),
                concerned_unit=reg.concerned_unit, township_code=persons[0].township_code,
                repeat_of=repeat_of, created_by=actor.name, created_at=now, updated_at=now,
                parties_label=parties_label(names, reg.people_count or 1), status=wf.Status.REGISTERED.value,
            )
            data: dict[str, Any] = {"channel": reg.channel, **(reg.matter.as_data() if reg.matter else {})}
            if reg.notice_exempt:
                data["notice_exempt"] = True
            # The office's settings, read once in the transaction (each read is a round trip on PostgreSQL).
            settings = self.office()
            if self._late(reg.received_at, now, lambda: settings.late_entry_days):
                data["late"] = True             # 补录: received days before it was entered
            registered = CaseEvent(case=case, unit_code=actor.unit_code, kind=EventKind.REGISTERED.value,
                                   occurred_at=reg.received_at, recorded_at=now, actor=actor.name, data=data)
            apply_state(case, wf.fold([to_event(registered)], self.cal), self.unit_code)
            office = None if from_ledger else settings
            parties = [CaseParty(case=case, person=person, unit_code=actor.unit_code, role="petitioner",
                                 is_representative=p.is_representative, position=i, updated_at=now)
                       for i, (person, p) in enumerate(zip(persons, reg.petitioners))]
            with batched(self.db):
                # The rows that carry no number first where the engine allows (PostgreSQL): written before the
                # counter is taken, they keep no other desk waiting.
                early = parties_first(self.db)
                if early:
                    for party in parties:
                        party.save(force_insert=True)
                # The numbers: on PostgreSQL the server takes them in the message that writes these rows and
                # commits, so another desk's registration of this unit and year waits only for that message.
                numbers = numbers_at_commit(self.db, actor.unit_code, year, None if office is None else "receipt")
                number = format_case_number(actor.unit_code, year, numbers.seq)
                if office is not None:
                    data["doc_no"] = {"receipt": office.number("receipt", year, numbers.docs["receipt"])}
                case.number, case.sid = numbers.fill(number), numbers.sid
                registered.data = numbers.fill(data)
                case.save(force_insert=True)
                registered.save(force_insert=True)
                if not early:
                    for party in parties:
                        party.save(force_insert=True)
                search.index_new(self.db, case.sid, numbers.fill(self._search_tokens(case, persons, number)))
                audit(actor, "case.register", case.id, numbers.fill({"number": number}), at=now)
                if with_rows is not None:
                    with_rows(case)
        return CaseRef(case.id, format_case_number(actor.unit_code, year, numbers.taken().seq), case.query_code)

    def _late(self, occurred: datetime, now: datetime, late_days: Callable[[], int] | None = None) -> bool:
        """An entry made more than the set number of days after the day it records (补录). ``late_days``: the
        office's setting (default: read here), called only when the entry is of an earlier day: the setting is
        a day or more (services/office.py), and its read is a round trip on PostgreSQL."""
        days = (now.date() - occurred.date()).days
        return days > 0 and days > (late_days or self.late_days)()

    def _documents_of(self, kind: EventKind, clean: Mapping[str, Any], state: CaseState, case: Case,
                      actor: Actor) -> list[str]:
        """The numbered documents an action produces (services/office.NUMBERED_DOCUMENTS)."""
        if kind == EventKind.ROUTED:
            route = wf.Route(clean["route"])
            docs = {wf.Route.TRANSFER: ["transfer"], wf.Route.ASSIGN: ["assign"]}.get(route, [])
            if clean.get("notified") or route == wf.Route.OTHER_CHANNEL:
                docs.append("notice")
            return docs
        if kind == EventKind.NOTIFIED:
            return [] if clean.get("exempt") else ["notice"]
        if kind == EventKind.REFUSED:
            return ["refusal"]
        if kind == EventKind.EXTENDED:
            return ["extension"]
        if kind == EventKind.REPLIED:
            docs = ["answer" if state.matter.answers else "decision"]
            if case.unit_code != actor.unit_code:
                docs.append("report")         # an assigned matter: the 办结报告 to the unit that assigned it
            return docs
        if kind == EventKind.REVIEW_DECIDED and clean.get("reviewer"):
            return ["review"]
        if kind == EventKind.RECHECK_DECIDED and clean.get("reviewer"):
            return ["recheck"]
        return []

    def place_name(self, code: str) -> str:
        """A township or village by name, as a person's details are shown."""
        return code if self.divisions is None else place_label(self.divisions, code)

    def _search_tokens(self, case: Case, persons: Iterable[Person], number: str | None = None) -> str:
        persons = list(persons)
        return search.document_tokens(search.SearchDoc(
            names=[p.name for p in persons], id_numbers=[p.id_number for p in persons if p.id_number],
            phones=[p.phone for p in persons if p.phone], case_number=number or case.number,
            query_code=case.query_code,
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
            at: datetime | None = None, corrects: str | None = None, *, from_ledger: bool = False,
            seen_event: str | None = None, seen_events: Collection[str] | None = None) -> CaseState:
        """Record an action on a case. ``seen_events``: the ids of the case's events the desk showed (or
        ``seen_event``, the last of them, for a caller that has only that); if the case has another, the
        action is refused (StaleCase) saying what, by whom and when."""
        kind = EventKind(kind)
        if kind == EventKind.REGISTERED:
            raise InvalidInput("登记请使用“登记”功能")
        require(actor, EVENT_PERMISSIONS[kind])
        now = self.clock.now()
        occurred = at or now
        if occurred.date() > now.date():
            raise InvalidInput(f"日期（{occurred:%Y-%m-%d}）晚于今天，请核对", field="at")
        return retrying(self.db, lambda: self._act(actor, ref, kind, data, at, corrects, from_ledger, seen_event,
                                                   seen_events, now, occurred))

    def _act(self, actor: Actor, ref: str, kind: EventKind, data: Mapping[str, Any] | None, at: datetime | None,
             corrects: str | None, from_ledger: bool, seen_event: str | None,
             seen_events: Collection[str] | None, now: datetime, occurred: datetime) -> CaseState:
        with row_writer(self.db):
            # The case's row, locked until the commit: another desk's action on it waits, then reads this one's.
            case = find_case(ref, self.clock.today(), locking=True)
            require_writable(self.db, actor.unit_code, "case_event",
                             {"case_id": case.id, "kind": kind.value, "corrects": corrects},
                             owners={"case": {case.id: case.unit_code}})
            office = cache(self.office)      # read at most once in the transaction (a round trip on PostgreSQL)
            events = self.events_of(case)
            if seen_event is not None or seen_events is not None:
                refuse_if_changed(case, events, seen_event, seen_events)
            state = wf.fold(events, self.cal)
            # A superior recording a 复查 or 复核 on a matter of the office below decides it (第三十五、三十六条).
            service_data: dict[str, Any] = {}
            if kind in REVIEW_KINDS and case.unit_code != actor.unit_code:
                service_data["reviewer"] = actor.unit_code
            # (a route the kind does not allow is refused below, beside the route field)
            wf.check_allowed(state, kind, occurred.date(),
                             {k: v for k, v in {**(data or {}), **service_data}.items() if k != "route"})
            last = max((e.occurred_at for e in events), default=None)
            # Only a date the user gave can be refused as too early; "now" follows the last event.
            if last is not None and at is not None and occurred < last and kind != EventKind.NOTE:
                raise InvalidInput(f"日期早于该事项最后一次办理记录（{last:%Y-%m-%d %H:%M}），请核对", field="at")
            if last is not None and occurred <= last:
                # Two actions in the same second keep the order in which they were recorded.
                occurred = last + timedelta(seconds=1)
            clean = wf.validate_event_data(kind, data or {}, state, occurred.date(), self.cal)
            clean.update(service_data)
            if kind == EventKind.REPLIED and state.matter.decides and not clean.get("review_body") and not from_ledger:
                # The review body printed on the 处理意见书 is the one set when it was decided.
                body = office().review_body
                if body:
                    clean["review_body"] = body
            if kind != EventKind.NOTE and self._late(occurred, now, lambda: office().late_entry_days):
                clean["late"] = True            # 补录: recorded days after the day it happened
            docs = [] if from_ledger else self._documents_of(kind, clean, state, case, actor)
            row = CaseEvent(case=case, unit_code=actor.unit_code, kind=kind.value, occurred_at=occurred,
                            recorded_at=now, actor=actor.name, data=clean, corrects=corrects)
            state = wf.fold([*events, to_event(row)], self.cal)
            apply_state(case, state, self.unit_code)
            if case.unit_code == actor.unit_code:
                # The owner's row changes; on a case handed to this unit by 交办 only the local cache does.
                if kind == EventKind.ROUTED and clean.get("unit") and clean.get("route") == wf.Route.DIRECT.value:
                    case.owner_name = clean["unit"]
                case.version += 1
                case.updated_at = now
            settings = office() if docs else None        # read before the numbers: a read is a round trip

            def doc_nos(numbers) -> dict[str, str]:
                return {doc: settings.number(doc, occurred.year, numbers.docs[doc]) for doc in docs}

            with batched(self.db):
                if docs:
                    # The 文号: on PostgreSQL the server takes them in the message that writes these rows and
                    # commits (another desk's same document waits only for that message).
                    numbers = documents_at_commit(self.db, actor.unit_code, occurred.year, docs)
                    clean["doc_no"] = doc_nos(numbers)
                    row.data = numbers.fill(clean)
                row.save(force_insert=True)
                case.save()
                audit(actor, f"case.{kind.value}", case.id, {"number": case.number}, at=now)
        if docs:
            # The state's last event holds ``clean``: its 文号 as given (the markers were only for the server).
            clean["doc_no"] = doc_nos(numbers.taken())
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
                apply_state(case, self.state_of(case), self.unit_code)
                if tuple(getattr(case, f) for f in cached) != before:
                    case.save()
                    n += 1
        return n

    def today(self) -> date:
        return self.clock.today()
