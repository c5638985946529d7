"""v15 (issue 13): the board by matter.

- case.review_standing and case.handling_unit: where a 复查/复核 stands (domain/review_standing) and the unit
  handling the matter, folded from the events; computed here for the cases that were routed or reviewed
  (the others have neither). Local columns, never in a bundle.
- colour_override.case_id: a leader's colour hangs on a matter; person_id becomes optional (rows of earlier
  versions keep it). SQLite cannot drop a NOT NULL, so the table is made again with its rows, indexes and
  sync journal triggers (the copy is not journaled: the rows did not change).
"""

from __future__ import annotations

from peewee import Database

from ._sql import folded_among, has_cases, unjournaled, update_cases

CASE_COLUMNS = (("review_standing", "VARCHAR(20)"), ("handling_unit", "VARCHAR(255)"))

OVERRIDES = (
    'CREATE TABLE IF NOT EXISTS "colour_override" ("id" VARCHAR(36) NOT NULL PRIMARY KEY, "unit_code" '
    'VARCHAR(12) NOT NULL, "version" INTEGER NOT NULL, "updated_at" DATETIME NOT NULL, "person_id" '
    'VARCHAR(36), "case_id" VARCHAR(36), "colour" VARCHAR(1) NOT NULL, "base_colour" VARCHAR(1) NOT NULL, '
    '"reason" TEXT NOT NULL, "set_by" VARCHAR(255) NOT NULL, "set_by_display" VARCHAR(255) NOT NULL, '
    '"set_at" DATETIME NOT NULL, "withdrawn_at" DATETIME)',
    'CREATE INDEX IF NOT EXISTS "colour_override_unit_code" ON "colour_override" ("unit_code")',
    'CREATE INDEX IF NOT EXISTS "colour_override_person_id" ON "colour_override" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "colour_override_case_id" ON "colour_override" ("case_id")',
)
# the events without which a case has neither a review standing nor a handling unit
_ROUTED_OR_REVIEWED = ("SELECT case_id FROM case_event WHERE kind IN "
                       "('routed', 'review_requested', 'recheck_requested')")


def _columns(db: Database, table: str) -> dict[str, int]:
    """Column name → its NOT NULL flag."""
    return {row[1]: row[3] for row in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}


def _add_case_columns(db: Database) -> bool:
    have = _columns(db, "case")
    missing = [(name, ddl) for name, ddl in CASE_COLUMNS if name not in have]
    for name, ddl in missing:
        db.execute_sql(f'ALTER TABLE "case" ADD COLUMN {name} {ddl}')
    return bool(missing)


def _compute(db: Database) -> None:
    from ...domain.review_standing import review_standing    # imported when the step runs, not at every start

    def values(state) -> tuple:
        standing = review_standing(state)
        return standing.code if standing else None, state.routed_unit or None

    with unjournaled(db):
        update_cases(db, [name for name, _ in CASE_COLUMNS],
                     ((*values(state), case_id) for case_id, state in folded_among(db, _ROUTED_OR_REVIEWED)))


def _rebuild_overrides(db: Database) -> None:
    have = _columns(db, "colour_override")
    if "case_id" in have and not have.get("person_id"):
        return
    triggers = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                              "AND tbl_name = 'colour_override'").fetchall()
    for name, _ in triggers:
        db.execute_sql(f'DROP TRIGGER "{name}"')
    for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                                  "'colour_override' AND sql IS NOT NULL").fetchall():
        db.execute_sql(f'DROP INDEX "{name}"')
    db.execute_sql('ALTER TABLE colour_override RENAME TO colour_override_before_matters')
    for sql in OVERRIDES:
        db.execute_sql(sql)
    kept = ", ".join(f'"{c}"' for c in have if c != "case_id")
    db.execute_sql(f'INSERT INTO colour_override ({kept}) SELECT {kept} FROM colour_override_before_matters')
    db.execute_sql('DROP TABLE colour_override_before_matters')
    for _, sql in triggers:
        db.execute_sql(sql)


def upgrade(db: Database) -> None:
    if _add_case_columns(db) and has_cases(db):
        _compute(db)
    _rebuild_overrides(db)
