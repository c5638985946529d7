"""登记对方单位: the dialog for enrolling another unit from its file and the fingerprint (密钥核对码) on its
paper form."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ....domain.errors import InvalidInput
from ...form_dialog import Field, FieldFormDialog
from ...sync_admin import sync_look


def _both_given(values: dict) -> None:
    if not values["file"]:
        raise InvalidInput("请选择对方导出的登记文件。", field="file")
    if not values["fingerprint"]:
        raise InvalidInput("请输入纸质登记表上的密钥核对码。", field="fingerprint")


class EnrolDialog(FieldFormDialog):
    """登记对方单位: the file received and the fingerprint typed (or scanned) from its paper form."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(
            parent, None, "登记对方单位",
            [Field("file", "登记文件", "file", placeholder="对方导出的登记文件（.json）",
                   browse=("选择登记文件", "登记文件 (*.json);;所有文件 (*)")),
             Field("fingerprint", "密钥核对码", placeholder="照纸质登记表输入密钥核对码，或用扫码枪扫描二维码")],
            foot="密钥核对码须与对方单位盖章的纸质登记表逐组一致。不一致时不会登记，请当面或电话核实。",
            ok_label="登记", look=sync_look(700), check=_both_given)
        self.file_edit = self.editor("file").line
        self.fingerprint = self.editor("fingerprint")

    def file_text(self) -> str:
        return self.values()["file"]

    def fingerprint_text(self) -> str:
        text = self.fingerprint.text()
        # A scanned QR code reads "xinfang-enrol:1:<unit>:<fingerprint>": keep the fingerprint.
        if text.startswith("xinfang-enrol:"):
            text = text.rsplit(":", 1)[-1]
        return text
