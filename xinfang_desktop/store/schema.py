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
from .engine import is_postgres
from .migrations import SCHEMA_VERSION, set_schema_version
from .models import ALL_MODELS

# Tables some service reads in the order their rows were written (ORDER BY rowid, SQLite's implicit key):
# PostgreSQL has no such column, so there they get one (store/pg_schema.create_rowids).
ROWID_ORDERED = ("person", "person_revision")

# Each feature's tables, indexes and triggers as this version has them (its module's create function).
FEATURES = (models_intake, models_attention, models_sync, models_stats, models_ops, models_listing, models_facts,
            models_sync_entries, models_trust, models_receipts, models_regulation, models_person,
            models_resolution, models_meetings)


def create_current(db: Database) -> None:
    """Make today's schema in an empty database and stamp it with SCHEMA_VERSION (inside the caller's
    transaction)."""
    db.create_tables(ALL_MODELS)
    if is_postgres(db):
        _create_postgresql(db)
    else:
        search.create(db)
        for feature in FEATURES:
            feature.create(db)
    set_schema_version(db, SCHEMA_VERSION)


def _create_postgresql(db: Database) -> None:
    """The same schema on PostgreSQL: the features' own create functions where they are plain tables and
    indexes, store/pg_schema's pieces where the engines differ (search index, triggers)."""
    from . import pg_schema

    pg_schema.create_functions(db)
    pg_schema.create_search(db)
    for feature in FEATURES:
        if feature is models_facts:
            pg_schema.create_facts(db)
        elif feature in (models_sync, models_meetings, models_resolution):     # tables and their journal
            db.create_tables(feature.MODELS)
            pg_schema.create_journal(db, feature.JOURNALED)
        elif feature is models_sync_entries:
            pg_schema.create_journal(db, models_sync_entries.ENTRY_TABLES)
        else:
            feature.create(db)
    pg_schema.create_rowids(db, ROWID_ORDERED)
    pg_schema.widen_versions(db)
    pg_schema.create_sid_sequence(db)
    pg_schema.deferrable_fks(db)
