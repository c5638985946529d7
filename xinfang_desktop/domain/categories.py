"""The category code table of petition content (信访事项内容分类): two levels, versioned.

A code is never reused for another meaning; a bundle names the table version it uses.
An entry may carry `"accusation": true`: it and its children are 检举控告 matters,
which go to 纪检监察 and never show the complainant to the accused unit (第三十条).
When no entry is flagged, an entry named 检举控告 is taken as the flag.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pypinyin import Style, lazy_pinyin

from .errors import InvalidInput

FIELD = "category"


def pinyin_of(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of the Chinese characters in `text`, lower case: ("tudizhengshou", "tdzs")."""
    full = "".join(lazy_pinyin(text, errors="ignore"))
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore"))
    return full.lower(), initials.lower()


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    short: str
    parent_code: str | None
    pinyin: str
    initials: str


def _make(code: str, name: str, short: str, parent: str | None) -> Category:
    full, initials = pinyin_of(name)
    return Category(code, name, short, parent, full, initials)


class CategoryTable:
    def __init__(self, version: int, name: str, categories: list[Category], accusation_codes: frozenset[str],
                 matters: dict[str, str] | None = None):
        self.version = version
        self.name = name
        self._matters = dict(matters or {})
        self._all = tuple(categories)
        self._by_code = {c.code: c for c in categories}
        self._accusation = accusation_codes
        # Search keys per category: name and short, each with pinyin and initials.
        self._keys = {
            c.code: (c.name.lower(), c.short.lower(), c.pinyin, c.initials, *pinyin_of(c.short)) for c in categories
        }

    def all(self) -> list[Category]:
        return list(self._all)

    def top_level(self) -> list[Category]:
        return [c for c in self._all if c.parent_code is None]

    def children(self, code: str) -> list[Category]:
        self.get(code)
        return [c for c in self._all if c.parent_code == code]

    def get(self, code: str) -> Category:
        try:
            return self._by_code[code]
        except (KeyError, TypeError):
            raise InvalidInput(
                f"分类代码“{code}”不在分类表（第{self.version}版）中，请从列表中选择分类。", field=FIELD
            ) from None

    def label(self, code: str) -> str:
        """"一级/二级" for display; the bare code when the table does not know it (data from another version)."""
        c = self._by_code.get(code)
        if c is None:
            return code
        parent = self._by_code.get(c.parent_code) if c.parent_code else None
        return f"{parent.name}/{c.name}" if parent else c.name

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def by_name_or_short(self, text: str) -> Category | None:
        """Exact full or short name (a second-level entry wins over a first-level one with the same name)."""
        text = (text or "").strip()
        hits = [c for c in self._all if text and text in (c.name, c.short)]
        hits.sort(key=lambda c: c.parent_code is None)
        return hits[0] if hits else None

    def search(self, text: str) -> list[Category]:
        """Code prefix, name or short-name substring, pinyin or initials prefix; case-insensitive.

        Exact names first, then name matches, then pinyin matches; in code order within each.
        """
        q = "".join((text or "").split()).lower()
        if not q:
            return []
        ranked: list[tuple[int, str, Category]] = []
        for c in self._all:
            name, short, py, ini, spy, sini = self._keys[c.code]
            if q in (name, short):
                rank = 0
            elif c.code.startswith(q) or q in name or q in short:
                rank = 1
            elif q.isascii() and any(k.startswith(q) for k in (py, ini, spy, sini)):
                rank = 2
            else:
                continue
            ranked.append((rank, c.code, c))
        return [c for _, _, c in sorted(ranked, key=lambda r: r[:2])]

    def suggested_matter(self, code: str) -> str | None:
        """The kind of matter the category suggests (its or its parent's `matter`: suggestion,
        accusation, claim1 … claim6); accusation categories suggest 检举控告. None: no suggestion."""
        c = self._by_code.get(code)
        if c is None:
            return None
        if self.is_accusation(code):
            return "accusation"
        return self._matters.get(c.code) or (self._matters.get(c.parent_code) if c.parent_code else None)

    def is_accusation(self, code: str) -> bool:
        """True for a 检举控告 category and its children (unknown codes are refused by `get`)."""
        c = self.get(code)
        return c.code in self._accusation or (c.parent_code is not None and c.parent_code in self._accusation)


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"分类表中{where}缺少“{key}”或为空，请补上。", field=FIELD)
    return value.strip()


def parse_category_table(text: str) -> CategoryTable:
    try:
        data = json.loads((text or "").lstrip("\ufeff"))
    except json.JSONDecodeError as e:
        raise InvalidInput(f"分类表不是有效的JSON（第{e.lineno}行附近），请检查文件。", field=FIELD) from None
    if not isinstance(data, dict):
        raise InvalidInput("分类表的最外层应是一个对象，含 version、name、categories。", field=FIELD)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidInput("分类表缺少版本号（\"version\": 正整数），请补上。", field=FIELD)
    name = data.get("name") or "信访事项内容分类"
    tops = data.get("categories")
    if not isinstance(tops, list) or not tops:
        raise InvalidInput("分类表中没有任何分类（\"categories\"），请检查文件。", field=FIELD)

    out: list[Category] = []
    flagged: set[str] = set()
    matters: dict[str, str] = {}
    seen: set[str] = set()

    def add(entry: Any, parent: str | None, where: str) -> str:
        if not isinstance(entry, dict):
            raise InvalidInput(f"分类表中{where}格式不对，应为含 code、name 的对象。", field=FIELD)
        code = _text(entry, "code", where)
        where = f"分类“{code}”"
        if not (code.isascii() and code.isdigit()):
            raise InvalidInput(f"{where}的代码只能是数字。", field=FIELD)
        if parent is None and len(code) != 2:
            raise InvalidInput(f"一级{where}的代码应为2位数字。", field=FIELD)
        if parent is not None and (len(code) != len(parent) + 2 or not code.startswith(parent)):
            raise InvalidInput(f"{where}应以上级代码“{parent}”开头并多2位数字。", field=FIELD)
        if code in seen:
            raise InvalidInput(f"分类代码“{code}”重复出现，每个代码只能用一次。", field=FIELD)
        seen.add(code)
        cname = _text(entry, "name", where)
        short = entry.get("short")
        if short is not None and (not isinstance(short, str) or not short.strip()):
            raise InvalidInput(f"{where}的简称为空，请填写或删去“short”。", field=FIELD)
        out.append(_make(code, cname, (short or cname).strip(), parent))
        if entry.get("accusation") is True:
            flagged.add(code)
        matter = entry.get("matter")
        if matter is not None:
            if matter not in _MATTERS:
                raise InvalidInput(f"{where}的事项类型“{matter}”无效，应为 {'、'.join(_MATTERS)} 之一。", field=FIELD)
            matters[code] = matter
        return code

    for i, top in enumerate(tops, 1):
        code = add(top, None, f"第{i}个一级分类")
        children = top.get("children", [])
        if not isinstance(children, list):
            raise InvalidInput(f"分类“{code}”的 children 应是列表。", field=FIELD)
        for j, child in enumerate(children, 1):
            add(child, code, f"分类“{code}”的第{j}个下级")
    if not flagged:
        flagged = {c.code for c in out if c.name == "检举控告"}
    return CategoryTable(version, str(name), out, frozenset(flagged), matters)


# The kinds of matter a category may suggest (domain/matters.py): 建议意见, 检举控告, 申诉求决 item 1–6.
_MATTERS = ("suggestion", "accusation", *(f"claim{i}" for i in range(1, 7)))
