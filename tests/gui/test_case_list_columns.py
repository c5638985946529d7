"""The case list on a wide screen: the room goes to 问题类别 (it was cut to 城乡建设/房地产开发与… while 人数
stretched across half the screen), never below its starting width on a narrow one."""

from __future__ import annotations


def test_a_wider_window_widens_the_category_column(qtbot, app_ctx):
    from xinfang_desktop.gui.pages.case_list import CATEGORY_COLUMN, COLUMN_WIDTHS, CaseListPage

    page = CaseListPage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    assert page.table.columnWidth(CATEGORY_COLUMN) == COLUMN_WIDTHS[CATEGORY_COLUMN]
    page.resize(1800, 700)
    qtbot.waitUntil(lambda: page.table.columnWidth(CATEGORY_COLUMN) > COLUMN_WIDTHS[CATEGORY_COLUMN] + 400,
                    timeout=30_000)
    people = len(COLUMN_WIDTHS) - 1
    assert page.table.columnWidth(people) == COLUMN_WIDTHS[people]       # 人数 keeps its width
    used = sum(page.table.columnWidth(c) for c in range(len(COLUMN_WIDTHS)))
    assert used <= page.table.viewport().width()                        # and nothing runs off the side
