"""Two processes writing the same database (a window and the command line): SQLite's file lock
and BEGIN IMMEDIATE make them queue; neither fails half-way and no case number is given twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.ops.test_kill9 import CHILD_PRELUDE, ROOT, _init

WRITER = CHILD_PRELUDE + """
from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
print("ready", flush=True)
sys.stdin.readline()                                          # both start writing together, when told
for i in range(25):
    case = svc.cases.register(actor, RegistrationInput(channel="来信", received_at=datetime(2026, 11, 2, 9, 0),
        petitioners=[PetitionerInput(name="张伟", phone="13700000000")], category_code="0401",
        request="要求追讨拖欠的工资"))
    print(case.number, flush=True)
"""


def test_two_processes_writing_at_once_queue_and_number_uniquely(tmp_path):
    data = tmp_path / "data"
    _init(data)
    children = [subprocess.Popen([sys.executable, "-c", WRITER, str(data)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT)
                for _ in range(2)]
    for child in children:                    # both have opened the folder, however long that took ...
        assert child.stdout is not None and child.stdout.readline().strip() == "ready", child.stderr
    for child in children:                    # ... and start at once
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outs = [c.communicate(timeout=240) for c in children]
    for child, (_out, err) in zip(children, outs):
        assert child.returncode == 0, err
    numbers = [n for out, _ in outs for n in out.split()]
    assert len(numbers) == 50 and len(set(numbers)) == 50
    from tests.dbfiles import connect

    con = connect(Path(data) / "xinfang.sqlite3")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute('SELECT COUNT(*) FROM "case"').fetchone()[0] == 50
    finally:
        con.close()
