"""The board by matter (issue 13): the facts it reads on the case row, and overrides on a matter.

- ``case.review_standing`` and ``case.handling_unit``: where a 复查/复核 stands and the unit
  handling the matter, folded from the events with the rest of the cached state
  (domain/case_cache.BOARD_COLUMNS, written by every writer) and checked by `xinfang check` like it.
  Local: never in a bundle; an import refolds the cases it touches and so computes them.
- ``colour_override.case_id``: a leader's colour now hangs on a matter; ``person_id`` becomes
  optional (rows of earlier versions keep it, and apply on the grouping by person only). SQLite
  cannot drop a NOT NULL, so the table is rebuilt with its rows, indexes and sync journal triggers.

Every part checks what is there first, so the step is safe on a database created by this version
(step 1 already has the columns), on one that is upgraded, and after an earlier step that refolds
every case (models_regulation), which adds the columns through add_case_columns to write them.
"""

from __future__ import annotations

import json
from datetime import datetime

from peewee import Database

from ..domain import workflow as wf
from ..domain.case_cache import BOARD_COLUMNS, board_values
from ..domain.holidays import build_calendar, parse_year_schedule
from .models import CalendarYear
from .models_attention import ColourOverride

_COLUMN_TYPES = {"review_standing": "VARCHAR(20)", "handling_unit": "VARCHAR(255)"}


def _columns(db: Database, table: str) -> dict[str, int]:
    """Column name → its NOT NULL flag."""
    return {row[1]: row[3] for row in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}


def add_case_columns(db: Database) -> bool:
    """Add the board's columns of the case row that are missing; True when any was (existing rows
    then need them computed)."""
    have = _columns(db, "case")
    added = False
    for column in BOARD_COLUMNS:
        if column not in have:
            db.execute_sql(f'ALTER TABLE "case" ADD COLUMN {column} {_COLUMN_TYPES[column]}')
            added = True
    return added


def _compute(db: Database) -> None:
    """Fold the routed or reviewed cases (the others have neither) and cache their board facts,
    without journaling the rows for sync (the columns are local)."""
    cal = build_calendar(parse_year_schedule(src) for (src,) in
                         db.execute_sql(f'SELECT source FROM "{CalendarYear._meta.table_name}" ORDER BY year')
                         .fetchall())
    journal = _triggers(db, "case", "sync_journal_%")
    for name, _ in journal:
        db.execute_sql(f'DROP TRIGGER "{name}"')
    events: dict[str, list[wf.Event]] = {}
    for case_id, eid, kind, occurred, data in db.execute_sql(
            "SELECT case_id, id, kind, occurred_at, data FROM case_event WHERE case_id IN "
            "(SELECT case_id FROM case_event WHERE kind IN ('routed', 'review_requested', 'recheck_requested'))"):
        events.setdefault(case_id, []).append(
            wf.Event(eid, wf.EventKind(kind), datetime.fromisoformat(occurred), json.loads(data or "{}")))
    rows = [(*board_values(wf.fold(evs, cal)), case_id) for case_id, evs in events.items()]
    update = f'UPDATE "case" SET {", ".join(c + " = ?" for c in BOARD_COLUMNS)} WHERE id = ?'
    db.connection().executemany(update, rows)
    for _, sql in journal:
        db.execute_sql(sql)


def _triggers(db: Database, table: str, like: str = "%") -> list[tuple[str, str]]:
    return db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                          "AND name LIKE ?", (table, like)).fetchall()


def _rebuild_overrides(db: Database) -> None:
    """colour_override with an optional person_id and a case_id, keeping every row as it was."""
    have = _columns(db, "colour_override")
    if "case_id" in have and not have.get("person_id"):
        return
    triggers = _triggers(db, "colour_override")
    for name, _ in triggers:
        db.execute_sql(f'DROP TRIGGER "{name}"')
    for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                                  "'colour_override' AND sql IS NOT NULL").fetchall():
        db.execute_sql(f'DROP INDEX "{name}"')
    db.execute_sql('ALTER TABLE colour_override RENAME TO colour_override_before_matters')
    db.create_tables([ColourOverride])
    kept = [c for c in have if c != "case_id"]
    names = ", ".join(f'"{c}"' for c in kept)
    db.execute_sql(f'INSERT INTO colour_override ({names}) SELECT {names} FROM colour_override_before_matters')
    db.execute_sql('DROP TABLE colour_override_before_matters')
    for _, sql in triggers:
        db.execute_sql(sql)


def upgrade(db: Database) -> None:
    if add_case_columns(db) and db.execute_sql('SELECT 1 FROM "case" LIMIT 1').fetchone():
        _compute(db)
    _rebuild_overrides(db)
