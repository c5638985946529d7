"""Writing a ledger's valid rows in bulk.

Each row becomes exactly the records that registration (`CaseService.register`) and, for a row
with a closing date, the route / reply / close actions (`CaseService.act`) would write: the case
number next in its year's sequence, the person reused by ID number (filled with what the row adds,
or left as registered when the row conflicts with it; services/persons.py), the events checked by the workflow's own rules, the case row's cached state from
`fold` through `apply_state`, the search tokens. They are built in memory and inserted with
executemany, a chunk at a time, inside the caller's one transaction; the sync journal's triggers
fire per row as usual. The caller writes one audit entry for the whole import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Sequence

from peewee import SQL, Model

from ..domain import workflow as wf
from ..domain.errors import InvalidInput
from ..domain.numbers import format_case_number, new_query_code
from ..domain.petition import RegistrationInput, is_group
from ..domain.workflow import EventKind
from ..store import search
from ..store.locks import sids_taken
from ..domain.person_identity import differences, settle
from ..store.models import Case, CaseCounter, CaseEvent, CaseParty, Person, new_id
from ..store.models_person import PersonRevision
from ..store.models_stats import LedgerRowFingerprint
from .cases import apply_state, parties_label, to_event
from .permissions import Actor
from .progress import CancelCheck, Cancelled, Progress, never, noop_progress

LedgerCancelled = Cancelled      # the name the ledger's callers have always used
from .persons import Planned, details_of, outcome_of

CHUNK = 2000                # rows per executemany; also how often progress and cancel are looked at


@dataclass(frozen=True)
class BulkRow:
    row_number: int
    fingerprint: str
    registration: RegistrationInput
    # (kind, data, at) actions recorded after registration, in order, as `CaseService.act` would.
    actions: tuple[tuple[EventKind, dict[str, Any], datetime], ...] = ()


# -- inserting model rows with executemany ----------------------------------------------------------
def _converters(fields: Sequence) -> list[tuple[str, Callable[[Any], Any], Any]]:
    return [(f.name, f.db_value, f.default) for f in fields]


def _values(data: dict[str, Any], conv: list[tuple[str, Callable[[Any], Any], Any]]) -> list[Any]:
    out = []
    for name, db_value, default in conv:
        if name in data:
            out.append(db_value(data[name]))
        else:                           # not in `__data__`: a nullable field never set, or a plain dict
            out.append(db_value(default() if callable(default) else default))
    return out


def insert_rows(db, model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """INSERT every row ({field name: value}, e.g. an instance's `__data__`); the columns are the
    model's fields, so a column added to the model comes along without a change here."""
    fields = model._meta.sorted_fields
    conv = _converters(fields)
    cols = ", ".join(f'"{f.column_name}"' for f in fields)
    sql = f'INSERT INTO "{model._meta.table_name}" ({cols}) VALUES ({", ".join("?" * len(fields))})'
    db.connection().executemany(sql, (_values(r, conv) for r in rows))


def update_rows(db, model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """UPDATE every column but the primary key of each row (given whole, as `__data__`)."""
    pk = model._meta.primary_key
    fields = [f for f in model._meta.sorted_fields if f is not pk]
    conv = _converters(fields)
    sets = ", ".join(f'"{f.column_name}" = ?' for f in fields)
    sql = f'UPDATE "{model._meta.table_name}" SET {sets} WHERE "{pk.column_name}" = ?'
    db.connection().executemany(sql, (_values(r, conv) + [pk.db_value(r[pk.name])] for r in rows))


# -- one row's records, as registration and the workflow actions make them --------------------------
def act_in_memory(events: list[CaseEvent], case: Case, actor: Actor, kind: EventKind, data: dict[str, Any],
                  at: datetime, now: datetime, cal, late_days: int) -> None:
    """`CaseService.act` without the database: the same checks, the same event, the same case fields."""
    if at.date() > now.date():
        raise InvalidInput(f"日期（{at:%Y-%m-%d}）晚于今天，请核对", field="at")
    state = wf.fold([to_event(e) for e in events], cal)
    wf.check_allowed(state, kind, at.date(), data)
    last = max(e.occurred_at for e in events)
    if at < last and kind != EventKind.NOTE:
        raise InvalidInput(f"日期早于该事项最后一次办理记录（{last:%Y-%m-%d %H:%M}），请核对", field="at")
    occurred = last + timedelta(seconds=1) if at <= last else at
    clean = wf.validate_event_data(kind, data, state, occurred.date(), cal)
    if (now.date() - occurred.date()).days > late_days:
        clean["late"] = True        # 补录: entered from the ledger long after it happened
    events.append(CaseEvent(case=case, unit_code=actor.unit_code, kind=kind.value, occurred_at=occurred,
                            recorded_at=now, actor=actor.name, data=clean))
    if kind == EventKind.ROUTED and clean.get("unit") and clean.get("route") == wf.Route.DIRECT.value:
        case.owner_name = clean["unit"]
    case.version += 1
    case.updated_at = now


class BulkWriter:
    """Writes rows for one actor inside an open transaction; `write` returns the case numbers."""

    def __init__(self, services, actor: Actor, batch_id: str, now: datetime):
        self.services = services
        self.db = services.db
        self.actor = actor
        self.batch_id = batch_id
        self.now = now
        self.cal = services.cases.cal
        self.persons: dict[str, Person] = {}          # ID number -> the person (existing or new)
        self.new_persons: list[Person] = []           # created by this import, in order
        self.new_ids: set[str] = set()
        self.flushed: set[str] = set()                # new persons already inserted
        self._inserted = 0                            # how many of new_persons are inserted
        self.changed: dict[str, Person] = {}          # persons to UPDATE at the end: existing or flushed
        self.revisions: list[PersonRevision] = []     # the persons' history entries, inserted after them

    def _load_persons(self, rows: Sequence[BulkRow]) -> None:
        wanted = sorted({r.registration.petitioners[0].id_number for r in rows
                         if r.registration.petitioners[0].id_number})
        for i in range(0, len(wanted), 500):
            q = (Person.select().where(Person.id_number.in_(wanted[i:i + 500])
                                       & (Person.unit_code == self.actor.unit_code))
                 .order_by(SQL("rowid")))
            for p in q:
                self.persons.setdefault(p.id_number, p)   # as `get_or_none`: the first one found

    def _person(self, reg: RegistrationInput, case_id: str) -> Person:
        """`CaseService.register`'s person rule for a ledger row (one petitioner, never a picked record):
        the choice for a conflicting row was made by the check (LedgerService._check_people)."""
        p = reg.petitioners[0]
        assert p.person_id is None
        person = self.persons.get(p.id_number) if p.id_number else None
        registered = details_of(person) if person is not None else None
        given = details_of(p)
        conflicting = registered is not None and any(d.is_conflict for d in differences(registered, given))
        if conflicting and p.on_conflict is None:
            raise InvalidInput(f"信访人“{p.name}”的信息与已登记的不一致，台账检查后数据已有变化，请重新检查后再导入。")
        settlement = settle(registered, given, p.on_conflict if conflicting else None)
        out = outcome_of(self.actor, Planned(0, p, person, settlement), self.now, case_id=case_id, source="ledger")
        if out.created:
            self.new_persons.append(out.person)
            self.new_ids.add(out.person.id)
            if out.person.id_number:
                self.persons.setdefault(out.person.id_number, out.person)
        elif out.updated and (out.person.id not in self.new_ids or out.person.id in self.flushed):
            # A new person not yet inserted goes in with its latest fields; any other is updated.
            self.changed[out.person.id] = out.person
        if out.history is not None:
            self.revisions.append(out.history)
        return out.person

    def write(self, rows: Sequence[BulkRow], progress: Progress = noop_progress,
              cancelled: CancelCheck = never) -> list[str]:
        actor, now, db = self.actor, self.now, self.db
        self._load_persons(rows)
        counters = {c.year: c.last for c in CaseCounter.select().where(CaseCounter.unit_code == actor.unit_code)}
        sid = db.execute_sql('SELECT MAX(sid) FROM "case"').fetchone()[0] or 0
        numbers: list[str] = []
        cases: list[Case] = []
        events: list[CaseEvent] = []
        parties: list[CaseParty] = []
        tokens: list[tuple[int, str]] = []
        prints: list[dict[str, Any]] = []
        total = max(1, len(rows))

        def flush() -> None:
            fresh = self.new_persons[self._inserted:]
            insert_rows(db, Person, (p.__data__ for p in fresh))
            self.flushed.update(p.id for p in fresh)
            self._inserted = len(self.new_persons)
            insert_rows(db, Case, (c.__data__ for c in cases))
            insert_rows(db, CaseEvent, (e.__data__ for e in events))
            insert_rows(db, CaseParty, (cp.__data__ for cp in parties))
            insert_rows(db, PersonRevision, (r.__data__ for r in self.revisions))
            search.index_rows(db, tokens)
            insert_rows(db, LedgerRowFingerprint, prints)
            for buf in (cases, events, parties, tokens, prints, self.revisions):
                buf.clear()

        late_days = self.services.cases.late_days()
        for i, row in enumerate(rows):
            if i % CHUNK == 0 and i:
                flush()
                if cancelled():
                    raise LedgerCancelled("已取消，未导入任何记录。")
                progress(i / total, f"正在写入：{i}/{len(rows)}行")
            reg = row.registration
            case_id = new_id()
            person = self._person(reg, case_id)
            year = reg.received_at.year
            counters[year] = counters.get(year, 0) + 1
            sid += 1
            case = Case(
                id=case_id, sid=sid, unit_code=actor.unit_code,
                number=format_case_number(actor.unit_code, year, counters[year]),
                query_code=new_query_code(), channel=reg.channel, received_at=reg.received_at,
                category_code=reg.category_code, request=reg.request, facts=reg.facts, reasons=reg.reasons,
                people_count=reg.people_count, is_group=is_group(reg.people_count or 1, reg.channel),
                concerned_unit=reg.concerned_unit, township_code=person.township_code,
                repeat_of=None, created_by=actor.name, created_at=now, updated_at=now,
                parties_label=parties_label([person.name], reg.people_count or 1),
                status=wf.Status.REGISTERED.value,
            )
            # A ledger does not say which kind of matter (第二十九至三十一条) a row was: it is recorded as
            # of no kind, like matters registered before kinds existed; the clerk may set it later.
            registered = {"channel": reg.channel}
            if (now.date() - reg.received_at.date()).days > late_days:
                registered["late"] = True
            own = [CaseEvent(case=case, unit_code=actor.unit_code, kind=EventKind.REGISTERED.value,
                             occurred_at=reg.received_at, recorded_at=now, actor=actor.name, data=registered)]
            for kind, data, at in row.actions:
                act_in_memory(own, case, actor, kind, data, at, now, self.cal, late_days)
            apply_state(case, wf.fold([to_event(e) for e in own], self.cal), actor.unit_code)
            cases.append(case)
            events.extend(own)
            parties.append(CaseParty(case=case, person=person, unit_code=actor.unit_code, role="petitioner",
                                     is_representative=reg.petitioners[0].is_representative, position=0,
                                     updated_at=now))
            tokens.append((sid, self.services.cases._search_tokens(case, [person])))
            prints.append({"fingerprint": row.fingerprint, "batch": self.batch_id, "case_id": case.id,
                           "row_number": row.row_number})
            numbers.append(case.number)
        flush()
        sids_taken(db)
        if cancelled():
            raise LedgerCancelled("已取消，未导入任何记录。")
        # Persons changed after they were written (existing ones, or new ones a later row added to).
        update_rows(db, Person, (p.__data__ for p in self.changed.values()))
        db.connection().executemany(
            "INSERT INTO case_counter (unit_code, year, last) VALUES (?, ?, ?) "
            "ON CONFLICT (unit_code, year) DO UPDATE SET last = excluded.last",
            [(actor.unit_code, year, last) for year, last in sorted(counters.items())])
        progress(1.0, f"已写入{len(rows)}行")
        return numbers
