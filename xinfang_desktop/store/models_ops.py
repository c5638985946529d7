"""Tables of the ops feature (issue 7): the history of backups and restores.

Backup settings (folder, last run) live in `Setting` rows (`backup.folder`, `backup.last_at`);
a restore records `sync.epoch_needed` there for the sync feature to start a new epoch."""

from __future__ import annotations

from datetime import datetime

from peewee import BooleanField, CharField, DateTimeField, Database, IntegerField, TextField

from .models import BaseModel, SyncedModel  # noqa: F401  (base classes for this feature's models)


class BackupRecord(BaseModel):
    """One finished backup or restore on this PC (not synced: it describes this machine's disks)."""

    at = DateTimeField(default=datetime.now, index=True)
    kind = CharField()             # auto / manual / pre-restore / restore
    path = TextField()
    size = IntegerField(default=0)
    cases = IntegerField(default=0)
    actor = CharField()
    ok = BooleanField(default=True)


MODELS: list[type[BaseModel]] = [BackupRecord]


def create(db: Database) -> None:
    """This feature's tables as this version has them, in a new database (store/schema.py)."""
    db.create_tables(MODELS)
