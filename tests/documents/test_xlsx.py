"""Spreadsheets: real numbers and dates, frozen Chinese headers, neutralised formula text, and a
file LibreOffice reads back with the same numbers."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from xinfang_desktop.documents.xlsx import Sheet, neutralise, write_workbook


def test_numbers_and_dates_are_cells_of_their_type_and_the_header_is_frozen():
    data = write_workbook([Sheet("按信访形式", ["项目", "批次", "日期", "时间", "身份证号"],
                                 [["走访", 3, date(2026, 10, 1), datetime(2026, 10, 1, 9, 30), "11010519491231002X"],
                                  ["来信", -2, None, None, "350881199001010011"]],
                                 text_columns=frozenset({4}))])
    ws = load_workbook(io.BytesIO(data))["按信访形式"]
    assert [c.value for c in ws[1]] == ["项目", "批次", "日期", "时间", "身份证号"]
    assert ws["B2"].value == 3 and ws["B2"].data_type == "n"
    assert ws["B3"].value == -2                      # a real negative number is a number, not neutralised
    assert ws["C2"].is_date and ws["C2"].value.date() == date(2026, 10, 1)
    assert ws["D2"].value == datetime(2026, 10, 1, 9, 30)
    assert ws["E3"].value == "350881199001010011" and ws["E3"].data_type == "s"   # no 3.5e17
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert ws.column_dimensions["E"].width >= 18     # an ID number fits its column


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+2", "-3+4", "@SUM(A1)", "=cmd|' /C calc'!A0",
                                  "\t=1+1"])
def test_text_that_could_be_a_formula_is_written_as_text_with_an_apostrophe(text):
    data = write_workbook([Sheet("表", ["诉求"], [[text]])])
    cell = load_workbook(io.BytesIO(data))["表"]["A2"]
    assert cell.data_type == "s" and cell.value == "'" + text
    assert neutralise("欠薪-三个月") == "欠薪-三个月"  # only the first character matters


def test_a_header_or_sheet_name_cannot_break_the_file():
    data = write_workbook([Sheet("a/b:c*?[1]", ["=SUM(1)"], [[1]]), Sheet("a/b:c*?[1]", ["x"], [])])
    wb = load_workbook(io.BytesIO(data))
    assert len(wb.sheetnames) == 2 and wb.worksheets[0]["A1"].value == "'=SUM(1)"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None and not os.environ.get("CI"),
                    reason="LibreOffice (soffice) is not installed: the round trip is not run")
def test_libreoffice_converts_the_statistics_export_to_csv_with_the_same_numbers(tmp_path, services, admin,
                                                                                  clerk, handler):
    # CI installs it (scripts/setup.sh: libreoffice-calc-nogui): there a missing soffice is a failure, not a skip
    assert _soffice(), "LibreOffice (soffice) is missing: scripts/setup.sh installs libreoffice-calc-nogui"
    from xinfang_desktop.domain import statistics as st
    from xinfang_desktop.services.statistics import StatisticsService, statistics_sheets
    from tests.services.stats_data import build_october

    build_october(services, clerk, handler)
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10))
    sheets = statistics_sheets(s)
    sheets.insert(0, Sheet("注入", ["诉求"], [["=1+1"], ["-1+2"]]))
    path = tmp_path / "统计.xlsx"
    path.write_bytes(write_workbook(sheets))
    sheets_csv = _convert_all(path, tmp_path)
    rows = sheets_csv["按信访形式"]
    assert rows[0][:4] == ["项目", "批次", "人次", "占比"]
    got = {r[0]: (int(r[1]), int(r[2])) for r in rows[1:7]}
    assert got == {"走访": (3, 5), "来信": (2, 7), "来电": (1, 1), "传真": (0, 0), "网上": (1, 1), "合计": (7, 14)}
    assert rows[1][4:6] == ["1", "1"]                 # a year earlier: one visit
    rates = {r[0]: r for r in sheets_csv["主要比率"][1:6]}
    assert rates["及时受理率"][2:4] == ["5", "6"] and rates["按期办结率"][2:4] == ["2", "4"]
    assert [r[0] for r in sheets_csv["注入"][1:3]] == ["'=1+1", "'-1+2"]   # text, not the formula's result


def _convert_all(path, tmp_path) -> dict[str, list[list[str]]]:
    """Every sheet as CSV through LibreOffice in one run (sheet -1: one file per sheet, named after it)."""
    out = tmp_path / "csv"
    out.mkdir()
    # 44,34,76: comma, double quote, UTF-8; the last field -1: all sheets.
    fmt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", fmt, "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    return {f.stem.split("-", 1)[1]: list(csv.reader(io.StringIO(f.read_text(encoding="utf-8-sig"))))
            for f in out.glob("*.csv")}
