import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.numbers import (
    QUERY_ALPHABET,
    format_case_number,
    looks_like_query_code,
    new_query_code,
    normalize_query_code,
    parse_case_number,
)
from xinfang_desktop.domain.phones import InvalidPhone, PhoneNumber, mask_phone, parse_phone


@pytest.mark.parametrize(
    "text, expected",
    [
        ("13812345678", PhoneNumber("13812345678", "mobile")),
        ("138 1234 5678", PhoneNumber("13812345678", "mobile")),
        ("138-1234-5678", PhoneNumber("13812345678", "mobile")),
        ("１３８１２３４５６７８", PhoneNumber("13812345678", "mobile")),
        ("+86 138 1234 5678", PhoneNumber("13812345678", "mobile")),
        ("008613812345678", PhoneNumber("13812345678", "mobile")),
        ("8613812345678", PhoneNumber("13812345678", "mobile")),
        ("0597-7531234", PhoneNumber("0597-7531234", "landline")),
        ("05977531234", PhoneNumber("0597-7531234", "landline")),
        ("(0597) 7531234", PhoneNumber("0597-7531234", "landline")),
        ("010-87654321", PhoneNumber("010-87654321", "landline")),
        ("021 6123 4567", PhoneNumber("021-61234567", "landline")),
        ("0597-7531234-123", PhoneNumber("0597-7531234转123", "landline")),
        ("0597-7531234转123", PhoneNumber("0597-7531234转123", "landline")),
        ("0597 7531234 ext 8", PhoneNumber("0597-7531234转8", "landline")),
        ("+86 597 7531234", PhoneNumber("0597-7531234", "landline")),
    ],
)
def test_parse_phone_accepts(text, expected):
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "为空"),
        ("7531234", "请加上区号"),
        ("75312345", "请加上区号"),
        ("1381234567", "应为11位数字，现在是10位"),
        ("12812345678", "第二位应为3至9"),
        ("0597-75312", "应为7或8位，现在是5位"),
        ("0597-0531234", "不能以0开头"),
        ("138abc45678", "无效字符“a”"),
        ("+1 415 555 0100", "只支持中国大陆"),
        ("13812345678转12", "没有分机号"),
    ],
)
def test_parse_phone_refuses(text, fragment):
    with pytest.raises(InvalidPhone) as exc:
        parse_phone(text)
    assert fragment in exc.value.message
    assert exc.value.field == "phone"


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0597-7531234") == "0597-*****34"
    assert mask_phone("010-87654321转12") == "010-******21"
    assert mask_phone("12345") == "***45"


@settings(max_examples=100, deadline=None)
@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_any_mobile_round_trips(second, rest):
    number = "1" + second + rest
    assert parse_phone(f"+86 {number[:3]} {number[3:7]} {number[7:]}") == PhoneNumber(number, "mobile")


def test_case_number_example_and_long_sequence():
    assert format_case_number("350881102000", 2026, 17) == "350881102-2026-00017"
    assert format_case_number("350881102000", 2026, 123456) == "350881102-2026-123456"


@settings(max_examples=100, deadline=None)
@given(st.text("0123456789", min_size=12, max_size=12), st.integers(1900, 9999), st.integers(1, 10**7))
def test_case_number_round_trip(unit, year, seq):
    assert parse_case_number(format_case_number(unit, year, seq)) == (unit[:9], year, seq)


@pytest.mark.parametrize(
    "args", [("35088110200", 2026, 1), ("35088110200X", 2026, 1), ("350881102000", 26, 1), ("350881102000", 2026, 0)]
)
def test_format_case_number_refuses(args):
    with pytest.raises(InvalidInput):
        format_case_number(*args)


@pytest.mark.parametrize(
    "text",
    ["", "350881102-2026-0017", "350881102-2026-000017", "35088110-2026-00017", "350881102-2026-00000",
     "350881102-0999-00001", "x"],
)
def test_parse_case_number_refuses(text):
    with pytest.raises(InvalidInput) as exc:
        parse_case_number(text)
    assert "350881102-2026-00017" in exc.value.message


def test_parse_case_number_tolerates_spaces_and_full_width():
    assert parse_case_number(" ３５０８８１１０２－2026－00017 ") == ("350881102", 2026, 17)


def test_query_alphabet_has_no_ambiguous_characters():
    assert not set("0O1IL") & set(QUERY_ALPHABET)
    assert len(set(QUERY_ALPHABET)) == len(QUERY_ALPHABET) == 31


@settings(max_examples=100, deadline=None)
@given(st.randoms(use_true_random=False))
def test_query_codes_use_only_the_alphabet(rnd):
    code = new_query_code(rnd.randrange)
    assert len(code) == 8 and set(code) <= set(QUERY_ALPHABET)
    assert looks_like_query_code(code)


def test_default_query_codes_are_random_and_valid():
    codes = {new_query_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(set(c) <= set(QUERY_ALPHABET) and len(c) == 8 for c in codes)


def test_deterministic_query_codes_for_demo_data():
    assert new_query_code(random.Random(7).randrange) == new_query_code(random.Random(7).randrange)
    assert new_query_code(lambda n: 0) == "22222222"
    assert new_query_code(lambda n: n - 1) == "ZZZZZZZZ"


def test_normalize_query_code():
    assert normalize_query_code(" abcd-efgh ") == "ABCDEFGH"
    assert normalize_query_code("ＡＢＣＤ ＥＦＧＨ") == "ABCDEFGH"
    with pytest.raises(InvalidInput) as exc:
        normalize_query_code("ABCD-EFG0")
    assert "“0”" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        normalize_query_code("ABCDEFG")
    assert "应为8位" in exc.value.message
    assert not looks_like_query_code("ABCDEFGI")
    assert not looks_like_query_code("")
