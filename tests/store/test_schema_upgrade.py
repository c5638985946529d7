"""Two paths for the schema (issue 14): a new database is made from today's models at once, a database of
an older version runs the frozen steps it lacks.

Every released version's data folder (tests/schema_fixtures, each made by the program of its own commit
with its own `init` and `demo`) is opened as today's program opens it — the administrator's password, a
folder from before encryption encrypted first — and must then be a database of today: the same tables,
columns, indexes and triggers as a new one, every case's cached state the fold of its events under
today's rules (`xinfang check`), none of its records lost, this unit's records all in the sync journal,
and a new registration taken."""

from __future__ import annotations

import ast
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import cheap_kdf, make_registration, new_services
from tests.schema_fixtures.compare import differences, schema_of
from tests.schema_fixtures.fixtures import ADMIN, ADMIN_PASSWORD, CASES, FIXTURES

PKG = Path(__file__).resolve().parents[2] / "xinfang_desktop"
OLDER = Path(__file__).resolve().parents[1] / "fixtures" / "schema-v9-township.zip"   # issue 12's, 12 cases


@dataclass(frozen=True)
class Folder:
    name: str
    archive: Path
    version: int
    encrypted: bool
    cases: int


FOLDERS = [Folder(f.name, f.archive, f.version, f.encrypted, CASES) for f in FIXTURES] + [
    Folder("schema-v9-township", OLDER, 9, False, 12)]

# records that an upgrade must keep as they are (those the folder has)
KEPT = ("case", "case_event", "person", "case_party", "user", "unit", "audit_entry", "calendar_year", "attachment",
        "leader_assignment", "colour_override", "hardship_flag", "hardship_referral", "mediation_session",
        "reception", "sync_peer", "sync_outbox", "sync_inbox")
# tables whose rows this unit owns travel in bundles: each such row is in the change journal
JOURNALED = ("person", "case", "case_party", "case_event", "instruction", "attachment", "leader_assignment",
             "colour_override", "hardship_flag", "hardship_referral", "reception", "mediation_session")


def unpack(folder: Folder, where: Path) -> Path:
    data = where / folder.name
    with zipfile.ZipFile(folder.archive) as z:
        z.extractall(data)
    return data


def _raw(data: Path, folder: Folder):
    """A connection to the folder's database as the old version left it."""
    from tests.dbfiles import connect
    from xinfang_desktop.store.db import read_only

    db_file = data / "xinfang.sqlite3"
    return connect(db_file, password=ADMIN_PASSWORD) if folder.encrypted else read_only(db_file)


def counts(con) -> dict[str, int]:
    have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in KEPT if t in have}


class DbApi:
    """schema_of() over a DB-API connection."""

    def __init__(self, con):
        self.con = con

    def execute_sql(self, sql: str, params=()):
        return self.con.execute(sql, params)


@pytest.fixture(scope="module")
def new_schema(tmp_path_factory) -> dict:
    """The schema of a new database, with its seeded rows (made before the test opens its own: the models
    follow the database opened last)."""
    svc = new_services(tmp_path_factory.mktemp("new") / "data")
    try:
        return {**schema_of(svc.db), "stat_flag": _stat_flags(svc.db)}
    finally:
        svc.close()


def _stat_flags(db) -> dict[str, list[int]]:
    return {"rows": [r[0] for r in db.execute_sql("SELECT flags FROM stat_flag ORDER BY flags").fetchall()]}


def assert_today(opened, new_schema: dict, before: dict[str, int], folder: Folder) -> None:
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.store.migrations import SCHEMA_VERSION
    from xinfang_desktop.store.models import self_unit_code

    svc = opened.services
    db = svc.db
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert differences({**schema_of(db), "stat_flag": _stat_flags(db)}, new_schema) == []
    report = run_check(db, svc.calendar.calendar)
    assert report.ok, (report.mismatched[:5], report.facts_stale, report.integrity, report.foreign_key_problems)
    assert report.cases_checked == before["case"] == folder.cases
    after = counts(db.connection())
    assert {t: after[t] for t in before if t != "audit_entry"} == {t: n for t, n in before.items() if t != "audit_entry"}
    assert after["audit_entry"] >= before["audit_entry"]          # the encryption of an old folder is audited
    here = self_unit_code(db)
    for table in JOURNALED:
        unjournaled = db.execute_sql(
            f"SELECT COUNT(*) FROM \"{table}\" WHERE unit_code = ? AND id NOT IN "
            "(SELECT row_id FROM sync_change WHERE tbl = ?)", (here, table)).fetchone()[0]
        assert unjournaled == 0, f"{unjournaled} of this unit's {table} rows would never be sent"
    ref = svc.cases.register(opened.actor, make_registration())    # today's program works on it
    assert svc.queries.detail(opened.actor, ref.number).row.request == "要求追讨拖欠的工资"
    assert run_check(db, svc.calendar.calendar).ok


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_a_released_folder_upgrades_to_the_schema_of_a_new_one(folder, tmp_path, new_schema):
    from xinfang_desktop.services.access import unlock

    data = unpack(folder, tmp_path)
    con = _raw(data, folder)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == folder.version
        before = counts(con)
    finally:
        con.close()
    opened = unlock(data, ADMIN, ADMIN_PASSWORD, kdf=cheap_kdf())
    try:
        assert (opened.recovery_code is None) == folder.encrypted      # an old folder was encrypted, once
        assert_today(opened, new_schema, before, folder)
    finally:
        opened.services.close()
    from xinfang_desktop.store.migrations import SCHEMA_VERSION

    if folder.version < SCHEMA_VERSION:
        assert list((data / "backups").glob(f"*pre-migration-v{folder.version}*"))   # a safety copy first


def test_the_newest_step_runs_on_a_released_folder_of_the_version_before():
    """Each step is tested on a real folder of the version it upgrades: once a version is released (and the
    next step written), its own program makes its fixture (tests/schema_fixtures/make.py)."""
    from xinfang_desktop.store.migrations import SCHEMA_VERSION

    newest = max(f.version for f in FOLDERS)
    assert newest >= SCHEMA_VERSION - 1, (
        f"step v{SCHEMA_VERSION} has no folder of v{SCHEMA_VERSION - 1} to run on: add the commit that released "
        f"v{SCHEMA_VERSION - 1} to tests/schema_fixtures/fixtures.py and run make.py for it")


def test_the_regulation_step_released_as_v11_for_a_while_upgrades_too(tmp_path, new_schema):
    """For twelve minutes main numbered the regulation's step v11 (now v12, after receipts): a database it
    left at v11 has doc_counter and refolded cases but no receipt tables. It is v10 with what is now step 12
    (unchanged since) applied, so it is made so here from the v10 folder."""
    from peewee import SqliteDatabase

    from xinfang_desktop.services.access import unlock
    from xinfang_desktop.store.steps import v012_regulation

    v10 = next(f for f in FOLDERS if f.version == 10)
    data = unpack(v10, tmp_path)
    db = SqliteDatabase(str(data / "xinfang.sqlite3"))
    with db.atomic():
        v012_regulation.upgrade(db)
        db.execute_sql("PRAGMA user_version = 11")
    assert "receipt_statement" not in db.get_tables() and "doc_counter" in db.get_tables()
    before = counts(db.connection())
    db.close()
    opened = unlock(data, ADMIN, ADMIN_PASSWORD, kdf=cheap_kdf())
    try:
        assert_today(opened, new_schema, before, v10)
    finally:
        opened.services.close()


def _record_steps(monkeypatch) -> list[int]:
    from xinfang_desktop.store import migrations

    ran: list[int] = []

    def recording(version, step):
        def run(db):
            ran.append(version)
            step(db)
        return run

    monkeypatch.setattr(migrations, "STEPS", [recording(i + 1, s) for i, s in enumerate(migrations.STEPS)])
    return ran


def test_a_new_database_is_made_from_todays_models_without_any_step(tmp_path, monkeypatch, new_schema):
    from xinfang_desktop.store.migrations import SCHEMA_VERSION

    ran = _record_steps(monkeypatch)
    svc = new_services(tmp_path / "data")
    try:
        assert ran == []
        assert svc.db.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert differences({**schema_of(svc.db), "stat_flag": _stat_flags(svc.db)}, new_schema) == []
    finally:
        svc.close()


def test_an_old_database_runs_only_the_steps_it_lacks(tmp_path, monkeypatch):
    """A v13 folder runs step 14 alone; a v9 folder of the first day runs steps 1-9 again (each adds only
    what its first form lacked), then 10 to the last."""
    from xinfang_desktop.services.access import unlock
    from xinfang_desktop.store.migrations import REPEATED_THROUGH, SCHEMA_VERSION

    ran = _record_steps(monkeypatch)
    for name, expected in (("v13", list(range(14, SCHEMA_VERSION + 1))),
                           ("v09", [*range(1, 10), *range(10, SCHEMA_VERSION + 1)])):
        folder = next(f for f in FOLDERS if f.name == name)
        assert (folder.version <= REPEATED_THROUGH) == (name == "v09")
        ran.clear()
        unlock(unpack(folder, tmp_path), ADMIN, ADMIN_PASSWORD, kdf=cheap_kdf()).services.close()
        assert ran == expected


def test_the_steps_from_nothing_make_todays_schema(tmp_path, new_schema):
    """The frozen steps run on an empty database, one after the other, give what today's models give."""
    from peewee import SqliteDatabase

    from xinfang_desktop.store.migrations import STEPS

    db = SqliteDatabase(str(tmp_path / "steps.sqlite3"))
    for step in STEPS:
        with db.atomic():
            step(db)
    assert differences({**schema_of(db), "stat_flag": _stat_flags(db)}, new_schema) == []
    db.close()


# -- nothing else makes tables, and the steps stay frozen --------------------------------------------------

SCHEMA_MODULES = ("store/schema.py", "store/search.py", "store/models.py", "store/models_", "store/steps/",
                  "store/pg_schema.py", "store/migrations.py")
DDL = re.compile(r"create_tables\(|\bCREATE\s+(?:UNIQUE\s+)?(?:VIRTUAL\s+)?(?:TABLE|INDEX|TRIGGER)\b|"
                 r"\bALTER\s+TABLE\b|\bDROP\s+(?:TABLE|INDEX|TRIGGER)\b|models_\w+\.create\(", re.IGNORECASE)


def test_nothing_makes_tables_outside_the_schema_modules():
    """Tables, indexes and triggers are made by store/schema.py (a new database) and the steps (an old one)
    only: a service that made its own would leave databases that differ by the path they came by."""
    found = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        if rel.startswith(SCHEMA_MODULES):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DDL.search(line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert found == []


def test_the_steps_never_import_todays_models():
    """A frozen step reads and writes with SQL; of the program it may use its helpers, the pure domain and the
    engine's name (store/engine.py, which holds no models)."""
    from xinfang_desktop.store.migrations import STEPS

    paths = sorted((PKG / "store" / "steps").glob("*.py"))
    assert len([p for p in paths if re.fullmatch(r"v\d{3}_\w+\.py", p.name)]) == len(STEPS)
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1 or (node.level == 3 and (node.module or "").startswith("domain")) or \
                    (node.level == 2 and node.module == "engine"), \
                    f"{path.name} imports {'.' * node.level}{node.module}"
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.startswith("xinfang_desktop") for n in names), f"{path.name} imports {names}"
