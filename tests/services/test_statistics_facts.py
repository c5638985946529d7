"""The statistics facts kept with each case (case_fact): built for a database that already has
cases, never sent to the city, checked and rebuilt by `xinfang check`."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang_desktop.domain import statistics as st
from xinfang_desktop.domain.case_cache import FACT_COLUMNS
from xinfang_desktop.services.check import run_check
from xinfang_desktop.services.statistics import StatisticsService
from xinfang_desktop.store import models_facts
from xinfang_desktop.store.migrations import migrate
from tests.conftest import make_registration
from tests.services.stats_data import build_october


@pytest.fixture
def october(services, clerk, handler):
    return build_october(services, clerk, handler)


def figures(services, admin) -> dict:
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10), compare=False)
    return {"total": s.total, "channels": [r.count for r in s.by_channel.rows], "workflow": s.workflow,
            "rates": [(r.numerator, r.denominator) for r in s.rates]}


@pytest.mark.sqlite_only
def test_the_upgrade_builds_the_facts_of_existing_cases_without_sending_them_again(services, admin, october):
    before = figures(services, admin)
    assert before["workflow"].received == 7 and before["workflow"].replied == 3
    db = services.db
    with db.atomic():       # as a database of schema 7 was: no facts anywhere
        for name in models_facts.TRIGGERS:
            db.execute_sql(f'DROP TRIGGER "{name}"')
        db.execute_sql("DELETE FROM case_fact")
        db.execute_sql('UPDATE "case" SET stat_flags = 0, stat_limit = NULL, stat_reply = NULL')
    assert figures(services, admin)["total"].batches == 0
    with db.atomic():       # nor the tables and columns that hold them, and the version says so
        for table in ("case_fact", "stat_dim", "stat_flag"):
            db.execute_sql(f'DROP TABLE "{table}"')
        db.execute_sql('DROP INDEX "case_awaiting_followup"')      # v20's, over two of those columns
        for column in FACT_COLUMNS:
            db.execute_sql(f'ALTER TABLE "case" DROP COLUMN {column}')
        db.execute_sql("PRAGMA user_version = 7")
    journal = db.execute_sql("SELECT COUNT(*) FROM sync_change").fetchone()[0]
    migrate(db)             # the steps from v8 on
    assert figures(services, admin) == before
    # the facts are local: building them queues nothing for the next sync bundle
    assert db.execute_sql("SELECT COUNT(*) FROM sync_change").fetchone()[0] == journal
    assert run_check(db, services.calendar.calendar).ok


def test_check_finds_a_stale_statistics_row_and_the_repair_rebuilds_it(services, admin, october):
    before = figures(services, admin)
    db = services.db
    db.execute_sql("UPDATE case_fact SET flags = 0 WHERE sid = (SELECT MIN(sid) FROM case_fact)")
    db.execute_sql("DELETE FROM case_fact WHERE sid = (SELECT MAX(sid) FROM case_fact)")
    report = run_check(db, services.calendar.calendar)
    assert report.facts_stale >= 2 and not report.ok
    run_check(db, services.calendar.calendar, repair=True)
    assert run_check(db, services.calendar.calendar).ok
    assert figures(services, admin) == before


def test_each_action_moves_the_matter_in_the_figures(services, admin, clerk, handler):
    from xinfang_desktop.domain import workflow as wf

    stats = services.get(StatisticsService)
    ref = services.cases.register(clerk, make_registration())
    month = st.month(2026, 11)

    def wf_figures():
        s = stats.compute(admin, month, compare=False)
        return s.workflow, s.rate_inputs

    w, r = wf_figures()
    assert (w.received, w.routed, w.replied, r.accepted_in_time) == (1, 0, 0, 0)
    services.cases.act(handler, ref.number, wf.EventKind.ROUTED, {"route": "direct", "unit": "永福镇民政办"})
    w, r = wf_figures()
    assert (w.routed, r.accepted_in_time, r.closed_on_time) == (1, 1, 0)
    services.cases.act(handler, ref.number, wf.EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "supported", "text": "已解决"})
    w, r = wf_figures()
    assert (w.replied, r.closed_on_time, r.rated) == (1, 1, 0)
    services.cases.act(handler, ref.number, wf.EventKind.FOLLOWED_UP,
                       {"method": "phone", "rating": "satisfied", "notes": "满意"})
    w, r = wf_figures()
    assert (r.rated, r.satisfied) == (1, 1)
    row = services.db.execute_sql("SELECT flags, replied_on FROM case_fact").fetchone()
    assert row[0] & st.REPLIED and row[1] == date(2026, 11, 2).isoformat()


def test_the_facts_keep_each_open_15_day_limit_and_mark_a_late_decision(services, admin, october):
    """第二十二、二十三条: the 15-day limit of each matter not yet decided (G, registered 10-20: 11-04; E
    and F, never decided) is kept with its facts, so a rate can leave out the matters still inside
    their window; a decision after it (B, routed 10-30 past its 10-26) has no open limit and is not
    TIMELY. `xinfang check` verifies both and rebuilds them."""
    db = services.db
    facts = {number: (flags, limit) for number, flags, limit in db.execute_sql(
        'SELECT c.number, f.flags, f.accept_limit FROM case_fact f JOIN "case" c ON c.sid = f.sid').fetchall()}
    open_limits = {october["G"]: "2026-11-04", october["E"]: "2026-10-15", october["F"]: "2025-10-20"}
    assert {n: limit for n, (_, limit) in facts.items() if limit} == open_limits
    decided_late = [n for n, (flags, limit) in facts.items() if limit is None and not flags & st.TIMELY]
    assert decided_late == [october["B"]] and facts[october["A"]][0] & st.TIMELY
    db.execute_sql("UPDATE case_fact SET accept_limit = '2026-12-31' WHERE accept_limit IS NOT NULL")
    db.execute_sql('UPDATE "case" SET stat_flags = stat_flags | ? WHERE number = ?', (st.TIMELY, october["B"]))
    report = run_check(db, services.calendar.calendar)
    assert report.facts_stale >= 1 and report.mismatched == [october["B"]]
    run_check(db, services.calendar.calendar, repair=True)
    assert run_check(db, services.calendar.calendar).ok
    assert dict(db.execute_sql('SELECT c.number, f.accept_limit FROM case_fact f JOIN "case" c ON c.sid = f.sid '
                               "WHERE f.accept_limit IS NOT NULL").fetchall()) == open_limits
