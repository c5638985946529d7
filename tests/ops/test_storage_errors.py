"""A read-only data folder and a full disk, for real: a small filesystem mounted for the test (tmpfs,
which needs root, as CI runs; skipped elsewhere). Every command answers in Chinese, never with a
traceback, and no saved record is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="mounting a small filesystem needs root (CI runs as root)")

PASSWORD = "admin-pass-1"


def xinfang(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "XINFANG_PASSWORD": PASSWORD}
    env.pop("XINFANG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "xinfang_desktop.cli", "--data-dir", str(data), *args],
                          input=stdin, capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


def mount(point: Path, size: str) -> None:
    point.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")


@pytest.fixture
def small_disk(tmp_path):
    point = tmp_path / "disk"
    mount(point, "3m")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def cases_in(data: Path) -> int:
    r = xinfang(data, "case", "list", "--limit", "1000", "--format", "json")
    assert r.returncode == 0, r.stderr
    import json

    return len(json.loads(r.stdout))


COMMANDS = [
    ("case", "list"), ("search", "张"), ("check",), ("stats", "--from", "2026-01-01", "--to", "2026-12-31"),
    ("case", "add", "--name", "张三", "--channel", "走访", "--category", "0401", "--request", "要求追讨拖欠的工资"),
    ("demo", "--cases", "200"), ("board",),
]


@needs_root
def test_a_read_only_data_folder_is_named_in_chinese_and_loses_nothing(small_disk):
    data = small_disk / "data"
    assert xinfang(data, "init", "--unit", "350881102000", "--admin", "admin", stdin=PASSWORD + "\n").returncode == 0
    assert xinfang(data, "demo", "--cases", "20").returncode == 0
    before = cases_in(data)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for args in COMMANDS + [("backup", "--to", str(small_disk / "b"))]:
        r = xinfang(data, *args)
        assert "Traceback" not in r.stderr and "Error" not in r.stderr, (args, r.stderr)
        assert r.returncode != 0 and "只读" in r.stderr, (args, r.stderr)
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert cases_in(data) == before
    assert xinfang(data, "check").returncode == 0


@needs_root
def test_a_full_disk_is_named_in_chinese_and_loses_nothing(small_disk):
    data = small_disk / "data"
    assert xinfang(data, "init", "--unit", "350881102000", "--admin", "admin", stdin=PASSWORD + "\n").returncode == 0
    assert xinfang(data, "demo", "--cases", "20").returncode == 0
    before = cases_in(data)
    filler = small_disk / "filler"
    # fill the disk to the last byte, unbuffered: a buffered file keeps the part of its last write that
    # did not fit and fails again when it is closed (how much is left over depends on the free space)
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    for args in COMMANDS + [("backup", "--to", str(small_disk / "b"))]:
        r = xinfang(data, *args)
        assert "Traceback" not in r.stderr and "Error" not in r.stderr, (args, r.stderr)
        if r.returncode != 0:
            assert "磁盘空间不足" in r.stderr, (args, r.stderr)
    filler.unlink()
    assert cases_in(data) == before
    assert xinfang(data, "check").returncode == 0


def test_a_database_held_by_another_program_and_missing_files(tmp_path):
    data = tmp_path / "data"
    assert xinfang(data, "init", "--unit", "350881102000", "--admin", "admin", stdin=PASSWORD + "\n").returncode == 0
    from tests.dbfiles import connect

    holder = connect(data / "xinfang.sqlite3", password=PASSWORD)
    try:
        holder.execute("BEGIN EXCLUSIVE")              # another program holds the file (lock held, not timed)
        r = xinfang(data, "case", "add", "--name", "张三", "--channel", "走访", "--category", "0401",
                    "--request", "要求追讨拖欠的工资")
    finally:
        holder.rollback()
        holder.close()
    assert r.returncode != 0 and "占用" in r.stderr and "Traceback" not in r.stderr, r.stderr
    missing = str(tmp_path / "没有这个文件.xlsx")
    for args in (("ledger", "import", missing, "--dry-run"), ("import", missing), ("restore", missing),
                 ("calendar", "load", missing), ("keys", "enrol", missing, "--fingerprint", "AB" * 32)):
        r = xinfang(data, *args)
        assert r.returncode != 0 and "Traceback" not in r.stderr, (args, r.stderr)
        assert "找不到" in r.stderr or "无法读取" in r.stderr or "不存在" in r.stderr, (args, r.stderr)


@needs_root
def test_the_window_on_a_read_only_folder_says_so(small_disk, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from xinfang_desktop.gui import app

    data = small_disk / "data"
    assert xinfang(data, "init", "--unit", "350881102000", "--admin", "admin", stdin=PASSWORD + "\n").returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    assert app.main(["xinfang-desktop", "--data-dir", str(data)]) == 1
    assert len(shown) == 1 and "只读" in shown[0] and "已经在使用" not in shown[0], shown
