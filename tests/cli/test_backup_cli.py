"""`xinfang backup` / `xinfang restore` as an administrator runs them, on real folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli.test_cli import ok, run


def _numbers(data: Path) -> set[str]:
    from tests.cli.test_cli import PASSWORD
    from tests.dbfiles import connect

    con = connect(data / "xinfang.sqlite3", password=PASSWORD)
    try:
        return {r[0] for r in con.execute('SELECT number FROM "case"')}
    finally:
        con.close()


def test_backup_restored_into_an_empty_data_folder_opens_with_every_record(tmp_path):
    data, stick, fresh = tmp_path / "data", tmp_path / "stick", tmp_path / "new-pc"
    ok(data, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    ok(data, "demo", "--cases", "40")
    (data / "attachments").mkdir()
    (data / "attachments" / "deadbeef").write_bytes(b"scan")
    made = json.loads(ok(data, "backup", "--to", str(stick), "--format", "json"))
    assert made["cases"] == 40 and Path(made["path"]).parent == stick
    out = ok(fresh, "restore", made["path"])
    assert "恢复 40 件事项" in out and "新的批次" in out
    assert _numbers(fresh) == _numbers(data)
    assert (fresh / "attachments" / "deadbeef").read_bytes() == b"scan"
    assert "数据库完整性：ok" in ok(fresh, "check")
    listed = json.loads(ok(fresh, "case", "list", "--format", "json"))
    assert listed                                    # the restored folder opens and lists cases
    ok(fresh, "user", "list")                        # the administrator came back too


def test_restore_over_existing_data_keeps_a_safety_copy(tmp_path):
    data, stick = tmp_path / "data", tmp_path / "stick"
    ok(data, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    ok(data, "demo", "--cases", "5")
    made = json.loads(ok(data, "backup", "--to", str(stick), "--format", "json"))
    ok(data, "case", "add", "--name", "张伟", "--channel", "来信", "--category", "0401",
       "--request", "要求追讨拖欠的工资", "--received", "2026-11-20")
    before = _numbers(data)
    out = json.loads(ok(data, "restore", made["path"], "--format", "json"))
    assert out["sync_epoch_needed"] and len(_numbers(data)) == 5
    assert _numbers(Path(out["safety_backup"])) == before


def test_backup_folder_setting_and_list(tmp_path):
    data, folder = tmp_path / "data", tmp_path / "backups"
    ok(data, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    r = run(data, "backup")
    assert r.returncode == 1 and "还没有设置备份文件夹" in r.stderr
    ok(data, "backup", "--set-folder", str(folder))
    ok(data, "backup")
    listed = json.loads(ok(data, "backup", "--list", "--format", "json"))
    assert len(listed) == 1 and listed[0]["kind"] == "manual"


def test_restore_of_garbage_is_refused_in_chinese(tmp_path):
    data = tmp_path / "data"
    ok(data, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    junk = tmp_path / "x.sqlite3"
    junk.write_bytes(b"not a database" * 100)
    r = run(data, "restore", str(junk))
    assert r.returncode == 1 and "不是有效的数据库" in r.stderr
    r = run(data, "restore", str(tmp_path / "missing"))
    assert r.returncode == 1 and "找不到备份" in r.stderr


def test_restore_refused_while_a_window_holds_the_folder(tmp_path):
    data, stick = tmp_path / "data", tmp_path / "stick"
    ok(data, "init", "--unit", "350881102000", "--admin", "admin", stdin="secret-pass\n")
    made = json.loads(ok(data, "backup", "--to", str(stick), "--format", "json"))
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # The lock file a window's QLockFile writes: pid, application name, host name.
        (data / "xinfang.lock").write_text(f"{holder.pid}\nxinfang-desktop\n{os.uname().nodename}\n",
                                           encoding="utf-8")
        r = run(data, "restore", made["path"])
        assert r.returncode == 1 and "窗口正在使用" in r.stderr
    finally:
        holder.kill()
        holder.wait()
    ok(data, "restore", made["path"])                # a stale lock (dead process) does not block
