"""The holiday calendar of this installation: chinese-calendar plus schedules loaded by an administrator."""

from __future__ import annotations

from ..domain.holidays import HolidayCalendar, build_calendar, parse_year_schedule
from ..store.models import CalendarYear
from .audit import audit
from .clock import Clock
from .permissions import Actor, Permission, require


class CalendarService:
    def __init__(self, db, clock: Clock):
        self.db = db
        self.clock = clock
        self._cal: HolidayCalendar | None = None

    def calendar(self) -> HolidayCalendar:
        if self._cal is None:
            schedules = [parse_year_schedule(row.source) for row in CalendarYear.select().order_by(CalendarYear.year)]
            self._cal = build_calendar(schedules)
        return self._cal

    def load_year(self, actor: Actor, text: str, recompute) -> tuple[int, int]:
        """Store an official schedule and recompute every open deadline. Returns (year, cases changed)."""
        require(actor, Permission.MANAGE_SETTINGS)
        schedule = parse_year_schedule(text)   # refused before anything is written
        with self.db.atomic():
            CalendarYear.replace(year=schedule.year, source=text, loaded_at=self.clock.now(),
                                 loaded_by=actor.name).execute()
            self._cal = None
            changed = recompute()
            audit(actor, "calendar.load", str(schedule.year),
                  {"holidays": len(schedule.holidays), "workdays": len(schedule.workdays), "cases": changed},
                  at=self.clock.now())
        return schedule.year, changed

    def loaded_years(self) -> list[int]:
        return [r.year for r in CalendarYear.select(CalendarYear.year).order_by(CalendarYear.year)]
