"""A PostgreSQL database made by the first program that made them (v15, store/migrations.FIRST_POSTGRESQL)
upgrades to today's schema (issue 16). The fixture (tests/schema_fixtures/v15-postgresql.zip, made by that
commit's own `init` and `demo`) is loaded with psql into a new database on the test cluster and opened as
today's program opens it: the steps it lacks run, and it must then be a database of today — the same
tables, columns, indexes, triggers, sequences and functions as a new one, `xinfang check` clean, no record
lost, the statistics facts those of a fresh computation, and a new registration journaled for sync."""

from __future__ import annotations

import subprocess
import zipfile

import pytest

from tests.conftest import cheap_kdf, make_registration
from tests.schema_fixtures.compare import differences, pg_schema_of
from tests.schema_fixtures.fixtures import ADMIN, ADMIN_PASSWORD, PG_CASES, PG_V15

ENGINES = ["postgresql"]          # this module is about the server only (tests/conftest.py)

KEPT = ("case", "case_event", "person", "case_party", "user", "unit", "calendar_year", "case_fact", "stat_dim")
FACTS = "SELECT day, sid, dim, people, flags, next_due, open_limit, replied_on, accept_limit FROM case_fact ORDER BY sid"


def _load(cluster, url: str, sql: bytes) -> None:
    """psql, as an office restores a pg_dump: stops at the first error."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    subprocess.run([*cluster.as_user, str(cluster.bins / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-h", str(cluster.root), "-U", parts.username, "-d", unquote(parts.path.lstrip("/"))],
                   input=sql, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cluster.root)


def _schema(db) -> dict:
    rows = [r[0] for r in db.execute_sql("SELECT flags FROM stat_flag ORDER BY flags").fetchall()]
    return {**pg_schema_of(db), "stat_flag": {"rows": rows}}


@pytest.fixture
def new_schema(pg_cluster):
    from xinfang_desktop.store.migrations import migrate
    from xinfang_desktop.store.models import database
    from xinfang_desktop.store.pg import open_url

    previous = database.obj
    db = open_url(pg_cluster.new_database())
    try:
        database.initialize(db)
        migrate(db)
        return _schema(db)
    finally:
        db.close()
        database.initialize(previous)


@pytest.fixture
def old_folder(pg_cluster, tmp_path):
    """The v15 data folder (its keyring) and its database, loaded as pg_dump left it; the counts of its rows."""
    from xinfang_desktop.store.engine import save_url
    from xinfang_desktop.store.pg import open_url

    data = tmp_path / "data"
    data.mkdir()
    with zipfile.ZipFile(PG_V15.archive) as z:
        (data / "keyring.json").write_bytes(z.read("keyring.json"))
        sql = z.read("database.sql")
    url = pg_cluster.new_database()
    _load(pg_cluster, url, sql)
    save_url(data, url)
    db = open_url(url)
    try:
        assert db.execute_sql("SELECT version FROM xinfang_schema").fetchone()[0] == PG_V15.version
        counts = {t: db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in KEPT}
    finally:
        db.close()
    return data, counts


def test_a_v15_postgresql_database_upgrades_to_the_schema_of_a_new_one(old_folder, new_schema):
    from xinfang_desktop.services.access import unlock
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.store import models_facts
    from xinfang_desktop.store.migrations import SCHEMA_VERSION, schema_version
    from xinfang_desktop.store.models import self_unit_code

    data, before = old_folder
    assert before["case"] == PG_CASES
    opened = unlock(data, ADMIN, ADMIN_PASSWORD, kdf=cheap_kdf())
    svc, db = opened.services, opened.services.db
    try:
        assert schema_version(db) == SCHEMA_VERSION
        assert differences(_schema(db), new_schema) == []
        report = run_check(db, svc.calendar.calendar)
        assert report.ok, (report.mismatched[:5], report.facts_stale, report.integrity, report.foreign_key_problems)
        assert report.cases_checked == PG_CASES
        assert {t: db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in KEPT} == before

        # the old cases' statistics facts, as the triggers kept them, are those computed afresh
        kept = db.execute_sql(FACTS).fetchall()
        with db.atomic() as txn:
            models_facts.fill(db)
            fresh = db.execute_sql(FACTS).fetchall()
            txn.rollback()
        assert len(kept) == PG_CASES and kept == fresh

        # a registration lands in the sync journal, and so does a row of a table the steps after v15 added
        here = self_unit_code(db)
        ref = svc.cases.register(opened.actor, make_registration())
        row = svc.queries.detail(opened.actor, ref.number).row
        assert row.request == "要求追讨拖欠的工资"
        journaled = {r[0] for r in db.execute_sql("SELECT row_id FROM sync_change WHERE tbl = 'case'").fetchall()}
        assert row.id in journaled
        with db.atomic():
            db.execute_sql(
                "INSERT INTO meeting_task (id, unit_code, version, updated_at, meeting_id, case_id, unit, what, "
                "due_on) VALUES ('t-1', ?, 1, '2026-11-03 09:00:00', 'm-1', ?, '永福镇', '核实', '2026-11-10')",
                (here, row.id))
        assert db.execute_sql("SELECT COUNT(*) FROM sync_change WHERE tbl = 'meeting_task' AND row_id = 't-1'"
                              ).fetchone()[0] == 1
        unjournaled = db.execute_sql(
            "SELECT COUNT(*) FROM \"case\" WHERE unit_code = ? AND id NOT IN "
            "(SELECT row_id FROM sync_change WHERE tbl = 'case')", (here,)).fetchone()[0]
        assert unjournaled == 0
        assert run_check(db, svc.calendar.calendar).ok
    finally:
        svc.close()
