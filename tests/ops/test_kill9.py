"""kill -9 at random moments while a case is saved and while a backup is written.

A child process loops over the real services and prints a line after each commit; the parent
kills it (SIGKILL) after a random delay, 50 times, and then checks what a clerk would: the
database passes integrity_check, every record the child reported is there, and every backup
that looks complete is complete."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.dbfiles import connect

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 50

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")]

CHILD_PRELUDE = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from datetime import datetime
from pathlib import Path
from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
from xinfang_desktop.services.access import unlock
_opened = unlock(Path(sys.argv[1]), "admin", "admin-pass-1")
svc, actor = _opened.services, _opened.actor
"""

# The first registration (lazy imports, the search tokenizer) happens before `ready`, so the
# random delay falls on steady work.
SAVE_CASES = CHILD_PRELUDE + """
def reg():
    return RegistrationInput(channel="走访", received_at=datetime(2026, 11, 2, 9, 0),
        petitioners=[PetitionerInput(name="欧阳娜娜", phone="13812345678", township_code="350881102000")],
        category_code="0401", request="要求追讨拖欠的工资", facts="拖欠工资", reasons="多次催讨未果")
print(svc.cases.register(actor, reg()).number, flush=True)
print("ready", flush=True)
while True:
    print(svc.cases.register(actor, reg()).number, flush=True)
"""

BACKUPS = CHILD_PRELUDE + """
from xinfang_desktop.services.backup import BackupService
import time
backups = svc.get(BackupService)
t = time.perf_counter()
backups.backup(actor)                         # timed, not reported: how long one takes here, now
print("took", time.perf_counter() - t, flush=True)
print("ready", flush=True)
while True:
    print(backups.backup(actor).path, flush=True)
"""


def _init(data: Path) -> None:
    from tests.conftest import new_services

    svc = new_services(data)
    try:
        svc.auth.initialize("350881102000", "admin", "admin-pass-1")
    finally:
        svc.close()


def _run_and_kill(code: str, data: Path, rng: random.Random, longest: float = 0.3) -> list[str]:
    """Start the child, wait until it is ready, let it work for a random moment (up to `longest`, or
    twice what one unit of its work just took, whichever is longer), kill -9 it; returns the
    lines it printed (each one committed before it was printed)."""
    child = subprocess.Popen([sys.executable, "-c", code, str(data)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT)
    assert child.stdout is not None
    lines = []
    took = 0.0
    while True:
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else "child ended"
        if line.strip() == "ready":
            break
        if line.startswith("took "):
            took = float(line.split()[1])
        else:
            lines.append(line)
    time.sleep(rng.uniform(0.0, max(longest, 2 * took)))
    os.kill(child.pid, signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err      # it was still working, not crashed on its own
    return [line.strip() for line in lines + out.splitlines() if line.strip()]


def _integrity(db: Path) -> str:
    con = connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def test_kill9_while_saving_cases_loses_no_committed_case(tmp_path):
    data = tmp_path / "data"
    _init(data)
    rng = random.Random(7)
    reported: set[str] = set()
    for _ in range(ROUNDS):
        reported.update(_run_and_kill(SAVE_CASES, data, rng))
        assert _integrity(data / "xinfang.sqlite3") == "ok"
        con = connect(data / "xinfang.sqlite3")
        try:
            numbers = {r[0] for r in con.execute('SELECT number FROM "case"')}
            orphans = con.execute('SELECT COUNT(*) FROM "case" c WHERE NOT EXISTS '
                                  '(SELECT 1 FROM case_event e WHERE e.case_id = c.id)').fetchone()[0]
        finally:
            con.close()
        assert reported <= numbers, f"lost: {sorted(reported - numbers)[:5]}"
        assert orphans == 0                  # a case is never saved without its registration event
    assert len(reported) > ROUNDS            # the children really worked between the kills
    from tests.cli.test_cli import ok

    assert "状态缓存不一致：0" in ok(data, "check", password="admin-pass-1")


def test_kill9_while_backing_up_leaves_only_whole_backups(tmp_path):
    from xinfang_desktop.services.backup import BackupService, list_backups
    from xinfang_desktop.services.access import unlock
    from tests.conftest import make_registration

    data, folder = tmp_path / "data", tmp_path / "stick"
    _init(data)
    svc = unlock(data, "admin", "admin-pass-1").services
    try:
        admin = svc.auth.first_admin()
        for _ in range(30):
            svc.cases.register(admin, make_registration())
        svc.get(BackupService).set_folder(admin, folder)
    finally:
        svc.close()
    (data / "attachments").mkdir()
    for i in range(40):
        (data / "attachments" / f"{i:04d}").write_bytes(os.urandom(20_000))
    rng = random.Random(11)
    reported: set[str] = set()
    interrupted = 0
    for _ in range(ROUNDS):
        done = _run_and_kill(BACKUPS, data, rng, longest=0.5)
        reported.update(done)
        interrupted += any(p.name.endswith(".part") for p in folder.iterdir())
        assert _integrity(data / "xinfang.sqlite3") == "ok"
        whole = list_backups(folder)
        for b in whole:                      # everything that looks like a backup is whole
            assert _integrity(b.path / "xinfang.sqlite3") == "ok"
            assert len(list((b.path / "files" / "attachments").iterdir())) == 40
            assert b.cases == 30
        if done:
            # The last backup reported done is there, or rotation replaced it by a newer whole one
            # (all rounds fall on one day, so rotation keeps the newest only).
            assert whole and whole[0].path.name >= Path(done[-1]).name
    # Both kinds of moment were hit: kills in the middle of writing a backup, and backups that
    # finished before a kill (how many of each depends on the machine's speed).
    assert interrupted >= 5 and len(reported) >= 5, (interrupted, len(reported))
    leftovers = [p for p in folder.iterdir() if p.name.endswith(".part")]
    assert len(leftovers) <= 1               # at most the one the last kill interrupted
    svc = unlock(data, "admin", "admin-pass-1").services
    try:
        svc.get(BackupService).backup(svc.auth.first_admin())   # the next run clears it
    finally:
        svc.close()
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]
