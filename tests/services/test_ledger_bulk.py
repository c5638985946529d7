"""台账 import in bulk: the same records as registering each row one by one, cancel and failure
leave nothing, progress is reported."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook

from tests.conftest import ADMIN_PASSWORD, UNIT, make_registration
from xinfang_desktop.services import ledger_bulk
from xinfang_desktop.services.ledger import LedgerService, closing_actions, read_table

HEADERS = ["姓名", "身份证号码", "联系电话", "住址", "信访日期", "信访方式", "反映问题", "问题类别", "人数", "乡镇",
           "办结日期", "办理结果"]
ROWS = [
    # the person registered before (same ID number): reused; the row's phone differs from the registered
    # one, so the registered details are kept as they are (the ledger is older than the registration)
    ["欧阳娜娜", "11010519491231002X", "13900000001", "溪南路1号", "2024-03-05", "来访", "要求追讨拖欠工资", "欠薪", 1,
     "永福镇", None, None],
    ["林建国", None, "0597-7123456", None, "2024/4/1", "电话", "反映道路损坏", "交通运输", 1, "溪南", "2024-04-20",
     "已答复，支持其诉求"],
    ["黄阿妹", "350881198001011237", None, None, "2025年5月6日", "网信", "反映低保评定不公", "社会救助", 6, None,
     None, None],
    # the same person again, later, with a phone the first row lacked: one person, the phone filled in
    ["黄阿妹", "350881198001011237", "13700000002", None, "2025-06-01", "来信", "要求重新评定低保", "社会救助", 1,
     None, "2025-06-20", "经调查，不予支持"],
    ["王五", None, None, None, "2024-02-30", "走访", "反映邻里纠纷", "政法", 1, None, None, None],
    ["赵六", None, "13600000003", None, "2026-10-01", "走访", "反映噪声扰民", "噪声污染", 1, None, None, None],
]


def write_ledger(path, rows=ROWS, headers=HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def open_office(folder, clock):
    from tests.conftest import new_services

    svc = new_services(folder, clock)
    admin = svc.auth.initialize(UNIT, "admin", ADMIN_PASSWORD, "王管理")
    svc.cases.register(admin, make_registration())          # 2026-00001, and a person with an ID number
    return svc, admin


def per_row_import(svc, admin, table):
    """What the import did before the bulk path: register each row, then route, reply and close."""
    plan = svc.get(LedgerService).dry_run(admin, table)
    for row in plan.valid:
        ref = svc.cases.register(admin, row.registration, from_ledger=True)
        for kind, data, at in closing_actions(row):
            svc.cases.act(admin, ref.number, kind, data, at=at, from_ledger=True)


def dump(db_file) -> dict:
    """Every record registration writes, with random ids and query codes replaced by stable keys."""
    from sqlcipher3 import dbapi2

    from tests.dbfiles import connect

    con = connect(db_file)
    con.row_factory = dbapi2.Row
    try:
        cases = {r["id"]: dict(r) for r in con.execute('SELECT * FROM "case"')}
        case_key = {i: c["number"] for i, c in cases.items()}
        persons = {r["id"]: dict(r) for r in con.execute("SELECT * FROM person ORDER BY rowid")}
        person_key = {i: (p["name"], p["id_number"], n) for n, (i, p) in enumerate(persons.items())}
        events = {r["id"]: dict(r) for r in con.execute("SELECT * FROM case_event")}
        event_key = {i: (case_key[e["case_id"]], e["kind"], e["occurred_at"]) for i, e in events.items()}
        parties = {r["id"]: dict(r) for r in con.execute("SELECT * FROM case_party")}
        party_key = {i: (case_key[p["case_id"]], p["position"]) for i, p in parties.items()}
        codes = {c["query_code"].lower() for c in cases.values()}
        keys = {"case": case_key, "person": person_key, "case_event": event_key, "case_party": party_key}

        def strip(row: dict, *drop: str) -> tuple:
            return tuple(sorted((k, v) for k, v in row.items() if k not in drop))

        def srt(items) -> list:
            return sorted(items, key=repr)      # rows hold None beside text

        return {
            "case": srt(strip(c, "id", "query_code") for c in cases.values()),
            "person": srt(strip(p, "id") + (("key", person_key[i]),) for i, p in persons.items()),
            "case_event": srt(strip(e, "id", "case_id") + (("case", case_key[e["case_id"]]),)
                                 for e in events.values()),
            "case_party": srt(strip(p, "id", "case_id", "person_id")
                                 + (("case", case_key[p["case_id"]]), ("person", person_key[p["person_id"]]))
                                 for p in parties.values()),
            "counter": srt(tuple(r) for r in con.execute("SELECT unit_code, year, last FROM case_counter")),
            "search": srt((next(c["number"] for c in cases.values() if c["sid"] == r[0]),
                              " ".join(t for t in r[1].split() if t not in codes))
                             for r in con.execute("SELECT rowid, tokens FROM case_search")),
            # a table registration writes into that the bulk path would miss shows here
            "counts": {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for (t,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'case_search_%' AND name NOT IN "
                "('audit_entry', 'sync_change', 'ledger_import', 'ledger_row_fingerprint')")},
            # which records the sync journal will send (how many times a row was touched may differ)
            "journal": srt({(r[0], keys[r[0]][r[1]]) for r in con.execute("SELECT tbl, row_id FROM sync_change")}),
        }
    finally:
        con.close()


@pytest.mark.parametrize("chunk", [1, 2000])
def test_bulk_import_writes_what_registering_each_row_wrote(tmp_path, clock, monkeypatch, chunk):
    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.check import run_check
    from xinfang_desktop.services.statistics import StatisticsService
    from xinfang_desktop.store.models import AuditEntry

    monkeypatch.setattr(ledger_bulk, "CHUNK", chunk)    # 1: a new person written, then changed by a later row
    table = read_table(write_ledger(tmp_path / "台账.xlsx"))
    svc, admin = open_office(tmp_path / "one-by-one", clock)
    per_row_import(svc, admin, table)
    svc.close()
    expected = dump(tmp_path / "one-by-one" / "xinfang.sqlite3")

    svc, admin = open_office(tmp_path / "bulk", clock)
    try:
        result = svc.get(LedgerService).run_import(admin, table)
        assert (result.imported, result.rejected) == (5, 1)
        assert result.case_numbers == ("350881102-2024-00001", "350881102-2024-00002", "350881102-2025-00001",
                                       "350881102-2025-00002", "350881102-2026-00002")
        got = dump(tmp_path / "bulk" / "xinfang.sqlite3")
        for part in expected:
            assert got[part] == expected[part], part
        # the same person, reused: kept as registered where the row differs, filled where it was empty
        [registered] = [dict(p) for p in got["person"] if dict(p)["id_number"] == "11010519491231002X"]
        assert (registered["phone"], registered["address"], registered["version"]) == ("13812345678", None, 1)
        assert dict(next(p for p in got["person"] if dict(p)["id_number"] == "350881198001011237"))["phone"] \
            == "13700000002"
        # what a clerk relies on next: search, the check of the cached state, the statistics
        assert [r.number for r in svc.queries.search("黄阿妹")] == ["350881102-2025-00002", "350881102-2025-00001"]
        assert [r.number for r in svc.queries.search("ljg")] == ["350881102-2024-00002"]
        report = run_check(svc.db, svc.calendar.calendar)
        assert report.ok and report.cases_checked == 6 and not report.mismatched
        stats = svc.get(StatisticsService).compute(admin, st.custom(date(2024, 1, 1), date(2025, 12, 31)),
                                                   compare=False)
        assert (stats.total.batches, stats.total.people) == (4, 9)
        # one audit entry for the import, with its counts, instead of one per case
        [entry] = AuditEntry.select().where(AuditEntry.action == "ledger.import")
        assert entry.detail["imported"] == 5 and entry.detail["closed"] == 2
        assert AuditEntry.select().where(AuditEntry.action == "case.register").count() == 1   # the one before
        again = svc.get(LedgerService).run_import(admin, table)
        assert (again.imported, again.skipped, again.rejected) == (0, 5, 1)
        assert dump(tmp_path / "bulk" / "xinfang.sqlite3") == got
    finally:
        svc.close()


def table_counts(db) -> dict[str, int]:
    """The rows of every table of either engine (SQLite's own and FTS5's shadow tables left out)."""
    names = [n for n in db.get_tables() if not n.startswith(("sqlite_", "case_search_"))]
    assert "case" in names and "case_search" in names
    return {n: db.execute_sql(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def many_rows(n: int) -> list[list]:
    return [[f"张{'伟芳娜敏静丽强磊军洋'[i % 10]}{'一二三四五六七八九十'[i // 10 % 10]}", None, f"139{i:08d}", None,
             f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}", "来访", f"反映问题第{i}号", "欠薪", 1, None, None, None]
            for i in range(n)]


def test_cancel_while_writing_leaves_the_database_as_it_was(tmp_path, services, admin, monkeypatch):
    from xinfang_desktop.services.ledger import LedgerCancelled

    monkeypatch.setattr(ledger_bulk, "CHUNK", 50)
    services.cases.register(admin, make_registration())
    table = read_table(write_ledger(tmp_path / "台账.xlsx", many_rows(400)))
    before = table_counts(services.db)
    seen: list[tuple[float, str]] = []
    with pytest.raises(LedgerCancelled, match="已取消，未导入任何记录"):
        services.get(LedgerService).run_import(admin, table, progress=lambda f, t: seen.append((f, t)),
                                               cancelled=lambda: bool(seen) and seen[-1][0] > 0.6)
    assert any("正在写入" in t for _, t in seen)          # it was cancelled while writing, not before
    assert table_counts(services.db) == before
    result = services.get(LedgerService).run_import(admin, table)       # nothing was marked as imported
    assert result.imported == 400
    assert table_counts(services.db)["case"] == before["case"] + 400


def test_cancel_while_checking_and_progress_that_only_grows(tmp_path, services, admin, monkeypatch):
    from xinfang_desktop.services.ledger import LedgerCancelled

    monkeypatch.setattr("xinfang_desktop.services.ledger.CHECK_STEP", 100)
    monkeypatch.setattr(ledger_bulk, "CHUNK", 100)
    table = read_table(write_ledger(tmp_path / "台账.xlsx", many_rows(450)))
    ledger = services.get(LedgerService)
    with pytest.raises(LedgerCancelled, match="已取消检查"):
        ledger.dry_run(admin, table, cancelled=lambda: True)
    seen: list[float] = []
    ledger.run_import(admin, table, progress=lambda f, t: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 8


def test_a_failure_midway_leaves_nothing(tmp_path, services, admin, monkeypatch):
    from xinfang_desktop.store import search

    monkeypatch.setattr(ledger_bulk, "CHUNK", 2)
    table = read_table(write_ledger(tmp_path / "台账.xlsx"))
    before = table_counts(services.db)
    real = search.index_rows
    calls = {"n": 0}

    def failing(db, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(db, rows)

    monkeypatch.setattr(search, "index_rows", failing)
    with pytest.raises(OSError):
        services.get(LedgerService).run_import(admin, table)
    assert table_counts(services.db) == before
    monkeypatch.setattr(search, "index_rows", real)
    assert services.get(LedgerService).run_import(admin, table).imported == 5


def test_the_command_reports_a_big_ledgers_progress_on_stderr_only(capsys):
    from xinfang_desktop.commands.stats import _progress_to_stderr

    small, big = _progress_to_stderr(100), _progress_to_stderr(50_000)
    for i in range(101):
        small(i / 100, f"正在写入：{i}")
        big(i / 100, f"正在写入：{i}")
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 11 and lines[0].startswith("0% ") and lines[-1] == "100% 正在写入：100"


def test_rows_imported_by_someone_else_after_the_check_are_skipped_not_fatal(tmp_path, services, admin,
                                                                               monkeypatch):
    ledger = services.get(LedgerService)
    table = read_table(write_ledger(tmp_path / "台账.xlsx"))
    assert ledger.run_import(admin, table).imported == 5
    real = ledger._known_fingerprints
    calls = {"n": 0}

    def stale_at_check_time() -> set[str]:
        calls["n"] += 1
        return set() if calls["n"] == 1 else real()     # the check ran before the other import committed

    monkeypatch.setattr(ledger, "_known_fingerprints", stale_at_check_time)
    again = ledger.run_import(admin, table)
    assert (again.imported, again.skipped, again.rejected) == (0, 5, 1)
    assert services.db.execute_sql('SELECT COUNT(*) FROM "case"').fetchone()[0] == 5
