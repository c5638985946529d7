"""Rates over matters whose window has ended (issue 13): each case's open 15-day limit (the
window of 及时受理率) joins the statistics facts — `case.stat_accept`, `case_fact.accept_limit` in the
covering index of the rates' read. A matter with no open limit has been decided: on time (TIMELY),
entered late (LATE_ENTRY), or else after its 15 days.

The step is safe to run on any database: it adds only what is missing, and refolds the facts of
existing cases only when something was missing. The shape itself is models_facts.create_tables, which
every step that refolds calls first (models_regulation's refold writes the new column too), so a
database upgraded through those steps already has it and this one only renews the triggers.
"""

from __future__ import annotations

from peewee import Database

from . import models_facts


def upgrade(db: Database) -> None:
    missing = models_facts.create_tables(db)        # adds the column, the index, nothing if there
    for name in models_facts.TRIGGERS:              # rebuilt below with the new column
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    if missing and db.execute_sql('SELECT 1 FROM "case" LIMIT 1').fetchone():
        models_facts.compute_all(db)
        models_facts.fill(db)
    for name, body in models_facts.TRIGGERS.items():
        db.execute_sql(f'CREATE TRIGGER "{name}" {body}')
