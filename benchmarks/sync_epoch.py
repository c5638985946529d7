"""Epoch figures: what the version lift of a restored township costs on its first bundle of the new epoch.

    python benchmarks/sync_epoch.py [--cases 10000] [--edited 0.01]

Builds its own demo township of N cases in a temporary folder (never the shared bench data), then,
on two copies of it in the same run: the baseline exports everything in epoch 1; the restored copy
marks a restore, edits a share of the cases after it (a note each), starts epoch 2 and exports
everything again, reading the journal to lift the versions of the edited rows. Keys are made in
memory (the key store's scrypt is not what is measured). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import new_bench_services, open_bench_services  # noqa: E402

CITY = "350881000000"
TOWN = "350881102000"


def _build(folder: Path, cases: int):
    from xinfang_desktop.services.clock import FixedClock
    from xinfang_desktop.services.demo import generate

    svc = new_bench_services(folder, FixedClock(datetime(2026, 11, 2, 9, 30)))
    admin = svc.auth.initialize(TOWN, "admin", "bench-password-1", "王管理")
    generate(svc, admin, cases)
    svc.close()


def _open(folder: Path):
    from xinfang_desktop.services.clock import FixedClock
    from xinfang_desktop.store.models import database

    svc = open_bench_services(folder, FixedClock(datetime(2026, 11, 2, 9, 30)))
    database.initialize(svc.db)
    return svc, svc.auth.first_admin()


def _export(svc, admin, town_keys) -> tuple[float, int, int]:
    from xinfang_desktop.services.sync import KeyRing, SyncService

    t0 = time.perf_counter()
    rows = svc.get(SyncService).export(admin, KeyRing(town_keys))
    return time.perf_counter() - t0, sum(r.record_count for r in rows), len(rows)


def run(cases: int, edited: float) -> dict:
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.sync import epochs
    from xinfang_desktop.services.sync import RESTORED_SETTING, SyncService
    from xinfang_desktop.store.models import Case, Setting
    from xinfang_desktop.sync.keys import export_public, generate_keys

    town_keys = generate_keys(TOWN, "永福镇信访办", "township", encryption=True)
    city_keys = generate_keys(CITY, "漳平市信访局", "city", encryption=True)
    work = Path(tempfile.mkdtemp(prefix="xf-sync-epoch-"))
    try:
        t0 = time.perf_counter()
        _build(work / "built", cases)
        build_s = time.perf_counter() - t0
        for name in ("baseline", "restored"):
            shutil.copytree(work / "built", work / name)
            svc, admin = _open(work / name)
            svc.get(SyncService).enrol(admin, export_public(city_keys), city_keys.public().signing_fingerprint)
            svc.close()

        svc, admin = _open(work / "baseline")
        base_s, base_records, base_bundles = _export(svc, admin, town_keys)
        svc.close()

        svc, admin = _open(work / "restored")
        with svc.db.atomic():
            Setting.replace(key=RESTORED_SETTING, value={"since": "2026-11-02 09:30:00", "reason": "restored",
                                                         "backup": "bench",
                                                         "journal": epochs.journal_head(svc.db)}).execute()
        numbers = [c.number for c in Case.select(Case.number).where(Case.unit_code == TOWN)
                   .order_by(Case.sid).limit(max(1, int(cases * edited)))]
        for n in numbers:
            svc.cases.act(admin, n, EventKind.NOTE, {"text": "恢复后补记"})
        sync = svc.get(SyncService)
        sync.start_epoch(admin, 2)
        restored_s, restored_records, restored_bundles = _export(svc, admin, town_keys)
        lifted = svc.db.execute_sql("SELECT COUNT(DISTINCT row_id) FROM sync_change WHERE seq > ?",
                                    (Setting.get(Setting.key == epochs.MARK_SETTING).value["journal"],)
                                    ).fetchone()[0]
        svc.close()
        return {"cases": cases, "edited_cases": len(numbers), "rows_changed_after_restore": lifted,
                "build_s": round(build_s, 1),
                "baseline_export_s": round(base_s, 2), "baseline_records": base_records,
                "new_epoch_export_s": round(restored_s, 2), "new_epoch_records": restored_records,
                "bundles": [base_bundles, restored_bundles],
                "ratio": round(restored_s / base_s, 2) if base_s else None}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--edited", type=float, default=0.01, help="share of the cases edited after the restore")
    args = parser.parse_args()
    result = run(args.cases, args.edited)
    print(f"{result['cases']} cases, {result['edited_cases']} edited after the restore "
          f"({result['rows_changed_after_restore']} rows lifted)")
    print(f"export in epoch 1 (baseline): {result['baseline_export_s']} s for {result['baseline_records']} records")
    print(f"first export of epoch 2 (with the lift): {result['new_epoch_export_s']} s for "
          f"{result['new_epoch_records']} records (x{result['ratio']} the baseline)")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
