"""Short case numbers (issue 15): clerks say "1252", not "350881102-2026-01252". The sequence alone, year
and sequence, and the full number all find the case; this unit's case of this year comes first; when a
short number names several cases, they are listed and nothing is guessed."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import NotFound
from xinfang_desktop.domain.numbers import parse_short_number
from xinfang_desktop.services.queries import CaseFilter


@pytest.mark.parametrize("text,parsed", [
    ("1252", (None, 1252)), ("01252", (None, 1252)), ("2026-1252", (2026, 1252)), ("2026-01252", (2026, 1252)),
    ("2026年1252号", (2026, 1252)), (" ２０２６－１２５２ ", (2026, 1252)), ("0", None), ("张三", None),
    ("350881102-2026-01252", None),
])
def test_short_number_spellings(text, parsed):
    assert parse_short_number(text) == parsed


@pytest.fixture
def three(services, clerk):
    """Case 1 of 2025, cases 1 and 2 of 2026 (today is 2026-11-02)."""
    old = services.cases.register(clerk, make_registration(received_at=datetime(2025, 12, 30, 9)))
    a = services.cases.register(clerk, make_registration(received_at=datetime(2026, 1, 5, 9)))
    b = services.cases.register(clerk, make_registration(received_at=datetime(2026, 2, 5, 9)))
    return old.number, a.number, b.number


def test_the_sequence_alone_is_this_years_case_of_this_unit(services, admin, three):
    old, a, b = three
    assert old.endswith("-2025-00001") and a.endswith("-2026-00001")
    assert services.queries.detail(admin, "1").row.number == a          # this year's first, not last year's
    assert services.queries.detail(admin, "01").row.number == a
    assert services.queries.detail(admin, "2").row.number == b
    assert services.queries.detail(admin, "2025-1").row.number == old
    assert services.queries.detail(admin, "2025年1号").row.number == old
    assert services.queries.detail(admin, b).row.number == b


def test_an_unknown_or_ambiguous_short_number_says_so(services, admin, clerk, three):
    with pytest.raises(NotFound, match="找不到编号以“00009”结尾的事项"):
        services.queries.detail(admin, "9")
    # a case of 2025 numbered 2 and one of 2026 numbered 2: "2" is this year's; "2025-2" last year's
    old2 = services.cases.register(clerk, make_registration(received_at=datetime(2025, 12, 31, 9)))
    assert services.queries.detail(admin, "2025-2").row.number == old2.number
    # at the city, another unit's case 3 of 2026 besides none of ours: found; two others: listed
    services.db.execute_sql("UPDATE \"case\" SET number = '350881101-2026-00003' WHERE number = ?", (old2.number,))
    assert services.queries.detail(admin, "3").row.number == "350881101-2026-00003"
    services.db.execute_sql("UPDATE \"case\" SET number = '350881103-2026-00003' WHERE number = ?", (three[0],))
    with pytest.raises(NotFound, match="“3”对应多件事项：350881\\d{3}-2026-00003、350881\\d{3}-2026-00003"):
        services.queries.detail(admin, "3")


def test_the_case_list_search_finds_a_short_number(services, three):
    old, a, b = three
    rows = services.queries.page(CaseFilter(text="2026-2"), sort="received_at")
    assert [r.number for r in rows] == [b]
    assert {r.number for r in services.queries.page(CaseFilter(text="00001"), sort="received_at")} >= {old, a}
    assert b in [r.number for r in services.queries.search("2")]


def test_actions_take_the_short_number(services, handler, three):
    _, a, _ = three
    services.cases.act(handler, "1", "routed", {"route": "direct", "unit": "镇信访办", "notified": True},
                       at=datetime(2026, 1, 6, 9))
    assert services.queries.page(CaseFilter(text=a), sort="received_at")[0].status_label != "待处理"


def test_a_picker_is_offered_the_case_a_number_names_or_the_candidates(services, clerk, three):
    old, a, b = three
    assert [r.number for r in services.queries.case_candidates("1")] == [a]        # this year's, as find_case
    assert [r.number for r in services.queries.case_candidates("2025-1")] == [old]
    assert [r.number for r in services.queries.case_candidates(b)] == [b]
    services.db.execute_sql("UPDATE \"case\" SET number = '350881103-2026-00001' WHERE number = ?", (a,))
    assert sorted(r.number for r in services.queries.case_candidates("1")) == sorted([old, "350881103-2026-00001"])
    assert services.queries.case_candidates("9") == []
    assert {r.number for r in services.queries.case_candidates("欧阳娜娜")} >= {old, b}
