"""Where a registration's time inside the counters' lock goes, on PostgreSQL (issue 16): the one message that
takes the unit's case and 文号 counters, writes the registration's rows and commits (store/locks.py
numbers_at_commit). Another desk registering for the same unit and year waits while the server runs it.

    python benchmarks/pg_commit_message.py [--cases 2000] [--repeat 50]

A demo folder of N matters on a throwaway cluster; one registration is made as the 登记 page makes it
(services/intake.py) and its commit message captured. The message is then sent again, each time with fresh
row ids and ROLLBACK for COMMIT (so the counters and the search key stay as they were, the rolled-back rows
vacuumed away before the next): whole, and statement by statement. Each statement's server time is its round
trip less an empty one's (SELECT 1) on the same idle connection; the time from the first counter on is what
another desk registering for the unit waits for. Read the shares: the absolute times move with the machine's
load. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ADMIN, UNIT, bench_key, server_database  # noqa: E402
from engines import build  # noqa: E402

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_OWN_ID = re.compile(r"VALUES \('([0-9a-f-]{36})'")          # the first value of an INSERT: the row's own id


def captured_message(folder: Path) -> str:
    """The commit message of one registration with a new petitioner, as the 登记 page sends it."""
    import psycopg

    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from xinfang_desktop.services.context import open_services
    from xinfang_desktop.services.intake import IntakeService

    svc = open_services(folder, key=bench_key(folder), create=False)
    sent: list[str] = []
    real = psycopg.ClientCursor.execute

    def watched(self, query, *args, **kwargs):
        if isinstance(query, str) and "case_counter" in query and query.rstrip().endswith("COMMIT"):
            sent.append(query)
        return real(self, query, *args, **kwargs)

    psycopg.ClientCursor.execute = watched
    try:
        reg = RegistrationInput(
            channel="走访", received_at=datetime.now().replace(microsecond=0),
            petitioners=[PetitionerInput(name="欧阳甲", phone="13900001234", township_code=UNIT)],
            category_code="0401", request="要求追讨拖欠的工资", facts="拖欠工资", reasons="催讨未果")
        svc.get(IntakeService).register(svc.auth.user(ADMIN), reg)
    finally:
        psycopg.ClientCursor.execute = real
        svc.close()
    return sent[-1]


def _fresh(message: str) -> str:
    """The message with new ids for the rows it makes (the rows it points at keep theirs) and no COMMIT."""
    own = set(_OWN_ID.findall(message))
    new: dict[str, str] = {}
    text = _ID.sub(lambda m: new.setdefault(m.group(0), str(uuid.uuid4())) if m.group(0) in own else m.group(0),
                   message)
    return text.rsplit("COMMIT", 1)[0].rstrip().rstrip(";")


# (a pattern of a statement of the message, what it is)
_PARTS = ((r"INSERT INTO case_counter", "case counter"), (r"INSERT INTO doc_counter", "文号 counter"),
          (r"set_config\('xinfang\.sid'", "next search key"), (r'^INSERT INTO "case" ', "case row"),
          (r'^INSERT INTO "case_event"', "event"), (r'^INSERT INTO "case_party"', "party"),
          (r"^INSERT INTO case_search", "search row"), (r'^INSERT INTO "audit_entry"', "audit"),
          (r'^DELETE FROM "intake_draft"', "end of the draft"), (r"^SELECT current_setting", "read numbers"))


def _name(statement: str) -> str:
    s = " ".join(statement.split())
    return next((name for pattern, name in _PARTS if re.search(pattern, s)), s[:40])


def replay(url: str, message: str, repeat: int) -> dict:
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    try:
        statements = _fresh(message).split(";\n")
        per = [[] for _ in statements]
        whole, empty = [], []
        for _ in range(repeat):
            # the rows rolled back before are dead entries at the top of the search key's index, which the
            # next search key's MAX would otherwise step over: gone, as on a server where nothing rolls back
            conn.execute('VACUUM "case"')
            t0 = time.perf_counter()
            conn.execute("SELECT 1")
            empty.append(time.perf_counter() - t0)
            text = _fresh(message)
            t0 = time.perf_counter()
            conn.execute(("BEGIN;\n" + text + ";\nROLLBACK").replace("%", "%%"))
            whole.append(time.perf_counter() - t0)
            conn.execute('VACUUM "case"')
            conn.execute("BEGIN")
            for i, statement in enumerate(_fresh(message).split(";\n")):
                t0 = time.perf_counter()
                conn.execute(statement.replace("%", "%%"))
                per[i].append(time.perf_counter() - t0)
            conn.execute("ROLLBACK")
    finally:
        conn.close()
    trip = statistics.median(empty) * 1000
    parts: dict[str, float] = {}
    held = 0.0                  # from the first counter on: what another desk of the unit waits for
    for statement, times in zip(statements, per):
        name = _name(statement)
        ms = max(0.0, statistics.median(times) * 1000 - trip)
        parts[name] = round(parts.get(name, 0.0) + ms, 3)
        if held or name.endswith("counter"):
            held += ms
    return {"empty_round_trip_ms": round(trip, 3), "whole_message_ms": round(statistics.median(whole) * 1000, 3),
            "statements_server_ms": parts, "statements_sum_ms": round(sum(parts.values()), 3),
            "inside_lock_ms": round(held, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xf-commit-"))
    try:
        with server_database(None) as url:
            build(work / "data", args.cases, url)
            got = {"cases": args.cases, **replay(url, captured_message(work / "data"), args.repeat)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = got["statements_sum_ms"]
    print(f"a registration's commit message at {args.cases} cases: {got['whole_message_ms']} ms whole "
          f"(an empty round trip {got['empty_round_trip_ms']} ms); the server's time by statement, "
          f"{got['inside_lock_ms']} ms of {total} from the first counter on (inside the lock):")
    for name, ms in sorted(got["statements_server_ms"].items(), key=lambda kv: -kv[1]):
        print(f"  {name:18s} {ms:6.3f} ms  ({ms / total:.0%})")
    print(json.dumps(got, ensure_ascii=False))


if __name__ == "__main__":
    main()
