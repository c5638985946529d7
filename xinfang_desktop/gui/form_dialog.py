"""The field-form dialog: labelled fields, a message line, 保存 and 取消, saved through the write lane.

Both kinds of form in the case view are this dialog: the workflow actions (action_dialogs) and the
attention records (attention_forms). The values go to one service call through the task runner; the
service validates. A refused field (InvalidInput with `.field`) is marked where it is, with the
Chinese reason under it; any other refusal is shown at the top. Nothing is written until the service
accepts. Enter saves from a one-line field (保存 is the default button), Ctrl+Enter from anywhere,
Esc cancels; focus starts in the first field and Tab follows the fields in order.

It also collects input that no service call takes at once (the sync page's dialogs: a freeze reason,
a passphrase that a later worker-thread step uses): with neither `submit` nor `submit_values`, 保存
checks the values in the dialog (`check`, then each field's `same_as` pair) and closes with them in
`collected`; `ask()` runs it modally and returns them, or None when cancelled. Either way a refusal
is shown beside its field and nothing goes further until the values pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ..domain.errors import InvalidInput, StaleCase, XinfangError
from .context import AppContext
from .errors import show_error
from .field_editors import make_editor, read_value

ERROR_STYLE = "color: #9b1111;"
INVALID_STYLE = "border: 2px solid #c0392b;"


@dataclass(frozen=True)
class Field:
    """One input. `kind`: line, text (several lines), choice, check, date, optional_date, days (1–30),
    count (a whole number, within `bounds`), password (hidden as typed, read as typed), file (a path
    with 浏览…, `browse` = (its title, its filter)); see field_editors. attention_forms adds case /
    cases (a case picker)."""

    name: str                       # the key the service reads
    label: str                      # with its mnemonic, e.g. "接收单位(&U)"
    kind: str = "line"
    required: bool = False          # marked with ＊; the service is what refuses
    choices: tuple[tuple[Any, str], ...] = ()   # (value, label)
    default: Any = None
    placeholder: str = ""
    hint: str = ""
    bounds: tuple[int, int] | None = None       # count: the lowest and highest whole number
    browse: tuple[str, str] = ()                # file: the 浏览 dialog's title and filter
    same_as: str = ""               # repeat to confirm: must equal the field of this name, else `mismatch`
    mismatch: str = ""


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
    tips: str = "Ctrl+Enter 保存，Esc 取消；标＊的必须填写。"     # "": no line of tips
    cancel_tip: str = ""
    head_style: str = "color: #444;"


Check = Callable[[dict[str, Any]], None]


class FieldFormDialog(QDialog):
    """A form of `fields`. What saving does: `submit(values)` (or a subclass's `submit_values`) on the
    write lane, or nothing (collect-only: the values are kept in `collected`). `check(values)` raises
    InvalidInput (with `field`) to refuse before anything runs. `saved(result)` once accepted (the
    service's result, or the values collected). `ctx` may be None for a collect-only form; `today`
    (else the context's clock) starts the date fields. `foot` is a note under the fields."""

    saved = Signal(object)

    def __init__(self, parent: QWidget | None, ctx: AppContext | None, title: str, fields: list[Field], *,
                 head: str = "", intro: str = "", foot: str = "", ok_label: str = "保存(&S)",
                 look: FormLook = FormLook(), check: Check | None = None,
                 submit: Callable[[dict[str, Any]], Any] | None = None, today: date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._check = check
        self._submit = submit
        self.collected: dict[str, Any] | None = None
        self._fitted = False
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
            h.setStyleSheet(look.head_style)
            layout.addWidget(h)
        if intro:
            intro_label = QLabel(intro)
            intro_label.setWordWrap(True)
            layout.addWidget(intro_label)
        layout.addWidget(self.message)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        if today is None and ctx is not None:
            today = ctx.services.clock.today()
        self.rows: dict[str, FieldRow] = {}
        for spec in fields:
            editor = self.make_editor(spec, today, look)
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
        if foot:
            note = QLabel(foot)
            note.setWordWrap(True)
            note.setStyleSheet(look.head_style)
            layout.addWidget(note)

        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(ok_label, QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        cancel = self.buttons.addButton("取消", QDialogButtonBox.RejectRole)
        if look.cancel_tip:
            cancel.setToolTip(look.cancel_tip)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        if look.tips:
            tips = QLabel(look.tips)
            tips.setStyleSheet("color: #666;")
            layout.addWidget(tips)
        layout.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.accept)
        first = next(iter(self.rows.values()), None)
        if first is not None:
            first.editor.setFocus()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # A wrapped note is sized for a narrower window than the form's: without this, the first show
        # leaves the room of the lines it no longer needs as a blank band.
        if not self._fitted:
            self._fitted = True
            self.fit_height(shrink=True)
        super().showEvent(event)

    def fit_height(self, *, shrink: bool = False) -> None:
        """As tall as the fields, notes and shown refusals need at this width (grown for a refusal)."""
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        width = max(self.width(), self.minimumWidth())
        need = max(layout.totalHeightForWidth(width), layout.totalMinimumSize().height())
        if shrink or need > self.height():
            self.resize(width, need)

    # -- fields --------------------------------------------------------------------------
    def make_editor(self, spec: Field, today, look: FormLook) -> QWidget:
        """The editor of one field (a subclass adds kinds of its own: attention_forms' case picker)."""
        return make_editor(spec.kind, today=today, default=spec.default, placeholder=spec.placeholder,
                           choices=spec.choices, text_height=look.text_height, bounds=spec.bounds,
                           browse=spec.browse)

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

    # -- checking ------------------------------------------------------------------------
    def refusal(self, values: dict[str, Any] | None = None) -> InvalidInput | None:
        """Why the values cannot go further (the dialog's `check` first, then each repeat-to-confirm
        pair), or None."""
        values = self.values() if values is None else values
        try:
            if self._check is not None:
                self._check(values)
            for name, row in self.rows.items():
                other = row.spec.same_as
                if other and values[name] != values[other]:
                    raise InvalidInput(row.spec.mismatch or "两次输入的不一致，请重新输入。", field=name)
        except InvalidInput as exc:
            return exc
        return None

    # -- saving --------------------------------------------------------------------------
    def collects_only(self) -> bool:
        return self._submit is None and type(self).submit_values is FieldFormDialog.submit_values

    def submit_values(self, values: dict[str, Any]) -> Any:
        """Runs in the write lane: the one service call that saves `values` (raises to refuse)."""
        if self._submit is None:
            raise NotImplementedError
        return self._submit(values)

    def ask(self) -> dict[str, Any] | None:
        """Collect-only: run the dialog modally; the values that passed, or None when cancelled."""
        return self.collected if self.exec() == QDialog.Accepted else None

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
        self.fit_height()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.fit_height()

    def accept(self) -> None:  # type: ignore[override]
        if not self.ok_button.isEnabled():
            return
        self.clear_errors()
        values = self.values()
        refused = self.refusal(values)
        if refused is not None:
            self.show_refusal(refused, "")
            return
        if self.collects_only():
            self._done(values)
            return
        self.submitting(values)
        self.ok_button.setEnabled(False)
        assert self.ctx is not None, "a form that saves needs the context's task runner"
        self.ctx.tasks.run(lambda: self.submit_values(values), writes=True, on_done=self._done,
                           on_error=self._failed, owner=self)

    def submitting(self, values: dict[str, Any]) -> None:
        """Just before the values go to the write lane (a subclass may keep them)."""

    def accepted_result(self, result: Any) -> None:
        """The service accepted: keep what it returned (a subclass names it)."""

    def refused(self) -> None:
        """The service refused (a subclass forgets what it kept)."""

    def _done(self, result: Any) -> None:
        if self.collects_only():
            self.collected = result
        self.accepted_result(result)
        super().accept()
        self.saved.emit(result)

    def _failed(self, exc: BaseException, details: str) -> None:
        self.ok_button.setEnabled(True)
        self.refused()
        self.show_refusal(exc, details)
        if isinstance(exc, StaleCase):
            # The case view behind shows the case as it was opened: it says so and offers to read it again.
            changed = getattr(self.parentWidget(), "changed_since_opened", None)
            if changed is not None:
                changed()

    def show_refusal(self, exc: BaseException, details: str) -> None:
        if isinstance(exc, InvalidInput) and exc.field in self.rows and not self.rows[exc.field].editor.isHidden():
            self.show_field_error(exc.field, exc.message)
        elif isinstance(exc, XinfangError):
            self.show_message(exc.message)
        else:
            show_error(self, exc, details)


SECRET_LOOK = FormLook(min_width=440, tips="", head_style="color: #555;")


class SecretDialog(FieldFormDialog):
    """One hidden field (a passphrase, a password or a recovery code), collected for work that runs
    afterwards; nothing typed is refused beside the field with `empty`."""

    def __init__(self, parent: QWidget | None, title: str, label: str, *, head: str = "", empty: str):
        def given(values: dict[str, Any]) -> None:
            if not values["secret"]:
                raise InvalidInput(empty, field="secret")

        super().__init__(parent, None, title, [Field("secret", label, "password")], head=head, ok_label="确定",
                         look=SECRET_LOOK, check=given)


def ask_secret(parent: QWidget | None, title: str, label: str, *, head: str = "", empty: str) -> str | None:
    """What was typed, as typed, or None when the user cancelled."""
    values = SecretDialog(parent, title, label, head=head, empty=empty).ask()
    return values["secret"] if values else None
