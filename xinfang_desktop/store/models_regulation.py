"""Issue 13 (the regulation followed closely): the 文号 counters.

`doc_counter` holds the last 文号 sequence per unit, kind of document and year; a number once given
is never given again (store/locks.py documents_at_commit). Local: each office numbers its own.
(Schema step v12 also refolded every case under the regulation's paths: store/steps/v012_regulation.py.)
"""

from __future__ import annotations

from peewee import Database


def create(db: Database) -> None:
    """The counters' table as this version has it, in a new database (store/schema.py)."""
    db.execute_sql("CREATE TABLE IF NOT EXISTS doc_counter (unit_code TEXT NOT NULL, document TEXT NOT NULL, "
                   "year INTEGER NOT NULL, last INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (unit_code, document, year))")
