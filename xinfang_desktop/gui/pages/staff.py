"""人员: the office's staff. An administrator adds people, sets their name and role, resets a password,
disables an account (never deletes it: the audit and the cases name them) and enables it again;
everyone changes their own password here.

The same AuthService calls as `xinfang user …`; every one goes through ctx.tasks (the write lane
for changes), the page only shows."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import XinfangError
from ...services.auth import StaffMember
from ...services.permissions import Permission
from ..context import AppContext
from ..dialogs import PasswordDialog
from ..errors import show_error
from ..message_line import MessageLine
from ..staff_dialogs import AddUserDialog, EditUserDialog
from ..tasks import OTHER

PAGE_KEY = "staff"
HEADERS = ["姓名", "用户名", "角色", "状态"]


def _status(m: StaffMember) -> str:
    if not m.active:
        return "已停用"
    return "在用" if m.has_password else "在用（需管理员设置密码）"


class StaffPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.admin = ctx.actor.can(Permission.MANAGE_USERS)
        self.staff: list[StaffMember] = []
        title = QLabel("<h2>人员</h2>")
        actor = ctx.actor

        own = QGroupBox("我的账户")
        self.me = QLabel(f"{actor.display_name}（用户名 {actor.name}，{actor.role.label}）")
        self.own = QPushButton("修改我的密码(&W)…")
        self.own.clicked.connect(self.change_own)
        own_row = QHBoxLayout(own)
        own_row.addWidget(self.me, 1)
        own_row.addWidget(self.own)

        self.message = MessageLine()        # no blank band between the two boxes while there is nothing to say
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(own)
        layout.addWidget(self.message)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        for col, chars in enumerate((8, 10, 6)):         # room for a long name or login without crowding
            self.table.setColumnWidth(col, self.fontMetrics().horizontalAdvance("中") * chars + 16)
        self.add = QPushButton("添加人员(&A)…")
        self.edit = QPushButton("修改姓名和角色(&M)…")
        self.reset = QPushButton("重设密码(&E)…")
        self.disable = QPushButton("停用(&D)…")
        self.enable = QPushButton("重新启用(&N)…")
        self.add.clicked.connect(self.add_user)
        self.edit.clicked.connect(self.edit_selected)
        self.reset.clicked.connect(self.reset_selected)
        self.disable.clicked.connect(self.disable_selected)
        self.enable.clicked.connect(self.enable_selected)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        if self.admin:
            box = QGroupBox("本单位工作人员")
            buttons = QHBoxLayout()
            for b in (self.add, self.edit, self.reset, self.disable, self.enable):
                buttons.addWidget(b)
            buttons.addStretch(1)
            note = QLabel("停用的账户不会删除：审计记录和事项中仍显示其姓名，其密码从此不能再打开数据。"
                          "重新启用时需设置新密码。")
            note.setWordWrap(True)
            note.setStyleSheet("color: #555;")
            inner = QVBoxLayout(box)
            inner.addLayout(buttons)
            inner.addWidget(self.table, 1)
            inner.addWidget(note)
            layout.addWidget(box, 1)
        else:
            note = QLabel("添加人员、修改角色和重设密码由管理员在本页办理。")
            note.setStyleSheet("color: #555;")
            layout.addWidget(note)
            layout.addStretch(1)
        self._selection_changed()

    # -- showing ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        if self.admin:
            self.ctx.tasks.run(lambda: self.ctx.services.auth.staff(self.ctx.actor), on_done=self._show,
                               on_error=self._failed, writes=False, owner=self)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def _show(self, staff: list[StaffMember]) -> None:
        chosen = self.selected()
        self.staff = staff
        self.table.setRowCount(len(staff))
        for row, m in enumerate(staff):
            for col, text in enumerate((m.display_name, m.name, m.role.label, _status(m))):
                item = QTableWidgetItem(text)
                if not m.active:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, col, item)
        if chosen is not None:
            self.select(chosen.name)
        self._selection_changed()

    def select(self, name: str) -> None:
        for row, m in enumerate(self.staff):
            if m.name == name:
                self.table.selectRow(row)

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        row = rows[0].row() if rows else -1
        return self.staff[row] if 0 <= row < len(self.staff) else None

    def _selection_changed(self) -> None:
        m = self.selected()
        for b in (self.edit, self.reset, self.disable):
            b.setEnabled(m is not None and m.active)
        self.enable.setEnabled(m is not None and not m.active)

    def _said(self, text: str) -> None:
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.setText(text)
        self.refresh()

    def _failed(self, exc: BaseException, details: str) -> None:
        if isinstance(exc, XinfangError):           # refused input, a name taken, no permission: said here
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(exc.message)
        else:
            self.message.setText("")
            show_error(self, exc, details)          # the unexpected: the message and the details to copy

    def _run(self, fn, done_text) -> None:
        # Accounts and passwords: nothing a list of cases shows (OTHER), in the write lane.
        self.ctx.tasks.run(fn, on_done=lambda result: self._said(done_text(result)), on_error=self._failed,
                           writes=True, changes=OTHER, owner=self)

    # -- everyone ---------------------------------------------------------------------------------
    def change_own(self) -> None:
        actor = self.ctx.actor
        dialog = PasswordDialog(self, "修改我的密码", ask_old=True, who=f"{actor.display_name}（{actor.name}）")
        if dialog.exec() != QDialog.Accepted:
            return
        old, new = dialog.old.text(), dialog.new.text()
        auth = self.ctx.services.auth
        self._run(lambda: auth.change_password(actor, old, new), lambda _r: "已修改密码：原密码从此不能再打开数据。")

    # -- administrators ---------------------------------------------------------------------------
    def add_user(self) -> None:
        dialog = AddUserDialog(self)
        if dialog.exec() != QDialog.Accepted:
            return
        login, shown, role, password = (dialog.login_name, dialog.display_name, dialog.chosen_role(),
                                        dialog.password.text())
        auth, actor = self.ctx.services.auth, self.ctx.actor
        self._run(lambda: auth.add_user(actor, login, role, password, shown),
                  lambda user: f"已添加 {user.display_name}（用户名 {user.name}，{user.role.label}）。"
                               "请把初始密码告知本人，并请其登录后修改。")

    def _need_selection(self) -> StaffMember | None:
        m = self.selected()
        if m is None:
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText("请先在表中选择一位工作人员。")
        return m

    def edit_selected(self) -> None:
        m = self._need_selection()
        if m is None or not m.active:
            return
        dialog = EditUserDialog(self, m.name, m.display_name, m.role)
        if dialog.exec() != QDialog.Accepted:
            return
        shown, role = dialog.display_name, dialog.chosen_role()
        auth, actor = self.ctx.services.auth, self.ctx.actor
        self._run(lambda: auth.update_user(actor, m.name, role=role, display_name=shown),
                  lambda user: f"已修改：{user.display_name}（{user.role.label}）。"
                               + ("本人下次登录时生效。" if user.name == actor.name else ""))

    def reset_selected(self) -> None:
        m = self._need_selection()
        if m is None or not m.active:
            return
        dialog = PasswordDialog(self, "重设密码", ask_old=False, who=f"为 {m.display_name}（{m.name}）设置新密码")
        if dialog.exec() != QDialog.Accepted:
            return
        new = dialog.new.text()
        auth, actor = self.ctx.services.auth, self.ctx.actor
        self._run(lambda: auth.reset_password(actor, m.name, new),
                  lambda _r: f"已重设 {m.display_name} 的密码，请告知本人并请其登录后修改。")

    def disable_selected(self) -> None:
        m = self._need_selection()
        if m is None or not m.active:
            return
        answer = QMessageBox.question(
            self, "停用账户",
            f"停用 {m.display_name}（{m.name}）的账户？\n\n停用后不能再登录，其密码也不能再打开数据；"
            "审计记录和事项中仍显示其姓名。以后可以重新启用（需设置新密码）。",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        if answer != QMessageBox.Yes:
            return
        auth, actor = self.ctx.services.auth, self.ctx.actor
        self._run(lambda: auth.disable_user(actor, m.name), lambda _r: f"已停用 {m.display_name} 的账户。")

    def enable_selected(self) -> None:
        m = self.selected()
        if m is None or m.active:
            return
        dialog = PasswordDialog(self, "重新启用", ask_old=False,
                                who=f"重新启用 {m.display_name}（{m.name}）：请为其设置新密码")
        if dialog.exec() != QDialog.Accepted:
            return
        new = dialog.new.text()
        auth, actor = self.ctx.services.auth, self.ctx.actor
        self._run(lambda: auth.enable_user(actor, m.name, new),
                  lambda _r: f"已重新启用 {m.display_name} 的账户，请把新密码告知本人。")


def create(ctx: AppContext, window) -> QWidget:
    return StaffPage(ctx)
