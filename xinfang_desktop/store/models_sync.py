"""Tables of the sync feature (SYNC.md): the peer registry, the ledger of bundles received, the
outbox of bundles written, the quarantine list, city instructions (交办/督办) and a change journal.

The change journal is filled by triggers, so every write path (registration, actions, imports of
this unit's own rows after a restore) is seen by export without any service having to remember it.
Triggers only journal rows owned by this unit: imported rows of other units are never re-exported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    Database,
    DateField,
    DateTimeField,
    IntegerField,
    TextField,
)

from .models import BaseModel, JSONField, SyncedModel
from .setting_keys import UNIT_CODE


class SyncPeer(BaseModel):
    """Another unit whose key this unit enrolled (the city at a township; every township at the city)."""

    unit_code = CharField(primary_key=True, max_length=32)
    unit_name = CharField()
    role = CharField()                                   # township / city
    signing_public_key = CharField()                     # 64 hex, raw Ed25519
    fingerprint = CharField()                            # 64 upper-case hex (signing key)
    key_id = CharField()
    encryption_recipient = CharField(null=True)          # age1…; bundles to this peer are encrypted to it
    enrolled_at = DateTimeField()
    enrolled_by = CharField()
    revoked = BooleanField(default=False)
    frozen = BooleanField(default=False)
    frozen_reason = TextField(null=True)
    # Head of the chain received from this peer.
    head_epoch = IntegerField(default=1)
    head_seq = IntegerField(default=0)
    head_hash = CharField(default="genesis")
    allowed_epoch = IntegerField(default=1)              # a new epoch (restored PC) needs the city's consent
    last_bundle_at = DateTimeField(null=True)            # local time the last bundle was applied
    ack_pending = BooleanField(default=False)            # we applied something the peer has not seen acked


class SyncInbox(BaseModel):
    """Ledger of bundles received. ``state``: applied / parked / quarantined / rejected.

    Only ``applied`` rows stand for data in the database; ``data`` keeps the file of a parked or
    quarantined bundle (applied later) and is cleared once applied."""

    bundle_id = CharField(primary_key=True, max_length=64)
    sender = CharField(max_length=32, index=True)
    epoch = IntegerField()
    seq = IntegerField()
    kind = CharField()
    prev = CharField()
    state = CharField(index=True)
    reason = TextField(null=True)
    source_name = CharField(null=True)
    record_count = IntegerField(default=0)
    quarantined_records = IntegerField(default=0)
    created_at = CharField(null=True)                    # sender's clock, display only
    received_at = DateTimeField()
    applied_at = DateTimeField(null=True)
    data = BlobField(null=True)

    class Meta:
        indexes = ((("sender", "epoch", "seq"), False),)


class SyncOutbox(BaseModel):
    """Bundles this unit wrote, one row per (recipient, epoch, seq); never two bundles for one seq."""

    recipient = CharField(max_length=32)
    epoch = IntegerField()
    seq = IntegerField()
    bundle_id = CharField(max_length=64, unique=True)
    kind = CharField()
    file_name = CharField()
    record_count = IntegerField(default=0)
    through_change = IntegerField(default=0)             # journal position this bundle covers
    created_at = DateTimeField()
    copied_at = DateTimeField(null=True)
    acknowledged_at = DateTimeField(null=True)
    data = BlobField()

    class Meta:
        indexes = ((("recipient", "epoch", "seq"), True),)


class SyncQuarantine(BaseModel):
    """A record of an applied bundle that broke a business rule: kept aside, listed with its reason."""

    bundle_id = CharField(max_length=64, index=True)
    sender = CharField(max_length=32)
    record_type = CharField()
    record_id = CharField(null=True)
    reason = TextField()
    record = JSONField()
    created_at = DateTimeField()


class Instruction(SyncedModel):
    """What the city sends down: 交办 (assign, with a deadline) or 督办 (a supervision note)."""

    to_unit = CharField(max_length=32, index=True)
    kind = CharField()                                   # assign / supervise
    case_id = CharField(max_length=36, null=True, index=True)
    case_number = CharField(null=True)
    text = TextField()
    deadline = DateField(null=True)
    created_by = CharField()
    created_at = DateTimeField(default=datetime.now)


JOURNALED = {"person": "id", "case": "id", "case_party": "id", "case_event": "id", "instruction": "id"}

MODELS: list[type[BaseModel]] = [SyncPeer, SyncInbox, SyncOutbox, SyncQuarantine, Instruction]


def journal_triggers(db: Database, tables: Iterable[str]) -> None:
    """The change journal and its triggers on ``tables`` (each keyed by ``id``), in a new database."""
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS sync_change (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "tbl TEXT NOT NULL, row_id TEXT NOT NULL)"
    )
    db.execute_sql("CREATE INDEX IF NOT EXISTS sync_change_tbl ON sync_change (tbl, seq)")
    # Setting.value is JSON text, so this unit's code is stored with its quotes.
    own = f"('\"' || NEW.unit_code || '\"') = (SELECT value FROM setting WHERE key = '{UNIT_CODE}')"
    for table in tables:
        for op in ("INSERT", "UPDATE"):
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS sync_journal_{table}_{op.lower()} AFTER {op} ON "{table}" '
                f"WHEN {own} BEGIN INSERT INTO sync_change (tbl, row_id) VALUES ('{table}', NEW.id); END"
            )


def create(db: Database) -> None:
    """This feature's tables and the journal of the core records as this version has them, in a new
    database (store/schema.py)."""
    db.create_tables(MODELS)
    journal_triggers(db, JOURNALED)
