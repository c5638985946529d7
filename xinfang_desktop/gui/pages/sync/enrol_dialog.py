"""登记对方单位: the dialog for enrolling another unit from its file and the fingerprint on its paper form."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class EnrolDialog(QDialog):
    """登记对方单位: the file received and the fingerprint typed (or scanned) from its paper form."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("登记对方单位")
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("对方导出的登记文件（.json）")
        browse = QPushButton("浏览(&B)…")
        browse.clicked.connect(self._browse)
        self.fingerprint = QLineEdit()
        self.fingerprint.setPlaceholderText("照纸质登记表输入签名公钥指纹，或用扫码枪扫描二维码")
        self.fingerprint.setMinimumWidth(560)
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("登记文件：", row)
        form.addRow("指纹：", self.fingerprint)
        hint = QLabel("指纹须与对方单位盖章的纸质登记表逐组一致。不一致时不会登记，请当面或电话核实。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("登记")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择登记文件", "", "登记文件 (*.json);;所有文件 (*)")
        if name:
            self.file_edit.setText(name)

    def fingerprint_text(self) -> str:
        text = self.fingerprint.text()
        # A scanned QR code reads "xinfang-enrol:1:<unit>:<fingerprint>": keep the fingerprint.
        if text.startswith("xinfang-enrol:"):
            text = text.rsplit(":", 1)[-1]
        return text
