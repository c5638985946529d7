"""Qt's own file dialog (the one Linux gets) in Chinese: 查找范围, 文件类型, 文件夹, 大小 — with the
catalogues the PySide6 wheel ships."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QTreeView

from tests.gui.visible_text import texts


@pytest.fixture
def chinese_qt(qtbot):
    from xinfang_desktop.gui.qt_chinese import install_qt_chinese

    app = QApplication.instance()
    before = QLocale()
    installed = install_qt_chinese(app)
    yield installed
    for translator in installed:
        app.removeTranslator(translator)
    QLocale.setDefault(before)


def test_the_file_dialog_speaks_chinese(qtbot, chinese_qt, tmp_path):
    assert any(t.filePath().endswith("_zh_CN.qm") for t in chinese_qt)      # a catalogue of the wheel loaded
    (tmp_path / "台账").mkdir()
    (tmp_path / "台账.xlsx").write_bytes(b"x" * 2048)
    dialog = QFileDialog(None, "选择台账文件", str(tmp_path), "台账 (*.xlsx *.csv);;所有文件 (*)")
    dialog.setOption(QFileDialog.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.Detail)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = {w.text() for w in dialog.findChildren(QLabel)}
    assert "查找范围(&L)：" in labels and "文件类型(&T)：" in labels and "文件名称(&N)：" in labels
    shown = {text for _, text in texts(dialog)}
    assert {"名称", "大小", "类型", "修改日期"} <= shown
    assert not {"Look in:", "Files of type:", "Size", "体积"} & shown
    view = dialog.findChild(QTreeView, "treeView")
    model = view.model()

    def type_of(name: str) -> str:
        index = model.index(str(tmp_path / name))
        return model.data(index.siblingAtColumn(2)) if index.isValid() else ""

    qtbot.waitUntil(lambda: type_of("台账") != "")            # the folder is read in Qt's own thread
    assert type_of("台账") == "文件夹"


DATES_PROBE = r"""
import locale, os, sys, time
from datetime import datetime
from pathlib import Path
before = {k: os.environ.get(k) for k in ("LC_ALL", "LC_TIME", "LANG")}
c_before = locale.setlocale(locale.LC_ALL, "")
from PySide6.QtWidgets import QApplication, QFileDialog, QTreeView
from xinfang_desktop.gui.app import make_app
app = make_app([])
folder = Path(sys.argv[1])
stamp = datetime(2026, 6, 12, 9, 30).timestamp()
os.utime(folder / "台账.xlsx", (stamp, stamp))
dialog = QFileDialog(None, "选择台账文件", str(folder))
dialog.setOption(QFileDialog.DontUseNativeDialog, True)
dialog.setViewMode(QFileDialog.Detail)
dialog.show()
model = dialog.findChild(QTreeView, "treeView").model()
index = model.index(str(folder / "台账.xlsx")).siblingAtColumn(3)
for _ in range(400):
    if model.data(index):
        break
    app.processEvents()
    time.sleep(0.05)
print(model.data(index))
print(before == {k: os.environ.get(k) for k in ("LC_ALL", "LC_TIME", "LANG")})
print(locale.setlocale(locale.LC_ALL, None) == c_before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Windows and macOS: Qt asks the system")
@pytest.mark.parametrize("setting", [{"LANG": "C.UTF-8"}, {"LC_ALL": "C.UTF-8"}])
def test_the_file_dialog_writes_dates_in_chinese_order(tmp_path, setting):
    """A Linux machine set to C (or English) showed the 修改日期 column as "12 6 2026 09:30"; the window is
    made with Chinese dates, and the environment and the C library's locale are put back afterwards."""
    (tmp_path / "台账.xlsx").write_bytes(b"x")
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_TIME", "LANG")}
    env.update(setting, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", DATES_PROBE, str(tmp_path)], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    shown, env_back, c_back = done.stdout.split("\n")[-4:-1]
    assert shown.startswith("2026/6/12"), shown
    assert env_back == "True" and c_back == "True"


def test_the_file_dialog_is_roomy_enough_for_its_dates(qtbot, chinese_qt, tmp_path):
    """It opened at about 620×430 with 修改日期 cut to "2026/1…": once it takes the keyboard it is made
    roomier (within the screen) and the date column as wide as a date."""
    from xinfang_desktop.gui.qt_chinese import FILE_DIALOG_SIZE, WIDEST_DATE

    (tmp_path / "台账.xlsx").write_bytes(b"x")
    dialog = QFileDialog(None, "选择台账文件", str(tmp_path))
    dialog.setOption(QFileDialog.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.Detail)
    qtbot.addWidget(dialog)
    dialog.resize(620, 430)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    view = dialog.findChild(QTreeView, "treeView")
    wanted = view.fontMetrics().horizontalAdvance(WIDEST_DATE)
    qtbot.waitUntil(lambda: dialog.property("xinfang_fitted") is True, timeout=30_000)
    assert view.header().sectionSize(3) >= wanted
    screen = dialog.screen().availableGeometry()
    assert dialog.width() >= min(FILE_DIALOG_SIZE.width(), screen.width() - 40)
    assert dialog.height() >= min(FILE_DIALOG_SIZE.height(), screen.height() - 60)
