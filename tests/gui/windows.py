"""The main window as a clerk finds it after logging in: shown at a laptop's 1280×800 and active."""

from __future__ import annotations


def shown_window(qtbot, ctx, size: tuple[int, int] = (1280, 800)):
    from xinfang_desktop.gui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window, timeout=30_000)
    window.activateWindow()
    return window
