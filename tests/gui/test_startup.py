"""Start-up: the main window shows its workbench first and builds the other pages once it is on the
screen."""

from __future__ import annotations


def test_the_main_window_shows_the_workbench_first_and_builds_the_other_pages_after(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import NAVIGATION, MainWindow
    from xinfang_desktop.gui.pages.placeholder import PlaceholderPage

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    assert window.stack.count() == 1 and window.stack.currentWidget() is window.pages["workbench"]
    assert window.windowTitle() == "信访 Desktop — 永福镇信访办"
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.stack.count() == len(NAVIGATION))
    assert window.stack.currentWidget() is window.pages["workbench"]      # building them did not switch pages
    assert not any(isinstance(window.pages[key], PlaceholderPage) for key, _, _ in NAVIGATION)
    assert len({id(window.stack.widget(i)) for i in range(window.stack.count())}) == len(NAVIGATION)
