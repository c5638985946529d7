"""Which days are working days: the official schedule where known, a labelled guess elsewhere.

`chinese-calendar` carries the State Council's schedules for the years announced
when it was released. A later year is announced late in the preceding year; until
its schedule is loaded (`xinfang calendar load FILE`) that year is computed from
weekends and the fixed-date statutory holidays, and `knows()` says False so that
deadlines in it are shown as provisional.

Schedule file formats accepted by `parse_year_schedule`:

JSON::

    {"year": 2027,
     "holidays": [{"name": "元旦", "dates": ["2027-01-01"]},
                  {"name": "春节", "dates": ["2027-02-06", "2027-02-07"]}],
     "workdays": ["2027-02-20"]}

  ("holidays" may also be a plain list of dates: ["2027-01-01", ...]; "workdays"
  may be omitted when the year has no 调休.)

Plain text, one date per line; `休` (or `假`) marks a holiday, `班` a 调休 working
weekend day; a name after the mark is optional; `#` starts a comment::

    # 2027年部分节假日安排
    2027-01-01 休 元旦
    2027-02-20 班 春节调休

Rules: every date lies in the stated year (for text: all dates in one year); a
date is not both holiday and workday; a workday is a Saturday or Sunday (a
holiday on a weekend is fine); at least one holiday; the year is 2004 or later.
"""

from __future__ import annotations

import calendar as _stdcal
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from .errors import InvalidInput

FIELD = "calendar"
FIRST_SCHEDULE_YEAR = 2004  # chinese-calendar's first year; the present holiday system dates from 2008
LAST_SCHEDULE_YEAR = 2200
# Fixed-date statutory holidays of the 2025 rules (国务院令第798号); the lunar ones cannot be guessed safely.
_FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))
_TEXT_LINE = re.compile(r"(\S+)\s+(\S)(?:\s+(.*))?")


class InvalidSchedule(InvalidInput):
    def __init__(self, message: str):
        super().__init__(message, field=FIELD)


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]  # 调休 working weekend days


def _parse_date(value: object, where: str) -> date:
    if not isinstance(value, str):
        raise InvalidSchedule(f"{where}：日期应写成“2027-01-01”这样的文字，现为 {value!r}。")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidSchedule(f"{where}：“{value}”不是有效日期，请写成“2027-01-01”的格式。") from None


def _check(year: int, holidays: set[date], workdays: set[date]) -> YearSchedule:
    if year < FIRST_SCHEDULE_YEAR or year > LAST_SCHEDULE_YEAR:
        raise InvalidSchedule(
            f"年份{year}不在可加载的范围内（{FIRST_SCHEDULE_YEAR}–{LAST_SCHEDULE_YEAR}），请检查文件中的年份。"
        )
    if not holidays:
        raise InvalidSchedule(f"{year}年的安排中没有任何节假日，请检查文件是否完整。")
    for d in sorted(holidays | workdays):
        if d.year != year:
            raise InvalidSchedule(f"日期 {d.isoformat()} 不在{year}年内，请检查文件中的年份或日期。")
    both = sorted(holidays & workdays)
    if both:
        raise InvalidSchedule(f"日期 {both[0].isoformat()} 同时被列为放假和上班，请只保留其中一项。")
    for d in sorted(workdays):
        if d.weekday() < 5:
            raise InvalidSchedule(
                f"调休上班日 {d.isoformat()} 是星期{'一二三四五'[d.weekday()]}，本来就要上班；"
                "调休上班日应是周六或周日，请核对。"
            )
    return YearSchedule(year, frozenset(holidays), frozenset(workdays))


def _parse_json(text: str) -> YearSchedule:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidSchedule(f"节假日文件不是有效的JSON（第{e.lineno}行第{e.colno}列附近有错误），请检查格式。") from None
    if not isinstance(data, dict):
        raise InvalidSchedule("节假日JSON文件的最外层应是一个对象，含 year、holidays、workdays。")
    year = data.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    if not isinstance(year, int) or isinstance(year, bool):
        raise InvalidSchedule("节假日文件缺少年份（\"year\": 2027 这样的整数），请补上。")
    raw_holidays = data.get("holidays")
    if not isinstance(raw_holidays, list):
        raise InvalidSchedule("节假日文件缺少放假日期列表（\"holidays\"），请补上。")
    holidays: set[date] = set()
    for i, item in enumerate(raw_holidays, 1):
        if isinstance(item, dict):
            name = item.get("name") or f"第{i}项"
            dates = item.get("dates")
            if not isinstance(dates, list) or not dates:
                raise InvalidSchedule(f"节假日“{name}”缺少日期列表（\"dates\"），请补上。")
            holidays.update(_parse_date(v, f"节假日“{name}”") for v in dates)
        else:
            holidays.add(_parse_date(item, f"放假日期第{i}项"))
    raw_workdays = data.get("workdays", [])
    if not isinstance(raw_workdays, list):
        raise InvalidSchedule("\"workdays\" 应是调休上班日期的列表，例如 [\"2027-02-20\"]。")
    workdays = {_parse_date(v, f"调休上班日期第{i}项") for i, v in enumerate(raw_workdays, 1)}
    return _check(year, holidays, workdays)


def _parse_text(text: str) -> YearSchedule:
    holidays: set[date] = set()
    workdays: set[date] = set()
    first: tuple[int, date] | None = None
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = _TEXT_LINE.fullmatch(line)
        if not m:
            raise InvalidSchedule(f"第{n}行“{line}”格式不对，应为“2027-01-01 休 元旦”或“2027-02-20 班”。")
        d = _parse_date(m.group(1), f"第{n}行")
        if m.group(2) in "休假":
            holidays.add(d)
        elif m.group(2) == "班":
            workdays.add(d)
        else:
            raise InvalidSchedule(f"第{n}行的“{m.group(2)}”无法识别：放假写“休”，调休上班写“班”。")
        if first is None:
            first = (n, d)
        elif d.year != first[1].year:
            raise InvalidSchedule(
                f"第{n}行的日期 {d.isoformat()} 与第{first[0]}行不在同一年；一个文件只能写一年的安排。"
            )
    if first is None:
        raise InvalidSchedule("节假日文件是空的，请按“2027-01-01 休 元旦”的格式每行写一个日期。")
    return _check(first[1].year, holidays, workdays)


def parse_year_schedule(text: str) -> YearSchedule:
    """Parse one year's official schedule (JSON or plain text; see the module docstring)."""
    text = (text or "").lstrip("\ufeff")  # files saved by Windows Notepad may start with a BOM
    if text.lstrip().startswith("{"):
        return _parse_json(text)
    return _parse_text(text)


def _days_in(year: int) -> int:
    return 366 if _stdcal.isleap(year) else 365


def _chinese_calendar_year(year: int) -> bytes | None:
    """Working-day flags of `year` from chinese-calendar, or None when it has no data for that year."""
    try:
        import chinese_calendar
    except ImportError:  # the bundle always has it; stay usable (all years provisional) if not
        return None
    start = date(year, 1, 1)
    try:
        chinese_calendar.is_workday(start)
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return None
    return bytes(chinese_calendar.is_workday(start + timedelta(i)) for i in range(_days_in(year)))


def _schedule_flags(s: YearSchedule) -> bytes:
    start = date(s.year, 1, 1)
    flags = bytearray(_days_in(s.year))
    for i in range(len(flags)):
        d = start + timedelta(i)
        flags[i] = d in s.workdays or (d.weekday() < 5 and d not in s.holidays)
    return bytes(flags)


def _estimated_flags(year: int) -> bytes:
    start = date(year, 1, 1)
    n = _days_in(year)
    fixed = {date(year, m, d) for m, d in _FIXED_HOLIDAYS}
    return bytes((start + timedelta(i)).weekday() < 5 and start + timedelta(i) not in fixed for i in range(n))


class HolidayCalendar:
    """Working days by year: loaded schedules first, then chinese-calendar, then an estimate.

    One flag table per year, built on first use, so `is_workday` is a dict lookup and an index.
    """

    def __init__(self, schedules: Iterable[YearSchedule] = ()):
        self._loaded = {s.year: s for s in schedules}  # a later schedule of the same year wins
        self._flags: dict[int, tuple[int, bytes]] = {}  # year -> (ordinal of 1 January, flag per day)
        self._known: dict[int, bool] = {}
        self._official_years: frozenset[int] | None = None

    def _year(self, year: int) -> tuple[int, bytes]:
        entry = self._flags.get(year)
        if entry is None:
            if year in self._loaded:
                flags, known = _schedule_flags(self._loaded[year]), True
            else:
                official = _chinese_calendar_year(year) if 1 <= year < 9999 else None
                flags, known = (official, True) if official is not None else (_estimated_flags(year), False)
            entry = (date(year, 1, 1).toordinal(), flags)
            self._known[year] = known
            self._flags[year] = entry
        return entry

    def is_workday(self, d: date) -> bool:
        start, flags = self._flags.get(d.year) or self._year(d.year)
        return flags[d.toordinal() - start] == 1

    def is_rest_day(self, d: date) -> bool:
        return not self.is_workday(d)

    def knows(self, d: date) -> bool:
        """True when the official schedule of d's year is known (from chinese-calendar or a loaded file)."""
        known = self._known.get(d.year)
        if known is None:
            self._year(d.year)
            known = self._known[d.year]
        return known

    def known_years(self) -> frozenset[int]:
        if self._official_years is None:
            self._official_years = _official_years()
        return self._official_years | frozenset(self._loaded)


def _official_years() -> frozenset[int]:
    # Probe rather than hard-code, so a newer chinese-calendar extends the range by itself.
    try:
        import chinese_calendar
    except ImportError:
        return frozenset()
    years: set[int] = set()
    for year in range(FIRST_SCHEDULE_YEAR - 10, LAST_SCHEDULE_YEAR + 1):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            if years:
                break
            continue
        years.add(year)
    return frozenset(years)


def build_calendar(schedules: Iterable[YearSchedule] = ()) -> HolidayCalendar:
    return HolidayCalendar(schedules)
