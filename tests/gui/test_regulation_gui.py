"""The regulation in the window: the kind of matter confirmed at intake (第二十九至三十一条), the
anonymous letter marked exempt (第二十三条第二款), a joint letter told apart from a group visit, the
routes a kind allows, 补录 shown beside the entry time, and the office's own names and 文号 in 设置."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from tests.conftest import make_registration
from tests.gui.test_case_actions import open_view, start
from tests.gui.test_intake_page import Keyboard
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.store.models import Case, CaseEvent


@pytest.fixture
def intake(intake_page, receipts):
    """The intake page, focused on the first name; the print preview replaced (it would block)."""
    return intake_page


def pick_category(kb: Keyboard, page, code: str) -> None:
    """Type the code into the category box and press Enter on the first hit, as a clerk does."""
    page.category.edit.setFocus()
    page.category.edit.selectAll()
    kb.type(code)
    kb.key(Qt.Key_Return)
    assert page.category.code == code


def test_the_category_suggests_the_kind_and_the_clerk_confirms_it_by_keyboard(qtbot, intake, services):
    page = intake
    kb = Keyboard(qtbot)
    kb.chinese_text("赵六")
    pick_category(kb, page, "1501")                      # 检举控告: the kind follows the category
    assert page.matter.currentData() == "accusation"
    pick_category(kb, page, "0401")
    assert page.matter.currentData() == "claim6"
    page.request.setFocus()
    kb.chinese_text("要求支付加班工资")
    # Tab past the texts (事实, 理由) to the kind, then choose item 二 (仲裁) with the arrow keys
    for _ in range(3):
        kb.key(Qt.Key_Tab)
    assert page.matter.hasFocus()
    while page.matter.currentData() != "claim2":
        kb.key(Qt.Key_Up)
    pick_category(kb, page, "0402")                      # a later category no longer overrides the clerk
    assert page.matter.currentData() == "claim2"
    page.matter.setFocus()
    kb.key(Qt.Key_Tab)
    assert page.notice_exempt.hasFocus()
    kb.key(Qt.Key_Space)                                  # the sender's address is unclear
    kb.key(Qt.Key_S, Qt.ControlModifier)
    assert page.saved_case is not None
    registered = CaseEvent.get((CaseEvent.case == page.saved_case.id) & (CaseEvent.kind == "registered"))
    assert registered.data["matter"] == "claim" and registered.data["claim_item"] == 2
    assert registered.data["notice_exempt"] is True


def test_a_letter_signed_by_six_is_a_joint_letter_not_a_group_visit(qtbot, intake):
    page = intake
    page.channel.setCurrentIndex(page.channel.findData("letter"))
    page.people_count.setValue(6)
    page._count_manual = True
    page._update_group()
    assert "联名信访" in page.group_hint.text() and "集体访" not in page.group_hint.text().replace("不是集体访", "")
    page.channel.setCurrentIndex(page.channel.findData("visit"))
    assert "集体访（5人以上走访）" in page.group_hint.text()


def test_an_accusation_can_only_be_forwarded_in_the_route_dialog(qtbot, app_ctx, services, clerk):
    ref = services.cases.register(clerk, make_registration(
        category_code="1501", petitioners=[PetitionerInput(name="举报人甲")]))
    view = open_view(qtbot, app_ctx, ref)
    assert view.fields["matter"].text() == "检举控告类"
    dialog = start(qtbot, view, EventKind.ROUTED)
    route = dialog.editor("route")
    assert [route.itemData(i) for i in range(route.count())] == ["transfer"]
    assert dialog.editor("unit").text() == "纪检监察机关"


def test_the_case_view_shows_the_entry_time_and_marks_a_back_dated_entry(qtbot, app_ctx, services, clerk, clock):
    clock.at = datetime(2026, 12, 6, 10, 0)
    ref = services.cases.register(clerk, make_registration(received_at=datetime(2026, 10, 1, 9, 0)))
    view = open_view(qtbot, app_ctx, ref)
    assert view.fields["received"].text().startswith("2026-10-01 09:00")
    entered = view.fields["entered"].text()
    assert entered.startswith("2026-12-06 10:00") and "补录" in entered


def test_an_administrator_sets_the_office_names_and_the_number_prefix(qtbot, app_ctx, services, admin, clerk, handler,
                                                                     clock):
    from xinfang_desktop.gui.office_box import OfficeBox

    box = OfficeBox(app_ctx)
    qtbot.addWidget(box)
    box.show()
    box.refresh()
    qtbot.waitUntil(lambda: box.fields["organ_name"].text() == "漳平市永福镇人民政府", timeout=30_000)
    assert box.fields["review_body"].text() == "漳平市人民政府" and box.prefixes["notice"].text() == "永信告"
    box.fields["recheck_body"].setText("龙岩市人民政府")
    box.prefixes["decision"].setText("永政信处")
    qtbot.mouseClick(box.save, Qt.LeftButton)
    qtbot.waitUntil(lambda: "已保存" in box.message.text(), timeout=30_000)
    box.prefixes["decision"].setText("")                 # refused, nothing saved
    qtbot.mouseClick(box.save, Qt.LeftButton)
    qtbot.waitUntil(lambda: "不能为空" in box.message.text(), timeout=30_000)
    ref = services.cases.register(clerk, make_registration())
    clock.advance(days=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "notified": True})
    services.cases.act(handler, ref.number, EventKind.REPLIED,
                       {"outcome": "支持", "text": "已解决", "basis": "《保障农民工工资支付条例》第三条"})
    reply = CaseEvent.get((CaseEvent.case == ref.id) & (CaseEvent.kind == "replied"))
    assert reply.data["doc_no"] == {"decision": "永政信处〔2026〕1号"}
    assert Case.get_by_id(ref.id).status == "replied"
