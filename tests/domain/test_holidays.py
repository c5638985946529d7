import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.holidays import (
    HolidayCalendar,
    YearSchedule,
    build_calendar,
    parse_year_schedule,
)

CAL = build_calendar()

JSON_2027 = json.dumps(
    {
        "year": 2027,
        "holidays": [
            {"name": "元旦", "dates": ["2027-01-01", "2027-01-02", "2027-01-03"]},
            {"name": "春节", "dates": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]},
        ],
        "workdays": ["2027-02-20"],
    },
    ensure_ascii=False,
)

TEXT_2027 = """\ufeff# 2027年节假日（测试用，非官方）
2027-01-01 休 元旦
2027-01-02 休
2027-01-03 休 元旦

2027-02-05 休 春节
2027-02-06 休 春节  # 周六
2027-02-07 休
2027-02-08 休
2027-02-20 班 春节调休
"""


def test_official_years_are_detected_from_chinese_calendar():
    years = CAL.known_years()
    assert {2004, 2020, 2026} <= years
    assert 2003 not in years and 2200 not in years
    assert years == frozenset(range(min(years), max(years) + 1))


def test_official_schedule_with_tiaoxiu():
    assert not CAL.is_workday(date(2026, 10, 1))  # 国庆
    assert CAL.is_workday(date(2026, 9, 20))  # a Sunday worked for 国庆/中秋
    assert not CAL.is_workday(date(2026, 9, 19))  # ordinary Saturday
    assert CAL.is_workday(date(2026, 9, 21))
    assert CAL.knows(date(2026, 6, 1))


def test_unknown_year_is_estimated_and_not_known():
    assert not CAL.knows(date(2028, 3, 1))
    assert not CAL.is_workday(date(2028, 1, 1))  # fixed-date holiday (a Saturday anyway)
    assert not CAL.is_workday(date(2028, 5, 1)) and not CAL.is_workday(date(2028, 5, 2))  # Mon, Tue
    assert CAL.is_workday(date(2028, 5, 3))  # no guess at 调休 beyond the fixed dates
    assert not CAL.is_workday(date(2028, 10, 2)) and not CAL.is_workday(date(2028, 10, 3))  # Mon, Tue
    assert CAL.is_workday(date(2028, 10, 4))
    assert not CAL.is_workday(date(2028, 3, 4))  # Saturday
    assert CAL.is_workday(date(2028, 3, 6))  # Monday


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)))
def test_never_raises_in_1900_to_2200(d):
    assert CAL.is_workday(d) in (True, False)
    assert CAL.knows(d) == (d.year in CAL.known_years())


def test_both_formats_parse_to_the_same_schedule():
    a, b = parse_year_schedule(JSON_2027), parse_year_schedule(TEXT_2027)
    assert a == b
    assert a.year == 2027
    assert date(2027, 2, 6) in a.holidays and len(a.holidays) == 7
    assert a.workdays == frozenset({date(2027, 2, 20)})


def test_json_with_a_plain_list_of_holidays_and_no_workdays():
    s = parse_year_schedule('{"year": 2027, "holidays": ["2027-01-01", "2027-10-01"]}')
    assert s == YearSchedule(2027, frozenset({date(2027, 1, 1), date(2027, 10, 1)}), frozenset())


def test_loaded_schedule_makes_the_year_known_and_changes_days():
    cal = build_calendar([parse_year_schedule(TEXT_2027)])
    assert cal.knows(date(2027, 7, 1)) and 2027 in cal.known_years()
    assert not cal.is_workday(date(2027, 2, 5))  # a Friday off
    assert cal.is_workday(date(2027, 2, 20))  # a Saturday worked
    assert cal.is_workday(date(2027, 10, 1))  # not in this (partial, test) schedule
    assert not CAL.knows(date(2027, 7, 1))  # the default calendar is unchanged


def test_loaded_schedule_overrides_an_official_year():
    s = YearSchedule(2026, frozenset({date(2026, 3, 3)}), frozenset({date(2026, 3, 7)}))
    cal = HolidayCalendar([s])
    assert not cal.is_workday(date(2026, 3, 3))
    assert cal.is_workday(date(2026, 3, 7))
    assert cal.is_workday(date(2026, 10, 1))  # the official 国庆 is replaced by the loaded year


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('{"year": 2027, "holidays": [', "不是有效的JSON"),
        ("[1, 2]", "第1行"),  # not JSON object -> treated as text, line 1 malformed
        ('{"holidays": ["2027-01-01"]}', "缺少年份"),
        ('{"year": 2027}', "缺少放假日期列表"),
        ('{"year": 2027, "holidays": []}', "没有任何节假日"),
        ('{"year": 2003, "holidays": ["2003-01-01"]}', "不在可加载的范围内"),
        ('{"year": 2027, "holidays": ["2028-01-01"]}', "不在2027年内"),
        ('{"year": 2027, "holidays": ["2027-02-30"]}', "不是有效日期"),
        ('{"year": 2027, "holidays": ["2027-02-20"], "workdays": ["2027-02-20"]}', "同时被列为放假和上班"),
        ('{"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-02-22"]}', "是星期一"),
        ('{"year": 2027, "holidays": [{"name": "元旦"}]}', "“元旦”缺少日期列表"),
        ("", "是空的"),
        ("# 只有注释\n\n", "是空的"),
        ("2027-01-01 休\n2028-01-01 休\n", "不在同一年"),
        ("2027-01-01 放 元旦\n", "无法识别"),
        ("2027-01-01\n", "格式不对"),
        ("2027-02-20 班\n", "没有任何节假日"),
        ("2027-01-01 休\n2027-01-04 班\n", "是星期一"),
    ],
)
def test_bad_schedules_are_refused_with_a_reason(text, fragment):
    with pytest.raises(InvalidInput) as exc:
        parse_year_schedule(text)
    assert fragment in exc.value.message


def test_holiday_on_a_weekend_is_accepted():
    s = parse_year_schedule("2027-02-06 休 春节\n")
    assert s.holidays == frozenset({date(2027, 2, 6)})


def test_cached_table_agrees_with_chinese_calendar_for_whole_years():
    import chinese_calendar

    for year in (2004, 2024, 2026):  # first year, a leap year, the last bundled year
        d = date(year, 1, 1)
        while d.year == year:
            assert CAL.is_workday(d) == chinese_calendar.is_workday(d), d
            d += timedelta(days=1)


def test_extreme_years_do_not_raise():
    assert CAL.is_workday(date(9999, 12, 31)) in (True, False)
    assert CAL.is_workday(date(1, 1, 1)) is False  # 1 January is a fixed holiday
    assert not CAL.knows(date(1, 1, 1))
