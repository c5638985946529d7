"""Every page of the window, at a township and at the city: every enabled button is pressed with the
mouse and every enabled menu action triggered, as a clerk would, answering or cancelling the dialogs
that open. Any exception that reaches the event loop, and any unexpected-error message, fails the test.

This is the test that would have caught 从U盘导入 crashing the window: clicked(bool) reached a slot that
took its argument for a list of files. A connection that passes a signal's argument where the slot
expects something else does not survive it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QObject, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialog, QMessageBox,  # noqa: E402
                               QPushButton, QTabWidget, QWidget)

from .conftest import CITY, TOWNS, write_out  # noqa: E402
from .test_sync_gui import _key_file, key_cache  # noqa: E402,F401  (the session fixture)


class DialogCloser(QObject):
    """Cancels whatever a press opens: the modal dialog running its own loop (file choosers, passphrase
    prompts, confirmations, forms), popups, and the message boxes a press leaves open. What is closed is
    counted, so the test can tell that dialogs did open."""

    def __init__(self, window: QWidget):
        super().__init__()
        self.window = window
        self.closed: list[str] = []
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self.close_open)
        self.timer.start()

    def close_open(self) -> None:
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        modal = QApplication.activeModalWidget()
        if modal is not None:
            self._close(modal)
        for w in QApplication.topLevelWidgets():
            if w is not self.window and w.isVisible() and isinstance(w, (QDialog, QMessageBox)):
                self._close(w)

    def _close(self, w: QWidget) -> None:
        self.closed.append(f"{type(w).__name__}:{w.windowTitle()}")
        if isinstance(w, QDialog):
            w.reject()
        else:
            w.close()


def _visible_buttons(root: QWidget, seen: set[int]) -> list[QAbstractButton]:
    out = []
    for b in root.findChildren(QAbstractButton):
        if id(b) in seen or not b.isVisible() or not b.isEnabled() or b.window() is not root.window():
            continue
        out.append(b)
    return out


def press_everything(qtbot, window, root: QWidget, pressed: list[str], depth: int = 0) -> None:
    """Press every enabled, visible button under ``root`` once (and every action of its menu), each tab
    of every tab widget in turn; a press may reveal further buttons, which are pressed too."""
    import shiboken6

    seen: set[int] = set()
    for tabs in root.findChildren(QTabWidget):
        for i in range(tabs.count()):
            if shiboken6.isValid(tabs) and tabs.isTabEnabled(i):
                tabs.setCurrentIndex(i)
                _press_visible(qtbot, window, root, seen, pressed)
    _press_visible(qtbot, window, root, seen, pressed)


def _press_visible(qtbot, window, root: QWidget, seen: set[int], pressed: list[str]) -> None:
    import shiboken6

    for _ in range(200):                  # a press may reveal more buttons: look again until none are new
        # "← 返回" leaves the page: pressed last
        todo = sorted(_visible_buttons(root, seen), key=lambda b: "返回" in b.text())
        if not todo:
            return
        for b in todo:
            seen.add(id(b))
            if not (shiboken6.isValid(b) and b.isVisible() and b.isEnabled()):
                continue
            pressed.append(b.text())
            menu = b.menu() if isinstance(b, QPushButton) else None
            qtbot.mouseClick(b, Qt.LeftButton)
            QApplication.processEvents()
            if menu is not None and shiboken6.isValid(menu):
                for action in list(menu.actions()):
                    if shiboken6.isValid(action) and action.isEnabled() and not action.isSeparator():
                        pressed.append(action.text())
                        action.trigger()
                        QApplication.processEvents()


@pytest.fixture
def unexpected(monkeypatch, caplog):
    """What went wrong unexpectedly, read when called: exceptions that reached the event loop
    (sys.excepthook), and the unexpected-error messages the window logged."""
    caught: list[str] = []

    def hook(exc_type, exc, tb):
        import traceback

        caught.append("".join(traceback.format_exception(exc_type, exc, tb)))

    monkeypatch.setattr(sys, "excepthook", hook)
    caplog.set_level(logging.ERROR)

    def problems() -> list[str]:
        return caught + [r.getMessage() for r in caplog.records
                         if r.levelno >= logging.ERROR and r.name.startswith("xinfang_desktop")]

    return problems


def _window(qtbot, office, tmp_path: Path):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.errors import show_error
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.gui.tasks import TaskRunner

    office.sync                                   # bind this office's database
    tasks = TaskRunner(inline=True, on_error=lambda exc, details: show_error(None, exc, details))
    window = MainWindow(AppContext(office.svc, tasks, office.admin))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    sync_page = window.pages["sync"]
    sync_page.ring = office.ring                  # unlocked keys: export and import run for real
    sync_page.quiet_errors = False
    stick = tmp_path / f"stick-{office.code}"
    stick.mkdir(exist_ok=True)
    sync_page.set_folder(stick)
    return window


def _walk(qtbot, window) -> list[str]:
    from xinfang_desktop.gui.main_window import NAVIGATION

    pressed: list[str] = []
    closer = DialogCloser(window)
    for row, (key, _label, _what) in enumerate(NAVIGATION):
        window.nav.setCurrentRow(row)
        page = window.pages[key]
        press_everything(qtbot, window, page, pressed)
        window.nav.setCurrentRow(row)
    # a case open in the case view: its actions and its print menu
    window.nav.setCurrentRow([k for k, _, _ in NAVIGATION].index("cases"))
    cases = window.pages["cases"]
    assert cases.model.rowCount() > 0
    QApplication.processEvents()
    cell = cases.table.visualRect(cases.model.index(0, 1)).center()
    qtbot.mouseClick(cases.table.viewport(), Qt.LeftButton, pos=cell)
    qtbot.keyClick(cases.table, Qt.Key_Return)
    assert window.case_view is not None, "Enter on a case opens it"
    press_everything(qtbot, window, window.case_view, pressed)
    closer.timer.stop()
    closer.close_open()
    return pressed


def _prepare(offices, tmp_path, key_cache):  # noqa: F811
    town, city = offices[TOWNS[0]], offices[CITY]
    for o in (town, city):
        _key_file(o, key_cache)
    town.register(name="欧阳娜娜")
    town.register(name="张三", request="要求修复村道")
    town.export()
    [r] = city.import_(write_out(town, tmp_path / "up"))
    assert r.outcome == "applied"
    city.register(name="李四", request="反映噪音扰民")
    return town, city


def test_every_button_of_every_page_at_a_township(qtbot, offices, tmp_path, key_cache, unexpected):  # noqa: F811
    town, _city = _prepare(offices, tmp_path, key_cache)
    window = _window(qtbot, town, tmp_path)
    # a bundle waiting on the stick, so 从U盘导入 has something to import
    write_out(offices[CITY], tmp_path / f"stick-{town.code}", [])
    pressed = _walk(qtbot, window)
    assert "转办(&R)…" in pressed or any(p.startswith("转办") for p in pressed), pressed   # the case view's actions
    assert "从U盘导入(&I)" in pressed or any("从U盘导入" in p for p in pressed), pressed
    assert any("核验告知书" in p for p in pressed), pressed                 # issue 17's action, at the township
    assert len(pressed) > 40, pressed
    assert not unexpected(), "\n".join(unexpected())


def test_every_button_of_every_page_at_the_city(qtbot, offices, tmp_path, key_cache, unexpected):  # noqa: F811
    town, city = _prepare(offices, tmp_path, key_cache)
    town.sync
    town.export()
    write_out(town, tmp_path / f"stick-{city.code}")            # the township's stick, at the city
    window = _window(qtbot, city, tmp_path)
    pressed = _walk(qtbot, window)
    assert any("从U盘导入" in p for p in pressed), pressed
    assert any("核验告知书" in p for p in pressed), pressed                 # and at the city
    assert len(pressed) > 40, pressed
    assert not unexpected(), "\n".join(unexpected())
