"""First-run wizard: every Alt key on a page does one thing (姓名 is not Alt+N, which is 下一步), and the
backup page proposes no folder on the disk that holds the data while it advises another disk."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWizard

from tests.conftest import UNIT


@pytest.fixture
def wizard(qtbot, tmp_path, tasks):
    from tests.conftest import cheap_kdf
    from xinfang_desktop.gui.wizard import FirstRunWizard
    from xinfang_desktop.store.models import database

    w = FirstRunWizard(tmp_path / "fresh", tasks, kdf=cheap_kdf())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


def mnemonics(widget) -> list[str]:
    texts = [w.text() for w in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton) if w.isVisible()]
    return [m.upper() for t in texts for m in re.findall(r"&([A-Za-z0-9])", t)]


def test_each_alt_key_of_the_admin_page_does_one_thing(qtbot, wizard):
    wizard.unit_page.unit.setCurrentIndex(wizard.unit_page.unit.findData(UNIT))
    qtbot.mouseClick(wizard.button(QWizard.NextButton), Qt.LeftButton)
    page = wizard.admin_page
    assert wizard.currentId() == 1
    keys = mnemonics(wizard)
    assert len(keys) == len(set(keys)), keys
    page.name.setFocus()
    qtbot.keyClicks(page.name, "wangli")
    qtbot.keyClick(page.name, Qt.Key_M, Qt.AltModifier)       # 姓名(&M)
    assert page.display.hasFocus()
    commit = QInputMethodEvent("", [])                         # the name typed through the input method
    commit.setCommitString("王莉")
    QApplication.sendEvent(page.display, commit)
    for box in (page.password, page.password2):
        box.setText("pass-word-1")
    qtbot.keyClick(page.display, Qt.Key_N, Qt.AltModifier)    # 下一步(&N)
    qtbot.waitUntil(lambda: wizard.currentId() == 2)          # a button's mnemonic clicks it after a moment
    assert page.display.text() == "王莉"


def test_the_backup_page_proposes_no_folder_on_the_data_disk(qtbot, wizard, monkeypatch):
    from xinfang_desktop.gui import wizard as wizard_module

    page = wizard.backup_page
    # No removable or second disk on this machine: nothing is proposed, the clerk is asked to choose.
    assert page.folder.text() == "" and "另一块硬盘或U盘" in page.folder.placeholderText()
    assert "另一块硬盘或U盘" in page.subTitle()
    monkeypatch.setattr(wizard_module, "backup_folder_off_this_disk", lambda: None)
    assert wizard_module.BackupPage().folder.text() == ""


def test_a_usb_disk_is_proposed_for_the_backups(tmp_path):
    from xinfang_desktop.sync.drives import backup_folder_off_this_disk

    stick = tmp_path / "media" / "clerk" / "KINGSTON"
    stick.mkdir(parents=True)
    found = backup_folder_off_this_disk(linux_roots=(tmp_path / "media",), is_mount=lambda p: p == stick)
    assert found == stick / "信访备份"
    assert backup_folder_off_this_disk(linux_roots=(tmp_path / "media",), is_mount=lambda p: False) is None
