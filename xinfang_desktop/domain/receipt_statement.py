"""The signed statement on a 受理（接收）告知书: what a township promises, in a form any office can check.

When the receipt is produced the registering unit signs (sync/receipt_sign.py, with its enrolled Ed25519
key) a compact canonical statement of the registration. The statement and its signature are printed as
the receipt's QR code and, as the very same text, as its 核验码 line, so a USB scanner (which types like
a keyboard) and a person typing from the paper produce the same input.

Statement, version 1: 43 bytes, big-endian, one encoding per statement (decoding re-encodes and
compares, so no two texts mean the same statement)::

    0   1  format version (1)
    1   5  unit code, 12 decimal digits as an integer (< 10^12)
    6   1  case number: year - 2000 (the number's 9-digit prefix is the unit code's)
    7   3  case number: yearly sequence
    10  5  query code: 8 characters of QUERY_ALPHABET as a base-31 integer
    15  2  received date: days since 2000-01-01
    17  4  moment of entry: seconds since 2000-01-01 00:00:00, the office's local time
    21  2  number of petitioners (people_count)
    23  6  salt (random)
    29 12  content digest: SHA-256(context, salt, petitioners' names, request text), first 12 bytes
    41  2  key tag: the first 2 bytes of the signing key's fingerprint (which of the unit's keys signed)

Signed message: ``b"xinfang-receipt-v1\\0"`` + statement. Text: ``XFR`` + RFC 4648 base32 (no padding)
of statement (43) + signature (64) + check (2) = 109 bytes, 178 characters in all; the check is
SHA-256(context, statement, signature)[:2], so a mistyped or changed character is told apart from a
forged signature.

Why base32 and not base45 (RFC 9285): the QR code and the typed 核验码 are one text. Base45 uses the
space and ``$%*+-./:``, so its text cannot be grouped for typing (spaces are data), and a keyboard-wedge
scanner or a person typing under a Chinese input method turns a space into a candidate choice and
symbols into full-width ones. Base32's letters and digits 2-7 are all in the QR alphanumeric set, and
it has no 0, 1 or 8, which a reader folds to O, I and B. It costs nothing here: 178 base32
characters and 164 base45 characters both need QR version 7 at error correction M. The standard
library encodes it (``base64.b32encode``).

Nothing in the statement is personal data in clear: names and request enter only through the salted
digest, and the rest (unit, case number, query code, dates, number of petitioners) is printed on the
same paper. Pure: no I/O, no keys; signing and checking are in sync/receipt_sign.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import InvalidInput
from .numbers import QUERY_ALPHABET, QUERY_CODE_LENGTH, format_case_number, parse_case_number

FORMAT_VERSION = 1
PREFIX = "XFR"
STATEMENT_LEN = 43
SIGNATURE_LEN = 64
CHECK_LEN = 2
SALT_LEN = 6
DIGEST_LEN = 12
KEY_TAG_LEN = 2
PAYLOAD_LEN = STATEMENT_LEN + SIGNATURE_LEN + CHECK_LEN
TEXT_LEN = len(PREFIX) + -(-PAYLOAD_LEN * 8 // 5)          # 3 + 175 = 178
GROUP = 5                                                   # characters per group on paper

SIGN_CONTEXT = b"xinfang-receipt-v1\x00"
CHECK_CONTEXT = b"xinfang-receipt-check-v1\x00"
CONTENT_CONTEXT = b"xinfang-receipt-content-v1\x00"

EPOCH = datetime(2000, 1, 1)
LEGACY_PREFIX = "XF:"          # the QR of receipts printed before signed statements: XF:<number>:<query code>

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_FOLD = str.maketrans({"0": "O", "1": "I", "8": "B"})
# What a person or a scanner may put between groups: spaces (also full-width), hyphens and dashes, dots.
_SEPARATORS = set(" \t\r\n-_.\u00a0\u2010\u2011\u2012\u2013\u2014\u2212\u3000\u00b7")
_NAME_SPLIT = re.compile(r"[\s,，、;；/|]+")


class ReceiptCodeError(InvalidInput):
    """The text is not a well-formed signed receipt. ``reason``: ``empty``, ``malformed`` (not a receipt
    code at all) or ``altered`` (a receipt code with characters changed, missing or extra)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message, field="code")
        self.reason = reason


# --------------------------------------------------------------------------- the content digest


def normalize_names(names: str | Iterable[str]) -> list[str]:
    """Petitioners' names as the digest takes them: NFKC, no spaces, sorted (the order on paper may differ
    from the order typed). A string is split on spaces, commas, 、 and semicolons."""
    if isinstance(names, str):
        names = _NAME_SPLIT.split(names)
    out = []
    for name in names:
        folded = "".join(ch for ch in unicodedata.normalize("NFKC", name or "") if not ch.isspace())
        if folded:
            out.append(folded)
    return sorted(out)


def normalize_request(text: str) -> str:
    """The request text as the digest takes it: NFKC, without spaces, line breaks or punctuation, so what a
    person types from the paper matches whatever the full-width/half-width punctuation and line breaks."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def content_digest(salt: bytes, names: str | Iterable[str], request: str) -> bytes:
    """The salted digest of the petitioners' names and the request (12 bytes)."""
    if len(salt) != SALT_LEN:
        raise ValueError("salt must be 6 bytes")
    joined = "\x1f".join(normalize_names(names))
    data = CONTENT_CONTEXT + salt + joined.encode("utf-8") + b"\x1e" + normalize_request(request).encode("utf-8")
    return hashlib.sha256(data).digest()[:DIGEST_LEN]


# --------------------------------------------------------------------------- the statement


def _query_value(code: str) -> int:
    value = 0
    for ch in code:
        value = value * len(QUERY_ALPHABET) + QUERY_ALPHABET.index(ch)
    return value


def _query_code(value: int) -> str:
    chars = []
    for _ in range(QUERY_CODE_LENGTH):
        value, r = divmod(value, len(QUERY_ALPHABET))
        chars.append(QUERY_ALPHABET[r])
    return "".join(reversed(chars))


_QUERY_MAX = len(QUERY_ALPHABET) ** QUERY_CODE_LENGTH


@dataclass(frozen=True)
class ReceiptStatement:
    """What the registering unit states about one registration (see the module's layout)."""

    unit_code: str            # 12 digits
    case_number: str          # e.g. 350881102-2026-00017
    query_code: str           # 8 characters of QUERY_ALPHABET
    received: date            # the received date printed on the receipt
    entered: datetime         # the moment the registration was entered (second precision, local time)
    people: int               # number of petitioners (people_count)
    salt: bytes               # 6 bytes
    content_digest: bytes     # 12 bytes
    key_tag: bytes            # 2 bytes
    version: int = FORMAT_VERSION

    def __post_init__(self):
        problem = why_not_encodable(self.unit_code, self.case_number, self.query_code, self.received,
                                    self.entered, self.people)
        if problem:
            raise ValueError(problem)
        if self.version != FORMAT_VERSION:
            raise ValueError("unknown statement version")
        if len(self.salt) != SALT_LEN or len(self.content_digest) != DIGEST_LEN or len(self.key_tag) != KEY_TAG_LEN:
            raise ValueError("salt, digest or key tag of the wrong length")
        if self.entered.microsecond or self.entered.tzinfo is not None:
            raise ValueError("entered must be a naive datetime to the second")

    def to_bytes(self) -> bytes:
        _prefix, year, seq = parse_case_number(self.case_number)
        return b"".join([
            bytes([self.version]),
            int(self.unit_code).to_bytes(5, "big"),
            bytes([year - 2000]),
            seq.to_bytes(3, "big"),
            _query_value(self.query_code).to_bytes(5, "big"),
            (self.received - EPOCH.date()).days.to_bytes(2, "big"),
            int((self.entered - EPOCH).total_seconds()).to_bytes(4, "big"),
            self.people.to_bytes(2, "big"),
            self.salt,
            self.content_digest,
            self.key_tag,
        ])

    @classmethod
    def from_bytes(cls, data: bytes) -> "ReceiptStatement":
        """Strict decoding; ``ValueError`` when the bytes are not the one encoding of a statement."""
        if len(data) != STATEMENT_LEN:
            raise ValueError("statement of the wrong length")
        if data[0] != FORMAT_VERSION:
            raise ValueError("unknown statement version")
        unit_value = int.from_bytes(data[1:6], "big")
        query_value = int.from_bytes(data[10:15], "big")
        if unit_value >= 10**12 or query_value >= _QUERY_MAX:
            raise ValueError("unit code or query code out of range")
        unit = f"{unit_value:012d}"
        seq = int.from_bytes(data[7:10], "big")
        if seq < 1:
            raise ValueError("case sequence out of range")
        statement = cls(
            unit_code=unit,
            case_number=format_case_number(unit, 2000 + data[6], seq),
            query_code=_query_code(query_value),
            received=EPOCH.date() + timedelta(days=int.from_bytes(data[15:17], "big")),
            entered=EPOCH + timedelta(seconds=int.from_bytes(data[17:21], "big")),
            people=int.from_bytes(data[21:23], "big"),
            salt=data[23:29],
            content_digest=data[29:41],
            key_tag=data[41:43],
        )
        if statement.to_bytes() != data:
            raise ValueError("not the canonical encoding")
        return statement

    def signed_message(self) -> bytes:
        return SIGN_CONTEXT + self.to_bytes()

    def matches_content(self, names: str | Iterable[str], request: str) -> bool:
        return content_digest(self.salt, names, request) == self.content_digest


def why_not_encodable(unit_code: str, case_number: str, query_code: str, received: date, entered: datetime,
                      people: int) -> str | None:
    """Why a registration cannot be put in a version-1 statement (None when it can). Cases registered by
    this product always can; a case imported from an old ledger with a number of another shape cannot."""
    if not (isinstance(unit_code, str) and len(unit_code) == 12 and unit_code.isascii() and unit_code.isdigit()):
        return "单位代码不是12位区划代码"
    try:
        prefix, year, seq = parse_case_number(case_number)
    except InvalidInput:
        return "事项编号不是本软件的格式"
    if case_number != format_case_number(unit_code, year, seq) or prefix != unit_code[:9]:
        return "事项编号不是本单位的编号"
    if not 2000 <= year <= 2255 or not 1 <= seq < 2**24:
        return "事项编号超出范围"
    if len(query_code or "") != QUERY_CODE_LENGTH or any(ch not in QUERY_ALPHABET for ch in query_code):
        return "查询码不是本软件的格式"
    if not EPOCH.date() <= received < EPOCH.date() + timedelta(days=2**16):
        return "收到日期超出范围"
    if not EPOCH <= entered < EPOCH + timedelta(seconds=2**32):
        return "登记时间超出范围"
    if not 1 <= people < 2**16:
        return "信访人数超出范围"
    return None


# --------------------------------------------------------------------------- the text


def _check(statement_bytes: bytes, signature: bytes) -> bytes:
    return hashlib.sha256(CHECK_CONTEXT + statement_bytes + signature).digest()[:CHECK_LEN]


@dataclass(frozen=True)
class SignedReceipt:
    """A statement and its signature (not yet checked against any key)."""

    statement: ReceiptStatement
    signature: bytes

    def text(self) -> str:
        """The QR code's content and the 核验码: ``XFR`` + base32, 178 characters."""
        raw = self.statement.to_bytes()
        payload = raw + self.signature + _check(raw, self.signature)
        return PREFIX + base64.b32encode(payload).decode("ascii").rstrip("=")

    def grouped(self) -> str:
        return group_text(self.text())


def group_text(text: str) -> str:
    """``XFR ABCDE FGHIJ …``: the prefix, then groups of 5, for the paper."""
    body = text[len(PREFIX):]
    return " ".join([PREFIX, *(body[i:i + GROUP] for i in range(0, len(body), GROUP))])


@dataclass(frozen=True)
class LegacyCode:
    """The QR of a receipt printed before signed statements: only the case number and query code."""

    case_number: str
    query_code: str


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if ch not in _SEPARATORS).upper()


def parse_receipt_text(text: str) -> SignedReceipt | LegacyCode:
    """What a scanner typed or a person typed from the paper, as a signed receipt (not yet verified).

    Tolerates lower case, spaces and hyphens between groups, full-width characters from a Chinese input
    method, and 0/1/8 read for O/I/B. Raises :class:`ReceiptCodeError`."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        raise ReceiptCodeError("empty", "请扫描告知书上的二维码，或照告知书输入核验码（以 XFR 开头）。")
    if raw.upper().startswith(LEGACY_PREFIX):
        parts = raw.split(":")
        if len(parts) == 3:
            try:
                parse_case_number(parts[1])
            except InvalidInput:
                pass
            else:
                return LegacyCode(parts[1].strip(), parts[2].strip().upper())
    s = _fold(raw)
    if not s.startswith(PREFIX):
        raise ReceiptCodeError(
            "malformed", "这不是受理告知书的核验码：核验码以 XFR 开头。请扫描告知书上的二维码，或对照告知书上“核验码”一行输入。")
    body = s[len(PREFIX):].translate(_FOLD)
    bad = next((ch for ch in body if ch not in _B32), None)
    if bad is not None:
        hint = "扫码时请先关闭中文输入法（切换到英文）再扫描。" if not bad.isascii() else "请对照告知书逐组核对。"
        raise ReceiptCodeError("malformed", f"核验码中不应有“{bad}”这个字符（核验码只有字母和数字2至7）。{hint}")
    want = TEXT_LEN - len(PREFIX)
    if len(body) != want:
        raise ReceiptCodeError(
            "altered", f"核验码应为 {TEXT_LEN} 个字符（XFR 之后 {want} 个），现在是 {len(PREFIX) + len(body)} 个："
                       "有字符漏输或多输。请对照告知书逐组（每组5个）核对后重新输入。")
    padded = body + "=" * (-len(body) % 8)
    payload = base64.b32decode(padded)
    if len(payload) != PAYLOAD_LEN or base64.b32encode(payload).decode("ascii").rstrip("=") != body:
        raise _altered()
    statement_bytes = payload[:STATEMENT_LEN]
    signature = payload[STATEMENT_LEN:STATEMENT_LEN + SIGNATURE_LEN]
    if _check(statement_bytes, signature) != payload[-CHECK_LEN:]:
        raise _altered()
    try:
        statement = ReceiptStatement.from_bytes(statement_bytes)
    except (ValueError, InvalidInput):
        raise _altered() from None
    return SignedReceipt(statement, signature)


def _altered() -> ReceiptCodeError:
    return ReceiptCodeError(
        "altered", "核验码与告知书原件不符：有字符被改动或输错。请对照告知书逐组（每组5个）核对后重新输入；"
                   "扫描时请确认二维码没有污损。核对无误仍不符的，说明这份告知书的内容被改动过。")


__all__ = [
    "FORMAT_VERSION",
    "LegacyCode",
    "PREFIX",
    "ReceiptCodeError",
    "ReceiptStatement",
    "SignedReceipt",
    "TEXT_LEN",
    "content_digest",
    "group_text",
    "normalize_names",
    "normalize_request",
    "parse_receipt_text",
    "why_not_encodable",
]
