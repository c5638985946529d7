"""核验告知书: one field for what a USB QR scanner types (it acts as a keyboard) or the 核验码 typed from the
paper; Enter verifies. Optional fields check the names and the request on the paper against the signed
digest. And the key prompt of a receipt's first print, which signs it (services/receipts.py)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..services.receipts import ReceiptService, Verification
from .context import AppContext
from .errors import show_error
from .form_dialog import ask_secret
from .tasks import OTHER

GOOD = "color: #1d6b2f;"
BAD = "color: #9b1111;"


class ReceiptVerifyDialog(QDialog):
    """The verification screen. ``last`` holds the answer shown (tests read it)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.service = ctx.services.get(ReceiptService)
        self.last: Verification | None = None
        self.setWindowTitle("核验受理告知书")
        self.resize(760, 560)
        intro = QLabel("用扫码枪扫描告知书上的二维码，或照告知书上的“核验码”一行输入（以 XFR 开头，空格可输可不输），"
                       "然后按回车。")
        intro.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setPlaceholderText("扫描二维码或输入核验码，按回车核验")
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        # A scanner types like a keyboard: a Chinese input method would turn its letters into candidates.
        self.code.setAttribute(Qt.WA_InputMethodEnabled, False)
        self.code.setInputMethodHints(Qt.ImhLatinOnly | Qt.ImhNoPredictiveText | Qt.ImhPreferUppercase)
        self.code.setClearButtonEnabled(True)
        self.code.returnPressed.connect(self.verify)
        self.verify_button = QPushButton("核验(&V)")
        self.verify_button.setDefault(True)
        self.verify_button.clicked.connect(self.verify)
        row = QHBoxLayout()
        row.addWidget(self.code, 1)
        row.addWidget(self.verify_button)

        self.names = QLineEdit()
        self.names.setPlaceholderText("照告知书输入全部信访人姓名，用顿号隔开（可不填）")
        self.names.returnPressed.connect(self.verify)
        self.request = QPlainTextEdit()
        self.request.setPlaceholderText("照告知书输入信访请求（标点、空格不计；可不填）")
        self.request.setTabChangesFocus(True)
        self.request.setFixedHeight(64)
        check = QGroupBox("核对告知书上的文字（可选）")
        form = QFormLayout(check)
        form.addRow("信访人姓名：", self.names)
        form.addRow("信访请求：", self.request)

        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        big = QFont(self.verdict.font())
        big.setPointSize(16)
        big.setBold(True)
        self.verdict.setFont(big)
        self.verdict.setMinimumHeight(self.verdict.fontMetrics().height() + 8)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        font = QFont(self.details.font())
        font.setPointSize(max(font.pointSize(), 11))
        self.details.setFont(font)
        close = QPushButton("关闭")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        foot = QHBoxLayout()
        foot.addStretch(1)
        foot.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(check)
        layout.addWidget(self.verdict)
        layout.addWidget(self.details, 1)
        layout.addLayout(foot)
        self.code.setFocus()

    def verify(self) -> None:
        text = self.code.text()
        names = self.names.text()
        request = self.request.toPlainText()
        if not text.strip():
            self.verdict.setStyleSheet(BAD)
            self.verdict.setText("请先扫描二维码或输入核验码。")
            self.code.setFocus()
            return
        self.verify_button.setEnabled(False)
        self.verdict.setStyleSheet("")
        self.verdict.setText("正在核验…")
        actor = self.ctx.actor
        # Verifying writes the audit entry (and, at the city, the receipt for the workbench): the write lane.
        self.ctx.tasks.run(lambda: self.service.verify(actor, text, names=names, request=request),
                           on_done=self._show, on_error=self._failed, writes=True, changes=OTHER, owner=self)

    def _show(self, result: Verification) -> None:
        self.last = result
        self.verify_button.setEnabled(True)
        self.verdict.setStyleSheet(GOOD if result.valid else BAD)
        self.verdict.setText(("✔ 真实有效" if result.valid else "✘ 不能确认为真实有效的告知书") + "　" +
                             _summary(result))
        self.details.setPlainText("\n".join(result.lines))
        self.code.selectAll()                       # the next scan replaces this one
        self.code.setFocus()

    def _failed(self, exc: BaseException, details: str = "") -> None:
        self.verify_button.setEnabled(True)
        self.verdict.setStyleSheet(BAD)
        self.verdict.setText("核验没有完成。")
        show_error(self, exc, details)


def _summary(v: Verification) -> str:
    if v.number is None:
        return ""
    parts = [v.unit_name or "", v.number]
    if v.known_here:
        parts.append("本库已有")
    elif v.held == "not_reported":
        parts.append("尚未报送")
    return "　".join(p for p in parts if p)


def open_verify_dialog(parent: QWidget, ctx: AppContext) -> ReceiptVerifyDialog:
    """Open the verification screen (window-modal, not blocking) and return it."""
    dialog = ReceiptVerifyDialog(ctx, parent)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
    dialog.code.setFocus()
    return dialog


# --------------------------------------------------------------------------- the key at a receipt's first print


def ask_passphrase(parent: QWidget | None) -> str | None:
    """The key passphrase, or None when the clerk prints without the 核验码 (tests replace this function)."""
    return ask_secret(
        parent, "签发告知书核验码", "同步密钥口令",
        head="这份告知书第一次打印，要用本单位的同步签名密钥签发核验码（二维码）。\n"
             "请输入同步密钥口令；点“取消”则这次不附核验码，本次运行不再询问\n"
             "（以后在“同步”页解锁密钥再重印即可补上，日期仍为登记日期）。",
        empty="请输入同步密钥口令；不附核验码请点“取消”。")


def with_receipt_key(parent: QWidget, ctx: AppContext, case_ref: str, then: Callable[[], None]) -> None:
    """Run ``then()`` (which prints the receipt) once the signing key is unlocked when the first print of this
    receipt would sign it; the passphrase is asked once per run of the program."""
    receipts = ctx.services.get(ReceiptService)

    def decided(needed: bool) -> None:
        if not needed or receipts.declined:
            then()
            return
        passphrase = ask_passphrase(parent)
        if not passphrase:
            receipts.declined = True
            then()
            return
        ctx.tasks.run(lambda: receipts.unlock(passphrase), writes=False, on_done=lambda _r: unlocked(),
                      on_error=failed, owner=parent)

    def unlocked() -> None:
        then()

    def failed(exc: BaseException, details: str = "") -> None:
        show_error(parent, exc, details)      # a wrong passphrase: nothing printed, print again to retry

    ctx.tasks.run(lambda: receipts.needs_key(case_ref), writes=False, on_done=decided, on_error=failed, owner=parent)


__all__ = ["ReceiptVerifyDialog", "ask_passphrase", "open_verify_dialog", "with_receipt_key"]
