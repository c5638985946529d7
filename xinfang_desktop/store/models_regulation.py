"""Issue 13 (the regulation followed closely): the 文号 counters, and every case refolded under the
new rules — the kind of matter, 已转送, whose deadline a 复查 is — since the cached state changes.

`doc_counter` holds the last 文号 sequence per unit, kind of document and year; a number once given
is never given again (services/cases.CaseService._doc_number). Local: each office numbers its own.
"""

from __future__ import annotations

from peewee import Database

from ..domain.case_cache import CACHED_COLUMNS, sql_values
from ..domain import workflow as wf
from ..domain.holidays import build_calendar, parse_year_schedule
from .models import CalendarYear
from . import models_board, models_facts
from .models_facts import _events_by_case


def create_tables(db: Database) -> None:
    db.execute_sql("CREATE TABLE IF NOT EXISTS doc_counter (unit_code TEXT NOT NULL, document TEXT NOT NULL, "
                   "year INTEGER NOT NULL, last INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (unit_code, document, year))")


def refold_all(db: Database, *first: str) -> int:
    """Fold every case and write its cached columns, without journaling the rows for sync (derived
    state: every database computes its own); the statements `first` run before, unjournaled too."""
    cal = build_calendar(parse_year_schedule(src) for (src,) in
                         db.execute_sql(f'SELECT source FROM "{CalendarYear._meta.table_name}" ORDER BY year')
                         .fetchall())
    row = db.execute_sql("SELECT code FROM unit WHERE is_self = 1").fetchone()
    here = row[0] if row else None
    journal = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'case' "
                             "AND name LIKE 'sync_journal_%'").fetchall()
    for name, _ in journal:
        db.execute_sql(f'DROP TRIGGER "{name}"')
    for sql in first:
        db.execute_sql(sql)
    models_board.add_case_columns(db)      # it writes every cached column, a later step's too
    conn = db.connection()
    update = f'UPDATE "case" SET {", ".join(c + " = ?" for c in CACHED_COLUMNS)} WHERE id = ?'
    batch: list[tuple] = []
    n = 0
    for case_id, events in _events_by_case(db):
        batch.append((*sql_values(wf.fold(events, cal), here), case_id))
        n += 1
        if len(batch) >= 10_000:
            conn.executemany(update, batch)
            batch.clear()
    conn.executemany(update, batch)
    for _, sql in journal:
        db.execute_sql(sql)
    return n


def upgrade(db: Database) -> None:
    create_tables(db)
    models_facts.create_tables(db)     # more fact bits: stat_flag lists every value again
    if db.execute_sql('SELECT 1 FROM "case" LIMIT 1').fetchone():
        # A letter signed by five or more was counted as a group visit: it is a 联名信 (is_group is
        # for visits only), and the statistics facts tell the two apart from now on.
        refold_all(db, """UPDATE "case" SET is_group = 0 WHERE is_group != 0 AND channel != 'visit'""")
    models_facts.recreate_triggers(db)
