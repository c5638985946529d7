"""Tables of verifiable receipts (issue 17, schema step v11). None of them travels in a sync bundle.

- ``signing_key_history``: every Ed25519 signing key this office has known for a unit — its own and each
  enrolled peer's — with the period it was in use: from enrolment (or key generation, or the rotation
  that introduced it) to the rotation that replaced it or the revocation that ended it. A receipt signed
  by a key later rotated stays verifiable for its date; one dated after its key was revoked is refused.
- ``receipt_statement``: the signed statement printed on a case's 受理（接收）告知书, one per case, written
  when the receipt is first produced and reused by every reprint (the date stays the registration's).
  Only the unit that registered the case writes one (the ownership rule: receipts are its own records).
- ``receipt_check``: receipts verified at this office and found genuine, one row per statement. At the
  city the ones whose case has not arrived through sync in time appear on the workbench.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    Database,
    DateField,
    DateTimeField,
    IntegerField,
)

from .models import BaseModel

OWN = "own"          # source of a row for this office's own key
ENROLLED = "enrolled"
ROTATION = "rotation"
MIGRATED = "migrated"    # a peer enrolled before receipts existed (schema step v11)

ROTATED = "rotated"  # why a key's period ended
REVOKED = "revoked"


class SigningKeyHistory(BaseModel):
    id = AutoField()
    unit_code = CharField(max_length=32, index=True)
    signing_public_key = CharField(max_length=64)        # 64 hex, raw Ed25519
    fingerprint = CharField(max_length=64)
    key_tag = CharField(max_length=4)                    # first 4 hex digits of the fingerprint (the statement's tag)
    valid_from = DateTimeField()
    valid_to = DateTimeField(null=True)                  # None: still in use
    ended = CharField(null=True)                         # rotated / revoked
    source = CharField()                                 # own / enrolled / rotation / migrated
    recorded_at = DateTimeField()

    class Meta:
        table_name = "signing_key_history"
        indexes = ((("unit_code", "key_tag"), False),)


class ReceiptStatementRow(BaseModel):
    case_id = CharField(primary_key=True, max_length=36)
    unit_code = CharField(max_length=12)
    case_number = CharField(index=True)
    text = CharField()                                   # XFR…: the QR's content and the 核验码
    key_fingerprint = CharField(max_length=64)
    created_at = DateTimeField()                         # when first produced (the statement itself carries the
    created_by = CharField()                             # registration's dates)

    class Meta:
        table_name = "receipt_statement"


class ReceiptCheck(BaseModel):
    statement_hash = CharField(primary_key=True, max_length=64)   # SHA-256 of the statement's 43 bytes
    unit_code = CharField(max_length=12, index=True)
    case_number = CharField(index=True)
    query_code = CharField()
    received = DateField()
    entered_at = DateTimeField()
    people = IntegerField()
    first_checked_at = DateTimeField()
    last_checked_at = DateTimeField()
    checked_by = CharField()
    times = IntegerField(default=1)

    class Meta:
        table_name = "receipt_check"


MODELS: list[type[BaseModel]] = [SigningKeyHistory, ReceiptStatementRow, ReceiptCheck]


def create(db: Database) -> None:
    """This feature's tables as this version has them, in a new database (store/schema.py)."""
    db.create_tables(MODELS)
