"""性别 on the intake form (issue 15), by the keyboard: chosen with a digit when there is no ID number,
skipped by Tab and read from the number when there is one, and an ID number typed later that says
another sex overrides the choice and says so."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.test_intake_page import Keyboard
from xinfang_desktop.store.models import Person

MALE_ID = "110105194912310010"       # 17th digit 1: male (check character computed below)


def male_id() -> str:
    from xinfang_desktop.domain.idcard import check_character

    return MALE_ID[:17] + check_character(MALE_ID[:17])


def test_without_an_id_number_the_sex_is_chosen_with_a_digit_and_registered(qtbot, intake_page, receipts):
    page, kb = intake_page, Keyboard(qtbot)
    row = page.rows[0]
    kb.chinese_text("李秀英")
    kb.key(Qt.Key_Tab)
    assert kb.focus() is row.id_number
    kb.key(Qt.Key_Tab)                                   # no ID number: the next stop is 性别
    assert kb.focus() is row.sex and row.sex.isEnabled()
    kb.type("2")
    assert row.sex.currentText() == "2 女"
    kb.key(Qt.Key_Tab)
    assert kb.focus() is row.phone
    kb.type("13912345678")
    page.category.set_code("0402")
    page.request.setFocus()
    kb.chinese_text("要求支付工资")
    kb.key(Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: page.saved_case is not None, timeout=30_000)
    assert Person.get(Person.name == "李秀英").sex == "女"
    assert len(receipts) == 1


def test_with_an_id_number_tab_skips_the_sex_which_the_number_decides(qtbot, intake_page):
    page, kb = intake_page, Keyboard(qtbot)
    row = page.rows[0]
    kb.chinese_text("欧阳娜娜")
    kb.key(Qt.Key_Tab)
    kb.type("11010519491231002X")
    kb.key(Qt.Key_Tab)
    assert kb.focus() is row.phone                       # the walk-in with a card pays no key for 性别
    assert row.sex.currentData() == "女" and not row.sex.isEnabled()
    reg, _ = page.registration()
    assert reg.petitioners[0].sex is None                # the number decides, in the domain too


def test_an_id_number_typed_later_overrides_the_choice_and_says_so(qtbot, intake_page):
    page, kb = intake_page, Keyboard(qtbot)
    row = page.rows[0]
    kb.chinese_text("王芳")
    kb.key(Qt.Key_Tab)
    kb.key(Qt.Key_Tab)
    kb.type("2")                                         # 女, by hand
    kb.key(Qt.Key_I, Qt.AltModifier)                     # back to 身份证号(&I)
    assert kb.focus() is row.id_number
    kb.type(male_id())
    kb.key(Qt.Key_Tab)
    assert row.sex.currentData() == "男" and not row.sex.isEnabled()
    assert row.sex_note.isVisible() and "身份证号码显示为男" in row.sex_note.text() and "原选女" in row.sex_note.text()
    # The number cleared again: the choice by hand is back, and may be changed.
    row.id_number.setFocus()
    row.id_number.selectAll()
    kb.key(Qt.Key_Delete)
    assert row.sex.isEnabled() and row.sex.currentData() == "女" and not row.sex_note.isVisible()


def test_a_walk_in_by_tab_alone_passes_no_button_between_the_row_and_the_matter(qtbot, intake_page):
    """From the address, Tab reaches 代表人 then 人数: the 添加信访人 button is Ctrl+Enter, not a Tab stop."""
    page, kb = intake_page, Keyboard(qtbot)
    row = page.rows[0]
    row.address.setFocus()
    kb.key(Qt.Key_Tab)
    assert kb.focus() is row.rep
    kb.key(Qt.Key_Tab)
    assert kb.focus() is page.people_count
    kb.key(Qt.Key_Tab)
    assert kb.focus() is page.category.edit
    assert kb.keys == 3
