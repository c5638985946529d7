"""How fast the intake side panel finds a person as the clerk types (ID, phone or name prefix).

Builds a temporary data folder with N people (default 200,000, a city bureau's register) and a
case for every tenth, then times IntakeService.people_like against a LIKE scan of the same
table (the baseline), in the same process. Prints figures; the last line is one JSON object.

    python benchmarks/intake_lookup.py [N]
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinfang_desktop.domain.idcard import check_character  # noqa: E402
from xinfang_desktop.services.clock import FixedClock  # noqa: E402
from common import durations_ms, new_bench_services  # noqa: E402
from xinfang_desktop.services.intake import IntakeService  # noqa: E402

UNIT = "350881102000"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红梅玉兰春燕文博"


timed = durations_ms


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[18]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rnd = random.Random(7)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # Windows: SQLite may hold -wal a moment
        svc = new_bench_services(Path(tmp), FixedClock(datetime(2026, 11, 2, 9, 30)))
        admin = svc.auth.initialize(UNIT, "admin", "bench-password-1", "管理员")
        t0 = time.perf_counter()
        people = []
        for i in range(n):
            first = f"350881{rnd.randint(1940, 2005)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{i % 1000:03d}"
            name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
            people.append((str(uuid.uuid4()), UNIT, 1, "2026-01-01 00:00:00", name, first + check_character(first),
                           f"1{rnd.randint(3, 9)}{rnd.randint(0, 999_999_999):09d}", "2026-01-01 00:00:00"))
        with svc.db.atomic():
            svc.db.connection().executemany(
                "INSERT INTO person (id, unit_code, version, updated_at, name, id_number, phone, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", people)
        build_s = time.perf_counter() - t0
        intake = svc.get(IntakeService)
        sample = rnd.sample(people, 50)
        ops = {
            "id_prefix_12": lambda p: intake.people_like(admin, id_number=p[5][:12]),
            "id_full": lambda p: intake.people_like(admin, id_number=p[5]),
            "phone_prefix_7": lambda p: intake.people_like(admin, phone=p[6][:7]),
            "name_2chars": lambda p: intake.people_like(admin, name=p[4][:2]),
        }
        figures: dict[str, float] = {"people": n, "build_s": round(build_s, 1)}
        for key, op in ops.items():
            it = iter(sample * 4)
            xs = timed(lambda: op(next(it)), 200)
            figures[f"{key}_p50_ms"] = round(statistics.median(xs), 2)
            figures[f"{key}_p95_ms"] = round(p95(xs), 2)
            print(f"{key:16s} p50 {statistics.median(xs):7.2f} ms   p95 {p95(xs):7.2f} ms")
        conn = svc.db.connection()
        it = iter(sample * 2)
        # Baseline: the obvious way, a substring LIKE over the whole table (no index can serve it).
        like = timed(lambda: conn.execute("SELECT id FROM person WHERE id_number LIKE ?",
                                          ("%" + next(it)[5][:12] + "%",)).fetchall(), 20)
        figures["baseline_like_id_prefix_p50_ms"] = round(statistics.median(like), 2)
        figures["speedup_id_prefix"] = round(statistics.median(like) / figures["id_prefix_12_p50_ms"], 1)
        print(f"{'LIKE baseline':16s} p50 {statistics.median(like):7.2f} ms (id substring, table scan)")
        svc.close()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
