"""The 人员 page: an administrator adds, edits, resets, disables and enables staff by clicking; everyone
changes their own password. Each result is checked the way it matters: who can open the data."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from tests.gui import modal


@pytest.fixture
def staff_page(qtbot, app_ctx, clerk):
    from xinfang_desktop.gui.pages import staff

    page = staff.create(app_ctx, None)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def answer(qtbot, kind: type, fill) -> list:
    return modal.answer(kind, fill)


def commit_text(widget, text: str) -> None:
    """Chinese as an input method types it (qtbot.keyClicks cannot)."""
    widget.setFocus()
    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok), Qt.LeftButton)


def passwords(qtbot, old: str | None, new: str):
    def fill(dialog) -> None:
        if old is not None:
            qtbot.keyClicks(dialog.old, old)
        qtbot.keyClicks(dialog.new, new)
        qtbot.keyClicks(dialog.again, new)
        ok(qtbot, dialog)
    return fill


def can_open(services, clock, name: str, password: str) -> bool:
    from xinfang_desktop.services.access import LoginFailed, unlock
    from xinfang_desktop.store.models import database

    try:
        opened = unlock(services.data_dir, name, password, clock=clock)
    except LoginFailed:
        return False
    opened.services.close()
    database.initialize(services.db)      # unlock pointed the models at its own connection
    return True


def rows(page) -> dict[str, list[str]]:
    t = page.table
    return {t.item(r, 1).text(): [t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())}


def select(qtbot, page, login: str) -> None:
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 1).text() == login)
    rect = page.table.visualItemRect(page.table.item(row, 0))
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton, pos=rect.center())


def test_the_page_lists_people_by_their_names(qtbot, staff_page):
    assert rows(staff_page)["clerk1"][:3] == ["李登记", "clerk1", "登记员"]
    assert rows(staff_page)["admin"][0] == "王管理"
    assert "王管理" in staff_page.me.text()


def test_an_administrator_adds_a_person_who_can_then_log_in(qtbot, staff_page, services, clock):
    from xinfang_desktop.gui.staff_dialogs import AddUserDialog
    from xinfang_desktop.services.permissions import Role

    def fill(d: AddUserDialog) -> None:
        ok(qtbot, d)                                       # nothing typed: refused, the dialog stays
        assert d.isVisible() and "姓名不能为空" in d.message.text()
        commit_text(d.display, "李明")
        qtbot.keyClicks(d.login, "liming")
        d.role.setCurrentIndex(d.role.findData(Role.HANDLER.value))
        qtbot.keyClicks(d.password, "abc")
        qtbot.keyClicks(d.again, "abc")
        ok(qtbot, d)                                       # too short: refused before anything is written
        assert d.isVisible() and "密码至少6位" in d.message.text()
        d.password.clear()
        d.again.clear()
        qtbot.keyClicks(d.password, "liming-pass-1")
        qtbot.keyClicks(d.again, "liming-pass-1")
        ok(qtbot, d)

    seen = answer(qtbot, AddUserDialog, fill)
    qtbot.mouseClick(staff_page.add, Qt.LeftButton)
    assert seen == ["添加工作人员"]
    assert "已添加 李明" in staff_page.message.text()
    assert rows(staff_page)["liming"][:4] == ["李明", "liming", "承办人", "在用"]
    assert can_open(services, clock, "liming", "liming-pass-1")


def test_a_taken_user_name_is_said_in_words(qtbot, staff_page, services):
    from xinfang_desktop.gui.staff_dialogs import AddUserDialog
    from xinfang_desktop.store.models import User

    def fill(d: AddUserDialog) -> None:
        commit_text(d.display, "另一个李")
        for box, text in ((d.login, "clerk1"), (d.password, "whatever-1"), (d.again, "whatever-1")):
            qtbot.keyClicks(box, text)
        ok(qtbot, d)

    answer(qtbot, AddUserDialog, fill)
    qtbot.mouseClick(staff_page.add, Qt.LeftButton)
    assert "用户名“clerk1”已存在" in staff_page.message.text()
    assert User.get(User.name == "clerk1").display_name == "李登记"


def test_an_administrator_sets_a_name_and_a_role(qtbot, staff_page, services):
    from xinfang_desktop.gui.staff_dialogs import EditUserDialog
    from xinfang_desktop.services.permissions import Role

    def fill(d: EditUserDialog) -> None:
        d.display.clear()
        commit_text(d.display, "李小红")
        d.role.setCurrentIndex(d.role.findData(Role.LEADER.value))
        ok(qtbot, d)

    select(qtbot, staff_page, "clerk1")
    answer(qtbot, EditUserDialog, fill)
    qtbot.mouseClick(staff_page.edit, Qt.LeftButton)
    assert rows(staff_page)["clerk1"][:3] == ["李小红", "clerk1", "领导"]
    user = services.auth.user("clerk1")
    assert (user.display_name, user.role) == ("李小红", Role.LEADER)
    assert services.auth.keyring().role("clerk1") == "leader"


def test_a_disabled_person_cannot_log_in_and_is_enabled_with_a_new_password(qtbot, staff_page, services, clock):
    select(qtbot, staff_page, "clerk1")
    answer(qtbot, QMessageBox, lambda box: qtbot.mouseClick(box.button(QMessageBox.Yes), Qt.LeftButton))
    qtbot.mouseClick(staff_page.disable, Qt.LeftButton)
    assert "已停用 李登记" in staff_page.message.text()
    assert rows(staff_page)["clerk1"][3] == "已停用"           # still listed: the audit names them
    assert not can_open(services, clock, "clerk1", "clerk-pass-1")
    assert not staff_page.disable.isEnabled() and staff_page.enable.isEnabled()

    from xinfang_desktop.gui.dialogs import PasswordDialog

    answer(qtbot, PasswordDialog, passwords(qtbot, None, "clerk-pass-2"))
    qtbot.mouseClick(staff_page.enable, Qt.LeftButton)
    assert "已重新启用 李登记" in staff_page.message.text()
    assert rows(staff_page)["clerk1"][3] == "在用"
    assert can_open(services, clock, "clerk1", "clerk-pass-2")
    assert not can_open(services, clock, "clerk1", "clerk-pass-1")


def test_no_one_disables_themselves_or_the_last_administrator(qtbot, staff_page, services):
    select(qtbot, staff_page, "admin")
    answer(qtbot, QMessageBox, lambda box: qtbot.mouseClick(box.button(QMessageBox.Yes), Qt.LeftButton))
    qtbot.mouseClick(staff_page.disable, Qt.LeftButton)
    assert "不能停用自己" in staff_page.message.text()
    assert rows(staff_page)["admin"][3] == "在用"


def test_an_administrator_resets_a_password(qtbot, staff_page, services, clock):
    from xinfang_desktop.gui.dialogs import PasswordDialog

    select(qtbot, staff_page, "clerk1")
    answer(qtbot, PasswordDialog, passwords(qtbot, None, "clerk-pass-9"))
    qtbot.mouseClick(staff_page.reset, Qt.LeftButton)
    assert "已重设 李登记 的密码" in staff_page.message.text()
    assert can_open(services, clock, "clerk1", "clerk-pass-9")
    assert not can_open(services, clock, "clerk1", "clerk-pass-1")


def test_everyone_changes_their_own_password(qtbot, services, clerk, tasks, clock):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.dialogs import PasswordDialog
    from xinfang_desktop.gui.pages.staff import StaffPage

    page = StaffPage(AppContext(services, tasks, clerk))
    qtbot.addWidget(page)
    page.show()
    assert not page.table.isVisible() and not page.add.isVisible()     # a clerk manages no one
    answer(qtbot, PasswordDialog, passwords(qtbot, "wrong-pass", "clerk-pass-5"))
    qtbot.mouseClick(page.own, Qt.LeftButton)
    assert "原密码不对" in page.message.text()
    answer(qtbot, PasswordDialog, passwords(qtbot, "clerk-pass-1", "clerk-pass-5"))
    qtbot.mouseClick(page.own, Qt.LeftButton)
    assert "已修改密码" in page.message.text()
    assert can_open(services, clock, "clerk1", "clerk-pass-5")
    assert not can_open(services, clock, "clerk1", "clerk-pass-1")


def test_the_timeline_names_the_person_not_the_login(qtbot, app_ctx, services, clerk):
    from xinfang_desktop.gui.pages.case_view import CaseViewPage

    from tests.conftest import make_registration

    case = services.cases.register(clerk, make_registration())
    view = CaseViewPage(app_ctx, case.id)
    qtbot.addWidget(view)
    who = {view.timeline.item(r, 3).text() for r in range(view.timeline.rowCount())}
    assert "李登记" in who and "clerk1" not in who


def test_the_window_has_a_staff_page(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.gui.pages.staff import StaffPage

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    row = next(i for i in range(window.nav.count()) if window.nav.item(i).text() == "人员")
    rect = window.nav.visualItemRect(window.nav.item(row))
    qtbot.mouseClick(window.nav.viewport(), Qt.LeftButton, pos=rect.center())
    assert isinstance(window.stack.currentWidget(), StaffPage)
    assert window.stack.currentWidget().me.text().startswith("王管理")


def test_the_leaders_offered_for_a_case_are_named_not_logins(qtbot, app_ctx, services, admin, clerk):
    from xinfang_desktop.gui.pages.case_view import CaseViewPage
    from xinfang_desktop.services.permissions import Role

    from tests.conftest import make_registration

    services.auth.add_user(admin, "leader_li", Role.LEADER, "leader-pass-1", "李镇长")
    case = services.cases.register(clerk, make_registration())
    view = CaseViewPage(app_ctx, case.id)
    qtbot.addWidget(view)
    view.show()
    qtbot.mouseClick(view.action_buttons["attention.assign"], Qt.LeftButton)
    from tests.gui.test_board_gui import last_form

    combo = last_form(view).editor("leader")
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert "李镇长（领导）" in offered and "王管理（管理员）" in offered
    assert not any("leader_li" in text or "admin" in text for text in offered)
    last_form(view).reject()
