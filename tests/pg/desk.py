"""One desk of the several-desks test (tests/pg/test_desks_processes.py), run as its own process: waits until
every desk has started, then registers ``count`` matters on the shared PostgreSQL database and routes and
notifies each, and after each one adds a note to the one case every desk writes on (as a clerk would: on the
events it has seen, reading them again when another desk wrote first). Every tenth registration is of the
one petitioner every desk registers (the same ID number). Prints what it registered.

    python tests/pg/desk.py DATA_DIR KEY_HEX DESK COUNT SHARED_CASE DESKS
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

SHARED_ID = "11010519491231002X"


def main(data_dir: str, key_hex: str, desk: str, count: int, shared_case: str, desks: int) -> None:
    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.cases import StaleCase, find_case
    from xinfang_desktop.services.clock import FixedClock
    from xinfang_desktop.services.context import open_services

    svc = open_services(Path(data_dir), key=bytes.fromhex(key_hex), clock=FixedClock(datetime(2026, 11, 2, 9, 30)))
    clerk, handler = svc.auth.user("clerk1"), svc.auth.user("handler1")
    # Every desk at work at once: start only when all have opened the database.
    (Path(data_dir) / f"desk-{desk}.ready").write_text("", encoding="utf-8")
    while len(list(Path(data_dir).glob("desk-*.ready"))) < desks:
        time.sleep(0.05)
    numbers, stale = [], 0
    for i in range(count):
        if i % 10 == 0:
            who = PetitionerInput(name="欧阳娜娜", id_number=SHARED_ID, phone="13812345678",
                                  township_code="350881102000")
        else:
            who = PetitionerInput(name="欧阳" + "甲乙丙丁戊己"[int(desk) - 1], id_number=None,
                                  phone=f"138{int(desk):04d}{i:04d}", township_code="350881102000")
        reg = RegistrationInput(
            channel="走访", received_at=datetime(2026, 11, 2, 9, 0), petitioners=[who],
            category_code="0401", request=f"第{desk}台第{i}件：要求追讨拖欠的工资", facts="拖欠工资", reasons="催讨未果")
        ref = svc.cases.register(clerk, reg)
        svc.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
        svc.cases.act(handler, ref.number, EventKind.NOTIFIED, {})
        numbers.append(ref.number)
        while True:
            seen = svc.cases.events_of(find_case(shared_case))[-1].id
            try:
                svc.cases.act(handler, shared_case, EventKind.NOTE, {"text": f"第{desk}台第{i}条备注"}, seen_event=seen)
                break
            except StaleCase:
                stale += 1                  # another desk wrote first: read again, as the clerk would
    svc.close()
    print(json.dumps({"numbers": numbers, "stale": stale}))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]))
