"""Encryption at rest: the same work on the same data, encrypted (SQLCipher, as the product runs) against a
plaintext copy of the same database, in the same run, and the ratio of the two.

    python benchmarks/encryption.py [--cases 1000000] [--board-cases 10000] [--townships 4] [--skip-import]

The plaintext copy is made with sqlcipher_export and opened with the key left out (a benchmark-only
switch: the product has no plaintext mode). Measured: 2-character name search (p95) at --cases, the case
list opened and filtered, a year's statistics, the board and the receipt at --board-cases, the city's
import of --townships × 10,000 cases, the cold start of the window (a new process up to a painted main
window), and opening the folder with a password (argon2id unwrap included). Goal (issue 12): each within
1.25× of plaintext; opening under 0.5 s. Prints the figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ADMIN, PASSWORD, ROOT, bench_db, bench_key, durations_ms  # noqa: E402

DB = "xinfang.sqlite3"


@contextlib.contextmanager
def plaintext_mode() -> Iterator[None]:
    """Connections opened meanwhile skip the key: the plaintext baseline (never used by the product)."""
    from xinfang_desktop.store import db as dbmod

    real_connect, real_plain = dbmod.connect, dbmod.is_plaintext

    def plain(path, _key, **kwargs):
        return dbmod.sqlcipher.connect(str(path), **kwargs)

    dbmod.connect, dbmod.is_plaintext = plain, (lambda _p: False)
    try:
        yield
    finally:
        dbmod.connect, dbmod.is_plaintext = real_connect, real_plain


def plaintext_copy(folder: Path, target: Path) -> Path:
    """The same database without encryption (and the keyring, so the same code opens it)."""
    from xinfang_desktop.store import db as dbmod

    target.mkdir(parents=True, exist_ok=True)
    (target / DB).unlink(missing_ok=True)
    con = dbmod.connect(folder / DB, bench_key(folder))
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        con.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target / DB),))
        con.execute("SELECT sqlcipher_export('plain')")
        con.execute(f"PRAGMA plain.user_version = {int(version)}")
        con.execute("DETACH DATABASE plain")
    finally:
        con.close()
    shutil.copy2(folder / "keyring.json", target / "keyring.json")
    return target


def open_as(folder: Path, plain: bool):
    from xinfang_desktop.services.context import open_services

    key = bench_key(folder)
    if plain:
        with plaintext_mode():
            return open_services(folder, key=key, create=False)
    return open_services(folder, key=key, create=False)


ms = durations_ms


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def both(name: str, run: Callable[[bool], float], results: dict) -> None:
    """``run(plain)`` gives one figure (ms); encrypted and plaintext alternate, median of each kept."""
    enc, pla = [], []
    for _ in range(3):
        pla.append(run(True))
        enc.append(run(False))
    e, p = statistics.median(enc), statistics.median(pla)
    results[name] = {"encrypted_ms": round(e, 2), "plaintext_ms": round(p, 2), "ratio": round(e / p, 3)}
    print(f"{name:32s} encrypted {e:9.2f} ms   plaintext {p:9.2f} ms   ×{e / p:.2f}")


def on_services(folder: Path, plain: bool, fn: Callable) -> float:
    svc = open_as(folder, plain)
    try:
        if plain:
            with plaintext_mode():
                return fn(svc)
        return fn(svc)
    finally:
        svc.close()


def search_p95(svc, names: list[str]) -> float:
    for n in names[:20]:
        svc.queries.search(n)                   # warm
    return p95([t for n in names for t in ms(lambda n=n: svc.queries.search(n), 1)])


def case_list(svc) -> float:
    from xinfang_desktop.services.queries import CaseFilter

    def go() -> None:
        svc.queries.page(CaseFilter(), sort="received_at", descending=True, limit=200)
        svc.queries.count(CaseFilter())
        svc.queries.page(CaseFilter(statuses=("handling",)), sort="next_due", limit=200)
        svc.queries.count(CaseFilter(statuses=("handling",)))
    go()
    return statistics.median(ms(go, 5))


def year_stats(svc) -> float:
    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.statistics import StatisticsService

    actor = svc.auth.user(ADMIN)
    year = date.today().year - 1
    period = st.custom(date(year, 1, 1), date(year, 12, 31))
    service = svc.get(StatisticsService)
    run = lambda: service.compute(actor, period, st.Scope(), compare=True)   # noqa: E731
    run()
    return statistics.median(ms(run, 3))


def board(svc) -> float:
    from xinfang_desktop.services.board import BoardService

    actor = svc.auth.user(ADMIN)
    service = svc.get(BoardService)
    service.board(actor)
    return statistics.median(ms(lambda: service.board(actor), 3))


def receipt(svc) -> float:
    from xinfang_desktop.services.printing import PrintService

    actor = svc.auth.user(ADMIN)
    number = svc.db.execute_sql('SELECT number FROM "case" ORDER BY sid DESC LIMIT 1').fetchone()[0]
    service = svc.get(PrintService)
    service.render(actor, number, "receipt")
    return statistics.median(ms(lambda: service.render(actor, number, "receipt"), 10))


PROBE = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from PySide6.QtWidgets import QApplication
from xinfang_desktop.gui.app import make_app
app = make_app(sys.argv[:1])
import encryption as e
from xinfang_desktop.gui.context import AppContext
from xinfang_desktop.gui.main_window import MainWindow
from xinfang_desktop.gui.tasks import TaskRunner
from xinfang_desktop.services.access import unlock
from common import ADMIN, PASSWORD
folder, plain = sys.argv[1], sys.argv[2] == "plain"
ctx = e.plaintext_mode() if plain else __import__("contextlib").nullcontext()
with ctx:
    opened = unlock(folder, ADMIN, PASSWORD)
    w = MainWindow(AppContext(opened.services, TaskRunner(inline=True), opened.actor))
    w.show()
    QApplication.processEvents()
print(time.perf_counter() - t0)
"""


def cold_start(folder: Path, plain: bool) -> float:
    code = PROBE.format(root=str(ROOT), bench=str(Path(__file__).resolve().parent))
    env = dict(__import__("os").environ, QT_QPA_PLATFORM="offscreen")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(folder), "plain" if plain else "enc"], check=True,
                   capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--board-cases", type=int, default=10_000)
    ap.add_argument("--townships", type=int, default=4)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--skip-import", action="store_true")
    args = ap.parse_args()
    results: dict = {}
    work = Path(tempfile.mkdtemp(prefix="xf-encryption-"))
    try:
        big = bench_db(args.cases)
        big_plain = plaintext_copy(big, work / "big-plain")
        svc = open_as(big, False)
        rng = random.Random(7)
        names = [r[0] for r in svc.db.execute_sql(
            "SELECT name FROM person WHERE length(name) = 2 ORDER BY random() LIMIT ?", (args.samples * 2,))]
        svc.close()
        names = rng.sample(names, min(args.samples, len(names)))
        print(f"{args.cases} cases: {(big / DB).stat().st_size / 1e6:.0f} MB encrypted, "
              f"{(big_plain / DB).stat().st_size / 1e6:.0f} MB plaintext")
        both("name search, 2 chars, p95", lambda plain: on_services(big_plain if plain else big, plain,
                                                                    lambda s: search_p95(s, names)), results)
        both("case list open and filter", lambda plain: on_services(big_plain if plain else big, plain, case_list),
             results)
        both("a year's statistics", lambda plain: on_services(big_plain if plain else big, plain, year_stats),
             results)
        small = bench_db(args.board_cases)
        small_plain = plaintext_copy(small, work / "small-plain")
        both(f"board ({args.board_cases} cases)", lambda plain: on_services(small_plain if plain else small, plain,
                                                                             board), results)
        both("receipt rendering", lambda plain: on_services(small_plain if plain else small, plain, receipt),
             results)
        both("cold start to the main window", lambda plain: cold_start(small_plain if plain else small, plain),
             results)
        if not args.skip_import:
            import sync

            def city_import(plain: bool) -> float:
                # the township's records are read from the encrypted folder; only the city's side differs
                mode = plaintext_mode if plain else contextlib.nullcontext
                return sync.import_run(args.townships, 10_000, city_mode=mode)["import_s"] * 1000

            both(f"city import ({args.townships} × 10,000 cases)", city_import, results)
        from xinfang_desktop.services.access import unlock

        def opening() -> None:
            opened = unlock(small, ADMIN, PASSWORD)
            opened.services.close()

        opening()
        opened_ms = statistics.median(ms(opening, 5))
        results["open_with_password_ms"] = round(opened_ms, 1)
        print(f"opening the folder with a password (argon2id unwrap, open, migrate check): {opened_ms:.0f} ms "
              "(goal < 500 ms)")
        worst = max(v["ratio"] for v in results.values() if isinstance(v, dict))
        print(f"worst ratio: ×{worst:.2f} (goal ≤ ×1.25)")
        results["worst_ratio"] = worst
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
