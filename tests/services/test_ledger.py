"""台账: export of the case list, and import of ledgers with a dry run, rejects and no double import."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from xinfang_desktop.services.ledger import (LedgerService, guess_mapping, parse_ledger_date, read_table,
                                             rejects_path_for)
from xinfang_desktop.services.queries import CaseFilter
from xinfang_desktop.store.models import AuditEntry, Case, Person
from tests.conftest import make_registration

HEADERS = ["序号", "信访人姓名", "身份证号码", "联系电话", "信访日期", "信访方式", "反映问题", "问题类别", "人数", "乡镇"]
ROWS = [
    [1, "陈秀英", "11010519491231002X", "13812345678", date(2024, 3, 5), "来访", "要求追讨拖欠工资", "欠薪", 1, "永福镇"],
    [2, "林建国", None, "0597-7123456", "2024/4/1", "电话", "反映道路损坏", "交通运输", 1, "溪南"],
    [3, "黄阿妹", "110105194912310021", None, "2024年5月6日", "网信", "=HYPERLINK(\"x\")", "劳动关系", 6, None],
    [4, "王五", None, None, "2024-02-30", "走访", "反映邻里纠纷", "政法", 1, None],
    [5, "赵六", None, None, "2024-06-01", "托梦", "其他诉求", "没有这类", 1, None],
    [6, "陈秀英", "11010519491231002X", "13812345678", date(2024, 3, 5), "来访", "要求追讨拖欠工资", "欠薪", 1, "永福镇"],
]


def write_xlsx(path, headers=HEADERS, rows=ROWS, title=True):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["2024年永福镇信访台账"])          # a title line above the header, as ledgers have
    ws.append(headers)
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"        # text typed into the ledger, not a formula
    wb.save(path)
    return path


def test_the_mapping_is_guessed_from_header_names():
    m = guess_mapping(["序号", "来访人", "身份证", "手机号", "来访日期", "来访方式", "主要诉求", "类别", "来访人数",
                       "所属乡镇", "备注"])
    assert {HEADERS_KEY: i for i, HEADERS_KEY in m.items()} == {
        "name": 1, "id_number": 2, "phone": 3, "received_at": 4, "channel": 5, "request": 6, "category": 7,
        "people_count": 8, "township": 9}


def test_dates_as_ledgers_write_them():
    assert parse_ledger_date("2024年5月6日") == datetime(2024, 5, 6)
    assert parse_ledger_date("2024.5.6 14:30") == datetime(2024, 5, 6, 14, 30)
    assert parse_ledger_date("20240506") == datetime(2024, 5, 6)
    assert parse_ledger_date(45418) == datetime(2024, 5, 6)   # an Excel serial day in a CSV
    with pytest.raises(Exception, match="不存在"):
        parse_ledger_date("2024-02-30")


def test_the_dry_run_lists_every_problem_and_writes_nothing(tmp_path, services, clerk):
    ledger = services.get(LedgerService)
    table = read_table(write_xlsx(tmp_path / "台账.xlsx"))
    before = (Case.select().count(), Person.select().count(), AuditEntry.select().count())
    plan = ledger.dry_run(clerk, table)
    assert (Case.select().count(), Person.select().count(), AuditEntry.select().count()) == before
    by_row = {r.row_number: r for r in plan.rows}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8]            # sheet rows, under the title and the header
    assert [by_row[n].status for n in (3, 4, 5)] == ["ok", "ok", "rejected"]
    assert "身份证" in by_row[5].summary                     # bad check digit
    assert "不存在" in by_row[6].summary                      # 2 February 30
    assert "信访形式" in by_row[7].summary and "问题类别" in by_row[7].summary   # both problems, at once
    assert by_row[8].status == "duplicate" and "第3行" in by_row[8].summary
    reg = by_row[3].registration
    assert (reg.channel, reg.category_code, reg.petitioners[0].township_code) == ("visit", "0402", "350881102000")
    assert by_row[4].registration.channel == "phone" and by_row[4].registration.category_code == "11"
    assert by_row[4].registration.petitioners[0].township_code == "350881103000"


def test_import_registers_the_valid_rows_writes_rejects_and_a_second_import_adds_nothing(tmp_path, services, clerk):
    ledger = services.get(LedgerService)
    path = write_xlsx(tmp_path / "台账.xlsx")
    result = ledger.run_import(clerk, read_table(path), rejects_path=rejects_path_for(path))
    assert (result.imported, result.skipped, result.rejected) == (2, 1, 3)
    assert Case.select().count() == 2
    a = Case.get(Case.number == result.case_numbers[0])
    assert (a.channel, a.category_code, a.received_at, a.request) == ("visit", "0402", datetime(2024, 3, 5),
                                                                      "要求追讨拖欠工资")
    rejects = load_workbook(result.rejects_file).active
    assert [c.value for c in rejects[1]][:3] == ["原行号", "问题", "序号"]
    assert [rejects.cell(row=r, column=1).value for r in (2, 3, 4)] == [5, 6, 7]
    assert rejects["I2"].value == "'=HYPERLINK(\"x\")"   # the rejected row kept, its formula neutralised
    again = ledger.run_import(clerk, read_table(path))
    assert (again.imported, again.skipped, again.rejected) == (0, 3, 3)
    assert Case.select().count() == 2
    assert "已经导入过" in next(r for r in again.plan.rows if r.row_number == 3).summary
    assert AuditEntry.select().where(AuditEntry.action == "ledger.import").count() == 2


def test_a_gbk_csv_with_a_corrected_mapping(tmp_path, services, clerk):
    path = tmp_path / "台账.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "日期", "形式", "事由", "分类", "备注"])
    w.writerow(["刘德明", "2025-01-02", "来信", "要求落实低保", "社会救助", "走访时反映"])
    path.write_bytes(buf.getvalue().encode("gb18030"))
    table = read_table(path)
    guessed = guess_mapping(table.headers)
    assert guessed == {0: "name", 1: "received_at", 3: "request", 4: "category"}   # 形式 is not guessed
    ledger = services.get(LedgerService)
    with pytest.raises(Exception, match="信访形式"):
        ledger.dry_run(clerk, table, guessed)
    with pytest.raises(Exception, match="多列"):
        ledger.dry_run(clerk, table, {**guessed, 2: "channel", 5: "request"})
    corrected = {**guessed, 2: "channel"}                   # the clerk picks the column
    plan = ledger.dry_run(clerk, table, corrected)
    assert plan.rows[0].status == "ok", plan.rows[0].problems
    assert plan.rows[0].registration.channel == "letter"    # not the 走访 of the unmapped 备注
    assert ledger.run_import(clerk, table, corrected).imported == 1


def test_ledger_export_has_the_columns_of_a_ledger_redacted_or_not(services, clerk, admin):
    services.cases.register(clerk, make_registration())
    services.cases.register(clerk, make_registration(received_at=datetime(2026, 10, 1, 9, 0), people_count=7,
                                                     request="-1 ＝ 反映问题"))
    ledger = services.get(LedgerService)
    ws = load_workbook(io.BytesIO(ledger.export_xlsx(clerk, CaseFilter(), redacted=True))).active
    header = [c.value for c in ws[1]]
    assert header[:7] == ["序号", "事项编号", "收到日期", "信访形式", "信访人", "身份证号码", "联系电话"]
    first = {h: ws.cell(row=2, column=i + 1).value for i, h in enumerate(header)}
    assert first["收到日期"] == datetime(2026, 10, 1, 9, 0) and first["人数"] == 7 and first["集体访"] == "是"
    assert first["身份证号码"] == "110105********002X" and first["联系电话"] == "138****5678"
    assert first["反映问题"] == "'-1 ＝ 反映问题"
    assert ws.freeze_panes == "A2"
    full = load_workbook(io.BytesIO(ledger.export_xlsx(clerk, CaseFilter(received_from=date(2026, 11, 1)),
                                                       redacted=False))).active
    assert full.max_row == 2 and full["F2"].value == "11010519491231002X"
    assert [e.detail["redacted"] for e in AuditEntry.select().where(AuditEntry.action == "ledger.export")
            .order_by(AuditEntry.at)] == [True, False]


def test_a_row_with_a_closing_date_comes_in_closed_not_overdue(tmp_path, services, clerk, admin):
    from xinfang_desktop.domain.errors import PermissionDenied

    headers = ["姓名", "信访日期", "信访方式", "反映问题", "问题类别", "办结日期", "办理结果"]
    rows = [["陈秀英", "2024-03-05", "来访", "要求追讨拖欠工资", "欠薪", "2024-03-20", "已协调企业支付，不予支持其他请求"],
            ["林建国", "2024-04-01", "电话", "反映道路损坏", "交通运输", "2024-03-01", ""],
            ["黄阿妹", "2024-05-06", "来信", "反映低保评定不公", "社会救助", "", ""]]
    table = read_table(write_xlsx(tmp_path / "台账.xlsx", headers, rows, title=False))
    ledger = services.get(LedgerService)
    with pytest.raises(PermissionDenied):                   # a clerk may not record replies and closings
        ledger.dry_run(clerk, table)
    result = ledger.run_import(admin, table)          # registering, replying and closing: an administrator
    assert (result.imported, result.rejected) == (2, 1)
    assert "早于收到日期" in next(r for r in result.plan.rows if r.row_number == 3).summary
    closed = services.queries.detail(admin, result.case_numbers[0])
    assert closed.row.status == "closed" and closed.row.next_due is None
    assert closed.state.outcome.value == "rejected" and closed.state.replied_on == date(2024, 3, 20)
    open_one = Case.get(Case.number == result.case_numbers[1])
    assert open_one.status == "registered"                  # no closing date: still to be handled
