"""v20 (issue 16): a partial index of the decided matters still awaiting their 回访, by decision date.

The workbench's 待回访 read, on every look, every decided matter with its events to find the ones not yet
followed up: at a city of 100,000 matters 0.4 s on PostgreSQL, on each desk's workbench, again whenever
another desk saved something. It now reads the case row's cached decision and follow-up dates
(domain/case_cache.py) through this index, which holds only the matters awaiting a 回访.

The same on both engines. Frozen: the predicate is written out here as released (store/models_listing.py has
today's, which services/board.py's query repeats word for word).
"""

from __future__ import annotations

from peewee import Database

INDEX = ('CREATE INDEX IF NOT EXISTS "case_awaiting_followup" ON "case" (decided_on, sid) '
         "WHERE status IN ('replied', 'reviewed', 'rechecked', 'redirected', 'closed') "
         "AND decided_on IS NOT NULL AND (followed_on IS NULL OR followed_on < decided_on)")


def upgrade(db: Database) -> None:
    db.execute_sql(INDEX)
