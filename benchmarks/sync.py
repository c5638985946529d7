"""Sync figures: export time and bundle size for a township of N cases with their events; the city's
import rate for T townships x M cases beside a raw `executemany` insert of the same rows in the same run.

    python benchmarks/sync.py [--cases 100000] [--townships 16] [--per-township 10000]

The township is the demo database of benchmarks/common.py. The townships of the import run are that
demo data relabelled per township (own unit code, ids, case numbers) and signed with each one's key,
so the city checks, decrypts and applies real bundles. Keys are made in memory: the key store's
scrypt is not what is measured. Goal (issue 5): import at least 30% of the raw insert rate. The city on
PostgreSQL beside SQLite, against a raw COPY there: benchmarks/pg_scale.py import.
Prints the figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_db, new_bench_services, open_bench_services  # noqa: E402

CITY = "350881000000"


def _keys(code: str, name: str, role: str):
    from xinfang_desktop.sync.keys import generate_keys

    return generate_keys(code, name, role, encryption=True)


def _city(folder: Path, clock_now: datetime, url: str | None = None):
    from xinfang_desktop.services.clock import FixedClock
    svc = new_bench_services(folder, FixedClock(clock_now), url)
    admin = svc.auth.initialize(CITY, "admin", "bench-password-1", "市局管理员")
    return svc, admin


def server_cpu(db) -> float:
    """CPU seconds of the PostgreSQL server process serving `db` so far, when it runs on this machine (Linux's
    /proc); 0 for SQLite, which works in this process (counted by time.process_time)."""
    if getattr(db, "engine", "sqlite") != "postgresql":
        return 0.0
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def export_run(cases: int) -> dict:
    from xinfang_desktop.services.sync import KeyRing, SyncService
    from xinfang_desktop.sync.keys import export_public

    source = bench_db(cases)
    work = Path(tempfile.mkdtemp(prefix="xf-sync-export-"))
    try:
        shutil.copytree(source, work / "town", ignore=shutil.ignore_patterns("complete"))
        svc = open_bench_services(work / "town")
        unit = svc.auth.unit()
        town_keys = _keys(unit.code, unit.name, "township")
        city_keys = _keys(CITY, "漳平市信访局", "city")
        sync = svc.get(SyncService)
        actor = svc.auth.first_admin()
        sync.enrol(actor, export_public(city_keys), city_keys.public().signing_fingerprint)
        events = svc.db.execute_sql("SELECT COUNT(*) FROM case_event").fetchone()[0]
        t0 = time.perf_counter()
        rows = sync.export(actor, KeyRing(town_keys))
        seconds = time.perf_counter() - t0
        size = sum(len(bytes(r.data)) for r in rows)
        records = sum(r.record_count for r in rows)
        svc.close()
        return {"cases": cases, "events": events, "records": records, "bundles": len(rows),
                "export_s": round(seconds, 2), "bundle_mb": round(size / 1e6, 2),
                "bytes_per_case": round(size / cases)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _records_of(svc) -> list[dict]:
    from xinfang_desktop.services.sync.records import row_encoder, select_sql

    out = []
    for tag in ("person", "case", "case_party", "case_event"):
        enc = row_encoder(tag)
        out += [enc(r) for r in svc.db.execute_sql(select_sql(tag)).fetchall()]
    return out


def _relabel(records: list[dict], old_unit: str, new_unit: str) -> list[dict]:
    """The same rows as another township's: ids, owner, case numbers and references rewritten."""
    ns = uuid.UUID(int=int(new_unit))

    def nid(old: str) -> str:
        return str(uuid.uuid5(ns, old))

    out = []
    for r in records:
        x = dict(r, id=nid(r["id"]), unit_code=new_unit)
        for ref in ("case_id", "person_id", "repeat_of"):
            if x.get(ref):
                x[ref] = nid(x[ref])
        if x["t"] == "case":
            x["number"] = new_unit[:9] + x["number"][9:]
            x["township_code"] = new_unit
        if x["t"] == "person":
            x["township_code"] = new_unit
        out.append(x)
    return out


def import_run(townships: int, per_township: int, city_mode=contextlib.nullcontext,
               urls: tuple[str, str] | None = None, then=None) -> dict:
    """The city's import of `townships` bundles of `per_township` cases each, beside a raw baseline.
    `city_mode`: a context the city's side runs in (benchmarks/encryption.py's plaintext mode); the
    records are read from the (encrypted) source outside it. `urls`: two empty PostgreSQL databases, the
    city's and the baseline's; the baseline is then a COPY of the same rows (PostgreSQL's fastest load).
    `then(services, admin)`: more figures taken on the city's database after the import (under "then")."""
    from xinfang_desktop.services.sync import KeyRing, SyncService
    from xinfang_desktop.services.sync.record_checks import decode
    from xinfang_desktop.services.sync.records import CASE_DERIVED, TYPES, insert_params, insert_sql
    from xinfang_desktop.store.models import database
    from xinfang_desktop.sync.bundle import Party, build_bundle, new_header
    from xinfang_desktop.sync.keys import export_public

    source = bench_db(per_township)
    work = Path(tempfile.mkdtemp(prefix="xf-sync-import-"))
    mode = None
    try:
        # A copy: opening a database may run schema steps, and the shared one is never written.
        shutil.copytree(source, work / "source", ignore=shutil.ignore_patterns("complete"))
        src = open_bench_services(work / "source")
        base_unit = src.auth.unit_code()
        base = _records_of(src)
        src.close()
        shutil.rmtree(work / "source", ignore_errors=True)
        mode = city_mode()
        mode.__enter__()
        city_keys = _keys(CITY, "漳平市信访局", "city")
        city, admin = _city(work / "city", datetime.now().replace(microsecond=0), urls and urls[0])
        sync = city.get(SyncService)
        codes = [f"3508819{i:02d}000" for i in range(townships)]
        files = []
        rows = 0
        t_build = time.perf_counter()
        for code in codes:
            keys = _keys(code, f"测试乡镇{code[7:9]}", "township")
            sync.enrol(admin, export_public(keys), keys.public().signing_fingerprint)
            records = _relabel(base, base_unit, code)
            rows += len(records)
            header = new_header(kind="data", sender=Party(code, keys.key_id), recipient=Party(CITY, city_keys.key_id),
                                epoch=1, seq=1, prev="genesis", schema_version=6, code_tables={})
            path = work / "stick" / f"{code}_1_00000001.xfb"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(build_bundle(header, records, {}, keys.signing_key,
                                          [city_keys.public().encryption_recipient]))
            files.append(path)
        build_s = time.perf_counter() - t_build
        t0, c0 = time.perf_counter(), time.process_time() + server_cpu(city.db)
        results = sync.import_files(admin, KeyRing(city_keys), files)
        import_s, import_cpu = time.perf_counter() - t0, time.process_time() + server_cpu(city.db) - c0
        assert all(r.outcome == "applied" for r in results), [r.message for r in results]
        cases = city.db.execute_sql('SELECT COUNT(*) FROM "case"').fetchone()[0]
        after = then(city, admin) if then else None
        city.close()

        # Raw baseline: the same rows, decoded outside the clock, into an empty database of the same
        # schema with plain executemany in one transaction (township by township, to bound memory).
        raw_svc, _ = _city(work / "raw", datetime.now().replace(microsecond=0), urls and urls[1])
        database.initialize(raw_svc.db)
        conn = raw_svc.db.connection()
        raw_s = raw_cpu = 0.0
        sid = 0
        with raw_svc.db.atomic():
            for code in codes:
                decoded = {tag: [] for tag in TYPES}
                for r in _relabel(base, base_unit, code):
                    d = decode(r)
                    decoded[d.tag].append(d)
                batches = []
                for tag, items in decoded.items():
                    params = []
                    for d in items:
                        if tag == "case":
                            sid += 1
                            # the derived columns as the sender sent them (the local ones at their defaults)
                            sent = tuple(d.values.get(c, 0 if c == "stat_flags" else None) for c in CASE_DERIVED)
                            params.append(insert_params(d, sid, sent))
                        else:
                            params.append(insert_params(d))
                    batches.append((insert_sql(tag), params))
                del decoded
                t1, c1 = time.perf_counter(), time.process_time() + server_cpu(raw_svc.db)
                for sql, params in batches:
                    if params and urls:
                        # COPY "t" (columns) FROM STDIN: the insert's own table and columns
                        with conn.cursor().copy(sql.split(" VALUES ")[0].replace("INSERT INTO", "COPY", 1)
                                                + " FROM STDIN") as copy:
                            for row in params:
                                copy.write_row(row)
                    elif params:
                        conn.executemany(sql, params)
                raw_s += time.perf_counter() - t1
                raw_cpu += time.process_time() + server_cpu(raw_svc.db) - c1
        raw_svc.close()
        return {"engine": "postgresql" if urls else "sqlite", "baseline": "COPY" if urls else "executemany",
                "townships": townships, "cases_per_township": per_township, "cases": cases, "rows": rows,
                "bundle_build_s": round(build_s, 1), "import_s": round(import_s, 2),
                "import_rows_per_s": round(rows / import_s), "raw_s": round(raw_s, 2),
                "raw_rows_per_s": round(rows / raw_s), "import_vs_raw": round(raw_s / import_s, 3),
                # CPU time too: on a machine busy with other work the wall-clock ratio swings widely
                # (on PostgreSQL this process's and its server process's, when the server is on this machine).
                "import_cpu_s": round(import_cpu, 2), "raw_cpu_s": round(raw_cpu, 2),
                "import_vs_raw_cpu": round(raw_cpu / import_cpu, 3), **({"then": after} if then else {})}
    finally:
        if mode is not None:
            mode.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--townships", type=int, default=16)
    ap.add_argument("--per-township", type=int, default=10_000)
    ap.add_argument("--skip-export", action="store_true")
    ap.add_argument("--skip-import", action="store_true")
    args = ap.parse_args()
    out: dict = {}
    if not args.skip_export:
        out["export"] = export_run(args.cases)
        e = out["export"]
        print(f"export: {e['cases']} cases, {e['events']} events, {e['records']} records in {e['bundles']} bundle(s): "
              f"{e['export_s']} s, {e['bundle_mb']} MB ({e['bytes_per_case']} bytes per case)")
    if not args.skip_import:
        out["import"] = i = import_run(args.townships, args.per_township)
        print(f"import: {i['townships']} townships x {i['cases_per_township']} cases = {i['rows']} rows: "
              f"{i['import_s']} s ({i['import_rows_per_s']} rows/s); raw executemany {i['raw_s']} s "
              f"({i['raw_rows_per_s']} rows/s); import at {i['import_vs_raw']:.0%} of raw (goal >= 30%); "
              f"by CPU time {i['import_cpu_s']} s vs {i['raw_cpu_s']} s = {i['import_vs_raw_cpu']:.0%}")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
