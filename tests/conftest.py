"""Shared fixtures: a real SQLite file in a temporary folder, a fixed clock, real services."""

from __future__ import annotations

import os
import sys
from datetime import datetime

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

UNIT = "350881102000"
ADMIN_PASSWORD = "admin-pass-1"


def cheap_kdf():
    """argon2id at its cheapest, passed to whatever makes a keyring entry in a test (the `services` fixture,
    tests/clirun.py, the first-run wizard). Production's cost is tested on its own (tests/cli/test_cli_process.py)."""
    from xinfang_desktop.store.keyring import KdfParams

    return KdfParams(time_cost=1, memory_kib=8, parallelism=1)


# scrypt at its cheapest (N = 2) for the sync key files tests write; production's is age's own
# (tests/sync/test_age_passphrase.py).
CHEAP_SCRYPT = 1


def new_services(data_dir, clock=None, url: str | None = None):
    """Services on a new, empty data folder with its own key (the recovery code kept on the object);
    ``url``: its data on that PostgreSQL database instead of the folder's SQLite file."""
    from xinfang_desktop.services.access import new_folder
    from xinfang_desktop.services.context import open_services
    from xinfang_desktop.store.engine import save_url

    from tests.dbfiles import remember

    key, code = new_folder(data_dir, kdf=cheap_kdf())
    if url:
        save_url(data_dir, url)
    svc = open_services(data_dir, key=key, clock=clock, kdf=cheap_kdf(), scrypt_log_n=CHEAP_SCRYPT)
    svc.recovery_code = code
    remember(data_dir / "xinfang.sqlite3", key)
    return svc


def reopen(data_dir, clock=None, *, key: bytes):
    """The services of an existing test folder, opened with its key."""
    from xinfang_desktop.services.context import open_services

    return open_services(data_dir, key=key, clock=clock, kdf=cheap_kdf(), scrypt_log_n=CHEAP_SCRYPT)


@pytest.fixture
def clock():
    from xinfang_desktop.services.clock import FixedClock

    return FixedClock(datetime(2026, 11, 2, 9, 30))


# The test modules whose `services` run on both engines: each of their tests once on a SQLite file and once
# on a database of the throwaway PostgreSQL cluster (tests/pgcluster.py). An entry ending in "/" is every module
# of that folder; a module there about SQLite itself says so with ENGINES = ["sqlite"]. Every other module:
# SQLite only.
BOTH_ENGINES = {
    "tests/services/",
    "tests/documents/test_stats_report.py",
    "tests/documents/test_stats_tables_agree.py",
    "tests/pg/test_engines.py",
    "tests/pg/test_desks.py",
    "tests/gui/test_other_desks.py",
    "tests/gui/test_stale_actions.py",
    "tests/gui/test_intake_page.py",      # the 登记 page's own path (its files, its draft) on a server too
    # more, for a developer trying a module on PostgreSQL: XINFANG_TEST_BOTH_ENGINES=tests/a.py,tests/b.py
    *filter(None, os.environ.get("XINFANG_TEST_BOTH_ENGINES", "").split(",")),
}


def on_both_engines(path: str) -> bool:
    return path in BOTH_ENGINES or any(path.startswith(d) for d in BOTH_ENGINES if d.endswith("/"))


def pytest_generate_tests(metafunc):
    if "db_engine" in metafunc.fixturenames:
        path = os.path.relpath(str(metafunc.definition.fspath), os.path.dirname(os.path.dirname(__file__)))
        both = (on_both_engines(path.replace(os.sep, "/"))
                and metafunc.definition.get_closest_marker("sqlite_only") is None)
        engines = ["sqlite", "postgresql"] if both else ["sqlite"]
        engines = getattr(metafunc.module, "ENGINES", engines)     # a module about one engine says which
        metafunc.parametrize("db_engine", engines, indirect=True, ids=engines if len(engines) > 1 else None)


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster for the session (each xdist worker its own). Without the PostgreSQL programs
    the tests that need it are skipped, except in CI, where that is a failure."""
    from tests.pgcluster import Cluster, bin_dir

    if bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed (scripts/setup.sh installs it)")
        pytest.skip("PostgreSQL is not installed (scripts/setup.sh installs it)")
    cluster = Cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def db_engine(request):
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(request, db_engine):
    """None for a SQLite file; else the URL of a new database on the test cluster, with today's schema made
    already (a copy, cheaper than making it: tests/pg makes schemas in empty databases), dropped after the
    test. The `services`' database."""
    if db_engine != "postgresql":
        yield None
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database(schema=True)
    yield url
    cluster.drop_database(url)


@pytest.fixture
def services(request, tmp_path, clock, database_url):
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.store.models import database

    svc = new_services(tmp_path / "data", clock, database_url)
    yield svc
    try:
        # Every test database passes `xinfang check` at the end: derived state is recomputed by every writer.
        if request.node.get_closest_marker("no_check") is None and not svc.db.is_closed():
            database.initialize(svc.db)
            report = run_check(svc.db, svc.calendar.calendar)
            assert report.ok, ("xinfang check fails at teardown", report.mismatched[:5], report.facts_stale,
                               report.integrity, report.foreign_key_problems)
    finally:
        svc.close()


@pytest.fixture
def admin(services):
    return services.auth.initialize(UNIT, "admin", ADMIN_PASSWORD, "王管理")


@pytest.fixture
def clerk(services, admin):
    from xinfang_desktop.services.permissions import Role

    return services.auth.add_user(admin, "clerk1", Role.CLERK, "clerk-pass-1", "李登记")


@pytest.fixture
def handler(services, admin):
    from xinfang_desktop.services.permissions import Role

    return services.auth.add_user(admin, "handler1", Role.HANDLER, "handler-pass-1", "张承办")


def make_registration(**overrides):
    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput

    fields = dict(
        channel="走访", received_at=datetime(2026, 11, 2, 9, 0),
        petitioners=[PetitionerInput(name="欧阳娜娜", id_number="11010519491231002X", phone="13812345678",
                                     township_code="350881102000")],
        category_code="0401", request="要求追讨拖欠的工资", facts="某公司拖欠2026年3月至8月工资", reasons="已多次催讨未果")
    fields.update(overrides)
    return RegistrationInput(**fields)


@pytest.fixture(autouse=True)
def _no_dialog_left_open():
    """A dialog a test left open (a refusal the clerk would cancel) stays modal for the next test of the same
    process, in any folder: there the window's change watcher would not look on show. Closed after each test."""
    yield
    widgets = sys.modules.get("PySide6.QtWidgets")          # a test that never touched Qt: nothing to do
    app = widgets.QApplication.instance() if widgets else None
    if app is None:
        return
    for _ in range(3):           # what the closing sets off (a queued call, a box a closed window shows) too
        app.processEvents()
        for w in app.topLevelWidgets():
            if isinstance(w, widgets.QDialog) and w.isVisible():
                w.reject()
        for _ in range(20):      # one that will not be rejected (a save under way), or modal without being a dialog
            modal = app.activeModalWidget()
            if modal is None:
                break
            modal.hide()
    app.processEvents()
