"""Rates over matters whose window has ended (issue 13): each case's open 15-day limit (the
window of 及时受理率) joins the statistics facts — `case.stat_accept`, `case_fact.accept_limit` in the
covering index of the rates' read — with a fact bit for a decision taken after the limit
(domain.statistics.DECIDED_LATE).

The step is safe to run on any database: it adds only what is missing, and refolds the facts of
existing cases only when something was missing (a database built by this version has them all).
"""

from __future__ import annotations

from peewee import Database

from . import models_facts


def _columns(db: Database, table: str) -> set[str]:
    return {row[1] for row in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}


def upgrade(db: Database) -> None:
    missing = False
    if "stat_accept" not in _columns(db, "case"):
        db.execute_sql('ALTER TABLE "case" ADD COLUMN stat_accept DATE')
        missing = True
    models_facts.create_tables(db)                  # nothing if there; new values of the fact bits
    if "accept_limit" not in _columns(db, "case_fact"):
        db.execute_sql("ALTER TABLE case_fact ADD COLUMN accept_limit TEXT")
        missing = True
    indexed = tuple(row[2] for row in db.execute_sql("PRAGMA index_info(case_fact_flags)").fetchall())
    if indexed != models_facts.FLAGS_INDEX:
        db.execute_sql("DROP INDEX IF EXISTS case_fact_flags")
        models_facts.create_tables(db)
    for name in models_facts.TRIGGERS:              # rebuilt below with the new column
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    if missing and db.execute_sql('SELECT 1 FROM "case" LIMIT 1').fetchone():
        models_facts.compute_all(db)
        models_facts.fill(db)
    for name, body in models_facts.TRIGGERS.items():
        db.execute_sql(f'CREATE TRIGGER "{name}" {body}')
