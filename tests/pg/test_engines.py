"""The same services on both engines: a registration, its number and its search on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.conftest import make_registration


def test_register_and_find_by_name(services, clerk, db_engine):
    ref = services.cases.register(clerk, make_registration())
    again = services.cases.register(clerk, make_registration())
    assert ref.number.endswith("00001") and again.number.endswith("00002")
    found = services.queries.search("娜娜")
    assert {c.number for c in found} >= {ref.number, again.number}


def test_a_replace_of_a_row_already_there_replaces_it(services, admin, db_engine):
    """SQLite's INSERT OR REPLACE (peewee's replace(), on_conflict_replace()) as an upsert on PostgreSQL: the
    second write of a key wins (a setting saved again, a parked bundle's ledger row once it is applied)."""
    from xinfang_desktop.store.models import Setting
    from xinfang_desktop.store.models_sync import SyncInbox

    for value in ({"n": 1}, {"n": 2}):
        Setting.replace(key="test.replaced", value=value).execute()
    assert Setting.get(Setting.key == "test.replaced").value == {"n": 2}
    row = dict(bundle_id="b" * 64, sender="350881102000", epoch=1, seq=2, kind="data", prev="a" * 64,
               received_at="2026-11-02 09:30:00")
    SyncInbox.insert(**row, state="parked", data=b"bundle").execute()
    SyncInbox.insert(**row, state="applied", data=None).on_conflict_replace().execute()
    assert [(r.state, r.data) for r in SyncInbox.select()] == [("applied", None)]


def test_the_same_matters_give_the_same_statistics_on_both_engines(pg_cluster, tmp_path, clock):
    """The statistics' SQL is one text for both engines (store/pg.py drops SQLite's planner hints): the same
    demo matters, on a SQLite file and on PostgreSQL, give the same report to the last figure, for a year
    with its year-earlier comparison and by village, a span inside it and one township."""
    from datetime import date

    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services import demo
    from xinfang_desktop.services.statistics import StatisticsService, statistics_json

    from tests.conftest import ADMIN_PASSWORD, UNIT, new_services

    reports = {}
    for engine, url in (("sqlite", None), ("postgresql", pg_cluster.new_database())):
        svc = new_services(tmp_path / engine, clock, url)
        try:
            admin = svc.auth.initialize(UNIT, "admin", ADMIN_PASSWORD, "王管理")
            demo.generate(svc, admin, 300, seed=5, days_back=600)
            stats = svc.get(StatisticsService)
            year = stats.compute(admin, st.year(2026), by_village=True)
            town = year.by_township.rows[0].key
            reports[engine] = [statistics_json(year),
                               statistics_json(stats.compute(admin, st.custom(date(2025, 12, 20), date(2026, 8, 31)))),
                               statistics_json(stats.compute(admin, st.year(2026), st.Scope((town,))))]
        finally:
            svc.close()
    sqlite, pg = reports["sqlite"], reports["postgresql"]
    # not equal by being empty: every figure the cohort query counts is there on SQLite
    terms = sqlite[0]["rate_terms"]
    assert sqlite[0]["total"]["batches"] > 100 and sqlite[0]["year_earlier"]["total"]["batches"] > 0
    for key in ("accepted_in_time", "closed_on_time", "open_past_due", "open_in_limit", "unrated_past_window",
                "rated", "satisfied"):
        assert terms[key] > 0, (key, terms)
    assert sqlite[0]["workflow"]["overdue"] > 0
    assert sum(1 for r in sqlite[0]["by_village"]["rows"] if r["batches"]) > 3
    for mine, theirs in zip(sqlite, pg):
        assert mine == theirs
