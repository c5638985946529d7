"""The settings' keys in one style (issue 14, schema step v18): every key the program reads or writes is declared
in store/setting_keys.py, and a database of an older version keeps what its old keys meant — the unit the sync
journal carries, the restore's request for a new round of numbers, the office telephone on the receipt."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import cheap_kdf, make_registration
from tests.schema_fixtures.fixtures import ADMIN, ADMIN_PASSWORD, FIXTURES, UNIT
from tests.store.test_schema_upgrade import unpack

PKG = Path(__file__).resolve().parents[2] / "xinfang_desktop"
OLD_KEYS = {"unit_code", "office", "office_phone", "sync_epoch_needed"}
PHONE = "0597-7650123"


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_an_old_folders_unit_restore_mark_and_office_phone_still_count_after_the_upgrade(tmp_path):
    from tests.dbfiles import connect
    from xinfang_desktop.domain.errors import NotAllowed
    from xinfang_desktop.services.access import unlock
    from xinfang_desktop.services.printing import PrintService
    from xinfang_desktop.services.sync import SyncService
    from xinfang_desktop.store.migrations import SCHEMA_VERSION

    v17 = next(f for f in FIXTURES if f.version == 17)
    data = unpack(v17, tmp_path)
    con = connect(data / "xinfang.sqlite3", password=ADMIN_PASSWORD)
    with con:     # what v17 left after a restore, with the telephone set under its old key
        journal = con.execute("SELECT MAX(seq) FROM sync_change").fetchone()[0]
        con.execute("INSERT INTO setting (key, value) VALUES ('sync_epoch_needed', ?)", (json.dumps(
            {"since": "2026-11-02 09:30:00", "reason": "restored", "backup": "xinfang-backup-1", "journal": journal}),))
        con.execute("INSERT INTO setting (key, value) VALUES ('office_phone', ?)", (json.dumps(PHONE),))
    con.close()

    opened = unlock(data, ADMIN, ADMIN_PASSWORD, kdf=cheap_kdf())
    svc, actor = opened.services, opened.actor
    try:
        assert svc.db.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        keys = {r[0] for r in svc.db.execute_sql("SELECT key FROM setting")}
        assert keys & OLD_KEYS == set() and "unit.code" in keys
        assert svc.auth.unit_code() == UNIT
        ref = svc.cases.register(actor, make_registration())
        case_id = svc.db.execute_sql('SELECT id FROM "case" WHERE number = ?', (ref.number,)).fetchone()[0]
        assert svc.db.execute_sql("SELECT COUNT(*) FROM sync_change WHERE tbl = 'case' AND row_id = ?",
                                  (case_id,)).fetchone()[0] >= 1        # the journal still knows this unit
        with pytest.raises(NotAllowed, match="新一轮编号"):             # the restore still asks for a new round
            svc.get(SyncService).check_export(actor)
        assert svc.get(SyncService).restored_info()["journal"] == journal
        assert PHONE in text_of(svc.get(PrintService).render(actor, ref.number, "receipt").pdf)
    finally:
        svc.close()


def _settings_db(tmp_path, rows: dict[str, object]):
    from peewee import SqliteDatabase

    db = SqliteDatabase(str(tmp_path / "s.sqlite3"))
    db.execute_sql('CREATE TABLE setting ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)')
    for key, value in rows.items():
        db.execute_sql("INSERT INTO setting VALUES (?, ?)", (key, json.dumps(value)))
    return db


def _after_step(tmp_path, rows: dict[str, object]) -> dict[str, object]:
    from xinfang_desktop.store.steps import v018_setting_keys

    db = _settings_db(tmp_path, rows)
    with db.atomic():
        v018_setting_keys.upgrade(db)
    out = {k: json.loads(v) for k, v in db.execute_sql("SELECT key, value FROM setting")}
    db.close()
    return out


@pytest.mark.parametrize("rows, office", [
    ({"office_phone": PHONE}, {"phone": PHONE}),                                             # nothing saved yet
    ({"office_phone": PHONE, "office": {"office_name": "甲"}}, {"office_name": "甲", "phone": PHONE}),
    ({"office_phone": PHONE, "office": {"phone": "0597-1"}}, {"phone": "0597-1"}),          # its own phone wins
    ({"office_phone": PHONE, "office": {"phone": None}}, {"phone": None}),                  # saved cleared: stays so
    ({"office_phone": "  ", "office": {"office_name": "甲"}}, {"office_name": "甲"}),        # nothing to print
    ({"office_phone": PHONE, "office": "damaged"}, {"phone": PHONE}),                       # was read as nothing saved
], ids=["alone", "beside-settings", "own-phone", "cleared", "blank", "damaged"])
def test_the_step_folds_the_old_telephone_into_the_office_settings_as_the_program_read_it(tmp_path, rows, office):
    after = _after_step(tmp_path, {"unit_code": UNIT, **rows})
    assert after == {"unit.code": UNIT, "unit.office": office}


def test_the_step_renames_each_old_key_and_keeps_a_new_one_already_there(tmp_path):
    after = _after_step(tmp_path, {"unit_code": UNIT, "sync_epoch_needed": {"reason": "restored"},
                                   "sync.epoch_needed": {"reason": "newer"}, "backup.folder": "D:/备份"})
    assert after == {"unit.code": UNIT, "sync.epoch_needed": {"reason": "newer"}, "backup.folder": "D:/备份"}


def test_every_setting_key_is_declared_in_one_module_in_one_style():
    """Nothing names a setting but store/setting_keys.py (and the frozen steps, which keep their own words):
    a Setting is read or written with a declared name, and every declared name is area.name."""
    from xinfang_desktop.store import setting_keys

    declared = {v for k, v in vars(setting_keys).items() if k.isupper() and isinstance(v, str)}
    assert declared and all(re.fullmatch(r"[a-z]+\.[a-z_]+", k) for k in declared), declared
    assert set(setting_keys.LEGACY.values()) <= declared
    literal = re.compile(r"Setting\.key\s*==\s*[\"']|Setting\.\w+\(key=[\"']|FROM setting WHERE key\s*=\s*'\w")
    found = [f"{p.relative_to(PKG).as_posix()}:{n}" for p in sorted(PKG.rglob("*.py"))
             if "store/steps/" not in p.as_posix()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert found == []


def test_a_backup_of_an_older_version_is_still_known_by_its_unit(tmp_path):
    """A restore checks a backup before upgrading it: one of v17 names its unit under the old key."""
    from tests.dbfiles import connect, key_of
    from xinfang_desktop.services.backup import check_database

    v17 = next(f for f in FIXTURES if f.version == 17)
    data = unpack(v17, tmp_path)
    key = key_of(data, ADMIN_PASSWORD, ADMIN)
    con = connect(data / "xinfang.sqlite3", key)
    assert con.execute("SELECT value FROM setting WHERE key = 'unit_code'").fetchone()[0] == json.dumps(UNIT)
    con.close()
    version, unit, cases = check_database(data / "xinfang.sqlite3", key)
    assert (version, unit) == (17, UNIT) and cases > 0


def test_the_step_runs_on_a_server_database_of_v17_too(pg_cluster):
    """A city bureau's PostgreSQL database of v17: its keys are renamed and its journal reads the new one."""
    from xinfang_desktop.store.migrations import SCHEMA_VERSION, migrate, schema_version, set_schema_version
    from xinfang_desktop.store.models import Setting, database
    from xinfang_desktop.store.models_sync import Instruction
    from xinfang_desktop.store.pg import open_url
    from xinfang_desktop.store.steps import v018_setting_keys

    previous = database.obj
    db = open_url(pg_cluster.new_database())
    database.initialize(db)
    try:
        migrate(db)
        with db.atomic():       # as v17 left it: the old keys, and the journal's function reading the old one
            for key, value in (("unit_code", UNIT), ("office_phone", PHONE), ("sync_epoch_needed", {"reason": "x"})):
                db.execute_sql('INSERT INTO setting ("key", value) VALUES (?, ?)', (key, json.dumps(value)))
            db.execute_sql(v018_setting_keys.JOURNAL_FUNCTION.replace("'unit.code'", "'unit_code'"))
            set_schema_version(db, 17)
        assert migrate(db) == SCHEMA_VERSION == schema_version(db)
        assert {s.key: s.value for s in Setting.select()} == {
            "unit.code": UNIT, "unit.office": {"phone": PHONE}, "sync.epoch_needed": {"reason": "x"}}
        with db.atomic():
            own = Instruction.create(unit_code=UNIT, to_unit=UNIT, kind="assign", text="甲", created_by="admin")
            Instruction.create(unit_code="350881103000", to_unit=UNIT, kind="assign", text="乙", created_by="admin")
        rows = db.execute_sql("SELECT tbl, row_id FROM sync_change WHERE tbl = 'instruction'").fetchall()
        assert rows == [("instruction", own.id)]
    finally:
        db.close()
        database.initialize(previous)
