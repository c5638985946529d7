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
