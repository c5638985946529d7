"""Setting up and working against a PostgreSQL server (issue 16): `xinfang init --database URL` makes the
schema in an existing empty database; a wrong address, a server that is not there and a server that goes
away mid-work are said in Chinese, and nothing saved is lost."""

from __future__ import annotations

import json

import pytest

from tests.clirun import xinfang
from tests.conftest import make_registration

UNIT = "350881000000"


def test_init_makes_the_schema_in_an_empty_database_and_the_commands_use_it(tmp_path, pg_cluster):
    url = pg_cluster.new_database()
    data = tmp_path / "desk1"
    done = xinfang("--data-dir", data, "init", "--unit", UNIT, "--admin", "admin", "--database", url,
                   stdin="secret-pass\n")
    assert done.returncode == 0, done.stderr
    # the rows are not encrypted by the program on a server: init says who encrypts what
    assert "服务器的磁盘加密" in done.stdout and "附件和备份已加密保存" in done.stdout
    assert "数据已加密保存" not in done.stdout
    assert json.loads((data / "database.json").read_text(encoding="utf-8")) == {"url": url}
    assert not (data / "xinfang.sqlite3").exists()                 # the rows are on the server
    checked = xinfang("--data-dir", data, "check", env={"XINFANG_PASSWORD": "secret-pass"})
    assert checked.returncode == 0, checked.stderr

    again = xinfang("--data-dir", tmp_path / "desk2", "init", "--unit", UNIT, "--admin", "admin", "--database", url,
                    stdin="secret-pass\n")
    assert again.returncode != 0 and "已经有数据" in again.stderr
    assert not (tmp_path / "desk2" / "keyring.json").exists()       # refused before anything was written


@pytest.mark.parametrize("url, words", [
    ("mysql://xinfang@db/xinfang", "数据库地址不对"),
    ("postgresql://xinfang@/xinfang?host=/nonexistent-socket-folder", "无法连接数据库服务器"),
])
def test_a_wrong_address_or_no_server_is_refused_in_chinese(tmp_path, url, words):
    done = xinfang("--data-dir", tmp_path / "d", "init", "--unit", UNIT, "--admin", "admin", "--database", url,
                   stdin="secret-pass\n")
    assert done.returncode != 0
    assert words in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "d" / "keyring.json").exists()


def test_a_server_that_goes_away_mid_work_loses_nothing_saved(tmp_path, clock, pg_cluster):
    import psycopg

    from xinfang_desktop.services.permissions import Role
    from xinfang_desktop.store.errors import as_user_error
    from xinfang_desktop.store.models import Case

    from tests.conftest import ADMIN_PASSWORD, UNIT as TOWN, new_services

    url = pg_cluster.new_database()
    svc = new_services(tmp_path / "data", clock, url)
    try:
        admin = svc.auth.initialize(TOWN, "admin", ADMIN_PASSWORD, "王管理")
        clerk = svc.auth.add_user(admin, "clerk1", Role.CLERK, "clerk-pass-1", "李登记")
        saved = svc.cases.register(clerk, make_registration())
        with psycopg.connect(url, autocommit=True) as other:      # the server ends this desk's session
            other.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'xinfang' AND pid <> pg_backend_pid()")
        with pytest.raises(Exception) as failed:
            svc.cases.register(clerk, make_registration())
        said = as_user_error(failed.value)
        assert said is not None and "连接中断" in said.message, failed.value
        # the desk tries again once the server is back: a new connection, nothing half-written
        assert [c.number for c in Case.select()] == [saved.number]   # the first is there, the second not half
        assert svc.cases.register(clerk, make_registration()).number.endswith("00002")
    finally:
        svc.close()


def test_the_programs_own_backup_and_restore_point_to_pg_dump_on_a_server(tmp_path, clock, pg_cluster):
    from xinfang_desktop.domain.errors import XinfangError
    from xinfang_desktop.services.backup import BackupService

    from tests.conftest import ADMIN_PASSWORD, UNIT as TOWN, new_services

    svc = new_services(tmp_path / "data", clock, pg_cluster.new_database())
    try:
        admin = svc.auth.initialize(TOWN, "admin", ADMIN_PASSWORD, "王管理")
        backups = svc.get(BackupService)
        backups.set_folder(admin, tmp_path / "stick")
        assert not backups.due()                          # no daily copy of a file that holds nothing
        for attempt in (lambda: backups.backup(admin), lambda: backups.restore(admin, tmp_path / "stick")):
            with pytest.raises(XinfangError) as refused:
                attempt()
            assert "pg_dump" in str(refused.value)
        assert list((tmp_path / "stick").iterdir()) == []
    finally:
        svc.close()
