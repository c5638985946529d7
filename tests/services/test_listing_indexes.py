"""The case list on a million cases stays smooth only if SQLite never reads the whole table for it:
every filter and sort combination reads an index (EXPLAIN QUERY PLAN of the SQL the list runs), and
the default order (newest first) comes straight from an index for each single filter, without a sort."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang_desktop.services.queries import SORTABLE, CaseFilter

ENGINES = ["sqlite"]      # SQLite's query plans (EXPLAIN QUERY PLAN, its trace callback)

FILTERS = {
    "none": CaseFilter(), "overdue": CaseFilter(overdue=True), "due7": CaseFilter(due_within=7),
    "status": CaseFilter(statuses=("handling",)), "open": CaseFilter(open_only=True),
    "township": CaseFilter(township="350881104000"), "category1": CaseFilter(category="04"),
    "category2": CaseFilter(category="0402"), "channel": CaseFilter(channel="来信"),
    "owner": CaseFilter(owner="镇信访办"),
    "received": CaseFilter(received_from=date(2026, 1, 1), received_to=date(2026, 3, 31)),
    "text": CaseFilter(text="张伟"),
    "township_overdue": CaseFilter(township="350881104000", open_only=True, overdue=True),
}
# single equality filters whose newest-first page must need no sort at all
UNSORTED_DEFAULT = ("none", "status", "open", "township", "category1", "category2", "channel", "owner", "received")


def _case_plans(services, *calls) -> list[str]:
    """The query plans of the SELECTs of the case table that `calls` send, in order."""
    conn = services.db.connection()
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        for call in calls:
            call()
    finally:
        conn.set_trace_callback(None)
    return [" | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + s)) for s in seen
            if s.lstrip().upper().startswith("SELECT") and 'FROM "case"' in s]


def _plans(services, f: CaseFilter, sort: str) -> tuple[str, str]:
    page, count = _case_plans(services, lambda: services.queries.page(f, sort=sort, limit=200),
                              lambda: services.queries.count(f))[-2:]
    return page, count


@pytest.mark.parametrize("name", list(FILTERS))
def test_no_filter_or_sort_scans_the_case_table(services, admin, name):
    for sort in SORTABLE:
        page, count = _plans(services, FILTERS[name], sort)
        for plan in (page, count):
            steps = [s.strip() for s in plan.split("|")]
            full_scans = [s for s in steps if s.startswith("SCAN t1") and "INDEX" not in s]
            assert not full_scans, f"{name} sorted by {sort}: {plan}"
        if sort == "received_at" and name in UNSORTED_DEFAULT:
            assert "TEMP B-TREE" not in page, f"{name}: the newest-first page sorts rows: {page}"
        if sort == "next_due" and name in ("overdue", "due7", "township_overdue"):
            assert "TEMP B-TREE" not in page, f"{name} by due date sorts rows: {page}"
        if sort in ("status", "category", "channel", "township") and name == "none":
            # a status, a township …: newest first within it, read from the filter's own index
            assert "TEMP B-TREE" not in page, f"sorted by {sort}, the page sorts rows: {page}"


def test_category_filter_reads_an_index_not_like(services, admin):
    page, count = _plans(services, CaseFilter(category="04"), "received_at")
    assert "case_list_category1_received" in page and "TEMP B-TREE" not in page
    assert "COVERING INDEX" in count and "category_code" in count


def test_follow_ups_due_read_only_the_matters_awaiting_one(services, admin):
    """The workbench's 待回访 reads the partial index of the matters awaiting 回访 in its order, for its lines
    and for its count: a township's closed matters of many years are not read on every look."""
    from xinfang_desktop.services.board import BoardService

    board = services.get(BoardService)
    plans = _case_plans(services, lambda: board.followups_due(admin, within_days=7, limit=20),
                        lambda: board.followups_due_count(admin, within_days=7))
    assert len(plans) == 2
    for plan in plans:
        assert "case_awaiting_followup" in plan and "TEMP B-TREE" not in plan, plan
