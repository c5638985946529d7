"""Shared by the benchmark scripts: a demo data folder of N cases, built once and reused.

`bench_db(1_000_000)` returns `bench-data/cases-1000000/` in the repository root, building it
through the real `xinfang init` + `xinfang demo` the first time. The build goes into a scratch
folder that is renamed into place only when complete, so an interrupted build is never reused;
a lock file makes a second script that asks at the same time wait for the first one's build.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "bench-data"
UNIT = "350881102000"
ADMIN = "admin"
PASSWORD = "bench-password-1"
_DONE = "complete"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock held on `path` for the duration (blocks until the other holder is done)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as f:
        if os.name == "nt":
            import msvcrt

            f.seek(0)
            while True:
                try:
                    msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after ~10 s; keep waiting for a long build
                    continue
            try:
                yield
            finally:
                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _xinfang(data_dir: Path, *args: str, stdin: str | None = None) -> None:
    # the real `xinfang` command (its module; `python -m xinfang_desktop` is the window)
    cmd = [sys.executable, "-c", "import sys; from xinfang_desktop.cli import main; sys.exit(main())",
           "--data-dir", str(data_dir), *args]
    env = dict(os.environ, XINFANG_PASSWORD=PASSWORD)        # the data are encrypted: every command logs in
    subprocess.run(cmd, input=stdin, text=True, encoding="utf-8", check=True, cwd=ROOT, env=env)


def bench_db(cases: int, *, seed: int = 1) -> Path:
    """The data folder of a demo database with `cases` cases (admin user `admin`), built if missing."""
    target = BENCH_DATA / f"encrypted-cases-{cases}"
    if (target / _DONE).exists():
        return target
    with _locked(BENCH_DATA / f"cases-{cases}.lock"):
        if (target / _DONE).exists():  # another script built it while we waited
            return target
        scratch = BENCH_DATA / f"cases-{cases}.building"
        if scratch.exists():
            shutil.rmtree(scratch)
        scratch.mkdir(parents=True)
        started = time.perf_counter()
        print(f"building a {cases}-case demo database in {target.name} (takes minutes for a million) …",
              file=sys.stderr)
        _xinfang(scratch, "init", "--unit", UNIT, "--admin", ADMIN, stdin=PASSWORD + "\n")
        _xinfang(scratch, "--as", ADMIN, "demo", "--cases", str(cases), "--seed", str(seed))
        open_bench_services(scratch).close()  # run every schema step now, not inside a timed run
        (scratch / _DONE).write_text(f"{cases} cases, built in {time.perf_counter() - started:.0f} s\n",
                                      encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        scratch.rename(target)
        return target


def bench_key(data_dir: Path) -> bytes:
    from xinfang_desktop.store.keyring import Keyring

    return Keyring.load(data_dir).unwrap_user(ADMIN, PASSWORD)


def open_bench_services(data_dir: Path, clock=None):
    """Services on a benchmark folder (system clock unless given: the demo data are dated relative to the
    build day), opened with the administrator's password like any login."""
    from xinfang_desktop.services.context import open_services

    return open_services(data_dir, key=bench_key(data_dir), clock=clock, create=False)


def new_bench_services(data_dir: Path, clock=None, url: str | None = None):
    """Services on a new, empty benchmark folder with its own key (initialise it with auth.initialize);
    with ``url`` (an empty PostgreSQL database), its data on that database instead of a SQLite file."""
    from xinfang_desktop.services.access import new_folder
    from xinfang_desktop.services.context import open_services
    from xinfang_desktop.store.engine import save_url

    key, _code = new_folder(data_dir)
    if url:
        save_url(data_dir, url)
    return open_services(data_dir, key=key, clock=clock)


def bench_actor(services):
    """The admin of a benchmark folder."""
    return services.auth.user(ADMIN)


def durations_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` calls to `fn`."""
    times: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def timed(fn: Callable[[], object], *, repeat: int = 5) -> tuple[float, object]:
    """Median milliseconds of `repeat` calls to `fn`, and its last result."""
    result: list[object] = [None]

    def call() -> None:
        result[0] = fn()

    return statistics.median(durations_ms(call, repeat)), result[0]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(bench_db(n))


@contextmanager
def server_database(url: str | None, durable: bool = False) -> Iterator[str]:
    """``url`` (an existing empty PostgreSQL database), or one on a throwaway cluster (tests/pgcluster.py:
    Debian's postgresql package) started here and removed when the block ends; ``durable``: that cluster
    flushes every commit to disk as a real server does (the tests' cluster does not)."""
    if url:
        yield url
        return
    from tests.pgcluster import Cluster

    cluster = Cluster(durable=durable)
    try:
        yield cluster.new_database()
    finally:
        cluster.stop()
