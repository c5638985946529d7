"""Free-text fields: what a clerk types is kept faithfully, but never control characters or unbounded text."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .errors import InvalidInput

# Tab and newline are legitimate in facts and reasons; every other C0/C1 control, and the
# bidi overrides that can make a printed name read differently from what was stored, are not.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")

DEFAULT_LIMIT = 5000
NAME_LIMIT = 50


def clean_text(value: Any, *, label: str, field: str, required: bool = True,
               limit: int = DEFAULT_LIMIT, multiline: bool = True) -> str | None:
    """Return the stripped, NFC-normalised text, or None for an empty optional field."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    else:
        text = str(value)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        if required:
            raise InvalidInput(f"{label}不能为空", field=field)
        return None
    bad = _FORBIDDEN.search(text)
    if bad:
        raise InvalidInput(f"{label}含有不可见的控制字符（U+{ord(bad.group()):04X}），请删除后重新输入", field=field)
    if not multiline and ("\n" in text or "\t" in text):
        raise InvalidInput(f"{label}不能换行", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{label}过长：{len(text)}字，最多{limit}字，请精简或作为附件保存", field=field)
    return text


def clean_name(value: Any, *, label: str = "姓名", field: str = "name") -> str:
    name = clean_text(value, label=label, field=field, limit=NAME_LIMIT, multiline=False)
    assert name is not None
    name = re.sub(r"\s+", " ", name)
    if any(ch.isdigit() for ch in name):
        raise InvalidInput(f"{label}不能含有数字：{name}", field=field)
    return name
