"""Schema versions. The version lives in PRAGMA user_version (on PostgreSQL: the one row of the table
xinfang_schema). Two paths (migrate):

- a new database (no tables, version 0) is made from today's models at once and stamped with the
  current version (store/schema.create_current);
- a database of an older version runs the steps it lacks, one transaction each, as they were released
  (store/steps/: frozen, never importing today's models). store.db.open_database takes a file backup
  before any step runs.

A change of the schema adds a step at the end of STEPS (a new store/steps/vNNN_<name>.py), changes
today's models and store/schema.py to the same shape, and adds a fixture of the new version
(tests/schema_fixtures/make.py); tests/store/test_schema_upgrade.py upgrades every fixture and compares it
with a new database.
"""

from __future__ import annotations

from typing import Callable

from peewee import Database

from .engine import is_postgres

from .steps import (v001_initial, v002_intake, v003_attention, v004_sync, v005_stats, v006_ops, v007_listing,
                    v008_facts, v009_sync_entries, v010_trust, v011_receipts, v012_regulation, v013_person,
                    v014_rate_windows, v015_board, v016_resolution, v017_meetings, v018_setting_keys,
                    v019_wide_versions, v020_followups, v021_null_first, v022_lean_case_indexes,
                    v023_sid_sequence, v024_party_first)

# One step per schema version; never change, reorder or remove a step once released.
STEPS: list[Callable[[Database], None]] = [
    v001_initial.upgrade,       # v1: core tables, search index (issue 1)
    v002_intake.upgrade,        # v2: drafts, attachments (issue 3)
    v003_attention.upgrade,     # v3: board overrides, 包案, hardship, mediation, receptions (issue 4)
    v004_sync.upgrade,          # v4: keys, ledger, outbox, quarantine, change journal (issue 5)
    v005_stats.upgrade,         # v5: ledger imports (issue 6)
    v006_ops.upgrade,           # v6: backups (issue 7)
    v007_listing.upgrade,       # v7: indexes of the case list's filters and sorts (issue 3)
    v008_facts.upgrade,         # v8: per-case statistics facts, kept with the case row (issue 6)
    v009_sync_entries.upgrade,  # v9: attachments and attention records in the sync journal (issue 5)
    v010_trust.upgrade,         # v10: bundles held by file until their sender is enrolled (issue 11)
    v011_receipts.upgrade,      # v11: signing key history, receipt statements, receipts verified (issue 17)
    v012_regulation.upgrade,    # v12: 文号 counters; cases refolded under the regulation's paths (issue 13)
    v013_person.upgrade,        # v13: a person's history of fills and corrections, local (issue 13)
    v014_rate_windows.upgrade,  # v14: each case's open 15-day limit in the statistics facts (issue 13)
    v015_board.upgrade,         # v15: the board by matter: review standing, handling unit, overrides on a matter (issue 13)
    v016_resolution.upgrade,    # v16: 信访评理 sessions, the 积案 register and its 化解 plans (issue 19)
    v017_meetings.upgrade,      # v17: meetings (督办会, 推进会, 联席会议, 专题会) and their tasks (issue 19)
    v018_setting_keys.upgrade,  # v18: the settings' keys in one style, area.name; the journal reads unit.code (issue 14)
    v019_wide_versions.upgrade, # v19: on PostgreSQL a row's version is BIGINT, as SQLite's INTEGER (issue 16)
    v020_followups.upgrade,     # v20: the matters awaiting 回访, indexed by decision date (issue 16)
    v021_null_first.upgrade,    # v21: on PostgreSQL the list's indexes hold NULL first, as SQLite's (issue 16)
    v022_lean_case_indexes.upgrade,  # v22: six single-column case indexes that a wider one leads, dropped (issue 16)
    v023_sid_sequence.upgrade,  # v23: on PostgreSQL a registration's search key comes from a sequence (issue 16)
    v024_party_first.upgrade,   # v24: on PostgreSQL a party row's check of its case may wait for the commit (issue 16)
]
SCHEMA_VERSION = len(STEPS)
# The version the first PostgreSQL databases were made at: steps up to it are SQLite's only.
FIRST_POSTGRESQL = 15

# Steps 1-11 were each released in more than one form under their number: on their first day steps 2-9
# were declared before their tables were written (a database of v6, v7 or v9 from then lacks some), the
# first v10 kept failed logins in a table, and for twelve minutes v11 was the regulation's step (now v12).
# So a database at one of those versions runs steps 1 to its own version again before the steps it lacks:
# each of them adds only what is missing (and v10 drops the table of its first form).
REPEATED_THROUGH = 11


def _has_tables(db: Database) -> bool:
    if is_postgres(db):
        sql = "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() LIMIT 1"
    else:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1"
    return db.execute_sql(sql).fetchone() is not None


def schema_version(db: Database) -> int:
    """The version the database's schema is at (0: nothing yet)."""
    if not is_postgres(db):
        return db.execute_sql("PRAGMA user_version").fetchone()[0]
    if db.execute_sql("SELECT to_regclass('xinfang_schema')").fetchone()[0] is None:
        return 0
    row = db.execute_sql("SELECT version FROM xinfang_schema").fetchone()
    return row[0] if row else 0


def set_schema_version(db: Database, version: int) -> None:
    """Stamp the version (inside the step's transaction)."""
    if not is_postgres(db):
        db.execute_sql(f"PRAGMA user_version = {int(version)}")
        return
    db.execute_sql("CREATE TABLE IF NOT EXISTS xinfang_schema (version INTEGER NOT NULL)")
    db.execute_sql("DELETE FROM xinfang_schema")
    db.execute_sql("INSERT INTO xinfang_schema (version) VALUES (?)", (int(version),))


def migrate(db: Database) -> int:
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        from ..domain.errors import XinfangError
        raise XinfangError(
            f"数据库版本（{current}）比本程序（{SCHEMA_VERSION}）新，请安装最新版本的程序后再打开。"
        )
    if current == 0 and not _has_tables(db):
        from .schema import create_current

        with db.atomic("EXCLUSIVE"):
            # on a server another desk may have made it while this one waited for the lock
            if not (is_postgres(db) and _has_tables(db)):
                create_current(db)
        if schema_version(db) == SCHEMA_VERSION:
            return SCHEMA_VERSION
        current = schema_version(db)
    if is_postgres(db) and 0 < current < FIRST_POSTGRESQL:
        from ..domain.errors import XinfangError
        raise XinfangError(f"这个 PostgreSQL 数据库的版本（{current}）不是本程序建立的，无法升级。请联系技术支持。")
    if 0 < current <= REPEATED_THROUGH and current < SCHEMA_VERSION:
        with db.atomic("EXCLUSIVE"):
            for step in STEPS[:current]:
                step(db)
    for version in range(current + 1, SCHEMA_VERSION + 1):
        with db.atomic("EXCLUSIVE"):
            if is_postgres(db) and schema_version(db) >= version:
                continue          # another desk ran this step while this one waited for the lock
            STEPS[version - 1](db)
            set_schema_version(db, version)
    return SCHEMA_VERSION
