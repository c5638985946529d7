"""The 同步 page's U盘 box: with no stick it says 未检测到U盘 (not an empty row) and 导出并复制到U盘 and
从U盘导入 are greyed; a stick found on 刷新, or a folder chosen with 其他文件夹…, makes them pressable."""

from __future__ import annotations

import pytest

from .conftest import TOWNS
from .gui_helpers import sync_page

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

STICK = "xinfang_desktop.gui.pages.sync.stick"


def test_no_stick_is_said_and_the_copy_button_waits_for_one(qtbot, offices, tmp_path, monkeypatch):
    from xinfang_desktop.sync.drives import Drive

    found: list[Drive] = []
    monkeypatch.setattr(f"{STICK}.removable_drives", lambda: list(found))
    page = sync_page(qtbot, offices[TOWNS[0]])
    page.show()
    assert page.drive.count() == 1 and page.drive.currentText().startswith("未检测到U盘")
    assert not page.message.isVisibleTo(page)          # nothing to say: no blank row under the U盘 row
    assert page.folder() is None
    assert not page.export_button.isEnabled() and not page.import_button.isEnabled()
    assert "未检测到U盘" in page.export_button.toolTip()

    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    found.append(Drive(stick, "KINGSTON（U盘）"))
    qtbot.mouseClick(page.rescan, Qt.LeftButton)                    # 刷新 after plugging it in
    assert [page.drive.itemText(i) for i in range(page.drive.count())] == ["KINGSTON（U盘）"]
    assert page.export_button.isEnabled() and page.import_button.isEnabled()
    assert page.export_button.toolTip() == ""

    found.clear()                                                  # pulled out again
    stick.rmdir()
    qtbot.mouseClick(page.rescan, Qt.LeftButton)
    assert page.drive.currentText().startswith("未检测到U盘")
    assert not page.export_button.isEnabled()

    other = tmp_path / "共享文件夹"
    other.mkdir()
    monkeypatch.setattr(f"{STICK}.QFileDialog.getExistingDirectory", lambda *a, **k: str(other))
    qtbot.mouseClick(page.other_folder, Qt.LeftButton)             # 其他文件夹…
    texts = [page.drive.itemText(i) for i in range(page.drive.count())]
    assert texts == [f"共享文件夹（{other}）"]                     # the 未检测到U盘 row is gone
    assert page.folder() == other
    assert page.export_button.isEnabled() and page.import_button.isEnabled()

    qtbot.mouseClick(page.export_button, Qt.LeftButton)            # no keys yet: refused, and said so
    assert page.message.isVisibleTo(page) and page.message.text()


def test_a_folder_chosen_while_the_drives_are_looked_for_stays_chosen(qtbot, offices, tmp_path, monkeypatch):
    """The drives are looked for in a worker: a folder chosen with 其他文件夹… before the answer comes back
    is not replaced by the answer."""
    import threading

    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.sync import SyncPage
    from xinfang_desktop.gui.tasks import TaskRunner

    answer = threading.Event()
    looked: list[bool] = []

    def slow_drives():
        looked.append(threading.current_thread() is threading.main_thread())
        answer.wait(30)
        return []

    monkeypatch.setattr(f"{STICK}.removable_drives", slow_drives)
    office = offices[TOWNS[0]]
    office.sync
    tasks = TaskRunner()                                            # real threads, as in the window
    page = SyncPage(AppContext(office.svc, tasks, office.admin))
    page.quiet_errors = True
    qtbot.addWidget(page)
    page.show()
    other = tmp_path / "共享文件夹"
    other.mkdir()
    monkeypatch.setattr(f"{STICK}.QFileDialog.getExistingDirectory", lambda *a, **k: str(other))
    qtbot.waitUntil(lambda: bool(looked), timeout=30_000)
    qtbot.mouseClick(page.other_folder, Qt.LeftButton)
    answer.set()
    qtbot.waitUntil(lambda: page.drive.count() == 1 and not tasks._live, timeout=30_000)
    assert looked == [False]                                        # not on the UI thread
    assert page.folder() == other and page.export_button.isEnabled()
    tasks.wait()
