"""Start-up time: a bare PySide6 window, the app from source, the frozen app and the installed
package's program, in one run.

    python benchmarks/startup.py [--frozen dist/xinfang] [--installed /usr/bin/xinfang-desktop] [--runs 5]

Each figure is the wall time of a new process until it has shown its main window on a data
folder with 2,000 demo cases and exited: the first run (the program's files not yet read since it
was built or installed, as far as this run can tell) and the median of --runs after it (the disk
cache warm, so "cold" there means a new process, not an empty page cache). The bare window is the
baseline measured in the same run. Also prints the size of the frozen folder. Last line: one JSON
object."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication([])
w = QMainWindow(); w.setCentralWidget(QLabel("信访")); w.resize(1280, 800); w.show()
app.processEvents()
"""


def timed_runs(cmd: list[str], runs: int) -> tuple[float, float]:
    """(first run, median of `runs` more) in seconds."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    times = []
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times[0], statistics.median(times[1:])


def timed(cmd: list[str], runs: int) -> float:
    return timed_runs(cmd, runs)[1]


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--frozen", type=Path, default=ROOT / "dist" / "xinfang")
    p.add_argument("--installed", type=Path, default=None,
                   help="an installed xinfang-desktop (e.g. /usr/bin/xinfang-desktop from the .deb)")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    import tempfile

    data = Path(tempfile.mkdtemp(prefix="xinfang-startup-")) / "data"
    cli = [sys.executable, "-m", "xinfang_desktop.cli", "--data-dir", str(data)]
    subprocess.run(cli + ["init", "--unit", "350881102000", "--admin", "bench"], input="bench-pass-1\n",
                   text=True, encoding="utf-8", check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    os.environ["XINFANG_PASSWORD"] = "bench-pass-1"     # the probe logs in like a clerk (and so do the runs below)
    subprocess.run(cli + ["demo", "--cases", "2000", "--seed", "1"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    result: dict[str, float | int | None] = {}
    if args.installed:
        # first, while its files are least likely to be in the page cache
        first, median = timed_runs([str(args.installed), "--probe-start", "--data-dir", str(data)], args.runs)
        result["installed_first_s"], result["installed_app_s"] = round(first, 3), round(median, 3)
    bare_first, bare = timed_runs([sys.executable, "-c", BARE], args.runs)
    result["bare_pyside6_first_s"], result["bare_pyside6_s"] = round(bare_first, 3), round(bare, 3)
    print(f"bare PySide6 window (baseline):  {result['bare_pyside6_s']:.3f} s  (first run {bare_first:.3f} s)")
    if args.installed:
        print(f"installed {args.installed}:  {result['installed_app_s']:.3f} s"
              f"  ({result['installed_app_s'] / result['bare_pyside6_s']:.1f}× the bare window;"
              f" first run {result['installed_first_s']:.3f} s)")
    result["source_app_s"] = round(timed([sys.executable, "-m", "xinfang_desktop.gui.app", "--probe-start",
                                          "--data-dir", str(data)],
                                         args.runs), 3)
    print(f"xinfang-desktop from source:     {result['source_app_s']:.3f} s")
    exe = args.frozen / ("xinfang-desktop.exe" if sys.platform == "win32" else "xinfang-desktop")
    if exe.exists():
        result["frozen_app_s"] = round(timed([str(exe), "--probe-start", "--data-dir", str(data)], args.runs), 3)
        result["frozen_size_mb"] = round(folder_size(args.frozen) / 1e6, 1)
        print(f"xinfang-desktop frozen:          {result['frozen_app_s']:.3f} s"
              f"  ({result['frozen_app_s'] / result['bare_pyside6_s']:.1f}× the bare window)")
        print(f"frozen folder size:              {result['frozen_size_mb']} MB")
    else:
        result["frozen_app_s"] = None
        print(f"no frozen build at {args.frozen} (run installer/build-linux.sh)")
    import shutil

    shutil.rmtree(data.parent, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
