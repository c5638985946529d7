"""The lists a desk opens all day read an index on PostgreSQL, not the whole table, at a size where a
sequential scan loses (60,000 matters): the case list (newest first, by status, by township, paged, oldest
first, by due date), the workbench's sections, the earlier matters of a petitioner at intake (find_earlier)
and a case's events: none scans a big table or sorts a large share of it to show a page. The statements are
the ones the services send (captured from the database), each EXPLAINed; the plan's text is asserted, never
a time (benchmarks/pg_plans.py has the figures)."""

from __future__ import annotations

import re

import pytest

from tests.pg import many_cases

ENGINES = ["postgresql"]
CASES = 60_000
BIG = ("case", "case_event", "person", "case_party")
# Reads that are of every case by their nature (a total, a tally by status): a scan is their cheapest plan.
WHOLE_TABLE = (re.compile(r'^SELECT COUNT\(1\) FROM \(SELECT 1 FROM "case" AS "t1"\) AS "_wrapped"'),
               re.compile(r'^SELECT "t1"\."status", COUNT\("t1"\."sid"\) FROM "case" AS "t1" GROUP BY "t1"\."status"$'),
               # Whether the unit has any case: every loaded case is the unit's, so a scan ends at its first row.
               re.compile(r'^SELECT EXISTS\(SELECT 1 FROM "case" AS "t1" WHERE \("t1"\."unit_code" = %s\)\) LIMIT'))


def _sent(db, monkeypatch, call) -> list[tuple[str, object]]:
    """The SELECTs `call` sends to the database."""
    seen: list[tuple[str, object]] = []
    real = db.execute_sql

    def watched(sql, params=None):
        seen.append((sql, params))
        return real(sql, params)

    monkeypatch.setattr(db, "execute_sql", watched)
    try:
        call()
    finally:
        monkeypatch.setattr(db, "execute_sql", real)
    return [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]


# A page that sorts more rows than this reads a whole status or the whole table to show 200 of them.
MOST_SORTED = CASES // 20
_SORT = re.compile(r"->\s+Sort\s+\(cost=[\d.]+ rows=(\d+)|^Sort\s+\(cost=[\d.]+ rows=(\d+)")


def _full_reads(db, sql: str, params) -> list[str]:
    """The lines of the statement's plan that scan one of the big tables, or sort a large share of it."""
    plan = [r[0].strip() for r in db.execute_sql("EXPLAIN " + sql, params)]
    out = [line for line in plan if any(re.search(rf'Seq Scan on "?{t}"?\b', line) for t in BIG)]
    for line in plan:
        m = _SORT.search(line)
        if m and int(m.group(1) or m.group(2)) > MOST_SORTED:
            out.append(line)
    return out


@pytest.mark.no_check          # the rows are loaded in bulk, without the facts a registration derives
def test_the_desks_lists_read_an_index_not_the_whole_table(services, admin, monkeypatch):
    from xinfang_desktop.services.queries import CaseFilter
    from xinfang_desktop.services.workbench import WorkbenchService
    from xinfang_desktop.store.models import Case

    db, q = services.db, services.queries
    many_cases.load(db, CASES, services.clock.today(), admin.unit_code)
    town = many_cases.township(4, admin.unit_code)
    case = Case.get(Case.sid == 777)
    calls = {
        "workbench": lambda: services.get(WorkbenchService).load(admin),
        "list newest first": lambda: q.page(CaseFilter()),
        "list by status": lambda: (q.page(CaseFilter(statuses=("handling",))), q.count(CaseFilter(statuses=("handling",)))),
        "list of open matters": lambda: (q.page(CaseFilter(open_only=True)), q.count(CaseFilter(open_only=True))),
        "list by township, page 3": lambda: (q.page(CaseFilter(township=town), offset=400),
                                            q.count(CaseFilter(township=town))),
        "list oldest first, page 2": lambda: q.page(CaseFilter(), sort="received_at", descending=False, offset=200),
        "list by status column": lambda: (q.page(CaseFilter(), sort="status"),
                                          q.page(CaseFilter(), sort="status", descending=False)),
        # a column that may be NULL, both ways (schema v21: its index holds NULL first, as SQLite's)
        "list by township": lambda: (q.page(CaseFilter(), sort="township"),
                                     q.page(CaseFilter(), sort="township", descending=False)),
        "list by channel, open only": lambda: q.page(CaseFilter(open_only=True), sort="channel"),
        "list by due date, latest first": lambda: (q.page(CaseFilter(), sort="next_due"),
                                                   q.page(CaseFilter(township=town), sort="next_due")),
        "list by due date, page 2": lambda: q.page(CaseFilter(), sort="next_due", descending=False, offset=200),
        "overdue": lambda: (q.page(CaseFilter(overdue=True), sort="next_due", descending=False),
                            q.count(CaseFilter(overdue=True))),
        "earlier matters by ID number": lambda: services.cases.find_earlier(id_number="350881198001010500"),
        "earlier matters by name and phone": lambda: services.cases.find_earlier(name="张123", phone="13800000123"),
        "a case's events": lambda: (services.cases.events_of(case), q.revision(case.id)),
    }
    found, read = [], 0
    for name, call in calls.items():
        for sql, params in _sent(db, monkeypatch, call):
            if any(p.search(sql) for p in WHOLE_TABLE):
                continue
            read += 1
            scans = _full_reads(db, sql, params)
            if scans:
                found.append(f"{name}: {sql} {params!r}: {scans}")
    assert read >= 20, "the calls sent fewer statements than expected: was anything captured?"
    assert not found, "\n".join(found)


def test_the_order_clause_names_where_nulls_go_only_on_a_column_that_has_them(services):
    """store/pg.py: SQLite's place for NULL is spelled out for a nullable column (the due date), not for one
    that is never NULL (received_at, sid), where it would keep the index from being read backwards."""
    from xinfang_desktop.store.models import Case

    sql, _ = Case.select(Case.id).order_by(Case.received_at.desc(), Case.sid.desc(), Case.next_due.asc()).sql()
    assert sql.endswith('ORDER BY "t1"."received_at" DESC, "t1"."sid" DESC, "t1"."next_due" ASC NULLS FIRST'), sql
