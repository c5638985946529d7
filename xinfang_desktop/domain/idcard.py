"""居民身份证号码 (GB 11643-1999): parse, check, mask.

An ID number is optional for a petitioner, but a given one must be valid; each
refusal says exactly which part is wrong so a clerk can fix a mistyped digit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .errors import InvalidInput

FIELD = "id_number"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Province-level codes in use (GB/T 2260), including 71 台湾, 81 香港, 82 澳门 and 83 (港澳台居民居住证).
_PROVINCES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71, 81, 82, 83]
)
_EARLIEST_BIRTH = date(1890, 1, 1)
_SHAPE = re.compile(r"\d{17}[\dX]")


class InvalidIdNumber(InvalidInput):
    def __init__(self, message: str):
        super().__init__(message, field=FIELD)


@dataclass(frozen=True)
class IdCard:
    number: str  # normalised: 18 characters, X in upper case
    area_code: str
    birth_date: date
    sex: str  # "男" / "女"


def normalize_id_text(text: str) -> str:
    """Full-width digits and X become ASCII (NFKC), whitespace goes, x becomes X."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(folded.split()).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise InvalidIdNumber("计算校验位需要身份证号码的前17位数字，请检查号码。")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK[total % 11]


def parse_id_number(text: str, *, today: date | None = None) -> IdCard:
    """Validate in the order a clerk would check by eye; the first fault found is reported."""
    today = today or date.today()
    number = normalize_id_text(text)
    if not number:
        raise InvalidIdNumber("身份证号码为空，请输入18位身份证号码；没有号码可不填。")
    if len(number) != 18:
        if len(number) == 15 and number.isdigit():
            raise InvalidIdNumber("这是15位的旧身份证号码，已停止使用，请改填18位的新号码（见第二代身份证）。")
        raise InvalidIdNumber(f"身份证号码应为18位，现在是{len(number)}位，请核对后重新输入。")
    if not (number.isascii() and _SHAPE.fullmatch(number)):
        pos = next(
            i for i, c in enumerate(number) if not (c.isascii() and (c.isdigit() or (i == 17 and c == "X")))
        )
        raise InvalidIdNumber(
            f"身份证号码第{pos + 1}位“{number[pos]}”不对：前17位只能是数字，最后一位是数字或X，请核对。"
        )
    area = number[:6]
    if int(area[:2]) not in _PROVINCES:
        raise InvalidIdNumber(f"身份证号码前两位“{area[:2]}”不是有效的省级地区代码，请核对号码前6位。")
    if area[2:] == "0000":
        raise InvalidIdNumber(f"身份证号码前6位“{area}”不是有效的县级地区代码，请核对。")
    digits = number[6:14]
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdNumber(f"身份证号码第7至14位“{digits}”不是有效的出生日期，请核对。") from None
    if birth > today:
        raise InvalidIdNumber(f"身份证号码中的出生日期 {birth.isoformat()} 晚于今天，请核对第7至14位。")
    if birth < _EARLIEST_BIRTH:
        raise InvalidIdNumber(f"身份证号码中的出生日期 {birth.isoformat()} 早于1890年，请核对第7至14位。")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(
            f"身份证号码校验位（最后一位）应为“{expected}”，现为“{number[17]}”，号码中可能有数字抄错，请逐位核对。"
        )
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdCard(number=number, area_code=area, birth_date=birth, sex=sex)


# 性别 given by hand when there is no ID number (GB/T 2261.1: 1 男, 2 女, 9 未说明的性别). Stored as
# "男" / "女"; not stated is stored as nothing.
SEXES = ("男", "女")
SEX_UNSTATED = "未说明"
_SEX_WORDS = {"男": "男", "男性": "男", "1": "男", "女": "女", "女性": "女", "2": "女",
              "": None, SEX_UNSTATED: None, "未说明的性别": None, "9": None}


def parse_sex(text: str | None) -> str | None:
    """A sex as given by hand: "男", "女", or None for not stated."""
    key = "".join(unicodedata.normalize("NFKC", text or "").split())
    if key not in _SEX_WORDS:
        raise InvalidInput(f"性别“{text}”无效，应为男、女或未说明。", field="sex")
    return _SEX_WORDS[key]


def is_valid_id_number(text: str, *, today: date | None = None) -> bool:
    try:
        parse_id_number(text, today=today)
    except InvalidInput:
        return False
    return True


def mask_id_number(number: str) -> str:
    """`110105********002X`; anything else keeps only its last 4 (all masked when 4 or shorter)."""
    number = number or ""
    if len(number) == 18:
        return number[:6] + "*" * 8 + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]
