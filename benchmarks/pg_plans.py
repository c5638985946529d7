"""The case list's pages on PostgreSQL with ORDER BY as it is sent now, beside the same statements with SQLite's
place for NULL spelled out on every term (as store/pg.py wrote them before): then PostgreSQL could not read
the list's indexes in order and sorted the whole table (newest first, oldest first, by status) or every dated
case (by due date) to show 200 rows. (Since schema v21 the due date's index holds NULL first, and the old form of
the due-date pages reads it too: those ratios are now about 1.)

    python benchmarks/pg_plans.py [--cases 100000] [--repeat 15]

N matters are loaded in bulk on a throwaway cluster (tests/pg/many_cases.py), the statements are captured as
the services send them, and each is timed both ways in this one process: the median wall time of a run
(send, execute, fetch) and the server's own time (EXPLAIN ANALYZE). Then the workbench's 待回访 section as it is
read now (schema v20's partial index of the matters awaiting 回访) beside the statement it ran before (every
decided matter's events, grouped). Read the ratios. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import new_bench_services  # noqa: E402

_TERM = re.compile(r" (ASC|DESC)(?! NULLS)")


def with_null_places(sql: str) -> str:
    """The statement as it was sent before: every ORDER BY term with SQLite's place for NULL."""
    head, order, tail = sql.partition(" ORDER BY ")
    if not order:
        return sql
    terms, limit, rest = tail.partition(" LIMIT ")
    terms = _TERM.sub(lambda m: f" {m.group(1)} NULLS {'FIRST' if m.group(1) == 'ASC' else 'LAST'}", terms)
    return head + order + terms + limit + rest


def captured(db, call) -> tuple[str, object]:
    """The last SELECT of the case table `call` sends."""
    seen: list[tuple[str, object]] = []
    real = db.execute_sql
    db.execute_sql = lambda sql, params=None: seen.append((sql, params)) or real(sql, params)
    try:
        call()
    finally:
        del db.execute_sql
    return [(s, p) for s, p in seen if s.startswith("SELECT") and 'FROM "case"' in s][-1]


def timed(db, sql: str, params, repeat: int) -> tuple[float, float, list]:
    """Median wall and server milliseconds, and the rows."""
    rows = db.execute_sql(sql, params).fetchall()            # warm
    walls = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        db.execute_sql(sql, params).fetchall()
        walls.append((time.perf_counter() - t0) * 1000)
    servers = []
    for _ in range(max(3, repeat // 3)):
        plan = db.execute_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        servers.append(plan[0]["Execution Time"])
    return statistics.median(walls), statistics.median(servers), rows


_FULL_SORT = re.compile(r"(?<!Incremental )Sort  \(cost=[\d.]+\.\.[\d.]+ rows=(\d+)")


def sorts(svc, cases: int) -> dict:
    """Every column header of the case list, both ways, with and without a township filter: the server's time
    for the first page (EXPLAIN ANALYZE, median of 3) and the most rows its plan sorts at once (a full sort; an
    incremental one sorts a few at a time). Before schema v21 the township and due-date-latest-first pages
    sorted every case (45-50 ms at 100,000), and by status, channel or category a page sorted a whole status
    (up to 41 ms)."""
    from tests.pg import many_cases
    from xinfang_desktop.services.queries import SORTABLE, CaseFilter

    q, db = svc.queries, svc.db
    town = many_cases.township(4, "350881102000")
    got: dict = {}
    for label, f in (("all", CaseFilter()), ("township", CaseFilter(township=town))):
        for sort in SORTABLE:
            for descending in (True, False):
                sql, params = captured(db, lambda f=f, sort=sort, d=descending: q.page(f, sort=sort, descending=d))
                plans = [db.execute_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()[0]
                         for _ in range(3)]
                plans = [json.loads(p) if isinstance(p, str) else p for p in plans]
                text = "\n".join(r[0] for r in db.execute_sql("EXPLAIN " + sql, params))
                got[f"{label}/{sort}/{'desc' if descending else 'asc'}"] = {
                    "server_ms": round(statistics.median(p[0]["Execution Time"] for p in plans), 2),
                    "rows_sorted": max([0, *(int(m) for m in _FULL_SORT.findall(text))])}
    worst = max(got.items(), key=lambda kv: kv[1]["server_ms"])
    print(f"case list, every header both ways at {cases} cases: slowest first page {worst[0]} "
          f"{worst[1]['server_ms']} ms (server); most rows sorted by any: "
          f"{max(v['rows_sorted'] for v in got.values())}", flush=True)
    return got


# The workbench's 待回访 as it was read before schema v20: every decided matter with its events, grouped.
FOLLOWUPS_BEFORE = """SELECT id, number, parties_label, dec, fu FROM (SELECT c.id, c.number, c.parties_label,
       MAX(CASE WHEN e.kind IN ('replied','review_decided','recheck_decided') THEN e.occurred_at END) AS dec,
       MAX(CASE WHEN e.kind = 'followed_up' THEN e.occurred_at END) AS fu
    FROM "case" c JOIN case_event e ON e.case_id = c.id
    WHERE c.status IN ('replied', 'reviewed', 'rechecked', 'redirected', 'closed')
      AND e.kind IN ('replied','review_decided','recheck_decided','followed_up')
    GROUP BY c.id) AS decided WHERE dec IS NOT NULL AND (fu IS NULL OR fu < dec)"""


def followups(svc, admin, repeat: int) -> dict:
    """The workbench's 待回访 section now (the partial index of the matters awaiting one: its first lines and
    its count) beside the statement it ran before (the loaded events are made decisions and follow-ups where
    the case row says so, so both read the same matters)."""
    from xinfang_desktop.services import attention_workbench  # noqa: F401 - registers the section
    from xinfang_desktop.services.workbench import WorkbenchService

    svc.db.execute_sql("""
        UPDATE case_event e SET kind = CASE WHEN e.kind = 'routed' THEN 'replied' ELSE 'followed_up' END,
                                occurred_at = CASE WHEN e.kind = 'routed' THEN c.decided_on ELSE c.followed_on END
        FROM "case" c WHERE e.case_id = c.id AND c.decided_on IS NOT NULL
          AND (e.kind = 'routed' OR (e.kind = 'note' AND c.followed_on IS NOT NULL))""")
    svc.db.execute_sql("VACUUM ANALYZE case_event")
    wb = svc.get(WorkbenchService)
    section = wb.section(admin, "followup_due")
    waiting = len(svc.db.execute_sql(FOLLOWUPS_BEFORE).fetchall())

    def run(call) -> float:
        call()
        walls = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            call()
            walls.append((time.perf_counter() - t0) * 1000)
        return statistics.median(walls)

    before = run(lambda: svc.db.execute_sql(FOLLOWUPS_BEFORE).fetchall())
    now = run(lambda: wb.section(admin, "followup_due"))
    got = {"awaiting": waiting, "due_shown": section.total, "before_ms": round(before, 2), "now_ms": round(now, 2),
           "before_over_now": round(before / now, 1)}
    print(f"workbench 待回访 at {waiting} matters awaiting one ({section.total} due): before {got['before_ms']} ms "
          f"(the statement alone), now {got['now_ms']} ms (the whole section): {got['before_over_now']}x", flush=True)
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    from tests.pg import many_cases
    from tests.pgcluster import Cluster
    from xinfang_desktop.services.clock import FixedClock
    from xinfang_desktop.services.queries import CaseFilter

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))     # a stopped run removes its cluster too
    cluster = Cluster()
    work = Path(tempfile.mkdtemp(prefix="xf-pgplans-"))
    out: dict = {"cases": args.cases}
    try:
        clock = FixedClock(datetime(2026, 11, 2, 9, 30))
        svc = new_bench_services(work / "data", clock=clock, url=cluster.new_database())
        try:
            admin = svc.auth.initialize("350881102000", "admin", "Bench-pass-1234", "王管理")
            t0 = time.perf_counter()
            many_cases.load(svc.db, args.cases, clock.today(), admin.unit_code)
            out["load_s"] = round(time.perf_counter() - t0, 1)
            q = svc.queries
            pages = {
                "newest_first": lambda: q.page(CaseFilter()),
                "oldest_first_page2": lambda: q.page(CaseFilter(), sort="received_at", descending=False, offset=200),
                "by_status": lambda: q.page(CaseFilter(), sort="status"),
                "by_due_date": lambda: q.page(CaseFilter(), sort="next_due", descending=False),
                "by_due_date_page2": lambda: q.page(CaseFilter(), sort="next_due", descending=False, offset=200),
                "overdue": lambda: q.page(CaseFilter(overdue=True), sort="next_due", descending=False),
            }
            for name, call in pages.items():
                sql, params = captured(svc.db, call)
                before = with_null_places(sql)
                assert before != sql, f"{name}: nothing to compare ({sql})"
                b_wall, b_server, b_rows = timed(svc.db, before, params, args.repeat)
                a_wall, a_server, a_rows = timed(svc.db, sql, params, args.repeat)
                assert a_rows == b_rows, f"{name}: not the same rows in the same order as before"
                got = out[name] = {"before_ms": round(b_wall, 2), "now_ms": round(a_wall, 2),
                                   "before_server_ms": round(b_server, 2), "now_server_ms": round(a_server, 2),
                                   "before_over_now": round(b_wall / a_wall, 1)}
                print(f"{name} at {args.cases} cases: before {got['before_ms']} ms (server {got['before_server_ms']} "
                      f"ms), now {got['now_ms']} ms (server {got['now_server_ms']} ms): {got['before_over_now']}x",
                      flush=True)
            out["sorts"] = sorts(svc, args.cases)
            out["followups"] = followups(svc, admin, args.repeat)
        finally:
            svc.close()
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
