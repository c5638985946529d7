"""v21 (issue 16): on PostgreSQL, the case list's indexes over a column that may be NULL hold NULL first.

The list orders NULL as SQLite does (first when ascending, last when descending: store/pg.py writes the
NULLS clause on such a column). PostgreSQL's default index holds NULL last, so it could be read for neither
the township order nor the due date descending: each of those pages sorted every case (45 ms at 100,000
matters). Held NULL first, an index serves both directions, forward and backward. The three indexes are made
again; a city's largest table takes a few seconds, once.

On SQLite there is nothing to do (its indexes already hold NULL first): the step only takes the number.
"""

from __future__ import annotations

from peewee import Database

from ..engine import POSTGRESQL, engine_of

INDEXES = (
    ("case_list_township_received", "township_code NULLS FIRST, received_at, sid"),
    ("case_list_next_due", "next_due NULLS FIRST, sid"),
    ("case_list_township_due", "township_code NULLS FIRST, next_due NULLS FIRST, sid"),
)


def upgrade(db: Database) -> None:
    if engine_of(db) != POSTGRESQL:
        return
    for name, columns in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
        db.execute_sql(f'CREATE INDEX "{name}" ON "case" ({columns})')
