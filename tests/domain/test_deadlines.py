from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang_desktop.domain.deadlines import Due, calendar_days, working_days
from xinfang_desktop.domain.urgency import urgency
from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.holidays import build_calendar, parse_year_schedule

CAL = build_calendar()

# A hypothetical 2027 schedule (the official one is not announced yet): 春节 5–11 Feb, 20 Feb worked.
SCHEDULE_2027 = parse_year_schedule(
    "\n".join(f"2027-02-{d:02d} 休 春节" for d in range(5, 12)) + "\n2027-01-01 休 元旦\n2027-02-20 班\n"
)
CAL_2027 = build_calendar([SCHEDULE_2027])


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2005, 1, 1), date(2030, 12, 31)), st.integers(1, 90))
def test_no_deadline_falls_on_a_rest_day(start, days):
    due = calendar_days(start, days, CAL)
    assert CAL.is_workday(due.date)
    assert due.date >= start + timedelta(days=days)
    # Nothing skipped over: every day between the nominal last day and the due date is a rest day.
    d = start + timedelta(days=days)
    while d < due.date:
        assert not CAL.is_workday(d)
        d += timedelta(days=1)
    w = working_days(start, days, CAL)
    assert CAL.is_workday(w.date)
    n = sum(CAL.is_workday(start + timedelta(i)) for i in range(1, (w.date - start).days + 1))
    assert n == days


@settings(max_examples=150, deadline=None)
# 90 working days can take ~130 calendar days: start early enough that both limits stay in 2026.
@given(st.dates(date(2005, 1, 1), date(2026, 6, 1)), st.integers(1, 90))
def test_deadlines_inside_known_years_are_not_provisional(start, days):
    assert not calendar_days(start, days, CAL).provisional
    assert not working_days(start, days, CAL).provisional


def test_fifteen_days_from_20_september_2026_rolls_past_guoqing():
    # Last day 5 October falls in the 1–7 October holiday; first working day is 8 October.
    assert calendar_days(date(2026, 9, 20), 15, CAL) == Due(date(2026, 10, 8), False)


def test_calendar_days_on_a_working_day_stay_put():
    assert calendar_days(date(2026, 3, 2), 15, CAL) == Due(date(2026, 3, 17), False)
    assert calendar_days(date(2026, 3, 2), 0, CAL) == Due(date(2026, 3, 2), False)


def test_working_days_count_tiaoxiu_weekends_and_skip_holidays():
    # After 7 Oct 2026: 8 (Thu), 9 (Fri), 10 (Sat, a 调休 workday).
    assert working_days(date(2026, 10, 7), 3, CAL) == Due(date(2026, 10, 10), False)
    # Sunday 20 Sep 2026 is worked: the first working day after Friday 18 Sep.
    assert working_days(date(2026, 9, 18), 1, CAL).date == date(2026, 9, 20)
    # 5 working days from 30 Sep 2026 (第二十三条 objection): 8, 9, 10, 12, 13 Oct.
    assert working_days(date(2026, 9, 30), 5, CAL).date == date(2026, 10, 13)
    assert working_days(date(2026, 10, 3), 0, CAL).date == date(2026, 10, 8)


def test_negative_days_refused():
    with pytest.raises(InvalidInput):
        calendar_days(date(2026, 1, 5), -1, CAL)
    with pytest.raises(InvalidInput):
        working_days(date(2026, 1, 5), -1, CAL)


def test_2027_deadlines_are_provisional_until_the_schedule_is_loaded():
    start = date(2027, 1, 28)
    before = calendar_days(start, 10, CAL)  # 7 Feb 2027 is a Sunday: weekend rule only
    assert before == Due(date(2027, 2, 8), True)
    after = calendar_days(start, 10, CAL_2027)
    assert after == Due(date(2027, 2, 12), False)  # the loaded 春节 holiday moves it

    w_before = working_days(date(2027, 2, 18), 2, CAL)  # Fri 19, Mon 22
    assert w_before == Due(date(2027, 2, 22), True)
    assert working_days(date(2027, 2, 18), 2, CAL_2027) == Due(date(2027, 2, 20), False)


def test_a_deadline_crossing_into_an_unknown_year_is_provisional():
    # From 2026 into 2027 (unknown): provisional even though the start year is known.
    assert calendar_days(date(2026, 12, 20), 15, CAL) == Due(date(2027, 1, 4), True)
    assert not calendar_days(date(2026, 12, 20), 15, CAL_2027).provisional
    assert working_days(date(2026, 12, 30), 3, CAL).provisional


def test_due_orders_by_date():
    assert Due(date(2026, 1, 2)) < Due(date(2026, 1, 3), True)
    assert sorted([Due(date(2026, 5, 1)), Due(date(2026, 1, 1))])[0].date == date(2026, 1, 1)


@pytest.mark.parametrize(
    "start, due, today, colour",
    [
        (date(2026, 1, 1), date(2026, 1, 21), date(2026, 1, 1), "green"),
        (date(2026, 1, 1), date(2026, 1, 21), date(2026, 1, 15), "green"),  # 6 of 20 left: 30%
        (date(2026, 1, 1), date(2026, 1, 21), date(2026, 1, 16), "amber"),  # 5 of 20: exactly 25%
        (date(2026, 1, 1), date(2026, 1, 21), date(2026, 1, 21), "amber"),  # due today
        (date(2026, 1, 1), date(2026, 1, 21), date(2026, 1, 22), "red"),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1), "amber"),  # due == start
        (date(2026, 1, 1), date(2026, 1, 1), date(2025, 12, 31), "green"),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 2), "red"),
        (date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 5), "green"),  # before the start
    ],
)
def test_urgency(start, due, today, colour):
    assert urgency(start, due, today) == colour


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.integers(0, 120), st.integers(-10, 140))
def test_urgency_only_gets_worse_with_time(start, span, offset):
    due = start + timedelta(days=span)
    order = {"green": 0, "amber": 1, "red": 2}
    today = start + timedelta(days=offset)
    assert order[urgency(start, due, today)] <= order[urgency(start, due, today + timedelta(days=1))]
