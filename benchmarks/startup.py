"""Start-up time: a bare PySide6 window, the app from source, the frozen app and the installed
package's program, in one run.

    python benchmarks/startup.py [--frozen dist/xinfang] [--installed /usr/bin/xinfang-desktop] [--runs 5]

Each figure is the wall time of a new process on a data folder with 2,000 demo cases, until:

- start-up (`--probe-start`): its first window, the login, is painted; then it exits. This is the
  figure set against the bare window (a QMainWindow with a label, shown, its events processed, then
  exit: the least a PySide6 program can do), with the ratio.
- through the login (`--probe-login`): the login is painted, the folder's first administrator's name
  and the password are typed and 登录 pressed once the services have loaded behind the login (a
  person types for longer); the main window shows the workbench filled with its figures; then it
  exits. It includes the password's argon2id derivation (deliberately slow) and opening the encrypted
  database. Also reported: the wait a person sees, from pressing 登录 to the filled workbench (the
  program's own clock).

Per figure: the first run and the median of --runs after it (a new process each time with the disk
cache warm). The programs run with their bytecode cached, as installed ones always do (pip compiles
it; the frozen build carries it), whatever PYTHONDONTWRITEBYTECODE says in this shell. Also prints
the size of the frozen folder. Last line: one JSON object."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-pass-1"

BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(QLabel("信访")); w.resize(1280, 800); w.show()
app.processEvents()
"""


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XINFANG_PASSWORD"] = PASSWORD        # --probe-login types it, like a clerk
    return env


def timed_runs(cmd: list[str], runs: int, waits: list[float] | None = None) -> tuple[float, float]:
    """(first run, median of `runs` more) in seconds. The waits the login probe prints go to `waits`."""
    times = []
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, check=True, env=child_env(), cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=300, text=True, encoding="utf-8")
        times.append(time.perf_counter() - t0)
        match = re.search(r"from 登录 to the filled workbench ([0-9.]+) s", r.stdout)
        if match and waits is not None:
            waits.append(float(match.group(1)))
    return round(times[0], 3), round(statistics.median(times[1:]), 3)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


PROBES = (("start", "start-up (login painted)"), ("login", "through the login to the workbench"))


def measure(key: str, program: list[str], data: Path, runs: int, result: dict) -> None:
    waits: list[float] = []
    for probe, _ in PROBES:
        first, median = timed_runs([*program, f"--probe-{probe}", "--data-dir", str(data)], runs, waits)
        result[f"{key}_{probe}_first_s"], result[f"{key}_{probe}_s"] = first, median
    result[f"{key}_after_login_s"] = round(statistics.median(waits), 3) if waits else None


def report(label: str, key: str, result: dict) -> None:
    bare = result["bare_pyside6_s"]
    result[f"{key}_start_ratio"] = round(result[f"{key}_start_s"] / bare, 2)
    for probe, what in PROBES:
        median, first = result[f"{key}_{probe}_s"], result[f"{key}_{probe}_first_s"]
        ratio = f"  {median / bare:.1f}× the bare window" if probe == "start" else ""
        print(f"{label + ' ' + what + ':':58s} {median:.3f} s{ratio}  (first run {first:.3f} s)")
    if result[f"{key}_after_login_s"] is not None:
        print(f"{label + ' from pressing 登录 to the filled workbench:':58s} {result[f'{key}_after_login_s']:.3f} s")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--frozen", type=Path, default=ROOT / "dist" / "xinfang")
    p.add_argument("--installed", type=Path, default=None,
                   help="an installed xinfang-desktop (e.g. /usr/bin/xinfang-desktop from the .deb)")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()

    data = Path(tempfile.mkdtemp(prefix="xinfang-startup-")) / "data"
    cli = [sys.executable, "-m", "xinfang_desktop.cli", "--data-dir", str(data)]
    subprocess.run(cli + ["init", "--unit", "350881102000", "--admin", "bench"], input=PASSWORD + "\n",
                   text=True, encoding="utf-8", check=True, cwd=ROOT, stdout=subprocess.DEVNULL, env=child_env())
    subprocess.run(cli + ["demo", "--cases", "2000", "--seed", "1"], check=True, cwd=ROOT, env=child_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result: dict[str, float | None] = {}
    if args.installed:      # first, while its files are least likely to be in the page cache
        measure("installed", [str(args.installed)], data, args.runs, result)
    result["bare_pyside6_first_s"], result["bare_pyside6_s"] = timed_runs([sys.executable, "-c", BARE], args.runs)
    print(f"{'bare PySide6 window (baseline):':58s} {result['bare_pyside6_s']:.3f} s"
          f"  (first run {result['bare_pyside6_first_s']:.3f} s)")
    if args.installed:
        report(f"installed {args.installed}", "installed", result)
    measure("source", [sys.executable, "-m", "xinfang_desktop.gui.app"], data, args.runs, result)
    report("from source", "source", result)
    exe = args.frozen / ("xinfang-desktop.exe" if sys.platform == "win32" else "xinfang-desktop")
    if exe.exists():
        measure("frozen", [str(exe)], data, args.runs, result)
        report("frozen", "frozen", result)
        result["frozen_size_mb"] = round(folder_size(args.frozen) / 1e6, 1)
        print(f"{'frozen folder size:':58s} {result['frozen_size_mb']} MB")
    else:
        print(f"no frozen build at {args.frozen} (run installer/build-linux.sh)")
    shutil.rmtree(data.parent, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
