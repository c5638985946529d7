"""Issue 16's figures at their full size, PostgreSQL beside SQLite in one run: a 2-character name search
at up to a million cases, and the city's import of 16 townships × 10,000 cases against a raw COPY.

    python benchmarks/pg_scale.py search [--sizes 100000,300000,1000000] [--samples 200]
    python benchmarks/pg_scale.py import [--townships 16] [--per-township 10000]

search: the search index of N cases is loaded in bulk, not through N registrations: N demo-like matters
(the demo's names, ID numbers, phones, case numbers, query codes and requests) are tokenised by the
index's own code (store/search.document_tokens) once, into a scratch file, and the same rows go into
each engine — SQLite's FTS5 table with one executemany in one transaction, PostgreSQL's tsvector table
by COPY into a scratch table and the index's own expression, the GIN index built after the load. Then
the p50 and p95 of `store.search.search_sids` for the 2-character starts of the matters' names. Goal:
p95 ≤ 5 ms at 1,000,000. Several sizes show the trend when the largest does not fit the time.

import: benchmarks/sync.import_run on each engine: real signed, encrypted bundles imported by the city,
beside the same rows written raw into an empty database of the same schema (SQLite: executemany;
PostgreSQL: COPY). Goal: import ≥ 30% of the raw rate. CPU figures count this process and, on
PostgreSQL, its server process, so they hold when the machine is busy. Then, on the city's database, a
year's statistics (goal ≤ 1 s), and their cohort query summed with SUM(condition) as it was beside the
COUNT(CASE …) it is now.

A throwaway PostgreSQL cluster (tests/pgcluster.py) is started and removed. The machine's load moves
every figure: read the ratios, each taken in the same run. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import new_bench_services  # noqa: E402
from engines import percentile  # noqa: E402

_CHUNK = 50_000


def write_documents(path: Path, cases: int, services, seed: int = 1) -> tuple[list[str], float]:
    """`cases` lines "sid<TAB>tokens" of demo-like matters in `path`; the names of the first few thousand
    (the search terms are their first two characters) and the seconds the tokenising took."""
    from xinfang_desktop.domain.numbers import format_case_number
    from xinfang_desktop.services.demo import REQUESTS, _Gen
    from xinfang_desktop.store import search

    rng = random.Random(seed)
    gen = _Gen(rng, date.today(), services.categories, services.divisions)
    requests = [r for rs in REQUESTS.values() for r in rs]
    names: list[str] = []
    t0 = time.perf_counter()
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for sid in range(1, cases + 1):
            group = rng.random() < 0.06
            people = [gen.name() for _ in range(rng.randint(2, 6) if group else 1)]
            if len(names) < 5000:
                names.extend(people)
            birth = date(rng.randint(1940, 2002), rng.randint(1, 12), rng.randint(1, 28))
            doc = search.SearchDoc(
                names=people, id_numbers=[gen.id_number(birth, rng.random() < 0.55)] if rng.random() < 0.85 else [],
                phones=[gen.phone()] if rng.random() < 0.9 else [],
                case_number=format_case_number("350881102000", 2020 + sid % 7, sid), query_code=gen.query_code(),
                request=rng.choice(requests))
            out.write(f"{sid}\t{search.document_tokens(doc)}\n")
    return names, time.perf_counter() - t0


def _chunks(path: Path):
    with open(path, encoding="utf-8") as f:
        rows: list[tuple[int, str]] = []
        for line in f:
            sid, tokens = line.rstrip("\n").split("\t", 1)
            rows.append((int(sid), tokens))
            if len(rows) == _CHUNK:
                yield rows
                rows = []
        if rows:
            yield rows


def load(db, path: Path) -> float:
    """The documents of `path` into the search index of `db`; seconds."""
    from xinfang_desktop.store import pg_schema, search

    t0 = time.perf_counter()
    if getattr(db, "engine", "sqlite") != "postgresql":
        with db.atomic():
            for rows in _chunks(path):
                search.index_rows(db, rows)
        return time.perf_counter() - t0
    conn = db.connection()
    with db.atomic():
        db.execute_sql("DROP INDEX IF EXISTS case_search_tokens")       # built once at the end: faster
        db.execute_sql("CREATE TEMPORARY TABLE search_load (sid INTEGER, tokens TEXT) ON COMMIT DROP")
        with open(path, "rb") as f, conn.cursor().copy("COPY search_load (sid, tokens) FROM STDIN") as copy:
            while block := f.read(1 << 20):
                copy.write(block)
        # the same expression as store/search.index_rows
        db.execute_sql("INSERT INTO case_search (sid, tokens) "
                       "SELECT sid, array_to_tsvector(string_to_array(tokens, ' ')) FROM search_load")
        db.execute_sql("SET LOCAL maintenance_work_mem = '256MB'")
        pg_schema.create_search(db)
    db.execute_sql("VACUUM ANALYZE case_search")
    return time.perf_counter() - t0


def measure(db, names: list[str], samples: int) -> dict:
    from xinfang_desktop.store import search

    starts = sorted({n[:2] for n in names if len(n) >= 2})
    picks = random.Random(7).choices(starts, k=samples)
    for name in picks[:20]:                    # warm: the pages a clerk's first searches bring in
        search.search_sids(db, name)
    times, hits = [], 0
    for name in picks:
        t0 = time.perf_counter()
        found = search.search_sids(db, name)
        times.append((time.perf_counter() - t0) * 1000)
        hits += len(found)
    assert hits, "no search found anything: the index was not loaded"
    out = {"search_p50_ms": round(percentile(times, 0.5), 2), "search_p95_ms": round(percentile(times, 0.95), 2),
           "hits_per_search": round(hits / len(picks), 1)}
    if getattr(db, "engine", "sqlite") == "postgresql":
        # The server's own time for the same searches (EXPLAIN ANALYZE's execution time, a second pass): what
        # the query costs, apart from the round trip and the wait for a core on a busy machine.
        server = []
        for name in picks:
            plan = db.execute_sql("EXPLAIN (ANALYZE, FORMAT JSON) SELECT sid FROM case_search WHERE tokens @@ ?::tsquery "
                                  "ORDER BY sid DESC LIMIT 200",
                                  (search.ts_query(search.query_expression(name)),)).fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            server.append(plan[0]["Execution Time"])
        out.update(server_p50_ms=round(percentile(server, 0.5), 2), server_p95_ms=round(percentile(server, 0.95), 2))
    return out


def search_run(sizes: list[int], samples: int, cluster) -> list[dict]:
    out = []
    work = Path(tempfile.mkdtemp(prefix="xf-pgscale-"))
    try:
        for n in sizes:
            docs = work / f"docs-{n}.tsv"
            got: dict = {"cases": n}
            names: list[str] = []
            for engine in ("sqlite", "postgresql"):
                folder = work / f"{engine}-{n}"
                svc = new_bench_services(folder, url=cluster.new_database() if engine == "postgresql" else None)
                try:
                    if not names:
                        names, got["tokenise_s"] = write_documents(docs, n, svc)
                        got["tokenise_s"] = round(got["tokenise_s"], 1)
                    got[f"{engine}_load_s"] = round(load(svc.db, docs), 1)
                    got.update({f"{engine}_{k}": v for k, v in measure(svc.db, names, samples).items()})
                finally:
                    svc.close()
                shutil.rmtree(folder, ignore_errors=True)
            docs.unlink()
            got["p95_pg_over_sqlite"] = round(got["postgresql_search_p95_ms"] / got["sqlite_search_p95_ms"], 2)
            print(f"search at {n} cases: SQLite p50 {got['sqlite_search_p50_ms']} ms, p95 {got['sqlite_search_p95_ms']} ms"
                  f" (load {got['sqlite_load_s']} s); PostgreSQL p50 {got['postgresql_search_p50_ms']} ms, p95 "
                  f"{got['postgresql_search_p95_ms']} ms (load {got['postgresql_load_s']} s; the server's own time p50 "
                  f"{got['postgresql_server_p50_ms']} ms, p95 {got['postgresql_server_p95_ms']} ms); p95 PostgreSQL/SQLite "
                  f"{got['p95_pg_over_sqlite']} (goal p95 <= 5 ms)", flush=True)
            out.append(got)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


# The cohort query of services/statistics._cohort as it was, with SUM(condition) (PostgreSQL: the SQL-function
# aggregate of store/pg_schema), the baseline of its COUNT(CASE WHEN condition THEN 1 END) today.
_COHORT = ("SELECT b.flags, COUNT(*), {} FROM stat_flag b JOIN case_fact f INDEXED BY case_fact_flags "
           "ON f.flags = b.flags AND f.day >= ? AND f.day <= ? GROUP BY b.flags")
_CONDITIONS = ("f.next_due < ?", "f.open_limit < ?", "f.open_limit >= ?", "f.replied_on < ?", "f.accept_limit < ?",
               "f.accept_limit >= ?")


def year_statistics(services, admin) -> dict:
    """A year's statistics (with the year-earlier comparison, as the page shows them) on the city's database
    after the import: the median of 3 runs, and the cohort query summed both ways."""
    from datetime import timedelta

    from common import timed
    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.statistics import StatisticsService

    if getattr(services.db, "engine", "sqlite") == "postgresql":
        services.db.execute_sql("VACUUM ANALYZE")
    stats = services.get(StatisticsService)
    today = services.clock.today()
    period = st.year(today.year)
    stats.compute(admin, period)                                          # warm
    year_ms, result = timed(lambda: stats.compute(admin, period), repeat=3)
    window = (today - timedelta(days=st.RATING_WINDOW_DAYS)).isoformat()
    params = [today.isoformat()] * 3 + [window] + [today.isoformat()] * 2 + [period.start.isoformat(),
                                                                              period.end.isoformat()]
    got = {}
    for name, form in (("sum", "SUM({})"), ("count_case", "COUNT(CASE WHEN {} THEN 1 END)")):
        sql = _COHORT.format(", ".join(form.format(c) for c in _CONDITIONS))
        ms, rows = timed(lambda: services.db.execute_sql(sql, params).fetchall(), repeat=3)
        got[name] = (ms, sorted(tuple(x or 0 for x in r) for r in rows))
    assert got["sum"][1] == got["count_case"][1], "the two forms of the cohort query disagree"
    return {"year_cases": result.total.batches, "year_statistics_s": round(year_ms / 1000, 3),
            "cohort_sum_ms": round(got["sum"][0], 1), "cohort_count_case_ms": round(got["count_case"][0], 1),
            "cohort_sum_over_count_case": round(got["sum"][0] / got["count_case"][0], 1)}


def import_runs(townships: int, per_township: int, cluster) -> dict:
    import sync

    out = {}
    for engine in ("sqlite", "postgresql"):
        urls = (cluster.new_database(), cluster.new_database()) if engine == "postgresql" else None
        i = out[engine] = sync.import_run(townships, per_township, urls=urls, then=year_statistics)
        print(f"import on {engine}: {i['townships']} townships x {i['cases_per_township']} cases = {i['rows']} rows: "
              f"{i['import_s']} s ({i['import_rows_per_s']} rows/s); raw {i['baseline']} {i['raw_s']} s "
              f"({i['raw_rows_per_s']} rows/s); import at {i['import_vs_raw']:.0%} of raw (goal >= 30%); "
              f"by CPU time {i['import_cpu_s']} s vs {i['raw_cpu_s']} s = {i['import_vs_raw_cpu']:.0%}", flush=True)
        y = i["then"]
        print(f"a year's statistics on {engine} over the city's {i['cases']} cases ({y['year_cases']} in the year): "
              f"{y['year_statistics_s']} s (goal <= 1 s); its cohort query with SUM(condition) {y['cohort_sum_ms']} ms, "
              f"with COUNT(CASE ...) {y['cohort_count_case_ms']} ms = {y['cohort_sum_over_count_case']}x", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="*", choices=["search", "import"], default=["search", "import"])
    ap.add_argument("--sizes", default="100000,300000,1000000", help="cases, comma-separated (search)")
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--townships", type=int, default=16)
    ap.add_argument("--per-township", type=int, default=10_000)
    args = ap.parse_args()
    from tests.pgcluster import Cluster

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))     # a stopped run removes its cluster too
    cluster = Cluster()
    out: dict = {}
    try:
        if "search" in args.what:
            out["search"] = search_run([int(x) for x in args.sizes.split(",")], args.samples, cluster)
        if "import" in args.what:
            out["import"] = import_runs(args.townships, args.per_township, cluster)
    finally:
        cluster.stop()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
