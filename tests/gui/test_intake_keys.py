"""The intake fixes of issue 15, each driven by the keyboard (Chinese through input-method commits):
no stale error on the fresh form, pinyin initials in the 相同人员 panel, Enter moves on, Ctrl+N asks,
a name box for long names, the time labelled by how the petition came, the saved case one click away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QMessageBox

from tests.conftest import make_registration
from tests.gui.modal import answer, click_button
from tests.gui.test_intake_page import Keyboard


def test_after_saving_from_the_request_the_fresh_form_shows_no_error(qtbot, intake_page, receipts):
    page, kb = intake_page, Keyboard(qtbot)
    kb.chinese_text("欧阳娜娜")
    page.category.set_code("0402")
    page.request.setFocus()
    kb.chinese_text("要求支付工资")
    kb.key(Qt.Key_S, Qt.ControlModifier)                  # saved from 诉求
    assert page.saved_case is not None and page.is_blank()
    assert kb.focus() is page.rows[0].name
    assert page.errors["request"].isHidden() and page.summary.isHidden()
    assert not any(label.isVisible() for label in page.errors.values())
    assert page.rows[0].errors.isHidden()


def test_pinyin_initials_find_the_person_in_the_side_panel(qtbot, intake_page, services, clerk):
    from xinfang_desktop.domain.petition import PetitionerInput

    services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name="王红丽", phone="13700000000")]))
    services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name="张伟", phone="13900000001")]))
    kb = Keyboard(qtbot)
    kb.type("whl")                                           # the name box, typed without an input method
    qtbot.waitUntil(lambda: len(intake_page.matches.items()) >= 1, timeout=30_000)
    person = intake_page.matches.items()[0]
    assert "王红丽" in person.text(0) and "张伟" not in " ".join(i.text(0) for i in intake_page.matches.items())
    kb.key(Qt.Key_F4)
    kb.key(Qt.Key_J, Qt.AltModifier)                         # 填入信访人
    row = intake_page.rows[0]
    qtbot.waitUntil(lambda: row.person_id is not None, timeout=30_000)
    assert row.name.text() == "王红丽" and row.phone.text() == "13700000000"


def test_enter_moves_to_the_next_field_and_makes_a_new_line_in_the_texts(qtbot, intake_page):
    page, kb = intake_page, Keyboard(qtbot)
    row = page.rows[0]
    kb.chinese_text("欧阳娜娜")
    kb.key(Qt.Key_Return)
    assert kb.focus() is row.id_number
    kb.type("11010519491231002X")
    kb.key(Qt.Key_Enter)                                     # the keypad's Enter too
    assert kb.focus() is row.phone
    assert row.born.text() == "1949-12-31" and row.sex.currentData() == "女"  # read from the number
    kb.key(Qt.Key_K, Qt.AltModifier)
    kb.type("qx")
    kb.key(Qt.Key_Return)                                    # takes the hit and moves on
    assert page.category.code == "0402" and kb.focus() is page.concerned_unit
    kb.key(Qt.Key_Return)
    assert kb.focus() is page.request
    kb.chinese_text("第一行")
    kb.key(Qt.Key_Return)                                    # in 诉求, Enter is a new line
    kb.chinese_text("第二行")
    assert kb.focus() is page.request and page.request.toPlainText() == "第一行\n第二行"


def test_ctrl_n_asks_before_dropping_a_form_with_text(qtbot, intake_page):
    page, kb = intake_page, Keyboard(qtbot)

    def back_in_the_window() -> None:        # the offscreen platform does not reactivate it after a dialog
        page.activateWindow()
        qtbot.waitUntil(page.isActiveWindow, timeout=30_000)

    kb.chinese_text("欧阳娜娜")
    seen = answer(QMessageBox, click_button(qtbot, "继续填写"))
    kb.key(Qt.Key_N, Qt.ControlModifier)
    assert seen == ["放弃这份登记？"] and page.rows[0].name.text() == "欧阳娜娜"
    back_in_the_window()
    assert kb.focus() is page.rows[0].name                  # where the clerk was typing
    seen = answer(QMessageBox, lambda box: qtbot.keyClick(box, Qt.Key_Escape))
    kb.key(Qt.Key_N, Qt.ControlModifier)
    assert seen == ["放弃这份登记？"] and page.rows[0].name.text() == "欧阳娜娜"   # Esc keeps it too
    back_in_the_window()
    seen = answer(QMessageBox, click_button(qtbot, "放弃并新登记"))
    kb.key(Qt.Key_N, Qt.ControlModifier)
    assert seen == ["放弃这份登记？"] and page.is_blank()
    back_in_the_window()
    kb.key(Qt.Key_N, Qt.ControlModifier)                    # a blank form: nothing to ask
    assert page.is_blank()


def test_leaving_the_page_keeps_the_form_and_writes_its_draft_at_once(qtbot, intake_page, services, admin):
    from xinfang_desktop.services.drafts import DraftService

    page, kb = intake_page, Keyboard(qtbot)
    kb.chinese_text("欧阳娜娜")
    page.hide()                                              # another page is chosen
    draft = services.get(DraftService).load(admin)
    assert draft is not None and draft.data["petitioners"][0]["name"] == "欧阳娜娜"
    page.show()
    assert page.rows[0].name.text() == "欧阳娜娜"


def test_the_name_box_shows_a_long_name(qtbot, intake_page):
    name = intake_page.rows[0].name
    long_name = "阿卜杜热合曼·买买提"                      # ten characters, as a minority name is written
    assert name.width() >= QFontMetrics(name.font()).horizontalAdvance(long_name) + 8     # and the box's padding


def test_the_time_is_named_by_how_the_petition_came(qtbot, intake_page):
    page, kb = intake_page, Keyboard(qtbot)
    assert page.received_label.text().startswith("来访时间")
    kb.key(Qt.Key_F, Qt.AltModifier)                         # 信访方式(&F)
    assert kb.focus() is page.channel
    for key, label in ((Qt.Key_Down, "收信时间"), (Qt.Key_Down, "来电时间"), (Qt.Key_Home, "来访时间")):
        kb.key(key)
        assert page.received_label.text().startswith(label), label
    assert page.received_label.buddy() is page.received


def test_the_saved_banner_opens_the_case_just_registered(qtbot, app_ctx, receipts):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.gui.pages.case_view import CaseViewPage

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    window.show_page("intake")
    page = window.pages["intake"]
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: page.rows[0].name.hasFocus(), timeout=30_000)
    kb = Keyboard(qtbot)
    kb.chinese_text("欧阳娜娜")
    page.category.set_code("0402")
    page.request.setFocus()
    kb.chinese_text("要求支付工资")
    kb.key(Qt.Key_S, Qt.ControlModifier)
    assert page.saved_banner.isVisible() and page.open_saved.isVisible()
    kb.key(Qt.Key_O, Qt.AltModifier)                         # 打开该事项(&O)
    qtbot.waitUntil(lambda: isinstance(window.stack.currentWidget(), CaseViewPage), timeout=30_000)
    view = window.stack.currentWidget()
    assert view.detail is not None and view.detail.row.number == page.saved_case.number
    window.activateWindow()                                   # a busy offscreen platform may not have yet
    qtbot.waitUntil(view.hasFocus, timeout=30_000)           # the opened case has the keyboard
    kb.key(Qt.Key_Escape)                                    # back to where it was opened from
    assert window.stack.currentWidget() is page
    assert window.nav.currentItem().text() == "登记"
