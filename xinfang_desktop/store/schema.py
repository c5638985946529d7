"""Today's schema, made at once for a new database: every table, index and trigger, the search index and
the seeded rows, stamped with the current version. store/migrations.py calls it for a database with no
tables; a database of an older version goes through the frozen steps (store/steps/) instead, and
tests/store/test_schema_upgrade.py checks that both arrive at the same schema.
"""

from __future__ import annotations

from peewee import Database

from . import (models_attention, models_facts, models_intake, models_listing, models_meetings, models_ops, models_person,
               models_receipts, models_regulation, models_resolution, models_stats, models_sync, models_sync_entries,
               models_trust, search)
from .migrations import SCHEMA_VERSION
from .models import ALL_MODELS

# Each feature's tables, indexes and triggers as this version has them (its module's create function).
FEATURES = (models_intake, models_attention, models_sync, models_stats, models_ops, models_listing, models_facts,
            models_sync_entries, models_trust, models_receipts, models_regulation, models_person,
            models_resolution, models_meetings)


def create_current(db: Database) -> None:
    """Make today's schema in an empty database and stamp it with SCHEMA_VERSION (inside the caller's
    transaction)."""
    db.create_tables(ALL_MODELS)
    search.create(db)
    for feature in FEATURES:
        feature.create(db)
    db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
