"""The receipt's signed statement as text: one encoding per statement, every changed character refused,
what a scanner or a person types read back, and the salted digest of names and request."""

from __future__ import annotations

import base64
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang_desktop.domain.numbers import QUERY_ALPHABET
from xinfang_desktop.domain.receipt_statement import (
    PREFIX,
    TEXT_LEN,
    LegacyCode,
    ReceiptCodeError,
    ReceiptStatement,
    SignedReceipt,
    content_digest,
    group_text,
    normalize_names,
    parse_receipt_text,
    why_not_encodable,
)

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def statement(**kw) -> ReceiptStatement:
    fields = dict(unit_code="350881102000", case_number="350881102-2026-00017", query_code="ABCD2345",
                  received=date(2026, 11, 2), entered=datetime(2026, 11, 2, 9, 31, 5), people=3,
                  salt=b"\x01\x02\x03\x04\x05\x06", content_digest=content_digest(b"\x01\x02\x03\x04\x05\x06",
                                                                                    ["张三", "李四"], "要求追讨拖欠的工资"),
                  key_tag=b"\xab\xcd")
    fields.update(kw)
    return ReceiptStatement(**fields)


def signed(**kw) -> SignedReceipt:
    return SignedReceipt(statement(**kw), bytes(range(64)))


def test_the_statement_is_43_bytes_and_reads_back_the_same():
    s = statement()
    raw = s.to_bytes()
    assert len(raw) == 43 and raw[0] == 1
    assert ReceiptStatement.from_bytes(raw) == s


def test_the_text_is_178_characters_of_the_qr_alphanumeric_set():
    text = signed().text()
    assert len(text) == TEXT_LEN == 178 and text.startswith(PREFIX)
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")     # QR alphanumeric mode
    assert not set(text[3:]) & set("0189")          # never a character a reader confuses with a letter


def test_the_text_needs_qr_version_7_like_base45_would():
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(signed().text())
    qr.make(fit=True)
    assert qr.version == 7 and qr.data_list[0].mode == qrcode.util.MODE_ALPHA_NUM


def test_the_text_reads_back():
    r = signed()
    assert parse_receipt_text(r.text()) == r


def test_what_a_person_types_from_the_paper_reads_back():
    r = signed()
    typed = group_text(r.text()).lower()               # groups of 5, lower case
    assert typed.startswith("xfr ") and len(typed.split()) == 1 + 35
    assert parse_receipt_text(typed) == r
    assert parse_receipt_text("  " + r.text() + "\r\n") == r        # a scanner's Enter
    dashed = "-".join(group_text(r.text()).split())
    assert parse_receipt_text(dashed) == r
    # full-width letters and digits from a Chinese input method, O read as 0, I as 1, B as 8
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in r.text())
    assert parse_receipt_text(fullwidth) == r
    misread = r.text()[:3] + r.text()[3:].replace("O", "0").replace("I", "1").replace("B", "8")
    assert parse_receipt_text(misread) == r


def test_a_one_character_change_anywhere_is_refused():
    text = signed().text()
    others = B32 + "XF"
    for i, ch in enumerate(text):
        for other in others:
            if other == ch:
                continue
            changed = text[:i] + other + text[i + 1:]
            with pytest.raises(ReceiptCodeError) as err:
                parse_receipt_text(changed)
            assert err.value.reason in ("altered", "malformed"), (i, ch, other)


def test_a_character_left_out_or_added_says_how_many_there_should_be():
    text = signed().text()
    with pytest.raises(ReceiptCodeError, match="178") as err:
        parse_receipt_text(text[:-1])
    assert err.value.reason == "altered"
    with pytest.raises(ReceiptCodeError, match="178"):
        parse_receipt_text(text + "A")


def test_not_a_receipt_code():
    with pytest.raises(ReceiptCodeError) as err:
        parse_receipt_text("https://example.invalid/abc")
    assert err.value.reason == "malformed" and "XFR" in err.value.message
    with pytest.raises(ReceiptCodeError) as err:
        parse_receipt_text("")
    assert err.value.reason == "empty"
    with pytest.raises(ReceiptCodeError, match="输入法"):
        parse_receipt_text("XFR信访")


def test_a_non_canonical_text_is_refused():
    """The 3 bits after the last byte must be zero: two texts never mean the same statement."""
    text = signed().text()
    last = B32.index(text[-1])
    assert last & 0b111 == 0
    with pytest.raises(ReceiptCodeError) as err:
        parse_receipt_text(text[:-1] + B32[last | 1])
    assert err.value.reason == "altered"


def test_an_older_receipts_qr_is_recognised():
    assert parse_receipt_text("XF:350881102-2026-00017:ABCD2345") == LegacyCode("350881102-2026-00017", "ABCD2345")


def test_the_digest_takes_names_in_any_order_and_ignores_spaces_and_punctuation():
    salt = b"saltsa"
    d = content_digest(salt, ["张三", "李四"], "要求追讨拖欠的工资，共计5000元。")
    assert content_digest(salt, "李四、张三", "要求追讨拖欠的工资, 共计5000元") == d
    assert content_digest(salt, "李四 张三", "要求追讨拖欠的工资\n共计５０００元") == d
    assert content_digest(salt, "李四", "要求追讨拖欠的工资，共计5000元。") != d
    assert content_digest(salt, "张三、李四", "要求追讨拖欠的工资，共计6000元。") != d
    assert content_digest(b"other!", ["张三", "李四"], "要求追讨拖欠的工资，共计5000元。") != d
    assert normalize_names("阿依古丽·买买提，张三 ") == sorted(["阿依古丽·买买提", "张三"])


def test_nothing_personal_is_in_the_text():
    """Names and request enter only through the salted digest."""
    s = statement()
    raw = s.to_bytes()
    for text in ("张三", "李四", "工资"):
        assert text.encode("utf-8") not in raw
    assert b"\xe5" not in raw[:23]      # the fixed fields are numbers, not text


def test_what_cannot_be_put_in_a_statement_is_named():
    ok = dict(unit_code="350881102000", case_number="350881102-2026-00017", query_code="ABCD2345",
              received=date(2026, 11, 2), entered=datetime(2026, 11, 2, 9, 0), people=1)
    assert why_not_encodable(**ok) is None
    assert why_not_encodable(**{**ok, "case_number": "历史-001"})
    assert why_not_encodable(**{**ok, "case_number": "350881101-2026-00017"})     # another unit's number
    assert why_not_encodable(**{**ok, "query_code": "ABC"})
    assert why_not_encodable(**{**ok, "people": 0})
    assert why_not_encodable(**{**ok, "received": date(1999, 12, 31)})


@given(unit=st.integers(0, 10**12 - 1).map(lambda n: f"{n:012d}"),
       year=st.integers(2000, 2255), seq=st.integers(1, 2**24 - 1),
       query=st.text(QUERY_ALPHABET, min_size=8, max_size=8),
       received=st.dates(date(2000, 1, 1), date(2179, 1, 1)),
       entered=st.datetimes(datetime(2000, 1, 1), datetime(2136, 1, 1)).map(lambda d: d.replace(microsecond=0)),
       people=st.integers(1, 65535), salt=st.binary(min_size=6, max_size=6), digest=st.binary(min_size=12, max_size=12),
       tag=st.binary(min_size=2, max_size=2), signature=st.binary(min_size=64, max_size=64))
def test_every_statement_round_trips(unit, year, seq, query, received, entered, people, salt, digest, tag, signature):
    number = f"{unit[:9]}-{year}-{seq:05d}"
    s = ReceiptStatement(unit, number, query, received, entered, people, salt, digest, tag)
    r = SignedReceipt(s, signature)
    assert parse_receipt_text(r.text()) == r
    assert base64.b32decode(r.text()[3:] + "=")[:43] == s.to_bytes()
