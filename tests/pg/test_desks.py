"""Several desks (issue 16): an action on a case another desk changed since it was opened is refused, saying
what changed (tests/pg/test_desks_processes.py has four desks writing at once)."""

from __future__ import annotations

import pytest

from tests.conftest import make_registration

def test_an_action_on_a_case_changed_since_it_was_opened_is_refused(services, clerk, handler, db_engine):
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.cases import StaleCase, find_case

    ref = services.cases.register(clerk, make_registration())
    opened = services.cases.events_of(find_case(ref.number))[-1].id          # what this desk shows
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})   # another desk
    with pytest.raises(StaleCase) as refused:
        services.cases.act(handler, ref.number, EventKind.NOTE, {"text": "我这边的备注"}, seen_event=opened)
    assert "已被他人办理" in str(refused.value) and "张承办" in str(refused.value)
    assert EventKind.ROUTED.label in str(refused.value)
    latest = services.cases.events_of(find_case(ref.number))[-1].id
    services.cases.act(handler, ref.number, EventKind.NOTE, {"text": "看过之后的备注"}, seen_event=latest)


def test_the_last_event_is_the_last_recorded_whatever_order_the_engine_returns_rows_in(services, clerk, handler,
                                                                                      clock, db_engine):
    """On PostgreSQL an updated row moves to the end of the heap, and a SELECT without ORDER BY returns it last:
    the stale check must not take it for the event a desk saw last (services/cases.py recorded_order)."""
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.cases import find_case
    from xinfang_desktop.store.models import CaseEvent

    ref = services.cases.register(clerk, make_registration())
    clock.advance(hours=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    registered, routed = (e.id for e in services.cases.events_of(find_case(ref.number)))
    seen = services.queries.detail(clerk, ref.number).last_event
    assert seen == routed
    CaseEvent.update(actor=CaseEvent.actor).where(CaseEvent.id == registered).execute()    # the row moves
    if db_engine == "postgresql":
        # With other statistics the planner reads the table from end to end instead of the (case, occurred_at)
        # index: it does so here, and gives the moved row last (the test can fail so).
        services.db.execute_sql("SET enable_indexscan = off; SET enable_bitmapscan = off")
        assert [r.id for r in CaseEvent.select(CaseEvent.id).where(CaseEvent.case == ref.id)][-1] == registered
    assert [e.id for e in services.cases.events_of(find_case(ref.number))] == [registered, routed]
    assert services.queries.detail(clerk, ref.number).last_event == routed
    services.cases.act(handler, ref.number, EventKind.NOTE, {"text": "看过之后的备注"}, seen_event=seen)
    if db_engine == "postgresql":
        services.db.execute_sql("RESET enable_indexscan; RESET enable_bitmapscan")


def test_a_note_dated_back_on_another_desk_is_what_changed(services, clerk, handler, clock, db_engine):
    """The order is of recording, not of the dates: a note another desk dates before the last action is still
    news to a desk that opened the case before it was written; this desk's own such note is not."""
    from datetime import timedelta

    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.cases import StaleCase

    ref = services.cases.register(clerk, make_registration())
    clock.advance(hours=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    seen = services.queries.detail(clerk, ref.number).last_event
    clock.advance(minutes=5)
    services.cases.act(handler, ref.number, EventKind.NOTE, {"text": "补记：上午来电"},
                       at=clock.now() - timedelta(minutes=30))
    with pytest.raises(StaleCase) as refused:
        services.cases.act(clerk, ref.number, EventKind.NOTE, {"text": "我这边的备注"}, seen_event=seen)
    assert EventKind.NOTE.label in str(refused.value) and "张承办" in str(refused.value)

    seen = services.queries.detail(clerk, ref.number).last_event          # read again: the note is seen
    clock.advance(minutes=5)
    services.cases.act(clerk, ref.number, EventKind.NOTE, {"text": "补记：昨天走访"},
                       at=clock.now() - timedelta(hours=3), seen_event=seen)
    seen = services.queries.detail(clerk, ref.number).last_event          # this desk's own, dated back
    services.cases.act(clerk, ref.number, EventKind.NOTE, {"text": "接着记"}, seen_event=seen)



@pytest.mark.parametrize("recorded_before", [0, 3600], ids=["same-second", "hour-before"])
def test_an_event_that_came_by_sync_and_sorts_before_the_one_seen_is_news(services, clerk, handler, clock,
                                                                          db_engine, recorded_before):
    """An event another office wrote and this one imports carries that office's recorded_at and occurred_at: in
    the same second as the one this desk saw last (the clock has whole seconds; the order is then the
    workflow's), or before it, it sorts before what the desk saw. The events the desk showed (seen_events),
    not the last of them, tell that it is new."""
    from datetime import timedelta

    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.services.cases import StaleCase, find_case
    from xinfang_desktop.store.models import CaseEvent

    ref = services.cases.register(clerk, make_registration())
    clock.advance(hours=2)
    services.cases.act(clerk, ref.number, EventKind.NOTE, {"text": "上午来电"})
    shown = services.queries.detail(clerk, ref.number)
    recorded = clock.now() - timedelta(seconds=recorded_before)
    occurred = clock.now() - timedelta(minutes=90)
    # what a bundle's import writes: the row as the other office recorded it (services/sync/records.py)
    CaseEvent.create(case=ref.id, unit_code=find_case(ref.number).unit_code, kind=EventKind.NOTE.value,
                     occurred_at=occurred, recorded_at=recorded, actor=handler.name, data={"text": "镇里的备注"})
    assert services.cases.events_of(find_case(ref.number))[-1].id == shown.last_event      # it sorts before
    with pytest.raises(StaleCase) as refused:
        services.cases.act(clerk, ref.number, EventKind.NOTE, {"text": "我这边的备注"}, seen_events=shown.seen_events)
    said = str(refused.value)
    assert "张承办" in said and EventKind.NOTE.label in said and f"{occurred:%m-%d %H:%M}" in said, said
    assert "没有保存" in said and len(services.cases.events_of(find_case(ref.number))) == 3     # nothing written

    again = services.queries.detail(clerk, ref.number)
    services.cases.act(clerk, ref.number, EventKind.NOTE, {"text": "看过之后的备注"}, seen_events=again.seen_events)
    assert len(services.cases.events_of(find_case(ref.number))) == 4
