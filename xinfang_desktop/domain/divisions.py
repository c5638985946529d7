"""Statistical division codes (统计用区划代码): 6-digit county + 3-digit township + 3-digit village.

CSV format (UTF-8, optional BOM), header `code,name,kind`, one division per line::

    350881000000,漳平市,市
    350881001000,菁城街道,街道
    350881001001,城中社区,社区

The parent is implied by the code: a village's township is its first 9 digits + 000,
a township's county is its first 6 digits + 000000 (when that row is present).
By the statistical convention, 社区 (居委会) codes are 001–199 and 村 codes 200–399.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .categories import pinyin_of
from .errors import InvalidInput

FIELD = "division"
COUNTY_KINDS = frozenset({"市", "县", "区"})
TOWNSHIP_KINDS = frozenset({"街道", "镇", "乡"})
VILLAGE_KINDS = frozenset({"村", "社区"})


@dataclass(frozen=True)
class Division:
    code: str  # 12 digits
    name: str
    kind: str  # 市/县/区, 街道/镇/乡, 村/社区
    parent_code: str | None


def _level(code: str) -> str:
    if code.endswith("000000"):
        return "county"
    if code.endswith("000"):
        return "township"
    return "village"


def parse_divisions_csv(text: str) -> list[Division]:
    rows = list(csv.reader(io.StringIO((text or "").lstrip("\ufeff"))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows or [c.strip() for c in rows[0]] != ["code", "name", "kind"]:
        raise InvalidInput("区划文件第一行应为“code,name,kind”，请检查文件。", field=FIELD)
    parsed: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for n, row in enumerate(rows[1:], 2):
        if len(row) != 3:
            raise InvalidInput(f"区划文件第{n}行应有3列（代码,名称,类别），现有{len(row)}列。", field=FIELD)
        code, name, kind = (c.strip() for c in row)
        if len(code) != 12 or not (code.isascii() and code.isdigit()):
            raise InvalidInput(f"区划文件第{n}行的代码“{code}”应为12位数字。", field=FIELD)
        if not name:
            raise InvalidInput(f"区划文件第{n}行（{code}）缺少名称。", field=FIELD)
        allowed = {"county": COUNTY_KINDS, "township": TOWNSHIP_KINDS, "village": VILLAGE_KINDS}[_level(code)]
        if kind not in allowed:
            raise InvalidInput(
                f"区划文件第{n}行“{name}”的类别“{kind}”与代码层级不符，应为{'/'.join(sorted(allowed))}之一。",
                field=FIELD,
            )
        if code in seen:
            raise InvalidInput(f"区划文件第{n}行的代码“{code}”重复出现。", field=FIELD)
        seen.add(code)
        parsed.append((code, name, kind))
    out: list[Division] = []
    for code, name, kind in parsed:
        level = _level(code)
        parent: str | None = None
        if level == "village":
            parent = code[:9] + "000"
            if parent not in seen:
                raise InvalidInput(f"“{name}”（{code}）所属的乡镇 {parent} 不在文件中，请先添加该乡镇。", field=FIELD)
        elif level == "township" and code[:6] + "000000" in seen:
            parent = code[:6] + "000000"
        out.append(Division(code, name, kind, parent))
    return out


class DivisionTable:
    def __init__(self, divisions: list[Division]):
        self._all = tuple(sorted(divisions, key=lambda d: d.code))
        self._by_code = {d.code: d for d in self._all}
        self._keys = {d.code: (d.name.lower(), *pinyin_of(d.name)) for d in self._all}

    def all(self) -> list[Division]:
        return list(self._all)

    def townships(self) -> list[Division]:
        return [d for d in self._all if d.kind in TOWNSHIP_KINDS]

    def get(self, code: str) -> Division:
        try:
            return self._by_code[code]
        except (KeyError, TypeError):
            raise InvalidInput(f"区划代码“{code}”不在区划表中，请从列表中选择乡镇或村（社区）。", field=FIELD) from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def villages(self, township_code: str) -> list[Division]:
        self.get(township_code)
        return [d for d in self._all if d.parent_code == township_code and d.kind in VILLAGE_KINDS]

    def search(self, text: str) -> list[Division]:
        """Name substring, code prefix, pinyin or initials prefix; exact names first, then by code."""
        q = "".join((text or "").split()).lower()
        if not q:
            return []
        ranked: list[tuple[int, str, Division]] = []
        for d in self._all:
            name, full, initials = self._keys[d.code]
            if q == name:
                rank = 0
            elif q in name or d.code.startswith(q):
                rank = 1
            elif q.isascii() and (full.startswith(q) or initials.startswith(q)):
                rank = 2
            else:
                continue
            ranked.append((rank, d.code, d))
        return [d for _, _, d in sorted(ranked, key=lambda r: r[:2])]
