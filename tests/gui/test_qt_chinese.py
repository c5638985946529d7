"""Qt's own file dialog (the one Linux gets) in Chinese: 查找范围, 文件类型, 文件夹, 大小 — with the
catalogues the PySide6 wheel ships."""

from __future__ import annotations

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
