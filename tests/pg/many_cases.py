"""Tens of thousands of matters on a PostgreSQL database in a few seconds, for query plans at the size where a
sequential scan loses (tests/pg/test_list_plans.py, benchmarks/pg_plans.py). Made by the server itself
(generate_series), not through registrations: the rows have the shape the lists read (statuses, townships,
received and due dates, one petitioner and a few events each), not a consistent history. The triggers are
off while loading (session_replication_role), so the statistics facts and the sync journal are left empty.
"""

from __future__ import annotations

from datetime import date, timedelta

# (status, share of 100): mostly closed matters, a few open ones of each kind, as in a year's work
STATUSES = (("closed", 62), ("replied", 10), ("transferred", 6), ("refused", 3), ("redirected", 2),
            ("reviewed", 2), ("rechecked", 1), ("handling", 8), ("registered", 3), ("reviewing", 2),
            ("rechecking", 1))
OPEN = ("handling", "registered", "reviewing", "rechecking")
CHANNELS = ("visit", "letter", "phone", "fax", "online")
CATEGORIES = ("0101", "0201", "0402", "0403", "0501", "0601", "0701", "0801", "0901", "1001", "1101", "1601")
OWNERS = ("镇信访办", "镇综治办", "镇农业办", "镇城建办")
TOWNSHIPS = 16


def township(i: int, unit: str) -> str:
    return f"{unit[:6]}{100 + i:03d}000"


def _pick(values: tuple[str, ...], expr: str) -> str:
    """A SQL expression picking one of `values` by the integer `expr`."""
    arr = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"(ARRAY[{arr}])[1 + ({expr}) % {len(values)}]"


def _status_expr() -> str:
    cases, at = [], 0
    for status, share in STATUSES:
        at += share
        cases.append(f"WHEN (g * 37) % 100 < {at} THEN '{status}'")
    return "CASE " + " ".join(cases) + " END"


def load(db, cases: int, today: date, unit: str, days_back: int = 540) -> None:
    """`cases` matters of `unit` received over `days_back` days up to `today`, each with a petitioner (every
    fifth one with an ID number shared by no one else), a party row and three events; then ANALYZE."""
    first = (today - timedelta(days=days_back)).isoformat()
    open_list = ", ".join(f"'{s}'" for s in OPEN)
    towns = tuple(township(i, unit) for i in range(TOWNSHIPS))
    for table in ("person", "case", "case_party", "case_event"):
        # No automatic ANALYZE from a random sample after the load, replacing the statistics made below.
        db.execute_sql(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')
    with db.atomic():
        db.execute_sql("SET LOCAL session_replication_role = replica")      # no triggers while loading
        db.execute_sql(f"""
            CREATE TEMPORARY TABLE many_cases ON COMMIT DROP AS
            SELECT g, md5('c' || g) AS id, md5('p' || g) AS pid,
                   to_char(DATE '{first}' + (g::bigint * {days_back} / {cases})::int
                           + make_interval(secs => 28800 + (g * 7919) % 36000), 'YYYY-MM-DD HH24:MI:SS') AS received,
                   {_status_expr()} AS status
            FROM generate_series(1, {cases}) AS g""")
        db.execute_sql(f"""
            INSERT INTO person (id, unit_code, version, updated_at, name, id_number, phone, township_code,
                                village_code, created_at)
            SELECT pid, '{unit}', 1, received, '张' || g, CASE WHEN g % 5 = 0 THEN '35088119800101' || lpad(g::text, 4, '0')
                   END, '138' || lpad(g::text, 8, '0'), {_pick(towns, 'g')}, {_pick(towns, 'g')}, received
            FROM many_cases""")
        db.execute_sql(f"""
            INSERT INTO "case" (id, unit_code, version, updated_at, sid, number, query_code, channel, received_at,
                                category_code, request, people_count, is_group, township_code, created_by,
                                created_at, owner_name, status, next_due, next_due_start, next_due_key, provisional,
                                parties_label, stat_flags, decided_on, followed_on)
            SELECT id, '{unit}', 1, received, g, '{unit}-' || g, 'Q' || g, {_pick(CHANNELS, 'g / 3')}, received,
                   {_pick(CATEGORIES, 'g / 7')}, '要求解决问题', 1, 0, {_pick(towns, 'g')}, '李登记', received,
                   CASE WHEN g % 5 < 2 THEN NULL ELSE {_pick(OWNERS, 'g / 11')} END, status,
                   CASE WHEN status IN ({open_list}) THEN to_char(received::date + 60, 'YYYY-MM-DD') END,
                   CASE WHEN status IN ({open_list}) THEN left(received, 10) END,
                   CASE WHEN status IN ({open_list}) THEN 'handling' END, 0, '张' || g, 0,
                   CASE WHEN status IN ({open_list}) THEN NULL ELSE to_char(received::date + 30, 'YYYY-MM-DD') END,
                   CASE WHEN status IN ({open_list}) OR g % 10 = 0 THEN NULL
                        ELSE to_char(received::date + 40, 'YYYY-MM-DD') END
            FROM many_cases""")
        db.execute_sql(f"""
            INSERT INTO case_party (id, unit_code, version, updated_at, case_id, person_id, role,
                                    is_representative, position)
            SELECT md5('cp' || g), '{unit}', 1, received, id, pid, 'petitioner', 0, 0 FROM many_cases""")
        db.execute_sql(f"""
            INSERT INTO case_event (id, case_id, unit_code, kind, occurred_at, recorded_at, actor, data)
            SELECT md5('e' || g || '-' || k), id, '{unit}', (ARRAY['registered', 'routed', 'note'])[k],
                   to_char(received::timestamp + make_interval(days => 2 * (k - 1)), 'YYYY-MM-DD HH24:MI:SS'),
                   received, '李登记', '{{}}'
            FROM many_cases, generate_series(1, 3) AS k""")
    # What autovacuum does on a server after a load, but from every row, not a random sample: the plans the
    # tests read then come from the same statistics on every run (a sample's odd draw once turned a plan).
    db.execute_sql("SET default_statistics_target = 10000")
    for table in ("person", "case", "case_party", "case_event"):
        db.execute_sql(f'VACUUM ANALYZE "{table}"')
    db.execute_sql("RESET default_statistics_target")
