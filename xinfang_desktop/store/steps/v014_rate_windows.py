"""v14 (issue 13): rates over matters whose window has ended. Each case's open 15-day limit (the window of
及时受理率) joins the statistics facts: case.stat_accept, case_fact.accept_limit, in the covering index of
the rates' read (whose columns change, so it is made again) and in the triggers (made again with it). The
facts of existing cases are computed when a column was missing.
"""

from __future__ import annotations

from peewee import Database

from ._sql import add_columns, columns, folded, has_cases, run, seed_flags, unjournaled, update_cases

CASE_COLUMNS = (("stat_flags", "INTEGER NOT NULL DEFAULT 0"), ("stat_limit", "DATE"), ("stat_reply", "DATE"),
                ("decided_on", "DATE"), ("followed_on", "DATE"), ("stat_accept", "DATE"))
FLAG_BITS = 15
FLAGS_INDEX = ("flags", "day", "dim", "next_due", "open_limit", "replied_on", "accept_limit")

# the kind of petition by its people: 0 one to four, 1 a group visit (集体访), 2 a joint petition (联名信)
_GRP = "(CASE WHEN {p}people_count < 5 THEN 0 WHEN {p}channel = 'visit' THEN 1 ELSE 2 END)"
_DIM_OF_NEW = ("NEW.unit_code, COALESCE(NEW.township_code, ''), NEW.channel, NEW.category_code, "
               f"NEW.repeat_of IS NOT NULL, {_GRP.format(p='NEW.')}")
_DIM_ID_OF_NEW = ("(SELECT id FROM stat_dim WHERE unit = NEW.unit_code AND town = COALESCE(NEW.township_code, '') "
                  "AND channel = NEW.channel AND category = NEW.category_code AND rep = (NEW.repeat_of IS NOT NULL) "
                  f"AND grp = {_GRP.format(p='NEW.')})")
_PUT_NEW = (f"INSERT OR IGNORE INTO stat_dim (unit, town, channel, category, rep, grp) VALUES ({_DIM_OF_NEW}); "
            "INSERT OR REPLACE INTO case_fact (day, sid, dim, people, flags, next_due, open_limit, replied_on, "
            f"accept_limit) VALUES (substr(NEW.received_at, 1, 10), NEW.sid, {_DIM_ID_OF_NEW}, NEW.people_count, "
            "NEW.stat_flags, NEW.next_due, NEW.stat_limit, NEW.stat_reply, NEW.stat_accept);")
_DROP_OLD = "DELETE FROM case_fact WHERE day = substr(OLD.received_at, 1, 10) AND sid = OLD.sid;"
TRIGGERS = {
    "case_fact_insert": f'AFTER INSERT ON "case" BEGIN {_PUT_NEW} END',
    "case_fact_update": f'AFTER UPDATE ON "case" BEGIN {_DROP_OLD} {_PUT_NEW} END',
    "case_fact_delete": f'AFTER DELETE ON "case" BEGIN {_DROP_OLD} END',
}


def create(db: Database) -> bool:
    """The facts in this version's shape; True when something was missing (the facts then need computing)."""
    missing = add_columns(db, "case", CASE_COLUMNS)
    run(db, (
        "CREATE TABLE IF NOT EXISTS stat_dim (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, town TEXT NOT NULL, "
        "channel TEXT NOT NULL, category TEXT NOT NULL, rep INTEGER NOT NULL, grp INTEGER NOT NULL, "
        "UNIQUE (unit, town, channel, category, rep, grp))",
        "CREATE TABLE IF NOT EXISTS case_fact (day TEXT NOT NULL, sid INTEGER NOT NULL, dim INTEGER NOT NULL, "
        "people INTEGER NOT NULL, flags INTEGER NOT NULL, next_due TEXT, open_limit TEXT, replied_on TEXT, "
        "accept_limit TEXT, PRIMARY KEY (day, sid)) WITHOUT ROWID",
    ))
    if "accept_limit" not in columns(db, "case_fact"):
        db.execute_sql("ALTER TABLE case_fact ADD COLUMN accept_limit TEXT")
        missing = True
    indexed = tuple(row[2] for row in db.execute_sql("PRAGMA index_info(case_fact_flags)").fetchall())
    if indexed and indexed != FLAGS_INDEX:
        db.execute_sql("DROP INDEX case_fact_flags")
    db.execute_sql("CREATE INDEX IF NOT EXISTS case_fact_dim ON case_fact (dim, day, people)")
    db.execute_sql(f"CREATE INDEX IF NOT EXISTS case_fact_flags ON case_fact ({', '.join(FLAGS_INDEX)})")
    seed_flags(db, FLAG_BITS)
    return missing


def fill(db: Database) -> None:
    """case_fact rebuilt from the case rows."""
    db.execute_sql("DELETE FROM case_fact")
    db.execute_sql(
        "INSERT OR IGNORE INTO stat_dim (unit, town, channel, category, rep, grp) "
        "SELECT DISTINCT unit_code, COALESCE(township_code, ''), channel, category_code, repeat_of IS NOT NULL, "
        f'{_GRP.format(p="")} FROM "case"')
    db.execute_sql(
        "INSERT INTO case_fact (day, sid, dim, people, flags, next_due, open_limit, replied_on, accept_limit) "
        "SELECT substr(c.received_at, 1, 10), c.sid, d.id, c.people_count, c.stat_flags, c.next_due, c.stat_limit, "
        "c.stat_reply, c.stat_accept FROM \"case\" c JOIN stat_dim d ON d.unit = c.unit_code "
        "AND d.town = COALESCE(c.township_code, '') AND d.channel = c.channel AND d.category = c.category_code "
        f"AND d.rep = (c.repeat_of IS NOT NULL) AND d.grp = {_GRP.format(p='c.')}")


def upgrade(db: Database) -> None:
    missing = create(db)
    for name in TRIGGERS:                   # made again below, with the new column
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    if missing and has_cases(db):
        from ...domain.statistics import stat_facts

        with unjournaled(db):               # the facts are local: nothing to send
            update_cases(db, [name for name, _ in CASE_COLUMNS], (
                (f.flags, f.open_limit, f.replied_on, f.decided_on, state.followed_up_on, f.accept_limit, case_id)
                for case_id, state in folded(db) for f in (stat_facts(state),)))
        fill(db)
    for name, body in TRIGGERS.items():
        db.execute_sql(f'CREATE TRIGGER "{name}" {body}')
