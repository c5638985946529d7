"""Three townships on SQLite and their city on PostgreSQL (issue 16): the same bundles imported into a city
on each engine give the same cases and the same statistics."""

from __future__ import annotations

from datetime import datetime

from tests.syncdb.conftest import CITY, NAMES, TOWNS, Office, check_ok, enrol_both, write_out


def _office(root, code, keys, url=None) -> Office:
    from xinfang_desktop.services.clock import FixedClock
    from xinfang_desktop.services.sync import KeyRing

    from tests.conftest import new_services

    clock = FixedClock(datetime(2026, 11, 2, 9, 30))
    svc = new_services(root / code, clock, url)
    admin = svc.auth.initialize(code, "admin", "admin-pass-1", "王管理")
    return Office(code, svc, admin, KeyRing(keys[code]), clock)


def _figures(office: Office):
    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.statistics import StatisticsService

    office.sync                                  # bind the models to this office's database
    s = office.svc.get(StatisticsService)
    return [s.compute(office.admin, period) for period in (st.month(2026, 11), st.year(2026))]


def test_a_city_on_postgresql_imports_three_townships_as_one_on_sqlite_does(tmp_path, pg_cluster):
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.store.models import Case
    from xinfang_desktop.sync.keys import generate_keys

    keys = {code: generate_keys(code, NAMES[code], "city" if code == CITY else "township", encryption=True)
            for code in (CITY, *TOWNS)}
    towns = [_office(tmp_path / "towns", code, keys) for code in TOWNS]
    city_file = _office(tmp_path / "sqlite", CITY, keys)
    city_server = _office(tmp_path / "server", CITY, keys, pg_cluster.new_database())
    try:
        for town in towns:
            enrol_both(city_file, town, keys)
            enrol_both(city_server, town, keys)        # the town already knows the city's key: enrolled again
        channels = ("走访", "来信", "网上信访", "来电")
        for n, town in enumerate(towns):
            for i in range(6):
                ref = town.register(name="欧阳" + "甲乙丙"[n] + "一二三四五六"[i], request=f"第{i}件 要求追讨拖欠的工资", channel=channels[i % 4])
                town.sync
                if i % 2 == 0:
                    town.svc.cases.act(town.admin, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
                if i % 3 == 0:
                    town.svc.cases.act(town.admin, ref.number, EventKind.NOTIFIED, {})
        files = []
        for n, town in enumerate(towns):
            town.export()
            files += write_out(town, tmp_path / "stick" / str(n))
        for city in (city_file, city_server):
            results = city.import_(files)
            assert all(r.outcome == "applied" for r in results), [r.message for r in results]
            check_ok(city)
        counts = []
        for city in (city_file, city_server):
            city.sync
            counts.append(sorted((c.number, c.status, c.parties_label) for c in Case.select()))
        assert len(counts[0]) == 18 and counts[0] == counts[1]
        assert _figures(city_file) == _figures(city_server)
        city_server.sync
        assert city_server.svc.queries.search("欧阳")            # the server's own search index was filled
    finally:
        for o in (*towns, city_file, city_server):
            o.svc.close()


def test_two_desks_importing_the_same_bundles_at_once_apply_each_once(tmp_path, pg_cluster):
    """Two desks of the city import the same township bundles at the same moment: the imports queue on the
    writers' lock, each bundle is applied once (the second desk finds it applied), nothing doubles."""
    import threading

    from xinfang_desktop.services.context import release_thread_connection
    from xinfang_desktop.store.models import Case, CaseEvent
    from xinfang_desktop.sync.keys import generate_keys

    keys = {code: generate_keys(code, NAMES[code], "city" if code == CITY else "township", encryption=True)
            for code in (CITY, TOWNS[0])}
    town = _office(tmp_path / "towns", TOWNS[0], keys)
    city = _office(tmp_path / "server", CITY, keys, pg_cluster.new_database())
    try:
        enrol_both(city, town, keys)
        for i in range(8):
            town.register(name="欧阳" + "一二三四五六七八"[i])
        files = []
        for batch in range(3):                      # three bundles in a chain
            town.register(name="司马" + "甲乙丙"[batch])
            town.export()
            files = write_out(town, tmp_path / "stick")
        city.sync
        outcomes: list[list[str]] = [[], []]
        start = threading.Barrier(2)

        def desk(n: int) -> None:
            try:
                start.wait()
                outcomes[n] = [r.outcome for r in city.svc.get(type(city.sync)).import_files(city.admin, city.ring, files)]
            finally:
                release_thread_connection()        # each desk (thread) had its own connection

        desks = [threading.Thread(target=desk, args=(n,)) for n in range(2)]
        for d in desks:
            d.start()
        for d in desks:
            d.join(120)
        applied = sorted(o for got in outcomes for o in got)
        assert applied.count("applied") == len(files) and set(applied) <= {"applied", "already"}, outcomes
        city.sync
        assert Case.select().count() == 11 and CaseEvent.select().count() == 11
        check_ok(city)
    finally:
        town.svc.close()
        city.svc.close()
