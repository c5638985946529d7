"""Phone numbers as clerks type them: mobiles and landlines with area code.

Normal forms:
- mobile: 11 digits, `13812345678` (a +86 / 0086 / 86 prefix is dropped);
- landline: `0597-7531234`; an extension is kept after 转: `0597-7531234转123`.

Accepted input: spaces, hyphens, brackets around the area code, full-width
characters; an extension written `-123` (third group), `转123`, `分机123`, `ext123`, `#123`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import InvalidInput

FIELD = "phone"
_MOBILE = re.compile(r"1[3-9]\d{9}")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-()（）]+")


class InvalidPhone(InvalidInput):
    def __init__(self, message: str):
        super().__init__(message, field=FIELD)


@dataclass(frozen=True)
class PhoneNumber:
    number: str  # normal form, see the module docstring
    kind: str  # "mobile" | "landline"


def _area_length(digits: str) -> int:
    # 010 and 020–029 are the only 3-digit area codes; all others are 0 + 3 digits.
    return 3 if digits[1] in "12" else 4


def parse_phone(text: str) -> PhoneNumber:
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        raise InvalidPhone("电话号码为空，请输入手机号码或带区号的固定电话。")
    extension = ""
    m = _EXTENSION.search(raw)
    if m:
        extension, raw = m.group(1), raw[: m.start()].strip()
    else:
        # "0597-7531234-123": a third digit group after area code and local number is an extension.
        groups = [g for g in re.split(r"[\s\-]+", raw.replace("(", " ").replace(")", " ")) if g]
        if (
            len(groups) == 3
            and all(g.isdigit() for g in groups)
            and groups[0].startswith("0")
            and len(groups[0]) in (3, 4)
            and 7 <= len(groups[1]) <= 8
        ):
            extension, raw = groups[2], groups[0] + groups[1]
    plus = raw.startswith("+")
    digits = _SEPARATORS.sub("", raw.lstrip("+"))
    if not digits.isascii() or not digits.isdigit():
        bad = next(c for c in digits if not (c.isascii() and c.isdigit()))
        raise InvalidPhone(f"电话号码中有无效字符“{bad}”，只能填数字、空格和连字符，请重新输入。")

    # Country code: +86 / 0086 always; a bare 86 only when what follows is a mobile.
    if digits.startswith("0086"):
        digits = digits[4:]
        plus = True
    elif plus and digits.startswith("86"):
        digits = digits[2:]
    elif plus:
        raise InvalidPhone("只支持中国大陆的电话号码（+86），请重新输入。")
    elif digits.startswith("86") and len(digits) == 13 and _MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]
    if plus and digits and not digits.startswith(("0", "1")):
        digits = "0" + digits  # +86 597 7531234: the trunk 0 is dropped after a country code

    if digits.startswith("1"):
        if extension:
            raise InvalidPhone("手机号码没有分机号，请去掉分机号。")
        if len(digits) != 11:
            raise InvalidPhone(f"手机号码应为11位数字，现在是{len(digits)}位，请核对。")
        if not _MOBILE.fullmatch(digits):
            raise InvalidPhone(f"“{digits}”不是有效的手机号码（第二位应为3至9），请核对。")
        return PhoneNumber(digits, "mobile")
    if not digits.startswith("0"):
        if 7 <= len(digits) <= 8:
            raise InvalidPhone("固定电话请加上区号，例如 0597-7531234（漳平区号为0597）。")
        raise InvalidPhone("请输入11位手机号码，或带区号的固定电话（例如 0597-7531234）。")
    if len(digits) < 3:
        raise InvalidPhone("电话号码太短，请输入手机号码或带区号的固定电话。")
    cut = _area_length(digits)
    area, local = digits[:cut], digits[cut:]
    if not 7 <= len(local) <= 8:
        raise InvalidPhone(
            f"区号{area}后的电话号码应为7或8位，现在是{len(local)}位，请核对（例如 0597-7531234）。"
        )
    if local[0] in "01":
        raise InvalidPhone(f"区号{area}后的号码不能以{local[0]}开头，请核对。")
    number = f"{area}-{local}" + (f"转{extension}" if extension else "")
    return PhoneNumber(number, "landline")


def mask_phone(number: str) -> str:
    """Mobile `138****5678`; landline `0597-*****34` (area code and last 2 kept, extension dropped)."""
    number = number or ""
    if _MOBILE.fullmatch(number):
        return number[:3] + "****" + number[-4:]
    m = re.fullmatch(r"(0\d{2,3})-(\d{7,8})(?:转\d+)?", number)
    if m:
        local = m.group(2)
        return f"{m.group(1)}-" + "*" * (len(local) - 2) + local[-2:]
    if len(number) <= 2:
        return "*" * len(number)
    return "*" * (len(number) - 2) + number[-2:]
