"""Everything a window, the command line, a test or a benchmark needs, built once per data folder.

No globals: a page or a command receives this object (or the services it needs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..domain.categories import CategoryTable
from ..domain.divisions import DivisionTable
from ..resources_data import load_default_categories, load_default_divisions
from ..store.db import Database, db_path, open_database, open_server_database
from ..store.engine import database_url
from ..store.keyring import PRODUCTION, KdfParams
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
    data_key: bytes = field(default=b"", repr=False)   # the folder's key: files, backups, new users' entries
    acting: object = None                              # the user a command authenticated as (commands/_common)
    # scrypt cost (log2 N) of the sync key files this session writes; None: age's own, about a second of
    # this computer's time. The test suite sets its cheapest, as it passes cheap argon2id to AuthService.
    scrypt_log_n: int | None = None
    _cases: CaseService | None = field(default=None, repr=False)
    _queries: CaseQueries | None = field(default=None, repr=False)
    _extra: dict[type, object] = field(default_factory=dict, repr=False)

    @property
    def unit_code(self) -> str:
        return self.auth.unit_code()

    @property
    def cases(self) -> CaseService:
        if self._cases is None:
            from .office import OfficeService

            self._cases = CaseService(self.db, self.clock, self.calendar.calendar, self.categories, self.unit_code,
                                      office=lambda: self.get(OfficeService).settings(), divisions=self.divisions)
        return self._cases

    @property
    def queries(self) -> CaseQueries:
        if self._queries is None:
            self._queries = CaseQueries(self.db, self.clock, self.categories, self.calendar.calendar,
                                        divisions=self.divisions)
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


def release_thread_connection() -> None:
    """Close the calling thread's database connection, if it opened one (a worker thread, at the end of
    a job). peewee keeps one connection per thread; left to the thread's exit, the SQLCipher driver
    would free it while the thread is being torn down, which crashes the interpreter."""
    from ..store.models import database

    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def open_services(data_dir: Path, *, key: bytes, clock: Clock | None = None, create: bool = True,
                  kdf: KdfParams = PRODUCTION, scrypt_log_n: int | None = None) -> Services:
    """The services of a data folder whose data key is known (services/access.py unwraps it). ``kdf`` and
    ``scrypt_log_n``: the cost of the keyring entries and sync key files they write (production's by default)."""
    data_dir = Path(data_dir)
    clock = clock or SystemClock()
    url = database_url(data_dir)
    db = open_server_database(url) if url else open_database(db_path(data_dir), key=key, create=create)
    divisions = load_default_divisions()
    return Services(data_dir=data_dir, db=db, clock=clock, categories=load_default_categories(),
                    divisions=divisions, auth=AuthService(db, clock, divisions, data_dir=data_dir, data_key=key,
                                                          kdf=kdf),
                    calendar=CalendarService(db, clock), data_key=key, scrypt_log_n=scrypt_log_n)
