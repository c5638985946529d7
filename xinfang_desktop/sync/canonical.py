"""Canonical JSON: the one deterministic text encoding used by sync files.

Canonical form (what :func:`dumps` produces and :func:`loads` insists on):

* UTF-8, no byte order mark;
* object keys sorted by Unicode code point, each key at most once;
* no insignificant whitespace (``,`` and ``:`` separators);
* non-ASCII characters written as themselves (UTF-8), never as ``\\u`` escapes;
  the only escapes are ``\\"``, ``\\\\``, ``\\b``, ``\\f``, ``\\n``, ``\\r``, ``\\t`` and
  ``\\u00xx`` (lower-case hex) for the other characters below U+0020 (exactly
  what Python's ``json.dumps(..., ensure_ascii=False)`` writes); no lone surrogates;
* only objects, arrays, strings, integers, ``true``, ``false`` and ``null``:
  no floating point numbers (decimal amounts travel as strings), no NaN or
  Infinity, integers within ``±(2**63 - 1)``.

:func:`loads` parses strictly and then re-encodes: if the bytes differ from the
canonical encoding of what was read, the document is refused. That rejects
duplicate keys, unsorted keys, extra whitespace, alternative escapes and every
other way of writing the same value twice, so one value has exactly one
encoding and hashes of documents are meaningful.
"""

from __future__ import annotations

import json
from typing import Any, Callable

INT_LIMIT = 2**63 - 1


class CanonicalJSONError(ValueError):
    """The bytes are not canonical JSON. ``reason`` is a short Chinese phrase for messages."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _check_value(value: Any, depth: int = 0) -> None:
    if depth > 32:
        raise CanonicalJSONError("嵌套层级过深")
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise CanonicalJSONError("文本中含有无效的 Unicode 字符") from None
        return
    if isinstance(value, int):
        if not -INT_LIMIT <= value <= INT_LIMIT:
            raise CanonicalJSONError("整数超出范围")
        return
    if isinstance(value, float):
        raise CanonicalJSONError("不允许使用小数")
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_value(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJSONError("对象的键必须是文本")
            _check_value(key, depth + 1)
            _check_value(item, depth + 1)
        return
    raise CanonicalJSONError(f"不支持的数据类型 {type(value).__name__}")


# One encoder and decoders built once: json.dumps/json.loads with options build a new one per call,
# which was half the cost of each record of an import.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def dumps(value: Any) -> bytes:
    """Encode ``value`` canonically. Raises :class:`CanonicalJSONError` for values with no canonical form."""
    _check_value(value)
    return _ENCODE(value).encode("utf-8")


def _pairs_no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CanonicalJSONError(f"字段“{key[:40]}”重复出现")
        result[key] = value
    return result


def _no_float(text: str) -> Any:
    raise CanonicalJSONError("不允许使用小数")


def _no_constant(text: str) -> Any:
    raise CanonicalJSONError(f"不允许使用 {text}")


def _int_in_range(text: str) -> int:
    value = int(text)
    if not -INT_LIMIT <= value <= INT_LIMIT:
        raise CanonicalJSONError("整数超出范围")
    return value


# Every integer is checked as it is parsed: a record holds a few, and the hook costs less than looking
# for a long run of digits in the whole text first (a regular expression over every character).
_DECODER = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_constant, parse_int=_int_in_range)
_DECODE = _DECODER.decode
_SCAN = _DECODER.scan_once


def _parse(text: str) -> Any:
    """_DECODE(text), without its two look-ups for whitespace around the value when the value fills the
    text exactly (canonical text has none); anything else, and every error, goes through _DECODE."""
    try:
        value, end = _SCAN(text, 0)
    except Exception:
        return _DECODE(text)
    return value if end == len(text) else _DECODE(text)


def acyclic_encoder(*, item_separator: str = ",", key_separator: str = ":") -> Callable[[Any], str]:
    """JSONEncoder(sort_keys=True, ensure_ascii=False, separators=…).encode for values that hold no cycle
    (what a JSON parser made): the C encoder that encode() builds on every call, built once. Floats as
    encode() writes them (canonical values have none)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(item_separator, key_separator)).encode
    encode = make(None, None, json.encoder.encode_basestring, None, key_separator, item_separator, True, False, True)
    return lambda value: "".join(encode(value, 0))


_ENCODE_PARSED = acyclic_encoder()      # _ENCODE for what _parse made


def _reencode(value: Any, text: str) -> bytes:
    """dumps() for a value json.loads just produced under the hooks above.

    The hooks already refused floats, NaN/Infinity and out-of-range integers, and JSON keys are
    always strings, so the per-value walk of dumps() is only needed for what remains: nesting depth
    (possible only with more than 32 brackets) and lone surrogates (which fail the UTF-8 encode).
    Skipping the walk makes importing a million records about twice as fast."""
    if text.count("{") + text.count("[") > 32:
        return dumps(value)
    try:
        return _ENCODE_PARSED(value).encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalJSONError("文本中含有无效的 Unicode 字符") from None


def loads(data: bytes | bytearray | memoryview, *, max_size: int | None = None) -> Any:
    """Parse canonical JSON strictly; anything not in canonical form raises :class:`CanonicalJSONError`."""
    if max_size is not None and len(data) > max_size:
        raise CanonicalJSONError("内容超过大小上限")
    raw = bytes(data)
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise CanonicalJSONError("不是有效的 UTF-8 文本") from None
    if text.startswith("\ufeff"):
        raise CanonicalJSONError("不允许字节顺序标记")
    # Fast path (every record of an import goes through here): C parser without per-object hooks. A
    # duplicate key cannot survive it unnoticed: the dict keeps one value, so the re-encoding is shorter
    # than the input and differs; the slow path below then names the problem.
    try:
        value = _parse(text)
        again = _reencode(value, text)
    except CanonicalJSONError:
        raise
    except RecursionError:
        raise CanonicalJSONError("嵌套层级过深") from None
    except (ValueError, TypeError):
        raise CanonicalJSONError("不是有效的 JSON") from None
    if again == raw:
        return value
    try:
        json.loads(text, object_pairs_hook=_pairs_no_duplicates, parse_float=_no_float,
                   parse_int=_int_in_range, parse_constant=_no_constant)
    except CanonicalJSONError:
        raise
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - the fast path parsed it
        raise CanonicalJSONError("不是有效的 JSON") from None
    raise CanonicalJSONError("不是规范格式（键的顺序、空白或转义方式不对）")
