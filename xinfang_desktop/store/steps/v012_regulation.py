"""v12 (issue 13): the regulation followed closely. doc_counter holds the last 文号 sequence per unit, kind of
document and year. Every case is refolded under the new rules (the kind of matter, 已转送, whose deadline a
复查 is), since its cached state changes. A letter signed by five or more was counted as a group visit: it
is a 联名信 (is_group is for visits only), and the statistics facts tell the two apart from now on
(stat_dim.grp from the channel and the number of people); more fact bits, so stat_flag lists every value
again.

(For twelve minutes of its history this step was released as v11; store/migrations.py knows that form.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peewee import Database

from ._sql import folded, has_cases, run, seed_flags, this_unit, unjournaled, update_cases

if TYPE_CHECKING:
    from ...domain import workflow as wf

FLAG_BITS = 15
_REGISTERED = "registered"      # the status of a case whose fold has none
CACHED = ("status", "next_due", "next_due_start", "next_due_key", "provisional", "stat_flags", "stat_limit",
          "stat_reply", "decided_on", "followed_on")

STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS doc_counter (unit_code TEXT NOT NULL, document TEXT NOT NULL, "
    "year INTEGER NOT NULL, last INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (unit_code, document, year))",
    "CREATE TABLE IF NOT EXISTS stat_dim (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, town TEXT NOT NULL, "
    "channel TEXT NOT NULL, category TEXT NOT NULL, rep INTEGER NOT NULL, grp INTEGER NOT NULL, "
    "UNIQUE (unit, town, channel, category, rep, grp))",
    "CREATE TABLE IF NOT EXISTS case_fact (day TEXT NOT NULL, sid INTEGER NOT NULL, dim INTEGER NOT NULL, "
    "people INTEGER NOT NULL, flags INTEGER NOT NULL, next_due TEXT, open_limit TEXT, replied_on TEXT, "
    "PRIMARY KEY (day, sid)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS case_fact_dim ON case_fact (dim, day, people)",
    "CREATE INDEX IF NOT EXISTS case_fact_flags ON case_fact (flags, day, dim, next_due, open_limit, replied_on)",
)

# the kind of petition by its people: 0 one to four, 1 a group visit (集体访), 2 a joint petition (联名信)
_GRP = "(CASE WHEN {p}people_count < 5 THEN 0 WHEN {p}channel = 'visit' THEN 1 ELSE 2 END)"
_DIM_OF_NEW = ("NEW.unit_code, COALESCE(NEW.township_code, ''), NEW.channel, NEW.category_code, "
               f"NEW.repeat_of IS NOT NULL, {_GRP.format(p='NEW.')}")
_DIM_ID_OF_NEW = ("(SELECT id FROM stat_dim WHERE unit = NEW.unit_code AND town = COALESCE(NEW.township_code, '') "
                  "AND channel = NEW.channel AND category = NEW.category_code AND rep = (NEW.repeat_of IS NOT NULL) "
                  f"AND grp = {_GRP.format(p='NEW.')})")
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
        f'{_GRP.format(p="")} FROM "case"')
    db.execute_sql(
        "INSERT INTO case_fact (day, sid, dim, people, flags, next_due, open_limit, replied_on) "
        "SELECT substr(c.received_at, 1, 10), c.sid, d.id, c.people_count, c.stat_flags, c.next_due, c.stat_limit, "
        "c.stat_reply FROM \"case\" c JOIN stat_dim d ON d.unit = c.unit_code AND d.town = COALESCE(c.township_code, '') "
        "AND d.channel = c.channel AND d.category = c.category_code AND d.rep = (c.repeat_of IS NOT NULL) "
        f"AND d.grp = {_GRP.format(p='c.')}")


def upgrade(db: Database) -> None:
    run(db, STATEMENTS)
    seed_flags(db, FLAG_BITS)
    if has_cases(db):
        from ...domain.statistics import stat_facts     # imported when the step runs, not at every start

        here = this_unit(db)

        def cached(state: wf.CaseState) -> tuple:
            """The values of CACHED for a folded state, as this office reads it."""
            nxt = state.next_deadline_for(here)
            facts = stat_facts(state)
            return (state.status.value if state.status else _REGISTERED,
                    nxt.due.date if nxt else None, nxt.start if nxt else None, nxt.key.value if nxt else None,
                    state.provisional, facts.flags, facts.open_limit, facts.replied_on, facts.decided_on,
                    state.followed_up_on)

        with unjournaled(db):        # derived state: every database computes its own
            db.execute_sql("""UPDATE "case" SET is_group = 0 WHERE is_group != 0 AND channel != 'visit'""")
            update_cases(db, CACHED, ((*cached(state), case_id) for case_id, state in folded(db)))
    for name, body in TRIGGERS.items():
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        db.execute_sql(f'CREATE TRIGGER "{name}" {body}')
    db.execute_sql("DELETE FROM stat_dim WHERE id NOT IN (SELECT DISTINCT dim FROM case_fact)")
    fill(db)
