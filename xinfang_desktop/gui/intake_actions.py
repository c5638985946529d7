"""附件 on the case view: the scanned letters and photos of a case, to open or to add to.

Imported by the intake page (gui/pages/intake.py), which registers it with the case view.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..services.attachments import AttachmentService, human_size
from ..services.permissions import Permission
from ..services.queries import CaseDetail
from .case_actions import CaseAction, register
from .context import AppContext
from .errors import show_error
from .viewer_files import viewer_copy
from .tables import read_only_table


class AttachmentsDialog(QDialog):
    def __init__(self, parent: QWidget, ctx: AppContext, detail: CaseDetail, done: Callable[[], None]):
        super().__init__(parent)
        self.ctx = ctx
        self.number = detail.row.number
        self.done_cb = done
        self.service = ctx.services.get(AttachmentService)
        self.rows: list = []
        self.setWindowTitle(f"附件 — {self.number}")
        self.table = read_only_table(["文件", "类型和大小", "添加人", "添加时间"])
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.open_button = QPushButton("打开(&O)")
        self.add_button = QPushButton("添加附件(&A)…")
        close = QPushButton("关闭")
        self.open_button.clicked.connect(self.open_current)
        self.add_button.clicked.connect(self._pick)
        close.clicked.connect(self.accept)
        # Adding is writing on the case: only where this unit may (another unit's case is read-only here).
        self.add_button.setEnabled(ctx.actor.can(Permission.NOTE) and detail.not_writable is None)
        if detail.not_writable:
            self.add_button.setToolTip(detail.not_writable)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(640, 320)
        self.reload()

    def reload(self) -> None:
        self.ctx.tasks.run(lambda: self.service.of_case(self.number), writes=False, on_done=self._show,
                           on_error=self._failed, owner=self)

    def _show(self, rows: list) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, text in enumerate((r.file_name, f"{r.kind.upper()}，{human_size(r.size)}", r.added_by,
                                      f"{r.added_at:%Y-%m-%d %H:%M}")):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if rows:
            self.table.selectRow(0)
        self.message.setText("" if rows else "该事项没有附件。")
        self.open_button.setEnabled(bool(rows))

    def _failed(self, exc: BaseException, details: str) -> None:
        show_error(self, exc, details)

    def open_current(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            return
        a = self.rows[row]
        ext = {"jpg": ".jpg", "png": ".png", "pdf": ".pdf", "tif": ".tif"}[a.kind]
        service = self.service

        def copy() -> str:
            # The store holds it encrypted: the viewer gets a decrypted copy in this session's private
            # folder, removed when the program closes (gui/viewer_files.py).
            target = viewer_copy(Path(a.file_name).stem + ext, service.content(a.sha256))
            return str(target)

        self.ctx.tasks.run(copy, writes=False, on_done=lambda p: QDesktopServices.openUrl(QUrl.fromLocalFile(p)),
                           on_error=self._failed, owner=self)

    def _pick(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择扫描件或照片", "",
                                                "扫描件和照片 (*.jpg *.jpeg *.png *.pdf *.tif *.tiff)")
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list) -> None:
        actor = self.ctx.actor
        self.ctx.tasks.run(lambda: self.service.attach(actor, self.number, paths), on_done=self._added,
                           on_error=self._add_failed, writes=True, owner=self)

    def _added(self, rows: list) -> None:
        self.reload()
        self.message.setText(f"已添加 {len(rows)} 个附件。" if rows else "所选文件已在附件中，未重复添加。")
        self.done_cb()

    def _add_failed(self, exc: BaseException, details: str) -> None:
        if hasattr(exc, "message"):
            self.message.setText(exc.message)       # a refused file: say which and why, keep the dialog
        else:
            show_error(self, exc, details)


def attachments_dialog(parent: QWidget, ctx: AppContext, detail: CaseDetail, done: Callable[[], None]) -> None:
    AttachmentsDialog(parent, ctx, detail, done).open()


register(CaseAction("intake.attachments", "附件…", 95, lambda d, a: a.can(Permission.VIEW), attachments_dialog))
