"""设置: backups (folder, back up now, restore), the office's own names and
文号 (gui/office_box.py), the holiday calendar.

Everything that touches the disk or the database goes through ctx.tasks; the page only shows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import XinfangError
from ...services.backup import BackupInfo, BackupNeedsSecret, BackupService, RestoreResult
from ...services.permissions import Permission
from ..board_rules_box import BoardRulesBox
from ..office_box import OfficeBox
from ..context import AppContext
from ..busy_panel import BusyPanel
from ..errors import show_error
from ..message_line import MessageLine
from ..sync_settings import SyncReminderBox
from ..tasks import OTHER
from ..tables import read_only_table

PAGE_KEY = "settings"


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{max(1, n // 1000)} KB"


class BackupBox(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("备份", parent)
        self.ctx = ctx
        self.service = ctx.services.get(BackupService)
        admin = ctx.actor.can(Permission.MANAGE_SETTINGS)
        self.folder_label = QLabel()
        self.folder_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)
        self.last_label = QLabel()
        self.change = QPushButton("更改备份文件夹(&C)…")
        self.change.clicked.connect(self._choose_folder)
        self.change.setEnabled(admin)
        self.now = QPushButton("立即备份(&B)")
        self.now.clicked.connect(self.backup_now)
        self.restore_selected = QPushButton("用所选备份恢复(&R)…")
        self.restore_selected.clicked.connect(self._restore_selected)
        self.restore_file = QPushButton("从其他位置恢复…")
        self.restore_file.clicked.connect(self._restore_other)
        for b in (self.restore_selected, self.restore_file):
            b.setEnabled(admin)
        self.busy_panel = BusyPanel()
        self.busy_panel.setVisible(False)       # idle, its margins left a blank band above the table
        self.progress = self.busy_panel.progress
        self.message = MessageLine()
        self.table = read_only_table(["备份时间", "类型", "事项数", "大小", "位置"], single=True, fit=True)
        self.table.setMinimumHeight(180)
        rule = QLabel("每天第一次打开程序时自动备份；保留最近7天每天一份、最近4周每周一份、最近12个月每月一份。"
                      "恢复前会先检查备份是否完好，并把当前数据另存一份。")
        rule.setWordWrap(True)
        rule.setStyleSheet("color: #555;")
        top = QHBoxLayout()
        top.addWidget(QLabel("备份文件夹："))
        top.addWidget(self.folder_label, 1)
        top.addWidget(self.change)
        buttons = QHBoxLayout()
        buttons.addWidget(self.now)
        buttons.addWidget(self.last_label, 1)
        buttons.addWidget(self.restore_selected)
        buttons.addWidget(self.restore_file)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(rule)
        layout.addLayout(buttons)
        layout.addWidget(self.busy_panel)
        layout.addWidget(self.message)
        layout.addWidget(self.table)
        self.backups: list[BackupInfo] = []

    # -- showing ----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.ctx.tasks.run(lambda: (self.service.folder(), self.service.last_backup_at(), self.service.backups()),
                           on_done=self._show, on_error=self._failed, writes=False, owner=self)

    def _show(self, result) -> None:
        folder, last, backups = result
        self.folder_label.setText(str(folder) if folder else "尚未设置（不会自动备份）")
        self.folder_label.setStyleSheet("" if folder else "color: #b00020; font-weight: bold;")
        self.last_label.setText(f"上次备份：{last:%Y-%m-%d %H:%M}" if last else "还没有备份过")
        self.backups = backups
        self.table.setRowCount(len(backups))
        for row, b in enumerate(backups):
            cells = [f"{b.created_at:%Y-%m-%d %H:%M}", b.kind_label, str(b.cases), _size(b.size), b.path.name]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (2, 3):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, col, item)
        if backups:
            self.table.selectRow(0)

    def _busy(self, text: str | None) -> None:
        if text is None:
            self.busy_panel.stop()
        else:
            self.busy_panel.start()
        self.busy_panel.setVisible(text is not None)
        for b in (self.now, self.change, self.restore_selected, self.restore_file):
            b.setEnabled(text is None and (b is self.now or self.ctx.actor.can(Permission.MANAGE_SETTINGS)))
        if text is not None:
            self.message.setStyleSheet("")
            self.message.setText(text)

    def _progress(self, fraction: float, text: str) -> None:
        self.busy_panel.set_progress(fraction)
        if text:
            self.message.setText(text)

    def _failed(self, exc: BaseException, details: str) -> None:
        self._busy(None)
        if isinstance(exc, XinfangError):
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(exc.message)
        else:
            show_error(self, exc, details)

    # -- actions ----------------------------------------------------------------------------
    def _choose_folder(self) -> None:
        start = str(self.service.folder() or Path.home())
        path = QFileDialog.getExistingDirectory(self, "选择备份文件夹（建议另一块硬盘或U盘）", start)
        if path:
            self.set_folder(path)

    def set_folder(self, path: str) -> None:
        self.ctx.tasks.run(lambda: self.service.set_folder(self.ctx.actor, path),
                           on_done=lambda folder: self._after(f"备份文件夹已设为 {folder}"), on_error=self._failed, writes=True,
                           changes=OTHER, owner=self)

    def backup_now(self) -> None:
        self._busy("正在备份…")
        # Progress crosses threads through the runner's signal (state.progress), never directly.
        self.ctx.tasks.run(lambda state: self.service.backup(self.ctx.actor, progress=state.progress),
                           progress=self._progress,
                           on_done=lambda info: self._after(f"已备份 {info.cases} 件事项到 {info.path}"),
                           on_error=self._failed, writes=True,
                           changes=OTHER, owner=self)

    def _after(self, text: str) -> None:
        self._busy(None)
        self.message.setStyleSheet("color: #1d5e2c;")
        self.message.setText(text)
        self.refresh()

    def _restore_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.backups):
            self.message.setText("请先在下表中选择一个备份。")
            return
        self.ask_restore(self.backups[row].path)

    def _restore_other(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择备份中的 manifest.json 或 xinfang.sqlite3", str(Path.home()),
                                              "信访工作平台备份 (manifest.json xinfang*.sqlite3);;所有文件 (*)")
        if path:
            self.ask_restore(Path(path))

    def confirm_restore(self, source: Path) -> bool:
        box = QMessageBox(QMessageBox.Warning, "从备份恢复",
                          f"确定用这个备份替换当前的全部数据吗？\n\n{source}\n\n"
                          "恢复前会先检查备份是否完好，并把当前数据另存到数据目录的 backups 文件夹。"
                          "恢复后，与市信访局的同步将开始新的批次。", parent=self)
        yes = box.addButton("恢复", QMessageBox.DestructiveRole)
        box.addButton("取消", QMessageBox.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    def ask_restore(self, source: Path, *, password: str | None = None, recovery_code: str | None = None) -> None:
        if password is None and recovery_code is None and not self.confirm_restore(source):
            return
        self._busy("正在恢复…")

        def failed(exc: BaseException, details: str) -> None:
            if isinstance(exc, BackupNeedsSecret) and password is None and recovery_code is None:
                self._busy(None)
                self._ask_secret(source)
            else:
                self._failed(exc, details)

        self.ctx.tasks.run(lambda state: self.service.restore(self.ctx.actor, source, progress=state.progress,
                                                              password=password, recovery_code=recovery_code),
                           progress=self._progress, on_done=self._restored, on_error=failed, writes=True, owner=self)

    def _ask_secret(self, source: Path) -> None:
        """A backup of another folder: your password in that backup, or its recovery code."""
        from ..form_dialog import ask_secret

        text = ask_secret(
            self, "打开备份", "密码或恢复码",
            head="这个备份用另一把密钥加密（来自另一台电脑，或本数据目录重新设置之前）。\n"
                 f"请输入您（{self.ctx.actor.name}）在该备份中的密码，或该备份的恢复码：",
            empty="请输入您在该备份中的密码，或该备份的恢复码。")
        if text is None or not text.strip():
            return
        code = text.strip()
        if len(code.replace("-", "").replace(" ", "")) == 25 and "-" in code:
            self.ask_restore(source, recovery_code=code)
        else:
            self.ask_restore(source, password=text)

    def _restored(self, result: RestoreResult) -> None:
        self._after(f"已从备份恢复 {result.cases} 件事项。恢复前的数据另存在 {result.safety_backup}。"
                    "请关闭并重新打开程序，以便各页面显示恢复后的数据。")


class CalendarBox(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("节假日安排", parent)
        self.ctx = ctx
        self.years = QLabel()
        self.years.setWordWrap(True)
        self.load = QPushButton("载入某年放假安排(&L)…")
        self.load.setEnabled(ctx.actor.can(Permission.MANAGE_SETTINGS))
        self.load.clicked.connect(self._choose)
        self.message = MessageLine()
        row = QHBoxLayout()
        row.addWidget(self.years, 1)
        row.addWidget(self.load)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        cal = self.ctx.services.calendar
        self.ctx.tasks.run(lambda: (sorted(cal.calendar().known_years()), cal.loaded_years()),
                           on_done=self._show, writes=False, owner=self)

    def _show(self, result) -> None:
        years, loaded = result
        known = f"{years[0]}–{years[-1]} 年" if years else "无"
        extra = f"；管理员载入：{'、'.join(map(str, loaded))}" if loaded else ""
        self.years.setText(f"已知放假安排：{known}{extra}。期限按法定工作日计算；缺少某年的安排时，该年的期限标为“暂定”。")

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择国务院放假安排文件", str(Path.home()), "文本文件 (*.txt *.json);;所有文件 (*)")
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        svc = self.ctx.services

        def work():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise XinfangError(f"无法读取 {path.name}（需要 UTF-8 编码的文本文件）。") from None
            return svc.calendar.load_year(self.ctx.actor, text, svc.cases.recompute_open)

        self.ctx.tasks.run(work, on_done=self._loaded, on_error=self._failed, writes=True, owner=self)

    def _loaded(self, result) -> None:
        year, changed = result
        self.message.setStyleSheet("color: #1d5e2c;")
        self.message.setText(f"已载入 {year} 年放假安排，重算了 {changed} 件未结事项的期限。")
        self.refresh()

    def _failed(self, exc: BaseException, details: str) -> None:
        if isinstance(exc, XinfangError):
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(exc.message)
        else:
            show_error(self, exc, details)


class SettingsPage(QScrollArea):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        body = QWidget()
        title = QLabel("<h2>设置</h2>")
        self.backup = BackupBox(ctx)
        staff = QLabel("工作人员、角色和密码（添加、停用、重设密码、修改我的密码）在“人员”页（左侧导航最后一项）办理。")
        staff.setWordWrap(True)
        self.calendar = CalendarBox(ctx)
        self.office = OfficeBox(ctx)
        layout = QVBoxLayout(body)
        layout.addWidget(title)
        layout.addWidget(self.backup)
        layout.addWidget(staff)
        layout.addWidget(self.office)
        layout.addWidget(self.calendar)
        layout.addWidget(BoardRulesBox(ctx))
        layout.addWidget(SyncReminderBox(ctx))
        layout.addStretch(1)
        self.setWidget(body)
        self.refresh()

    def refresh(self) -> None:
        self.backup.refresh()
        self.office.refresh()
        self.calendar.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()


def create(ctx: AppContext, window) -> QWidget:
    return SettingsPage(ctx)
