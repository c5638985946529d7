"""Backups and restores on real data folders: what a clerk relies on when a PC dies."""

from __future__ import annotations

import errno
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.dbfiles import connect

from tests.conftest import UNIT, make_registration

ENGINES = ["sqlite"]      # the backups copy the folder's SQLite file; on PostgreSQL they are pg_dump's (README)


@pytest.fixture
def backups(services):
    from xinfang_desktop.services.backup import BackupService

    return services.get(BackupService)


@pytest.fixture
def folder(tmp_path) -> Path:
    f = tmp_path / "stick"
    f.mkdir()
    return f


def _numbers(db_file: Path) -> set[str]:
    con = connect(db_file)
    try:
        return {r[0] for r in con.execute('SELECT number FROM "case"')}
    finally:
        con.close()


def test_backup_holds_every_case_and_the_attachments(services, admin, clerk, backups, folder):
    numbers = {services.cases.register(clerk, make_registration()).number for _ in range(3)}
    att = services.data_dir / "attachments" / "ab"
    att.parent.mkdir()
    att.write_bytes(b"scan")
    backups.set_folder(admin, folder)
    info = backups.backup(clerk)
    assert info.path.parent == folder and info.cases == 3
    assert _numbers(info.path / "xinfang.sqlite3") == numbers
    assert (info.path / "files" / "attachments" / "ab").read_bytes() == b"scan"
    manifest = json.loads((info.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["unit_code"] == UNIT and manifest["cases"] == 3
    con = connect(info.path / "xinfang.sqlite3", services.data_key)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"   # one self-contained file
    con.close()
    assert backups.last_backup_at() == services.clock.now()
    assert [r.kind for r in backups.history()] == ["manual"]


def test_only_an_admin_sets_the_folder_or_copies_elsewhere(clerk, backups, folder):
    from xinfang_desktop.domain.errors import PermissionDenied, XinfangError

    with pytest.raises(PermissionDenied):
        backups.set_folder(clerk, folder)
    with pytest.raises(PermissionDenied):
        backups.backup(clerk, to=folder)
    with pytest.raises(XinfangError, match="还没有设置备份文件夹"):
        backups.backup(clerk)


def test_folder_inside_the_data_folder_or_relative_is_refused(services, admin, backups):
    from xinfang_desktop.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="不能在数据目录里面"):
        backups.set_folder(admin, services.data_dir / "bk")
    with pytest.raises(InvalidInput, match="完整的文件夹路径"):
        backups.set_folder(admin, "bk")
    assert backups.folder() is None


def test_automatic_backup_runs_once_a_day(services, admin, backups, folder, clock):
    assert backups.backup_if_due(admin) is None          # no folder chosen yet: nothing to do
    backups.set_folder(admin, folder)
    assert backups.backup_if_due(admin) is not None
    clock.advance(hours=3)
    assert backups.backup_if_due(admin) is None
    clock.advance(days=1)
    assert backups.backup_if_due(admin).kind == "auto"


def test_rotation_keeps_7_daily_4_weekly_12_monthly(services, admin, backups, folder, clock):
    from xinfang_desktop.services.backup import kept_by_rotation, list_backups

    backups.set_folder(admin, folder)
    made = []
    for i in range(100):                      # a year: every 4th day, then every day for 10 days
        made.append(backups.backup(admin, kind="auto").created_at)
        clock.advance(days=4 if i < 90 else 1)
    stamps = sorted(b.created_at for b in list_backups(folder))
    last = made[-1]
    assert stamps[-7:] == [last - timedelta(days=i) for i in range(6, -1, -1)]   # the last 7 days
    weeks = {s.isocalendar()[:2] for s in stamps}
    months = {(s.year, s.month) for s in stamps}
    assert len(weeks) >= 4 and len(months) == 12      # 12 months back, no more
    assert min(stamps) > last - timedelta(days=366)
    assert len(stamps) <= 7 + 4 + 12
    assert set(stamps) == kept_by_rotation(made)
    assert kept_by_rotation([datetime(2026, 1, 1, h) for h in range(5)]) == {datetime(2026, 1, 1, 4)}


def test_rotation_never_touches_other_files(services, admin, backups, folder, clock):
    (folder / "会议纪要.docx").write_bytes(b"x")
    (folder / "xinfang-backup-20200101-000000-auto").mkdir()   # no manifest: not ours to delete
    backups.set_folder(admin, folder)
    for _ in range(10):
        backups.backup(admin, kind="auto")
        clock.advance(days=1)
    assert (folder / "会议纪要.docx").exists() and (folder / "xinfang-backup-20200101-000000-auto").exists()


def test_a_pulled_stick_says_so_and_leaves_nothing(services, admin, backups, folder):
    from xinfang_desktop.domain.errors import XinfangError

    backups.set_folder(admin, folder)
    folder.rmdir()
    with pytest.raises(XinfangError, match="U盘"):
        backups.backup(admin)
    assert backups.last_backup_at() is None


@pytest.mark.parametrize("err, words", [(errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "只读"),
                                        (errno.EIO, "U盘可能已拔出")])
def test_disk_failures_mid_backup_leave_no_half_backup(services, admin, clerk, backups, folder, monkeypatch,
                                                      err, words):
    from xinfang_desktop.domain.errors import XinfangError
    from xinfang_desktop.services import backup as mod

    services.cases.register(clerk, make_registration())
    (services.data_dir / "attachments").mkdir()
    (services.data_dir / "attachments" / "a1").write_bytes(b"a")
    backups.set_folder(admin, folder)

    def fail(*_a, **_k):
        raise OSError(err, "simulated")

    monkeypatch.setattr(mod.shutil, "copy2", fail)   # the attachments step, after the database copy
    with pytest.raises(XinfangError, match=words):
        backups.backup(admin)
    assert list(folder.iterdir()) == []
    assert backups.history() == [] and backups.last_backup_at() is None


def test_a_full_disk_during_the_database_copy(services, admin, backups, folder, monkeypatch):
    from xinfang_desktop.domain.errors import XinfangError
    from xinfang_desktop.services import backup as mod

    def full(source, target, key):
        con = connect(target, key)
        con.execute("PRAGMA max_page_count=2")     # a disk with room for two pages
        try:
            con.execute("CREATE TABLE t(x)")
            con.executemany("INSERT INTO t VALUES (?)", [("x" * 2000,)] * 20)
            con.commit()
        finally:
            con.close()

    monkeypatch.setattr(mod, "copy_database", full)
    backups.set_folder(admin, folder)
    with pytest.raises(XinfangError, match="磁盘空间不足"):
        backups.backup(admin)
    assert list(folder.iterdir()) == []


def test_restore_brings_back_the_cases_and_asks_for_a_new_sync_epoch(services, admin, clerk, backups, folder, clock):
    from xinfang_desktop.store.models import AuditEntry, Case

    kept = {services.cases.register(clerk, make_registration()).number for _ in range(2)}
    backups.set_folder(admin, folder)
    info = backups.backup(admin)
    clock.advance(hours=1)
    later = services.cases.register(clerk, make_registration()).number
    result = backups.restore(admin, info.path)
    assert {c.number for c in Case.select()} == kept and later not in kept
    assert result.safety_backup is not None and later in _numbers(result.safety_backup / "xinfang.sqlite3")
    assert backups.epoch_needed()["reason"] == "restored"
    assert AuditEntry.select().where(AuditEntry.action == "backup.restore").count() == 1
    # The restored database keeps working: a new case gets a number never handed out before.
    again = services.cases.register(clerk, make_registration()).number
    assert again not in kept
    assert services.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_refuses_a_damaged_backup_and_changes_nothing(services, admin, clerk, backups, folder):
    from xinfang_desktop.domain.errors import XinfangError
    from xinfang_desktop.store.models import Case

    services.cases.register(clerk, make_registration())
    backups.set_folder(admin, folder)
    info = backups.backup(admin)
    db = info.path / "xinfang.sqlite3"
    raw = bytearray(db.read_bytes())
    for i in range(4096 * 2, len(raw), 997):      # scribble over every page after the schema
        raw[i] ^= 0xFF
    db.write_bytes(bytes(raw))
    services.cases.register(clerk, make_registration())
    with pytest.raises(XinfangError, match="校验值不符|完整性检查|不是有效的数据库|不是信访工作平台"):
        backups.restore(admin, info.path)
    assert Case.select().count() == 2
    assert backups.epoch_needed() is None
    assert not (services.data_dir / "backups").exists()      # refused before the safety backup


def test_restore_refuses_another_units_backup(tmp_path, services, admin, backups, clock):
    from xinfang_desktop.domain.errors import XinfangError
    from xinfang_desktop.services.backup import BackupService
    from tests.conftest import new_services

    other = new_services(tmp_path / "other", clock)
    try:
        boss = other.auth.initialize("350881000000", "boss", "boss-pass-1")
        info = other.get(BackupService).backup(boss, to=tmp_path / "b")
    finally:
        other.close()
    from xinfang_desktop.store.models import database  # rebind models to this test's database
    database.initialize(services.db)
    with pytest.raises(XinfangError, match="另一个单位"):
        backups.restore(admin, info.path)


def test_only_an_admin_restores(clerk, backups, folder):
    from xinfang_desktop.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        backups.restore(clerk, folder)


def test_opening_an_older_database_backs_it_up_before_migrating(tmp_path, clock):
    from tests.conftest import new_services, reopen
    from xinfang_desktop.store.migrations import SCHEMA_VERSION

    svc = new_services(tmp_path / "data", clock)
    key = svc.data_key
    admin = svc.auth.initialize(UNIT, "admin", "admin-pass-1")
    number = svc.cases.register(admin, make_registration()).number
    svc.db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")    # as an older program left it
    svc.close()
    svc = reopen(tmp_path / "data", clock, key=key)
    svc.close()
    copies = list((tmp_path / "data" / "backups").glob("*pre-migration*"))
    assert len(copies) == 1 and number in {r[0] for r in connect(copies[0], key).execute('SELECT number FROM "case"')}


# --------------------------------------------------------------------------- restore checks what the backup says it holds


def _tamper_with_database(info) -> None:
    """One word changed with SQLite itself (by someone holding the key): the file stays a valid, sound
    database."""
    con = connect(info.path / "xinfang.sqlite3")
    try:
        con.execute('UPDATE "case" SET request = replace(request, "工资", "奖金")')
        con.commit()
    finally:
        con.close()


@pytest.mark.parametrize("tamper", ["database", "changed file", "added file", "removed file", "no manifest"])
def test_restore_refuses_a_backup_that_differs_from_its_manifest(services, admin, clerk, backups, folder, tamper):
    from xinfang_desktop.domain.errors import XinfangError
    from xinfang_desktop.store.models import Case

    services.cases.register(clerk, make_registration())
    keys = services.data_dir / "keys"
    keys.mkdir()
    (keys / "unit-keys.json").write_text('{"k": 1}', encoding="utf-8")
    backups.set_folder(admin, folder)
    info = backups.backup(admin)
    files = info.path / "files"
    if tamper == "database":
        _tamper_with_database(info)
    elif tamper == "changed file":
        (files / "keys" / "unit-keys.json").write_text('{"k": 2}', encoding="utf-8")
    elif tamper == "added file":
        (files / "keys" / "previous-EVIL.json").write_text("{}", encoding="utf-8")
    elif tamper == "removed file":
        (files / "keys" / "unit-keys.json").unlink()
    else:
        (info.path / "manifest.json").unlink()
    services.cases.register(clerk, make_registration())
    before = (services.data_dir / "xinfang.sqlite3").stat().st_size, Case.select().count()
    with pytest.raises(XinfangError, match="清单|校验值"):
        backups.restore(admin, info.path)
    assert Case.select().count() == 2 and before[1] == 2
    assert Case.select().where(Case.request.contains("奖金")).count() == 0
    assert (keys / "unit-keys.json").read_text(encoding="utf-8") == '{"k": 1}'
    assert not (keys / "previous-EVIL.json").exists()
    assert backups.epoch_needed() is None
    assert not (services.data_dir / "backups").exists()      # refused before the safety backup
    assert not [p for p in services.data_dir.iterdir() if p.name.startswith(".restore")]


def test_a_backup_of_the_earlier_format_still_restores(services, admin, clerk, backups, folder):
    """Format 1 manifests listed only the database's checksum: it is still checked, attachments by name."""
    import json

    services.cases.register(clerk, make_registration())
    backups.set_folder(admin, folder)
    info = backups.backup(admin)
    manifest = json.loads((info.path / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"]
    manifest["format"] = 1
    (info.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert backups.restore(admin, info.path).cases == 1
