"""The 人员 page's dialogs: a new account, and a person's name and role.

What can be checked without the database (the login name's form, the password's length, the two
entries agreeing) is checked here, before the dialog closes, so nothing typed is lost; the services
check it all again, and what needs the database (a name already taken)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from ..domain.errors import InvalidInput
from ..domain.text import clean_text
from ..services.auth import MIN_PASSWORD, check_login_name, check_password
from ..services.permissions import Role

ROLE_HINTS = {
    Role.CLERK: "登记员：登记、告知、回访",
    Role.HANDLER: "承办人：办理、答复、延期、办结",
    Role.LEADER: "领导：包案、批准延期、看板",
    Role.ADMIN: "管理员：以上全部，另管人员和设置",
}


def role_box(current: Role = Role.CLERK) -> QComboBox:
    box = QComboBox()
    for role in (Role.CLERK, Role.HANDLER, Role.LEADER, Role.ADMIN):
        box.addItem(ROLE_HINTS[role], role.value)      # the value: Qt hands a str enum back as a plain str
    box.setCurrentIndex(box.findData(current.value))
    return box


class _Form(QDialog):
    def __init__(self, parent: QWidget | None, title: str):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.form = QFormLayout(self)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")

    def _finish(self) -> None:
        self.form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("确定")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)
        self.buttons = buttons

    def _refuse(self, exc: InvalidInput, where: QLineEdit) -> None:
        self.message.setText(exc.message)
        where.selectAll()
        where.setFocus()

    def _check(self) -> None:
        raise NotImplementedError


class AddUserDialog(_Form):
    """用户名 (what is typed at the login), 姓名 (what the window and the documents show), role, password."""

    def __init__(self, parent: QWidget | None):
        super().__init__(parent, "添加工作人员")
        self.display = QLineEdit()
        self.display.setPlaceholderText("如：李明")
        self.login = QLineEdit()
        self.login.setPlaceholderText("登录时输入，如：liming")
        self.role = role_box()
        self.password = QLineEdit()
        self.again = QLineEdit()
        for w in (self.password, self.again):
            w.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText(f"至少{MIN_PASSWORD}位")
        self.form.addRow("姓名(&X)：", self.display)
        self.form.addRow("用户名(&U)：", self.login)
        self.form.addRow("角色(&R)：", self.role)
        self.form.addRow("初始密码(&P)：", self.password)
        self.form.addRow("再次输入(&A)：", self.again)
        note = QLabel("请把初始密码告知本人，并请其登录后在“人员”页修改。")
        note.setWordWrap(True)
        self.form.addRow(note)
        self._finish()
        self.display.setFocus()

    def _check(self) -> None:
        try:
            self.display_name = clean_text(self.display.text(), label="姓名", field="display_name", limit=50,
                                           multiline=False)
        except InvalidInput as exc:
            return self._refuse(exc, self.display)
        try:
            self.login_name = check_login_name(self.login.text())
        except InvalidInput as exc:
            return self._refuse(exc, self.login)
        try:
            check_password(self.password.text())
        except InvalidInput as exc:
            return self._refuse(exc, self.password)
        if self.password.text() != self.again.text():
            return self._refuse(InvalidInput("两次输入的密码不一致，请重新输入。", field="password"), self.again)
        self.accept()

    def chosen_role(self) -> Role:
        return Role(self.role.currentData())


class EditUserDialog(_Form):
    """A person's name and role (the login name stays: the audit and the keyring know them by it)."""

    def __init__(self, parent: QWidget | None, login: str, display_name: str, role: Role):
        super().__init__(parent, "修改姓名和角色")
        self.display = QLineEdit(display_name)
        self.role = role_box(role)
        self.form.addRow("用户名：", QLabel(login))
        self.form.addRow("姓名(&X)：", self.display)
        self.form.addRow("角色(&R)：", self.role)
        self._finish()
        self.display.setFocus()
        self.display.selectAll()

    def _check(self) -> None:
        try:
            self.display_name = clean_text(self.display.text(), label="姓名", field="display_name", limit=50,
                                           multiline=False)
        except InvalidInput as exc:
            return self._refuse(exc, self.display)
        self.accept()

    def chosen_role(self) -> Role:
        return Role(self.role.currentData())
