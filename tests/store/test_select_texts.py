"""store/select_texts.py: a select run with the text peewee made once gives the rows peewee's own run gives,
on both engines."""

from __future__ import annotations

from tests.conftest import make_registration
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.store.locks import for_update, row_writer
from xinfang_desktop.store.models import Case, CaseEvent
from xinfang_desktop.store.select_texts import SelectText

ENGINES = ["sqlite", "postgresql"]


def _by_ref(ref):
    return Case.select().where((Case.number == ref) | (Case.id == ref)).order_by(Case.next_due.asc())


def _same(mine, theirs) -> None:
    assert [type(r) for r in mine] == [type(r) for r in theirs]
    assert [r.__data__ for r in mine] == [r.__data__ for r in theirs]


def test_rows_are_the_rows_peewee_reads(services, clerk, admin):
    one = services.cases.register(clerk, make_registration())
    two = services.cases.register(clerk, make_registration())
    services.cases.act(admin, one.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    cases = SelectText(Case, lambda ref: _by_ref(ref).paginate(1, 1))
    events = SelectText(CaseEvent, lambda case_id: CaseEvent.select().where(CaseEvent.case == case_id))
    for ref in (one.number, two.id, one.id, "没有这件", ""):
        _same(cases.rows(ref), list(_by_ref(ref).paginate(1, 1)))
        theirs = _by_ref(ref).get_or_none()
        assert (cases.first(ref) is None) == (theirs is None)
    for case_id in (one.id, two.id, "没有这件"):
        _same(events.rows(case_id), list(CaseEvent.select().where(CaseEvent.case == case_id)))
    assert len(events.rows(one.id)) == 2
    db = services.db
    engine = type(db)
    assert cases._known[engine] is not None and events._known[engine] is not None   # the texts were kept
    text, slots, _ = cases._known[engine]
    assert [i for i, _ in slots] == [0, 0, -1, -1]       # the ref twice, then LIMIT and OFFSET as peewee binds them
    locking = SelectText(Case, lambda ref: for_update(Case._meta.database, _by_ref(ref)).paginate(1, 1))
    with row_writer(db):
        _same(locking.rows(one.number), [Case.get_by_id(one.id)])


def test_a_value_that_changes_the_text_leaves_the_select_to_peewee(services, clerk):
    ref = services.cases.register(clerk, make_registration())
    # None is IS NULL, a text is = ?: no text kept
    by_owner = SelectText(Case, lambda owner: Case.select().where(Case.owner_name == (None if owner == "-" else owner)))
    assert [c.id for c in by_owner.rows("-")] == [ref.id]
    assert by_owner._known[type(services.db)] is None
    assert [c.id for c in by_owner.rows("-")] == [ref.id]
    assert by_owner.rows("张承办") == []
