"""The form dialog of the attention features (包案, 调解, 回访, 急难, colour override, 接访).

A FieldFormDialog (form_dialog.py) whose values go, as read, to the `submit` callable given; the
service validates. Fields are form_dialog.Field, imported from here by the features.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QWidget

from .context import AppContext
from .form_dialog import Field, FieldFormDialog, FormLook

__all__ = ["Field", "FormDialog"]


class FormDialog(FieldFormDialog):
    def __init__(self, parent: QWidget | None, ctx: AppContext, title: str, fields: list[Field],
                 submit: Callable[[dict[str, Any]], Any], *, head: str = "", ok_label: str = "保存(&S)"):
        super().__init__(parent, ctx, title, fields, head=head, ok_label=ok_label, look=FormLook())
        self.submit = submit
        self.result_value: Any = None

    def submit_values(self, values: dict[str, Any]) -> Any:
        return self.submit(values)

    def accepted_result(self, result: Any) -> None:
        self.result_value = result
