"""Login. (First-run set-up is the wizard in gui/wizard.py.)"""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from ..domain.errors import XinfangError
from ..services.context import Services
from ..services.permissions import Actor
from .forms import load
from .tasks import TaskRunner


class LoginDialog(QDialog):
    def __init__(self, services: Services, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = load("login").Ui_LoginDialog()
        self.ui.setupUi(self)
        self.services = services
        self.tasks = tasks
        self.actor: Actor | None = None
        self.ui.buttons.button(QDialogButtonBox.Ok).setText("登录")
        self.ui.buttons.button(QDialogButtonBox.Cancel).setText("退出")
        self.ui.buttons.accepted.connect(self._login)
        self.ui.buttons.rejected.connect(self.reject)
        self.ui.password.returnPressed.connect(self._login)
        try:
            unit = services.auth.unit()
            self.ui.unit_label.setText(unit.name)
        except XinfangError:
            pass
        self.ui.name.setFocus()

    def _login(self) -> None:
        name, password = self.ui.name.text().strip(), self.ui.password.text()
        if not name or not password:
            self.ui.message.setText("请输入用户名和密码")
            return
        self._busy(True)
        self.tasks.run(lambda: self.services.auth.login(name, password), on_done=self._done, on_error=self._failed)

    def _busy(self, busy: bool) -> None:
        self.ui.buttons.setEnabled(not busy)
        self.ui.message.setText("正在登录…" if busy else "")

    def _done(self, actor: Actor) -> None:
        if not shiboken6.isValid(self):
            return
        self.actor = actor
        self.accept()

    def _failed(self, exc: BaseException, _details: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy(False)
        self.ui.message.setText(getattr(exc, "message", "登录失败"))
        self.ui.password.selectAll()
        self.ui.password.setFocus()
