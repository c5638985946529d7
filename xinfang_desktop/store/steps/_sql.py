"""What the frozen steps share: reading the shape of the database, the sync journal's triggers, folding the
cases. Frozen with them: what a helper does never changes (every released step that calls it would change),
so a later step that needs something else gets a helper of its own. tables(), columns() and add_columns()
read the shape of either engine, for the steps after v15 that run on PostgreSQL too, and so do run() and
journal(), which v16 and v17 call (on PostgreSQL as the v15 program made its tables and journal); the rest is
SQLite's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from typing import TYPE_CHECKING

from peewee import Database

from ..engine import POSTGRESQL, engine_of

if TYPE_CHECKING:
    from ...domain import workflow as wf


def run(db: Database, statements: Iterable[str]) -> None:
    """The statements; on PostgreSQL with SQLite's date types spelled as the program stores them there."""
    pg = engine_of(db) == POSTGRESQL
    for sql in statements:
        db.execute_sql(_PG_TYPES.sub("TEXT", sql) if pg else sql)


# DATE and DATETIME columns are TEXT on PostgreSQL (store/pg.py FIELD_TYPES since v15, as SQLite stores
# them): the steps after v15 write their tables in SQLite's words, these are the only ones that differ.
_PG_TYPES = re.compile(r"\b(?:DATETIME|DATE)\b")


def tables(db: Database) -> set[str]:
    if engine_of(db) == POSTGRESQL:      # a step after v15 runs on both engines (store/migrations.py)
        return {r[0] for r in db.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()}
    return {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}


def columns(db: Database, table: str) -> set[str]:
    if engine_of(db) == POSTGRESQL:
        return {r[0] for r in db.execute_sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ?", (table,)).fetchall()}
    return {r[1] for r in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}


def add_columns(db: Database, table: str, wanted: Sequence[tuple[str, str]]) -> bool:
    """ALTER TABLE ADD COLUMN for each (name, type and constraints) missing; True when any was."""
    have = columns(db, table)
    missing = [(name, ddl) for name, ddl in wanted if name not in have]
    for name, ddl in missing:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN {name} {ddl}')
    return bool(missing)


def has_cases(db: Database) -> bool:
    return db.execute_sql('SELECT 1 FROM "case" LIMIT 1').fetchone() is not None


def seed_flags(db: Database, bits: int) -> None:
    """stat_flag holds every value of `bits` fact bits."""
    db.execute_sql("CREATE TABLE IF NOT EXISTS stat_flag (flags INTEGER PRIMARY KEY)")
    db.execute_sql(f"INSERT OR IGNORE INTO stat_flag (flags) WITH RECURSIVE v(n) AS (SELECT 0 UNION ALL "
                   f"SELECT n + 1 FROM v WHERE n + 1 < {1 << bits}) SELECT n FROM v")


# -- the sync journal (v4, v9) -----------------------------------------------------------------------
# Setting.value is JSON text, so this unit's code is stored with its quotes.
_OWN = "('\"' || {p}unit_code || '\"') = (SELECT value FROM setting WHERE key = 'unit_code')"


def journal(db: Database, journaled: Iterable[str]) -> None:
    """The change journal and its triggers on `journaled` (each keyed by id): every insert or update of a
    row this unit owns is journaled. A table whose triggers are made here has its own rows journaled once,
    so the next export carries the rows written before; a table that had them is left as it is."""
    if engine_of(db) == POSTGRESQL:
        _pg_journal(db, journaled)
        return
    db.execute_sql("CREATE TABLE IF NOT EXISTS sync_change (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "tbl TEXT NOT NULL, row_id TEXT NOT NULL)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS sync_change_tbl ON sync_change (tbl, seq)")
    have = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()}
    for table in journaled:
        for op in ("INSERT", "UPDATE"):
            db.execute_sql(
                f'CREATE TRIGGER IF NOT EXISTS sync_journal_{table}_{op.lower()} AFTER {op} ON "{table}" '
                f"WHEN {_OWN.format(p='NEW.')} BEGIN INSERT INTO sync_change (tbl, row_id) VALUES ('{table}', NEW.id); END")
        if f"sync_journal_{table}_insert" not in have:
            db.execute_sql(f"INSERT INTO sync_change (tbl, row_id) SELECT '{table}', id FROM \"{table}\" "
                           f"WHERE {_OWN.format(p='')}")


# journal() on PostgreSQL, frozen as store/pg_schema.py made it when PostgreSQL came (v15): one function
# all the journal's triggers call, reading this unit's code under the key of then, 'unit_code' (v18
# replaces the function with one reading 'unit.code'), and a trigger of that function on each table.
_PG_JOURNAL_FUNCTION = """
CREATE OR REPLACE FUNCTION sync_journal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ('"' || NEW.unit_code || '"') = (SELECT value FROM setting WHERE key = 'unit_code') THEN
        INSERT INTO sync_change (tbl, row_id) VALUES (TG_TABLE_NAME, NEW.id);
    END IF;
    RETURN NEW;
END $$
"""


def _pg_journal(db: Database, journaled: Iterable[str]) -> None:
    db.execute_sql("CREATE TABLE IF NOT EXISTS sync_change (seq BIGSERIAL PRIMARY KEY, tbl TEXT NOT NULL, "
                   "row_id TEXT NOT NULL)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS sync_change_tbl ON sync_change (tbl, seq)")
    if db.execute_sql("SELECT to_regproc('sync_journal')").fetchone()[0] is None:   # a v15 database has it
        db.execute_sql(_PG_JOURNAL_FUNCTION)
    for table in journaled:
        if db.execute_sql("SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?",
                          (f'"{table}"', f"sync_journal_{table}")).fetchone():
            continue
        db.execute_sql(f'CREATE TRIGGER sync_journal_{table} AFTER INSERT OR UPDATE ON "{table}" '
                       "FOR EACH ROW EXECUTE FUNCTION sync_journal()")
        db.execute_sql(f"INSERT INTO sync_change (tbl, row_id) SELECT '{table}', id FROM \"{table}\" "
                       f"WHERE {_OWN.format(p='')}")


@contextmanager
def unjournaled(db: Database) -> Iterator[None]:
    """Case rows written inside are not journaled for sync (derived columns: every database computes its own)."""
    triggers = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'case' "
                              "AND name LIKE 'sync_journal_%'").fetchall()
    for name, _ in triggers:
        db.execute_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        db.execute_sql(sql)


# -- folding the cases -------------------------------------------------------------------------------


def this_unit(db: Database) -> str | None:
    row = db.execute_sql("SELECT code FROM unit WHERE is_self = 1").fetchone()
    return row[0] if row else None


def folded(db: Database) -> Iterator[tuple[str, wf.CaseState]]:
    """(case id, the fold of its events) for every case with events, under the holiday schedules the
    database holds."""
    return _fold(db, "SELECT case_id, id, kind, occurred_at, data FROM case_event ORDER BY case_id")


def folded_among(db: Database, case_ids: str) -> Iterator[tuple[str, wf.CaseState]]:
    """folded() for the cases whose id the query `case_ids` selects."""
    return _fold(db, f"SELECT case_id, id, kind, occurred_at, data FROM case_event WHERE case_id IN ({case_ids}) "
                     "ORDER BY case_id")


def _fold(db: Database, events_sql: str) -> Iterator[tuple[str, wf.CaseState]]:
    from ...domain import workflow as wf      # imported when a step refolds, not at every start
    from ...domain.holidays import build_calendar, parse_year_schedule

    cal = build_calendar(parse_year_schedule(src) for (src,) in
                         db.execute_sql("SELECT source FROM calendar_year ORDER BY year").fetchall())
    current, events = None, []
    for case_id, eid, kind, occurred, data in db.execute_sql(events_sql):   # streamed: a million cases
        if case_id != current:
            if current is not None:
                yield current, wf.fold(events, cal)
            current, events = case_id, []
        events.append(wf.Event(eid, wf.EventKind(kind), datetime.fromisoformat(occurred), json.loads(data or "{}")))
    if current is not None:
        yield current, wf.fold(events, cal)


def iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def update_cases(db: Database, names: Sequence[str], rows: Iterable[tuple]) -> int:
    """UPDATE "case" SET names... WHERE id = the last value of each row, in batches; the rows written."""
    update = f'UPDATE "case" SET {", ".join(c + " = ?" for c in names)} WHERE id = ?'
    conn, batch, n = db.connection(), [], 0
    for row in rows:
        batch.append(tuple(iso(v) for v in row))
        n += 1
        if len(batch) >= 10_000:
            conn.executemany(update, batch)
            batch.clear()
    conn.executemany(update, batch)
    return n
