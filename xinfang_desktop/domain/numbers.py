"""Case numbers and the query codes printed on a petitioner's receipt."""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Callable

from .errors import InvalidInput

QUERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0 O 1 I L: read aloud over the phone
QUERY_CODE_LENGTH = 8
_CASE = re.compile(r"(\d{9})-(\d{4})-(\d{5,})")


def format_case_number(unit_code: str, year: int, seq: int) -> str:
    """`350881102-2026-00017`: the unit's 9-digit township code, the year, a yearly sequence."""
    if not (isinstance(unit_code, str) and len(unit_code) == 12 and unit_code.isascii() and unit_code.isdigit()):
        raise InvalidInput(f"单位区划代码“{unit_code}”应为12位数字，请在设置中核对本单位代码。", field="unit_code")
    if not 1900 <= year <= 9999:
        raise InvalidInput(f"年份{year}无效，应为四位年份。", field="year")
    if seq < 1:
        raise InvalidInput(f"案件序号应从1开始，现为{seq}。", field="seq")
    return f"{unit_code[:9]}-{year}-{seq:05d}"


def parse_case_number(text: str) -> tuple[str, int, int]:
    """Return (9-digit unit prefix, year, sequence); the inverse of `format_case_number`."""
    s = "".join(unicodedata.normalize("NFKC", text or "").split()).replace("—", "-")
    m = _CASE.fullmatch(s)
    # Sequence longer than 5 digits never has a leading zero, so every number has one spelling.
    if not m or int(m.group(2)) < 1900 or (len(m.group(3)) > 5 and m.group(3).startswith("0")) or int(m.group(3)) == 0:
        raise InvalidInput(
            f"“{text}”不是有效的案件编号，格式应为 9位单位代码-年份-序号，例如 350881102-2026-00017。",
            field="case_number",
        )
    return m.group(1), int(m.group(2)), int(m.group(3))


# What a clerk says instead of the whole number: 1252, 01252, 2026-1252, 2026年1252号
_SHORT = re.compile(r"(?:(\d{4})(?:-|年|/|\.))?0*(\d{1,7})号?")


def parse_short_number(text: str) -> tuple[int | None, int] | None:
    """(year or None, sequence) of a short case number, or None when `text` is not one."""
    s = "".join(unicodedata.normalize("NFKC", text or "").split()).replace("—", "-")
    m = _SHORT.fullmatch(s)
    if not m or int(m.group(2)) == 0 or (m.group(1) and not 1900 <= int(m.group(1)) <= 9999):
        return None
    return (int(m.group(1)) if m.group(1) else None), int(m.group(2))


def number_tail(year: int | None, seq: int) -> str:
    """The end every case number with this year (any year when None) and sequence has: "-2026-01252"."""
    return f"-{year}-{seq:05d}" if year is not None else f"-{seq:05d}"


def new_query_code(rand: Callable[[int], int] | None = None) -> str:
    """8 characters from QUERY_ALPHABET; `rand(n)` returns 0 <= r < n (a seeded one for demo data)."""
    rand = rand or secrets.randbelow
    return "".join(QUERY_ALPHABET[rand(len(QUERY_ALPHABET))] for _ in range(QUERY_CODE_LENGTH))


def normalize_query_code(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "").upper()
    s = "".join(c for c in s if not c.isspace() and c != "-")
    bad = [c for c in s if c not in QUERY_ALPHABET]
    if bad:
        raise InvalidInput(
            f"查询码中没有“{bad[0]}”这个字符（查询码不用 0、O、1、I、L），请对照回执重新输入。",
            field="query_code",
        )
    if len(s) != QUERY_CODE_LENGTH:
        raise InvalidInput(
            f"查询码应为{QUERY_CODE_LENGTH}位，现在是{len(s)}位，请对照回执重新输入。", field="query_code"
        )
    return s


def looks_like_query_code(text: str) -> bool:
    try:
        normalize_query_code(text)
    except InvalidInput:
        return False
    return True
