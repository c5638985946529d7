"""SQLite and PostgreSQL side by side in one run (issue 16): the same demo data on each engine, then
a 2-character name search (p95), a year's statistics, and registrations per second from 1 desk and from
4 desks (processes) at once.

    python benchmarks/engines.py [--cases 20000] [--samples 200] [--each 50] [--database URL]

Without --database a throwaway PostgreSQL cluster is started (tests/pgcluster.py: Debian's postgresql
package) and removed at the end; with it, URL must name an existing empty database. The issue's figures
are for a million cases (search) and 16 townships × 10,000 (import); the default here is smaller so that
a run fits a few minutes (the demo on PostgreSQL writes through its triggers: a million takes hours).
benchmarks/pg_scale.py loads a million into the search index in bulk for that figure, and times the city's
import of 16 × 10,000 against a COPY. Prints the figures; the last line is one JSON object. Goals: search
p95 ≤ 5 ms, a year's statistics ≤ 1 s, 4 desks ≥ 2.5× one desk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ADMIN, PASSWORD, ROOT, UNIT, bench_key  # noqa: E402

ENV = dict(os.environ, XINFANG_PASSWORD=PASSWORD)


def xinfang(data_dir: Path, *args: str, stdin: str | None = None) -> None:
    cmd = [sys.executable, "-c", "import sys; from xinfang_desktop.cli import main; sys.exit(main())",
           "--data-dir", str(data_dir), *args]
    subprocess.run(cmd, input=stdin, text=True, encoding="utf-8", check=True, cwd=ROOT, env=ENV,
                   stdout=subprocess.DEVNULL)


def build(folder: Path, cases: int, url: str | None) -> float:
    """A demo folder of ``cases`` matters on the engine; seconds the demo took."""
    extra = ["--database", url] if url else []
    xinfang(folder, "init", "--unit", UNIT, "--admin", ADMIN, *extra, stdin=PASSWORD + "\n")
    t0 = time.perf_counter()
    xinfang(folder, "--as", ADMIN, "demo", "--cases", str(cases), "--seed", "1")
    return time.perf_counter() - t0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure_reads(folder: Path, samples: int) -> dict:
    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.context import open_services
    from xinfang_desktop.services.permissions import Role
    from xinfang_desktop.services.statistics import StatisticsService
    from xinfang_desktop.store import search
    from xinfang_desktop.store.models import Person

    svc = open_services(folder, key=bench_key(folder), create=False)
    try:
        if getattr(svc.db, "engine", "sqlite") == "postgresql":
            svc.db.execute_sql("VACUUM ANALYZE")          # what autovacuum does on a server between loads
        names = sorted({p.name[:2] for p in Person.select(Person.name).limit(5000) if len(p.name) >= 2})
        picks = random.Random(7).choices(names, k=samples)
        search.search_sids(svc.db, picks[0])               # warm
        times = []
        for name in picks:
            t0 = time.perf_counter()
            search.search_sids(svc.db, name)
            times.append((time.perf_counter() - t0) * 1000)
        admin = svc.auth.user(ADMIN)
        stats = svc.get(StatisticsService)
        year = datetime.now().year
        stats.compute(admin, st.year(year))                 # warm
        t0 = time.perf_counter()
        stats.compute(admin, st.year(year))
        year_s = time.perf_counter() - t0
        for name, role in (("desk", Role.CLERK),):
            try:
                svc.auth.user(name)
            except Exception:
                svc.auth.add_user(admin, name, role, PASSWORD, "登记员")
        return {"search_p50_ms": round(percentile(times, 0.5), 2), "search_p95_ms": round(percentile(times, 0.95), 2),
                "year_statistics_s": round(year_s, 3)}
    finally:
        svc.close()


def desk(folder: str, desk_no: int, each: int) -> None:
    """One desk (its own process): ``each`` registrations, each routed, as fast as it can."""
    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.context import open_services

    svc = open_services(Path(folder), key=bench_key(Path(folder)), create=False)
    clerk, admin = svc.auth.user("desk"), svc.auth.user(ADMIN)
    start = time.time()            # after start-up and login: only the work is timed
    for i in range(each):
        reg = RegistrationInput(
            channel="走访", received_at=datetime.now().replace(microsecond=0),
            petitioners=[PetitionerInput(name="欧阳" + "甲乙丙丁"[desk_no % 4], phone=f"139{desk_no:04d}{i:04d}",
                                         township_code=UNIT)],
            category_code="0401", request="要求追讨拖欠的工资", facts="拖欠工资", reasons="催讨未果")
        ref = svc.cases.register(clerk, reg)
        svc.cases.act(admin, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    print(json.dumps([start, time.time()]))
    svc.close()


def registrations_per_second(folder: Path, desks: int, each: int) -> float | str:
    """All desks' registrations over the time from the first desk's start of work to the last one's end; the
    last line of a desk's error when one failed (SQLite's "database is locked" once a writer waited 5 s)."""
    procs = [subprocess.Popen([sys.executable, __file__, "--desk", str(folder), str(n), str(each)], cwd=ROOT, env=ENV,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for n in range(desks)]
    spans, failed = [], []
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            failed.append((err.strip().splitlines() or ["?"])[-1])
        else:
            spans.append(json.loads(out.strip().splitlines()[-1]))
    if failed:
        return f"{len(failed)} of {desks} desks failed: {failed[0]}"
    return desks * each / (max(e for _s, e in spans) - min(s for s, _e in spans))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--each", type=int, default=50, help="registrations per desk")
    ap.add_argument("--database", help="an existing empty PostgreSQL database (default: a throwaway cluster)")
    args = ap.parse_args()

    cluster = None
    url = args.database
    if not url:
        from tests.pgcluster import Cluster

        cluster = Cluster()
        url = cluster.new_database()
    out: dict[str, dict] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for engine, where in (("sqlite", None), ("postgresql", url)):
                folder = Path(tmp) / engine
                got = {"cases": args.cases, "demo_s": round(build(folder, args.cases, where), 1)}
                got.update(measure_reads(folder, args.samples))
                one = registrations_per_second(folder, 1, args.each)
                four = registrations_per_second(folder, 4, args.each)
                both = isinstance(one, float) and isinstance(four, float)
                got.update({"registrations_per_s_1_desk": round(one, 1) if isinstance(one, float) else one,
                            "registrations_per_s_4_desks": round(four, 1) if isinstance(four, float) else four,
                            "four_desks_over_one": round(four / one, 2) if both else None})
                out[engine] = got
                print(engine, got, flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--desk":
        desk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
