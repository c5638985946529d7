"""Tables of the stats feature: ledger (台账) imports. Each imported row leaves its fingerprint, so
importing the same file again adds nothing. Local records (not synced): the cases they created
sync as cases."""

from __future__ import annotations

from datetime import datetime

from peewee import CharField, Database, DateTimeField, ForeignKeyField, IntegerField

from .models import BaseModel, SyncedModel, new_id  # noqa: F401  (base classes for this feature's models)


class LedgerImport(BaseModel):
    """One import of a ledger file: who, when, what file, how many rows went which way."""

    id = CharField(primary_key=True, max_length=36, default=new_id)
    unit_code = CharField(max_length=12)
    file_name = CharField()
    imported_at = DateTimeField(default=datetime.now, index=True)
    actor = CharField()
    imported = IntegerField(default=0)
    skipped = IntegerField(default=0)
    rejected = IntegerField(default=0)


class LedgerRowFingerprint(BaseModel):
    """The fingerprint of a ledger row already imported, and the case it became."""

    fingerprint = CharField(primary_key=True, max_length=64)
    batch = ForeignKeyField(LedgerImport, backref="rows", column_name="import_id", on_delete="CASCADE")
    case_id = CharField(max_length=36, index=True)
    row_number = IntegerField()


MODELS: list[type[BaseModel]] = [LedgerImport, LedgerRowFingerprint]


def create(db: Database) -> None:
    """This feature's tables as this version has them, in a new database (store/schema.py)."""
    db.create_tables(MODELS)
