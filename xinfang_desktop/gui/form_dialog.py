"""The field-form dialog: labelled fields, a message line, 保存 and 取消, saved through the write lane.

Both kinds of form in the case view are this dialog: the workflow actions (action_dialogs) and the
attention records (attention_forms). The values go to one service call through the task runner; the
service validates. A refused field (InvalidInput with `.field`) is marked where it is, with the
Chinese reason under it; any other refusal is shown at the top. Nothing is written until the service
accepts. Enter saves from a one-line field (保存 is the default button), Ctrl+Enter from anywhere,
Esc cancels; focus starts in the first field and Tab follows the fields in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    """One input. `kind`: line, text (several lines), choice, check, date, optional_date, days (1–30),
    count (a whole number); see field_editors."""

    name: str                       # the key the service reads
    label: str                      # with its mnemonic, e.g. "接收单位(&U)"
    kind: str = "line"
    required: bool = False          # marked with ＊; the service is what refuses
    choices: tuple[tuple[Any, str], ...] = ()   # (value, label)
    default: Any = None
    placeholder: str = ""
    hint: str = ""


@dataclass
class FieldRow:
    spec: Field
    editor: QWidget
    label: QLabel
    error: QLabel
    hint: QLabel | None = None


@dataclass(frozen=True)
class FormLook:
    """What differs between the two families of forms, kept as it was for each."""

    min_width: int = 560
    text_height: int = 76           # a several-line field's height
    wrap_hints: bool = True         # False: a hint stays on one line (a wrapped label is clipped in a form row)
    tips: str = "Ctrl+Enter 保存，Esc 取消；标＊的必须填写。"
    cancel_tip: str = ""


class FieldFormDialog(QDialog):
    """A form of `fields`. Subclasses say what saving does (`submit_values`) and may read the values
    their own way (`values`). `saved(result)` after the service accepted them."""

    saved = Signal(object)

    def __init__(self, parent: QWidget | None, ctx: AppContext, title: str, fields: list[Field], *,
                 head: str = "", intro: str = "", ok_label: str = "保存(&S)", look: FormLook = FormLook()):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setMinimumWidth(look.min_width)
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
        if intro:
            intro_label = QLabel(intro)
            intro_label.setWordWrap(True)
            layout.addWidget(intro_label)
        layout.addWidget(self.message)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        today = ctx.services.clock.today()
        self.rows: dict[str, FieldRow] = {}
        for spec in fields:
            editor = make_editor(spec.kind, today=today, default=spec.default, placeholder=spec.placeholder,
                                 choices=spec.choices, text_height=look.text_height)
            label = QLabel(spec.label + ("＊" if spec.required else "") + "：")
            label.setBuddy(editor)
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(editor)
            hint = None
            if spec.hint:
                hint = QLabel(spec.hint)
                hint.setWordWrap(look.wrap_hints)
                hint.setStyleSheet("color: #666;")
                box.addWidget(hint)
            box.addWidget(error)
            form.addRow(label, box)
            self.rows[spec.name] = FieldRow(spec, editor, label, error, hint)
        layout.addLayout(form)

        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(ok_label, QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        cancel = self.buttons.addButton("取消", QDialogButtonBox.RejectRole)
        if look.cancel_tip:
            cancel.setToolTip(look.cancel_tip)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        tips = QLabel(look.tips)
        tips.setStyleSheet("color: #666;")
        layout.addWidget(tips)
        layout.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.accept)
        first = next(iter(self.rows.values()), None)
        if first is not None:
            first.editor.setFocus()

    # -- fields --------------------------------------------------------------------------
    @property
    def editors(self) -> dict[str, QWidget]:
        return {name: row.editor for name, row in self.rows.items()}

    @property
    def errors(self) -> dict[str, QLabel]:
        return {name: row.error for name, row in self.rows.items()}

    def editor(self, name: str) -> QWidget:
        return self.rows[name].editor

    def values(self) -> dict[str, Any]:
        return {name: read_value(row.editor) for name, row in self.rows.items()}

    # -- saving --------------------------------------------------------------------------
    def submit_values(self, values: dict[str, Any]) -> Any:
        """Runs in the write lane: the one service call that saves `values` (raises to refuse)."""
        raise NotImplementedError

    def clear_errors(self) -> None:
        self.message.hide()
        for row in self.rows.values():
            row.error.hide()
            row.editor.setStyleSheet("")

    def show_field_error(self, name: str, text: str) -> None:
        row = self.rows[name]
        row.error.setText(text)
        row.error.show()
        row.editor.setStyleSheet(INVALID_STYLE)
        row.editor.setFocus()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def accept(self) -> None:  # type: ignore[override]
        if not self.ok_button.isEnabled():
            return
        self.clear_errors()
        values = self.values()
        self.submitting(values)
        self.ok_button.setEnabled(False)
        self.ctx.tasks.run(lambda: self.submit_values(values), writes=True, on_done=self._done,
                           on_error=self._failed, owner=self)

    def submitting(self, values: dict[str, Any]) -> None:
        """Just before the values go to the write lane (a subclass may keep them)."""

    def accepted_result(self, result: Any) -> None:
        """The service accepted: keep what it returned (a subclass names it)."""

    def refused(self) -> None:
        """The service refused (a subclass forgets what it kept)."""

    def _done(self, result: Any) -> None:
        self.accepted_result(result)
        super().accept()
        self.saved.emit(result)

    def _failed(self, exc: BaseException, details: str) -> None:
        self.ok_button.setEnabled(True)
        self.refused()
        if isinstance(exc, InvalidInput) and exc.field in self.rows and not self.rows[exc.field].editor.isHidden():
            self.show_field_error(exc.field, exc.message)
        elif isinstance(exc, XinfangError):
            self.show_message(exc.message)
        else:
            show_error(self, exc, details)
