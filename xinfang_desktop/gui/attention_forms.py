"""A small form dialog for the attention features (包案, 调解, 回访, 急难, colour override).

The form sends its values to one service call through the task runner; the service validates.
A refused field (InvalidInput with `.field`) is marked where it is, with the Chinese reason
under it; any other refusal is shown at the top. Nothing is written until the service accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ..domain.errors import InvalidInput, XinfangError
from .context import AppContext
from .errors import show_error
from .field_editors import make_editor, read_value

ERROR_STYLE = "color: #9b1111;"
INVALID_STYLE = "border: 2px solid #c0392b;"


@dataclass(frozen=True)
class Field:
    """`kind`: line, text, choice, date, count (a whole number), case / cases (a case picker, one or several)."""

    name: str
    label: str
    kind: str = "line"
    required: bool = False
    choices: tuple[tuple[Any, str], ...] = ()
    default: Any = None
    hint: str = ""
    placeholder: str = ""


class FormDialog(QDialog):
    saved = Signal(object)

    def __init__(self, parent: QWidget | None, ctx: AppContext, title: str, fields: list[Field],
                 submit: Callable[[dict[str, Any]], Any], *, head: str = "", ok_label: str = "保存(&S)"):
        super().__init__(parent)
        self.ctx = ctx
        self.submit = submit
        self.result_value: Any = None
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.message.hide()
        layout = QVBoxLayout(self)
        if head:
            h = QLabel(head)
            h.setWordWrap(True)
            h.setStyleSheet("color: #444;")
            layout.addWidget(h)
        layout.addWidget(self.message)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        for spec in fields:
            editor = self._editor(spec)
            label = QLabel(spec.label + ("＊" if spec.required else "") + "：")
            label.setBuddy(editor)
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(editor)
            if spec.hint:
                hint = QLabel(spec.hint)
                hint.setWordWrap(True)
                hint.setStyleSheet("color: #666;")
                box.addWidget(hint)
            box.addWidget(error)
            form.addRow(label, box)
            self.editors[spec.name] = editor
            self.errors[spec.name] = error
        layout.addLayout(form)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(ok_label, QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.addButton("取消", QDialogButtonBox.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        tips = QLabel("Ctrl+Enter 保存，Esc 取消；标＊的必须填写。")
        tips.setStyleSheet("color: #666;")
        layout.addWidget(tips)
        layout.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.accept)
        if self.editors:
            next(iter(self.editors.values())).setFocus()

    def _editor(self, spec: Field) -> QWidget:
        if spec.kind in ("case", "cases"):         # a case picker: short numbers, candidates to choose from
            from .case_picker import CasePicker

            picker = CasePicker(self.ctx, multiple=spec.kind == "cases")
            picker.entry.setPlaceholderText(spec.placeholder or picker.entry.placeholderText())
            return picker
        return make_editor(spec.kind, today=self.ctx.services.clock.today(), default=spec.default,
                           placeholder=spec.placeholder, choices=spec.choices, text_height=76)

    def editor(self, name: str) -> QWidget:
        return self.editors[name]

    def values(self) -> dict[str, Any]:
        return {name: read_value(w) for name, w in self.editors.items()}

    def accept(self) -> None:  # type: ignore[override]
        if not self.ok_button.isEnabled():
            return
        self.message.hide()
        for name, error in self.errors.items():
            error.hide()
            self.editors[name].setStyleSheet("")
        values = self.values()
        self.ok_button.setEnabled(False)
        self.ctx.tasks.run(lambda: self.submit(values), writes=True, on_done=self._done, on_error=self._failed)

    def _done(self, result: Any) -> None:
        if not shiboken6.isValid(self):
            return
        self.result_value = result
        super().accept()
        self.saved.emit(result)

    def _failed(self, exc: BaseException, details: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.ok_button.setEnabled(True)
        if isinstance(exc, InvalidInput) and exc.field in self.editors:
            self.errors[exc.field].setText(exc.message)
            self.errors[exc.field].show()
            self.editors[exc.field].setStyleSheet(INVALID_STYLE)
            self.editors[exc.field].setFocus()
        elif isinstance(exc, XinfangError):
            self.message.setText(exc.message)
            self.message.show()
        else:
            show_error(self, exc, details)
