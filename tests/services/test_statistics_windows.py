"""Rates over matters whose window has ended, 登记 and 受理, one meaning of 办结, 同比 over the same
days, the 四门四访 subtotal: each figure counted by hand on a small set (tests/services/stats_data.py)
whose dates sit on either side of the end of each window."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from xinfang_desktop.domain import statistics as st
from xinfang_desktop.domain.statistics import Count
from xinfang_desktop.services.statistics import StatisticsService, statistics_json
from tests.conftest import make_registration
from tests.services.stats_data import T102, build_windows


@pytest.fixture
def windows(services, clerk, handler):
    return build_windows(services, clerk, handler)


def report_tables(s):
    from xinfang_desktop.domain.statistics_tables import report_tables

    return report_tables(s)


def october(services, admin, **kw):
    return services.get(StatisticsService).compute(admin, st.month(2026, 10), **kw)


def terms(rate: st.Rate) -> dict[str, int]:
    return {**dict(rate.parts), **dict(rate.not_counted)}


def test_timely_acceptance_counts_only_matters_whose_15_days_have_ended_articles_22_23(services, admin, windows):
    """第二十二、二十三条: 15 days to route the matter or tell the petitioner. K2's 15 days end today
    (moved from Saturday 10-31): it is neither on time nor late yet. K3, decided on its last day, is
    on time; K4, a day after, is late; K1, with nothing done by 10-30, is a failure."""
    s = october(services, admin, compare=False)
    r = {x.key: x for x in s.rates}["timely_acceptance"]
    assert (r.numerator, r.denominator, r.text) == (8, 10, "80.0%")
    assert terms(r) == {"按期告知": 8, "超期告知": 1, "超期未告知": 1, "补录": 0, "告知期内待告知": 1}
    assert r.formula == "及时受理率 = 按期告知数 ÷ (按期告知数 + 超期告知数 + 超期未告知数 + 补录数)"
    assert "不计入" in r.definition and "第二十二、二十三条" in r.definition


def test_on_time_closure_leaves_out_matters_inside_their_handling_limit_article_34(services, admin, windows):
    """第三十四条: 办结 within 60 days (or the limit set when assigning). K9's limit is today: still
    inside. K6 replied on its last day: on time. K8's limit passed yesterday: a failure."""
    s = october(services, admin, compare=False)
    r = {x.key: x for x in s.rates}["on_time_closure"]
    assert terms(r) == {"按期办结": 3, "超期办结": 1, "超期未办结": 1, "办理期限内在办": 3}
    assert (r.numerator, r.denominator, r.text) == (3, 5, "60.0%")


def test_participation_and_satisfaction_over_replies_past_the_rating_window(services, admin, windows):
    """The rating window is 30 days after the written reply (the 第三十五条 review window): K10
    replied 31 days ago and unrated counts against 参评率; K11, 30 days ago, not yet."""
    s = october(services, admin, compare=False)
    r = {x.key: x for x in s.rates}
    assert terms(r["participation"]) == {"参评": 2, "逾期未评": 1, "评价期内未评": 1}
    assert (r["participation"].numerator, r["participation"].denominator) == (2, 3)
    assert terms(r["satisfaction"]) == {"满意": 0, "基本满意": 1, "不满意": 1}
    assert (r["satisfaction"].numerator, r["satisfaction"].denominator, r["satisfaction"].text) == (1, 2, "50.0%")
    assert r["satisfaction"].formula == "满意率 = (满意数 + 基本满意数) ÷ 参评数"
    assert (r["repeat"].numerator, r["repeat"].denominator) == (0, 11)


def test_registered_counts_every_matter_and_accepted_leaves_out_refused_ones_articles_19_36(services, admin,
                                                                                            windows):
    """登记 counts every matter; 受理 leaves out 不予受理 and 不再受理 (第十九条第三款-type refusals,
    第三十六条第三款), K5 here."""
    s = october(services, admin, compare=False)
    w = s.workflow
    assert (w.received, w.accepted, w.refused, w.routed, w.replied, w.closed, w.overdue) == (11, 10, 1, 8, 4, 0, 2)
    doc = statistics_json(s)
    assert doc["workflow"]["received"] == 11 and doc["workflow"]["accepted"] == 10
    labels = {r.key: r.texts[0] for r in next(t for t in report_tables(s) if t.key == "workflow").rows}
    assert labels["received"] == "登记总数" and labels["accepted"] == "受理数"
    assert {r.key: r.texts[1] for r in next(t for t in report_tables(s) if t.key == "workflow").rows}[
        "accepted"] == "10"


def test_banjie_has_one_meaning_in_the_report_the_reply_within_the_limit_of_article_34(services, admin, clerk,
                                                                                       handler):
    """第三十四条 says 办结 for the written reply within the handling limit, and so does every table
    of the report: the case filed away at the end is 已结案, and nothing but 按期办结率 and its terms
    says 办结."""
    from tests.services.stats_data import build_october

    build_october(services, clerk, handler)
    s = october(services, admin)
    said = [(t.key, r.key, text) for t in report_tables(s) for r in t.rows for text in r.texts if "办结" in text]
    assert said and all(key.startswith("on_time_closure") for _, key, _ in said), said
    wf_rows = {r.key: r.texts for r in next(t for t in report_tables(s) if t.key == "workflow").rows}
    assert wf_rows["closed"][:2] == ["已结案", "2"] and wf_rows["replied"][:2] == ["已出具处理意见", "3"]


def test_year_on_year_compares_the_same_days_of_the_previous_year():
    """A period under way on the statistics date is compared with the same span a year earlier."""
    today = date(2026, 12, 6)
    e = st.year(2026).year_earlier(today)
    assert (e.start, e.end, e.label) == (date(2025, 1, 1), date(2025, 12, 6), "2025年1月1日至12月6日")
    m = st.month(2026, 12).year_earlier(today)
    assert (m.start, m.end, m.label) == (date(2025, 12, 1), date(2025, 12, 6), "2025年12月1日至6日")
    assert st.month(2026, 11).year_earlier(today) == st.month(2025, 11)              # over: the whole month
    assert st.quarter(2024, 1).year_earlier(date(2024, 2, 29)).end == date(2023, 2, 28)
    assert st.year(2027).year_earlier(today) == st.year(2026)                         # not begun: as it is


def test_year_on_year_of_a_year_under_way_leaves_out_last_years_later_days(services, admin, clerk):
    """The year to 2 November (the clock) against 1 January–2 November 2025: a matter of 20 November
    2025 is not in the comparison, one of 2 November 2025 is."""
    for day in (date(2025, 11, 2), date(2025, 11, 20), date(2026, 3, 1)):
        services.cases.register(clerk, make_registration(received_at=datetime(day.year, day.month, day.day, 9)))
    s = services.get(StatisticsService).compute(admin, st.year(2026))
    assert s.earlier.period.label == "2025年1月1日至11月2日" and s.earlier.total == Count(1, 1)
    assert s.comparison == "上年同期（2025年1月1日至11月2日），本期尚未结束，取上年相同的日期范围比较"
    doc = statistics_json(s)
    assert (doc["year_earlier"]["to"], doc["year_earlier"]["whole"]) == ("2025-11-02", False)
    channel = next(t for t in report_tables(s) if t.key == "by_channel")
    assert channel.row("total").texts[4:] == ["1", "1", "持平"]


def test_four_doors_have_their_subtotal_beside_the_reception_days(services, admin, clerk):
    """The seed report's 四门四访 (登门走访、进门约访、开门接访、上门回访) with their subtotal, then
    接访日, then the total: a reader sees what 四门四访 alone came to."""
    from xinfang_desktop.services.reception import ReceptionService

    log = services.get(ReceptionService)
    for day, kind, batches, persons in (("2026-10-09", "开门接访", 3, 5), ("2026-10-20", "登门走访", 2, 2),
                                        ("2026-10-21", "接访日", 4, 9), ("2026-10-22", "上门回访", 1, 3)):
        log.add(clerk, leader="王镇长", held_on=day, place="镇信访接待室", kind=kind, batches=batches, persons=persons)
    s = october(services, admin, compare=False)
    t = next(t for t in report_tables(s) if t.key == "receptions")
    assert [(r.key, r.kind, r.texts[:3]) for r in t.rows] == [
        ("home_visit", "item", ["登门走访", "2", "2"]), ("invited", "item", ["进门约访", "0", "0"]),
        ("open_door", "item", ["开门接访", "3", "5"]), ("return_visit", "item", ["上门回访", "1", "3"]),
        ("four_doors", "subtotal", ["四门四访小计", "6", "10"]), ("reception_day", "item", ["接访日", "4", "9"]),
        ("total", "total", ["合计", "10", "19"])]
    assert statistics_json(s)["receptions"]["subtotals"] == [
        {"key": "four_doors", "label": "四门四访小计", "members": ["home_visit", "invited", "open_door", "return_visit"],
         "batches": 6, "people": 10}]
    summary = log.summary(admin, date(2026, 10, 1), date(2026, 10, 31))          # the 接访 page's own summary
    assert [(ln.label, ln.batches, ln.persons) for ln in summary.display_lines()][-3:] == [
        ("四门四访小计", 6, 10), ("接访日", 4, 9), ("合计", 10, 19)]


def test_a_column_of_last_year_adds_up_to_its_total(services, admin, clerk):
    """A category that only last year had is a row of the table, so 上年同期 adds up (the 表3 bug:
    the printed total was not the sum of its rows)."""
    services.cases.register(clerk, make_registration(received_at=datetime(2025, 10, 5, 9), category_code="0301"))
    services.cases.register(clerk, make_registration(received_at=datetime(2026, 10, 5, 9), category_code="0401"))
    s = october(services, admin)
    for t in report_tables(s):
        if any(c.key == "earlier_batches" for c in t.columns):
            col = [c.key for c in t.columns].index("earlier_batches")
            items = sum(r.values[col] for r in t.rows if r.kind == "item")
            assert items == t.row("total").values[col], t.title
            if t.key != "receptions":
                assert items == s.earlier.total.batches, t.title
    sub = next(t for t in report_tables(s) if t.key == "by_subcategory")
    assert [r.key for r in sub.rows] == ["0401", "0301", "total"]


def test_the_facts_keep_the_open_15_day_limit_and_check_verifies_it(services, admin, windows):
    """`xinfang check` verifies the new fact (case.stat_accept, case_fact.accept_limit) and rebuilds it."""
    from xinfang_desktop.services.check import run_check

    db = services.db
    got = dict(db.execute_sql("SELECT c.number, f.accept_limit FROM case_fact f JOIN \"case\" c ON c.sid = f.sid "
                              "WHERE f.accept_limit IS NOT NULL").fetchall())
    assert got == {windows["K1"]: "2026-10-30", windows["K2"]: "2026-11-02"}
    db.execute_sql("UPDATE case_fact SET accept_limit = '2026-12-31' WHERE accept_limit = '2026-10-30'")
    db.execute_sql("UPDATE \"case\" SET stat_accept = NULL WHERE number = ?", (windows["K2"],))
    report = run_check(db, services.calendar.calendar)
    assert report.facts_stale >= 1 and windows["K2"] in report.mismatched and not report.ok
    run_check(db, services.calendar.calendar, repair=True)
    assert run_check(db, services.calendar.calendar).ok
    assert {x.key: x for x in october(services, admin, compare=False).rates}["timely_acceptance"].denominator == 10


@pytest.mark.sqlite_only
def test_a_database_of_the_previous_schema_gets_the_new_facts(services, admin, handler, windows):
    """The upgrade step on a database whose facts lack the 15-day limit: the column, the index and
    the triggers are added, every case refolded, and the figures are those of a new database."""
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.store import models_facts
    from xinfang_desktop.store.steps import v014_rate_windows

    before = statistics_json(october(services, admin, compare=False))
    db = services.db
    with db.atomic():                 # as the previous version left it
        for name in models_facts.TRIGGERS:
            db.execute_sql(f'DROP TRIGGER "{name}"')
        db.execute_sql("DROP INDEX case_fact_flags")
        db.execute_sql("ALTER TABLE case_fact DROP COLUMN accept_limit")
        db.execute_sql('ALTER TABLE "case" DROP COLUMN stat_accept')
        db.execute_sql("CREATE INDEX case_fact_flags ON case_fact (flags, day, dim, next_due, open_limit, replied_on)")
    with db.atomic():
        v014_rate_windows.upgrade(db)
        v014_rate_windows.upgrade(db)            # and again: nothing more happens
    assert statistics_json(october(services, admin, compare=False)) == before
    assert run_check(db, services.calendar.calendar).ok
    index = [r[2] for r in db.execute_sql("PRAGMA index_info(case_fact_flags)").fetchall()]
    assert index == list(models_facts.FLAGS_INDEX)
    # the triggers keep the new fact: a decision moves K2 out of the undecided
    services.cases.act(handler, windows["K2"], "routed", {"route": "direct", "unit": "镇信访办"})
    r = {x.key: x for x in october(services, admin, compare=False).rates}["timely_acceptance"]
    assert terms(r)["告知期内待告知"] == 0 and r.denominator == 11


def test_the_township_scope_follows_the_same_definitions(services, admin, windows):
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10), st.Scope((T102,)), compare=False)
    assert {x.key: (x.numerator, x.denominator) for x in s.rates}["timely_acceptance"] == (8, 10)


def test_a_back_dated_entry_is_a_term_of_its_own_in_timely_acceptance_articles_39_40(services, admin, clerk,
                                                                                      handler, windows):
    """补录 (第三十九、四十条: no 弄虚作假 in 考核): a matter entered on 11-02 as received on 10-20 and
    routed on 10-21 is neither on time nor hidden: it is counted as 补录, in the denominator."""
    ref = services.cases.register(clerk, make_registration(received_at=datetime(2026, 10, 20, 9)))
    services.cases.act(handler, ref.number, "routed", {"route": "direct", "unit": "镇信访办", "notified": True},
                       at=datetime(2026, 10, 21, 9))
    r = {x.key: x for x in october(services, admin, compare=False).rates}["timely_acceptance"]
    assert terms(r) == {"按期告知": 8, "超期告知": 1, "超期未告知": 1, "补录": 1, "告知期内待告知": 1}
    assert (r.numerator, r.denominator) == (8, 11)
