"""A person's history (issue 13): every change of a person's record, append-only.

``person_revision`` keeps, for each change made here, the values before and after: a field filled
that was empty, a correction the clerk chose (个人信息保护法第四十六条), or a petitioner registered
apart because the ID card shown belongs to the registered person ``other_person_id``. Rows are
never updated or deleted.

Local, not synced, like the audit log it sits beside: the corrected person row itself travels in
the next bundle (its version moves on), so every copy is corrected; the superseded values stay with
the unit that recorded and changed them, and are not spread further (个人信息保护法第六条: no more
than the purpose needs — a superseded name or phone may well be a relative's, not the petitioner's).
"""

from __future__ import annotations

from datetime import datetime

from peewee import CharField, Database, DateTimeField, ForeignKeyField

from .models import BaseModel, JSONField, Person, new_id

KINDS = ("fill", "correct", "separate")


class PersonRevision(BaseModel):
    id = CharField(primary_key=True, max_length=36, default=new_id)
    unit_code = CharField(max_length=12)
    person = ForeignKeyField(Person, backref="revisions", column_name="person_id", index=True)
    case_id = CharField(null=True, max_length=36, index=True)     # the registration it happened at
    kind = CharField()                                            # one of KINDS
    before = JSONField(default=dict)                              # field -> value before (None: was empty)
    after = JSONField(default=dict)                               # field -> value after
    other_person_id = CharField(null=True, max_length=36, index=True)   # separate: whose ID card was shown
    source = CharField()                                          # intake (window or command line) / ledger
    actor = CharField()
    at = DateTimeField(default=datetime.now)


MODELS: list[type[BaseModel]] = [PersonRevision]


def create(db: Database) -> None:
    """This feature's table as this version has it, in a new database (store/schema.py)."""
    db.create_tables(MODELS)
