"""A city and townships, each a real data folder with its own SQLite file, keys made once per session
(the key store's scrypt is slow; the services take unlocked keys, so the store is only used where tested).

A township is always one PC with its SQLite file; the city bureau may keep its data on a PostgreSQL server.
The modules of CITY_ON_BOTH_ENGINES run each test twice, the city on its SQLite file (``city-sqlite``) and on
a database of the test cluster (``city-postgresql``), copied from a city database made once per session."""

from __future__ import annotations

import inspect
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from xinfang_desktop.services.clock import FixedClock
from xinfang_desktop.services.context import Services, open_services
from xinfang_desktop.services.permissions import Actor
from xinfang_desktop.services.sync import KeyRing, SyncService
from xinfang_desktop.sync.keys import UnlockedKeys, export_public, generate_keys

CITY = "350881000000"
TOWNS = ("350881102000", "350881100000", "350881101000")   # 永福镇, 新桥镇, 双洋镇
NAMES = {CITY: "漳平市信访局", "350881102000": "永福镇信访办", "350881100000": "新桥镇信访办",
         "350881101000": "双洋镇信访办"}


# The modules whose tests run with the city on each engine (the GUI tests stay on SQLite). A test about the
# city's SQLite file itself is marked ``sqlite_only`` with its reason.
CITY_ON_BOTH_ENGINES = {
    "test_sync_admin_cli", "test_sync_board", "test_sync_city", "test_sync_cli", "test_sync_entries",
    "test_sync_import_fuzz", "test_sync_invariants", "test_sync_ledger", "test_sync_meetings",
    "test_sync_ownership", "test_sync_person_identity", "test_sync_process", "test_sync_resolution",
    "test_sync_restore_epoch", "test_sync_review", "test_sync_stale_instructions",
}


def _reaches_the_city(metafunc) -> bool:
    """The test's own arguments name the city (`city`, `offices`, a fixture named for the city): a test of a
    township alone (`town`) runs once."""
    return any("city" in name or name == "offices" for name in inspect.signature(metafunc.function).parameters)


def pytest_generate_tests(metafunc):
    if "city_engine" in metafunc.fixturenames:
        name = os.path.splitext(os.path.basename(str(metafunc.definition.fspath)))[0]
        both = (name in CITY_ON_BOTH_ENGINES and _reaches_the_city(metafunc)
                and metafunc.definition.get_closest_marker("sqlite_only") is None)
        if both:      # else the city is on SQLite (the fixture's default), the test's name as it was
            metafunc.parametrize("city_engine", ["sqlite", "postgresql"], indirect=True,
                                 ids=["city-sqlite", "city-postgresql"])


@pytest.fixture
def city_engine(request) -> str:
    """The city's engine for this test: "sqlite" or "postgresql"."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def city_url(request, city_engine):
    """None for a city on its SQLite file; else the URL of a new empty database on the test cluster."""
    if city_engine != "postgresql":
        yield None
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture(scope="session")
def unit_keys() -> dict[str, UnlockedKeys]:
    return {code: generate_keys(code, NAMES[code], "city" if code == CITY else "township", encryption=True)
            for code in (CITY, *TOWNS)}


@dataclass
class Office:
    code: str
    svc: Services
    admin: Actor
    ring: KeyRing
    clock: FixedClock

    @property
    def sync(self) -> SyncService:
        # The models are bound to one database per process (a global proxy): point it at this office.
        from xinfang_desktop.store.models import database

        database.initialize(self.svc.db)
        return self.svc.get(SyncService)

    @property
    def db_file(self) -> Path:
        return Path(self.svc.data_dir) / "xinfang.sqlite3"

    def register(self, name: str = "欧阳娜娜", request: str = "要求追讨拖欠的工资", **kw):
        from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput

        self.sync  # bind this office's database
        fields = dict(channel="走访", received_at=datetime(2026, 11, 2, 9, 0), category_code="0401",
                      petitioners=[PetitionerInput(name=name, phone="13812345678",
                                                   township_code=self.code if self.code != CITY else TOWNS[0])],
                      request=request, facts="某公司拖欠工资")
        fields.update(kw)
        reg = RegistrationInput(**fields)
        return self.svc.cases.register(self.admin, reg)

    def export(self):
        return self.sync.export(self.admin, self.ring)

    def import_(self, paths):
        return self.sync.import_files(self.admin, self.ring, paths)


def make_office(root: Path, code: str, keys: dict[str, UnlockedKeys], clock_at: datetime | None = None,
                url: str | None = None) -> Office:
    """A new office, its data in its folder's SQLite file or, with ``url``, on that PostgreSQL database."""
    from tests.conftest import new_services
    from tests.dbfiles import remember

    clock = FixedClock(clock_at or datetime(2026, 11, 2, 9, 30))
    svc = new_services(root / code, clock, url)
    remember(root / code / "xinfang.sqlite3", svc.data_key)
    admin = svc.auth.initialize(code, "admin", "admin-pass-1", "王管理")
    return Office(code, svc, admin, KeyRing(keys[code]), clock)


def enrol_both(city: Office, town: Office, keys: dict[str, UnlockedKeys]) -> None:
    city.sync.enrol(city.admin, export_public(keys[town.code]), keys[town.code].public().signing_fingerprint)
    town.sync.enrol(town.admin, export_public(keys[city.code]), keys[city.code].public().signing_fingerprint)


@pytest.fixture(scope="session")
def template(tmp_path_factory, unit_keys) -> Path:
    """A city and three townships, initialised and enrolled with each other once; tests copy the folders."""
    root = tmp_path_factory.mktemp("offices")
    made = {code: make_office(root, code, unit_keys) for code in (CITY, *TOWNS)}
    for t in TOWNS:
        enrol_both(made[CITY], made[t], unit_keys)
    for o in made.values():
        o.svc.close()
    return root


def open_office(root: Path, code: str, keys: dict[str, UnlockedKeys], clock_at: datetime | None = None) -> Office:
    from tests.conftest import CHEAP_SCRYPT, cheap_kdf
    from tests.dbfiles import key_of, remember

    clock = FixedClock(clock_at or datetime(2026, 11, 2, 9, 30))
    key = key_of(root / code, "admin-pass-1")
    remember(root / code / "xinfang.sqlite3", key)
    svc = open_services(root / code, key=key, clock=clock, kdf=cheap_kdf(), scrypt_log_n=CHEAP_SCRYPT)
    return Office(code, svc, svc.auth.first_admin(), KeyRing(keys[code]), clock)


def check_ok(office: Office) -> None:
    """`xinfang check` on the office's database must pass: every cached state equals its fold, every
    statistics row mirrors its case (derived state recomputed by every writer, sync import included)."""
    from xinfang_desktop.services.check import run_check

    office.sync  # bind
    report = run_check(office.svc.db, office.svc.calendar.calendar)
    assert report.ok, (office.code, report.mismatched[:5], report.facts_stale, report.integrity)


@pytest.fixture(scope="session")
def city_template_pg(tmp_path_factory, unit_keys, pg_cluster) -> tuple[Path, str]:
    """The city of `template` with its data on PostgreSQL, made once per session (each xdist worker its
    own): its folder and its database's URL, copied for each test (CREATE DATABASE … TEMPLATE)."""
    root = tmp_path_factory.mktemp("city-pg")
    url = pg_cluster.new_database()
    city = make_office(root, CITY, unit_keys, url=url)
    for t in TOWNS:        # the townships of `template` already know the city's key (the same keys)
        city.sync.enrol(city.admin, export_public(unit_keys[t]), unit_keys[t].public().signing_fingerprint)
    city.svc.close()
    return root / CITY, url


@pytest.fixture
def new_city(request, city_engine, template, unit_keys):
    """Makes a copy of the session's city (enrolled with the three townships) in ``root``, on this test's
    engine; an Office open on it (the caller closes it unless the `offices` fixture made it)."""
    from xinfang_desktop.store.engine import save_url

    def make(root: Path) -> Office:
        if city_engine == "postgresql":
            folder, url = request.getfixturevalue("city_template_pg")
            shutil.copytree(folder, root / CITY)
            made.append(request.getfixturevalue("pg_cluster").new_database(copy_of=url))
            save_url(root / CITY, made[-1])
        else:
            shutil.copytree(template / CITY, root / CITY)
        return open_office(root, CITY, unit_keys)

    made: list[str] = []
    yield make
    for url in made:           # after the offices using them are closed (`offices` needs this fixture)
        request.getfixturevalue("pg_cluster").drop_database(url)


@pytest.fixture
def offices(request, tmp_path, template, unit_keys, new_city):
    made = {CITY: new_city(tmp_path)}
    for code in TOWNS:
        shutil.copytree(template / code, tmp_path / code)
        made[code] = open_office(tmp_path, code, unit_keys)
    yield made
    try:
        if request.node.get_closest_marker("no_check") is None:
            for o in made.values():
                if not o.svc.db.is_closed():
                    check_ok(o)
    finally:
        for o in made.values():
            o.svc.close()


def write_out(office: Office, folder: Path, rows=None) -> list[Path]:
    """The bundles of `rows` (default: every unacknowledged one) as files in `folder`."""
    from xinfang_desktop.sync.files import write_bundle_file

    folder.mkdir(parents=True, exist_ok=True)
    rows = rows if rows is not None else office.sync.pending_copies()
    return [write_bundle_file(folder, r.file_name, bytes(r.data)) for r in rows]


SYNCED = {
    "person": "id", "case": "id", "case_party": "id", "case_event": "id", "instruction": "id",
    # attachments and the attention records (schema step v9)
    "attachment": "id", "leader_assignment": "id", "colour_override": "id", "hardship_flag": "id",
    "hardship_referral": "id", "reception": "id", "mediation_session": "id",
    # 信访评理 and the 积案 register (schema step v16)
    "deliberation_session": "id", "backlog_entry": "id", "backlog_step": "id",
    "meeting": "id", "meeting_task": "id",      # meetings and their tasks (schema step v17)
}


class _Reader:
    """A connection of its own to an office's database (or a SQLite file), as an auditor would read it: only
    what was committed, whatever the office's connection holds."""

    def __init__(self, where: "Path | Office"):
        """``where``: an office, its data folder, or a SQLite file."""
        from xinfang_desktop.store.engine import database_url

        from tests.dbfiles import connect

        folder = Path(where.svc.data_dir) if isinstance(where, Office) else Path(where)
        if not folder.is_dir():
            folder = None
        self.url = database_url(folder) if folder else None
        if self.url:
            import psycopg

            self.con = psycopg.connect(self.url, autocommit=True)
        else:
            self.con = connect(folder / "xinfang.sqlite3" if folder else where)

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def columns(self, table: str) -> list[str]:
        """The table's columns; on PostgreSQL less the ``rowid`` it adds where SQLite's implicit one is read
        (store/pg_schema.create_rowids), which SQLite's ``SELECT *`` does not show either."""
        cur = self.con.execute(f'SELECT * FROM "{table}" WHERE 1 = 0')
        return [d[0] for d in cur.description if not (self.url and d[0] == "rowid")]

    def table(self, table: str, leave_out: tuple[str, ...] = ()) -> list[tuple]:
        """Every row of the table (less the columns ``leave_out``), sorted."""
        names = ", ".join(f'"{c}"' for c in self.columns(table) if c not in leave_out)
        return sorted(self.rows(f'SELECT {names} FROM "{table}"'), key=repr)

    def tables(self) -> list[str]:
        """Every table of the data, the search index's left out (its form is the engine's)."""
        if self.url:
            sql = ("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                   "AND table_type = 'BASE TABLE'")
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        return sorted(r[0] for r in self.rows(sql) if not r[0].startswith("case_search"))

    def search(self) -> list[tuple[str, str]]:
        """(case id, its search tokens) for every indexed case; the tokens as a sorted set (PostgreSQL's
        tsvector keeps each lexeme once, in its own order)."""
        if self.url:
            sql = ("SELECT c.id, array_to_string(tsvector_to_array(s.tokens), ' ') FROM case_search s "
                   'JOIN "case" c ON c.sid = s.sid')
        else:
            sql = 'SELECT c.id, s.tokens FROM case_search s JOIN "case" c ON c.sid = s.rowid'
        return sorted((cid, " ".join(sorted(set(tokens.split())))) for cid, tokens in self.rows(sql))

    def close(self) -> None:
        self.con.close()


def table_rows(where: "Path | Office", table: str) -> list[tuple]:
    """Every row of ``table``, sorted, read on a connection of its own (see _Reader)."""
    reader = _Reader(where)
    try:
        return reader.table(table)
    finally:
        reader.close()


def every_row(where: "Path | Office") -> dict[str, list[tuple]]:
    """Every row of every table but the audit log and the search index."""
    reader = _Reader(where)
    try:
        return {t: reader.table(t) for t in reader.tables() if t != "audit_entry"}
    finally:
        reader.close()


def dump(where: "Path | Office") -> dict[str, list[tuple]]:
    """Canonical dump of the synced tables, the ledger and the peer heads (local keys left out: case.sid), of
    an office's database on either engine or of a SQLite file."""
    reader = _Reader(where)
    try:
        out = {}
        for table in SYNCED:
            out[table] = reader.table(table, leave_out=("sid",))
        out["ledger"] = sorted(reader.rows(
            "SELECT bundle_id, sender, epoch, seq, state FROM sync_inbox WHERE state = 'applied'"))
        out["heads"] = sorted(reader.rows("SELECT unit_code, head_epoch, head_seq, head_hash FROM sync_peer"))
        out["quarantine"] = sorted(reader.rows(
            "SELECT bundle_id, record_type, record_id, reason FROM sync_quarantine"), key=repr)
        out["search"] = reader.search()
        return out
    finally:
        reader.close()


def data_dump(where: "Path | Office") -> dict[str, list[tuple]]:
    """Only the synced tables (for 'unchanged' checks)."""
    d = dump(where)
    return {k: d[k] for k in (*SYNCED, "ledger", "heads", "quarantine", "search")}


def forge(keys: dict[str, UnlockedKeys], sender: str, recipient: str, *, seq: int, prev: str,
          records: list[dict], epoch: int = 1, kind: str = "data") -> bytes:
    """A correctly signed bundle with arbitrary records (a buggy or hostile but enrolled sender)."""
    from xinfang_desktop.sync.bundle import Party, build_bundle, new_header

    s, r = keys[sender], keys[recipient]
    header = new_header(kind=kind, sender=Party(sender, s.key_id), recipient=Party(recipient, r.key_id),
                        epoch=epoch, seq=seq, prev=prev, schema_version=6, code_tables={})
    return build_bundle(header, records, {}, s.signing_key, [r.public().encryption_recipient])


@pytest.fixture
def town(offices):
    """The first township."""
    return offices[TOWNS[0]]


@pytest.fixture
def city(offices):
    return offices[CITY]
