"""`xinfang stats` and `xinfang ledger export|import`, run on a real data folder."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.cli.test_cli import ok, run, table_counts


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A data folder with three cases, made through the services (quicker than three commands)."""
    from datetime import datetime

    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from tests.conftest import new_services

    d = tmp_path_factory.mktemp("stats-cli") / "data"
    svc = new_services(d)
    try:
        admin = svc.auth.initialize("350881102000", "admin", "secret-pass", "管理员")
        for name, channel, cat, day, people in (("欧阳娜娜", "来信", "0401", (2025, 3, 2), 1),
                                                ("张伟", "走访", "0301", (2025, 3, 20), 7),
                                                ("李强", "来电", "0402", (2025, 4, 1), 1)):
            svc.cases.register(admin, RegistrationInput(
                channel=channel, received_at=datetime(*day, 9, 0), petitioners=[PetitionerInput(name=name)],
                category_code=cat, request="诉求内容", people_count=people))
    finally:
        svc.close()
    return d


def test_stats_json_counts_and_rates(data):
    doc = json.loads(ok(data, "stats", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "json"))
    assert doc["period"]["label"] == "2025年3月"
    assert doc["total"] == {"batches": 2, "people": 8}
    assert {r["label"]: r["batches"] for r in doc["by_channel"]["rows"] if r["batches"]} == {"走访": 1, "来信": 1}
    assert doc["by_group"]["total"] == doc["total"]
    timely = next(r for r in doc["rates"] if r["key"] == "timely_acceptance")
    assert (timely["numerator"], timely["denominator"]) == (0, 2) and "及时受理率 =" in timely["formula"]
    assert doc["year_earlier"]["total"] == {"batches": 0, "people": 0}


def test_stats_xlsx_and_pdf(data, tmp_path):
    out = tmp_path / "q1.xlsx"
    ok(data, "stats", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "xlsx", "--out", str(out))
    ws = load_workbook(out)["按信访形式"]
    assert ws["A7"].value == "合计" and ws["B7"].value == 2 and ws["C7"].value == 8
    pdf = tmp_path / "2025.pdf"
    printed = ok(data, "stats", "--from", "2025-01-01", "--to", "2025-12-31", "--unit", "350881102000",
                 "--format", "pdf", "--out", str(pdf))
    assert "年报" in printed
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "信访工作统计年报" in text and "及时受理率" in text and "本期共登记信访事项3批9人次" in text
    r = run(data, "stats", "--from", "2025-01-01", "--to", "2025-03-31", "--format", "pdf")
    assert r.returncode == 1 and "--out" in r.stderr
    r = run(data, "stats", "--from", "2025-05-01", "--to", "2025-03-31")
    assert r.returncode == 1 and "早于开始日期" in r.stderr


def test_ledger_export_and_import_dry_run_then_import_then_again(data, tmp_path):
    out = tmp_path / "台账.xlsx"
    assert "已导出台账3行（已脱敏）" in ok(data, "ledger", "export", "--out", str(out), "--redacted")
    ws = load_workbook(out).active
    assert ws["B1"].value == "事项编号" and ws.max_row == 4

    src = tmp_path / "旧台账.csv"
    with open(src, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["姓名", "信访日期", "形式", "反映问题", "问题类别"])
        w.writerow(["陈秀英", "2024-03-05", "来访", "要求追讨拖欠工资", "欠薪"])
        w.writerow(["林建国", "2024-13-01", "电话", "反映道路损坏", "交通运输"])
    before = table_counts(data)
    r = run(data, "ledger", "import", str(src), "--dry-run")
    assert r.returncode == 1 and "信访形式" in r.stderr          # 形式 is not a known header: say what to map
    dry = ok(data, "ledger", "import", str(src), "--dry-run", "--map", "形式=channel")
    assert "可导入1行，已存在跳过0行，有问题未导入1行" in dry and "第3行 未导入" in dry and "未写入任何数据" in dry
    assert table_counts(data) == before
    done = json.loads(ok(data, "ledger", "import", str(src), "--map", "形式=channel", "--format", "json"))
    assert (done["imported"], done["skipped"], done["rejected"]) == (1, 0, 1)
    assert done["rejects_file"].endswith("旧台账.未导入.csv")
    again = ok(data, "ledger", "import", str(src), "--map", "形式=channel")
    assert "已导入0行，已存在跳过1行，有问题未导入1行" in again
    assert table_counts(data)[0] == before[0] + 1


@pytest.fixture(scope="module")
def village_data(tmp_path_factory):
    """A township's data folder: two matters from 李庄村 (one of two people), one with no village recorded."""
    from datetime import datetime

    from xinfang_desktop.domain.petition import PetitionerInput, RegistrationInput
    from tests.conftest import new_services

    d = tmp_path_factory.mktemp("stats-villages") / "data"
    svc = new_services(d)
    try:
        admin = svc.auth.initialize("350881102000", "admin", "secret-pass", "管理员")
        for name, village, channel, day, people in (("李大山", "350881102201", "走访", 2, 1),
                                                    ("李小河", "350881102201", "来信", 5, 2),
                                                    ("王五", None, "来电", 9, 1)):
            svc.cases.register(admin, RegistrationInput(
                channel=channel, received_at=datetime(2025, 3, day, 9, 0), category_code="0401", request="诉求内容",
                petitioners=[PetitionerInput(name=name, township_code="350881102000", village_code=village)],
                people_count=people))
    finally:
        svc.close()
    return d


def test_stats_by_village_in_json_xlsx_and_pdf(village_data, tmp_path):
    args = ("stats", "--from", "2025-03-01", "--to", "2025-03-31")
    plain = json.loads(ok(village_data, *args))
    assert "by_village" not in plain                                   # asked for, never by default
    doc = json.loads(ok(village_data, *args, "--by-village"))
    rows = {r["label"]: (r["batches"], r["people"]) for r in doc["by_village"]["rows"]}
    assert rows["李庄村"] == (2, 3) and rows["未填村（社区）"] == (1, 1) and rows["西山村"] == (0, 0)
    assert doc["by_village"]["total"] == doc["total"] == {"batches": 3, "people": 4}
    workflow = next(t for t in doc["tables"] if t["key"] == "village_workflow")
    assert workflow["rows"][-1]["values"][:2] == ["合计", 3]
    # the rest of the report is what it was
    assert {k: v for k, v in doc.items() if k not in ("by_village", "tables")} == \
        {k: v for k, v in plain.items() if k != "tables"}

    out = tmp_path / "村.xlsx"
    ok(village_data, *args, "--by-village", "--format", "xlsx", "--out", str(out))
    ws = load_workbook(out)["按村（社区）"]
    got = {r[0]: r[1:3] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert got["李庄村"] == (2, 3) and got["未填村（社区）"] == (1, 1) and got["合计"] == (3, 4)

    pdf = tmp_path / "村.pdf"
    ok(village_data, *args, "--by-village", "--format", "pdf", "--out", str(pdf))
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "按村（社区）：本期登记的事项" in text and "各村（社区）办理情况" in text and "李庄村" in text and "未填村（社区）" in text
    assert "李大山" not in text and "李小河" not in text


def test_stats_by_village_is_refused_on_a_city_database(tmp_path):
    from tests.conftest import new_services

    d = tmp_path / "city"
    svc = new_services(d)
    try:
        svc.auth.initialize("350881000000", "admin", "secret-pass", "管理员")
    finally:
        svc.close()
    r = run(d, "stats", "--from", "2025-03-01", "--to", "2025-03-31", "--by-village")
    assert r.returncode == 1 and "乡镇（街道）的数据库" in r.stderr
    assert ok(d, "stats", "--from", "2025-03-01", "--to", "2025-03-31")
