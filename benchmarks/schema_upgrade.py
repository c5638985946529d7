"""Schema: the time to make a new database, and to upgrade a data folder of each released version.

    python benchmarks/schema_upgrade.py                  # the fixtures (tests/schema_fixtures, 12 cases each)
    python benchmarks/schema_upgrade.py --cases 20000    # also v9 and v13 folders of 20,000 cases, made by
                                                         # their own versions (a worktree of each commit)

For each folder: the steps alone (migrate on an open database), and the whole opening as the program does it
(the safety copy before the steps, then the steps). A folder from before encryption is encrypted first,
outside the timing. Medians of --runs runs (each on a fresh copy).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "schema_fixtures"))
os.environ.setdefault("XINFANG_INSECURE_FAST_KDF_FOR_TESTS", "1")   # the fixtures' keyrings are cheap anyway

from fixtures import ADMIN, ADMIN_PASSWORD, FIXTURES, Fixture  # noqa: E402


def median_ms(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        times.append(run())
    return statistics.median(times) * 1000


def encrypted_copy(source: Path, target: Path) -> bytes:
    """A copy of the data folder whose database is encrypted (a plain one under a new key); its data key."""
    from xinfang_desktop.store.db import encrypt_plaintext, is_plaintext
    from xinfang_desktop.store.keyring import Keyring, new_data_key

    shutil.copytree(source, target)
    db_file = target / "xinfang.sqlite3"
    if is_plaintext(db_file):
        key = new_data_key()
        encrypt_plaintext(db_file, key)
        return key
    return Keyring.load(target).unwrap_user(ADMIN, ADMIN_PASSWORD)


def time_folder(source: Path, work: Path, runs: int) -> tuple[float, float, int]:
    """(ms of the steps alone, ms of open_database with its safety copy, cases)."""
    from xinfang_desktop.store.db import Database, PRAGMAS, open_database
    from xinfang_desktop.store.migrations import migrate
    from xinfang_desktop.store.models import database

    cases = 0

    def steps() -> float:
        nonlocal cases
        shutil.rmtree(work, ignore_errors=True)
        key = encrypted_copy(source, work)
        db = Database(str(work / "xinfang.sqlite3"), key, pragmas=PRAGMAS)
        database.initialize(db)
        db.connect()
        t = time.perf_counter()
        migrate(db)
        elapsed = time.perf_counter() - t
        cases = db.execute_sql('SELECT COUNT(*) FROM "case"').fetchone()[0]
        db.close()
        return elapsed

    def opening() -> float:
        shutil.rmtree(work, ignore_errors=True)
        key = encrypted_copy(source, work)
        t = time.perf_counter()
        db = open_database(work / "xinfang.sqlite3", key=key)
        elapsed = time.perf_counter() - t
        db.close()
        return elapsed

    return median_ms(steps, runs), median_ms(opening, runs), cases


def time_new(work: Path, runs: int) -> float:
    from xinfang_desktop.store.db import open_database
    from xinfang_desktop.store.keyring import new_data_key

    def once() -> float:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        t = time.perf_counter()
        open_database(work / "xinfang.sqlite3", key=new_data_key()).close()
        return time.perf_counter() - t

    return median_ms(once, runs)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--cases", type=int, default=0, help="also upgrade v9 and v13 folders of this many cases")
    args = p.parse_args()
    from xinfang_desktop.store.migrations import SCHEMA_VERSION

    with tempfile.TemporaryDirectory(prefix="schema-bench-") as tmp:
        tmp = Path(tmp)
        print(f"schema v{SCHEMA_VERSION}; medians of {args.runs} runs")
        print(f"new database (create_current): {time_new(tmp / 'new', args.runs):.0f} ms")
        folders: list[tuple[str, Path]] = []
        for f in FIXTURES:
            with zipfile.ZipFile(f.archive) as z:
                z.extractall(tmp / f.name)
            folders.append((f"{f.name} (v{f.version})", tmp / f.name))
        if args.cases:
            from make import build

            for name in ("v09-final", "v13"):
                fixture: Fixture = next(f for f in FIXTURES if f.name == name)
                work = tmp / f"build-{name}"
                work.mkdir()
                t = time.perf_counter()
                data = build(fixture, work, args.cases)
                print(f"made {name} with {args.cases} cases by {fixture.commit[:7]} in {time.perf_counter() - t:.0f} s")
                folders.append((f"{name} (v{fixture.version}), {args.cases} cases", data))
        print(f"{'folder':<34} {'cases':>7} {'steps':>10} {'open (copy + steps)':>20}")
        for label, source in folders:
            steps_ms, open_ms, cases = time_folder(source, tmp / "run", args.runs)
            print(f"{label:<34} {cases:>7} {steps_ms:>8.0f} ms {open_ms:>17.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
