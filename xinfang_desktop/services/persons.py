"""The person records a registration writes, and a person's history.

A petitioner is matched to a registered person (the one the clerk picked, or this unit's person with
the same ID number). Details that conflict with the registered person's are refused before anything
is written (domain/person_identity.PersonConflict, with both versions) until the clerk has chosen;
the choice is then applied and every change of a person's record leaves an entry in its history
(store/models_person.PersonRevision), in the registration's one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence

from peewee import SQL

from ..domain.divisions import DivisionTable
from ..domain.errors import NotAllowed, NotFound
from ..domain.person_identity import (
    FIELD_LABELS,
    IDENTITY_FIELDS,
    ConflictRow,
    Difference,
    PersonChoice,
    PersonConflict,
    PersonDetails,
    Settlement,
    differences,
    settle,
    shown_value,
)
from ..domain.petition import FieldErrors, PetitionerInput
from ..store.engine import is_postgres
from ..store.locks import lock_keys
from ..store.models import Case, Person
from ..store.models_person import PersonRevision
from ..store.ownership import unit_label
from .audit import audit
from .permissions import Actor

REVISION_LABELS = {"fill": "补充", "correct": "更正", "separate": "另行登记"}
SOURCE_LABELS = {"intake": "登记", "ledger": "台账导入"}


def place_label(divisions: DivisionTable, code: str) -> str:
    """A township or village by name (a village with its township), as a person's details are shown."""
    if code not in divisions:
        return code
    d = divisions.get(code)
    if d.kind in ("村", "社区") and d.parent_code and d.parent_code in divisions:
        return divisions.get(d.parent_code).name + d.name
    return d.name


def details_of(x: Person | PetitionerInput) -> PersonDetails:
    return PersonDetails(name=x.name, id_number=x.id_number or None, phone=x.phone or None,
                         address=x.address or None, township_code=x.township_code or None,
                         village_code=x.village_code or None, sex=x.sex or None)


def own_person_with_id(unit_code: str, id_number: str, exclude: str | None = None) -> Person | None:
    """This unit's person with this ID number (the first registered, as registration always matched)."""
    q = Person.select().where((Person.id_number == id_number) & (Person.unit_code == unit_code))
    if exclude:
        q = q.where(Person.id != exclude)
    return q.order_by(SQL("rowid")).first()


@dataclass(frozen=True)
class Planned:
    index: int
    given: PetitionerInput
    person: Person | None                # the registered person matched, if any
    settlement: Settlement


def lock_people(db, unit_code: str, petitioners: Sequence[PetitionerInput]) -> None:
    """Before plan_people in a writer that locks its own rows (store/locks.py): the ID numbers given and the
    people chosen, so another desk registering the same petitioner at the same moment waits for this one and
    then finds the person it registered (instead of registering a second one)."""
    keys = [f"n:{unit_code}:{p.id_number}" for p in petitioners if p.id_number]
    keys += [f"p:{p.person_id}" for p in petitioners if p.person_id]
    lock_keys(db, keys)
    # A person found by an ID number given is locked too, after the numbers: another desk that chose that
    # person may be correcting its number or details; this one waits, then plan_people reads the person as
    # that desk left it (instead of writing over its correction unseen).
    numbers = [p.id_number for p in petitioners if p.id_number and not p.person_id]
    if numbers and is_postgres(db):          # on SQLite the writer holds the whole file
        found = (Person.select(Person.id)
                 .where((Person.unit_code == unit_code) & Person.id_number.in_(numbers)).tuples())
        lock_keys(db, [f"p:{pid}" for (pid,) in found])


def plan_people(db, unit_code: str, petitioners: Sequence[PetitionerInput],
                place: Callable[[str], str] = str) -> list[Planned]:
    """Match each (validated) petitioner to a person and decide what registering does to it. Reads
    only. Raises FieldErrors, NotAllowed, NotFound, or PersonConflict naming every conflicting row."""
    errors: dict[str, str] = {}
    conflicts: list[ConflictRow] = []
    planned: list[Planned] = []
    seen: dict[str, int] = {}
    many = len(petitioners) > 1
    for i, p in enumerate(petitioners):
        prefix = f"第{i + 1}名信访人" if many else ""
        person, matched = None, "id_number"
        if p.person_id:
            person = Person.get_or_none(Person.id == p.person_id)
            if person is None:
                raise NotFound("所选的信访人记录不存在，请重新查找")
            matched = "person"
            if p.id_number and p.id_number != person.id_number:
                other = own_person_with_id(unit_code, p.id_number, exclude=person.id)
                if other is not None:
                    errors[f"petitioners[{i}].id_number"] = (
                        f"{prefix}身份证号码已登记为另一信访人“{other.name}”，与所选的“{person.name}”不是同一人。"
                        f"请核对号码，或在“相同人员”中改选“{other.name}”。")
                    continue
        elif p.id_number:
            person = own_person_with_id(unit_code, p.id_number)
        if person is not None:
            if person.id in seen:
                errors[f"petitioners[{i}].name"] = (f"{prefix}与第{seen[person.id] + 1}名信访人是已登记的同一人"
                                                    "，请删除重复的一行。")
                continue
            seen[person.id] = i
        writable = person is None or person.unit_code == unit_code
        registered = details_of(person) if person is not None else None
        given = details_of(p)
        choice = PersonChoice.parse(p.on_conflict)
        diffs = differences(registered, given) if registered is not None else ()
        conflicting = any(d.is_conflict for d in diffs)
        not_ours = None if writable else (f"该信访人由{unit_label(db, person.unit_code)}登记，只能由该单位更正；"
                                          "请选择使用已登记的信访人，或另行登记。")
        if conflicting and choice is None:
            conflicts.append(ConflictRow(i, person.id, registered, given, diffs, matched, not_ours, len(petitioners)))
            continue
        if conflicting and choice is PersonChoice.CORRECT and not_ours:
            raise NotAllowed(f"{prefix}{not_ours}")
        planned.append(Planned(i, p, person, settle(registered, given, choice if conflicting else None,
                                                    writable=writable)))
    if errors:
        raise FieldErrors(errors)
    if conflicts:
        raise PersonConflict(conflicts, place)
    return planned


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def apply_changes(person: Person, changes: Iterable[Difference], given: PetitionerInput,
                  now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The registered person takes `changes` (not saved here); returns (before, after) for its history.
    Sex and birth date are read from the ID number and follow it."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for d in changes:
        before[d.field], after[d.field] = d.registered, d.given
        setattr(person, d.field, d.given)
    if "id_number" in after:
        for field in ("sex", "birth_date"):
            old, new = getattr(person, field), getattr(given, field)
            if new != old:
                before[field], after[field] = _plain(old), _plain(new)
                setattr(person, field, new)
    person.version += 1
    person.updated_at = now
    return before, after


def new_person(unit_code: str, p: PetitionerInput, now: datetime, *, without_id: bool = False) -> Person:
    """A person record for `p` (not saved here); `without_id`: the ID number shown is someone else's."""
    return Person(unit_code=unit_code, name=p.name, id_number=None if without_id else p.id_number, phone=p.phone,
                  sex=None if without_id else p.sex, birth_date=None if without_id else p.birth_date,
                  township_code=p.township_code, village_code=p.village_code, address=p.address,
                  created_at=now, updated_at=now)


def revision(actor: Actor, person: Person, kind: str, now: datetime, *, case_id: str | None, source: str,
             before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
             other: str | None = None) -> PersonRevision:
    """A history entry (not saved here)."""
    return PersonRevision(unit_code=actor.unit_code, person=person, case_id=case_id, kind=kind, before=before or {},
                          after=after or {}, other_person_id=other, source=source, actor=actor.name, at=now)


@dataclass
class Outcome:
    """What settling one petitioner wrote (the bulk writer collects these instead of saving one by one)."""

    person: Person
    created: bool = False
    updated: bool = False
    history: PersonRevision | None = None


def outcome_of(actor: Actor, pl: Planned, now: datetime, *, case_id: str | None, source: str) -> Outcome:
    """Apply one planned petitioner to the person records, in memory."""
    p, s = pl.given, pl.settlement
    if s.action in ("new", "separate"):
        without_id = (s.action == "separate" and pl.person is not None and bool(p.id_number)
                      and p.id_number == pl.person.id_number)
        person = new_person(actor.unit_code, p, now, without_id=without_id)
        history = None
        if s.action == "separate":
            history = revision(actor, person, "separate", now, case_id=case_id, source=source, other=pl.person.id)
        return Outcome(person, created=True, history=history)
    person = pl.person
    if s.action == "update":
        before, after = apply_changes(person, s.changes, p, now)
        return Outcome(person, updated=True, history=revision(actor, person, s.revision or "fill", now,
                                                              case_id=case_id, source=source, before=before,
                                                              after=after))
    return Outcome(person)


def settle_people(actor: Actor, planned: Sequence[Planned], now: datetime, *, case_id: str,
                  source: str = "intake") -> list[Person]:
    """Write the person records of a registration (inside the caller's transaction); audit each
    correction and each petitioner registered apart."""
    persons = []
    for pl in planned:
        out = outcome_of(actor, pl, now, case_id=case_id, source=source)
        if out.created:
            out.person.save(force_insert=True)
        elif out.updated:
            out.person.save()
        if out.history is not None:
            out.history.save(force_insert=True)
            if out.history.kind == "correct":
                audit(actor, "person.correct", out.person.id,
                      {"fields": sorted(out.history.after), "case": case_id}, at=now)
            elif out.history.kind == "separate":
                audit(actor, "person.separate", out.person.id, {"id_card_of": pl.person.id, "case": case_id}, at=now)
        persons.append(out.person)
    return persons


# -- reading: a person's history, and other records with the same ID number -----------------------
@dataclass(frozen=True)
class RevisionView:
    at: datetime
    kind: str
    label: str
    actor: str
    source: str
    case_number: str | None
    text: str                 # what changed, ID numbers and phones masked


def _change_text(before: dict[str, Any], after: dict[str, Any], place: Callable[[str], str]) -> str:
    parts = []
    for field in IDENTITY_FIELDS:         # birth date follows the ID number
        if field not in after:
            continue
        old, new = before.get(field), after[field]
        parts.append(f"{FIELD_LABELS[field]} {shown_value(field, old, place)}→{shown_value(field, new, place)}")
    return "；".join(parts)


def history_of(person_ids: Sequence[str], place: Callable[[str], str] = str) -> dict[str, list[RevisionView]]:
    """Each person's history, oldest first: its own changes, and where its ID card was shown by another."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return {}
    rows = list(PersonRevision.select().where(PersonRevision.person.in_(ids)
                                              | PersonRevision.other_person_id.in_(ids))
                .order_by(PersonRevision.at, SQL("rowid")))
    names = {p.id: (p.name, p.id_number) for p in Person.select(Person.id, Person.name, Person.id_number).where(
        Person.id.in_({r.person_id for r in rows} | {r.other_person_id for r in rows if r.other_person_id}))}
    cases = {c.id: c.number for c in Case.select(Case.id, Case.number).where(
        Case.id.in_({r.case_id for r in rows if r.case_id}))}
    out: dict[str, list[RevisionView]] = {pid: [] for pid in ids}
    for r in rows:
        number = cases.get(r.case_id)
        at_case = f"在事项 {number} 登记时" if number else "登记时"
        if r.kind == "separate":
            owner, card = names.get(r.other_person_id, ("", None))
            shown = names.get(r.person_id, ("", None))[0]
            if r.person_id in out:
                text = (f"{at_case}出示的身份证{'（' + shown_value('id_number', card) + '）' if card else ''}"
                        f"属于已登记的信访人“{owner}”，本人另行登记，未登记该身份证号码")
                out[r.person_id].append(RevisionView(r.at, r.kind, REVISION_LABELS[r.kind], r.actor, r.source, number,
                                                     text))
            if r.other_person_id in out:
                text = f"本人的身份证由“{shown}”{at_case}出示；“{shown}”已另行登记，本人的信息未作修改"
                out[r.other_person_id].append(RevisionView(r.at, r.kind, "身份证由他人出示", r.actor, r.source, number,
                                                           text))
            continue
        if r.person_id in out:
            out[r.person_id].append(RevisionView(r.at, r.kind, REVISION_LABELS.get(r.kind, r.kind), r.actor, r.source,
                                                 number, _change_text(r.before, r.after, place)))
    return out


def same_id_elsewhere(persons: Iterable[Person], db) -> dict[str, list[str]]:
    """For each person with an ID number, the other person records holding the same number (two
    townships' records arriving at the city, or a record handed down by 交办): "name（unit）" each.
    They are never merged; the view says that they share the number."""
    persons = [p for p in persons if p.id_number]
    if not persons:
        return {}
    others = (Person.select(Person.id, Person.name, Person.id_number, Person.unit_code)
              .where(Person.id_number.in_({p.id_number for p in persons})).order_by(SQL("rowid")))
    by_number: dict[str, list[Person]] = {}
    for o in others:
        by_number.setdefault(o.id_number, []).append(o)
    units = {code: name for code, name in db.execute_sql("SELECT code, name FROM unit").fetchall()}
    out: dict[str, list[str]] = {}
    for p in persons:
        found = []
        for o in by_number.get(p.id_number, []):
            if o.id != p.id:
                found.append(f"{o.name}（{units.get(o.unit_code, o.unit_code)}）")
        if found:
            out[p.id] = found
    return out
