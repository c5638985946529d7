from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox
from PySide6.QtGui import QInputMethodEvent

from xinfang_desktop.domain.workflow import EventKind


def commit_text(widget, text: str) -> None:
    """Type Chinese the way an input method does (qtbot.keyClicks cannot)."""
    widget.setFocus()
    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def test_login_wrong_then_right(qtbot, services, admin, tasks):
    from xinfang_desktop.gui.dialogs import LoginDialog

    dlg = LoginDialog(services.data_dir, tasks)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg, timeout=30_000)
    assert dlg.ui.unit_label.text() == "永福镇信访办"
    qtbot.keyClicks(dlg.ui.name, "admin")
    qtbot.keyClicks(dlg.ui.password, "nope")
    dlg.ui.buttons.button(QDialogButtonBox.Ok).click()
    assert "用户名或密码错误" in dlg.ui.message.text()
    assert dlg.result() != QDialog.Accepted
    dlg.ui.password.clear()
    qtbot.keyClicks(dlg.ui.password, "admin-pass-1")
    qtbot.keyClick(dlg.ui.password, Qt.Key_Return)
    assert dlg.result() == QDialog.Accepted and dlg.actor.name == "admin"
    # the password opened the folder: its services are the window's from here on
    assert dlg.services.auth.unit().name == "永福镇信访办"
    dlg.services.close()


def test_case_list_search_and_open_case(qtbot, app_ctx, two_cases, services, handler, clock):
    from xinfang_desktop.gui.main_window import MainWindow

    a, b = two_cases
    clock.advance(days=1)
    services.cases.act(handler, a.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=30_000)
    window.activateWindow()
    window.show_page("cases")
    page = window.pages["cases"]
    assert page.model.rowCount() == 2
    assert page.count_label.text() == "共 2 件"
    commit_text(page.search, "欧阳")
    page.apply_filter()
    assert [r.number for r in page.model.rows] == [a.number]
    due = page.model.index(0, 6).data()
    assert "2027-01-01" in due or "剩" in due          # a date, with the days left
    assert page.model.index(0, 6).data(Qt.BackgroundRole) is not None

    page.table.doubleClicked.emit(page.model.index(0, 0))
    view = window.case_view
    assert window.stack.currentWidget() is view
    assert a.number in view.title.text() and a.query_code in view.title.text()
    assert view.parties.item(0, 0).text() == "欧阳娜娜"
    assert view.parties.item(0, 3).text() == "110105********002X"     # masked
    assert [view.timeline.item(i, 1).text() for i in range(view.timeline.rowCount())] == ["登记", "转办（办理途径）"]
    labels = [view.deadlines.item(i, 0).text() for i in range(view.deadlines.rowCount())]
    assert "办理期限（60日）" in labels
    qtbot.keyClick(view, Qt.Key_Escape)
    assert window.stack.currentWidget() is page


def test_a_page_missing_from_the_build_says_so(qtbot, app_ctx, monkeypatch):
    """A navigation entry whose page module is missing (left out of a build) shows a notice
    instead of failing the whole window."""
    from PySide6.QtWidgets import QLabel

    from xinfang_desktop.gui import pages
    from xinfang_desktop.gui.main_window import NAVIGATION, MainWindow

    found = pages.page_modules()
    monkeypatch.setattr(pages, "page_modules", lambda: {k: m for k, m in found.items() if k != "board"})
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    label = next(label for k, label, _ in NAVIGATION if k == "board")
    window.show_page("board")
    text = window.stack.currentWidget().findChild(QLabel).text()
    assert label in text and "此功能尚未开放" in text
    window.show_page("cases")                          # the other pages are there as usual
    assert window.stack.currentWidget() is window.pages["cases"]
