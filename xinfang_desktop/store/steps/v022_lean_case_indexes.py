"""v22 (issue 16): six single-column indexes of the case table dropped, each the first column of a wider one.

received_at, category_code, township_code, owner_name, status and next_due each had an index of its own
from v1, and each leads one of the case list's indexes since v7 (received_at, sid; category_code,
received_at, sid; …; status, next_due), which serves every look-up the narrow one served. Every
registration wrote all of them, and every action that moves a case's status or due date rewrote them: on
PostgreSQL a registration's case row took 0.39 ms of the server's time with them and 0.32 ms without, while
the other desks registering for the unit waited for it (store/locks.py).

The same on both engines. Frozen: the names are written out here as v1 made them.
"""

from __future__ import annotations

from peewee import Database

DROPPED = ("case_received_at", "case_category_code", "case_township_code", "case_owner_name", "case_status",
           "case_next_due")


def upgrade(db: Database) -> None:
    for name in DROPPED:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
