"""store/row_texts.py: a row written with the text made once per table and columns is the row peewee's own
``Model.save`` writes, on both engines, in a transaction of its own or held back with others (PostgreSQL's
``batched``)."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime

import peewee
import pytest

from xinfang_desktop.store import row_texts
from xinfang_desktop.store.locks import batched, row_writer
from xinfang_desktop.store.models import AuditEntry, Case, CaseEvent, CaseParty, Person, new_id

ENGINES = ["sqlite", "postgresql"]
pytestmark = pytest.mark.no_check          # cases without their events: `xinfang check` rightly refuses them

NOW = datetime(2026, 11, 2, 9, 30, 5)


@pytest.fixture(autouse=True)
def _nothing_learnt():
    """Each test learns its texts itself (an earlier test's would be there already)."""
    row_texts._TEXTS.clear()


def _case(n: int, **extra) -> Case:
    fields = dict(id=new_id(), unit_code="350881102", sid=1000 + n, number=f"350881102-2026-{n:05d}",
                  query_code="ABCD1234", channel="走访", received_at=NOW, category_code="0401", request="要求追讨",
                  facts=None, is_group=True, created_by="clerk1", created_at=NOW, updated_at=NOW,
                  status="registered", next_due=date(2026, 11, 17), provisional=False, parties_label="欧阳甲")
    fields.update(extra)
    return Case(**fields)


def _stored(model, row_id: str) -> dict:
    """The row as the database holds it (its own key and unique columns aside), by column name."""
    db = model._meta.database
    cur = db.execute_sql(f'SELECT * FROM "{model._meta.table_name}" WHERE id = {db.param}', (row_id,))
    names = [d[0] for d in cur.description]
    values = cur.fetchone()
    assert values is not None, f"{model.__name__} {row_id} was not written"
    # (PostgreSQL's rowid, SQLite's implicit one, is numbered in the order rows come)
    return {k: v for k, v in zip(names, values) if k not in {"id", "sid", "number", "rowid"}}


def _learnt(row: peewee.Model, statement: str) -> bool:
    """Whether ``row`` goes with a text learnt before (not with peewee's)."""
    data = dict(row.__data__)
    if statement == "update":
        data.pop("id")
    db = row._meta.database.obj
    inline = tuple((k, v.sql) for k, v in data.items() if type(v) is peewee.SQL)
    return row_texts._TEXTS.get((type(row), type(db), statement, tuple(data), inline)) is not None


def _rows(n: int, case: Case, person: Person) -> list[tuple[peewee.Model, peewee.Model]]:
    """Pairs of rows alike but for their keys (and unique columns): defaults, None, JSON, booleans, dates."""
    def pair(make):
        return make(), make()

    out = [
        (_case(n), _case(n + 1)),
        pair(lambda: CaseEvent(id=new_id(), case=case, unit_code="350881102", kind="registered", occurred_at=NOW,
                               recorded_at=NOW, actor="clerk1", data={"channel": "走访", "late": True,
                                                                      "doc_no": {"receipt": "〔2026〕1号"}})),
        pair(lambda: CaseEvent(id=new_id(), case=case.id, unit_code="350881102", kind="note", occurred_at=NOW,
                               recorded_at=NOW, actor="clerk1", corrects=None)),      # data: its default
        pair(lambda: Person(id=new_id(), unit_code="350881102", name="欧阳甲", phone="13900000001",
                            birth_date=date(1960, 2, 29), sex=None, updated_at=NOW, created_at=NOW)),
        pair(lambda: CaseParty(id=new_id(), case=case, person=person, unit_code="350881102", role="petitioner",
                               is_representative=True, position=2, updated_at=NOW)),
        pair(lambda: AuditEntry(id=new_id(), unit_code="350881102", actor="clerk1", action="case.register",
                                target=case.id, detail={"number": case.number}, at=NOW)),
        pair(lambda: AuditEntry(id=new_id(), unit_code="350881102", actor="clerk1", action="login",
                                target=None, detail=None, at=NOW)),
    ]
    return out


@pytest.mark.parametrize("held", [False, True], ids=["alone", "batched"])
def test_rows_inserted_are_the_rows_peewee_inserts(services, held):
    db = services.db
    with row_writer(db):
        case, person = _case(1), Person(id=new_id(), unit_code="350881102", name="欧阳乙")
        peewee.Model.save(case, force_insert=True)
        peewee.Model.save(person, force_insert=True)
        pairs = _rows(10, case, person)
        with batched(db) if held else nullcontext():
            for first, _ in pairs:      # the first of a shape goes with peewee's text: the text is learnt
                model = type(first)
                model.create(**{**first.__data__, "id": new_id(), **({"sid": first.sid + 100,
                                                                     "number": first.number + "x"}
                                                                    if model is Case else {})})
            for mine, theirs in pairs:
                assert _learnt(mine, "insert"), type(mine)
                assert mine.save(force_insert=True) == 1
                assert peewee.Model.save(theirs, force_insert=True) == 1
                assert mine._dirty == theirs._dirty
    for mine, theirs in pairs:
        model = type(mine)
        assert _stored(model, mine.id) == _stored(model, theirs.id), model


@pytest.mark.parametrize("held", [False, True], ids=["alone", "batched"])
def test_rows_updated_are_the_rows_peewee_updates(services, held):
    db = services.db
    with row_writer(db):
        rows = [_case(n) for n in range(20, 26)]
        for row in rows:
            peewee.Model.save(row, force_insert=True)
        with batched(db) if held else nullcontext():
            for i, (mine, theirs) in enumerate([(rows[0], rows[1]), (rows[2], rows[3]), (rows[4], rows[5])]):
                for row in (mine, theirs):
                    row.version += 1
                    row.status = "routed"
                    row.next_due = None if i else date(2026, 12, 1)
                    row.provisional = bool(i % 2)
                    row.is_group = False
                    row.owner_name = "镇信访办"
                    row.facts = None
                    row.updated_at = datetime(2026, 11, 3, 8, 0, 0)
                assert _learnt(mine, "update") == (i > 0)      # the first goes with peewee's text, learnt
                assert mine.save() == 1
                assert peewee.Model.save(theirs) == 1
                assert mine._dirty == theirs._dirty
    for mine, theirs in [(rows[0], rows[1]), (rows[2], rows[3]), (rows[4], rows[5])]:
        assert _stored(Case, mine.id) == _stored(Case, theirs.id)


def test_a_duplicate_key_fails_as_with_peewee(services):
    db = services.db
    row = _case(40)
    row.save(force_insert=True)
    again = _case(41, id=row.id)
    with pytest.raises(peewee.IntegrityError):
        with row_writer(db):
            again.save(force_insert=True)
    assert Case.select().where(Case.id == row.id).count() == 1


def test_a_row_with_an_expression_is_peewee_s(services):
    row = _case(50)
    row.save(force_insert=True)
    row.version = Case.version + 5          # an SQL expression: written by peewee, as it writes it
    assert row.save() == 1
    assert Case.get_by_id(row.id).version == 6


def test_an_sql_text_among_the_values_is_peewee_s_in_the_text_kept(services):
    """A registration's number on PostgreSQL is an SQL text the server completes (store/locks.py)."""
    db = services.db
    p = db.param

    def numbered(n: int) -> Case:
        return _case(n, number=peewee.SQL(f"replace({p}, {p}, {p})", [f"350881102-2026-X{n}", f"X{n}", f"{n:05d}"]),
                     sid=peewee.SQL(f"(SELECT {p} + 7)", [n]))

    rows = [numbered(n) for n in (60, 61, 62)]
    with row_writer(db):
        with batched(db):
            rows[0].save(force_insert=True)            # learnt
            assert _learnt(rows[1], "insert")
            rows[1].save(force_insert=True)
            peewee.Model.save(rows[2], force_insert=True)
    stored = {c.id: (c.number, c.sid) for c in Case.select()}
    assert [stored[r.id] for r in rows] == [("350881102-2026-00060", 67), ("350881102-2026-00061", 68),
                                            ("350881102-2026-00062", 69)]
    assert _stored(Case, rows[1].id) == _stored(Case, rows[2].id)
    plain = _case(63)
    assert not _learnt(plain, "insert")               # another shape: the number a value, not a text
    plain.save(force_insert=True)
    assert Case.get_by_id(plain.id).number == "350881102-2026-00063"
