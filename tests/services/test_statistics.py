"""Statistics: every figure of a hand-counted data set, and the add-up property on random data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from xinfang_desktop.domain import statistics as st
from xinfang_desktop.domain import workflow as wf
from xinfang_desktop.domain.statistics import Count
from xinfang_desktop.services.statistics import Scope, StatisticsService
from tests.services.stats_data import T102, T103, T104, build_october


@pytest.fixture
def october(services, clerk, handler):
    return build_october(services, clerk, handler)


def rows(b):
    return {r.key: (r.count.batches, r.count.people) for r in b.rows if r.count.batches}


def test_every_figure_of_october_matches_the_hand_count(services, admin, october):
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10))
    assert s.total == Count(7, 14)
    assert rows(s.by_channel) == {"visit": (3, 5), "letter": (2, 7), "phone": (1, 1), "online": (1, 1)}
    assert s.by_channel.get("fax") == Count(0, 0)          # every channel is listed, even when zero
    assert rows(s.by_category) == {"04": (4, 4), "03": (2, 9), "07": (1, 1)}
    assert rows(s.by_subcategory) == {"0401": (3, 3), "0402": (1, 1), "0301": (1, 6), "03": (1, 3), "0701": (1, 1)}
    assert "未细分" in next(r.label for r in s.by_subcategory.rows if r.key == "03")
    assert rows(s.by_township) == {T102: (4, 4), T103: (1, 6), T104: (1, 1), "": (1, 3)}
    assert [r.label for r in s.by_township.rows][-1] == "未填乡镇"
    assert rows(s.by_repeat) == {"first": (6, 13), "repeat": (1, 1)}
    # B is a letter signed by six: a 联名信, not a group visit (a group visit is 走访 only)
    assert rows(s.by_group) == {"single": (6, 8), "joint": (1, 6)}
    w = s.workflow
    assert (w.received, w.accepted, w.routed, w.refused, w.redirected, w.replied, w.closed, w.extended, w.reviewed,
            w.overdue) == (7, 6, 5, 1, 0, 3, 2, 1, 1, 1)
    # B was transferred and the petitioner told where (第二十二、二十三条); G's address is unclear (第二十三条第二款)
    assert (w.transferred, w.notice_exempt) == (1, 1)
    assert [k for k, *_ in w.rows()][5:7] == ["transferred", "notice_exempt"]
    r = {x.key: x for x in s.rates}
    # G (registered 10-20, its 15 days end 11-04) is still inside its window on 11-02: not counted
    assert (r["timely_acceptance"].numerator, r["timely_acceptance"].denominator) == (5, 6)
    assert dict(r["timely_acceptance"].parts) == {"按期告知": 5, "超期告知": 1, "超期未告知": 0, "补录": 0}
    assert dict(r["timely_acceptance"].not_counted) == {"告知期内待告知": 1}
    assert (r["on_time_closure"].numerator, r["on_time_closure"].denominator) == (2, 4)
    assert dict(r["on_time_closure"].parts) == {"按期办结": 2, "超期办结": 1, "超期未办结": 1}
    # B, transferred 10-30: this office's handling ended there (第二十二、二十三条), no limit to count
    assert dict(r["on_time_closure"].not_counted) == {"办理期限内在办": 0}
    assert (r["participation"].numerator, r["participation"].denominator) == (1, 2)
    assert dict(r["participation"].not_counted) == {"评价期内未评": 1}              # H, replied 10-15
    assert (r["satisfaction"].numerator, r["satisfaction"].denominator) == (1, 1)
    assert (r["repeat"].numerator, r["repeat"].denominator) == (1, 7)
    assert r["on_time_closure"].text == "50.0%" and r["repeat"].worked == "1 ÷ 7 = 14.3%"
    assert all(x.formula.startswith(x.name + " = ") and x.definition for x in s.rates)
    # the same month a year earlier, and the month line ending in October
    assert s.earlier is not None and s.earlier.period == st.month(2025, 10) and s.earlier.total == Count(1, 1)
    months = {r.key: r.count.batches for r in s.months.rows}
    assert len(months) == 12 and months["2026-10"] == 7 and months["2026-09"] == 1 and months["2025-11"] == 0


def test_a_scope_counts_the_township_of_the_matter_or_else_the_registering_office(services, admin, october):
    svc = services.get(StatisticsService)
    one = svc.compute(admin, st.month(2026, 10), Scope((T102,)), compare=False)
    assert one.total == Count(5, 7)            # A C H I, and G which has no township: the office's own
    two = svc.compute(admin, st.month(2026, 10), Scope((T103, T104)), compare=False)
    assert two.total == Count(2, 7) and rows(two.by_township) == {T103: (1, 6), T104: (1, 1)}
    assert two.scope_label == "溪南镇、和平镇"


def test_a_quarter_a_year_and_a_custom_span(services, admin, october):
    svc = services.get(StatisticsService)
    assert svc.compute(admin, st.quarter(2026, 4), compare=False).total == Count(7, 14)
    assert svc.compute(admin, st.quarter(2026, 3), compare=False).total == Count(1, 1)
    y = svc.compute(admin, st.year(2026))
    assert y.total == Count(8, 15) and y.earlier.total == Count(1, 1)
    assert [r.key for r in y.months.rows] == [f"2026-{m:02d}" for m in range(1, 12)]   # none after today
    span = svc.compute(admin, st.custom(date(2026, 9, 30), date(2026, 10, 3)), compare=False)
    assert span.total == Count(3, 3)          # E (9-30), I (10-01), H (10-03): both ends included


def test_periods_are_named_and_shifted_a_year_back():
    assert st.month(2024, 2).year_earlier() == st.month(2023, 2)
    assert st.custom(date(2024, 2, 29), date(2024, 3, 5)).year_earlier().start == date(2023, 2, 28)
    assert st.custom(date(2026, 4, 1), date(2026, 6, 30)) == st.quarter(2026, 2)
    assert st.quarter(2026, 2).label == "2026年第2季度" and st.year(2026).report_title == "年报"
    with pytest.raises(Exception):
        st.custom(date(2026, 5, 1), date(2026, 4, 1))


# -- the add-up property and the figures checked against a full fold of every case ------------------
def reference(services, period, today):
    """The naive way: fold each case's whole timeline with the workflow rules."""
    from xinfang_desktop.services.cases import to_event
    from xinfang_desktop.store.models import Case, CaseEvent

    cal = services.calendar.calendar()
    start = datetime.combine(period.start, datetime.min.time())
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time())
    out = dict(received=0, timely=0, decided_late=0, late_entry=0, undecided_late=0, undecided_in=0, on_time=0, late=0,
               open_late=0, open_in=0, rated=0, unrated=0, unrated_in=0, good=0, repeats=0)
    events: dict[str, list] = {}
    for e in CaseEvent.select():
        events.setdefault(e.case_id, []).append(to_event(e))
    for c in Case.select().where((Case.received_at >= start) & (Case.received_at < end)):
        s = wf.fold(events[c.id], cal)
        out["received"] += 1
        out["repeats"] += c.repeat_of is not None
        route = s.deadline(wf.DeadlineKey.ROUTE)
        # a back-dated entry (补录) is never counted as accepted in time: a term of its own
        if route.met_on is not None:
            out["late_entry" if s.entered_late else "timely" if route.met_on <= route.due.date else "decided_late"] += 1
        else:
            out["undecided_late" if route.overdue_on(today) else "undecided_in"] += 1
        h = s.deadline(wf.DeadlineKey.HANDLING)
        if h is not None and s.route not in (None, wf.Route.OTHER_CHANNEL):
            if h.met_on is not None:
                out["on_time" if h.met_on <= h.due.date else "late"] += 1
            else:
                out["open_late" if h.overdue_on(today) else "open_in"] += 1
        if s.rating is not None:
            out["rated"] += 1
            out["good"] += s.rating in (wf.Rating.SATISFIED, wf.Rating.BASICALLY)
        elif s.replied_on is not None:
            out["unrated" if (today - s.replied_on).days > st.RATING_WINDOW_DAYS else "unrated_in"] += 1
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tables_add_up_and_rates_agree_with_a_full_fold_on_random_data(services, admin, seed):
    from xinfang_desktop.services import demo

    demo.generate(services, admin, 400, seed=seed, days_back=500)
    svc = services.get(StatisticsService)
    period = st.custom(date(2025, 11, 15), date(2026, 9, 20))
    s = svc.compute(admin, period, compare=False)
    totals = {b.title: b.total for b in s.breakdowns()}
    assert len(set(totals.values())) == 1, totals
    assert s.total.batches == s.workflow.received == s.rate_inputs.received > 0
    # by township, then each township alone: the parts are the whole
    alone = [svc.compute(admin, period, Scope((r.key,)), compare=False).total
             for r in s.by_township.rows if r.key]
    assert st.total_of(alone).batches == s.total.batches - s.by_township.get("").batches
    assert sum(r.count.batches for r in s.by_category.rows) == sum(r.count.batches for r in s.by_subcategory.rows)
    ref = reference(services, period, services.clock.today())
    i = s.rate_inputs
    assert (i.received, i.accepted_in_time, i.decided_late, i.late_entries, i.undecided_past_window, i.undecided_in_window,
            i.closed_on_time, i.closed_late, i.open_past_due, i.open_in_limit, i.rated, i.unrated_past_window,
            i.unrated_in_window, i.satisfied + i.basically, i.repeats) == (
        ref["received"], ref["timely"], ref["decided_late"], ref["late_entry"], ref["undecided_late"], ref["undecided_in"],
        ref["on_time"], ref["late"], ref["open_late"], ref["open_in"], ref["rated"], ref["unrated"],
        ref["unrated_in"], ref["good"], ref["repeats"])
    # every matter is in exactly one term of 及时受理率 (counted or not)
    assert (i.accepted_in_time + i.decided_late + i.late_entries + i.undecided_past_window + i.undecided_in_window
            == i.received)
    assert i.satisfied + i.basically + i.dissatisfied == i.rated


def test_leaders_receptions_by_kind_add_up(services, admin, october):
    reception = pytest.importorskip("xinfang_desktop.services.reception")
    log = services.get(reception.ReceptionService)
    for day, kind, batches, persons in (("2026-10-09", "开门接访", 3, 5), ("2026-10-20", "登门走访", 2, 2),
                                        ("2026-10-21", "开门接访", 1, 7), ("2026-09-30", "上门回访", 4, 4)):
        log.add(admin, leader="王镇长", held_on=day, place="镇信访接待室", kind=kind, batches=batches, persons=persons)
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10))
    assert rows(s.receptions) == {"open_door": (4, 12), "home_visit": (2, 2)}
    assert s.receptions.total == Count(6, 14)
    assert s.receptions.get("return_visit") == Count(0, 0)        # the September one is not in October
