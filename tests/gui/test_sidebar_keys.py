"""Every sidebar entry has a key: Ctrl+1 … Ctrl+9, Ctrl+0 for the first ten, Ctrl+Shift+1 … for the rest,
pressed from wherever the focus is (a text box on the 登记 page too), and said in the entry's tool tip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLineEdit


def test_every_sidebar_entry_opens_with_its_key(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import NAVIGATION, MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=30_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=30_000)   # a window's keys reach only the active window
    assert len(NAVIGATION) == 13
    digits = [Qt.Key_1, Qt.Key_2, Qt.Key_3, Qt.Key_4, Qt.Key_5, Qt.Key_6, Qt.Key_7, Qt.Key_8, Qt.Key_9, Qt.Key_0]
    keys = ([(d, Qt.ControlModifier) for d in digits]
            + [(d, Qt.ControlModifier | Qt.ShiftModifier) for d in digits[:3]])
    # backwards, so that no entry is already the current one when its key is pressed
    for row in reversed(range(len(NAVIGATION))):
        key, label, _ = NAVIGATION[row]
        qtbot.keyClick(window.focusWidget() or window, keys[row][0], keys[row][1])
        assert window.nav.currentRow() == row, label
        assert window.stack.currentWidget() is window.pages[key], label
        tip = window.nav.item(row).toolTip()
        shown = ("Ctrl+Shift+" if keys[row][1] & Qt.ShiftModifier else "Ctrl+") + QKeySequence(keys[row][0]).toString()
        assert f"快捷键：{shown}" in tip, (label, tip)


def test_the_keys_work_while_typing_in_a_text_box(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=30_000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=30_000)   # a window's keys reach only the active window
    window.show_page("cases")
    box = window.pages["cases"].search
    assert isinstance(box, QLineEdit)
    box.setFocus()
    qtbot.keyClicks(box, "12")
    qtbot.keyClick(box, Qt.Key_4, Qt.ControlModifier)          # 看板
    assert window.stack.currentWidget() is window.pages["board"]
    assert box.text() == "12"                                   # the key went to the window, not the box
    qtbot.keyClick(window.focusWidget() or window, Qt.Key_3, Qt.ControlModifier | Qt.ShiftModifier)   # 人员
    assert window.stack.currentWidget() is window.pages["staff"]
