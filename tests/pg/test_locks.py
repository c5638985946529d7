"""store/locks.py on a real PostgreSQL server: a deadlock between two writers is one the program runs again,
and a writer that runs alone waits for the writers that lock their own rows (and they for it)."""

from __future__ import annotations

import threading

import pytest


@pytest.fixture
def two(pg_cluster):
    """Two databases (two desks) on one new database with a table of two rows. peewee keeps a connection per
    thread: desk b works in a thread of its own, and says its server process there."""
    from xinfang_desktop.store.pg import open_url

    url = pg_cluster.new_database()
    a, b = open_url(url), open_url(url)
    a.execute_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    a.execute_sql("INSERT INTO t VALUES (1, 0), (2, 0)")
    yield a, b
    a.close()
    b.close()


def _waiting(db, pid: int) -> bool:
    return db.execute_sql("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s",
                          (pid,)).fetchone()[0] is True


def test_a_deadlock_between_two_desks_is_run_again_by_the_one_the_server_stopped(two, qtbot):
    from xinfang_desktop.store.locks import retrying, row_writer

    a, b = two
    a_locked, b_locked = threading.Event(), threading.Event()
    b_pid: list[int] = []
    tries: list[int] = []
    failures: list[BaseException] = []

    def desk_b() -> None:
        b_pid.append(b.execute_sql("SELECT pg_backend_pid()").fetchone()[0])

        def work() -> None:
            tries.append(1)
            with row_writer(b):
                b.execute_sql("UPDATE t SET n = n + 1 WHERE id = 2")
                b_locked.set()
                a_locked.wait(60)
                b.execute_sql("UPDATE t SET n = n + 1 WHERE id = 1")     # waits for desk a: crosswise
        try:
            retrying(b, work)
        except BaseException as exc:      # pragma: no cover - shown by the assertion below
            failures.append(exc)

    a_tries: list[int] = []

    def desk_a() -> None:
        a_tries.append(1)
        with row_writer(a):
            a.execute_sql("UPDATE t SET n = n + 1 WHERE id = 1")
            if len(a_tries) == 1:
                qtbot.waitUntil(b_locked.is_set, timeout=30000)
                a_locked.set()
                qtbot.waitUntil(lambda: _waiting(a, b_pid[0]), timeout=30000)
            a.execute_sql("UPDATE t SET n = n + 1 WHERE id = 2")         # the deadlock: one of the two is stopped

    thread = threading.Thread(target=desk_b)
    thread.start()
    try:
        retrying(a, desk_a)
    finally:
        a_locked.set()
        thread.join(120)
    assert not failures, failures
    # The desk the server stopped ran its transaction again (once, or again if it met the other once more).
    assert len(a_tries) + len(tries) >= 3
    assert a.execute_sql("SELECT n FROM t ORDER BY id").fetchall() == [(2,), (2,)]


def test_what_the_server_refuses_only_for_another_transaction_at_the_same_moment_is_run_again():
    from psycopg import errors

    from xinfang_desktop.store.locks import must_retry

    assert must_retry(errors.DeadlockDetected("deadlock detected"))
    assert must_retry(errors.SerializationFailure("could not serialize access"))
    assert not must_retry(errors.UniqueViolation("duplicate key value violates unique constraint"))
    assert not must_retry(ValueError("not from the server"))


def test_a_writer_that_runs_alone_waits_for_the_row_writers_and_they_for_it(two, qtbot):
    from xinfang_desktop.store.locks import row_writer

    a, b = two
    b_pid: list[int] = []
    done: list[str] = []

    def alone() -> None:
        b_pid.append(b.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
        with b.atomic():                               # an export, an import: runs alone
            done.append("alone")

    with row_writer(a):                                # a registration in progress
        a.execute_sql("UPDATE t SET n = n + 1 WHERE id = 1")
        thread = threading.Thread(target=alone)
        thread.start()
        qtbot.waitUntil(lambda: bool(b_pid) and _waiting(a, b_pid[0]), timeout=30000)
        assert done == []                              # still waiting for the registration's commit
    thread.join(60)
    assert done == ["alone"]
    b_side = threading.Event()

    b_pid.clear()

    def row_writer_meanwhile() -> None:
        b_pid.append(b.execute_sql("SELECT pg_backend_pid()").fetchone()[0])
        with row_writer(b):
            b.execute_sql("UPDATE t SET n = n + 1 WHERE id = 2")
        b_side.set()

    with a.atomic():                                   # alone: a row writer waits for it
        thread = threading.Thread(target=row_writer_meanwhile)
        thread.start()
        qtbot.waitUntil(lambda: bool(b_pid) and _waiting(a, b_pid[0]), timeout=30000)
        assert not b_side.is_set()
    thread.join(60)
    assert b_side.is_set()


def test_held_writes_reach_the_server_before_a_read_and_one_that_fails_undoes_the_whole_transaction(two):
    import peewee

    from xinfang_desktop.store.locks import batched, row_writer

    a, _b = two
    with row_writer(a):
        with batched(a):
            a.execute_sql("UPDATE t SET n = 5 WHERE id = 1")
            assert a.execute_sql("SELECT n FROM t WHERE id = 1").fetchone() == (5,)     # sent before the read
            a.execute_sql("UPDATE t SET n = 6 WHERE id = 2")                             # sent with the COMMIT
    assert a.execute_sql("SELECT n FROM t ORDER BY id").fetchall() == [(5,), (6,)]
    with pytest.raises(peewee.IntegrityError):
        with row_writer(a):
            with batched(a):
                a.execute_sql("UPDATE t SET n = 7 WHERE id = 1")
                a.execute_sql("INSERT INTO t VALUES (2, 0)")       # a key already there: refused at the COMMIT
    assert a.execute_sql("SELECT n FROM t ORDER BY id").fetchall() == [(5,), (6,)]
    with row_writer(a):                                            # and the next transaction is a clean one
        a.execute_sql("UPDATE t SET n = 8 WHERE id = 1")
    assert a.execute_sql("SELECT n FROM t ORDER BY id").fetchall() == [(8,), (6,)]


def _round_trips(db, monkeypatch) -> list[int]:
    """A counter of the messages ``db``'s connection sends and waits on (each a round trip to the server)."""
    import psycopg

    conn, wait, trips = db.connection()._conn, psycopg.Connection.wait, [0]

    def counted(self, gen, *args, **kwargs):
        if self is conn:
            trips[0] += 1
        return wait(self, gen, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "wait", counted)
    return trips


def test_a_row_writers_begin_goes_with_its_first_statement_and_held_writes_with_the_next_read(two, monkeypatch):
    from xinfang_desktop.store.locks import batched, row_writer
    from xinfang_desktop.store.pg import WRITER_LOCK

    a, b = two
    a_pid = a.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    trips = _round_trips(a, monkeypatch)
    with row_writer(a):
        assert a.execute_sql("SELECT n FROM t WHERE id = ?", (1,)).fetchone() == (0,)
        assert trips == [1]                                # BEGIN, the writers' lock and the read: one message
        assert b.execute_sql("SELECT mode FROM pg_locks WHERE locktype = 'advisory' AND pid = %s AND objid = %s",
                             (a_pid, WRITER_LOCK)).fetchall() == [("ShareLock",)]
        with batched(a):
            a.execute_sql("UPDATE t SET n = 5 WHERE id = 1")
            a.execute_sql("UPDATE t SET n = 6 WHERE id = 2")
        assert trips == [1]                                # held back
        assert a.execute_sql("SELECT n FROM t ORDER BY id").fetchall() == [(5,), (6,)]
        assert trips == [2]                                # sent in front of the read, in its message
    assert trips == [3]                                    # the COMMIT
    assert b.execute_sql("SELECT n FROM t ORDER BY id").fetchall() == [(5,), (6,)]


def test_a_row_writer_that_sent_nothing_leaves_no_transaction_open(two, monkeypatch):
    import peewee

    from xinfang_desktop.store.locks import row_writer

    a, b = two
    trips = _round_trips(a, monkeypatch)
    with pytest.raises(ValueError):
        with row_writer(a):
            raise ValueError("refused before any statement")     # the BEGIN was never sent: nothing to undo
    with row_writer(a):
        pass                                                      # BEGIN, the lock and COMMIT: one message
    assert trips == [1]
    a.execute_sql("UPDATE t SET n = 9 WHERE id = 1")             # not in a transaction left open
    assert b.execute_sql("SELECT n FROM t WHERE id = 1").fetchone() == (9,)
    with pytest.raises(peewee.ProgrammingError):
        with row_writer(a):
            a.execute_sql("SELECT nope FROM t")                  # fails in the message that holds the BEGIN
    with row_writer(a):
        a.execute_sql("UPDATE t SET n = 10 WHERE id = 1")
    assert b.execute_sql("SELECT n FROM t WHERE id = 1").fetchone() == (10,)


def test_a_row_writer_on_a_connection_not_yet_open_is_still_one_transaction_under_the_lock(two):
    """The window's worker threads open their connection with their first work: a row writer that is that
    first work still runs in one transaction holding the shared lock (it once ran row by row, unlocked)."""
    from xinfang_desktop.store.locks import row_writer
    from xinfang_desktop.store.pg import WRITER_LOCK

    a, b = two
    a.close()
    with pytest.raises(ValueError):
        with row_writer(a):
            a.execute_sql("UPDATE t SET n = 3 WHERE id = 1")
            assert b.execute_sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                                 "AND mode = 'ShareLock' AND granted", (WRITER_LOCK,)).fetchone() == (1,)
            raise ValueError("refused after a write")
    assert b.execute_sql("SELECT n FROM t WHERE id = 1").fetchone() == (0,)      # undone with its transaction
    a.close()
    with row_writer(a):
        a.execute_sql("UPDATE t SET n = 4 WHERE id = 1")
    assert b.execute_sql("SELECT n FROM t WHERE id = 1").fetchone() == (4,)
