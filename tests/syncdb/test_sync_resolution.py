"""信访评理 sessions and the 积案 register travel township → city in real bundles, under the ownership rule:
the township owns them; the city sees every township's register and writes none of it."""

from __future__ import annotations

import pytest

from xinfang_desktop.domain.errors import NotAllowed
from xinfang_desktop.services.backlog import BacklogService, StepInput
from xinfang_desktop.services.deliberation import DeliberationInput, DeliberationService, Panelist

from .conftest import write_out
from .test_sync_entries import rows

TABLES = ("deliberation_session", "backlog_entry", "backlog_step")


def hearing(case_id: str, **kw) -> DeliberationInput:
    fields = dict(case_ref=case_id, held_on="2026-11-02", place="镇评理室", panel=[Panelist("陈老支书", "退休村干部")],
                  attendees=["欧阳娜娜", "某公司代表"], statements="双方陈述了欠薪情况", view="应结清欠薪", accepted="不接受")
    fields.update(kw)
    return DeliberationInput(**fields)


def test_the_townships_register_and_deliberations_reach_the_city_and_stay_the_townships(town, city, tmp_path):
    town.sync
    case = town.register(name="欧阳娜娜")
    delib = town.svc.get(DeliberationService)
    first = delib.add(town.admin, hearing(case.id))
    delib.add(town.admin, hearing(case.id, accepted="接受", corrects=first.id))
    backlog = town.svc.get(BacklogService)
    entry = backlog.add(town.admin, case.id, basis="重复信访", reason="同一欠薪事项反复来访",
                        steps=[StepInput("约谈公司负责人", "镇劳动保障所", "2026-11-20")])
    town.export()
    [r1] = city.import_(write_out(town, tmp_path / "s1"))
    assert r1.outcome == "applied" and r1.quarantined_records == 0, r1.message
    for table in TABLES:
        assert rows(city, table) == rows(town, table) and rows(city, table), table

    # The city sees the township's register and the sessions, with the township named as their owner.
    city.sync
    [seen] = city.svc.get(BacklogService).register()
    assert seen.case_number == case.number and seen.unit_code == town.code and seen.steps[0].action == "约谈公司负责人"
    from xinfang_desktop.store.models import Unit
    assert seen.unit_name == Unit.get(Unit.code == town.code).name and seen.unit_name != town.code
    assert [s.accepted for s in city.svc.get(DeliberationService).of_case(case.id) if s.current] == [True]
    # … and writes none of it: neither a decision on the township's matter nor a change to its entry.
    with pytest.raises(NotAllowed, match="属于"):
        city.svc.get(BacklogService).add(city.admin, case.id, basis="其他", reason="市局认为应列入")
    with pytest.raises(NotAllowed, match="只能由该单位修改"):
        city.svc.get(BacklogService).finish_step(city.admin, entry.id, 1, "市局代为完成")
    with pytest.raises(NotAllowed, match="属于"):
        city.svc.get(DeliberationService).add(city.admin, hearing(case.id))

    # Later changes travel as new versions: the step done, the matter off the register.
    town.sync
    backlog.finish_step(town.admin, entry.id, 1, "已约谈，公司同意分期支付")
    backlog.resolve(town.admin, entry.id, outcome="案结事了", note="工资已结清")
    [r2] = city.import_(write_out(town, tmp_path / "s2", town.export()))
    assert r2.outcome == "applied" and r2.quarantined_records == 0, r2.message
    for table in TABLES:
        assert rows(city, table) == rows(town, table), table
    city.sync
    assert city.svc.get(BacklogService).register() == []
    [done] = city.svc.get(BacklogService).register(include_resolved=True)
    assert done.outcome.label == "案结事了" and done.steps[0].result == "已约谈，公司同意分期支付"
