"""Printing the board takes seconds on a big board: the page says it is being made while it is."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import make_registration


def test_printing_the_board_shows_progress_until_the_preview_opens(qtbot, app_ctx, services, clerk, monkeypatch):
    from xinfang_desktop.gui import print_preview
    from xinfang_desktop.gui.pages.board import BoardPage
    from xinfang_desktop.services.board import BoardService

    services.cases.register(clerk, make_registration())
    page = BoardPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    seen, shown = [], []
    real = BoardService.print_board

    def print_board(self, *args, **kwargs):
        seen.append((page.busy.isVisible(), page.print_button.text(), page.print_button.isEnabled()))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BoardService, "print_board", print_board)
    monkeypatch.setattr(print_preview, "show_document", lambda parent, rendered, **kw: shown.append(rendered))
    qtbot.mouseClick(page.print_button, Qt.LeftButton)
    assert seen == [(True, "正在生成看板…", False)]
    assert len(shown) == 1 and not page.busy.isVisible()
    assert page.print_button.text() == "打印看板(&P)" and page.print_button.isEnabled()
