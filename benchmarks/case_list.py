"""Case list on a million cases: opening it (first page + total) and applying each filter.

Goals (issue 3): open ≤ 300 ms, each filter ≤ 200 ms, each counted as first page + total (the list
shows both; it fetches them in the background). Baseline, in the same run on the same file: the
same SQL with `NOT INDEXED`, i.e. what the list would cost if it scanned the table.

    python benchmarks/case_list.py [--cases 1000000] [--repeat 5]

Prints one line per query and, last, one JSON object with every figure in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import bench_actor, bench_db, open_bench_services, timed  # noqa: E402

OPEN_GOAL_MS, FILTER_GOAL_MS = 300.0, 200.0


def filters(services):
    from xinfang_desktop.services.queries import CaseFilter

    today = services.clock.today()
    township = services.divisions.townships()[4].code
    return {
        "overdue": (CaseFilter(overdue=True), "next_due", False),
        "due_within_7": (CaseFilter(due_within=7), "next_due", False),
        "status_handling": (CaseFilter(statuses=("handling",)), "received_at", True),
        "open_only": (CaseFilter(open_only=True), "received_at", True),
        "township": (CaseFilter(township=township), "received_at", True),
        "category_first_level": (CaseFilter(category="04"), "received_at", True),
        "category_second_level": (CaseFilter(category="0402"), "received_at", True),
        "channel": (CaseFilter(channel="letter"), "received_at", True),
        "owner": (CaseFilter(owner="镇信访办"), "received_at", True),
        "date_range_90d": (CaseFilter(received_from=today - timedelta(days=90), received_to=today),
                           "received_at", True),
        "search_name": (CaseFilter(text="欧阳"), "received_at", True),
        "township_open_overdue": (CaseFilter(township=township, open_only=True, overdue=True), "next_due", False),
    }


class SqlCapture:
    """The SQL the services run, captured from the connection, to time the same text without indexes."""

    def __init__(self, conn):
        self.conn = conn
        self.seen: list[str] = []

    def __enter__(self):
        self.seen.clear()
        self.conn.set_trace_callback(self.seen.append)
        return self

    def __exit__(self, *exc):
        self.conn.set_trace_callback(None)

    def case_selects(self) -> list[str]:
        return [s for s in self.seen if s.lstrip().upper().startswith("SELECT") and 'FROM "case"' in s]


def not_indexed(sql: str) -> str:
    return re.sub(r'FROM "case" AS "(\w+)"', r'FROM "case" AS "\1" NOT INDEXED', sql, count=1)


def run_sql(conn, sql: str) -> int:
    return len(conn.execute(sql).fetchall())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-gui", action="store_true", help="skip timing the page widget itself")
    args = ap.parse_args()

    data_dir = bench_db(args.cases)
    services = open_bench_services(data_dir)   # runs any pending schema step (indexes) before timing
    q = services.queries
    conn = services.db.connection()
    from xinfang_desktop.services.queries import CaseFilter

    results: dict[str, dict[str, float]] = {}

    def measure(name: str, f, sort: str, desc: bool, goal: float) -> None:
        q.page(f, sort=sort, descending=desc, limit=200)       # warm the page cache once
        page_ms, rows = timed(lambda: q.page(f, sort=sort, descending=desc, limit=200), repeat=args.repeat)
        count_ms, total = timed(lambda: q.count(f), repeat=args.repeat)
        with SqlCapture(conn) as cap:
            q.page(f, sort=sort, descending=desc, limit=200)
            q.count(f)
        page_sql, count_sql = cap.case_selects()[-2:]
        sql_page, _ = timed(lambda: run_sql(conn, page_sql), repeat=args.repeat)
        base_repeat = 1 if args.cases >= 100_000 else args.repeat
        base_page, _ = timed(lambda: run_sql(conn, not_indexed(page_sql)), repeat=base_repeat)
        base_count, _ = timed(lambda: run_sql(conn, not_indexed(count_sql)), repeat=base_repeat)
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + page_sql))
        # page_ms/count_ms: through the service, as the list's background tasks call it (rows → CaseRow);
        # sql_page_ms: its SQL alone; baseline_*: the same SQL made to scan the table (NOT INDEXED)
        results[name] = {"page_ms": round(page_ms, 1), "count_ms": round(count_ms, 1),
                         "sql_page_ms": round(sql_page, 1),
                         "baseline_page_ms": round(base_page, 1), "baseline_count_ms": round(base_count, 1),
                         "rows": len(rows), "total": total, "goal_ms": goal}
        ok = "ok" if page_ms + count_ms <= goal else "SLOW"
        print(f"{name:22} page {page_ms:6.1f} ms (sql {sql_page:6.1f})  count {count_ms:6.1f} ms  [{total} cases]  "
              f"baseline page {base_page:7.1f} ms  count {base_count:7.1f} ms  [{ok}]  plan: {plan}", flush=True)

    measure("open", CaseFilter(), "received_at", True, OPEN_GOAL_MS)
    for name, (f, sort, desc) in filters(services).items():
        measure(name, f, sort, desc, FILTER_GOAL_MS)

    summary: dict[str, object] = {"cases": args.cases, "repeat": args.repeat, "queries": results}
    if not args.no_gui:
        summary["page_widget_open_ms"] = round(gui_open_ms(services), 1)
        print(f"case list page built with its first page, total and owners (inline): "
              f"{summary['page_widget_open_ms']} ms")
    summary["open_ms"] = results["open"]["page_ms"] + results["open"]["count_ms"]
    summary["worst_filter_ms"] = max(v["page_ms"] + v["count_ms"] for k, v in results.items() if k != "open")
    print(json.dumps(summary, ensure_ascii=False))


def gui_open_ms(services) -> float:
    """The page as the window builds it, with the work done inline (so the time includes it all)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.case_list import CaseListPage
    from xinfang_desktop.gui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(services, TaskRunner(inline=True), bench_actor(services))
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        page = CaseListPage(ctx)
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
        page.deleteLater()
    return sorted(times)[1]


if __name__ == "__main__":
    main()
