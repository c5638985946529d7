"""Everything a window, the command line, a test or a benchmark needs, built once per data folder.

No globals: a page or a command receives this object (or the services it needs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..domain.categories import CategoryTable
from ..domain.divisions import DivisionTable
from ..resources_data import load_default_categories, load_default_divisions
from ..store.db import Database, db_path, open_database
from .auth import AuthService
from .calendar import CalendarService
from .cases import CaseService
from .clock import Clock, SystemClock
from .queries import CaseQueries

T = TypeVar("T")


@dataclass
class Services:
    data_dir: Path
    db: Database
    clock: Clock
    categories: CategoryTable
    divisions: DivisionTable
    auth: AuthService
    calendar: CalendarService
    _cases: CaseService | None = field(default=None, repr=False)
    _queries: CaseQueries | None = field(default=None, repr=False)
    _extra: dict[type, object] = field(default_factory=dict, repr=False)

    @property
    def unit_code(self) -> str:
        return self.auth.unit_code()

    @property
    def cases(self) -> CaseService:
        if self._cases is None:
            self._cases = CaseService(self.db, self.clock, self.calendar.calendar, self.categories, self.unit_code)
        return self._cases

    @property
    def queries(self) -> CaseQueries:
        if self._queries is None:
            self._queries = CaseQueries(self.db, self.clock, self.categories, self.calendar.calendar)
        return self._queries

    def get(self, cls: type[T]) -> T:
        """A feature's service, built once from these services: `services.get(BoardService)`.
        A feature service takes the Services object as its only constructor argument."""
        inst = self._extra.get(cls)
        if inst is None:
            inst = self._extra[cls] = cls(self)
        return inst  # type: ignore[return-value]

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()


def open_services(data_dir: Path, *, clock: Clock | None = None, create: bool = True) -> Services:
    data_dir = Path(data_dir)
    clock = clock or SystemClock()
    db = open_database(db_path(data_dir), create=create)
    divisions = load_default_divisions()
    return Services(data_dir=data_dir, db=db, clock=clock, categories=load_default_categories(),
                    divisions=divisions, auth=AuthService(db, clock, divisions),
                    calendar=CalendarService(db, clock))
