"""Spreadsheets (.xlsx, openpyxl) that open cleanly in Excel, WPS and LibreOffice.

Numbers and dates go into cells as numbers and dates (so a sum or a filter works), headers are in
Chinese on a frozen, bold first row, and columns are sized to their content.

Formula injection: a text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs strip before reading the rest) could be taken as a formula by a
spreadsheet, or by whatever reads the sheet saved as CSV. Such text is written with a leading
apostrophe (``'=1+1``), the OWASP recommendation: the apostrophe is part of the stored text, so it
survives copying and CSV export, and the cell can never become a formula. Real numbers (including
negative ones) are numbers, not text, and are not touched.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
SHEET_NAME_FORBIDDEN = set('[]:*?/\\')


def neutralise(text: str) -> str:
    """Text that a spreadsheet could read as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(DANGEROUS_START) else text


@dataclass
class Sheet:
    """One table: a title (the sheet's name), Chinese headers and rows of plain values.

    A value may be str, int, float, Decimal, date, datetime, bool or None. `text_columns` are kept
    as text even when they look like numbers (ID numbers, phones, case numbers)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    text_columns: frozenset[int] = frozenset()
    widths: dict[int, float] = field(default_factory=dict)   # column index -> width in characters
    notes: Sequence[str] = ()                                # lines below the table (definitions)


def _width(value: Any) -> float:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 17
    if isinstance(value, date):
        return 11
    if isinstance(value, float):
        return 8
    text = str(value)
    # CJK characters are about two columns wide.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in max(text.split("\n"), key=len))


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join("_" if ch in SHEET_NAME_FORBIDDEN else ch for ch in title).strip("'") or "表"
    clean = clean[:31]
    name, n = clean, 2
    while name in used:
        suffix = f"({n})"
        name = clean[:31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def cell_value(value: Any, *, as_text: bool = False) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if as_text:
        return neutralise(str(value))
    if isinstance(value, (int, float, date, datetime)):
        return value
    if hasattr(value, "as_integer_ratio"):       # Decimal
        return float(value)
    return neutralise(str(value))


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_title(sheet.title, used))
        ws.append([neutralise(str(h)) for h in sheet.headers])
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
        widths = [_width(h) for h in sheet.headers]
        for row in sheet.rows:
            values = [cell_value(v, as_text=i in sheet.text_columns) for i, v in enumerate(row)]
            ws.append(values)
            r = ws.max_row
            for i, v in enumerate(values):
                cell = ws.cell(row=r, column=i + 1)
                if isinstance(v, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(v, date):
                    cell.number_format = "yyyy-mm-dd"
                elif i in sheet.text_columns and v is not None:
                    cell.number_format = "@"
                elif isinstance(v, float):
                    cell.number_format = "0.0%" if i < len(sheet.headers) and _is_rate_header(sheet.headers[i]) \
                        else "0.00"
                elif isinstance(v, str) and len(v) > MAX_WIDTH:
                    cell.alignment = wrap
                if i < len(widths):
                    widths[i] = max(widths[i], _width(v))
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = sheet.widths.get(i, min(MAX_WIDTH, w + 2))
        ws.freeze_panes = "A2"
        if sheet.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{ws.max_row}"
        if sheet.notes:
            ws.append([])
            for line in sheet.notes:
                ws.append([neutralise(line)])
    if not wb.sheetnames:
        wb.create_sheet("表")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _is_rate_header(header: str) -> bool:
    """A column of shares and rates: its floats are shown as percentages (the cell keeps the number)."""
    return header.endswith("率") or any(word in header for word in ("占比", "同比", "数值"))
