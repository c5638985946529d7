"""The case view at 1280×800: the 显示 button (full ID number and phone) is on the parties table, not past
its right edge behind a scroll bar; the address takes what is left and wraps."""

from __future__ import annotations

from tests.conftest import make_registration
from tests.gui.windows import shown_window


def test_the_reveal_button_is_within_the_parties_table(qtbot, app_ctx, services, clerk):
    from xinfang_desktop.domain.petition import PetitionerInput
    from xinfang_desktop.gui.pages.case_view import REVEAL_COLUMN, CaseViewPage

    case = services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(
        name="欧阳娜娜", id_number="11010519491231002X", phone="13812345678", township_code="350881102000",
        address="漳平市永福镇李庄村三组12号（村委会东侧第二户，门前有棵龙眼树）")]))
    view = CaseViewPage(app_ctx, case.id)        # the administrator may show the full numbers
    qtbot.addWidget(view)
    view.resize(1160, 760)                       # the page's share of a 1280×800 window
    view.show()
    qtbot.waitExposed(view)
    table = view.parties
    button = table.cellWidget(0, REVEAL_COLUMN)
    assert button is not None and button.text() == "显示"
    qtbot.waitUntil(lambda: table.columnViewportPosition(REVEAL_COLUMN) + table.columnWidth(REVEAL_COLUMN)
                    <= table.viewport().width(), timeout=30_000)
    assert not table.horizontalScrollBar().isVisible()


def test_an_administrators_row_of_actions_wraps_within_a_1280_window(qtbot, app_ctx, services, clerk):
    """A dozen buttons (转办, 书面告知, 不予受理, 包案, 调解记录 … 备注) once made the window wider than the screen:
    the row wraps, and every button is inside the page."""
    case = services.cases.register(clerk, make_registration())
    window = shown_window(qtbot, app_ctx)        # app_ctx's actor: the administrator, who may do every action
    view = window.open_case(case.id)
    qtbot.waitUntil(lambda: len(view.action_buttons) >= 10, timeout=30_000)
    qtbot.waitUntil(lambda: all(b.isVisible() for b in view.action_buttons.values()), timeout=30_000)
    assert window.width() <= 1280
    right = view.mapToGlobal(view.rect().topRight()).x()
    for button in view.action_buttons.values():
        assert button.mapToGlobal(button.rect().topRight()).x() <= right, button.text()
    rows = {b.mapTo(view, b.rect().topLeft()).y() for b in view.action_buttons.values()}
    assert len(rows) >= 2                        # wrapped, not squeezed
