"""Several desks on one PostgreSQL database (issue 16): four processes registering and acting at once lose
nothing and hand out no number twice; notes written at once on one case are all kept, in turn (none lost to
another desk's write, the case's version counting each); a petitioner registered at once at every desk is
one person; `check` is clean afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xinfang_desktop.domain.petition import PetitionerInput

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
    from tests.conftest import make_registration
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.store.models import Case, CaseCounter, CaseEvent, CaseParty, Person

    svc = services
    shared = svc.cases.register(clerk, make_registration(
        petitioners=[PetitionerInput(name="欧阳明", phone="13900000000", township_code="350881102000")]))
    before = Case.get(Case.id == shared.id).version
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    desks = [subprocess.Popen([sys.executable, str(ROOT / "tests/pg/desk.py"), str(svc.data_dir), svc.data_key.hex(),
                               str(n), str(EACH), shared.number, str(DESKS)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, encoding="utf-8")
             for n in range(1, DESKS + 1)]
    said = [d.communicate(timeout=400) for d in desks]
    assert [d.returncode for d in desks] == [0] * DESKS, [err[-2000:] for _out, err in said]
    results = [json.loads(out.strip().splitlines()[-1]) for out, _err in said]
    numbers = [n for r in results for n in r["numbers"]]

    assert len(numbers) == DESKS * EACH == len(set(numbers))                 # every registration, once
    tails = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert tails == list(range(2, DESKS * EACH + 2))                         # consecutive, no gap (1 is shared)
    mine = Case.select().where(Case.number.in_(numbers))
    assert mine.count() == DESKS * EACH
    assert CaseEvent.select().where(CaseEvent.case.in_(mine)).count() == 3 * DESKS * EACH   # registered, routed, notified
    assert CaseCounter.get().last == DESKS * EACH + 1
    assert {c.status for c in mine} == {mine.get().status}                   # every case at the same step
    # Every desk's note on the one case they all wrote on, none lost; its version counts each.
    notes = [e.data["text"] for e in CaseEvent.select().where((CaseEvent.case == shared.id) & (CaseEvent.kind == "note"))
             .order_by(CaseEvent.occurred_at)]
    assert sorted(notes) == sorted(f"第{d}台第{i}条备注" for d in range(1, DESKS + 1) for i in range(EACH))
    assert Case.get(Case.id == shared.id).version == before + DESKS * EACH
    # The petitioner every desk registered at once is one person, on each of those matters.
    same = Person.select().where(Person.id_number == "11010519491231002X")
    assert same.count() == 1
    assert CaseParty.select().where(CaseParty.person == same.get()).count() == DESKS * len(range(0, EACH, 10))
    report = run_check(svc.db, svc.calendar.calendar)
    assert report.ok, (report.mismatched[:5], report.facts_stale)
