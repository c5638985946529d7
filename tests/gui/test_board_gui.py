"""The board page as a leader uses it: a red card, open the case, record a mediation with an
agreement, the reply turns the card green, the follow-up takes the person off the board."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QComboBox

from tests.conftest import make_registration
from tests.gui.test_login_and_case import commit_text
from xinfang_desktop.domain.board import Colour
from xinfang_desktop.domain.workflow import EventKind


def press(view, key: str) -> None:
    """Click the case view's button for action `key` (as registered in the case-action registry)."""
    from xinfang_desktop.gui.case_actions import actions_for

    button = getattr(view, "action_buttons", {}).get(key)
    if button is not None:
        button.click()
        return
    action = next(a for a in actions_for(view.detail, view.ctx.actor) if a.key == key)
    action.run(view, view.ctx, view.detail, view.reload)


def last_form(parent):
    from xinfang_desktop.gui.attention_forms import FormDialog

    forms = [f for f in parent.findChildren(FormDialog) if f.isVisible()]
    assert forms, "no form dialog open"
    return forms[-1]


def choose(combo: QComboBox, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


@pytest.fixture
def window(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import MainWindow

    def make():
        w = MainWindow(app_ctx)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w, timeout=30_000)
        w.show_page("board")
        return w

    return make


def test_red_card_to_mediation_reply_green_and_follow_up_off_the_board(qtbot, window, services, clerk, handler,
                                                                        admin, clock, monkeypatch):
    shown = {}
    monkeypatch.setattr("xinfang_desktop.gui.print_preview.show_document",
                        lambda parent, rendered, file_name, **kw: shown.update(rendered=rendered, name=file_name))
    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    clock.advance(days=65)                        # the handling limit (2027-01-04) has passed
    w = window()
    page = w.pages["board"]
    red = page.columns[Colour.RED]
    assert red.header.text() == "▲红　1件"
    assert [c.name for c in page.visible_cards(Colour.RED)] == ["欧阳娜娜"]
    text = red.model.index(0).data()
    assert "▲红　劳动和社会保障/劳动关系" in text and ref.number in text
    assert "110105" not in text and "欧阳娜娜：要求追讨拖欠的工资" in text
    assert "· 办理期限已于2027-01-04届满（超期2天）" in text and "责任：镇信访办（承办）" in text
    assert "不记录信访人的行踪" in page.help.text()

    red.view.clicked.emit(red.model.index(0))           # a click opens the case
    view = w.case_view
    assert w.stack.currentWidget() is view and view.detail.row.number == ref.number

    press(view, "attention.mediation")
    form = last_form(view)
    commit_text(form.editor("place"), "永福镇人民调解委员会")
    commit_text(form.editor("mediators"), "陈调解（人民调解员）、林律师（律师）")
    commit_text(form.editor("discussion"), "双方就拖欠工资数额和支付期限协商")
    choose(form.editor("outcome"), "agreement")
    form.accept()
    assert "请填写协议内容" in form.errors["agreement"].text()       # refused where it is, nothing written
    commit_text(form.editor("agreement"), "某公司于2027年1月15日前支付工资18600元。")
    form.accept()
    assert not form.isVisible()
    from xinfang_desktop.services.mediation import MediationService

    sessions = services.get(MediationService).of_case(ref.number)
    assert [s.mediators[1].role for s in sessions] == ["律师"]
    agreement = shown["rendered"]                       # the agreement opened in the print preview
    assert agreement.title == "调解协议书" and shown["name"] == "调解协议书.pdf"
    assert "某公司于2027年1月15日前支付工资18600元" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(agreement.pdf)).pages).replace("\n", "")

    services.cases.act(handler, ref.number, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "支持", "text": "依调解协议支付工资"})
    page.reload()
    assert page.visible_cards(Colour.RED) == []
    green = page.columns[Colour.GREEN]
    assert green.header.text() == "○绿　1件"
    assert "已于2027-01-06书面答复，待回访（回访期限2027-02-05）" in green.model.index(0).data()

    view.reload()
    press(view, "attention.followup")
    form = last_form(view)
    choose(form.editor("rating"), "satisfied")
    commit_text(form.editor("notes"), "工资已到账，信访人满意")
    form.accept()
    assert not form.isVisible()
    page.reload()
    assert all(page.visible_cards(c) == [] for c in Colour)
    assert page.count_label.text().endswith("共0件")


def test_filters_override_and_print(qtbot, window, services, clerk, handler, admin, clock, monkeypatch):
    from xinfang_desktop.domain.petition import PetitionerInput

    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    services.cases.register(clerk, make_registration(
        category_code="0301", request="反映道路施工影响出行",
        petitioners=[PetitionerInput(name="张伟", phone="13700000000", township_code="350881104000")]))
    w = window()
    page = w.pages["board"]
    assert {c.name for c in page.visible_cards(Colour.YELLOW)} == {"欧阳娜娜", "张伟"}
    choose(page.township, "350881104000")
    assert [c.name for c in page.visible_cards(Colour.YELLOW)] == ["张伟"] and page.count_label.text().endswith("共1件")
    choose(page.township, None)
    choose(page.category, "04")
    assert [c.name for c in page.visible_cards(Colour.YELLOW)] == ["欧阳娜娜"]
    choose(page.category, None)
    choose(page.colour, "B")
    assert not page.columns[Colour.YELLOW].isVisibleTo(page) and page.columns[Colour.ORANGE].isVisibleTo(page)
    choose(page.colour, None)

    card = next(c for c in page.visible_cards(Colour.YELLOW) if c.name == "欧阳娜娜")
    dialog = page.override_dialog(card)
    choose(dialog.editor("colour"), "A")
    commit_text(dialog.editor("reason"), "信访人情绪激动，需领导当面约谈")
    dialog.accept()
    assert [c.name for c in page.visible_cards(Colour.RED)] == ["欧阳娜娜"]
    assert "✎ 领导调整（按规则为●黄）：信访人情绪激动，需领导当面约谈" in page.columns[Colour.RED].model.index(0).data()

    shown = {}
    monkeypatch.setattr("xinfang_desktop.gui.print_preview.show_document",
                        lambda parent, rendered, file_name, **kw: shown.update(rendered=rendered, name=file_name))
    page.print_button.click()
    pdf = PdfReader(io.BytesIO(shown["rendered"].pdf))
    assert float(pdf.pages[0].mediabox.width) > float(pdf.pages[0].mediabox.height)
    text = "".join(p.extract_text() for p in pdf.pages).replace("\n", "")
    assert "欧阳娜娜" in text and "信访人情绪激动" in text and shown["name"].startswith("四色看板-")
