"""v23 (issue 16): on PostgreSQL, a registration takes its case's search key (``sid``) from a sequence.

It took MAX(sid) + 1 while it held its unit's case counter: 13% of the server's time inside that lock, which
every other desk registering for the unit waits for (benchmarks/pg_commit_message.py), and two registrations
of different years, holding different counters, could take the same key (one was run again). The sequence
is taken before the counter, and hands each key out once.

On SQLite there is nothing to do (one writer at a time takes MAX(sid) + 1): the step only takes the number.
Frozen: the sequence's name is written out here as released (store/pg_schema.py has today's).
"""

from __future__ import annotations

from peewee import Database

from ..engine import POSTGRESQL, engine_of


def upgrade(db: Database) -> None:
    if engine_of(db) != POSTGRESQL:
        return
    db.execute_sql("CREATE SEQUENCE IF NOT EXISTS case_sid_seq")
    db.execute_sql("SELECT setval('case_sid_seq', (SELECT COALESCE(MAX(sid), 0) + 1 FROM \"case\"), false)")
