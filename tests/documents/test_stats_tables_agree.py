"""Every table of the statistics report is the same on paper, in the spreadsheet and in the JSON,
cell by cell: the PDF read back with pypdf, the xlsx with openpyxl, the JSON as `xinfang stats`
writes it. All three are rendered from one table model (domain.statistics_tables); this reads what
each output actually says."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from xinfang_desktop.documents.report import render_statistics_report
from xinfang_desktop.documents.xlsx import write_workbook
from xinfang_desktop.domain import statistics as st
from xinfang_desktop.services.statistics import StatisticsService, statistics_json, statistics_sheets
from tests.conftest import make_registration
from tests.services.stats_data import build_october, build_windows


def _flat(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


@pytest.fixture
def data(services, clerk, handler):
    from xinfang_desktop.services.reception import ReceptionService

    build_october(services, clerk, handler)
    build_windows(services, clerk, handler)
    # a category only last year had (its row must still be there, or 上年同期 would not add up)
    services.cases.register(clerk, make_registration(received_at=datetime(2025, 10, 20, 9), category_code="0301"))
    log = services.get(ReceptionService)
    for day, kind, batches, persons in (("2026-10-09", "开门接访", 3, 5), ("2025-10-20", "登门走访", 2, 2),
                                        ("2026-10-21", "接访日", 4, 9), ("2026-10-22", "上门回访", 1, 3)):
        log.add(clerk, leader="王镇长", held_on=day, place="镇信访接待室", kind=kind, batches=batches, persons=persons)


@pytest.mark.parametrize("period, by_village", [(st.month(2026, 10), False), (st.year(2026), False),
                                                (st.month(2026, 10), True)],
                         ids=["month", "year-under-way", "month-by-village"])
def test_every_table_of_the_pdf_agrees_with_the_xlsx_and_the_json_cell_by_cell(services, admin, data, period,
                                                                               by_village):
    from xinfang_desktop.domain.statistics_tables import VILLAGE_TABLES, report_tables

    s = services.get(StatisticsService).compute(admin, period, by_village=by_village)
    assert (len({t.key for t in report_tables(s)} & set(VILLAGE_TABLES)) == 3) == by_village
    tables = report_tables(s)
    doc = json.loads(json.dumps(statistics_json(s), ensure_ascii=False))
    book = load_workbook(io.BytesIO(write_workbook(statistics_sheets(s))))
    pdf = _flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(render_statistics_report(s).pdf)).pages))
    in_json = {t["key"]: t for t in doc["tables"]}
    assert sum(pdf.count(f"表{i}") > 0 for i in range(1, 40)) == len(tables)      # no table but these
    at = 0
    for n, t in enumerate(tables, 1):
        # the JSON: the same columns, rows, values and texts
        j = in_json[t.key]
        assert [c["header"] for c in j["columns"]] == t.headers and j["title"] == t.title
        assert [(r["key"], r["kind"], r["values"], r["texts"]) for r in j["rows"]] == [
            (r.key, r.kind, r.values, r.texts) for r in t.rows]
        # the xlsx: a sheet of that name, the same header and every cell (a number as a number)
        ws = book[t.title]
        sheet = [list(r) for r in ws.iter_rows(min_row=1, max_row=len(t.rows) + 1, max_col=len(t.columns),
                                                values_only=True)]
        assert sheet[0] == t.headers, t.title
        for r, got in zip(t.rows, sheet[1:]):
            want = [c.text if c.value is None else c.value for c in r.cells]
            assert got == pytest.approx(want) if any(isinstance(v, float) for v in want) else got == want, (t.title, r.key)
        # the PDF: the caption, then each row's cells in order, after the previous table
        at = pdf.index(_flat(f"表{n}{t.title}"), at)
        for r in t.rows:
            at = pdf.index(_flat("".join(r.texts)), at)          # raises (fails) when a row is not printed as is
    # the tables of counts in the JSON's own lists say the same as the model
    for key in ("by_channel", "by_category", "by_township", "by_repeat", "by_group", "receptions"):
        t = next(x for x in tables if x.key == key)
        rows = {r.key: r.values[1:3] for r in t.rows if r.kind == "item"}
        assert {r["key"]: [r["batches"], r["people"]] for r in doc[key]["rows"] if r["key"] in rows} == rows
        assert [doc[key]["total"]["batches"], doc[key]["total"]["people"]] == t.row("total").values[1:3]
    # the workflow figures and the rates, by their JSON keys
    wf = next(x for x in tables if x.key == "workflow")
    assert {r.key: r.values[1] for r in wf.rows} == doc["workflow"]
    rates = next(x for x in tables if x.key == "rates")
    assert {r.key: r.values[2:4] for r in rates.rows} == {r["key"]: [r["numerator"], r["denominator"]]
                                                         for r in doc["rates"]}


def test_the_pdf_says_what_the_comparison_covers_when_the_year_is_under_way(services, admin, data):
    s = services.get(StatisticsService).compute(admin, st.year(2026))
    text = _flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(render_statistics_report(s).pdf)).pages))
    assert "上年同期（2025年1月1日至11月2日）登记" in text
    assert "本期尚未结束，取上年相同的日期范围比较" in text
    book = load_workbook(io.BytesIO(write_workbook(statistics_sheets(s))))
    notes = [c.value for c in book["按信访形式"]["A"] if isinstance(c.value, str)]
    assert any("比较对象：上年同期（2025年1月1日至11月2日）" in v for v in notes)
