"""Every workflow action through the case view: the button, its dialog filled by keyboard, the
timeline afterwards, and the document the action produces read back from its PDF."""

from __future__ import annotations

import io
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pypdf import PdfReader

from tests.conftest import make_registration
from tests.gui.test_login_and_case import commit_text
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.store.models import AuditEntry, CaseEvent


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


# States to start from, reached through the services a day apart (the view does the action under test).
STEPS = {
    "registered": [],
    "handling": [(EventKind.ROUTED, {"route": "direct", "unit": "镇劳动保障所", "notified": True})],
    "assigned": [(EventKind.ROUTED, {"route": "assign", "unit": "市人社局", "deadline": "2026-12-20", "notified": True})],
    "replied": [(EventKind.ROUTED, {"route": "direct", "unit": "镇劳动保障所", "notified": True}),
                (EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "explained", "text": "已向信访人解释政策"})],
}
STEPS["reviewing"] = STEPS["replied"] + [(EventKind.REVIEW_REQUESTED, {"reason": "不服"})]
STEPS["reviewed"] = STEPS["reviewing"] + [(EventKind.REVIEW_DECIDED, {"disposition": "uphold", "text": "维持原意见"})]
STEPS["rechecking"] = STEPS["reviewed"] + [(EventKind.RECHECK_REQUESTED, {"reason": "仍不服"})]


@pytest.fixture
def make_case(services, admin, clock):
    def make(state: str = "registered", **registration):
        ref = services.cases.register(admin, make_registration(**registration))
        for kind, data in STEPS[state]:
            clock.advance(days=1)
            services.cases.act(admin, ref.number, kind, data)
        clock.advance(hours=2)
        return ref
    return make


def open_view(qtbot, ctx, ref):
    from xinfang_desktop.gui.pages.case_view import CaseViewPage

    view = CaseViewPage(ctx, ref.id)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    qtbot.waitExposed(view, timeout=30_000)
    view.activateWindow()
    return view


def start(qtbot, view, kind: EventKind):
    """Press the action's button; return its dialog, focused and ready for typing."""
    view.action_buttons[f"workflow.{kind.value}"].click()
    return shown_dialog(qtbot, view)


def shown_dialog(qtbot, view):
    """The one action dialog the view shows, focused and ready for typing."""
    from xinfang_desktop.gui.action_dialogs import ActionDialog

    dialogs = [d for d in view.findChildren(ActionDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitExposed(dialog, timeout=30_000)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=30_000)
    return dialog


def type_into(qtbot, dialog, name: str, text: str) -> None:
    w = dialog.editor(name)
    w.setFocus()
    if text.isascii():
        qtbot.keyClicks(w, text)
    else:
        commit_text(w, text)


def choose(qtbot, dialog, name: str, value: str) -> None:
    """Pick a choice with the arrow keys, as a clerk does."""
    combo = dialog.editor(name)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Home)
    while combo.currentData() != value:
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key_Down)
        assert combo.currentIndex() != before, f"{value} not in {name}"


def save(qtbot, dialog) -> None:
    qtbot.keyClick(dialog, Qt.Key_Return, Qt.ControlModifier)


def timeline(view) -> list[tuple[str, str]]:
    t = view.timeline
    return [(t.item(i, 1).text(), t.item(i, 2).text()) for i in range(t.rowCount())]


def events(ref) -> int:
    return CaseEvent.select().join_from(CaseEvent, CaseEvent.case.rel_model).where(
        CaseEvent.case == ref.id).count()


# -- one test per action -------------------------------------------------------------------------

@pytest.mark.parametrize("route,unit,document,doc_words,status", [
    ("transfer", "漳平市人力资源和社会保障局", "转送", ["转送", "漳平市人力资源和社会保障局"], "已转送"),
    ("assign", "市人社局", "交办", ["交办", "市人社局", "2026年12月2日"], "办理中"),
    ("direct", "", "受理告知书", ["第三十一条第六项", "60日内出具信访处理意见书"], "办理中"),
    ("other", "漳平市劳动人事争议仲裁委员会", "告知书", ["第三十一条第二项", "应当通过仲裁解决"], "已告知其他途径"),
])
def test_route(qtbot, app_ctx, make_case, route, unit, document, doc_words, status):
    # a labour dispute is led out to arbitration (第三十一条第二项); the others take the petition path (第六项)
    ref = make_case(matter="申诉求决", claim_item=2) if route == "other" else make_case()
    view = open_view(qtbot, app_ctx, ref)
    dialog = start(qtbot, view, EventKind.ROUTED)
    choose(qtbot, dialog, "route", route)
    assert dialog.editor("deadline").isVisibleTo(dialog) == (route == "assign")
    if unit:
        type_into(qtbot, dialog, "unit", unit)
    if route == "assign":
        d = dialog.editor("deadline")
        d.setFocus()
        qtbot.keyClick(d, Qt.Key_Home)
        qtbot.keyClicks(d, "2026-12-02")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    label, summary = timeline(view)[-1]
    assert label == "转办（办理途径）" and summary.startswith({"transfer": "转送", "assign": "交办", "direct": "直接办理",
                                                            "other": "告知其他法定途径"}[route])
    assert view.fields["status"].text().startswith(status)
    pdf = text_of(view.preview.rendered.pdf)
    assert ref.number in pdf and document in view.preview.rendered.title
    for word in doc_words:
        assert word in pdf


def test_notify_prints_the_receipt(qtbot, app_ctx, make_case):
    ref = make_case()
    view = open_view(qtbot, app_ctx, ref)
    dialog = start(qtbot, view, EventKind.NOTIFIED)
    choose(qtbot, dialog, "method", "邮寄")
    type_into(qtbot, dialog, "content", "已告知将转人社部门处理")
    save(qtbot, dialog)
    assert timeline(view)[-1] == ("书面告知", "邮寄告知信访人办理途径和程序：已告知将转人社部门处理〔永信告〔2026〕1号〕")
    rendered = view.preview.rendered
    assert "告知书" in rendered.title
    pdf = text_of(rendered.pdf)
    assert ref.number in pdf and "永信告〔2026〕1号" in pdf and "欧阳娜娜" in pdf
    route_row = [view.deadlines.item(i, 3).text() for i in range(view.deadlines.rowCount())
                 if view.deadlines.item(i, 0).text().startswith("受理告知")][0]
    assert route_row.startswith("已于2026-11-02完成")


def test_refuse_prints_the_refusal_notice(qtbot, app_ctx, make_case):
    ref = make_case()
    view = open_view(qtbot, app_ctx, ref)
    dialog = start(qtbot, view, EventKind.REFUSED)
    choose(qtbot, dialog, "ground", "being_handled")
    type_into(qtbot, dialog, "details", "该事项已由漳平市人社局受理")
    type_into(qtbot, dialog, "instead", "向漳平市人社局了解办理进度")
    save(qtbot, dialog)
    label, summary = timeline(view)[-1]
    assert label == "不予受理／不再受理" and summary.startswith("不予受理：该信访事项已经受理或者正在办理")
    assert "第十九条第三款" in summary and "该事项已由漳平市人社局受理" in summary
    assert view.fields["status"].text() == "不予受理"
    assert view.preview.output_name() == f"{ref.number}-不予受理告知书.pdf"
    pdf = text_of(view.preview.rendered.pdf)
    for word in ("不予受理", "该事项已由漳平市人社局受理", "第十九条第三款", "向漳平市人社局了解办理进度", ref.number):
        assert word in pdf


def test_extend_prints_the_extension_notice(qtbot, app_ctx, make_case):
    ref = make_case("handling")
    view = open_view(qtbot, app_ctx, ref)
    dialog = start(qtbot, view, EventKind.EXTENDED)
    days = dialog.editor("days")
    days.setFocus()
    days.selectAll()
    qtbot.keyClicks(days, "20")
    type_into(qtbot, dialog, "reason", "需调取企业工资台账")
    type_into(qtbot, dialog, "approver", "陈镇长")
    save(qtbot, dialog)
    assert timeline(view)[-1] == ("延期", "延期20日，理由：需调取企业工资台账，批准人：陈镇长〔永信延〔2026〕1号〕")
    assert "延期" not in [b.text() for b in view.action_buttons.values()][0:0] and \
        "workflow.extended" not in view.action_buttons          # only once (第三十四条)
    pdf = text_of(view.preview.rendered.pdf)
    # routed 11-03: 60 days end Sat 2 Jan → Mon 4 Jan; 20 more end Sun 24 Jan → Mon 25 Jan
    for word in ("延期", "需调取企业工资台账", "陈镇长", "2027年1月4日", "2027年1月25日"):
        assert word in pdf


def test_reply_prints_the_decision_with_review_rights(qtbot, app_ctx, make_case):
    ref = make_case("handling")
    view = open_view(qtbot, app_ctx, ref)
    dialog = start(qtbot, view, EventKind.REPLIED)
    choose(qtbot, dialog, "outcome", "supported")
    type_into(qtbot, dialog, "text", "责成企业于十日内支付拖欠工资")
    type_into(qtbot, dialog, "basis", "《保障农民工工资支付条例》第十五条")
    review = dialog.editor("review_body")
    review.selectAll()
    type_into(qtbot, dialog, "review_body", "漳平市人力资源和社会保障局")
    save(qtbot, dialog)
    assert timeline(view)[-1] == ("出具处理意见", "支持：责成企业于十日内支付拖欠工资，"
                                              "依据：《保障农民工工资支付条例》第十五条〔永信处〔2026〕1号〕")
    assert view.fields["status"].text().startswith("已答复")
    pdf = text_of(view.preview.rendered.pdf)
    for word in ("处理意见书", "支持", "责成企业于十日内支付拖欠工资", "第十五条", "30日", "漳平市人力资源和社会保障局"):
        assert word in pdf


@pytest.mark.parametrize("state,kind,fill,expected_label,expected_status", [
    ("replied", EventKind.REVIEW_REQUESTED, {"reason": "认为工资计算有误", "body": "漳平市人民政府"},
     "复查申请", "复查中"),
    ("reviewing", EventKind.REVIEW_DECIDED, {"disposition": "uphold", "text": "经复查，维持原处理意见"},
     "复查意见", "已复查"),
    ("reviewed", EventKind.RECHECK_REQUESTED, {"reason": "仍认为计算有误"}, "复核申请", "复核中"),
    ("rechecking", EventKind.RECHECK_DECIDED, {"disposition": "uphold", "text": "经复核，维持复查意见"},
     "复核意见", "已复核"),
    ("replied", EventKind.CLOSED, {"summary": "工资已全部支付"}, "办结", "已办结"),
    ("assigned", EventKind.OBJECTED, {"reason": "不属于本单位职责"}, "异议退回", "待处理"),
    ("registered", EventKind.NOTE, {"text": "信访人来电询问进度"}, "备注", "待处理"),
])
def test_review_recheck_close_objection_and_note(qtbot, app_ctx, make_case, state, kind, fill, expected_label,
                                                 expected_status):
    ref = make_case(state)
    view = open_view(qtbot, app_ctx, ref)
    dialog = start(qtbot, view, kind)
    for name, value in fill.items():
        if name in ("outcome", "disposition"):
            choose(qtbot, dialog, name, value)
        else:
            type_into(qtbot, dialog, name, value)
    save(qtbot, dialog)
    label, summary = timeline(view)[-1]
    assert label == expected_label
    assert [v for n, v in fill.items() if n not in ("outcome", "body", "disposition")][0] in summary
    assert view.fields["status"].text().startswith(expected_status)
    assert view.preview is None                       # these actions produce no document


def test_an_action_opens_from_the_keyboard_and_escape_cancels_it(qtbot, app_ctx, make_case):
    from xinfang_desktop.gui.action_dialogs import ActionDialog

    ref = make_case()
    view = open_view(qtbot, app_ctx, ref)
    button = view.action_buttons["workflow.notified"]
    assert button.text() == "书面告知(&N)"                   # Alt+N on the window (mnemonic)
    button.setFocus()
    qtbot.keyClick(button, Qt.Key_Space)
    dialog = next(d for d in view.findChildren(ActionDialog) if d.isVisible())
    assert dialog.kind == EventKind.NOTIFIED
    qtbot.keyClick(dialog, Qt.Key_Escape)
    assert not dialog.isVisible() and len(timeline(view)) == 1


# -- refused input and refused actions write nothing ---------------------------------------------

def test_an_empty_required_field_is_marked_and_nothing_is_written(qtbot, app_ctx, make_case):
    ref = make_case("handling")
    view = open_view(qtbot, app_ctx, ref)
    before = (events(ref), AuditEntry.select().count())
    dialog = start(qtbot, view, EventKind.REPLIED)
    choose(qtbot, dialog, "outcome", "supported")
    save(qtbot, dialog)
    row = dialog.rows["text"]
    assert dialog.isVisible() and not row.error.isHidden()
    assert "处理意见" in row.error.text()
    assert QApplication.focusWidget() is row.editor
    assert (events(ref), AuditEntry.select().count()) == before
    type_into(qtbot, dialog, "text", "已解释")
    save(qtbot, dialog)
    # the legal basis is the office's own choice, never a default (第三十二条)
    assert "依据" in dialog.rows["basis"].error.text() and (events(ref), AuditEntry.select().count()) == before
    type_into(qtbot, dialog, "basis", "《社会救助暂行办法》第九条")
    type_into(qtbot, dialog, "delivered_on", "2026-13-01")
    save(qtbot, dialog)
    assert row.error.isHidden() and "不是有效日期" in dialog.rows["delivered_on"].error.text()
    assert (events(ref), AuditEntry.select().count()) == before
    dialog.editor("delivered_on").clear()
    save(qtbot, dialog)
    assert not dialog.isVisible() and events(ref) == before[0] + 1


def test_an_assignment_deadline_too_far_is_refused_beside_the_field(qtbot, app_ctx, make_case):
    ref = make_case()
    view = open_view(qtbot, app_ctx, ref)
    before = events(ref)
    dialog = start(qtbot, view, EventKind.ROUTED)
    choose(qtbot, dialog, "route", "assign")
    type_into(qtbot, dialog, "unit", "市人社局")
    d = dialog.editor("deadline")
    d.setFocus()
    qtbot.keyClick(d, Qt.Key_Home)
    qtbot.keyClick(d, Qt.Key_Up)                        # the year up by one: 2027-12-02
    assert d.date().toPython().isoformat() == "2027-12-02"
    save(qtbot, dialog)
    assert "交办期限过长" in dialog.rows["deadline"].error.text()
    assert events(ref) == before and dialog.isVisible() and view.preview is None


def test_an_action_no_longer_allowed_shows_why_and_writes_nothing(qtbot, app_ctx, make_case, services, admin):
    ref = make_case("handling")
    view = open_view(qtbot, app_ctx, ref)
    dialog = start(qtbot, view, EventKind.EXTENDED)
    services.cases.act(admin, ref.number, EventKind.EXTENDED,     # a colleague extended it meanwhile
                       {"days": 10, "reason": "需调查", "approver": "镇长"})
    before = events(ref)
    type_into(qtbot, dialog, "reason", "再延期")
    type_into(qtbot, dialog, "approver", "陈镇长")
    save(qtbot, dialog)
    # what the colleague did is said (the view was opened before it: services/cases.py StaleCase)
    assert dialog.isVisible() and "延期" in dialog.message.text() and "没有保存" in dialog.message.text()
    assert events(ref) == before


def test_buttons_follow_the_state_and_the_role(qtbot, services, admin, tasks, make_case):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.services.permissions import Role

    ref = make_case("handling")
    leader = services.auth.add_user(admin, "leader1", Role.LEADER, "leader-pass-1", "陈镇长")
    clerk2 = services.auth.add_user(admin, "clerk2", Role.CLERK, "clerk-pass-2", "林登记")
    def keys(actor) -> set[str]:      # the workflow's own buttons (other features add theirs)
        view = open_view(qtbot, AppContext(services, tasks, actor), ref)
        return {k for k in view.action_buttons if k.startswith("workflow.")}

    assert keys(admin) == {"workflow.notified", "workflow.extended", "workflow.replied", "workflow.note"}
    assert keys(leader) == {"workflow.extended", "workflow.note"}
    assert keys(clerk2) == {"workflow.notified", "workflow.note"}


# -- documents menu and revealing personal data --------------------------------------------------

def test_print_menu_lists_every_document_and_why_not(qtbot, app_ctx, make_case):
    ref = make_case()
    view = open_view(qtbot, app_ctx, ref)
    entries = {a.text(): a.isEnabled() for a in view.print_menu.actions()}
    assert entries["信访事项登记表"] and entries["信访事项接收告知书"]
    assert entries["信访处理意见书（该事项尚未出具书面答复）"] is False
    assert entries["转送／交办单（该事项没有转送或交办记录）"] is False
    next(a for a in view.print_menu.actions() if a.text() == "信访事项登记表").trigger()
    assert view.preview is not None and view.preview.rendered.title == "信访事项登记表"
    assert "11010519491231002X" in text_of(view.preview.rendered.pdf)


def test_reveal_shows_the_full_numbers_and_is_audited(qtbot, app_ctx, make_case):
    ref = make_case()
    view = open_view(qtbot, app_ctx, ref)
    assert view.parties.item(0, 3).text() == "110105********002X"
    before = AuditEntry.select().where(AuditEntry.action.startswith("personal.reveal")).count()
    view.parties.cellWidget(0, 6).click()
    assert view.parties.item(0, 3).text() == "11010519491231002X"
    assert view.parties.item(0, 4).text() == "13812345678"
    assert not view.parties.cellWidget(0, 6).isEnabled()
    actions = [a.action for a in AuditEntry.select().where(AuditEntry.action.startswith("personal.reveal"))]
    assert len(actions) == before + 2
    assert {"personal.reveal.id_number", "personal.reveal.phone"} <= set(actions)


def test_a_leader_gets_no_reveal_button(qtbot, services, admin, tasks, make_case):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.services.permissions import Role

    ref = make_case()
    leader = services.auth.add_user(admin, "leader1", Role.LEADER, "leader-pass-1", "陈镇长")
    view = open_view(qtbot, AppContext(services, tasks, leader), ref)
    assert view.parties.columnCount() == 6 and view.parties.cellWidget(0, 5) is None
    assert view.parties.item(0, 3).text() == "110105********002X"


def test_documents_name_the_clerk_not_the_login(qtbot, app_ctx, services, clerk):
    ref = services.cases.register(clerk, make_registration())
    view = open_view(qtbot, app_ctx, ref)
    next(a for a in view.print_menu.actions() if a.text() == "信访事项登记表").trigger()
    text = text_of(view.preview.rendered.pdf)
    assert "李登记" in text and "clerk1" not in text
