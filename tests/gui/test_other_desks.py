"""Every desk's lists see the other desks' changes (issue 16, item 2): another desk registers or acts on the same
database (the services of a second Services object, or `xinfang case add` in its own process), the window's
change watcher looks (its timer's timeout, driven here: no waiting on time), and the case list, the workbench
and the board show it, with the clerk's selection and scroll position kept; nothing reloads under a form being
typed in or an open dialog; the case view says that its case was updated elsewhere; a server gone away is one
line, not a box every few seconds. On both engines (tests/conftest.py: BOTH_ENGINES)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from tests.conftest import make_registration, reopen
from tests.gui.test_lists_current import chips, go, listed
from tests.gui.windows import shown_window
from xinfang_desktop.domain import workflow as wf
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind

CASES = 60


@contextmanager
def other_desk(services, clock):
    """A second program's services on the same data (the same file, or the same server database). Opening
    one binds the models to it; the window's own are bound again when it is done."""
    from xinfang_desktop.store.models import database

    other = reopen(services.data_dir, clock, key=services.data_key)
    try:
        yield other
    finally:
        other.close()
        database.initialize(services.db)


def register_elsewhere(services, clock, actor, **fields) -> str:
    with other_desk(services, clock) as other:
        return other.cases.register(actor, make_registration(**fields)).number


def look(window) -> None:
    """The watcher's timer fires (what the QTimer does every few seconds)."""
    window.watcher.timer.timeout.emit()


def hand_counters_over(services) -> None:
    """PostgreSQL: this connection's row counters handed over now, before it answers (PostgreSQL 15)."""
    from xinfang_desktop.store.engine import is_postgres

    if is_postgres(services.db):
        services.db.execute_sql("SELECT pg_stat_force_next_flush()")


def look_until(qtbot, window, seen) -> None:
    """Look until `seen()`: on PostgreSQL a backend hands its row counters over as its connection closes, a
    moment after the other desk's commit (store/changes.py); on SQLite the first look sees it."""
    qtbot.waitUntil(lambda: (look(window), bool(seen()))[1], timeout=30_000)


@pytest.fixture
def many(services, clerk):
    """CASES matters received a day apart (the newest first in the list), more than the window shows."""
    start = datetime(2026, 8, 1, 9, 0)
    return [services.cases.register(clerk, make_registration(
        received_at=start + timedelta(days=i),
        petitioners=[PetitionerInput(name="欧阳" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰巳"[i // 10],
                                     phone=f"1380000{i:04d}")])).number
        for i in range(CASES)]


def _named(widget) -> str:
    """A modal found where none should be, with its title and text (which test left it is then plain)."""
    text = getattr(widget, "text", None)
    return f"{widget!r} {widget.windowTitle() if widget else ''} {text() if callable(text) else ''}"


@pytest.fixture
def window(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import KEYS

    w = shown_window(qtbot, app_ctx)
    # the first look, on show: where the next ones compare from (none under a dialog left open)
    assert w.watcher.looks == 1, _named(QApplication.activeModalWidget())
    qtbot.waitUntil(lambda: len(w.pages.built) == len(KEYS), timeout=30_000)    # every page, hidden ones too
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=30_000)
    yield w
    w.close()


def test_the_case_list_shows_another_desks_registration_keeping_selection_and_scroll(qtbot, services, clock,
                                                                                     clerk, many, window):
    cases = go(qtbot, window, "cases")
    table = cases.table
    qtbot.waitUntil(lambda: cases.count_label.text() == f"共 {CASES} 件", timeout=30_000)
    # the clerk scrolls down and picks a case in the middle of the screen
    table.verticalScrollBar().setValue(20)
    first = table.rowAt(0)
    assert first > 0
    picked = first + 5
    table.setFocus()
    table.setCurrentIndex(cases.model.index(picked, 0))
    number = table.currentIndex().data()
    y = table.rowViewportPosition(picked)

    new = register_elsewhere(services, clock, clerk)        # received today: the top of the list
    assert new not in listed(cases)                         # nothing here knows yet
    look_until(qtbot, window, lambda: new in listed(cases))
    assert cases.count_label.text() == f"共 {CASES + 1} 件"
    assert new in listed(cases)
    assert table.currentIndex().data() == number           # the same case selected …
    assert table.rowViewportPosition(table.currentIndex().row()) == y      # … where it was on the screen
    assert table.rowAt(0) == first + 1                     # the rows moved down one with it
    assert table.hasFocus()

    # a look that finds nothing new reloads nothing (on PostgreSQL once the test's own connection, still open,
    # has handed its row counters over: it may do so up to 10 s late, store/changes.py, and that is a change)
    hand_counters_over(services)
    look(window)
    models_reset = []
    cases.model.modelReset.connect(lambda: models_reset.append(1))
    look(window)
    assert models_reset == []


def test_the_workbench_and_a_hidden_list_follow_another_desk(qtbot, services, clock, clerk, handler, two_cases,
                                                            window):
    workbench = window.pages["workbench"]
    assert window.stack.currentWidget() is workbench
    assert chips(workbench)[wf.Status.REGISTERED.value] == "待处理 2"
    cases = window.pages["cases"]                          # built, not shown
    before = dict(listed(cases))

    new = register_elsewhere(services, clock, clerk)
    look_until(qtbot, window, lambda: chips(workbench)[wf.Status.REGISTERED.value] == "待处理 3")   # on the screen
    assert listed(cases) == before                          # hidden: not read for nothing …
    assert listed(go(qtbot, window, "cases"))[new] == "待处理"              # … but when shown

    with other_desk(services, clock) as other:              # an action on another desk
        other.cases.act(handler, new, EventKind.REFUSED, {"ground": "being_handled", "details": "已由人社局受理",
                                                          "instead": "向人社局了解办理进度"})
    look_until(qtbot, window, lambda: listed(cases)[new] == "不予受理")


def test_nothing_reloads_under_the_intake_form_or_an_open_dialog(qtbot, services, clock, clerk, two_cases, window):
    from tests.gui.test_intake_page import Keyboard

    cases = go(qtbot, window, "cases")
    intake = go(qtbot, window, "intake")
    qtbot.mouseClick(intake.rows[0].name, Qt.LeftButton)
    kb = Keyboard(qtbot)
    kb.chinese_text("欧阳")
    seen: list[str] = []
    window.ctx.tasks.changed_elsewhere.connect(seen.append)
    reads = []
    cases.model.modelReset.connect(lambda: reads.append(1))

    new = register_elsewhere(services, clock, clerk)
    look_until(qtbot, window, lambda: seen == ["cases"])    # the change was seen …
    assert reads == []                                      # … the hidden list waits to be shown
    assert intake.rows[0].name.text() == "欧阳" and intake.rows[0].name.hasFocus()
    kb.chinese_text("娜娜")                                  # the clerk types on, undisturbed
    assert intake.rows[0].name.text() == "欧阳娜娜"

    # a dialog open: nothing is looked at, and what happened meanwhile is seen once it is closed
    go(qtbot, window, "cases")
    dialog = QDialog(window)
    dialog.setModal(True)
    dialog.show()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog, timeout=30_000)
    second = register_elsewhere(services, clock, clerk)
    look(window)
    assert len(seen) == 1 and second not in listed(cases)
    dialog.close()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=30_000)
    look_until(qtbot, window, lambda: len(seen) == 2)
    assert {new, second} <= set(listed(cases))


def test_the_case_view_says_its_case_was_updated_elsewhere(qtbot, services, clock, admin, handler, two_cases,
                                                         window):
    from xinfang_desktop.gui.pages.case_view import ELSEWHERE

    view = window.open_case(two_cases[0].id)
    qtbot.waitUntil(lambda: view.detail is not None, timeout=30_000)
    shown = view.fields["status"].text()
    seen: list[str] = []
    window.ctx.tasks.changed_elsewhere.connect(seen.append)
    register_elsewhere(services, clock, admin)               # another case: this one is not touched
    look_until(qtbot, window, lambda: seen)
    assert view.elsewhere.isHidden()

    with other_desk(services, clock) as other:
        other.cases.act(handler, two_cases[0].number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    look_until(qtbot, window, view.elsewhere.isVisible)
    assert view.elsewhere_text.text() == ELSEWHERE
    assert view.fields["status"].text() == shown            # not changed under the clerk's eyes
    qtbot.mouseClick(view.elsewhere_button, Qt.LeftButton)  # read it again
    assert view.elsewhere.isHidden()
    assert view.fields["status"].text() != shown
    assert EventKind.ROUTED.label in [view.timeline.item(r, 1).text() for r in range(view.timeline.rowCount())]


def test_the_case_view_sees_a_baoan_made_on_another_desk(qtbot, services, clock, admin, two_cases, window):
    """A leader's 包案 on another desk: the open view says its case was updated; read again, 办理过程 says who
    took the case, with the plan and the target date."""
    from xinfang_desktop.services.attention import OwnershipService
    from xinfang_desktop.services.permissions import Role

    leader = services.auth.add_user(admin, "leader1", Role.LEADER, "leader-pass-1", "李镇长")
    view = window.open_case(two_cases[0].id)
    qtbot.waitUntil(lambda: view.detail is not None, timeout=30_000)
    labels = lambda: [view.timeline.item(r, 1).text() for r in range(view.timeline.rowCount())]  # noqa: E731
    assert "包案" not in labels()
    with other_desk(services, clock) as other:
        other.get(OwnershipService).assign(leader, two_cases[0].number, "leader1", "约谈企业负责人", "2026-12-15")
    look_until(qtbot, window, view.elsewhere.isVisible)
    assert "包案" not in labels()                            # not changed under the clerk's eyes
    qtbot.mouseClick(view.elsewhere_button, Qt.LeftButton)
    assert view.elsewhere.isHidden()
    row = labels().index("包案")
    assert view.timeline.item(row, 2).text() == "李镇长包案：约谈企业负责人（目标化解日期2026-12-15）"


def test_an_unreadable_database_is_one_line_until_it_answers_again(qtbot, services, clock, clerk, two_cases, window):
    """The looks fail (here: the probe cannot read); the status bar says so once, no box comes up, and the line
    goes at the first look that works, which also catches up on what happened meanwhile."""
    from xinfang_desktop.gui.change_watch import LOST

    watcher = window.watcher
    working = watcher.probe.read
    lines: list[str] = []
    watcher.trouble.connect(lines.append)

    def gone():
        import psycopg

        raise psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")

    watcher.probe.read = gone
    new = register_elsewhere(services, clock, clerk)
    for _ in range(5):
        look(window)
    assert lines == [LOST]
    assert window.watch_line.isVisible() and window.watch_line.text() == LOST
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]

    watcher.probe.read = working
    look(window)
    assert lines == [LOST, ""] and window.watch_line.isHidden()
    cases = go(qtbot, window, "cases")
    look_until(qtbot, window, lambda: new in listed(cases))


def test_the_board_keeps_each_columns_place_when_another_desk_adds_a_card(qtbot, services, clock, clerk, many,
                                                                         window):
    from xinfang_desktop.gui.pages.board import card_key
    from tests.gui.test_lists_current import board_count

    board = go(qtbot, window, "board")
    qtbot.waitUntil(lambda: board.board is not None, timeout=30_000)
    column = max(board.columns.values(), key=lambda c: len(c.model.cards))
    view = column.view
    assert len(column.model.cards) > 2 * column.model.PAGE          # more than a screen: it scrolls
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=30_000)
    bar.setValue(bar.maximum() // 2)
    top = view.indexAt(view.viewport().rect().topLeft())
    key, y = card_key(column.model.cards[top.row()]), view.visualRect(top).top()
    on_board = board_count(board)

    register_elsewhere(services, clock, clerk, received_at=datetime(2026, 7, 1, 9, 0))   # long overdue: on top
    look_until(qtbot, window, lambda: board_count(board) == on_board + 1)
    assert len(column.model.cards) == CASES + 1
    row = next(i for i, c in enumerate(column.model.cards) if card_key(c) == key)
    assert view.visualRect(column.model.index(row)).top() == y      # the same card where it was


def test_a_custom_span_being_typed_is_not_refused_at_every_change_elsewhere(qtbot, two_cases, window):
    """The 统计 page computes again after another desk's change, but a span the clerk is still typing (ending
    before it starts) is said when the clerk asks for the figures, not by a box at each look."""
    from PySide6.QtCore import QDate

    stats = go(qtbot, window, "stats")
    stats.kind.setCurrentIndex(next(i for i in range(stats.kind.count())
                                    if stats.kind.itemData(i) not in ("month", "quarter", "year")))
    stats.start.setDate(QDate(2026, 10, 31))
    stats.end.setDate(QDate(2026, 10, 1))
    with pytest.raises(Exception):
        stats.period()
    window.ctx.tasks.changed_elsewhere.emit("cases")
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_a_registration_by_the_command_line_in_another_process_shows_in_the_list(qtbot, services, two_cases,
                                                                                window):
    """A second program (here `xinfang case add`, its own process and connection) on the same data: on a
    township's PC the command line beside the window, at the city another desk."""
    import json

    from tests.cli.test_cli_process import process
    from tests.conftest import ADMIN_PASSWORD

    cases = go(qtbot, window, "cases")
    done = process(services.data_dir, "case", "add", "--name", "张伟", "--channel", "来信", "--category", "0401",
                   "--request", "要求追讨拖欠的工资", "--format", "json", XINFANG_PASSWORD=ADMIN_PASSWORD)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    number = json.loads(done.stdout.decode("utf-8"))["number"]
    look_until(qtbot, window, lambda: number in listed(cases))
    assert cases.count_label.text() == "共 3 件"


def test_the_server_ending_the_watchers_session_is_one_line_then_it_connects_again(qtbot, services, clock, clerk,
                                                                                  two_cases, window, db_engine,
                                                                                  database_url):
    if db_engine != "postgresql":
        pytest.skip("a server's session: PostgreSQL only")
    import psycopg

    from xinfang_desktop.gui.change_watch import LOST

    watcher = window.watcher
    lines: list[str] = []
    watcher.trouble.connect(lines.append)
    with psycopg.connect(database_url, autocommit=True) as admin_session:     # the server ends the session
        ended = admin_session.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                      "WHERE application_name = 'xinfang-watch' AND datname = current_database()").fetchall()
    assert ended == [(True,)]
    qtbot.waitUntil(lambda: (look(window), lines == [LOST])[1], timeout=30_000)
    assert window.watch_line.isVisible()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    cases = go(qtbot, window, "cases")
    new = register_elsewhere(services, clock, clerk)
    look_until(qtbot, window, lambda: new in listed(cases))     # a new connection: the line goes, the list follows
    assert lines == [LOST, ""] and window.watch_line.isHidden()
