"""Sync journal of the attachment and attention records (issue 5, schema step v9).

The same triggers as the core records (models_sync.journal_triggers): every insert or update of a row
this unit owns is journaled. Attachment files travel by hash inside the bundle (services/sync/outbox_bundles.py).
"""

from __future__ import annotations

from peewee import Database

from .models_sync import journal_triggers

# Table names of store/models_intake.Attachment and store/models_attention's synced models.
ENTRY_TABLES: tuple[str, ...] = (
    "attachment", "leader_assignment", "colour_override", "hardship_flag", "hardship_referral", "reception",
    "mediation_session",
)


def create(db: Database) -> None:
    """The journal's triggers on these tables, in a new database (store/schema.py)."""
    journal_triggers(db, ENTRY_TABLES)
