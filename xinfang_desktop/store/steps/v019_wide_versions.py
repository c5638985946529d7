"""v19 (issue 16): on PostgreSQL, the version of every owned row is a 64-bit BIGINT.

A township restored from a backup sends the rows it changed since in a new epoch, their versions lifted into
that epoch's range (``epoch << 32`` + version, services/sync/epochs.py), so that they win over what the old
epoch sent. SQLite's INTEGER holds 64 bits; PostgreSQL's INTEGER only 32, so a city on a server refused every
such bundle ("integer out of range"). The columns of v15's tables and of those v16 and v17 made are widened
in place (each table written again once: a city's largest tables take a while, once).

On SQLite there is nothing to do: the step only takes the number.
"""

from __future__ import annotations

from peewee import Database

from ..engine import POSTGRESQL, engine_of

# Every table of v18 with an owned row's version counter (xinfang_schema's own version is left alone).
TABLES = ("attachment", "backlog_entry", "backlog_step", "case", "case_party", "colour_override", "hardship_flag",
          "hardship_referral", "instruction", "leader_assignment", "meeting", "meeting_task", "person", "reception",
          "user")


def upgrade(db: Database) -> None:
    if engine_of(db) != POSTGRESQL:
        return
    for table in TABLES:
        db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "version" TYPE BIGINT')
