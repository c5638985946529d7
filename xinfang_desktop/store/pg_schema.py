"""The pieces of today's schema that PostgreSQL spells differently from SQLite: the search index, the
statistics facts' triggers and the sync journal's triggers. store/schema.create_current uses these on a
PostgreSQL database and the SQLite ones (search.py, models_facts.py, models_sync.py) on a file; everything
else (peewee's tables, the list's indexes, the counters) is made by the same code on both.

The triggers do what the SQLite ones do, row for row, so the facts and the journal are the same on both
engines (tests/pg/ compare them).
"""

from __future__ import annotations

from collections.abc import Iterable

from peewee import Database

from ..domain.statistics import FLAG_BITS
from .models_facts import FLAGS_INDEX, GROUP_JOINT, GROUP_SINGLE, GROUP_VISIT
from .setting_keys import UNIT_CODE


def create_search(db: Database) -> None:
    """The tokens of store/search.document_tokens, taken verbatim as lexemes (no parser, no stemming), in a
    GIN index: a 2-character name is one lexeme, a pinyin or number prefix a prefix match."""
    db.execute_sql("CREATE TABLE IF NOT EXISTS case_search (sid INTEGER PRIMARY KEY, tokens TSVECTOR NOT NULL)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS case_search_tokens ON case_search USING gin (tokens)")


def create_functions(db: Database) -> None:
    """What SQLite has and some queries use: the planner hints likely()/unlikely() (the condition itself)
    and SUM over a condition."""
    for name in ("likely", "unlikely"):
        db.execute_sql(f"CREATE OR REPLACE FUNCTION {name}(boolean) RETURNS boolean LANGUAGE sql IMMUTABLE "
                       "AS 'SELECT $1'")
    # SUM(condition): SQLite counts the rows where it holds (a comparison is 0 or 1 there); NULL when none.
    # A SQL function per row: slow over many rows; a hot query counts with COUNT(CASE WHEN c THEN 1 END).
    db.execute_sql("CREATE OR REPLACE FUNCTION xinfang_sum_bool(bigint, boolean) RETURNS bigint LANGUAGE sql "
                   "IMMUTABLE AS 'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE COALESCE($1, 0) + $2::int END'")
    db.execute_sql("CREATE OR REPLACE AGGREGATE sum(boolean) (SFUNC = xinfang_sum_bool, STYPE = bigint)")


def widen_versions(db: Database) -> None:
    """Every owned row's ``version`` a BIGINT, as SQLite's INTEGER is 64 bits: a version lifted into a new
    epoch (``epoch << 32`` + version, services/sync/epochs.py) does not fit in PostgreSQL's INTEGER. peewee's
    IntegerField is INTEGER on both engines, so the columns are widened after create_tables (still empty)."""
    rows = db.execute_sql(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND column_name = 'version' AND data_type = 'integer' AND table_name <> 'xinfang_schema' "
        "ORDER BY table_name").fetchall()
    for (table,) in rows:
        db.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "version" TYPE BIGINT')


# Where a registration takes its case's search key (store/locks.numbers_at_commit), outside the unit's counter
# lock: two desks never take the same one. The writers that run alone and number case rows themselves (the
# sync import, the ledger, the demo) move it past theirs (store/locks.sids_taken).
SID_SEQUENCE = "case_sid_seq"


def create_sid_sequence(db: Database) -> None:
    """The sequence of case search keys, starting after the largest one there is."""
    db.execute_sql(f"CREATE SEQUENCE IF NOT EXISTS {SID_SEQUENCE}")
    db.execute_sql(f"SELECT setval('{SID_SEQUENCE}', (SELECT COALESCE(MAX(sid), 0) + 1 FROM \"case\"), false)")


# A registration writes its party rows before it takes its numbers (store/locks.parties_first), the check that
# their case exists deferred to its commit; every other writer's rows are checked at once, as before.
DEFERRABLE_FKS = (("case_party", "case_party_case_id_fkey"),)


def deferrable_fks(db: Database) -> None:
    for table, constraint in DEFERRABLE_FKS:
        db.execute_sql(f'ALTER TABLE "{table}" ALTER CONSTRAINT {constraint} DEFERRABLE INITIALLY IMMEDIATE')


def create_rowids(db: Database, tables: Iterable[str]) -> None:
    """SQLite's implicit ``rowid`` (the order rows were written in) as a real column, for the services that
    order by it. Not in peewee's models: only the database fills it."""
    for table in tables:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS rowid BIGSERIAL')


_GRP = (f"(CASE WHEN {{p}}people_count < 5 THEN {GROUP_SINGLE} WHEN {{p}}channel = 'visit' THEN {GROUP_VISIT} "
        f"ELSE {GROUP_JOINT} END)")
_REP = "(CASE WHEN {p}repeat_of IS NULL THEN 0 ELSE 1 END)"

_FACTS_FUNCTION = f"""
CREATE OR REPLACE FUNCTION case_fact_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d INTEGER;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM case_fact WHERE day = substr(OLD.received_at, 1, 10) AND sid = OLD.sid;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    INSERT INTO stat_dim (unit, town, channel, category, rep, grp)
        VALUES (NEW.unit_code, COALESCE(NEW.township_code, ''), NEW.channel, NEW.category_code,
                {_REP.format(p='NEW.')}, {_GRP.format(p='NEW.')})
        ON CONFLICT DO NOTHING;
    SELECT id INTO d FROM stat_dim WHERE unit = NEW.unit_code AND town = COALESCE(NEW.township_code, '')
        AND channel = NEW.channel AND category = NEW.category_code AND rep = {_REP.format(p='NEW.')}
        AND grp = {_GRP.format(p='NEW.')};
    INSERT INTO case_fact (day, sid, dim, people, flags, next_due, open_limit, replied_on, accept_limit)
        VALUES (substr(NEW.received_at, 1, 10), NEW.sid, d, NEW.people_count, NEW.stat_flags, NEW.next_due,
                NEW.stat_limit, NEW.stat_reply, NEW.stat_accept)
        ON CONFLICT (day, sid) DO UPDATE SET dim = excluded.dim, people = excluded.people,
            flags = excluded.flags, next_due = excluded.next_due, open_limit = excluded.open_limit,
            replied_on = excluded.replied_on, accept_limit = excluded.accept_limit;
    RETURN NEW;
END $$
"""


def create_facts(db: Database) -> None:
    """store/models_facts.create on PostgreSQL."""
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS stat_dim (id SERIAL PRIMARY KEY, unit TEXT NOT NULL, town TEXT NOT NULL, "
        "channel TEXT NOT NULL, category TEXT NOT NULL, rep INTEGER NOT NULL, grp INTEGER NOT NULL, "
        "UNIQUE (unit, town, channel, category, rep, grp))")
    db.execute_sql(
        "CREATE TABLE IF NOT EXISTS case_fact (day TEXT NOT NULL, sid INTEGER NOT NULL, dim INTEGER NOT NULL, "
        "people INTEGER NOT NULL, flags INTEGER NOT NULL, next_due TEXT, open_limit TEXT, replied_on TEXT, "
        "accept_limit TEXT, PRIMARY KEY (day, sid))")
    db.execute_sql("CREATE INDEX IF NOT EXISTS case_fact_dim ON case_fact (dim, day, people)")
    db.execute_sql(f"CREATE INDEX IF NOT EXISTS case_fact_flags ON case_fact ({', '.join(FLAGS_INDEX)})")
    db.execute_sql("CREATE TABLE IF NOT EXISTS stat_flag (flags INTEGER PRIMARY KEY)")
    db.execute_sql(f"INSERT INTO stat_flag (flags) SELECT generate_series(0, {(1 << FLAG_BITS) - 1}) "
                   "ON CONFLICT DO NOTHING")
    db.execute_sql(_FACTS_FUNCTION)
    db.execute_sql('CREATE OR REPLACE TRIGGER case_fact_keep AFTER INSERT OR UPDATE OR DELETE ON "case" '
                   "FOR EACH ROW EXECUTE FUNCTION case_fact_keep()")


# Setting.value is JSON text, so this unit's code is stored with its quotes (as models_sync.journal_triggers).
_JOURNAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sync_journal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ('"' || NEW.unit_code || '"') = (SELECT value FROM setting WHERE key = '{UNIT_CODE}') THEN
        INSERT INTO sync_change (tbl, row_id) VALUES (TG_TABLE_NAME, NEW.id);
    END IF;
    RETURN NEW;
END $$
"""


def create_journal(db: Database, tables: Iterable[str]) -> None:
    """store/models_sync.journal_triggers on PostgreSQL. The journal's numbers come from a sequence: desks
    writing side by side may commit them out of order, but an export runs alone (store/pg.py), after every
    writer that took a number has finished, so its window never leaves out a change committed late."""
    db.execute_sql("CREATE TABLE IF NOT EXISTS sync_change (seq BIGSERIAL PRIMARY KEY, tbl TEXT NOT NULL, "
                   "row_id TEXT NOT NULL)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS sync_change_tbl ON sync_change (tbl, seq)")
    db.execute_sql(_JOURNAL_FUNCTION)
    for table in tables:
        db.execute_sql(f'CREATE OR REPLACE TRIGGER sync_journal_{table} AFTER INSERT OR UPDATE ON "{table}" '
                       "FOR EACH ROW EXECUTE FUNCTION sync_journal()")
