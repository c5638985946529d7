"""交办 and 督办 from a stale case view (issue 16, item 2): the city's desk passes what its view showed (the
case's events and its 交办督办); one on a case the township has answered since (its events came by sync) or
that another desk has already sent an instruction on is refused, saying what, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from xinfang_desktop.domain.errors import StaleCase
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.permissions import Role
from xinfang_desktop.store.models_sync import Instruction

from .conftest import CITY, NAMES, TOWNS, write_out


def seen(detail) -> dict:
    return dict(seen_events=detail.seen_events, seen_instructions=detail.instructions)


def test_a_second_assign_over_one_sent_since_the_case_was_opened_is_refused(offices):
    city, town = offices[CITY], offices[TOWNS[0]]
    ref = city.register(name="欧阳娜娜", request="反映村道塌方无人修复")
    city.sync
    colleague = city.svc.auth.add_user(city.admin, "handler1", Role.HANDLER, "handler-pass-1", "张承办")
    shown = city.svc.queries.detail(city.admin, ref.number)                   # this desk's view
    city.clock.advance(minutes=3)
    city.sync.assign(colleague, ref.id, town.code, date(2026, 11, 20), "请核实处理并报结")   # the other desk
    with pytest.raises(StaleCase) as refused:
        city.sync.assign(city.admin, ref.id, town.code, date(2026, 11, 25), "请于期限内核实处理", **seen(shown))
    said = str(refused.value)
    assert ref.number in said and "11-02 09:33 张承办交办给" + NAMES[town.code] in said and "期限11-20" in said, said
    assert "没有保存" in said
    assert Instruction.select().count() == 1
    with pytest.raises(StaleCase, match="张承办交办给"):                        # a 督办 on what it did not see, too
        city.sync.supervise(city.admin, ref.id, "请加快办理", **seen(shown))

    again = city.svc.queries.detail(city.admin, ref.number)                  # read again: it is seen
    city.sync.supervise(city.admin, ref.id, "请加快办理", **seen(again))
    assert Instruction.select().count() == 2


def test_a_supervision_on_a_case_the_township_answered_since_is_refused(offices, tmp_path):
    city, town = offices[CITY], offices[TOWNS[0]]
    ref = town.register(name="张三")
    town.export()
    city.import_(write_out(town, tmp_path / "up1"))
    city.sync
    shown = city.svc.queries.detail(city.admin, ref.number)                  # the city opens the township's case
    town.clock.advance(hours=1)
    town.sync
    town.svc.cases.act(town.admin, ref.id, EventKind.ROUTED, {"route": "direct", "unit": "永福镇劳动保障所",
                                                              "notified": True})
    town.export()
    city.import_(write_out(town, tmp_path / "up2"))                          # its answer comes by sync
    city.sync
    with pytest.raises(StaleCase) as refused:
        city.sync.supervise(city.admin, ref.id, "该事项临近期限，请加快办理", **seen(shown))
    said = str(refused.value)
    assert NAMES[town.code] in said and EventKind.ROUTED.label in said and "没有保存" in said, said
    assert "王管理" not in said                      # the township's admin is not the city's user of that login
    assert Instruction.select().count() == 0
    city.sync.supervise(city.admin, ref.id, "该事项临近期限，请加快办理",
                        **seen(city.svc.queries.detail(city.admin, ref.number)))
    assert Instruction.select().count() == 1


def test_the_supervise_button_on_a_case_answered_since_shows_the_refusal_in_its_dialog(qtbot, offices, tmp_path):
    """The city's case view of a township's matter; its answer comes by sync; 督办… pressed on the view as
    it was: the dialog says what the township did, stays open, the view offers to read the case again."""
    from xinfang_desktop.gui import sync_actions
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.case_view import CaseViewPage
    from xinfang_desktop.gui.tasks import TaskRunner

    from tests.gui.modal import FAILURES, answer
    from tests.gui.test_login_and_case import commit_text

    city, town = offices[CITY], offices[TOWNS[0]]
    ref = town.register(name="张三")
    town.export()
    city.import_(write_out(town, tmp_path / "up1"))
    city.sync
    view = CaseViewPage(AppContext(city.svc, TaskRunner(inline=True), city.admin), ref.id)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: "sync.supervise" in view.action_buttons, timeout=30_000)
    town.clock.advance(hours=1)
    town.sync
    town.svc.cases.act(town.admin, ref.id, EventKind.ROUTED, {"route": "direct", "unit": "永福镇劳动保障所",
                                                              "notified": True})
    town.export()
    city.import_(write_out(town, tmp_path / "up2"))
    city.sync
    seen: list[tuple[str, bool]] = []

    def fill(dialog: sync_actions.InstructionDialog) -> None:
        commit_text(dialog.text, "该事项临近期限，请加快办理")
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
        qtbot.waitUntil(dialog.message.isVisible, timeout=30_000)
        seen.append((dialog.message.text(), dialog.isVisible()))
        dialog.reject()

    FAILURES.clear()
    answer(sync_actions.InstructionDialog, fill)
    qtbot.mouseClick(view.action_buttons["sync.supervise"], Qt.LeftButton)
    if FAILURES:
        raise FAILURES.pop()
    [(said, open_then)] = seen
    assert NAMES[town.code] in said and EventKind.ROUTED.label in said and "没有保存" in said and open_then, said
    assert view.elsewhere.isVisible() and Instruction.select().count() == 0


def test_a_case_view_shows_the_instructions_and_sees_another_desks_as_a_change(offices, tmp_path):
    """The city's 交办 and 督办 are lines of the case's 办理过程, at the city and, once they came by sync, at the
    township; another desk's 交办 changes the case's revision, so an open view says the case was updated."""
    city, town = offices[CITY], offices[TOWNS[0]]
    ref = city.register(name="欧阳娜娜", request="反映村道塌方无人修复")
    city.sync
    colleague = city.svc.auth.add_user(city.admin, "handler1", Role.HANDLER, "handler-pass-1", "张承办")
    shown = city.svc.queries.detail(city.admin, ref.number)
    assert city.svc.queries.revision(ref.id) == shown.revision
    city.clock.advance(minutes=3)
    city.sync.assign(colleague, ref.id, town.code, date(2026, 11, 20), "请核实处理并报结")
    assert city.svc.queries.revision(ref.id) != shown.revision
    line = f"交办给{NAMES[town.code]}，办理期限2026-11-20：请核实处理并报结"
    again = city.svc.queries.detail(city.admin, ref.number)
    assert [(t.label, t.summary, t.actor) for t in again.timeline if t.kind.startswith("instruction")] == [
        ("交办", line, "handler1")]
    assert city.svc.queries.revision(ref.id) == again.revision

    city.export()
    town.sync
    town.import_(write_out(city, tmp_path / "down"))
    at_town = town.svc.queries.detail(town.admin, ref.number)
    assert [t.summary for t in at_town.timeline if t.label == "交办"] == [line]


def test_another_desks_assign_shows_on_the_open_view_and_reading_again_lists_it(qtbot, offices):
    """A case view open at the city; a colleague's 交办 on another desk: the view says the case was updated
    elsewhere (not only when its own 交办 is refused), and 重新载入 shows the 交办 in 办理过程."""
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.case_view import CaseViewPage
    from xinfang_desktop.gui.tasks import CASES, TaskRunner

    city, town = offices[CITY], offices[TOWNS[0]]
    ref = city.register(name="欧阳娜娜", request="反映村道塌方无人修复")
    city.sync
    colleague = city.svc.auth.add_user(city.admin, "handler1", Role.HANDLER, "handler-pass-1", "张承办")
    tasks = TaskRunner(inline=True)
    view = CaseViewPage(AppContext(city.svc, tasks, city.admin), ref.id)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.detail is not None, timeout=30_000)
    labels = lambda: [view.timeline.item(r, 1).text() for r in range(view.timeline.rowCount())]  # noqa: E731
    assert "交办" not in labels() and view.elsewhere.isHidden()
    city.clock.advance(minutes=3)
    city.sync.assign(colleague, ref.id, town.code, date(2026, 11, 20), "请核实处理并报结")   # the other desk
    tasks.changed_elsewhere.emit(CASES)            # what the window's watcher says after its look
    qtbot.waitUntil(view.elsewhere.isVisible, timeout=30_000)
    assert "交办" not in labels()                  # not changed under the clerk's eyes
    qtbot.mouseClick(view.elsewhere_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "交办" in labels(), timeout=30_000)
    assert view.elsewhere.isHidden()
    row = labels().index("交办")
    assert view.timeline.item(row, 2).text().startswith(f"交办给{NAMES[town.code]}，办理期限2026-11-20")
    assert view.timeline.item(row, 3).text() == "张承办"
