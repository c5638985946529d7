from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.idcard import (
    IdCard,
    InvalidIdNumber,
    check_character,
    is_valid_id_number,
    mask_id_number,
    parse_id_number,
)

TODAY = date(2026, 11, 26)
PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]


@st.composite
def id_numbers(draw):
    province = draw(st.sampled_from(PROVINCES))
    rest = draw(st.integers(1, 9999))
    birth = draw(st.dates(date(1890, 1, 1), TODAY))
    seq = draw(st.integers(0, 999))
    first17 = f"{province:02d}{rest:04d}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def test_reference_number():
    card = parse_id_number("11010519491231002X", today=TODAY)
    assert card == IdCard("11010519491231002X", "110105", date(1949, 12, 31), "女")


def test_normalises_spaces_full_width_and_lower_x():
    assert parse_id_number(" １１０１０５ 1949 1231 002ｘ ", today=TODAY).number == "11010519491231002X"
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_sex_from_the_sequence_digit():
    first17 = "35088119800101001"
    assert parse_id_number(first17 + check_character(first17), today=TODAY).sex == "男"


@settings(max_examples=200, deadline=None)
@given(id_numbers())
def test_generated_numbers_are_valid(number):
    card = parse_id_number(number, today=TODAY)
    assert card.number == number
    assert card.birth_date.strftime("%Y%m%d") == number[6:14]
    assert card.sex == ("男" if int(number[16]) % 2 else "女")


@settings(max_examples=60, deadline=None)
@given(id_numbers(), st.data())
def test_every_single_character_change_is_refused(number, data):
    pos = data.draw(st.integers(0, 17))
    alphabet = "0123456789X"
    new = data.draw(st.sampled_from([c for c in alphabet if c != number[pos]]))
    changed = number[:pos] + new + number[pos + 1:]
    with pytest.raises(InvalidIdNumber):
        parse_id_number(changed, today=TODAY)
    assert not is_valid_id_number(changed, today=TODAY)


def test_every_single_character_change_of_the_reference_is_refused_exhaustively():
    number = "11010519491231002X"
    for pos in range(18):
        for c in "0123456789X":
            if c != number[pos]:
                assert not is_valid_id_number(number[:pos] + c + number[pos + 1:], today=TODAY)


def _message(text):
    with pytest.raises(InvalidIdNumber) as exc:
        parse_id_number(text, today=TODAY)
    assert exc.value.field == "id_number"
    assert isinstance(exc.value, InvalidInput)
    return exc.value.message


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "为空"),
        ("110105491231002", "15位的旧身份证号码"),
        ("1101051949123100", "现在是16位"),
        ("1101051949123100Y2", "第17位“Y”"),
        ("X1010519491231002X", "第1位“X”"),
        ("99010519491231002X", "“99”不是有效的省级地区代码"),
        ("350000198001010011", "“350000”不是有效的县级地区代码"),
        ("110105194902300021", "“19490230”不是有效的出生日期"),
        ("110105203001010011", "晚于今天"),
        ("110105188912310011", "早于1890年"),
        ("110105194912310021", "应为“X”，现为“1”"),
    ],
)
def test_each_fault_has_its_own_message(text, fragment):
    assert fragment in _message(text)


def test_checks_come_in_order_length_before_characters():
    assert "现在是5位" in _message("ABCDE")


def test_today_defaults_to_the_real_date():
    assert parse_id_number("11010519491231002X").birth_date == date(1949, 12, 31)


def test_check_character_reference_and_bad_input():
    assert check_character("11010519491231002") == "X"
    with pytest.raises(InvalidInput):
        check_character("1234")


def test_mask():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("110105491231002") == "***********1002"
    assert mask_id_number("123") == "***"
    assert mask_id_number("") == ""
