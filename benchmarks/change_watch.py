"""What the change watcher (gui/change_watch.py, store/changes.py) costs: one look on each engine, beside the
cheapest statement on the same connection (``SELECT 1``), and the registrations per second of 4 desks
(benchmarks/engines.py's desk processes) with and without watchers looking all the time, in the same run.

    python benchmarks/change_watch.py [--cases 2000] [--looks 2000] [--each 40] [--watchers 4] [--every 0.1]
                                      [--rounds 4] [--engines sqlite,postgresql]

The watchers look every ``--every`` seconds each (a desk looks every POLL_SECONDS = 3: 4 watchers at 0.1 s are
as many looks as 120 desks). The desk figures alternate (without, with, with, without, …) and the medians are
compared, as a ratio: on a shared machine single runs differ by more than the watchers could. Prints the
figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ADMIN, PASSWORD, bench_key, durations_ms, server_database  # noqa: E402
from engines import build, percentile, registrations_per_second  # noqa: E402


def probe_of(folder: Path):
    from xinfang_desktop.services.context import open_services
    from xinfang_desktop.store.changes import open_probe

    svc = open_services(folder, key=bench_key(folder), create=False)
    return svc, open_probe(svc.db)


def time_looks(folder: Path, looks: int) -> dict:
    """Microseconds per look (median, p95), and per ``SELECT 1`` on the probe's own connection."""
    svc, probe = probe_of(folder)
    try:
        probe.read()
        conn = probe._conn

        def timed(fn) -> list[float]:        # microseconds
            return [t * 1000 for t in durations_ms(fn, looks)]

        look = timed(probe.read)
        one = timed(lambda: conn.execute("SELECT 1").fetchone())
        return {"look_us_median": round(percentile(look, 0.5), 1), "look_us_p95": round(percentile(look, 0.95), 1),
                "select_1_us_median": round(percentile(one, 0.5), 1),
                "look_over_select_1": round(percentile(look, 0.5) / percentile(one, 0.5), 2)}
    finally:
        probe.close()
        svc.close()


class Watchers:
    """``n`` threads, each with its own probe (its own connection), looking every ``every`` seconds."""

    def __init__(self, folder: Path, n: int, every: float):
        self.folder, self.n, self.every = folder, n, every
        self.stop = threading.Event()
        self.looks = 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(n)]

    def _run(self) -> None:
        from xinfang_desktop.store.changes import open_probe
        from xinfang_desktop.store.models import database

        probe = open_probe(database.obj)
        try:
            while not self.stop.wait(self.every):
                probe.read()
                self.looks += 1
        finally:
            probe.close()

    def __enter__(self) -> "Watchers":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()


def desks_with_and_without(folder: Path, each: int, watchers: int, every: float, rounds: int) -> dict:
    from xinfang_desktop.services.permissions import Role

    svc, probe = probe_of(folder)          # binds the models' database for the watchers' probes
    probe.close()
    try:
        try:
            svc.auth.user("desk")
        except Exception:                  # the desks' clerk (benchmarks/engines.py makes it the same way)
            svc.auth.add_user(svc.auth.user(ADMIN), "desk", Role.CLERK, PASSWORD, "登记员")
        without, with_, looks = [], [], 0
        for n in range(rounds):
            for watched in ((False, True) if n % 2 == 0 else (True, False)):      # ABBA: no side always later
                w = Watchers(folder, watchers, every) if watched else None
                if w is not None:
                    w.__enter__()
                try:
                    got = registrations_per_second(folder, 4, each)
                finally:
                    if w is not None:
                        w.__exit__()
                        looks += w.looks
                if not isinstance(got, dict):
                    raise SystemExit(got)
                (with_ if watched else without).append(got["per_s"])
        return {"per_s_4_desks_without": [round(x, 1) for x in without],
                "per_s_4_desks_with_watchers": [round(x, 1) for x in with_],
                "with_over_without_median": round(statistics.median(with_) / statistics.median(without), 2),
                "watcher_looks": looks}
    finally:
        svc.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--looks", type=int, default=2000)
    ap.add_argument("--each", type=int, default=40, help="registrations per desk")
    ap.add_argument("--watchers", type=int, default=4)
    ap.add_argument("--every", type=float, default=0.1, help="seconds between one watcher's looks")
    ap.add_argument("--rounds", type=int, default=4, help="desk runs on each side (without, with), in ABBA order")
    ap.add_argument("--engines", default="sqlite,postgresql")
    ap.add_argument("--database", help="an existing empty PostgreSQL database (default: a throwaway cluster)")
    args = ap.parse_args()

    out: dict[str, dict] = {}
    with server_database(args.database) as url, tempfile.TemporaryDirectory() as tmp:
        for engine, where in (("sqlite", None), ("postgresql", url)):
            if engine not in args.engines.split(","):
                continue
            folder = Path(tmp) / engine
            build(folder, args.cases, where)
            got: dict = {"cases": args.cases}
            got.update(time_looks(folder, args.looks))
            got.update(desks_with_and_without(folder, args.each, args.watchers, args.every, args.rounds))
            out[engine] = got
            print(engine, got, flush=True)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
