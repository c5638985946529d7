"""The 调解 and 接访 pages: a correction keeps the original; the reception summary adds up."""

from __future__ import annotations

from datetime import date

from tests.conftest import make_registration
from tests.gui.test_board_gui import choose
from tests.gui.test_login_and_case import commit_text


def test_mediation_page_new_entry_and_correction(qtbot, app_ctx, services, clerk):
    from xinfang_desktop.gui.pages.mediation import MediationPage

    ref = services.cases.register(clerk, make_registration())
    page = MediationPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    form = page.add()
    commit_text(form.editor("case").entry, ref.number)
    commit_text(form.editor("place"), "镇调解室")
    commit_text(form.editor("mediators"), "陈调解")
    commit_text(form.editor("discussion"), "初次调解，双方意见分歧较大")
    form.accept()
    assert form.errors["parties"].text() == "请填写到场的当事人"
    commit_text(form.editor("parties"), "欧阳娜娜")
    choose(form.editor("outcome"), "none")
    commit_text(form.editor("next_session"), "2026-11-01")
    form.accept()
    assert "下次调解日期应晚于本次调解日期" in form.errors["next_session"].text(), form.message.text()
    form.editor("next_session").clear()
    commit_text(form.editor("next_session"), "2026-11-09")
    form.accept()
    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == ref.number
    page.table.selectRow(0)
    assert not page.print_button.isEnabled()                 # no agreement, nothing to sign
    fix = page.correct()
    assert fix.editor("place").text() == "镇调解室"          # the form starts from the entry corrected
    fix.editor("place").clear()
    commit_text(fix.editor("place"), "镇综治中心")
    fix.accept()
    assert [page.table.item(i, 3).text() for i in range(page.table.rowCount())] == ["镇综治中心"]
    page.show_corrected.setChecked(True)
    states = sorted(page.table.item(i, 8).text() for i in range(page.table.rowCount()))
    assert states == ["已被更正", "更正记录"]


def test_reception_page_records_and_sums(qtbot, app_ctx, services, clerk):
    from xinfang_desktop.gui.pages.reception import ReceptionPage

    page = ReceptionPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    for kind, batches, persons in (("reception_day", 4, 9), ("home_visit", 2, 3)):
        form = page.add()
        commit_text(form.editor("leader"), "李镇长")
        commit_text(form.editor("place"), "镇信访接待大厅")
        choose(form.editor("kind"), kind)
        form.editor("batches").setValue(batches)
        form.editor("persons").setValue(persons)
        form.accept()
    form = page.add()
    commit_text(form.editor("leader"), "李镇长")
    commit_text(form.editor("place"), "大厅")
    form.editor("batches").setValue(3)
    form.editor("persons").setValue(2)
    form.accept()
    assert "不能少于批次" in form.errors["persons"].text()
    form.reject()
    assert page.log.rowCount() == 2
    s = page.summary_value
    assert s.start == date(2026, 11, 1) and (s.total.batches, s.total.persons) == (6, 12)
    last = page.summary.rowCount() - 1
    assert [page.summary.item(last, j).text() for j in range(4)] == ["合计", "2", "6", "12"]
    assert "共接访2次，6批12人次" in page.summary_title.text()
    # 四门四访 (here 登门走访 alone) has its subtotal beside 接访日, as in the statistics report
    rows = [[page.summary.item(i, j).text() for j in range(4)] for i in range(page.summary.rowCount())]
    assert rows[-3:] == [["四门四访小计", "1", "2", "3"], ["接访日", "1", "4", "9"], ["合计", "2", "6", "12"]]
    assert page.summary.item(last - 2, 0).font().bold()


def test_hardship_from_the_case_view_then_referral_and_clearing_from_the_card(qtbot, app_ctx, services, clerk,
                                                                              handler):
    from xinfang_desktop.domain.board import Colour
    from xinfang_desktop.domain.workflow import EventKind
    from xinfang_desktop.gui import attention_actions
    from xinfang_desktop.gui.pages.board import BoardPage
    from xinfang_desktop.services.attention import HardshipService

    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    page = BoardPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    detail = services.queries.detail(app_ctx.actor, ref.number)
    form = attention_actions.hardship_dialog(page, app_ctx, detail, page.reload)
    choose(form.editor("kind"), "medical")
    commit_text(form.editor("note"), "丈夫住院急需手术费")
    form.accept()
    card = page.visible_cards(Colour.RED)[0]
    assert card.reason_texts() == ["急难情况（急病就医）：丈夫住院急需手术费"]
    person_id = card.petitioners[0].person_id
    flag = services.get(HardshipService).of_person(person_id)[0]
    refer = page.referral_dialog(flag)
    commit_text(refer.editor("agency"), "镇民政办")
    refer.accept()
    person_id = card.petitioners[0].person_id
    flag = services.get(HardshipService).of_person(person_id)[0]
    outcome = page.referral_dialog(flag)                   # the referral is open: now its outcome
    commit_text(outcome.editor("outcome"), "已发放临时救助金3000元")
    outcome.accept()
    assert services.get(HardshipService).of_person(person_id)[0].referrals[0].outcome == "已发放临时救助金3000元"
    clear = page.clear_hardship_dialog(flag)
    clear.accept()
    assert clear.errors["reason"].text() == "解除理由不能为空"
    commit_text(clear.editor("reason"), "医疗费已由医保和救助解决")
    clear.accept()
    assert page.visible_cards(Colour.RED) == [] and len(page.visible_cards(Colour.YELLOW)) == 1
