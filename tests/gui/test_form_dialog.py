"""The one field-form dialog behind the attention forms and the workflow action dialogs: labels,
keyboard order, a refused field marked where it is, nothing saved until the service accepts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.test_login_and_case import commit_text
from xinfang_desktop.domain.errors import InvalidInput, NotAllowed


def _shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog, timeout=30_000)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=30_000)
    return dialog


def test_a_form_refused_then_accepted(qtbot, app_ctx):
    from xinfang_desktop.gui.attention_forms import Field, FormDialog
    from xinfang_desktop.gui.form_dialog import FieldFormDialog

    saved: list[dict] = []

    def submit(values: dict) -> str:
        if values["where"] != "镇政府":
            raise InvalidInput("地点须为镇政府", field="where")
        if not values["who"]:
            raise NotAllowed("该事项已办结，不能再记录")
        saved.append(values)
        return "好"

    dialog = _shown(qtbot, FormDialog(None, app_ctx, "记录", [
        Field("who", "参加人(&W)"),
        Field("where", "地点(&P)", required=True, default="村委会", hint="在哪里谈的"),
    ], submit))
    assert isinstance(dialog, FieldFormDialog)
    assert dialog.rows["where"].label.text() == "地点(&P)＊："
    assert QApplication.focusWidget() is dialog.editor("who")          # focus starts in the first field
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
    assert QApplication.focusWidget() is dialog.editor("where")        # Tab follows the fields

    qtbot.keyClick(dialog, Qt.Key_Return, Qt.ControlModifier)
    assert saved == [] and dialog.isVisible()
    assert dialog.rows["where"].error.text() == "地点须为镇政府" and dialog.rows["where"].error.isVisible()
    assert QApplication.focusWidget() is dialog.editor("where")

    dialog.editor("where").clear()
    commit_text(dialog.editor("where"), "镇政府")
    qtbot.keyClick(dialog, Qt.Key_Return, Qt.ControlModifier)
    assert not dialog.rows["where"].error.isVisible()
    assert dialog.message.isVisible() and dialog.message.text() == "该事项已办结，不能再记录"
    assert saved == []

    commit_text(dialog.editor("who"), "王镇长")
    qtbot.keyClick(dialog.editor("who"), Qt.Key_Return)                # Enter saves from a one-line field
    assert saved == [{"who": "王镇长", "where": "镇政府"}]
    assert dialog.result_value == "好" and not dialog.isVisible()


def test_escape_cancels_and_writes_nothing(qtbot, app_ctx):
    from xinfang_desktop.gui.attention_forms import Field, FormDialog

    saved: list[dict] = []
    dialog = _shown(qtbot, FormDialog(None, app_ctx, "记录", [Field("who", "参加人(&W)")], saved.append))
    commit_text(dialog.editor("who"), "王镇长")
    qtbot.keyClick(dialog.editor("who"), Qt.Key_Escape)
    assert not dialog.isVisible() and saved == []
