"""Statistics facts (issue 6): one narrow row per case, clustered by the day it was received, so
that a year's figures over a million cases are a range scan and small GROUP BYs instead of a join
with every event.

- `stat_dim` numbers each distinct (unit, township, channel, category, 重件, 集体) once; a fact
  row names its combination by that number, so the counts group by one integer.
- `stat_flag` lists every value of the fact bits, for the same purpose.
- `case_fact` (day, sid) → dim, people, flags, next deadline, open handling limit, reply day, open
  15-day limit (the window of 及时受理率, added by schema step v14).
  Triggers on the case row keep it, so every writer (registration, actions, sync import, demo,
  ledger import) keeps it without knowing it exists. The facts themselves are computed from the
  fold of the events (domain.statistics.stat_facts) and cached on the case row by apply_state.
No model classes: the services read these tables with plain SQL.
"""

from __future__ import annotations

from peewee import Database

from ..domain.statistics import FLAG_BITS


# The kind of petition by its people (stat_dim.grp): 0 one to four people, 1 a group visit (集体访: five or
# more *visiting*), 2 a joint petition (联名信: five or more signing a letter, a call or an online petition).
# Derived from the channel and the number of people, not from is_group, so a row from an older version
# (which marked a joint letter as a group) is counted rightly too.
_GRP = "(CASE WHEN {p}people_count < 5 THEN 0 WHEN {p}channel = 'visit' THEN 1 ELSE 2 END)"
GROUP_SINGLE, GROUP_VISIT, GROUP_JOINT = 0, 1, 2
# 重件 as 0/1 in the queries both engines run (PostgreSQL has no boolean-to-integer comparison)
_REP = "(CASE WHEN {p}repeat_of IS NULL THEN 0 ELSE 1 END)"
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

# the covering index of the rates' read (services.statistics._cohort): the flags, then every column it sums
FLAGS_INDEX = ("flags", "day", "dim", "next_due", "open_limit", "replied_on", "accept_limit")

TRIGGERS = {
    "case_fact_insert": f'AFTER INSERT ON "case" BEGIN {_PUT_NEW} END',
    "case_fact_update": f'AFTER UPDATE ON "case" BEGIN {_DROP_OLD} {_PUT_NEW} END',
    "case_fact_delete": f'AFTER DELETE ON "case" BEGIN {_DROP_OLD} END',
}


def create(db: Database) -> None:
    """The facts as this version has them, in a new database (store/schema.py); the case row's fact
    columns are in its model (store/models.Case)."""
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS stat_dim (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, town TEXT NOT NULL, "
        "channel TEXT NOT NULL, category TEXT NOT NULL, rep INTEGER NOT NULL, grp INTEGER NOT NULL, "
        "UNIQUE (unit, town, channel, category, rep, grp))")
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS case_fact (day TEXT NOT NULL, sid INTEGER NOT NULL, dim INTEGER NOT NULL, "
        "people INTEGER NOT NULL, flags INTEGER NOT NULL, next_due TEXT, open_limit TEXT, replied_on TEXT, "
        "accept_limit TEXT, PRIMARY KEY (day, sid)) WITHOUT ROWID")
    # A period's matters per combination, and per value of the fact bits, are read combination by
    # combination (value by value) from these, so the groups come out in order and nothing is sorted.
    db.execute_sql("CREATE INDEX IF NOT EXISTS case_fact_dim ON case_fact (dim, day, people)")
    db.execute_sql(f"CREATE INDEX IF NOT EXISTS case_fact_flags ON case_fact ({', '.join(FLAGS_INDEX)})")
    # every possible value of the fact bits (domain.statistics), to drive the second of those reads
    db.execute_sql("CREATE TABLE IF NOT EXISTS stat_flag (flags INTEGER PRIMARY KEY)")
    db.execute_sql(f"INSERT OR IGNORE INTO stat_flag (flags) WITH RECURSIVE v(n) AS (SELECT 0 UNION ALL "
                   f"SELECT n + 1 FROM v WHERE n + 1 < {1 << FLAG_BITS}) SELECT n FROM v")
    for name, body in TRIGGERS.items():
        db.execute_sql(f'CREATE TRIGGER IF NOT EXISTS "{name}" {body}')


def fill(db: Database) -> None:
    """Build case_fact from the case rows (their cached facts must be current)."""
    db.execute_sql("DELETE FROM case_fact")
    db.execute_sql(
        "INSERT INTO stat_dim (unit, town, channel, category, rep, grp) "
        f"SELECT DISTINCT unit_code, COALESCE(township_code, ''), channel, category_code, {_REP.format(p='')}, "
        f'{_GRP.format(p="")} FROM "case" WHERE true ON CONFLICT DO NOTHING')
    db.execute_sql(
        "INSERT INTO case_fact (day, sid, dim, people, flags, next_due, open_limit, replied_on, accept_limit) "
        "SELECT substr(c.received_at, 1, 10), c.sid, d.id, c.people_count, c.stat_flags, c.next_due, c.stat_limit, "
        'c.stat_reply, c.stat_accept FROM "case" c JOIN stat_dim d ON d.unit = c.unit_code AND d.town = COALESCE(c.township_code, \'\') '
        f"AND d.channel = c.channel AND d.category = c.category_code AND d.rep = {_REP.format(p='c.')} "
        f"AND d.grp = {_GRP.format(p='c.')}")


def stale(db: Database) -> int:
    """How many case rows case_fact does not mirror exactly (0 when the triggers did their work)."""
    mirrored = (
        "SELECT substr(c.received_at, 1, 10), c.sid, d.id, c.people_count, c.stat_flags, c.next_due, c.stat_limit, "
        'c.stat_reply, c.stat_accept FROM "case" c LEFT JOIN stat_dim d ON d.unit = c.unit_code '
        "AND d.town = COALESCE(c.township_code, '') AND d.channel = c.channel AND d.category = c.category_code "
        f"AND d.rep = {_REP.format(p='c.')} AND d.grp = {_GRP.format(p='c.')}")
    facts = "SELECT day, sid, dim, people, flags, next_due, open_limit, replied_on, accept_limit FROM case_fact"
    return db.execute_sql(f"SELECT (SELECT COUNT(*) FROM ({mirrored} EXCEPT {facts}) AS m) + "
                          f"(SELECT COUNT(*) FROM ({facts} EXCEPT {mirrored}) AS f)").fetchone()[0]
