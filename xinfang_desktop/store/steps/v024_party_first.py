"""v24 (issue 16): on PostgreSQL, the check that a party row's case exists may wait for the commit.

A registration wrote its party rows after its case row, inside the unit's counter lock: 14% of the server's
time there (benchmarks/pg_commit_message.py). It now writes them before it takes its numbers, with that one
check deferred to its commit (``SET CONSTRAINTS … DEFERRED``, store/locks.parties_first). The constraint is
made DEFERRABLE INITIALLY IMMEDIATE: every other writer's rows are checked at once, as before.

On SQLite there is nothing to do (a registration keeps its order there): the step only takes the number.
Frozen: the constraint's name is written out here as released (store/pg_schema.py has today's).
"""

from __future__ import annotations

from peewee import Database

from ..engine import POSTGRESQL, engine_of


def upgrade(db: Database) -> None:
    if engine_of(db) != POSTGRESQL:
        return
    db.execute_sql('ALTER TABLE "case_party" ALTER CONSTRAINT case_party_case_id_fkey DEFERRABLE INITIALLY IMMEDIATE')
