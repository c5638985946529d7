"""Sync journal of the attachment and attention records (issue 5, schema step v9).

The same triggers as the core records (models_sync.create_journal): every insert or update of a row
this unit owns is journaled, and rows written before this step are journaled once, so the next
export carries them. Attachment files travel by hash inside the bundle (services/sync_export.py).
"""

from __future__ import annotations

from peewee import Database

from .models_sync import create_journal

# Table names of store/models_intake.Attachment and store/models_attention's synced models.
ENTRY_TABLES: tuple[str, ...] = (
    "attachment", "leader_assignment", "colour_override", "hardship_flag", "hardship_referral", "reception",
    "mediation_session",
)


def upgrade(db: Database) -> None:
    create_journal(db, ENTRY_TABLES)
