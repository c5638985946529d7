"""Several desks writing at once on a PostgreSQL database (issue 16): the writers that are known to lock
exactly what they change — registering a petition and recording an action on a case — run side by side;
every other writer still runs alone (store/pg.py). On a SQLite file all of this is nothing: ``BEGIN
IMMEDIATE`` lets one writer in at a time, which is all a township's PC needs.

What such a writer locks, each only until its transaction ends:

- the case it records an action on (``SELECT … FOR UPDATE``): a second desk's action on the same case waits,
  then reads the events the first one wrote (and is refused as stale when it had seen fewer);
- the counter row of its unit and year (and of each document's 文号), which the server takes in the one
  message that writes the rows carrying the number and commits (:func:`numbers_at_commit`,
  :func:`documents_at_commit`): another desk waits only while that message runs, not while this desk builds
  its rows or across a round trip; the numbers stay consecutive, with no gap and no duplicate, because a
  number is only handed out inside the transaction that uses it;
- the petitioner: a key per ID number given and per registered person chosen, so two desks registering
  the same new petitioner do not make two people of one.

A registration's search key (``sid``) comes from a sequence on PostgreSQL (schema v23), taken before the
counter, so no desk waits for it. A deadlock between two such writers (each waiting for the other's row) is
broken by the server, and the transaction that lost is run again from the start (:func:`retrying`), as is
one whose search key clashed (should a writer that numbers case rows itself not have moved the sequence on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import TypeVar

from .engine import is_postgres
from .pg_schema import DEFERRABLE_FKS, SID_SEQUENCE

T = TypeVar("T")

ATTEMPTS = 8
# The first key of pg_advisory_xact_lock(int, int) for a petitioner's key (store/pg.py has the writers' lock).
PERSON_KEYS = 0x58495050   # "XIPP"
_RETRY_STATES = {"40001", "40P01"}       # serialization_failure, deadlock_detected
_RETRY_UNIQUE = ("case_sid",)            # a search key taken meanwhile by a writer that numbers rows itself


def row_writer(db):
    """The transaction of a writer that locks its own rows (see the module docstring): on PostgreSQL it
    shares the writers' lock with other such writers; on SQLite it is ``BEGIN IMMEDIATE`` as any writer."""
    return db.atomic("SHARED") if is_postgres(db) else db.atomic()


_CASE_COUNTER = ("INSERT INTO case_counter (unit_code, year, last) VALUES (?, ?, 1) "
                 "ON CONFLICT (unit_code, year) DO UPDATE SET last = case_counter.last + 1 RETURNING last")
_DOC_COUNTER = ("INSERT INTO doc_counter (unit_code, document, year, last) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (unit_code, document, year) DO UPDATE SET last = doc_counter.last + 1 RETURNING last")
# Read after the counter's lock is held (a statement of its own: its snapshot then has the case the desk
# before committed), so two registrations of one unit and year never take the same search key.
_NEXT_SID = 'SELECT COALESCE(MAX(sid), 0) + 1 FROM "case"'


def _take_now(db, unit_code: str, year: int, document: str | None = None) -> tuple[int, int, int | None]:
    """A registration's numbers taken now, inside its transaction (SQLite's writer holds the whole file:
    :func:`numbers_at_commit`): the next sequence of the unit's case numbers of ``year``, the next search key
    (``sid``), and the next 文号 sequence of ``document`` (None without one)."""
    seq = db.execute_sql(_CASE_COUNTER, (unit_code, year)).fetchone()[0]
    sid = db.execute_sql(_NEXT_SID).fetchone()[0]
    return seq, sid, None if document is None else take_document_number(db, unit_code, document, year)


# Where a writer's numbers go in the rows it writes, on PostgreSQL, until the server has taken them (see
# numbers_at_commit): the server replaces a marker's digits with the number. A marker is 18 random digits, so
# it is found only where it was put (a case number's sequence, a 文号's), never in a phone or an ID number.
_SID_SQL = "current_setting('xinfang.sid')::integer"
# On PostgreSQL the search key comes from a sequence (schema v23), taken before the counter: not inside its
# lock. Past the largest key there is, should a writer that numbers case rows itself not have moved the
# sequence past them (sids_taken): then a clash is run again (retrying), never a key given twice.
_NEXT_SID_LATE = (f"SELECT set_config('xinfang.sid', GREATEST(nextval('{SID_SEQUENCE}'), ({_NEXT_SID}))::text, "
                  "true)")
_TAKE_LATE = "WITH n AS ({counter}) SELECT set_config('xinfang.{name}', last::text, true) FROM n"


def _setting(name: str) -> str:
    return f"current_setting('xinfang.{name}')"


class Numbers:
    """A writer's numbers (:func:`numbers_at_commit`, :func:`documents_at_commit`): ``seq`` (a registration's
    case sequence), ``sid`` (its search key) and ``docs`` (each document's 文号 sequence) — on PostgreSQL
    markers until the commit, when :meth:`taken` gives them. Write every value that holds one through
    :meth:`fill`: on SQLite it is the value itself; on PostgreSQL an SQL expression in which the server puts
    the number it took in the same message."""

    def __init__(self, seq: int | None, sid, docs: dict[str, int], late: tuple[list, object] | None = None):
        self.seq, self.sid, self.docs = seq, sid, docs
        self._late = late            # (the rows read at the commit, the database) on PostgreSQL

    def _slots(self) -> list[tuple[str, int, str]]:
        """(setting, marker, what the server puts for it): a case number's sequence padded to five digits as
        domain/numbers.format_case_number pads it; a 文号's as it is."""
        seq = _setting("case_seq")
        case = [] if self.seq is None else [("case_seq", self.seq, f"lpad({seq}, greatest(5, length({seq})), '0')")]
        return case + [(f"doc_{name}", mark, _setting(f"doc_{name}")) for name, mark in self.docs.items()]

    def fill(self, value):
        """``value`` (a text, or a JSON field's dict) as it is to be written: on PostgreSQL, where it holds a
        marker, an expression the server completes."""
        if self._late is None:
            return value
        from peewee import SQL

        from .models import JSONField

        text = value if isinstance(value, str) else JSONField().db_value(value)
        expr, params = "%s", [text]
        for _name, mark, sql in self._slots():
            if str(mark) in text:
                expr, params = f"replace({expr}, %s, {sql})", [*params, str(mark)]
        return value if len(params) == 1 else SQL(expr, params)

    def taken(self) -> "Numbers":
        """The numbers given, as plain integers. On PostgreSQL they come with the commit; a writer inside a
        longer transaction (a registration with its attachments) asks for them now."""
        if self._late is None:
            return self
        rows, db = self._late
        if not rows:
            db.read_pending()
        got = [int(v) for v in rows[0]]
        seq = got.pop(0) if self.seq is not None else None
        sid = got.pop(0) if self.seq is not None else self.sid
        return Numbers(seq, sid, dict(zip(self.docs, got)))


def numbers_at_commit(db, unit_code: str, year: int, document: str | None = None) -> Numbers:
    """A registration's numbers (its case sequence, search key and receipt's 文号), for rows written in the :func:`batched` block it is
    called in. On SQLite they are taken at once. On PostgreSQL the server takes them in the message that
    sends the block's rows and the COMMIT: the counter row is then held only while the server writes those
    rows and commits, not across a round trip and the desk's own building of the rows (which another desk's
    registration of the same unit and year would wait for)."""
    if not is_postgres(db):
        seq, sid, doc = _take_now(db, unit_code, year, document)
        return Numbers(seq, sid, {} if document is None else {document: doc})
    db.read_pending()         # another writer's numbers in this transaction, before these reuse its settings
    db.hold(_NEXT_SID_LATE)   # before the counter: the other desks do not wait for it
    db.hold(_TAKE_LATE.format(counter=_CASE_COUNTER, name="case_seq"), (unit_code, year))
    from peewee import SQL

    return _late(db, unit_code, year, [] if document is None else [document], seq=_marker(), sid=SQL(_SID_SQL))


def documents_at_commit(db, unit_code: str, year: int, documents: Iterable[str]) -> Numbers:
    """The next 文号 sequence of each of ``documents`` in ``year`` (``docs``), as :func:`numbers_at_commit`
    takes a registration's: for an action's documents (a 受理告知书, a 转送函), whose counter another desk's same
    document waits for until the commit."""
    documents = list(dict.fromkeys(documents))
    if not is_postgres(db):
        return Numbers(None, None, {d: take_document_number(db, unit_code, d, year) for d in documents})
    db.read_pending()
    return _late(db, unit_code, year, documents)


def _marker() -> int:
    import secrets

    return 10 ** 17 + secrets.randbelow(9 * 10 ** 17)


def _late(db, unit_code: str, year: int, documents: list[str], seq: int | None = None, sid=None) -> Numbers:
    for document in documents:
        if not (document.isascii() and document.isidentifier()):
            raise ValueError(f"a document's kind names a setting: {document!r}")
        db.hold(_TAKE_LATE.format(counter=_DOC_COUNTER, name=f"doc_{document}"), (unit_code, document, year))
    numbers = Numbers(seq, sid, {d: _marker() for d in documents})
    read = [f"{_setting(name)}::integer" for name, _m, _s in numbers._slots()]
    if seq is not None:
        read.insert(1, _SID_SQL)
    numbers._late = (db.read_at_commit("SELECT " + ", ".join(read)), db)
    return numbers


def parties_first(db) -> bool:
    """Whether a registration writes its party rows before its numbers, in a :func:`batched` block: on
    PostgreSQL yes, their check that the case exists deferred to the commit (schema v24), so the server writes
    them before it takes the unit's counter and no other desk waits for them. On SQLite no: the case row first."""
    if not is_postgres(db):
        return False
    db.hold(f"SET CONSTRAINTS {', '.join(c for _t, c in DEFERRABLE_FKS)} DEFERRED")
    return True


def sids_taken(db) -> None:
    """After a writer that runs alone numbered case rows itself (MAX(sid) + 1: the sync import, the ledger, the
    demo): on PostgreSQL the sequence registrations take their search key from moves past them."""
    if is_postgres(db):
        db.execute_sql(f"SELECT setval('{SID_SEQUENCE}', GREATEST(nextval('{SID_SEQUENCE}'), "
                       f"({_NEXT_SID})), false)")


def take_document_number(db, unit_code: str, document: str, year: int) -> int:
    """The next 文号 sequence of ``document`` in ``year``, now (inside the caller's transaction; never reused).
    The counter row stays locked until the commit: another desk's same document waits from here."""
    return db.execute_sql(_DOC_COUNTER, (unit_code, document, year)).fetchone()[0]


def batched(db):
    """The rows a writer writes while another desk waits for it (after taking a number), sent to the server
    in one message at the end of the block on PostgreSQL (store/pg.py ``PgDatabase.batched``): each round trip
    would keep that desk waiting. Only for rows whose keys are given (every synced row's is), as peewee reads
    back no key there. Nothing on SQLite, where there are no round trips."""
    return db.batched() if is_postgres(db) else nullcontext()


def for_update(db, query):
    """``query`` locking the rows it reads until the transaction ends, on PostgreSQL (``FOR UPDATE``: another
    desk's lock on one of them is waited for, and the row is read as that desk left it); as it is on SQLite,
    whose writer holds the whole file."""
    return query.for_update() if is_postgres(db) else query


def locked(db, row):
    """``row`` read again with its row locked until the transaction ends, on PostgreSQL (another desk may
    have changed it since it was read); as it is on SQLite, whose writer holds the whole file."""
    if not is_postgres(db):
        return row
    model = type(row)
    return for_update(db, model.select().where(model._meta.primary_key == row.get_id())).get()


def lock_keys(db, keys: Iterable[str]) -> None:
    """Transaction-scoped locks on text keys (a petitioner's ID number, a person's id), in one order so two
    desks never wait for each other crosswise. Nothing on SQLite."""
    keys = sorted(set(keys))
    if not keys or not is_postgres(db):
        return
    calls = ", ".join("pg_advisory_xact_lock(%s, hashtext(%s))" for _ in keys)
    db.execute_sql(f"SELECT {calls}", tuple(v for k in keys for v in (PERSON_KEYS, k)))


def _server_error(exc: BaseException):
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if getattr(e, "sqlstate", None):
            return e
        todo += [e.__cause__, e.__context__, *(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))]
    return None


def must_retry(exc: BaseException) -> bool:
    """A transaction the server refused only because of another one running at the same moment."""
    e = _server_error(exc)
    if e is None:
        return False
    if e.sqlstate in _RETRY_STATES:
        return True
    diag = getattr(e, "diag", None)
    return e.sqlstate == "23505" and getattr(diag, "constraint_name", None) in _RETRY_UNIQUE


def retrying(db, work: Callable[[], T]) -> T:
    """``work()`` (which opens its own transaction), run again when the server broke a deadlock against it
    (PostgreSQL only, and only when it is the outermost transaction: an inner one cannot be run again)."""
    if not is_postgres(db) or db.in_transaction():
        return work()
    for attempt in range(ATTEMPTS):
        try:
            return work()
        except Exception as exc:
            if attempt == ATTEMPTS - 1 or not must_retry(exc):
                raise
    raise AssertionError("unreachable")
