"""看板规则 on the settings page: an administrator shortens the repeat window from 90 to 60 days,
the value is kept, and a person whose three petitions span 70 days is no longer red on the board."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import make_registration
from xinfang_desktop.domain.board import Colour
from xinfang_desktop.domain.workflow import EventKind


def settings_page(qtbot, services, tasks, actor):
    from xinfang_desktop.gui.board_rules_box import BoardRulesBox
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.settings import SettingsPage

    page = SettingsPage(AppContext(services, tasks, actor))
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    qtbot.waitExposed(page)
    box = page.findChild(BoardRulesBox)
    assert box is not None and box.isVisible()
    box.page = page                      # qtbot holds the page weakly; the test holds it through the box
    return box


def board_page(qtbot, services, tasks, actor):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.board import BoardPage

    page = BoardPage(AppContext(services, tasks, actor))
    qtbot.addWidget(page)
    return page


def type_into(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)          # digits only: plain key clicks are safe here


def petitions_70_days_apart(services, clerk, handler, clock):
    """Three petitions on one wage matter, on days 0, 35 and 70, each taken up at once and none
    answered; the first extended by 30 days so that no deadline has passed on day 70."""
    refs = []
    for i in range(3):
        if i:
            clock.advance(days=35)
        extra = {"repeat_of": refs[-1].number} if refs else {}
        ref = services.cases.register(clerk, make_registration(received_at=clock.now(), **extra))
        services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
        if i == 0:
            services.cases.act(handler, ref.number, EventKind.EXTENDED,
                               {"days": 30, "reason": "需调查取证", "approver": "镇长"})
        refs.append(ref)
    return refs


def test_admin_shortens_the_repeat_window_and_the_person_leaves_red(qtbot, services, tasks, admin, clerk, handler,
                                                                     clock):
    petitions_70_days_apart(services, clerk, handler, clock)
    board = board_page(qtbot, services, tasks, admin)
    [red] = board.visible_cards(Colour.RED)
    assert red.name == "欧阳娜娜"
    assert red.reason_texts()[0].startswith("90日内就同一事项信访3次，均未获书面答复")

    box = settings_page(qtbot, services, tasks, admin)
    window = box.spins["repeat_window_days"]
    assert window.value() == 90 and window.isEnabled() and not window.isReadOnly()
    assert box.save.isEnabled()
    type_into(qtbot, window, "60")
    assert box.message.text() == "已修改，尚未保存。"
    qtbot.mouseClick(box.save, Qt.LeftButton)
    assert "看板规则已保存" in box.message.text()
    box.window().close()

    # Reopened: the value is the saved one; the other thresholds kept their defaults.
    box = settings_page(qtbot, services, tasks, admin)
    assert box.values() == {"repeat_count": 3, "repeat_window_days": 60, "long_standing_days": 180,
                            "due_soon_days": 7, "followup_days": 30}

    board.reload()                       # what F5 or coming back to the board does
    assert board.visible_cards(Colour.RED) == []
    [card] = board.visible_cards(Colour.YELLOW)
    assert card.name == "欧阳娜娜" and not any("同一事项" in t for t in card.reason_texts())
    assert "60日内" in board.help.text() and "90日内" not in board.help.text()


def test_a_value_out_of_bounds_is_refused_next_to_its_field_and_nothing_is_saved(qtbot, services, tasks, admin):
    box = settings_page(qtbot, services, tasks, admin)
    type_into(qtbot, box.spins["due_soon_days"], "90")
    type_into(qtbot, box.spins["followup_days"], "15")
    qtbot.mouseClick(box.save, Qt.LeftButton)
    error = box.errors["due_soon_days"]
    assert error.isVisible() and error.text() == "看板规则“临近到期天数”应为1至60之间的整数"
    assert box.message.text().startswith("没有保存")
    assert box.spins["due_soon_days"].value() == 90          # left for correcting
    from xinfang_desktop.services.board import BoardService

    assert services.get(BoardService).settings().followup_days == 30     # nothing half-saved
    # Restoring the defaults and saving clears the message.
    qtbot.mouseClick(box.defaults, Qt.LeftButton)
    assert not error.isVisible()
    qtbot.mouseClick(box.save, Qt.LeftButton)
    assert "看板规则已保存" in box.message.text()


def test_a_clerk_sees_the_rules_in_force_but_cannot_change_them(qtbot, services, tasks, admin, clerk):
    from xinfang_desktop.services.board import BoardService

    services.get(BoardService).save_settings(admin, long_standing_days=120)
    box = settings_page(qtbot, services, tasks, clerk)
    assert box.spins["long_standing_days"].value() == 120
    assert all(s.isReadOnly() for s in box.spins.values())
    assert not box.save.isEnabled() and not box.defaults.isEnabled()
    assert "只有管理员可以修改看板规则" in box.message.text()
    type_into(qtbot, box.spins["long_standing_days"], "60")
    assert box.spins["long_standing_days"].value() == 120
