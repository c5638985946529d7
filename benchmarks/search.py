"""Search on a million cases: a 2-character name, an ID number and pinyin initials, each beside the
same query done as a LIKE '%…%' scan in the same run.

    python benchmarks/search.py [--cases 1000000] [--samples 200] [--skip-demo-timing]

Prints the figures; the last line is one JSON object. Goals (issue 2): 2-character name search
p95 ≤ 5 ms and at least 20× faster than the scan; `demo --cases 100000` in under 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, bench_db, open_bench_services  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_timed(fn, inputs) -> list[float]:
    out = []
    for x in inputs:
        t0 = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def demo_100k_seconds() -> tuple[float, float]:
    """Wall and CPU seconds of `xinfang demo --cases 100000` into a fresh folder."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", "import sys; from xinfang_desktop.cli import main; sys.exit(main())",
               "--data-dir", tmp]
        subprocess.run([*cmd, "init", "--unit", "350881102000", "--admin", "admin"], input="bench-password-1\n",
                       text=True, encoding="utf-8", check=True, capture_output=True, cwd=ROOT)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([*cmd, "demo", "--cases", "100000", "--seed", "2"], check=True, capture_output=True, cwd=ROOT,
                       env=dict(os.environ, XINFANG_PASSWORD="bench-password-1"))
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--skip-demo-timing", action="store_true")
    args = ap.parse_args()

    data = bench_db(args.cases)
    build_note = (data / "complete").read_text(encoding="utf-8").strip()
    print(f"database: {data.name} ({build_note}); {os.path.getsize(data / 'xinfang.sqlite3') / 1e6:.0f} MB")

    from xinfang_desktop.store import search

    svc = open_bench_services(data)
    db = svc.db
    rng = random.Random(7)
    names2 = [r[0] for r in db.execute_sql(
        "SELECT name FROM person WHERE length(name) = 2 ORDER BY random() LIMIT ?", (args.samples,))]
    ids = [r[0] for r in db.execute_sql(
        "SELECT id_number FROM person WHERE id_number IS NOT NULL ORDER BY random() LIMIT ?", (args.samples,))]
    initials = [search.name_pinyin(n)[1][0] for n in rng.sample(names2, min(len(names2), args.samples))]

    like_sql = ('SELECT c.number, c.parties_label FROM person p JOIN case_party cp ON cp.person_id = p.id '
                'JOIN "case" c ON c.id = cp.case_id WHERE p.{col} LIKE ? ORDER BY c.sid DESC LIMIT 50')

    def fts(q: str):
        return svc.queries.search(q, limit=50)

    def like(col: str):
        return lambda q: db.execute_sql(like_sql.format(col=col), (f"%{q}%",)).fetchall()

    # Warm both paths once (page cache), then measure.
    fts(names2[0]), like("name")(names2[0])
    results: dict[str, float] = {}
    for label, inputs, col in (("name2", names2, "name"), ("id_number", ids, "id_number"),
                               ("initials", initials, None)):
        t_cold = run_timed(fts, inputs)      # first touch of these rows' pages
        t_fts = run_timed(fts, inputs)       # the same queries again, pages cached (the headline)
        results[f"{label}_cold_p95_ms"] = round(percentile(t_cold, 0.95), 2)
        n_like = max(5, len(inputs) // 20)   # the scan is slow: fewer samples
        if col is not None:
            t_like = run_timed(like(col), inputs[:n_like])
        else:
            # No column holds initials: the scan baseline is the name LIKE on the same people.
            t_like = run_timed(like("name"), names2[:n_like])
        results[f"{label}_p50_ms"] = round(percentile(t_fts, 0.5), 2)
        results[f"{label}_p95_ms"] = round(percentile(t_fts, 0.95), 2)
        results[f"{label}_like_p50_ms"] = round(percentile(t_like, 0.5), 1)
        results[f"{label}_like_p95_ms"] = round(percentile(t_like, 0.95), 1)
        results[f"{label}_speedup_p95"] = round(percentile(t_like, 0.95) / max(percentile(t_fts, 0.95), 1e-6), 1)
        print(f"{label:10s} search p50 {results[f'{label}_p50_ms']:7.2f} ms  p95 {results[f'{label}_p95_ms']:7.2f} ms"
              f"   LIKE scan p50 {results[f'{label}_like_p50_ms']:8.1f} ms  p95 {results[f'{label}_like_p95_ms']:8.1f} ms"
              f"   speed-up (p95) ×{results[f'{label}_speedup_p95']}   (first-touch p95 "
              f"{results[f'{label}_cold_p95_ms']:.2f} ms)")
    hits = statistics.mean(len(fts(q)) for q in names2[:20])
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores during the run")
    print(f"mean hits per 2-character name (capped at 50): {hits:.1f}")
    svc.close()

    if not args.skip_demo_timing:
        wall, cpu = demo_100k_seconds()
        results["demo_100k_wall_s"] = round(wall, 1)
        results["demo_100k_cpu_s"] = round(cpu, 1)
        print(f"xinfang demo --cases 100000: {wall:.1f} s wall, {cpu:.1f} s CPU (load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    results["cases"] = args.cases
    print(json.dumps(results))


if __name__ == "__main__":
    main()
