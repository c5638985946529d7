"""The database on a PostgreSQL server (psycopg 3): the city bureau, several desks on one database.

The services above store/ are written once, for both engines. So the PostgreSQL database keeps SQLite's
storage of values: dates and times as ISO text ("2026-11-02 09:00:00", the way SQLite stores them),
flags as 0/1 integers. Then every query of services/ (string comparisons of dates, ``substr`` of a day,
``= 1`` on a flag) means the same on both, and the statistics of the same data are the same.
Queries written with SQLite's ``?`` placeholders are rewritten to psycopg's ``%s`` here.

Locking: SQLite's ``BEGIN IMMEDIATE`` (every ``db.atomic()`` of a writer) becomes a transaction that takes
the writers' transaction-scoped advisory lock first, exclusively, so such a writer runs alone, as on one
SQLite file: no lost update in code that reads, decides and writes without locking rows. The writers that
lock their own rows (registering, recording an action on a case: store/locks.py) take the same lock shared
(``db.atomic("SHARED")``), so they run side by side and wait only for the rows they share, while a writer
that needs the whole database to itself (a schema step, importing a bundle, starting an epoch, an export)
still waits for them all to finish and keeps them out until it is done. That last point keeps the sync
journal's numbers safe for an export: its window ends at the highest number written, and no transaction
that took a lower number can still be running then (all of them hold the lock shared). Readers never wait.
A row writer's BEGIN goes to the server with its first statement, in one message, and the writes it holds
back (``batched``) with its next read or its COMMIT: each round trip is LAN latency for every desk.

Encryption at rest is the server's (its disk encryption): the data key of the folder still encrypts the
attachment files and backups, not the rows.
"""

from __future__ import annotations

import datetime as _dt
import re
from contextlib import contextmanager
from functools import lru_cache

import peewee
import psycopg
from peewee import Context, Node, Ordering, PostgresqlDatabase
from psycopg.adapt import Dumper

from .engine import POSTGRESQL

# The writers' lock (pg_advisory_xact_lock): exclusive for a writer that runs alone, shared for one that
# locks its own rows (store/locks.py).
WRITER_LOCK = 0x58494E46   # "XINF"

_ALONE = ("IMMEDIATE", "EXCLUSIVE")
_BATCH = 200
_TUNING_PRAGMAS = {"cache_size", "synchronous", "temp_store", "busy_timeout", "optimize", "wal_checkpoint"}

# SQLite's storage classes for peewee's fields (see the module docstring).
FIELD_TYPES = {"DATETIME": "TEXT", "DATE": "TEXT", "TIME": "TEXT", "BOOL": "INTEGER"}

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|%")


def qmark_to_pyformat(sql: str) -> str:
    """``?`` placeholders to ``%s`` and a literal ``%`` to ``%%``, leaving quoted strings' ``?`` alone."""
    if "?" not in sql and "%" not in sql:
        return sql

    def repl(m: re.Match[str]) -> str:
        text = m.group(0)
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        return text.replace("%", "%%")

    return _TOKEN.sub(repl, sql)


class _TextDumper(Dumper):
    """A date or time sent as SQLite stores it (ISO text), of no declared type: the column says which."""

    oid = 0

    def dump(self, obj):
        return str(obj).encode("utf-8")

    def quote(self, obj):
        return b"'" + self.dump(obj) + b"'"


class _BoolDumper(Dumper):
    oid = 0

    def dump(self, obj):
        return b"1" if obj else b"0"

    def quote(self, obj):
        return self.dump(obj)


def _adapt(conn: psycopg.Connection) -> None:
    for kind in (_dt.datetime, _dt.date, _dt.time):
        conn.adapters.register_dumper(kind, _TextDumper)
    conn.adapters.register_dumper(bool, _BoolDumper)


class _Cursor(psycopg.ClientCursor):
    """Client-side binding, as sqlite3 does: a parameter takes the type of the column it meets."""

    def execute(self, query, params=None, **kwargs):   # type: ignore[override]
        if isinstance(query, str):
            query = _sqlite_hints_dropped(query)
            if params:
                query = _convert(query)
        return super().execute(query, params or None, **kwargs)

    def executemany(self, query, params_seq, **kwargs):   # type: ignore[override]
        """Many rows in few round trips: the statements bound here and sent 200 to a message (a registration
        writes a handful of rows; a sync import or the demo tens of thousands)."""
        if not isinstance(query, str):
            return super().executemany(query, params_seq, **kwargs)
        query = _convert(query)
        batch: list[str] = []
        for params in params_seq:
            batch.append(self.mogrify(query, params))
            if len(batch) == _BATCH:
                super().execute(";\n".join(batch))
                batch.clear()
        if batch:
            super().execute(";\n".join(batch))


_HINT = re.compile(r"\s+(?:NOT\s+INDEXED|INDEXED\s+BY\s+(?:\"[^\"]+\"|\w+))", re.IGNORECASE)
# The texts of a program's statements are few (peewee's INSERT and UPDATE texts are made once:
# store/row_texts.py; the services' own SQL is constant): each one is rewritten once.
_TEXTS_KEPT = 512


@lru_cache(maxsize=_TEXTS_KEPT)
def _sqlite_hints_dropped(sql: str) -> str:
    """SQLite's planner hints (INDEXED BY) are not SQL PostgreSQL takes; its planner chooses by statistics."""
    return _HINT.sub("", sql) if "INDEXED" in sql.upper() else sql


@lru_cache(maxsize=_TEXTS_KEPT)
def _convert(sql: str) -> str:
    # peewee's own queries come with %s already (and never a bare ?); services' raw SQL with ?.
    if "%s" in sql and "?" not in sql:
        return sql
    return qmark_to_pyformat(sql)


_WRITE = re.compile(r"\s*(?:INSERT|UPDATE|DELETE)\s", re.IGNORECASE)
# What peewee adds to an INSERT on PostgreSQL to read back the new row's key (the program's keys are given).
_KEY_RETURNING = re.compile(r'\s+RETURNING\s+(?:"\w+"\.)?"\w+"\s*$')


@lru_cache(maxsize=_TEXTS_KEPT)
def _held_text(sql: str) -> str | None:
    """The text a write held back by :meth:`PgDatabase.batched` is sent with (no planner hint, no RETURNING of
    its key); None for a read, or a write whose result is read (a counter's number)."""
    if not _WRITE.match(sql):
        return None
    sql = _KEY_RETURNING.sub("", _sqlite_hints_dropped(sql))
    if not _WRITE.match(sql) or "RETURNING" in sql.upper():
        return None
    return sql


class _Sent:
    """What a write held back by :meth:`PgDatabase.batched` returns: no row to fetch, one row written."""

    rowcount = 1

    def fetchone(self):
        return None

    def fetchall(self):
        return []

    def __iter__(self):
        return iter(())

    def __getitem__(self, index):
        raise IndexError(index)

    def close(self):
        pass


# An INSERT of one row of values into named columns and nothing else (no expression, no ON CONFLICT, no
# RETURNING): its rows may go by COPY into the same columns.
_PLAIN_INSERT = re.compile(r'\s*INSERT\s+INTO\s+("\w+"|\w+)\s*\(([^()]*)\)\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)\s*',
                           re.IGNORECASE)
_COPY_FROM = 20          # rows: fewer (a registration's handful) go as statements


def _copy_of(sql: str) -> str | None:
    """``COPY "t" (columns) FROM STDIN`` for a plain INSERT (see _PLAIN_INSERT) whose placeholders are as
    many as its columns; None for any other statement."""
    m = _PLAIN_INSERT.fullmatch(sql) if isinstance(sql, str) else None
    if m is None or sql.count("?") != len(m.group(2).split(",")):
        return None
    return f"COPY {m.group(1)} ({m.group(2)}) FROM STDIN"


class _Connection:
    """What ``db.connection()`` hands the services: psycopg's connection, with sqlite3's ``executemany``."""

    def __init__(self, conn: psycopg.Connection, db: "PgDatabase"):
        self._conn = conn
        self._db = db

    def execute(self, sql, params=None):
        if self._db._held(sql, params):
            return _Sent()
        if not isinstance(sql, str):
            self._db._flush()
        elif ahead := self._db._ahead():
            return self._db._after(ahead, sql, params)
        cur = self._conn.cursor()
        cur.execute(sql, params)
        return cur

    def executemany(self, sql, rows):
        self._db._flush()
        rows = list(rows)
        cur = self._conn.cursor()
        copy = _copy_of(sql) if len(rows) >= _COPY_FROM else None
        if copy is None:
            cur.executemany(sql, rows)
            return cur
        # Plain rows into named columns: COPY, parsed once, where each INSERT of the batch would be parsed and
        # planned on its own (a sync import writes tens of thousands). The same rows, defaults, triggers and
        # errors (a duplicate key fails it whole, as it fails the transaction).
        with cur.copy(copy) as out:
            for row in rows:
                out.write_row(row)
        return cur

    def __getattr__(self, name):
        return getattr(self._conn, name)


class _SqliteNullOrder(Context):
    """peewee's ORDER BY with SQLite's place for NULL (smallest: first ascending, last descending), where
    PostgreSQL takes it as largest: a list sorted by due date keeps its undated cases at the same end.
    Not on a column that is never NULL: there the clause changes nothing, and it would keep PostgreSQL from
    reading a plain index backwards (the case list newest first would sort the whole table). A term whose
    ``nulls`` is set, even empty, is left as it is. (A NOT NULL column on the
    optional side of an outer join can be NULL: order by such a column with an explicit ``nulls=``.)"""

    def sql(self, obj):
        # Context.sql's own dispatch, inline: this is called for every node of every statement.
        if isinstance(obj, Node):
            if isinstance(obj, Ordering) and obj.nulls is None and getattr(obj.node, "null", True) is not False:
                first = obj.direction.upper() == "ASC"
                obj = Ordering(obj.node, obj.direction, obj.collation, nulls="FIRST" if first else "LAST")
            return obj.__sql__(self)
        return super().sql(obj)


class PgDatabase(PostgresqlDatabase):
    engine = POSTGRESQL
    field_types = {**PostgresqlDatabase.field_types, **FIELD_TYPES}
    context_class = _SqliteNullOrder

    def __init__(self, url: str, **kwargs):
        kwargs.setdefault("prefer_psycopg3", True)
        super().__init__(url, **kwargs)

    def _connect(self):
        self._state.batch = self._state.begun = self._state.read = None   # nothing held for a connection gone
        conn = psycopg.connect(self.database, autocommit=True, cursor_factory=_Cursor,
                               connect_timeout=10, application_name="xinfang")
        _adapt(conn)
        return conn

    def connection(self):
        self._reconnect_if_lost()
        return _Connection(super().connection(), self)

    @contextmanager
    def batched(self):
        """Inside a transaction: the writes (INSERT, UPDATE, DELETE whose result is not read) of the block are
        held back and go to the server together, in one message, with the next statement that is not such a
        write (a read, a savepoint, the COMMIT). For the rows written while another desk waits (a
        registration's, after its number: store/locks.py), whose round trips would each keep that desk waiting.
        An error in one of them is raised there, and the transaction is rolled back whole, as it would have
        been. Only for rows whose keys are given: the key peewee would read back is not read."""
        if getattr(self._state, "holding", False):
            yield
            return
        if getattr(self._state, "batch", None) is None:
            self._state.batch = []
        self._state.holding = True
        try:
            yield
        except BaseException:
            self._state.batch = None
            raise
        finally:
            self._state.holding = False

    def _held(self, sql, params) -> bool:
        """Hold back ``sql`` for the batch when one is open and it is a write (else it goes with what is held,
        in front of it: :meth:`_ahead`)."""
        batch = getattr(self._state, "batch", None)
        if batch is None or not getattr(self._state, "holding", False):
            return False
        text = _held_text(sql) if isinstance(sql, str) else None
        if text is None:
            return False             # a read, or a write whose result is read (a counter's number)
        batch.append(self._bound(text, params))
        return True

    def _bound(self, sql: str, params) -> str:
        """``sql`` (``?`` or ``%s`` placeholders) with ``params`` bound into its text, to go in a message: as
        psycopg binds them on the client, by a cursor of the connection kept for that (not one per statement)."""
        if not params:
            return sql
        cur = getattr(self._state, "mogrifier", None)
        if cur is None or cur.closed or cur.connection is not self._state.conn:
            cur = self._state.mogrifier = super().cursor()
        return cur.mogrify(_convert(sql), params)

    def hold(self, sql: str, params: tuple = ()) -> None:
        """Inside a :meth:`batched` block: ``sql`` held back with the block's writes (its result is not read),
        in its place among them: a statement the writes after it depend on (store/locks.py numbers_at_commit)."""
        if getattr(self._state, "batch", None) is None or not getattr(self._state, "holding", False):
            raise RuntimeError("hold() is for a batched() block")
        self._state.batch.append(self._bound(sql, params))

    def read_at_commit(self, sql: str) -> list:
        """``sql`` (a read) sent in the commit's message, after everything held; its rows fill the list returned
        once the commit has been answered (it stays empty when the transaction is rolled back)."""
        rows: list = []
        self._state.read = (sql, rows)
        return rows

    def read_pending(self) -> None:
        """The read waiting for the commit (:meth:`read_at_commit`), sent now with whatever is held: for a
        writer inside another one's transaction, whose commit comes later."""
        read = getattr(self._state, "read", None)
        if read is None:
            return
        self._state.read = None
        read[1].extend(self._after(self._ahead(), read[0], None).fetchall())

    def _ahead(self) -> list[str]:
        """The statements held back to go in front of the next one, in its message (each one's result is not
        read): a row writer's BEGIN (:meth:`begin`), then the writes of a batch (:meth:`batched`). Taken."""
        begun, batch = getattr(self._state, "begun", None), getattr(self._state, "batch", None)
        self._state.begun = None
        self._state.batch = [] if getattr(self._state, "holding", False) else None
        return [*(begun or ()), *(batch or ())]

    def _after(self, ahead: list[str], sql, params):
        """``sql`` sent with the statements ``ahead`` of it in one message: one round trip for them all. The
        cursor returned is at ``sql``'s result, as if it had been sent alone; an error in any of them is
        raised here (and the transaction is rolled back whole, as it would have been)."""
        text = self._bound(_sqlite_hints_dropped(sql), params)
        cur = self.cursor()
        with peewee.__exception_wrapper__:
            psycopg.ClientCursor.execute(cur, ";\n".join([*ahead, text]))
            for _ in ahead:
                cur.nextset()
        return cur

    def _flush(self, then: str | None = None) -> bool:
        """Send the statements held back (and ``then`` after them, in the same message, with the read that
        waits for the commit before it: :meth:`read_at_commit`); whether anything was sent."""
        ahead = self._ahead()
        read = getattr(self._state, "read", None) if then == "COMMIT" else None
        self._state.read = None
        if not ahead and read is None:
            return False
        cur = super().cursor()
        with peewee.__exception_wrapper__:
            psycopg.ClientCursor.execute(cur, ";\n".join([*ahead, *([read[0]] if read else []),
                                                          *([then] if then else [])]))
            if read is not None:
                for _ in ahead:
                    cur.nextset()
                read[1].extend(cur.fetchall())
        return True

    def commit(self):
        if not self._flush(then="COMMIT"):
            super().commit()

    def rollback(self):
        sent = getattr(self._state, "begun", None) is None     # a row writer's BEGIN not sent: nothing to undo
        self._state.batch = self._state.begun = self._state.read = None
        self._state.holding = False
        if sent:
            super().rollback()

    def cursor(self, named_cursor=None):
        self._reconnect_if_lost()
        return super().cursor(named_cursor)

    def _reconnect_if_lost(self) -> None:
        """A connection the server closed (restarted, network cut) is opened again before the next
        transaction; inside one the failure stands, and the transaction was rolled back whole."""
        conn = self._state.conn
        if conn is not None and conn.closed and self.transaction_depth() == 0:
            self.close()
            self.connect()

    def execute_sql(self, sql, params=None):
        if sql.lstrip()[:6].upper() == "PRAGMA":
            return self._pragma(sql)
        if self._held(sql, params):
            return _Sent()
        ahead = self._ahead()
        if ahead:
            return self._after(ahead, sql, params)
        return super().execute_sql(sql, params or None)

    def _pragma(self, sql: str):
        """SQLite's tuning pragmas (cache size, synchronous) mean nothing to a server: an empty result."""
        name = sql.split()[1].split("=")[0].strip().lower()
        if name not in _TUNING_PRAGMAS:
            raise NotImplementedError(f"PRAGMA {name} has no PostgreSQL meaning here")
        return super().execute_sql("SELECT 1 WHERE false")

    def conflict_update(self, oc, query):
        """peewee's ``Model.replace()`` (SQLite's INSERT OR REPLACE) as an upsert on the primary key:
        every column takes the new row's value, as the replaced row would have."""
        if (oc._action or "").lower() == "replace":
            from peewee import OnConflict

            meta = query.model._meta
            keys = meta.get_primary_keys()
            if keys and keys[0] is not False:
                # by name: a peewee field's == is an SQL expression (always true), so `f not in keys` never is
                key_names = {k.name for k in keys}
                rest = [f for f in meta.sorted_fields if f.name not in key_names]
                oc = OnConflict("update" if rest else "ignore", conflict_target=keys, preserve=rest or None)
        return super().conflict_update(oc, query)

    def atomic(self, lock_type: str | None = "IMMEDIATE"):  # type: ignore[override]
        # An atomic() inside a transaction is a savepoint: it runs under the lock its transaction took.
        return super().atomic(lock_type=lock_type)

    def transaction(self, lock_type: str | None = "IMMEDIATE"):  # type: ignore[override]
        return super().transaction(lock_type=lock_type)

    def begin(self, lock_type: str | None = None):  # type: ignore[override]
        if lock_type in _ALONE:
            # SQLite's BEGIN IMMEDIATE: this writer runs alone, the others wait their turn (module docstring).
            self.cursor().execute("BEGIN; SELECT pg_advisory_xact_lock(%s)" % WRITER_LOCK)
        elif lock_type == "SHARED":
            # A writer that locks its own rows (store/locks.py): beside the others like it, never beside one
            # that runs alone. Sent with its first statement (:meth:`_ahead`), a round trip less for each
            # registration and action of a desk: such a writer does nothing but statements in between.
            self._reconnect_if_lost()
            if self.is_closed():
                # Connect now: connecting later, at the first statement, would forget the held BEGIN and the
                # transaction peewee has begun (a worker thread's first writer ran unlocked, row by row).
                self.connect()
            self._state.begun = ["BEGIN", "SELECT pg_advisory_xact_lock_shared(%s)" % WRITER_LOCK]
        else:
            super().begin()


def open_url(url: str) -> PgDatabase:
    """A connected PgDatabase (not yet bound to the models, not yet migrated)."""
    db = PgDatabase(url)
    db.connect(reuse_if_open=True)
    return db
