"""A backup folder whose name holds "#", "?" or "%" still opens: the SQLite URI is percent-encoded."""

from __future__ import annotations

import sqlite3

import pytest

from xinfang_desktop.store.db import sqlite_uri

ODD = "张三 #1?%41 备份"   # a fragment mark, a query mark, and a "%41" that must not become "A"


def test_a_database_in_an_oddly_named_folder_opens_read_only(tmp_path):
    folder = tmp_path / ODD
    folder.mkdir()
    path = folder / "xinfang.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (42)")
    con.commit()
    con.close()
    ro = sqlite3.connect(sqlite_uri(path, "ro"), uri=True)
    try:
        assert ro.execute("SELECT x FROM t").fetchone() == (42,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro.execute("INSERT INTO t VALUES (1)")
    finally:
        ro.close()
    assert sorted(p.name for p in folder.iterdir()) == ["xinfang.sqlite3"]   # nothing made beside it
    assert not (tmp_path / "张三 ").exists()                                # nor at the cut-off name


def test_a_missing_file_is_not_created_by_a_read_only_open(tmp_path):
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(sqlite_uri(tmp_path / ODD / "none.sqlite3", "ro"), uri=True).execute("SELECT 1")


@pytest.mark.parametrize("path,uri", [
    (r"C:\Users\张三 #%\备份\xinfang.sqlite3",
     "file:///C:/Users/%E5%BC%A0%E4%B8%89%20%23%25/%E5%A4%87%E4%BB%BD/xinfang.sqlite3?mode=ro"),
    (r"E:\a?b\x.sqlite3", "file:///E:/a%3Fb/x.sqlite3?mode=ro"),
    (r"\\server\共享\x.sqlite3", "file:////server/%E5%85%B1%E4%BA%AB/x.sqlite3?mode=ro"),
])
def test_windows_paths(path, uri):
    assert sqlite_uri(path, "ro", windows=True) == uri


def test_backup_check_reads_a_backup_in_such_a_folder(services, admin, tmp_path):
    from xinfang_desktop.services.backup import BackupService, check_database

    folder = tmp_path / ODD
    folder.mkdir()
    info = services.get(BackupService).backup(admin, to=folder)
    version, unit, cases = check_database(info.path / "xinfang.sqlite3", services.data_key)
    assert unit == "350881102000" and cases == info.cases
