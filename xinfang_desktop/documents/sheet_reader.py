"""Reading a spreadsheet (.xlsx, .csv) as a stream of rows, with its limits checked as it is read.

A ledger handed in on a stick is untrusted input. An .xlsx is a zip of XML: a few megabytes can
expand to millions of rows, a single cell can claim the last row and column of a sheet, the
shared-strings table can be huge. So nothing here trusts what the file says about itself (its
``<dimension>``, its declared sizes): the XML is parsed as a stream by expat (2.4.1 and later refuse
entity-expansion bombs; ElementTree never fetches external entities or DTDs) and reading stops, with a
message that names the limit, at the first row, column, string or byte past it. Memory stays bounded
by the limits, not by the file.

openpyxl is not used to read: even in read-only mode it loads the whole shared-strings table and
pads every row out to the sheet's claimed width.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import pyexpat
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

from ..domain.errors import InvalidInput, XinfangError


@dataclass(frozen=True)
class SheetLimits:
    rows: int = 200_000                 # data rows, after the header
    columns: int = 200
    header_search: int = 50             # rows before the header (a title, notes) that may be skipped
    shared_strings: int = 1_000_000     # entries of the shared-strings table
    text_chars: int = 40_000_000        # characters of all shared strings together
    cell_chars: int = 32_767            # Excel's own limit for one cell
    csv_bytes: int = 256 * 1024 * 1024


DEFAULT_LIMITS = SheetLimits()

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that are dates or times: the standard ones, and the locale formats of
# Chinese Excel and WPS (27–36, 50–58), which files use without declaring them.
_DATE_FORMAT_IDS = frozenset({*(k for k, v in BUILTIN_FORMATS.items() if is_date_format(v)),
                              *range(27, 37), *range(50, 59)})
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)\Z")
_EMPTY_ROWS_BEYOND = 1000
_SHEET_WIDTH = 16_384                   # columns of an Excel sheet (A to XFD)


class SheetTooLarge(InvalidInput):
    """The file passes a limit: reading stopped there."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


def _too_many_rows(limits: SheetLimits) -> SheetTooLarge:
    return SheetTooLarge(f"文件行数过多：一次最多导入 {limits.rows} 行（读到第 {limits.rows} 行后仍有数据），"
                         "请把台账分成几个文件后再导入")


def _too_many_columns(limits: SheetLimits, column: int) -> SheetTooLarge:
    return SheetTooLarge(f"文件列数过多：第 {column} 列有内容，台账最多 {limits.columns} 列。"
                         "请删除多余的列（或检查是否误填了很远处的单元格）后再导入")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# --------------------------------------------------------------------------- .xlsx


def xlsx_rows(path: Path, limits: SheetLimits = DEFAULT_LIMITS) -> Iterator[list[Any]]:
    """The rows of the first worksheet, each a list of cell values (None for an empty cell), empty rows
    between included, up to ``limits.rows + limits.header_search`` rows; beyond that SheetTooLarge."""
    name = Path(path).name
    if pyexpat.version_info < (2, 4, 1):     # older expat expands entity bombs
        raise XinfangError("本程序的 XML 组件版本过旧，无法安全读取 .xlsx 文件。请安装最新版本的程序，或把台账另存为 .csv 后导入。")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError):
        raise InvalidInput(f"{name} 不是有效的 .xlsx 文件（可能已损坏或是旧的 .xls 格式），请用Excel或WPS另存为 .xlsx",
                           field="file") from None
    with zf:
        try:
            sheet = _first_sheet(zf)
            strings = _shared_strings(zf, limits)
            dates = _date_styles(zf)
            with zf.open(sheet) as stream:
                yield from _sheet_rows(stream, strings, dates, limits)
        except SheetTooLarge:
            raise
        except (zipfile.BadZipFile, KeyError, SyntaxError, ValueError, EOFError, RuntimeError) as exc:
            raise InvalidInput(f"{name} 无法读取（文件可能已损坏：{type(exc).__name__}），请用Excel或WPS打开后另存为 .xlsx 再导入",
                               field="file") from None


# Elements whose children are read when the element ends (a cell, a string, its runs); every other
# element is dropped from its parent as soon as it has been read, so a file of millions of elements
# never holds more than one row, one string, in memory.
_READ_WHOLE = frozenset({f"{_NS}c", f"{_NS}si", f"{_NS}is", f"{_NS}r"})


def _events(stream: BinaryIO) -> Iterator[tuple[str, Any]]:
    stack: list[Any] = []
    for event, el in iterparse(stream, events=("start", "end")):
        if event == "start":
            stack.append(el)
            yield event, el
            continue
        stack.pop()
        yield event, el
        if stack and stack[-1].tag not in _READ_WHOLE:
            stack[-1].remove(el)


def _first_sheet(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    try:
        with zf.open("xl/workbook.xml") as f:
            rid = next(el.get(f"{_REL_NS}id") for event, el in _events(f)
                       if event == "end" and el.tag == f"{_NS}sheet")
        with zf.open("xl/_rels/workbook.xml.rels") as f:
            for event, el in _events(f):
                if event == "end" and el.tag == f"{_PKG_REL}Relationship" and el.get("Id") == rid:
                    target = el.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                    if target in names:
                        return target
    except (KeyError, StopIteration):
        pass
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise KeyError("worksheet")


def _text_of(el) -> str:
    """The text of a shared or inline string: its <t>, or its runs' <t> (phonetic hints left out)."""
    parts = []
    for child in el:
        if child.tag == f"{_NS}t":
            parts.append(child.text or "")
        elif child.tag == f"{_NS}r":
            parts.extend(t.text or "" for t in child if t.tag == f"{_NS}t")
    return "".join(parts)


def _shared_strings(zf: zipfile.ZipFile, limits: SheetLimits) -> list[str]:
    try:
        stream = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out: list[str] = []
    chars = 0
    with stream:
        for event, el in _events(stream):
            if event != "end" or el.tag != f"{_NS}si":
                continue
            text = _text_of(el)
            chars += len(text)
            out.append(text)
            if len(out) > limits.shared_strings or chars > limits.text_chars:
                raise SheetTooLarge(f"文件中的文字过多（超过 {limits.shared_strings} 条或 {limits.text_chars} 个字），"
                                    "请把台账分成几个文件后再导入")
    return out


def _date_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell styles whose number format is a date or time."""
    try:
        stream = zf.open("xl/styles.xml")
    except KeyError:
        return frozenset()
    custom: dict[int, str] = {}
    styles: list[int] = []
    in_xfs = False
    with stream:
        for event, el in _events(stream):
            if el.tag == f"{_NS}cellXfs":
                in_xfs = event == "start"
            elif event == "end" and el.tag == f"{_NS}numFmt":
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif event == "end" and el.tag == f"{_NS}xf" and in_xfs:
                styles.append(int(el.get("numFmtId", "0")))
                if len(styles) > 65_000:           # Excel's own limit of cell formats
                    break
    return frozenset(i for i, fmt in enumerate(styles)
                     if fmt in _DATE_FORMAT_IDS or (fmt in custom and is_date_format(custom[fmt])))


def _sheet_rows(stream: BinaryIO, strings: list[str], dates: frozenset[int],
                limits: SheetLimits) -> Iterator[list[Any]]:
    """Only end events (the cheapest way through expat): a row is read when it ends, then cleared. The
    emptied rows left under <sheetData> stay few, because reading stops at the row limit."""
    max_rows = limits.rows + limits.header_search
    expected = 1                 # the row number the next row has when it does not say
    beyond = 0                   # formatted but empty rows past the limit (tolerated, a few)
    cells = 0                    # cells of the row being read: no real row has more than a sheet's width
    row_tag, cell_tag = f"{_NS}row", f"{_NS}c"
    for _, el in iterparse(stream, events=("end",)):
        tag = el.tag
        if tag == cell_tag:
            cells += 1
            if cells > _SHEET_WIDTH:
                raise _too_many_columns(limits, cells)
            continue
        if tag != row_tag:
            continue
        cells = 0
        number = int(el.get("r") or expected)
        values: list[Any] = []
        for c in el:
            if c.tag == cell_tag:
                _add_cell(values, c, strings, dates, limits)
        el.clear()
        if number > max_rows:
            beyond += 1
            if values or beyond > _EMPTY_ROWS_BEYOND:
                raise _too_many_rows(limits)
            continue
        while expected < number:          # rows the file leaves out are empty rows
            yield []
            expected += 1
        expected = number + 1
        yield values


def _add_cell(values: list[Any], c, strings: list[str], dates: frozenset[int], limits: SheetLimits) -> None:
    ref = c.get("r")
    m = _CELL_REF.match(ref) if ref else None
    column = _column_number(m.group(1)) if m else len(values) + 1
    value = _cell_value(c, strings, dates)
    if value is None or value == "":
        return
    if column > limits.columns:
        raise _too_many_columns(limits, column)
    if isinstance(value, str) and len(value) > limits.cell_chars:
        raise SheetTooLarge(f"单元格 {ref or column} 的文字过长（超过 {limits.cell_chars} 个字）")
    values.extend([None] * (column - len(values)))
    values[column - 1] = value


def _cell_value(c, strings: list[str], dates: frozenset[int]) -> Any:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        inline = c.find(f"{_NS}is")
        if inline is None:
            return None
        text = _text_of(inline)
        # Short texts repeat down a ledger (channels, categories, townships): one copy each.
        return sys.intern(text) if len(text) <= 64 else text
    v = c.find(f"{_NS}v")
    raw = v.text if v is not None else None
    if raw is None:
        return None
    if kind == "s":
        index = int(raw)
        return strings[index] if 0 <= index < len(strings) else None
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    number = float(raw)
    if int(c.get("s", "0")) in dates:
        try:
            return from_excel(number)
        except (ValueError, OverflowError):
            return raw
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


# --------------------------------------------------------------------------- .csv


def csv_rows(path: Path, limits: SheetLimits = DEFAULT_LIMITS) -> Iterator[list[Any]]:
    """The rows of a CSV saved by Excel or WPS (UTF-8 with or without BOM, or GBK), streamed."""
    path = Path(path)
    if path.stat().st_size > limits.csv_bytes:
        raise SheetTooLarge(f"文件过大（超过 {limits.csv_bytes // (1024 * 1024)} MB），请把台账分成几个文件后再导入")
    with open(path, "rb") as raw:
        head = raw.read(64 * 1024)
        encoding = _csv_encoding(path, head)
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        sample = text.read(4096)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        text.seek(0)
        max_rows = limits.rows + limits.header_search
        try:
            for n, row in enumerate(csv.reader(text, dialect), 1):
                if n > max_rows:
                    raise _too_many_rows(limits)
                while row and row[-1] == "":
                    row.pop()
                if len(row) > limits.columns:
                    raise _too_many_columns(limits, len(row))
                yield row
        except UnicodeDecodeError:
            raise InvalidInput("无法识别CSV文件的编码，请用Excel或WPS另存为UTF-8 CSV或.xlsx", field="file") from None
        except csv.Error as exc:
            raise InvalidInput(f"CSV文件格式有误（{exc}），请用Excel或WPS另存为 .xlsx 后再导入", field="file") from None


def _csv_encoding(path: Path, head: bytes) -> str:
    """UTF-8 (with its BOM dropped) when the whole file decodes as UTF-8, else GB18030 (Excel in China saves
    CSV as GBK). Checked incrementally, one block at a time."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def read_rows(path: Path, limits: SheetLimits = DEFAULT_LIMITS) -> Iterator[list[Any]]:
    """The rows of a .csv or .xlsx. A file that cannot be read raises OSError (the caller words it)."""
    if Path(path).suffix.lower() == ".csv":
        return csv_rows(path, limits)
    return xlsx_rows(path, limits)


__all__ = ["SheetLimits", "DEFAULT_LIMITS", "SheetTooLarge", "read_rows", "xlsx_rows", "csv_rows"]
