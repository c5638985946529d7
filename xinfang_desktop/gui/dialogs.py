"""Login. (First-run set-up is the wizard in gui/wizard.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from ..services.folder import keyring_summary
from .forms import load
from .tasks import OTHER, TaskRunner

if TYPE_CHECKING:       # the services are loaded by the login itself, not to show its window
    from ..services.access import Opened
    from ..services.permissions import Actor


class LoginDialog(QDialog):
    """The user's name and password open the data folder (services/access.unlock): the key is unwrapped
    with the password, so nothing of the folder is read before it. `opened` holds the result."""

    def __init__(self, data_dir: Path, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = load("login").Ui_LoginDialog()
        self.ui.setupUi(self)
        self.data_dir = Path(data_dir)
        self.tasks = tasks
        self.opened: Opened | None = None
        self.actor: Actor | None = None
        self.ui.buttons.button(QDialogButtonBox.Ok).setText("登录")
        self.ui.buttons.button(QDialogButtonBox.Cancel).setText("退出")
        self.ui.buttons.accepted.connect(self._login)
        self.ui.buttons.rejected.connect(self.reject)
        self.ui.password.returnPressed.connect(self._login)
        data_dir = self.data_dir        # the office's name, from the folder's key file: read in a worker
        tasks.run(lambda: keyring_summary(data_dir).get("unit"), writes=False, on_done=self._show_unit,
                  on_error=lambda *_: None, owner=self)
        self.ui.name.setFocus()

    def _show_unit(self, unit: dict | None) -> None:
        if unit:
            self.ui.unit_label.setText(unit["name"])

    @property
    def services(self):
        return self.opened.services if self.opened else None

    def _login(self) -> None:
        name, password = self.ui.name.text().strip(), self.ui.password.text()
        if not name or not password:
            self.ui.message.setText("请输入用户名和密码")
            return
        self._busy(True)
        data_dir = self.data_dir
        # No owner: a login that lands after the dialog has closed must still close the services it opened.
        self.tasks.run(lambda: _unlock(data_dir, name, password), on_done=self._done, on_error=self._failed,
                       writes=True, changes=OTHER)

    def _busy(self, busy: bool) -> None:
        self.ui.buttons.setEnabled(not busy)
        self.ui.message.setText("正在登录…" if busy else "")

    def _done(self, opened: Opened) -> None:
        if not shiboken6.isValid(self):
            opened.services.close()
            return
        self.opened, self.actor = opened, opened.actor
        self.accept()

    def _failed(self, exc: BaseException, _details: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy(False)
        self.ui.message.setText(getattr(exc, "message", "登录失败"))
        self.ui.password.selectAll()
        self.ui.password.setFocus()


def _unlock(data_dir: Path, name: str, password: str) -> Opened:
    from ..services.access import unlock

    return unlock(data_dir, name, password)


class RecoveryCodeDialog(QDialog):
    """The recovery code, shown once after an older folder was encrypted at this login: printed for the
    office safe; closed only once the administrator confirms it is kept."""

    def __init__(self, opened: Opened, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.opened = opened
        self.tasks = tasks
        self.setWindowTitle("数据已加密 — 请保存恢复码")
        text = QLabel("本程序已把数据加密保存。所有密码都忘记时，只有用下面的恢复码才能打开数据；恢复码和所有密码"
                      "都丢失，数据将无法找回。请打印或抄写下来，存放在办公室的保险柜里。")
        text.setWordWrap(True)
        self.code = QLabel(opened.recovery_code or "")
        self.code.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.code.setAlignment(Qt.AlignCenter)
        self.code.setStyleSheet("font-size: 22pt; font-family: monospace; padding: 12px; border: 1px solid #999;"
                                "background: white;")
        others = QLabel("")
        others.setWordWrap(True)
        if opened.users_to_reset:
            others.setText("以下用户需要管理员在“设置”中重设密码后才能登录：" + "、".join(opened.users_to_reset))
        self.print_button = QPushButton("打印恢复码(&P)…")
        self.print_button.clicked.connect(self.print_sheet)
        self.kept = QCheckBox("我已把恢复码打印或抄写下来，并会存放在安全的地方(&K)")
        self.go = QPushButton("继续(&G)")
        self.go.setEnabled(False)
        self.kept.toggled.connect(self.go.setEnabled)
        self.go.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        for w in (text, self.code, others, self.print_button, self.kept, self.go):
            layout.addWidget(w)

    def reject(self) -> None:       # Esc cannot skip it
        if self.kept.isChecked():
            super().reject()

    def print_sheet(self) -> None:
        from ..documents.recovery import render_recovery_sheet
        from .print_preview import PrintPreviewDialog

        opened = self.opened

        def work():
            unit = opened.services.auth.unit()
            return render_recovery_sheet(unit.name, unit.code, opened.recovery_code or "",
                                         opened.actor.display_name, opened.services.clock.today())

        def show(rendered) -> None:
            self.sheet = PrintPreviewDialog(self, rendered, file_name="数据恢复码.pdf", tasks=self.tasks)
            self.sheet.open()

        self.tasks.run(work, writes=False, on_done=show, owner=self)


class PasswordDialog(QDialog):
    """Change one's own password (``old`` asked), or set another user's (an administrator's reset)."""

    def __init__(self, parent: QWidget | None, title: str, *, ask_old: bool, who: str):
        super().__init__(parent)
        from PySide6.QtWidgets import QFormLayout, QLineEdit

        self.setWindowTitle(title)
        self.old = QLineEdit()
        self.new = QLineEdit()
        self.again = QLineEdit()
        for w in (self.old, self.new, self.again):
            w.setEchoMode(QLineEdit.Password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        form = QFormLayout(self)
        form.addRow(QLabel(who))
        if ask_old:
            form.addRow("原密码(&O)：", self.old)
        else:
            self.old.hide()
        form.addRow("新密码(&N)：", self.new)
        form.addRow("再次输入(&A)：", self.again)
        note = QLabel("密码用来打开加密的数据：修改后原密码不能再打开任何数据。请牢记新密码。")
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("确定")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        (self.old if ask_old else self.new).setFocus()

    def _check(self) -> None:
        if self.new.text() != self.again.text():
            self.message.setText("两次输入的新密码不一致，请重新输入。")
            self.again.selectAll()
            self.again.setFocus()
            return
        if not self.new.text():
            self.message.setText("请输入新密码。")
            return
        self.accept()
