"""The intake page when a petitioner's ID number is registered under another name (issue 13): saving
shows both versions side by side with the three choices as buttons; 取消 keeps the form as typed; a
person picked in the 相同人员 panel is no conflict."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.conftest import make_registration
from tests.gui.test_intake_page import Keyboard
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.store.models import AuditEntry, Case, CaseParty, Person

@pytest.fixture
def page(intake_page):
    return intake_page


ID = "11010519491231002X"


def register_zhao(services, clerk):
    return services.cases.register(clerk, make_registration(
        category_code="1501", request="检举村干部侵占集体土地补偿款",
        petitioners=[PetitionerInput(name="赵六", id_number=ID, phone="13812345678", address="永福镇李庄村3组15号",
                                     township_code="350881102000")]))


def type_sun(qtbot, page) -> Keyboard:
    """孙七 comes with 赵六's card, about another matter."""
    kb = Keyboard(qtbot)
    kb.chinese_text("孙七")
    kb.key(Qt.Key_Tab)
    kb.type(ID)
    kb.key(Qt.Key_Tab)
    kb.type("13900001111")
    page.category.set_code("1501")
    page.request.setFocus()
    kb.chinese_text("检举村干部违规发放低保")
    return kb


def dialog_of(qtbot, page):
    def shown() -> bool:
        dialog = getattr(page, "conflict_dialog", None)
        return dialog is not None and dialog.isVisible()

    qtbot.waitUntil(shown, timeout=30_000)
    return page.conflict_dialog


def cells(dialog) -> dict[str, tuple[str, str]]:
    t = dialog.table
    return {t.verticalHeaderItem(i).text(): (t.item(i, 0).text(), t.item(i, 1).text()) for i in range(t.rowCount())}


def counts() -> tuple:
    return (Case.select().count(), Person.select().count(), CaseParty.select().count(), AuditEntry.select().count(),
            [(p.name, p.phone, p.version) for p in Person.select().order_by(Person.created_at, Person.name)])


def test_saving_shows_both_versions_and_cancel_keeps_the_form_as_typed_30_3(qtbot, page, receipts, services, clerk):
    """第三十条第三款: saving 孙七 with 赵六's ID number does not rename the accuser; the clerk sees both."""
    register_zhao(services, clerk)
    before = counts()
    kb = type_sun(qtbot, page)
    typed = page.form_state()
    kb.key(Qt.Key_S, Qt.ControlModifier)
    dialog = dialog_of(qtbot, page)
    shown = cells(dialog)
    assert shown["姓名"] == ("赵六", "孙七")
    assert shown["身份证号码"] == ("110105********002X", "110105********002X")
    assert shown["电话"] == ("138****5678", "139****1111")
    assert shown["住址"] == ("永福镇李庄村3组15号", "（未填）")
    assert "已登记为“赵六”" in dialog.heading.text() and dialog.windowTitle() == "信访人信息与已登记的不一致"
    assert all(b.isEnabled() for b in dialog.buttons.values())
    assert counts() == before and receipts == []            # nothing written while the clerk decides
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.conflict_dialog is None, timeout=30_000)
    assert page.saved_case is None and counts() == before
    assert page.form_state() == typed                      # the form as typed
    assert page.summary.isVisible() and "已取消" in page.summary.text()
    assert "赵六" in page.rows[0].errors.text()
    assert page.rows[0].name.hasFocus()

    # Saving again asks again; the ID card is someone else's: 孙七 is registered apart, without it.
    from xinfang_desktop.domain.person_identity import PersonChoice

    kb.key(Qt.Key_S, Qt.ControlModifier)
    dialog = dialog_of(qtbot, page)
    qtbot.mouseClick(dialog.buttons[PersonChoice.SEPARATE], Qt.LeftButton)
    qtbot.waitUntil(lambda: page.saved_case is not None, timeout=30_000)
    case = Case.get(Case.number == page.saved_case.number)
    [party] = CaseParty.select().where(CaseParty.case == case)
    assert (party.person.name, party.person.id_number, party.person.phone) == ("孙七", None, "13900001111")
    zhao = Person.get(Person.name == "赵六")
    assert (zhao.id_number, zhao.phone, zhao.version) == (ID, "13812345678", 1)
    assert len(receipts) == 1


def test_correct_button_corrects_the_registered_person(qtbot, page, receipts, services, clerk):
    register_zhao(services, clerk)
    kb = Keyboard(qtbot)
    kb.chinese_text("赵六")
    kb.key(Qt.Key_Tab)
    kb.type(ID)
    kb.key(Qt.Key_Tab)
    kb.type("13700002222")                                  # his new phone
    page.category.set_code("0402")
    page.request.setFocus()
    kb.chinese_text("要求支付拖欠工资")
    kb.key(Qt.Key_S, Qt.ControlModifier)
    dialog = dialog_of(qtbot, page)
    assert cells(dialog)["电话"] == ("138****5678", "137****2222")
    from xinfang_desktop.domain.person_identity import PersonChoice

    qtbot.mouseClick(dialog.buttons[PersonChoice.CORRECT], Qt.LeftButton)
    qtbot.waitUntil(lambda: page.saved_case is not None, timeout=30_000)
    person = Person.get()
    assert (Person.select().count(), person.phone, person.version) == (1, "13700002222", 2)
    [h] = services.queries.detail(clerk, page.saved_case.number).parties[0].history
    assert h.text == "电话 138****5678→137****2222"


def test_a_person_picked_in_the_side_panel_saves_without_asking(qtbot, page, receipts, services, clerk):
    register_zhao(services, clerk)
    kb = Keyboard(qtbot)
    kb.key(Qt.Key_Tab)
    kb.type(ID)
    qtbot.waitUntil(lambda: len(page.matches.items()) == 2, timeout=30_000)
    kb.key(Qt.Key_F4)
    kb.key(Qt.Key_J, Qt.AltModifier)                       # 填入信访人
    qtbot.waitUntil(lambda: page.rows[0].person_id is not None, timeout=30_000)
    page.category.set_code("1501")
    page.request.setFocus()
    kb.chinese_text("再次检举")
    before = Person.get().version
    kb.key(Qt.Key_S, Qt.ControlModifier)
    qtbot.waitUntil(lambda: page.saved_case is not None, timeout=30_000)
    assert getattr(page, "conflict_dialog", None) is None
    assert Person.select().count() == 1 and Person.get().version == before
