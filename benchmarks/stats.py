"""Statistics over the million-case demo database, and importing a 50,000-row ledger.

    python benchmarks/stats.py [--cases 1000000] [--ledger-rows 50000] [--skip-stats]

Prints figures; the last line is one JSON object. The baseline, in the same run, is the naive
way: fold every case's timeline with the workflow rules (what `reference()` in the tests does),
measured on one month of the same data (folding a whole year that way takes minutes), and
compared with the service on that same month. For the ledger import the baseline is the
per-row path (each row registered through CaseService) on the first 500 rows, scaled.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_actor, bench_db, open_bench_services, timed  # noqa: E402


def naive(services, period) -> int:
    """Every case of the period folded from its events, one query per case (the way a first
    version would do it)."""
    from xinfang_desktop.domain import workflow as wf
    from xinfang_desktop.services.cases import to_event
    from xinfang_desktop.store.models import Case, CaseEvent

    cal = services.calendar.calendar()
    start = datetime.combine(period.start, datetime.min.time())
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time())
    n = timely = 0
    for c in Case.select(Case.id).where((Case.received_at >= start) & (Case.received_at < end)):
        state = wf.fold([to_event(e) for e in CaseEvent.select().where(CaseEvent.case == c.id)], cal)
        d = state.deadline(wf.DeadlineKey.ROUTE)
        timely += d is not None and d.met_on is not None and d.met_on <= d.due.date
        n += 1
    return n


def ledger_rows(n: int, seed: int = 7) -> list[list]:
    from xinfang_desktop.domain.idcard import check_character
    from xinfang_desktop.services.demo import GIVEN, SURNAMES

    rng = random.Random(seed)
    channels = ["来访", "走访", "来信", "电话", "来电", "网信", "网上"]
    cats = ["欠薪", "劳动关系", "土地征收", "宅基地", "物业", "社会救助", "医患纠纷", "村务管理", "交通运输"]
    rows = []
    for i in range(n):
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 20000))
        first17 = f"350881{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        idn = first17 + check_character(first17) if rng.random() < 0.7 else None
        if rng.random() < 0.02:
            idn = first17 + "0" if check_character(first17) != "0" else first17 + "1"   # a bad check digit
        day = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 1400))
        rows.append([i + 1, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), idn,
                     f"13{rng.randrange(0, 10**9):09d}", day.isoformat(), rng.choice(channels),
                     f"反映问题第{i}号：要求解决有关诉求", rng.choice(cats), rng.choice([1, 1, 1, 2, 6])])
    return rows


def per_row_import(svc, actor, table) -> int:
    """The baseline: what the import did before the bulk path, i.e. the same dry run, then each
    valid row registered (and closed) through CaseService one at a time, in one transaction."""
    from xinfang_desktop.services.ledger import LedgerService, closing_actions
    from xinfang_desktop.store.models_stats import LedgerImport, LedgerRowFingerprint

    plan = svc.get(LedgerService).dry_run(actor, table)
    now = svc.clock.now()
    with svc.db.atomic():
        batch = LedgerImport.create(unit_code=actor.unit_code, file_name=table.file_name, imported_at=now,
                                    actor=actor.name)
        for row in plan.valid:
            ref = svc.cases.register(actor, row.registration)
            LedgerRowFingerprint.create(fingerprint=row.fingerprint, batch=batch, case_id=ref.id,
                                        row_number=row.row_number)
            for kind, data, at in closing_actions(row):
                svc.cases.act(actor, ref.number, kind, data, at=at)
    return len(plan.valid)


def _fresh_office(folder: Path):
    from xinfang_desktop.services.clock import FixedClock
    from benchmarks.common import new_bench_services

    svc = new_bench_services(folder, FixedClock(datetime(2026, 11, 2, 9, 30)))
    actor = svc.auth.initialize("350881102000", "admin", "bench-password-1", "管理员")
    return svc, actor


def bench_import(rows: int, baseline_rows: int = 500) -> dict:
    from openpyxl import Workbook

    from xinfang_desktop.services.ledger import LedgerService, RawTable, read_table

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # Windows: SQLite may hold -wal a moment
        path = Path(tmp) / "ledger.xlsx"
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(["序号", "姓名", "身份证号码", "联系电话", "信访日期", "信访方式", "反映问题", "问题类别", "人数"])
        for r in ledger_rows(rows):
            ws.append(r)
        wb.save(path)
        t0 = time.perf_counter()
        table = read_table(path)
        t_read = time.perf_counter() - t0
        # Baseline in the same run: the per-row path on the first rows of the same file, scaled.
        head = RawTable(table.file_name, table.headers, table.rows[:min(baseline_rows, rows)], table.first_row_number)
        svc, actor = _fresh_office(Path(tmp) / "baseline")
        t0 = time.perf_counter()
        base_n = per_row_import(svc, actor, head)
        t_base = time.perf_counter() - t0
        svc.close()
        per_row_scaled = t_base * rows / max(1, len(head.rows))
        svc, actor = _fresh_office(Path(tmp) / "data")
        ledger = svc.get(LedgerService)
        t0 = time.perf_counter()
        plan = ledger.dry_run(actor, table)
        t_dry = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = ledger.run_import(actor, table, rejects_path=Path(tmp) / "rejects.xlsx")
        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ledger.run_import(actor, table)
        t_again = time.perf_counter() - t0
        svc.close()
    return {"ledger_rows": rows, "read_s": round(t_read, 2), "dry_run_s": round(t_dry, 2),
            "import_s": round(t_import, 2), "imported": result.imported, "rejected": result.rejected,
            "reimport_s": round(t_again, 2), "reimport_added": again.imported,
            "valid_in_plan": plan.count("ok"), "baseline_rows": len(head.rows), "baseline_imported": base_n,
            "baseline_per_row_s": round(t_base, 2), "baseline_per_row_scaled_s": round(per_row_scaled, 1),
            "speedup_vs_per_row": round(per_row_scaled / t_import, 1) if t_import else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--ledger-rows", type=int, default=50_000)
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--skip-stats", action="store_true", help="only the ledger import")
    args = ap.parse_args()
    out: dict = {}
    if not args.skip_stats:
        out.update(bench_stats(args.cases))
    if not args.skip_import:
        imp = bench_import(args.ledger_rows)
        print(f"ledger import {imp['ledger_rows']} rows: read {imp['read_s']} s, dry run {imp['dry_run_s']} s, "
              f"import {imp['import_s']} s ({imp['imported']} imported, {imp['rejected']} rejected), "
              f"re-import {imp['reimport_s']} s adding {imp['reimport_added']}")
        print(f"  baseline, the per-row path on the first {imp['baseline_rows']} rows: {imp['baseline_per_row_s']} s, "
              f"scaled to {imp['ledger_rows']} rows {imp['baseline_per_row_scaled_s']} s "
              f"(bulk is {imp['speedup_vs_per_row']}x faster)")
        out.update(imp)
    print(json.dumps(out, ensure_ascii=False))


def bench_stats(cases: int) -> dict:
    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.statistics import StatisticsService

    svc = open_bench_services(bench_db(cases))
    actor = bench_actor(svc)
    stats = svc.get(StatisticsService)
    today = svc.clock.today()
    year = st.custom(today - timedelta(days=364), today)
    month = st.month(*(today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12))
    stats.compute(actor, month, compare=False)          # warm the page cache once
    year_ms, result = timed(lambda: stats.compute(actor, year, compare=False), repeat=3)
    year_cmp_ms, _ = timed(lambda: stats.compute(actor, year, compare=True), repeat=1)
    print(f"year {year.label}: {result.total.batches} cases, {year_ms:.0f} ms (with the year before: {year_cmp_ms:.0f} ms)")
    # Where the time goes: the workflow and rates part (events of every case) against the rest.
    cohort_ms, _ = timed(lambda: stats._cohort(year.start, year.end, st.Scope(), today, repeats=0), repeat=1)
    print(f"  of which workflow figures and rates (events of each case): {cohort_ms:.0f} ms; "
          f"counts and tables: {max(0.0, year_ms - cohort_ms):.0f} ms")
    month_ms, mres = timed(lambda: stats.compute(actor, month, compare=False), repeat=3)
    naive_ms, n = timed(lambda: naive(svc, month), repeat=1)
    assert n == mres.total.batches
    print(f"month {month.label}: {n} cases, service {month_ms:.0f} ms, naive fold {naive_ms:.0f} ms")
    out = {"cases_in_db": cases, "year_cases": result.total.batches, "year_ms": round(year_ms),
           "year_with_comparison_ms": round(year_cmp_ms), "month_cases": n, "month_ms": round(month_ms),
           "month_naive_ms": round(naive_ms), "speedup_vs_naive": round(naive_ms / month_ms, 1),
           "year_rates_part_ms": round(cohort_ms), "year_counts_part_ms": round(max(0.0, year_ms - cohort_ms)),
           "goal_year_ms": 1000}
    svc.close()
    return out


if __name__ == "__main__":
    main()
