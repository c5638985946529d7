"""工作台 at the default 1280×800: the window fits the screen, the most urgent sections are above the
fold and the rest a scroll away; 待回访 and 领导包案 have 查看全部; a missing backup folder is said on top."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QScrollArea

from tests.conftest import make_registration
from tests.gui.windows import shown_window
from xinfang_desktop.domain.petition import PetitionerInput

IMPORTANT = ("overdue", "due_today", "due_week", "to_route")


@pytest.fixture
def window(qtbot, app_ctx):
    return shown_window(qtbot, app_ctx)


@pytest.fixture
def demo_data(services, admin):
    from xinfang_desktop.services import demo, demo_attention

    demo.generate(services, admin, 120, seed=5)
    demo_attention.generate(services, admin, random.Random(5))


def test_at_1280_by_800_the_window_fits_and_the_urgent_sections_are_above_the_fold(qtbot, demo_data, window):
    from xinfang_desktop.gui.main_window import KEYS

    for key in KEYS:                                 # every page built: none may widen the window
        window.show_page(key)
    window.show_page("workbench")
    assert window.width() <= 1280 and window.minimumSizeHint().width() <= 1280
    page = window.pages["workbench"]
    scroll = page.findChild(QScrollArea)
    viewport = scroll.viewport()
    for key in IMPORTANT:
        box = page.boxes[key]
        top = box.mapTo(viewport, QPoint(0, 0)).y()
        assert 0 <= top and top + box.height() <= viewport.height(), (key, top, box.height(), viewport.height())
    rest = [page.boxes[k] for k in ("followup_due", "leader_owned")]
    if any(b.mapTo(viewport, QPoint(0, 0)).y() + b.height() > viewport.height() for b in rest):
        assert scroll.verticalScrollBar().isVisible()          # the rest is reachable
    scroll.ensureWidgetVisible(rest[-1])
    assert rest[-1].visibleRegion().boundingRect().height() > 0


def test_show_all_of_leader_owned_lists_every_case(qtbot, services, admin, clerk, app_ctx, monkeypatch):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.gui.pages import workbench as page_module
    from xinfang_desktop.services.attention import OwnershipService

    numbers = []
    for name in ("李秀英", "王强", "张伟"):
        ref = services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name=name)],
                                                               received_at=datetime(2026, 10, 20, 9)))
        services.get(OwnershipService).assign(admin, ref.number, "admin", "约谈相关单位负责人", "2026-12-15")
        numbers.append(ref.number)
    monkeypatch.setattr(page_module, "LINES", 2)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    box = window.pages["workbench"].boxes["leader_owned"]
    assert box.table.rowCount() == 2 and box.more.isVisibleTo(box) and box.more.text() == "查看全部3件"
    qtbot.mouseClick(box.more, Qt.LeftButton)
    dialog = window.pages["workbench"].all_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "领导包案：共3件"
    shown = [dialog.box.table.item(i, 0).text() for i in range(dialog.box.table.rowCount())]
    assert sorted(shown) == sorted(numbers)
    row = shown.index(numbers[2])
    rect = dialog.box.table.visualItemRect(dialog.box.table.item(row, 0))
    qtbot.mouseClick(dialog.box.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert not dialog.isVisible() and window.case_view is not None
    assert window.stack.currentWidget() is window.case_view


def test_show_all_fills_its_window_with_lines(qtbot, services, admin, clerk, app_ctx, monkeypatch):
    """Many lines: the window's height is the list's, which scrolls, not an empty space under a few lines."""
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.gui.pages import workbench as page_module
    from xinfang_desktop.services.attention import OwnershipService

    for i in range(24):
        ref = services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name="李秀" + "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地"[i])],
                                                               received_at=datetime(2026, 10, 20, 9)))
        services.get(OwnershipService).assign(admin, ref.number, "admin", "约谈相关单位负责人", "2026-12-15")
    monkeypatch.setattr(page_module, "LINES", 2)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.mouseClick(window.pages["workbench"].boxes["leader_owned"].more, Qt.LeftButton)
    dialog = window.pages["workbench"].all_dialog
    table = dialog.box.table
    assert dialog.isVisible() and table.rowCount() == 24
    qtbot.waitUntil(lambda: table.height() > dialog.height() * 0.6)
    shown = table.viewport().height() // table.verticalHeader().defaultSectionSize()
    assert 10 < shown < 24 and table.verticalScrollBar().maximum() > 0


def test_no_backup_folder_is_said_on_the_workbench_until_one_is_set(qtbot, services, admin, window, tmp_path):
    from xinfang_desktop.services.backup import BackupService

    page = window.pages["workbench"]
    box = page.boxes["backup_reminder"]
    assert box.isVisible() and "还没有设置备份文件夹" in box.empty.text()
    assert box.y() < page.boxes["overdue"].y()                 # on top
    services.get(BackupService).set_folder(admin, tmp_path / "备份")
    qtbot.mouseClick(page.refresh_button, Qt.LeftButton)
    assert not box.isVisible()
