"""Several desks on one PostgreSQL database (issue 16): four processes registering and acting at once lose
nothing and hand out no number twice; `check` is clean afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DESKS, EACH = 4, 40          # 160 registrations and 320 actions, however fast the machine
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def services(tmp_path, clock, pg_cluster):
    """This module's services: on a new database of the test cluster (the processes share it)."""
    from tests.conftest import new_services

    svc = new_services(tmp_path / "data", clock, pg_cluster.new_database())
    yield svc
    svc.close()


def test_four_desks_register_and_act_at_once(services, clerk, handler):
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.store.models import Case, CaseCounter, CaseEvent

    svc = services
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    desks = [subprocess.Popen([sys.executable, str(ROOT / "tests/pg/desk.py"), str(svc.data_dir), svc.data_key.hex(),
                               str(n), str(EACH)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              encoding="utf-8") for n in range(1, DESKS + 1)]
    said = [d.communicate(timeout=280) for d in desks]
    assert [d.returncode for d in desks] == [0] * DESKS, [err[-2000:] for _out, err in said]
    numbers = [n for out, _err in said for n in json.loads(out.strip().splitlines()[-1])]

    assert len(numbers) == DESKS * EACH == len(set(numbers))                 # every registration, once
    tails = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert tails == list(range(1, DESKS * EACH + 1))                         # consecutive, no gap
    assert Case.select().count() == DESKS * EACH
    assert CaseEvent.select().count() == 3 * DESKS * EACH                    # registered, routed, notified
    assert CaseCounter.get().last == DESKS * EACH
    assert {c.status for c in Case.select()} == {Case.get().status}          # every case at the same step
    report = run_check(svc.db, svc.calendar.calendar)
    assert report.ok, (report.mismatched[:5], report.facts_stale)
