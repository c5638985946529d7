"""The statistics of a township by village (按村（社区）) against the same statistics without it.

    python benchmarks/stats_villages.py [--cases 100000]

Prints figures; the last line is one JSON object. The baseline, in the same run, is the township's
statistics as they were (compute without by_village) over the same year, month and database; the
ratio says what the village breakdown adds.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_actor, bench_db, open_bench_services, timed  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    args = ap.parse_args()

    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.statistics import StatisticsService

    svc = open_bench_services(bench_db(args.cases))
    actor = bench_actor(svc)
    stats = svc.get(StatisticsService)
    today = svc.clock.today()
    out: dict = {"cases_in_db": args.cases}
    for name, period in (("year", st.custom(today - timedelta(days=364), today)),
                         ("month", st.month(*(today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)))):
        stats.compute(actor, period, compare=False, by_village=True)          # warm the page cache once
        base_ms, base = timed(lambda: stats.compute(actor, period, compare=True), repeat=3)
        ms, got = timed(lambda: stats.compute(actor, period, compare=True, by_village=True), repeat=3)
        assert got.by_village.total == got.total == base.total
        print(f"{name} {period.label}: {got.total.batches} cases in {len(got.villages)} villages; "
              f"with the village breakdown {ms:.0f} ms, without (baseline) {base_ms:.0f} ms, ratio {ms / base_ms:.2f}")
        out.update({f"{name}_cases": got.total.batches, f"{name}_villages": len(got.villages),
                    f"{name}_by_village_ms": round(ms), f"{name}_baseline_ms": round(base_ms),
                    f"{name}_ratio": round(ms / base_ms, 2)})
    svc.close()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
