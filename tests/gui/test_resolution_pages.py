"""The 评理 and 积案 pages, driven by their buttons: a 评理 session with its correction and its 评理意见; a matter
suggested by the rule put on the register by a decision, a step done, and the matter taken off with an outcome."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import Qt

from tests.conftest import make_registration
from tests.gui.test_board_gui import choose
from tests.gui.test_login_and_case import commit_text
from xinfang_desktop.domain.workflow import EventKind


def last_form(page):
    from xinfang_desktop.gui.attention_forms import FormDialog

    return page.findChildren(FormDialog)[-1]


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.LeftButton)


def test_deliberation_page_new_entry_correction_and_its_view(qtbot, app_ctx, services, clerk, receipts):
    from xinfang_desktop.gui.pages.deliberation import DeliberationPage

    ref = services.cases.register(clerk, make_registration())
    page = DeliberationPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    click(qtbot, page.add_button)
    form = last_form(page)
    commit_text(form.editor("case"), ref.number)
    commit_text(form.editor("place"), "镇红土先锋评理室")
    commit_text(form.editor("panel"), "陈老支书（350881194901010011）")
    commit_text(form.editor("attendees"), "欧阳娜娜、公司代表王经理")
    commit_text(form.editor("statements"), "信访人称欠薪六个月；公司称已付三个月")
    commit_text(form.editor("view"), "欠薪事实清楚，应结清无争议部分")
    click(qtbot, form.ok_button)
    assert "身份证号码" in form.errors["panel"].text()            # names and roles only
    form.editor("panel").clear()
    commit_text(form.editor("panel"), "陈老支书（退休村干部）、林党员（老党员）")
    choose(form.editor("accepted"), False)
    click(qtbot, form.ok_button)
    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == ref.number
    assert page.table.item(0, 5).text() == "未接受"
    page.table.selectRow(0)
    click(qtbot, page.correct_button)
    fix = last_form(page)
    assert fix.editor("place").text() == "镇红土先锋评理室"      # starts from the entry corrected
    choose(fix.editor("accepted"), True)
    click(qtbot, fix.ok_button)
    assert [page.table.item(i, 5).text() for i in range(page.table.rowCount())] == ["接受"]
    page.table.selectRow(0)
    click(qtbot, page.print_button)
    [(rendered, _name)] = [(r, n) for r, n in receipts]
    assert rendered.pages == 1
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "信访评理意见" in text and "接受评理意见" in text
    page.show_corrected.setChecked(True)
    assert sorted(page.table.item(i, 6).text() for i in range(page.table.rowCount())) == ["已被更正", "更正记录"]


def test_backlog_page_decide_plan_and_resolve(qtbot, app_ctx, services, clerk, handler, clock, tmp_path):
    from xinfang_desktop.gui.pages.backlog import BacklogPage

    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    clock.advance(days=200)
    page = BacklogPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    assert page.table.rowCount() == 0 and page.suggested.rowCount() == 1
    assert page.suggested.item(0, 1).text() == "长期未化解"
    assert not page.decide_button.isEnabled()
    page.suggested.selectRow(0)
    click(qtbot, page.decide_button)
    form = last_form(page)
    form.editor("reason").clear()
    click(qtbot, form.ok_button)
    assert "理由" in form.errors["reason"].text()               # a decision needs its reason
    commit_text(form.editor("reason"), "欠薪争议半年未解决，经联席会议研究列入")
    commit_text(form.editor("action"), "约谈企业负责人")
    commit_text(form.editor("responsible"), "镇劳动保障所")
    click(qtbot, form.ok_button)
    assert page.table.rowCount() == 1 and page.suggested.rowCount() == 0
    assert page.table.item(0, 0).text() == ref.number and "约谈企业负责人" in page.table.item(0, 5).text()
    assert page.table.item(0, 4).text() == "共1步，已完成0步"
    assert page.table.isColumnHidden(9)                        # its own register: no unit column
    assert page.table.item(0, 6).text() == "200" and page.table.item(0, 7).text() == "0"   # the matter, the register
    page.table.selectRow(0)
    click(qtbot, page.done_button)
    done = last_form(page)
    commit_text(done.editor("result"), "已约谈，企业同意月底前支付")
    click(qtbot, done.ok_button)
    assert page.table.item(0, 4).text() == "共1步，已完成1步"
    page.table.selectRow(0)
    click(qtbot, page.resolve_button)
    out = last_form(page)
    choose(out.editor("outcome"), "withdrawn")
    commit_text(out.editor("note"), "工资已结清")
    click(qtbot, out.ok_button)
    assert "承诺书" in out.errors["statement"].text()
    scan = tmp_path / "承诺书.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"signed")
    commit_text(out.editor("statement"), str(scan))
    click(qtbot, out.ok_button)
    assert page.table.rowCount() == 0                          # off the register
    page.show_resolved.setChecked(True)
    assert page.table.item(0, 8).text().startswith("已息诉罢访")


def test_the_boards_long_standing_reason_leads_to_the_register(qtbot, app_ctx, services, clerk, handler, clock):
    from PySide6.QtWidgets import QMenu

    from xinfang_desktop.domain.board import Colour, is_long_standing
    from xinfang_desktop.gui.main_window import MainWindow

    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    clock.advance(days=200)
    w = MainWindow(app_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w, timeout=30_000)
    w.show_page("board")
    board = w.pages["board"]
    colour = next(c for c in Colour if board.visible_cards(c))
    column = board.columns[colour]
    [card] = board.visible_cards(colour)
    assert any(is_long_standing(r) and "超过180天" in r.text for r in (*card.grade.reasons, *card.grade.other_reasons))
    rect = column.view.visualRect(column.model.index(0))
    column.view.customContextMenuRequested.emit(rect.center())      # a right click on the card
    menu = board.findChildren(QMenu)[-1]
    [action] = [a for a in menu.actions() if a.text() == "积案台账…"]
    action.trigger()
    page = w.pages["backlog"]
    assert w.stack.currentWidget() is page
    rows = page.suggested.selectionModel().selectedRows()           # not on the register yet: its suggestion
    assert rows and page.suggestions[rows[0].row()].number == ref.number and page.decide_button.isEnabled()
