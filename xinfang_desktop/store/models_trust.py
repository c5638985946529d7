"""Tables of trust at the boundaries (issue 11, schema step v10). (Failed logins are counted outside
the database, in store/login_attempts.py: a wrong password cannot open it.)

- ``sync_held``: bundles from a sender not yet enrolled, kept by the hash of the whole file until the
  sender is enrolled and their signature can be checked. Keyed by the file, not by the bundle id: a
  copy with a forged signature is kept beside the genuine one and never replaces it, and neither
  touches the ledger (``sync_inbox``) before its signature is verified.
"""

from __future__ import annotations

from peewee import BlobField, CharField, Database, DateTimeField, IntegerField

from .models import BaseModel


class SyncHeld(BaseModel):
    file_sha256 = CharField(primary_key=True, max_length=64)
    sender = CharField(max_length=32, index=True)
    epoch = IntegerField()
    seq = IntegerField()
    bundle_id = CharField(max_length=64)
    kind = CharField()
    source_name = CharField(null=True)
    created_at = CharField(null=True)                    # sender's clock, display only
    received_at = DateTimeField()
    data = BlobField()


MODELS: list[type[BaseModel]] = [SyncHeld]


def create(db: Database) -> None:
    """This feature's tables as this version has them, in a new database (store/schema.py)."""
    db.create_tables(MODELS)
