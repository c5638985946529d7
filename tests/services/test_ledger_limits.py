"""Spreadsheets are read as streams, their limits checked as they are read: a small file that expands
to millions of rows, or claims the last cell of a sheet, stops with a message naming the limit, and
memory stays bounded whatever the file claims."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from xinfang_desktop.documents.sheet_reader import SheetLimits, SheetTooLarge, read_rows
from xinfang_desktop.services.ledger import read_table

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
WORKBOOK = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="台账" sheetId="1" r:id="rId1"/>'
            '</sheets></workbook>')
RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>信访日期</t></is></c></row>')


def xlsx(path: Path, rows) -> Path:
    """A minimal .xlsx whose sheet XML is written row by row (no <dimension>), as a hostile file would be."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(SHEET_HEAD.encode())
            for chunk in rows:
                f.write(chunk.encode())
            f.write(SHEET_TAIL.encode())
    return path


def million_rows(n: int):
    yield HEADER_ROW
    block = "".join("<row><c t=\"inlineStr\"><is><t>张三</t></is></c><c><v>46000</v></c></row>" for _ in range(1000))
    for _ in range(n // 1000):
        yield block


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """About 3 MB on disk, 3,000,000 rows once expanded."""
    return xlsx(tmp_path_factory.mktemp("bomb") / "台账.xlsx", million_rows(3_000_000))


@pytest.fixture(scope="module")
def far_cell(tmp_path_factory) -> Path:
    """A few kB: one value in the very last cell of a sheet, XFD1048576."""
    return xlsx(tmp_path_factory.mktemp("far") / "台账.xlsx",
                [HEADER_ROW, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'])


def test_a_file_that_expands_to_millions_of_rows_stops_at_the_row_limit(bomb):
    assert bomb.stat().st_size < 5_000_000
    with pytest.raises(SheetTooLarge) as info:
        read_table(bomb)
    assert "200000 行" in info.value.message and "分成几个文件" in info.value.message


def test_one_cell_at_the_end_of_the_sheet_stops_at_once(far_cell):
    with pytest.raises(SheetTooLarge) as info:
        read_table(far_cell)
    assert "行数过多" in info.value.message or "列数过多" in info.value.message


def test_a_far_column_names_the_column_limit(tmp_path):
    path = xlsx(tmp_path / "wide.xlsx", [HEADER_ROW, '<row r="2"><c r="XFD2"><v>1</v></c></row>'])
    with pytest.raises(SheetTooLarge, match="列数过多：第 16384 列有内容，台账最多 200 列"):
        read_table(path)


def test_formatted_empty_rows_past_the_limit_are_tolerated(tmp_path):
    """A real ledger often carries a few styled but empty rows far down: they are not data."""
    path = xlsx(tmp_path / "styled.xlsx", [HEADER_ROW, '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c>'
                                           '<c r="B2"><v>46000</v></c></row>', '<row r="900000" s="3"/>'])
    table = read_table(path)
    assert [r[0] for r in table.rows] == ["张三"]


def test_small_limits_apply_to_csv_as_they_are_read(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("姓名,信访日期\n" + "张三,2026-11-02\n" * 30, encoding="utf-8")
    with pytest.raises(SheetTooLarge, match="一次最多导入 20 行"):
        read_table(path, SheetLimits(rows=20, header_search=5))
    path.write_text("姓名,信访日期" + ",x" * 300 + "\n", encoding="utf-8")
    with pytest.raises(SheetTooLarge, match="列数过多"):
        list(read_rows(path))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
@pytest.mark.parametrize("which", ["bomb", "far_cell"])
def test_memory_stays_bounded_whatever_the_file_claims(which, request):
    """Read in a process of its own, so its peak memory is its own."""
    path = request.getfixturevalue(which)
    # The peak of this process's own memory (VmHWM starts afresh at exec; ru_maxrss would include the
    # pytest process it was forked from).
    code = ("import json, re, sys\n"
            "from xinfang_desktop.services.ledger import read_table\n"
            "from xinfang_desktop.domain.errors import InvalidInput\n"
            "try:\n    read_table(sys.argv[1]); outcome = 'read'\n"
            "except InvalidInput as exc:\n    outcome = exc.message\n"
            "hwm = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
            "print(json.dumps({'outcome': outcome, 'maxrss_kb': hwm}))\n")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, encoding="utf-8",
                       timeout=300)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert "过多" in got["outcome"]
    assert got["maxrss_kb"] < 200 * 1024, got


def test_the_command_refuses_a_bomb_with_the_limit_and_no_traceback(bomb, tmp_path):
    from tests.clirun import xinfang

    data = tmp_path / "data"
    env = {"XINFANG_PASSWORD": "admin-pass-1"}
    assert xinfang("--data-dir", data, "init", "--unit", "350881102000", "--admin", "admin",
                   stdin="admin-pass-1\n").returncode == 0
    r = xinfang("--data-dir", data, "ledger", "import", bomb, "--dry-run", env=env)
    assert r.returncode != 0 and "行数过多" in r.stderr and "Traceback" not in r.stderr
