"""Case list queries added for issue 3: due-date order with undated cases last, across pages;
due windows; first-level categories; the owners offered by the filter bar."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import make_registration
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.queries import CaseFilter


def _reg(name: str, received: datetime, category: str = "0401"):
    return make_registration(petitioners=[PetitionerInput(name=name)], received_at=received, category_code=category)


@pytest.fixture
def numbers(services, clerk, handler):
    """Three open cases (due 10-30, 11-04, 11-17) and two answered ones, which have no open deadline."""
    out = {}
    for key, when in (("b", datetime(2026, 10, 20, 9)), ("c", datetime(2026, 11, 2, 9)),
                      ("a", datetime(2026, 10, 15, 9))):
        out[key] = services.cases.register(clerk, _reg("张" + key, when)).number
    for key, when in (("x", datetime(2026, 9, 1, 9)), ("y", datetime(2026, 9, 3, 9))):
        n = out[key] = services.cases.register(clerk, _reg("李" + key, when, "0301")).number
        services.cases.act(handler, n, EventKind.ROUTED, {"route": "direct", "unit": "镇综治中心", "notified": True},
                           at=when.replace(hour=10))
        services.cases.act(handler, n, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "supported", "text": "已解决"},
                           at=when.replace(day=when.day + 20))
    return out


def test_sort_by_due_puts_the_nearest_first_and_undated_last_on_every_page(services, numbers):
    q = services.queries
    pages = [q.page(sort="next_due", descending=False, offset=o, limit=2) for o in (0, 2, 4)]
    got = [r.number for p in pages for r in p]
    assert got[:3] == [numbers["a"], numbers["b"], numbers["c"]]
    assert set(got[3:]) == {numbers["x"], numbers["y"]} and len(got) == 5
    assert [r.next_due for r in pages[0]] == [date(2026, 10, 30), date(2026, 11, 4)]
    assert all(r.next_due is None for r in pages[2])
    latest_first = [r.number for r in q.page(sort="next_due", descending=True)]
    assert latest_first[:3] == [numbers["c"], numbers["b"], numbers["a"]]


def test_due_window_and_first_level_category(services, numbers):
    q = services.queries
    window = CaseFilter(due_from=date(2026, 11, 1), due_to=date(2026, 11, 17))
    assert {r.number for r in q.page(window)} == {numbers["b"], numbers["c"]} and q.count(window) == 2
    assert q.count(CaseFilter(category="04")) == 3 and q.count(CaseFilter(category="03")) == 2
    assert q.count(CaseFilter(category="0301")) == 2 and q.count(CaseFilter(category="05")) == 0
    assert q.count(CaseFilter(open_only=True)) == 3


def test_owners_offered_by_the_filter_bar(services, admin, numbers):
    from xinfang_desktop.services.listing import ListingService

    assert services.get(ListingService).owners(admin) == ["镇综治中心"]


def test_sort_by_a_shared_column_lists_each_value_in_the_order_received(services, numbers):
    """By status (or category, channel, township): within one status the matters come newest first when the
    column is sorted descending, as the filter by that status lists them, and oldest first ascending; the
    registration order (c after b after a) does not decide it, the date received does."""
    q = services.queries
    assert [r.number for r in q.page(sort="status")] == [
        numbers["y"], numbers["x"], numbers["c"], numbers["b"], numbers["a"]]     # replied, then registered
    assert [r.number for r in q.page(sort="status", descending=False)] == [
        numbers["a"], numbers["b"], numbers["c"], numbers["x"], numbers["y"]]
    assert [r.number for r in q.page(sort="category", descending=False)] == [
        numbers["x"], numbers["y"], numbers["a"], numbers["b"], numbers["c"]]    # 0301 before 0401
    newest_of_status = [r.number for r in q.page(CaseFilter(statuses=("registered",)))]
    assert newest_of_status == [r.number for r in q.page(sort="status") if r.status == "registered"]
