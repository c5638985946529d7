"""设置 → 同步提醒: after how many days without an export the workbench reminds the township."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from ..services.permissions import Permission
from ..services.sync.reminder import Reminder
from .context import AppContext
from .errors import show_error


class SyncReminderBox(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("同步提醒", parent)
        self.ctx = ctx
        self.days = QSpinBox()
        self.days.setRange(1, 90)
        self.days.setSuffix(" 天")
        self.save = QPushButton("保存")
        self.save.clicked.connect(self.save_days)
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("上次导出同步包超过"))
        row.addWidget(self.days)
        row.addWidget(QLabel("时，在工作台提醒导出并交市信访局。"))
        row.addStretch(1)
        row.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.message)
        admin = ctx.actor.can(Permission.MANAGE_SETTINGS)
        self.days.setEnabled(admin)
        self.save.setEnabled(admin)
        if not admin:
            self.message.setText("只有管理员可以修改。")

    @property
    def service(self) -> Reminder:
        return self.ctx.services.get(Reminder)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.ctx.tasks.run(lambda: (self.service.reminder_days(), self.service.is_city()), writes=False,
                           on_done=self._shown, on_error=self._failed)

    def _shown(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        days, is_city = result
        self.days.setValue(days)
        if is_city:
            self.message.setText("本单位为市信访局：工作台不显示导出提醒（此设置只对乡镇有效）。")

    def save_days(self) -> None:
        value = self.days.value()
        self.save.setEnabled(False)
        self.ctx.tasks.run(lambda: self.service.set_reminder_days(self.ctx.actor, value),
                           on_done=self._saved, on_error=self._failed, writes=True)

    def _saved(self, days: int) -> None:
        if not shiboken6.isValid(self):
            return
        self.save.setEnabled(True)
        self.message.setStyleSheet("color: #1d5e2c;")
        self.message.setText(f"已保存：超过 {days} 天未导出时在工作台提醒。")

    def _failed(self, exc: BaseException, details: str = "") -> None:
        if not shiboken6.isValid(self):
            return
        self.save.setEnabled(self.ctx.actor.can(Permission.MANAGE_SETTINGS))
        show_error(self, exc, details)


__all__ = ["SyncReminderBox"]
