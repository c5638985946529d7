"""v8 (issue 6): the statistics facts. case_fact holds one row per case (day, sid) with its combination's
number (stat_dim), people, fact bits, next deadline, open handling limit and reply day; triggers on the case
row keep it. stat_flag lists every value of the fact bits. The case row gets its fact columns (with the day
of its last written decision and last follow-up, for the board), computed for the cases already there.

Released under v8 in several forms on its first day (empty at first, then without the last two columns,
then without the indexes): every part adds only what is missing, so it completes any of them.
"""

from __future__ import annotations

from peewee import Database

from ._sql import add_columns, folded, has_cases, run, seed_flags, unjournaled, update_cases

CASE_COLUMNS = (("stat_flags", "INTEGER NOT NULL DEFAULT 0"), ("stat_limit", "DATE"), ("stat_reply", "DATE"),
                ("decided_on", "DATE"), ("followed_on", "DATE"))
FLAG_BITS = 12

STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS stat_dim (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, town TEXT NOT NULL, "
    "channel TEXT NOT NULL, category TEXT NOT NULL, rep INTEGER NOT NULL, grp INTEGER NOT NULL, "
    "UNIQUE (unit, town, channel, category, rep, grp))",
    "CREATE TABLE IF NOT EXISTS case_fact (day TEXT NOT NULL, sid INTEGER NOT NULL, dim INTEGER NOT NULL, "
    "people INTEGER NOT NULL, flags INTEGER NOT NULL, next_due TEXT, open_limit TEXT, replied_on TEXT, "
    "PRIMARY KEY (day, sid)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS case_fact_dim ON case_fact (dim, day, people)",
    "CREATE INDEX IF NOT EXISTS case_fact_flags ON case_fact (flags, day, dim, next_due, open_limit, replied_on)",
)

_DIM_OF_NEW = ("NEW.unit_code, COALESCE(NEW.township_code, ''), NEW.channel, NEW.category_code, "
               "NEW.repeat_of IS NOT NULL, NEW.is_group != 0")
_DIM_ID_OF_NEW = ("(SELECT id FROM stat_dim WHERE unit = NEW.unit_code AND town = COALESCE(NEW.township_code, '') "
                  "AND channel = NEW.channel AND category = NEW.category_code AND rep = (NEW.repeat_of IS NOT NULL) "
                  "AND grp = (NEW.is_group != 0))")
_PUT_NEW = (f"INSERT OR IGNORE INTO stat_dim (unit, town, channel, category, rep, grp) VALUES ({_DIM_OF_NEW}); "
            "INSERT OR REPLACE INTO case_fact (day, sid, dim, people, flags, next_due, open_limit, replied_on) "
            f"VALUES (substr(NEW.received_at, 1, 10), NEW.sid, {_DIM_ID_OF_NEW}, NEW.people_count, NEW.stat_flags, "
            "NEW.next_due, NEW.stat_limit, NEW.stat_reply);")
_DROP_OLD = "DELETE FROM case_fact WHERE day = substr(OLD.received_at, 1, 10) AND sid = OLD.sid;"
TRIGGERS = {
    "case_fact_insert": f'AFTER INSERT ON "case" BEGIN {_PUT_NEW} END',
    "case_fact_update": f'AFTER UPDATE ON "case" BEGIN {_DROP_OLD} {_PUT_NEW} END',
    "case_fact_delete": f'AFTER DELETE ON "case" BEGIN {_DROP_OLD} END',
}


def fill(db: Database) -> None:
    """case_fact rebuilt from the case rows."""
    db.execute_sql("DELETE FROM case_fact")
    db.execute_sql(
        "INSERT OR IGNORE INTO stat_dim (unit, town, channel, category, rep, grp) "
        "SELECT DISTINCT unit_code, COALESCE(township_code, ''), channel, category_code, repeat_of IS NOT NULL, "
        'is_group != 0 FROM "case"')
    db.execute_sql(
        "INSERT INTO case_fact (day, sid, dim, people, flags, next_due, open_limit, replied_on) "
        "SELECT substr(c.received_at, 1, 10), c.sid, d.id, c.people_count, c.stat_flags, c.next_due, c.stat_limit, "
        "c.stat_reply FROM \"case\" c JOIN stat_dim d ON d.unit = c.unit_code AND d.town = COALESCE(c.township_code, '') "
        "AND d.channel = c.channel AND d.category = c.category_code AND d.rep = (c.repeat_of IS NOT NULL) "
        "AND d.grp = (c.is_group != 0)")


def upgrade(db: Database) -> None:
    add_columns(db, "case", CASE_COLUMNS)
    run(db, STATEMENTS)
    seed_flags(db, FLAG_BITS)
    if has_cases(db):
        from ...domain.statistics import stat_facts

        with unjournaled(db):        # the facts are local: nothing to send
            update_cases(db, [name for name, _ in CASE_COLUMNS], (
                (f.flags, f.open_limit, f.replied_on, f.decided_on, state.followed_up_on, case_id)
                for case_id, state in folded(db) for f in (stat_facts(state),)))
        fill(db)
    for name, body in TRIGGERS.items():
        db.execute_sql(f'CREATE TRIGGER IF NOT EXISTS "{name}" {body}')
