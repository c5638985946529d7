"""A city and townships, each a real data folder with its own SQLite file, keys made once per session
(the key store's scrypt is slow; the services take unlocked keys, so the store is only used where tested)."""

from __future__ import annotations

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


def make_office(root: Path, code: str, keys: dict[str, UnlockedKeys], clock_at: datetime | None = None) -> Office:
    from tests.conftest import new_services
    from tests.dbfiles import remember

    clock = FixedClock(clock_at or datetime(2026, 11, 2, 9, 30))
    svc = new_services(root / code, clock)
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


@pytest.fixture
def offices(request, tmp_path, template, unit_keys):
    made = {}
    for code in (CITY, *TOWNS):
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


def dump(db_file: Path) -> dict[str, list[tuple]]:
    """Canonical dump of the synced tables, the ledger and the peer heads (local keys left out: case.sid)."""
    from tests.dbfiles import connect

    con = connect(db_file)
    try:
        out = {}
        for table in SYNCED:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")') if r[1] != "sid"]
            names = ", ".join(f'"{c}"' for c in cols)
            out[table] = sorted(con.execute(f'SELECT {names} FROM "{table}"').fetchall(), key=repr)
        out["ledger"] = sorted(con.execute(
            "SELECT bundle_id, sender, epoch, seq, state FROM sync_inbox WHERE state = 'applied'").fetchall())
        out["heads"] = sorted(con.execute("SELECT unit_code, head_epoch, head_seq, head_hash FROM sync_peer").fetchall())
        out["quarantine"] = sorted(con.execute(
            "SELECT bundle_id, record_type, record_id, reason FROM sync_quarantine").fetchall(), key=repr)
        out["search"] = sorted(con.execute(
            'SELECT c.id, s.tokens FROM case_search s JOIN "case" c ON c.sid = s.rowid').fetchall())
        return out
    finally:
        con.close()


def data_dump(db_file: Path) -> dict[str, list[tuple]]:
    """Only the synced tables (for 'unchanged' checks)."""
    d = dump(db_file)
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
