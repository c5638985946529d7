"""The window opens as its user left it: size and text size are remembered per user, in the
database, and another user's are their own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


@pytest.fixture
def normal_font():
    from xinfang_desktop.gui.style import apply_fonts

    apply_fonts(QApplication.instance(), 1.0)     # as the program starts
    yield
    apply_fonts(QApplication.instance(), 1.0)     # the next test starts with the normal text size


def _open(qtbot, ctx, keys: bool = False):
    from xinfang_desktop.gui.app import window_prefs
    from xinfang_desktop.gui.main_window import MainWindow

    window = MainWindow(ctx, prefs=window_prefs(ctx))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    if keys:
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)      # the zoom keys are the window's shortcuts
        window.nav.setFocus()
    return window


def test_size_and_text_size_are_remembered_for_the_same_user(qtbot, app_ctx, clerk, tasks, normal_font):
    from xinfang_desktop.gui.context import AppContext

    window = _open(qtbot, app_ctx, keys=True)
    normal = QApplication.font().pointSizeF()
    assert window.size().width() == 1280           # first start: the default size
    window.resize(1100, 640)
    qtbot.keyClick(window.nav, Qt.Key_Equal, Qt.ControlModifier)      # Ctrl+= : larger text
    qtbot.keyClick(window.nav, Qt.Key_Equal, Qt.ControlModifier)
    larger = QApplication.font().pointSizeF()
    assert larger > normal
    left = window.size()             # at least the larger text's minimum
    window.close()

    from xinfang_desktop.gui.style import apply_fonts
    apply_fonts(QApplication.instance(), 1.0)      # as a new start of the program would have it
    again = _open(qtbot, app_ctx)
    # The test screen (offscreen) is 800 wide: Qt fits a restored window's width to the screen, as it
    # should on a smaller monitor; the height fits and comes back as it was.
    assert again.size().height() == left.height() == 640
    assert QApplication.font().pointSizeF() == pytest.approx(larger)
    again.close()

    apply_fonts(QApplication.instance(), 1.0)
    other = _open(qtbot, AppContext(app_ctx.services, tasks, clerk))     # another user: the defaults
    assert other.size().width() == 1280
    assert QApplication.font().pointSizeF() == pytest.approx(normal)
    other.close()


def test_unreadable_saved_window_opens_with_the_defaults(qtbot, app_ctx, services, admin, normal_font):
    from xinfang_desktop.store.models import Setting

    with services.db.atomic():
        Setting.replace(key=f"user.{admin.id}.window", value={"geometry": "not base64!", "zoom": "big"}).execute()
    window = _open(qtbot, app_ctx)
    assert window.size().width() == 1280
    window.close()
