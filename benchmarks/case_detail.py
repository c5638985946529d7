"""What the stale check's reads add to opening a case (CaseQueries.detail): the read of the case's 交办督办 ids
(CaseDetail.instructions, passed by 交办 and 督办 as ``seen_instructions``) beside the whole detail, on each
engine, in the same run, as a ratio.

    python benchmarks/case_detail.py [--cases 2000] [--samples 300] [--engines sqlite,postgresql]

Prints the figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import bench_actor, open_bench_services, server_database  # noqa: E402
from engines import build  # noqa: E402


def median_ms(fn, items: list) -> float:
    times = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(folder: Path, samples: int) -> dict:
    from xinfang_desktop.store.models import Case
    from xinfang_desktop.store.models_sync import Instruction

    svc = open_bench_services(folder)
    try:
        actor = bench_actor(svc)
        ids = [i for (i,) in Case.select(Case.id).tuples()]
        picks = random.Random(7).choices(ids, k=samples)
        svc.queries.detail(actor, picks[0])                       # warm
        detail = median_ms(lambda cid: svc.queries.detail(actor, cid), picks)
        read = median_ms(lambda cid: frozenset(i for (i,) in Instruction.select(Instruction.id)
                                               .where(Instruction.case_id == cid).tuples()), picks)
        return {"detail_ms": round(detail, 3), "instructions_ms": round(read, 3), "ratio": round(read / detail, 4)}
    finally:
        svc.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--engines", default="sqlite,postgresql")
    args = ap.parse_args()
    out = {}
    for engine in args.engines.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if engine == "postgresql":
                with server_database(None) as url:
                    build(Path(tmp) / "d", args.cases, url)
                    out[engine] = measure(Path(tmp) / "d", args.samples)
            else:
                build(Path(tmp) / "d", args.cases, None)
                out[engine] = measure(Path(tmp) / "d", args.samples)
        r = out[engine]
        print(f"{engine}: detail {r['detail_ms']} ms (median), its 交办督办 ids {r['instructions_ms']} ms "
              f"= {r['ratio']:.1%} of it")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
