"""The whole window fits the smallest screen the offices use (1280×800): no page may make it wider or
taller, or its right side and bottom are cut off with no scroll bar."""

from __future__ import annotations


def test_every_page_fits_a_1280_by_800_screen(qtbot, app_ctx, two_cases):
    from xinfang_desktop.gui.main_window import NAVIGATION, MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    too_big = {}
    for key, label, _ in NAVIGATION:
        window.show_page(key)
        hint = window.minimumSizeHint()
        if hint.width() > 1280 or hint.height() > 800:
            too_big[label] = (hint.width(), hint.height())
    assert not too_big, f"pages that make the window larger than 1280×800: {too_big}"
