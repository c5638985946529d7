"""Peewee models. Every synced record has a UUID key, the code of the unit that owns it and a
version counter; events and audit entries are append-only (SYNC.md: owned rows take the higher
version, entries are a grow-only set)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .row_texts import insert_row, update_row

database = DatabaseProxy()


def new_id() -> str:
    return str(uuid.uuid4())


class JSONField(TextField):
    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False

    def save(self, force_insert: bool = False, only=None):
        # A row whose key is given goes with a text made once per table and columns (store/row_texts.py).
        if only is None:
            if force_insert:
                if insert_row(self):
                    return 1
            else:
                rows = update_row(self)
                if rows is not None:
                    return rows
        return super().save(force_insert=force_insert, only=only)


class SyncedModel(BaseModel):
    id = CharField(primary_key=True, max_length=36, default=new_id)
    unit_code = CharField(max_length=12, index=True)
    version = IntegerField(default=1)
    updated_at = DateTimeField(default=datetime.now)


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = JSONField()


class Unit(BaseModel):
    """A petition office: this one (`is_self`), or another the data mentions (townships at the city)."""

    code = CharField(primary_key=True, max_length=12)
    name = CharField()
    kind = CharField()  # "township" or "city"
    is_self = BooleanField(default=False)


class User(SyncedModel):
    name = CharField(unique=True)          # login name
    display_name = CharField()
    role = CharField()                     # admin / clerk / handler / leader
    password_hash = CharField()
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=datetime.now)


class Person(SyncedModel):
    name = CharField(index=True)
    id_number = CharField(null=True, index=True)
    phone = CharField(null=True, index=True)
    sex = CharField(null=True)
    birth_date = DateField(null=True)
    township_code = CharField(null=True, max_length=12)
    village_code = CharField(null=True, max_length=12)
    address = TextField(null=True)
    created_at = DateTimeField(default=datetime.now)


class Case(SyncedModel):
    # `sid` is a local integer key for the search index: SQLite may renumber implicit rowids.
    sid = IntegerField(unique=True)
    number = CharField(unique=True)
    query_code = CharField(index=True)
    channel = CharField()
    # received_at, category_code, township_code, owner_name, status and next_due: no index of their own;
    # each leads one of the case list's (store/models_listing.py), which serves its look-ups too (schema v22).
    received_at = DateTimeField()
    category_code = CharField()
    request = TextField()
    facts = TextField(null=True)
    reasons = TextField(null=True)
    people_count = IntegerField(default=1)
    is_group = BooleanField(default=False)
    concerned_unit = CharField(null=True)
    township_code = CharField(null=True, max_length=12)
    repeat_of = CharField(null=True, max_length=36, index=True)   # id of the earlier case (重件)
    created_by = CharField()
    created_at = DateTimeField(default=datetime.now)
    owner_name = CharField(null=True)                             # handler or leader in charge
    # Cache of fold(events): rebuildable, checked by `xinfang check`.
    status = CharField()
    next_due = DateField(null=True)
    next_due_start = DateField(null=True)
    next_due_key = CharField(null=True)
    provisional = BooleanField(default=False)
    parties_label = CharField(default="")                          # "张三" or "张三等6人", for lists
    # Statistics facts of the same fold (domain.statistics.stat_facts), mirrored into case_fact by
    # triggers (store/models_facts.py). Local: each database derives them from the events.
    stat_flags = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    stat_limit = DateField(null=True)
    stat_reply = DateField(null=True)
    stat_accept = DateField(null=True)         # the 15-day limit while no decision met it (及时受理率)
    # The last written decision (reply, 复查 or 复核 decision) and the last follow-up, for the board.
    decided_on = DateField(null=True)
    followed_on = DateField(null=True)
    # The board's facts of the same fold (schema step v15): where a 复查/复核 stands
    # (domain/review_standing.py) and the unit handling the matter.
    review_standing = CharField(null=True, max_length=20)
    handling_unit = CharField(null=True)

    class Meta:
        indexes = ((("status", "next_due"), False),)


# Columns of a case that never travel in a sync bundle: each database has its own.
CASE_LOCAL_COLUMNS = frozenset({"sid", "stat_flags", "stat_limit", "stat_reply", "decided_on", "followed_on",
                                "stat_accept", "review_standing", "handling_unit"})


class CaseParty(SyncedModel):
    case = ForeignKeyField(Case, backref="parties", on_delete="CASCADE", column_name="case_id")
    person = ForeignKeyField(Person, backref="parties", column_name="person_id")
    role = CharField(default="petitioner")
    is_representative = BooleanField(default=False)
    position = IntegerField(default=0)


class CaseEvent(BaseModel):
    """Append-only: never updated or deleted. A correction is a new event."""

    id = CharField(primary_key=True, max_length=36, default=new_id)
    # No index of its own: the (case, occurred_at) index below serves lookups by case.
    case = ForeignKeyField(Case, backref="events", on_delete="CASCADE", column_name="case_id", index=False)
    unit_code = CharField(max_length=12)       # the unit whose user recorded it
    kind = CharField()
    occurred_at = DateTimeField()
    recorded_at = DateTimeField(default=datetime.now)
    actor = CharField()
    data = JSONField(default=dict)
    corrects = CharField(null=True, max_length=36)

    class Meta:
        indexes = ((("case", "occurred_at"), False),)


class AuditEntry(BaseModel):
    """Append-only record of who did what, including every view of a full ID number."""

    id = CharField(primary_key=True, max_length=36, default=new_id)
    unit_code = CharField(max_length=12)
    at = DateTimeField(default=datetime.now, index=True)
    actor = CharField()
    action = CharField(index=True)
    target = CharField(null=True)
    detail = JSONField(null=True)


class CaseCounter(BaseModel):
    """Last sequence number per unit and year; numbers are never reused."""

    unit_code = CharField(max_length=12)
    year = IntegerField()
    last = IntegerField(default=0)

    class Meta:
        primary_key = False
        indexes = ((("unit_code", "year"), True),)


class CalendarYear(BaseModel):
    """An official holiday schedule loaded by an administrator for a year chinese-calendar lacks."""

    year = IntegerField(primary_key=True)
    source = TextField()
    loaded_at = DateTimeField(default=datetime.now)
    loaded_by = CharField()


def self_unit_code(db) -> str | None:
    """The code of the unit this database belongs to (None before set-up)."""
    row = db.execute_sql("SELECT code FROM unit WHERE is_self = 1").fetchone()
    return row[0] if row else None


ALL_MODELS = [Setting, Unit, User, Person, Case, CaseParty, CaseEvent, AuditEntry, CaseCounter, CalendarYear]
