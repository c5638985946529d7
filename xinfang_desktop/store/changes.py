"""Whether the database changed since the last look, from any connection: a token read a few seconds apart
(gui/change_watch.py), which differs from the last one when another desk, process or connection committed.

Each engine answers from what it keeps anyway, with its own small connection (opened on the first read, in
the thread that reads; kept, so that a look is one statement, not a login), and writes nothing:

- SQLite: ``PRAGMA data_version``, which changes on a connection when any other connection committed to the
  file (a command-line import, a second program on the same folder, this program's own worker threads). It
  reads the WAL index in shared memory: no page is read, nothing is decrypted.
- PostgreSQL: the sum of the cumulative row counters (inserted, updated, deleted) of pg_stat_user_tables over
  this schema's tables, but those whose rows no list shows (NOT_SHOWN: an audit entry written by a view or
  a print, the intake draft saved while a clerk types). Nothing is written: no hot row that every writer
  would update (it would serialise the desks that now write side by side, store/locks.py), and a commit does
  nothing more than it did. A backend hands its counters over when its transaction ends, at most once a
  second (PostgreSQL 15: a busy one within 10 s, every one when it closes; this program closes a worker's
  connection after each task). LISTEN/NOTIFY was the other candidate: a NOTIFY takes a lock that serialises
  the commits of every desk for a moment, and the sync journal's numbers miss imported rows (only this
  unit's own rows are journaled, store/models_sync.py). The counters also move on a transaction rolled back,
  or on a vacuum's analyze reset: at most one reload more, never one less.

A look that fails (the server went away, the network is cut) raises; the next look opens a new connection.
"""

from __future__ import annotations

import threading
from typing import Protocol

from .engine import is_postgres

# Tables whose rows no list shows: a change in them alone reloads nothing (PostgreSQL; SQLite cannot tell).
NOT_SHOWN = ("audit_entry", "intake_draft", "xinfang_schema")

PG_TOKEN = ("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables"
            " WHERE schemaname = current_schema() AND NOT (relname = ANY(%s))")


class ChangeProbe(Protocol):
    def read(self) -> object:
        """The current token: equal to the last one read when nothing was committed since (any connection)."""

    def close(self) -> None: ...


class _Probe:
    """One connection, opened on first use and again after a failure; reads never overlap (a lock)."""

    def __init__(self) -> None:
        self._conn = None
        self._lock = threading.Lock()
        self._closed = False

    def read(self) -> object:
        with self._lock:
            if self._closed:
                return None               # a look still queued when the window closed: no new connection
            if self._conn is None:
                self._conn = self._open()
            try:
                return self._token(self._conn)
            except BaseException:
                self._drop()
                raise

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a connection already gone closes as it can
                pass

    def _open(self):
        raise NotImplementedError

    def _token(self, conn) -> object:
        raise NotImplementedError


class SqliteProbe(_Probe):
    def __init__(self, path: str, key: bytes):
        super().__init__()
        self.path, self.key = path, key

    def _open(self):
        from .db import connect

        # used by whichever worker thread looks next, one at a time (the lock)
        return connect(self.path, self.key, check_same_thread=False, isolation_level=None, timeout=5)

    def _token(self, conn) -> object:
        return conn.execute("PRAGMA data_version").fetchone()[0]


class PgProbe(_Probe):
    def __init__(self, url: str):
        super().__init__()
        self.url = url

    def _open(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=10, application_name="xinfang-watch")

    def _token(self, conn) -> object:
        return conn.execute(PG_TOKEN, (list(NOT_SHOWN),)).fetchone()[0]


def open_probe(db) -> ChangeProbe:
    """The probe for the database `db` (a Database over SQLCipher or a PgDatabase); connects on first read."""
    if is_postgres(db):
        return PgProbe(db.database)
    return SqliteProbe(db.database, db._data_key)
