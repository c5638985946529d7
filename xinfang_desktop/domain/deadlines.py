"""Statutory time limits (信访工作条例) counted on the holiday calendar.

The day of the event is not counted; a last day that is a rest day moves to the
next working day (民法典 第二百零一、二百零三条). A deadline that depends on a
year whose official schedule is not known yet is marked provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from .errors import InvalidInput

_DAY = timedelta(days=1)


class WorkdayCalendar(Protocol):
    def is_workday(self, d: date) -> bool: ...

    def knows(self, d: date) -> bool: ...


@dataclass(frozen=True, order=True)
class Due:
    date: date
    provisional: bool = False  # some day looked at lies in a year the calendar does not know


def _check_days(days: int) -> None:
    if days < 0:
        raise InvalidInput(f"期限天数不能为负数（现为{days}），请检查。", field="days")


def calendar_days(start: date, days: int, cal: WorkdayCalendar) -> Due:
    """N calendar days after `start`; a last day that is a rest day moves to the next working day."""
    _check_days(days)
    last = start + timedelta(days=days)
    provisional = not cal.knows(last)
    while not cal.is_workday(last):
        last += _DAY
        provisional = provisional or not cal.knows(last)
    return Due(last, provisional)


def working_days(start: date, days: int, cal: WorkdayCalendar) -> Due:
    """The Nth working day after `start` (调休 weekend workdays count, holidays do not).

    With days == 0 this is `start` itself when it is a working day, else the next one.
    """
    _check_days(days)
    if days == 0:
        return calendar_days(start, 0, cal)
    d, left, provisional = start, days, False
    while left:
        d += _DAY
        provisional = provisional or not cal.knows(d)
        if cal.is_workday(d):
            left -= 1
    return Due(d, provisional)

