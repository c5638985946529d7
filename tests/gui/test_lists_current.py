"""Lists that are always current (issue 15, item 1): a case registered on the 登记 page and then refused
from its case view shows up in the case list, the workbench and the board without touching a filter;
and a reload never sets off another one."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.gui.test_case_actions import choose, save, start, type_into
from tests.gui.test_intake_page import Keyboard, save_minimal_form
from tests.gui.windows import shown_window
from xinfang_desktop.domain import workflow as wf
from xinfang_desktop.domain.workflow import EventKind

GUI = Path(__file__).resolve().parents[2] / "xinfang_desktop" / "gui"


def go(qtbot, window, key: str):
    """Click the page's entry in the navigation, as a clerk does."""
    from xinfang_desktop.gui.main_window import KEYS

    item = window.nav.item(KEYS.index(key))
    qtbot.mouseClick(window.nav.viewport(), Qt.LeftButton, pos=window.nav.visualItemRect(item).center())
    page = window.pages[key]
    assert window.stack.currentWidget() is page
    return page


def listed(page) -> dict[str, str]:
    """The case list as shown: number → status."""
    m = page.model
    return {m.index(r, 0).data(): m.index(r, 5).data() for r in range(m.rowCount())}


def chips(workbench) -> dict[str, str]:
    return {status: chip.text() for status, chip in workbench.status_buttons.items()}


def board_count(board) -> int:
    return int(re.search(r"共(\d+)", board.count_label.text()).group(1))


@pytest.fixture
def window(qtbot, app_ctx):
    return shown_window(qtbot, app_ctx)


def test_register_then_refuse_shows_everywhere_without_touching_a_filter(qtbot, two_cases, receipts, window):
    workbench = window.pages["workbench"]
    before_chips = chips(workbench)
    assert before_chips[wf.Status.REGISTERED.value] == "待处理 2"
    cases = go(qtbot, window, "cases")
    assert cases.count_label.text() == "共 2 件"
    board = go(qtbot, window, "board")
    on_board = board_count(board)

    intake = go(qtbot, window, "intake")
    qtbot.mouseClick(intake.rows[0].name, Qt.LeftButton)
    save_minimal_form(Keyboard(qtbot), intake)
    assert len(receipts) == 1                              # saved: the receipt was offered
    number = intake.saved_case.number

    cases = go(qtbot, window, "cases")
    assert cases.count_label.text() == "共 3 件"
    assert listed(cases)[number] == "待处理"
    assert go(qtbot, window, "workbench") is workbench
    assert chips(workbench)[wf.Status.REGISTERED.value] == "待处理 3"
    assert board_count(go(qtbot, window, "board")) == on_board + 1

    # open it from the list with the keyboard, refuse it with the case view's button
    cases = go(qtbot, window, "cases")
    row = list(listed(cases)).index(number)
    cases.table.setFocus()
    cases.table.setCurrentIndex(cases.model.index(row, 0))
    qtbot.keyClick(cases.table, Qt.Key_Return)
    view = window.case_view
    assert window.stack.currentWidget() is view
    dialog = start(qtbot, view, EventKind.REFUSED)
    choose(qtbot, dialog, "ground", "being_handled")
    type_into(qtbot, dialog, "details", "该事项已由漳平市人社局受理")
    type_into(qtbot, dialog, "instead", "向漳平市人社局了解办理进度")
    save(qtbot, dialog)
    assert view.fields["status"].text() == "不予受理"
    qtbot.keyClick(view, Qt.Key_Escape)                   # back to the list: already current
    assert window.stack.currentWidget() is cases
    assert listed(cases)[number] == "不予受理"
    assert cases.table.currentIndex().data() == number    # still selected: the clerk goes on from there
    assert cases.count_label.text() == "共 3 件"
    go(qtbot, window, "workbench")
    assert chips(workbench)[wf.Status.REGISTERED.value] == "待处理 2"
    assert chips(workbench)[wf.Status.REFUSED.value] == "不予受理 1"
    assert board_count(go(qtbot, window, "board")) == on_board


def test_a_visible_list_follows_a_write_made_elsewhere(qtbot, two_cases, services, admin, window):
    """The case list on the screen while a write lands (as a sync import or a dialog does)."""
    from tests.conftest import make_registration

    cases = go(qtbot, window, "cases")
    assert cases.count_label.text() == "共 2 件"
    tasks = window.ctx.tasks
    tasks.run(lambda: services.cases.register(admin, make_registration()), writes=True)
    assert cases.count_label.text() == "共 3 件"
    tasks.run(lambda: services.cases.register(admin, make_registration()), writes=False)   # a read changes nothing
    assert cases.count_label.text() == "共 3 件"


@pytest.mark.parametrize("key", ["cases", "workbench", "board", "mediation", "reception", "stats"])
def test_a_reload_only_reads_so_it_never_sets_off_another(qtbot, app_ctx, two_cases, key):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.gui.tasks import CASES, TaskRunner

    class Counting(TaskRunner):
        def __init__(self):
            super().__init__(inline=True)
            self.lanes: list[bool] = []

        def run(self, fn, **kw):
            self.lanes.append(kw.get("writes", True))
            return super().run(fn, **kw)

    tasks = Counting()
    app_ctx.tasks = tasks
    w = MainWindow(app_ctx)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w, timeout=30_000)
    page = go(qtbot, w, key)
    if key == "stats":
        qtbot.waitUntil(lambda: page.stats is not None, timeout=30_000)
    announced: list[str] = []
    tasks.changed.connect(announced.append)
    tasks.lanes.clear()
    tasks.changed.emit(CASES)                      # one write landed
    assert tasks.lanes and not any(tasks.lanes)    # the page read again, and only read
    assert announced == [CASES]                    # so nothing announced a second change


def _runs_without_lane(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run"
            and ast.unparse(node.func.value).endswith("tasks")
            and "writes" not in {k.arg for k in node.keywords}]


def test_every_task_says_whether_it_writes():
    """A read left on the default lane would announce a change after each reload, and reload for ever."""
    missing = {str(p.relative_to(GUI)): lines for p in sorted(GUI.rglob("*.py"))
               for lines in [_runs_without_lane(p)] if lines}
    assert missing == {}
