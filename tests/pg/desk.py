"""One desk of the several-desks test (tests/pg/test_desks.py), run as its own process: registers ``count``
matters on the shared PostgreSQL database and routes and notifies each, then prints what it registered.

    python tests/pg/desk.py DATA_DIR KEY_HEX DESK COUNT
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path


def main(data_dir: str, key_hex: str, desk: str, count: int) -> None:
    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.clock import FixedClock
    from xinfang_desktop.services.context import open_services

    svc = open_services(Path(data_dir), key=bytes.fromhex(key_hex), clock=FixedClock(datetime(2026, 11, 2, 9, 30)))
    clerk, handler = svc.auth.user("clerk1"), svc.auth.user("handler1")
    numbers = []
    for i in range(count):
        reg = RegistrationInput(
            channel="走访", received_at=datetime(2026, 11, 2, 9, 0),
            petitioners=[PetitionerInput(name="欧阳" + "甲乙丙丁戊己"[int(desk) - 1], id_number=None, phone=f"138{int(desk):04d}{i:04d}",
                                         township_code="350881102000")],
            category_code="0401", request=f"第{desk}台第{i}件：要求追讨拖欠的工资", facts="拖欠工资", reasons="催讨未果")
        ref = svc.cases.register(clerk, reg)
        svc.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
        svc.cases.act(handler, ref.number, EventKind.NOTIFIED, {})
        numbers.append(ref.number)
    svc.close()
    print(json.dumps(numbers))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
