"""按村（社区）: a township's figures by the village of its matters, on a real database, adding up to the
township's own figures, by the same definitions."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta

import pytest

from xinfang_desktop.domain import statistics as st
from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.statistics import Count
from xinfang_desktop.services.statistics import UNKNOWN_VILLAGE, StatisticsService
from tests.conftest import make_registration
from tests.services.stats_data import T102, T103, build_october

LIZHUANG, FULI, ZIYANG = "350881102201", "350881102202", "350881102203"
DONGHU = "350881103202"          # 东湖村, of 溪南镇: a petitioner of another township


def build_villages(services, clerk, handler) -> dict[str, str]:
    """October 2026 (the clock stands at 11-02): build_october's seven matters, none with a village, and:

    | case | channel | village | people | what happened |
    |---|---|---|---|---|
    | V1 | 走访 | 李庄村 | 1 | routed 10-06, replied 10-10 (on time), closed 10-11 |
    | V2 | 来信 | 李庄村 | 2 | nothing: its 15 days ended 10-20, so 超期未告知 and 超期未办 |
    | V3 | 电话 | 福里村 | 1 | refused 10-08 (not 受理), closed |
    | V4 | 走访 | 溪南镇东湖村 | 1 | nothing; registered 10-30, still inside its 15 days |
    | V0 | 走访 | 紫阳村 | 1 | received 2025-10-09: a year earlier |
    """
    refs = build_october(services, clerk, handler)
    cases, clock = services.cases, services.clock
    now = clock.at
    dt = datetime

    def reg(key, name, village, township, received, **kw):
        clock.at = received + timedelta(minutes=5)
        refs[key] = cases.register(clerk, make_registration(
            received_at=received, petitioners=[PetitionerInput(name=name, township_code=township, village_code=village)],
            **kw)).number

    def act(key, kind, data, at):
        clock.at = at
        cases.act(handler, refs[key], kind, data, at=at)

    reg("V1", "李大山", LIZHUANG, T102, dt(2026, 10, 5, 9, 0), channel="走访")
    reg("V2", "李小河", LIZHUANG, T102, dt(2026, 10, 2, 9, 0), channel="来信", people_count=2)
    reg("V3", "福满堂", FULI, T102, dt(2026, 10, 7, 9, 0), channel="电话")
    reg("V4", "东方明", DONGHU, T103, dt(2026, 10, 30, 9, 0), channel="走访")
    reg("V0", "紫云飞", ZIYANG, T102, dt(2025, 10, 9, 9, 0), channel="走访")
    reply = {"basis": "《保障农民工工资支付条例》第三条", "outcome": "supported", "text": "经核实，支持信访人的请求"}
    act("V1", "routed", {"route": "direct", "unit": "镇信访办", "notified": True}, dt(2026, 10, 6, 10, 0))
    act("V1", "replied", reply, dt(2026, 10, 10, 10, 0))
    act("V1", "closed", {}, dt(2026, 10, 11, 10, 0))
    act("V3", "refused", {"ground": "being_handled", "details": "该事项已由漳平市人民法院受理"}, dt(2026, 10, 8, 10, 0))
    act("V3", "closed", {}, dt(2026, 10, 9, 10, 0))
    clock.at = now
    return refs


@pytest.fixture
def october(services, clerk, handler):
    return build_villages(services, clerk, handler)


def _sum(items, cls):
    return {f.name: sum(getattr(x, f.name) for x in items) for f in fields(cls)}


def test_the_villages_of_october_match_the_hand_count_and_add_up_to_the_township(services, admin, october):
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10), by_village=True)
    rows = {r.key: (r.label, r.count.batches, r.count.people) for r in s.by_village.rows}
    # every village of 永福镇 is listed, with or without matters; then another township's; then none
    assert list(rows) == ["350881102001", LIZHUANG, FULI, ZIYANG, "350881102204", "350881102205", DONGHU, ""]
    assert rows[LIZHUANG] == ("李庄村", 2, 3) and rows[FULI] == ("福里村", 1, 1)
    assert rows[DONGHU] == ("溪南镇东湖村", 1, 1)
    assert rows[ZIYANG] == ("紫阳村", 0, 0)
    assert rows[""] == (UNKNOWN_VILLAGE, 7, 14)        # build_october's matters: no village recorded
    # the counts add up to the township's total, whatever the table
    assert s.by_village.total == s.total == Count(11, 19)
    assert [p.key for p in s.villages] == [r.key for r in s.by_village.rows]
    # each village's figures by the definitions of the whole, and their sums are the whole's
    v = {p.key: p for p in s.villages}
    li, fu, dong = v[LIZHUANG].workflow, v[FULI].workflow, v[DONGHU].workflow
    assert (li.received, li.accepted, li.replied, li.closed, li.overdue) == (2, 2, 1, 1, 1)
    assert (fu.received, fu.accepted, fu.refused, fu.closed) == (1, 0, 1, 1)
    assert (dong.received, dong.overdue) == (1, 0)
    assert {k: c.batches for k, c in ((r.key, r.count) for r in v[LIZHUANG].by_channel.rows) if c.batches} == {
        "visit": 1, "letter": 1}
    rates = {r.key: r for r in v[LIZHUANG].rates}
    assert (rates["timely_acceptance"].numerator, rates["timely_acceptance"].denominator) == (1, 2)
    assert (rates["on_time_closure"].numerator, rates["on_time_closure"].denominator) == (1, 1)
    assert rates["timely_acceptance"].formula == next(r.formula for r in s.rates if r.key == "timely_acceptance")
    dong_rates = {r.key: r for r in v[DONGHU].rates}
    assert dict(dong_rates["timely_acceptance"].not_counted) == {"告知期内待告知": 1}
    assert _sum([p.workflow for p in s.villages], st.WorkflowFigures) == _sum([s.workflow], st.WorkflowFigures)
    assert _sum([p.rate_inputs for p in s.villages], st.RateInputs) == _sum([s.rate_inputs], st.RateInputs)
    for ch in s.by_channel.rows:
        assert sum((p.by_channel.get(ch.key) for p in s.villages), Count()) == ch.count, ch.key
    # the same days a year earlier, by village too
    assert {r.key: r.count.batches for r in s.earlier.by_village.rows if r.count.batches} == {ZIYANG: 1, "": 1}


def test_the_breakdown_is_asked_for_and_leaves_the_rest_unchanged(services, admin, october):
    svc = services.get(StatisticsService)
    plain = svc.compute(admin, st.month(2026, 10))
    assert plain.by_village is None and plain.villages == ()
    assert all(b.title != "按村（社区）" for b in plain.breakdowns())
    by_village = svc.compute(admin, st.month(2026, 10), by_village=True)
    assert plain.workflow == by_village.workflow
    assert plain.rate_inputs == by_village.rate_inputs and plain.by_township == by_village.by_township


def test_a_scope_lists_the_villages_of_its_townships(services, admin, october):
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10), st.Scope((T103,)), compare=False,
                                                by_village=True)
    rows = {r.key: (r.label, r.count.batches) for r in s.by_village.rows}
    # 溪南镇's villages; B (溪南镇, no village) and V4 (东湖村) are its matters
    assert rows[DONGHU] == ("东湖村", 1) and rows[""] == (UNKNOWN_VILLAGE, 1)
    assert all(k.startswith("350881103") for k in rows if k)
    assert s.by_village.total == s.total == Count(2, 7)


def test_a_city_database_is_refused_the_breakdown(services, tmp_path):
    boss = services.auth.initialize("350881000000", "boss", "boss-pass-1")
    svc = services.get(StatisticsService)
    with pytest.raises(InvalidInput) as err:
        svc.compute(boss, st.month(2026, 10), by_village=True)
    assert "乡镇（街道）" in err.value.message
    assert svc.compute(boss, st.month(2026, 10)).by_village is None


def test_a_village_with_matters_only_a_year_earlier_is_a_row_of_both_years(services, admin, clerk, october):
    """东湖村 (of 溪南镇) brought a matter to 永福镇 in October 2025 and none in October 2026: in 永福镇's
    figures it is a row of both years, nothing this year, and still in the order of the codes."""
    services.clock.at = datetime(2025, 10, 20, 9, 5)
    services.cases.register(clerk, make_registration(received_at=datetime(2025, 10, 20, 9, 0), petitioners=[
        PetitionerInput(name="东方亮", township_code=T102, village_code=DONGHU)]))
    services.clock.at = datetime(2026, 11, 2, 9, 30)
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10), st.Scope((T102,)), by_village=True)
    keys = [r.key for r in s.by_village.rows]
    assert keys == [r.key for r in s.earlier.by_village.rows] == [p.key for p in s.villages]
    assert keys[-2:] == [DONGHU, ""] and keys[:-1] == sorted(keys[:-1])
    assert s.by_village.get(DONGHU) == Count() and s.earlier.by_village.get(DONGHU) == Count(1, 1)
    assert {p.key: p for p in s.villages}[DONGHU].workflow.received == 0
    assert s.by_village.total == s.total and s.earlier.by_village.total == s.earlier.total


def test_a_village_the_division_table_does_not_have_is_shown_by_its_code(services, admin, october):
    """A person's village code from elsewhere (a bundle of another county): no name is made up for it."""
    from xinfang_desktop.store.models import Person

    Person.update(village_code="350881102299").where(Person.name == "福满堂").execute()
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10), compare=False, by_village=True)
    rows = {r.key: (r.label, r.count.batches) for r in s.by_village.rows}
    assert rows["350881102299"] == ("350881102299（区划表中没有）", 1) and rows[FULI] == ("福里村", 0)
    assert s.by_village.total == s.total
