"""`xinfang_desktop.cli.main` can be called more than once in one process (the test suite does, a
scheduler embedding the program could): each call leaves the process as it found it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.clirun import xinfang
from tests.conftest import UNIT


def open_files_under(folder: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    found = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="lists open files through /proc")
def test_a_command_leaves_no_file_open_and_the_callers_database_bound(services, admin, tmp_path):
    from xinfang_desktop.store.models import Setting, database
    from xinfang_desktop.store.setting_keys import UNIT_CODE

    other = tmp_path / "other"
    assert xinfang("--data-dir", other, "init", "--unit", "350881103000", "--admin", "admin",
                   stdin="other-pass-1\n").returncode == 0
    for args in (("case", "list"), ("demo", "--cases", "3"), ("check",), ("case", "show", "nope")):
        xinfang("--data-dir", other, *args, env={"XINFANG_PASSWORD": "other-pass-1"})
        assert open_files_under(other) == [], args          # its database closed, however the command ended
        assert database.obj is services.db, args            # the caller's own database still the bound one
        assert Setting.get(Setting.key == UNIT_CODE).value == UNIT
    assert services.auth.user("admin").name == "admin"


def test_the_callers_umask_is_back_after_a_command(tmp_path):
    """main() sets the owner-only umask for what it writes (PIPL 第五十一条), and puts the caller's back."""
    previous = os.umask(0o022)
    try:
        assert xinfang("--data-dir", tmp_path / "d", "init", "--unit", UNIT, "--admin", "admin",
                       stdin="admin-pass-9\n").returncode == 0
        assert os.umask(0o022) == 0o022
    finally:
        os.umask(previous)
