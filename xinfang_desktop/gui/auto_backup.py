"""The automatic backup: soon after the window opens, then whenever a new day starts.

It runs through the write lane like any other write. A failure (stick not inserted, disk full)
is logged and shown in the status bar, not as a box every hour: the settings page shows when
the last backup ran."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from ..domain.errors import XinfangError
from ..services.backup import BackupInfo, BackupService
from .context import AppContext

log = logging.getLogger(__name__)

FIRST_DELAY_MS = 5_000          # let the window settle first
CHECK_EVERY_MS = 15 * 60_000    # notices midnight within a quarter of an hour


class AutoBackup(QObject):
    finished = Signal(object)     # BackupInfo, or None when none was due
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.run_if_due)

    def start(self, first_delay_ms: int = FIRST_DELAY_MS) -> None:
        QTimer.singleShot(first_delay_ms, self.run_if_due)
        self.timer.start()

    def run_if_due(self) -> None:
        if self.running:
            return
        self.running = True
        service = self.ctx.services.get(BackupService)
        self.ctx.tasks.run(lambda: service.backup_if_due(self.ctx.actor), on_done=self._done,
                           on_error=self._failed, writes=True, owner=self)

    def _done(self, info: BackupInfo | None) -> None:
        self.running = False
        if info is not None:
            log.info("automatic backup: %s", info.path)
        self.finished.emit(info)

    def _failed(self, exc: BaseException, details: str) -> None:
        self.running = False
        message = exc.message if isinstance(exc, XinfangError) else f"{exc}"
        log.warning("automatic backup failed: %s\n%s", message, details)
        self.failed.emit(f"自动备份未完成：{message}")
