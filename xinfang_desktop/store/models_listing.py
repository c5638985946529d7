"""Indexes of the case list (issue 3), so that every filter and sort of a million cases reads an
index instead of scanning or sorting the table.

The list orders by (column, sid) and filters by equality on status, township, category, channel
or owner: an index (filter column, received_at, sid) hands the default order (newest first) to
each filter directly, and (column, sid) serves each other sortable column without a filter.
No tables: the case table belongs to store/models.py.

One more, partial (schema v20): the decided matters still awaiting their 回访, by decision date, for the
workbench's 待回访 (services/board.followups_due), which otherwise read every closed matter of the city on
each look.
"""

from __future__ import annotations

from peewee import Database

from .engine import is_postgres

# (name, columns)
INDEXES: tuple[tuple[str, str], ...] = (
    ("case_list_received", "received_at, sid"),
    ("case_list_status_received", "status, received_at, sid"),
    ("case_list_township_received", "township_code, received_at, sid"),
    ("case_list_category_received", "category_code, received_at, sid"),
    ("case_list_channel_received", "channel, received_at, sid"),
    ("case_list_owner_received", "owner_name, received_at, sid"),
    ("case_list_next_due", "next_due, sid"),
    # a first-level category newest first (services.queries uses exactly this expression)
    ("case_list_category1_received", "substr(category_code, 1, 2), received_at, sid"),
    # one township's deadlines: the city bureau's "this township's overdue cases"
    ("case_list_township_due", "township_code, next_due, sid"),
    ("case_list_parties", "parties_label, sid"),
    ("case_list_people", "people_count, sid"),
)

# A decided matter (a reply, a 复查 or 复核 decision: the cached decided_on) with no 回访 on or after its last
# decision (followed_on), in a status that has one. A query reads the index only when its WHERE holds these
# very terms, word for word (SQLite matches a partial index's terms literally): services/board.py uses this.
AWAITING_FOLLOWUP = ("status IN ('replied', 'reviewed', 'rechecked', 'redirected', 'closed') "
                     "AND decided_on IS NOT NULL AND (followed_on IS NULL OR followed_on < decided_on)")
FOLLOWUP_INDEX = ("case_awaiting_followup", "decided_on, sid", AWAITING_FOLLOWUP)


# The columns of these indexes that may be NULL. SQLite puts NULL first when ascending and last when
# descending, as its indexes hold them; the list keeps that order on PostgreSQL too (store/pg.py writes the
# NULLS clause on such a column), whose index must then hold NULL first to be read in either direction
# (schema v21): otherwise sorting by township or by due date, latest first, sorted every case.
NULLABLE = ("township_code", "next_due")


def columns_for(db: Database, columns: str) -> str:
    """An index's columns as written on the engine of ``db``: on PostgreSQL a NULLABLE column NULLS FIRST."""
    if not is_postgres(db):
        return columns
    return ", ".join(f"{c} NULLS FIRST" if c in NULLABLE else c for c in columns.split(", "))


def create(db: Database) -> None:
    """The indexes as this version has them, in a new database (store/schema.py)."""
    for name, columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "case" ({columns_for(db, columns)})')
    name, columns, where = FOLLOWUP_INDEX
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "case" ({columns}) WHERE {where}')
