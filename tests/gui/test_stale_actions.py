"""An action from the case view on a case another desk changed since it was opened is refused (issue 16, item 2):
the dialog says what the other desk did, by whom and when, nothing is written, the view offers to read the case
again, and after that the same action goes through. This desk's own actions one after another are not refused:
the view's last event follows them. Two Services on the same database; on both engines (tests/conftest.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.conftest import make_registration
from tests.gui.test_case_actions import choose, events, open_view, save, shown_dialog, timeline, type_into
from tests.gui.test_other_desks import other_desk
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.store.models import CaseEvent


@pytest.fixture
def case(services, admin, clock):
    ref = services.cases.register(admin, make_registration())
    clock.advance(hours=1)
    return ref


def opened(qtbot, ctx, ref):
    view = open_view(qtbot, ctx, ref)
    qtbot.waitUntil(lambda: view.detail is not None and "workflow.note" in view.action_buttons, timeout=30_000)
    return view


def note(qtbot, view, text: str, on_saved=None):
    """Press 备注, type, Ctrl+Enter: the dialog, saved or refused (`on_saved` hears it saved, after the view)."""
    button = view.action_buttons["workflow.note"]
    qtbot.waitUntil(button.isEnabled, timeout=30_000)
    qtbot.mouseClick(button, Qt.LeftButton)
    dialog = shown_dialog(qtbot, view)
    if on_saved is not None:
        dialog.saved.connect(on_saved)
    type_into(qtbot, dialog, "text", text)
    save(qtbot, dialog)
    return dialog


def test_an_action_on_a_case_changed_on_another_desk_is_refused_then_goes_through_after_reload(
        qtbot, services, clock, app_ctx, handler, case):
    view = opened(qtbot, app_ctx, case)
    with other_desk(services, clock) as other:             # desk B routes it meanwhile
        other.cases.act(handler, case.number, EventKind.ROUTED, {"route": "direct", "unit": "镇劳动保障所"})
    assert events(case) == 2
    assert view.elsewhere.isHidden()                        # (the watcher has not looked: the refusal says it)

    dialog = note(qtbot, view, "已电话联系信访人")
    qtbot.waitUntil(dialog.message.isVisible, timeout=30_000)
    said = dialog.message.text()
    assert case.number in said and "张承办" in said and EventKind.ROUTED.label in said and "没有保存" in said
    assert dialog.isVisible() and dialog.ok_button.isEnabled()     # the clerk reads it where they typed
    assert events(case) == 2                                # nothing written
    assert view.elsewhere.isVisible()                       # the view offers to read it again
    qtbot.keyClick(dialog, Qt.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)

    qtbot.mouseClick(view.elsewhere_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: view.elsewhere.isHidden() and EventKind.ROUTED.label in dict(timeline(view)),
                    timeout=30_000)
    dialog = note(qtbot, view, "已电话联系信访人")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert events(case) == 3
    qtbot.waitUntil(lambda: EventKind.NOTE.label in dict(timeline(view)), timeout=30_000)


@pytest.fixture
def threaded_ctx(services, admin):
    """The window's task runner: real threads, so the page is read again after the save, not within it."""
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.tasks import TaskRunner

    tasks = TaskRunner()
    yield AppContext(services, tasks, admin)
    tasks.wait()


def test_this_desks_actions_one_after_another_are_not_refused(qtbot, threaded_ctx, case):
    view = opened(qtbot, threaded_ctx, case)
    first_seen = view.detail.last_event
    # the moment it is saved (before the page is read again) no button can start an action on the old page
    buttons_then: list[bool] = []
    dialog = note(qtbot, view, "第一次备注",
                  lambda _s: buttons_then.extend(b.isEnabled() for b in view.action_buttons.values()))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert buttons_then and not any(buttons_then)
    qtbot.waitUntil(lambda: view.detail.last_event != first_seen, timeout=30_000)
    newest = CaseEvent.select().where((CaseEvent.case == case.id) & (CaseEvent.kind == EventKind.NOTE.value)).get()
    assert view.detail.last_event == newest.id

    dialog = note(qtbot, view, "第二次备注")                    # straight on, as a quick clerk does
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30_000)
    assert events(case) == 3
    qtbot.waitUntil(lambda: [label for label, _ in timeline(view)].count(EventKind.NOTE.label) == 2,
                    timeout=30_000)


def test_a_follow_up_on_a_case_changed_on_another_desk_is_refused(qtbot, services, clock, app_ctx, admin, handler):
    from xinfang_desktop.gui.attention_forms import FormDialog

    ref = services.cases.register(admin, make_registration())
    for kind, data in ((EventKind.ROUTED, {"route": "direct", "unit": "镇劳动保障所", "notified": True}),
                       (EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "explained",
                                            "text": "已向信访人解释政策"})):
        clock.advance(days=1)
        services.cases.act(admin, ref.number, kind, data)
    view = open_view(qtbot, app_ctx, ref)
    qtbot.waitUntil(lambda: "attention.followup" in view.action_buttons, timeout=30_000)
    with other_desk(services, clock) as other:
        other.cases.act(handler, ref.number, EventKind.NOTE, {"text": "信访人来电询问"})

    qtbot.mouseClick(view.action_buttons["attention.followup"], Qt.LeftButton)
    form = next(f for f in view.findChildren(FormDialog) if f.isVisible())
    qtbot.waitExposed(form, timeout=30_000)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=30_000)
    choose(qtbot, form, "rating", "satisfied")
    save(qtbot, form)
    qtbot.waitUntil(form.message.isVisible, timeout=30_000)
    assert "张承办" in form.message.text() and EventKind.NOTE.label in form.message.text()
    assert events(ref) == 4 and view.elsewhere.isVisible()


def test_an_event_that_came_by_sync_and_sorts_before_what_was_shown_is_refused(
        qtbot, services, clock, app_ctx, handler, case):
    """The township's event imported while the case is open carries the time it was recorded there, before
    what this desk shows last: the view passes every event it showed, so the note is still refused."""
    from datetime import timedelta

    from xinfang_desktop.services.cases import find_case

    view = opened(qtbot, app_ctx, case)
    half_hour_ago, recorded = clock.now() - timedelta(minutes=30), clock.now() - timedelta(hours=2)
    CaseEvent.create(case=case.id, unit_code=find_case(case.number).unit_code, kind=EventKind.NOTE.value,
                     occurred_at=half_hour_ago, recorded_at=recorded, actor=handler.name, data={"text": "镇里的备注"})
    assert services.cases.events_of(find_case(case.number))[-1].id == view.detail.last_event
    dialog = note(qtbot, view, "已电话联系信访人")
    qtbot.waitUntil(dialog.message.isVisible, timeout=30_000)
    said = dialog.message.text()
    assert "张承办" in said and EventKind.NOTE.label in said and f"{half_hour_ago:%m-%d %H:%M}" in said, said
    assert events(case) == 2 and view.elsewhere.isVisible()


def test_a_leader_assigned_on_another_desk_while_the_form_was_open_is_not_replaced_unseen(
        qtbot, services, clock, app_ctx, admin, case):
    """包案: the form says who has the matter now (nobody); another desk gives it to 陈副镇长 meanwhile; saving
    李镇长 over it is refused in the form, saying who assigned whom, and nothing is written."""
    from xinfang_desktop.gui import attention_actions  # noqa: F401  (registers 包案 with the case view)
    from xinfang_desktop.gui.attention_forms import FormDialog
    from xinfang_desktop.services.attention import OwnershipService
    from xinfang_desktop.services.permissions import Role
    from xinfang_desktop.store.models_attention import LeaderAssignment

    services.auth.add_user(admin, "leader1", Role.LEADER, "leader-pass-1", "李镇长")
    services.auth.add_user(admin, "leader2", Role.LEADER, "leader-pass-2", "陈副镇长")
    view = open_view(qtbot, app_ctx, case)
    qtbot.waitUntil(lambda: "attention.assign" in view.action_buttons, timeout=30_000)
    qtbot.mouseClick(view.action_buttons["attention.assign"], Qt.LeftButton)
    qtbot.waitUntil(lambda: any(f.isVisible() for f in view.findChildren(FormDialog)), timeout=30_000)
    form = next(f for f in view.findChildren(FormDialog) if f.isVisible())
    assert not any("现由" in label.text() for label in form.findChildren(QLabel))   # nobody has it, it says
    with other_desk(services, clock) as other:
        other.get(OwnershipService).assign(admin, case.number, "陈副镇长", "约谈企业负责人", "2026-12-20")

    qtbot.waitExposed(form, timeout=30_000)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=30_000)
    choose(qtbot, form, "leader", "leader1")
    type_into(qtbot, form, "plan", "约谈企业负责人，督促分期支付")
    save(qtbot, form)
    qtbot.waitUntil(form.message.isVisible, timeout=30_000)
    said = form.message.text()
    assert "王管理已指定陈副镇长包案" in said and "没有保存" in said and "重新点“包案”" in said, said
    assert form.isVisible() and view.elsewhere.isVisible()
    assert [r.leader_name for r in LeaderAssignment.select()] == ["leader2"]        # nothing written
