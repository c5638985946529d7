"""The pure rule of person identity (issue 13; 个人信息保护法第八条, 第四十六条): what differs, what a
choice does, and how the two versions are shown."""

from __future__ import annotations

import pytest

from xinfang_desktop.domain.errors import InvalidInput

ID = "11010519491231002X"


def test_an_empty_given_field_never_erases_and_an_empty_registered_field_is_a_fill_pipl_8():
    from xinfang_desktop.domain.person_identity import PersonDetails, differences

    registered = PersonDetails("赵六", ID, phone="13812345678", address=None, township_code="350881102000")
    given = PersonDetails("赵六", ID, phone=None, address="永福镇李庄村3组", township_code="350881102000")
    [d] = differences(registered, given)
    assert (d.field, d.registered, d.given, d.is_conflict) == ("address", None, "永福镇李庄村3组", False)
    assert differences(registered, registered) == ()


def test_a_conflict_needs_a_choice_and_each_choice_does_one_thing_pipl_46():
    from xinfang_desktop.domain.person_identity import PersonChoice, PersonDetails, settle

    registered = PersonDetails("赵六", ID, phone="13812345678")
    given = PersonDetails("孙七", ID, phone="13812345678", address="永福镇")
    with pytest.raises(ValueError):
        settle(registered, given, None)
    assert settle(registered, given, PersonChoice.USE).action == "link"
    corrected = settle(registered, given, PersonChoice.CORRECT)
    assert (corrected.action, corrected.revision, [d.field for d in corrected.changes]) == (
        "update", "correct", ["name", "address"])
    assert settle(registered, given, PersonChoice.SEPARATE).action == "separate"
    # Without a conflict the choice is not consulted: a fill where this unit may write, else a link.
    filled = settle(registered, PersonDetails("赵六", ID, address="永福镇"), PersonChoice.SEPARATE)
    assert (filled.action, filled.revision) == ("update", "fill")
    assert settle(registered, PersonDetails("赵六", ID, address="永福镇"), None, writable=False).action == "link"
    assert settle(None, given, None).action == "new"


def test_choices_parse_from_their_values_and_labels():
    from xinfang_desktop.domain.person_identity import PersonChoice

    assert PersonChoice.parse("separate") is PersonChoice.SEPARATE
    assert PersonChoice.parse("更正已登记的信访人") is PersonChoice.CORRECT
    assert PersonChoice.parse("  ") is None and PersonChoice.parse(None) is None
    with pytest.raises(InvalidInput, match="use"):
        PersonChoice.parse("rename")


def test_both_versions_are_shown_masked_with_the_differing_places_named():
    from xinfang_desktop.domain.person_identity import ConflictRow, PersonConflict, PersonDetails, differences

    registered = PersonDetails("赵六", ID, phone="13812345678", address="李庄村3组", village_code="350881102201")
    given = PersonDetails("孙七", ID, phone="13900001111", village_code="350881102202")
    row = ConflictRow(1, "p1", registered, given, differences(registered, given), petitioners=2)
    err = PersonConflict([row], place={"350881102201": "李庄村", "350881102202": "西洋村"}.get)
    assert err.field == "petitioners[1].id_number"
    assert err.details() == [
        "第2名信访人的身份证号码 110105********002X 已登记为“赵六”，本次填写的姓名、电话、村（社区）与登记的不同：",
        "  已登记：姓名 赵六，身份证号码 110105********002X，电话 138****5678，住址 李庄村3组，村（社区） 李庄村",
        "  本次填写：姓名 孙七，身份证号码 110105********002X，电话 139****1111，住址 （未填），村（社区） 西洋村"]
