"""The case view at 1280×800: the 显示 button (full ID number and phone) is on the parties table, not past
its right edge behind a scroll bar; the address takes what is left and wraps."""

from __future__ import annotations

from tests.conftest import make_registration


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
