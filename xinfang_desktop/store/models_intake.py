"""Tables of the intake feature: the clerk's unsaved registration draft, and files attached to a case.

Attachment files live outside the database, in `<data_dir>/attachments/<sha256[:2]>/<sha256>`:
the row names the content by its hash, so the same scan attached twice is stored once.
"""

from __future__ import annotations

from datetime import datetime

from peewee import CharField, Database, DateTimeField, ForeignKeyField, IntegerField

from .models import BaseModel, Case, JSONField, SyncedModel


class IntakeDraft(BaseModel):
    """One draft per user: what the intake form held when last saved (never synced, never printed)."""

    user_id = CharField(primary_key=True, max_length=36)
    data = JSONField()
    saved_at = DateTimeField(default=datetime.now)


class Attachment(SyncedModel):
    """A scanned letter or photo of a case. The file is immutable; the row only links it."""

    case = ForeignKeyField(Case, backref="attachments", on_delete="CASCADE", column_name="case_id")
    sha256 = CharField(max_length=64, index=True)
    file_name = CharField()          # the name the clerk picked, shown in lists
    kind = CharField(max_length=8)   # jpg / png / pdf / tif, from the content signature
    size = IntegerField()
    added_by = CharField()
    added_at = DateTimeField(default=datetime.now)

    class Meta:
        # The same file once per case; another case may link the same content.
        indexes = ((("case", "sha256"), True),)


MODELS: list[type[BaseModel]] = [IntakeDraft, Attachment]


def create(db: Database) -> None:
    """This feature's tables as this version has them, in a new database (store/schema.py)."""
    db.create_tables(MODELS)
