"""The sync page's stick: the removable drive or folder chosen, export and copy onto it, import from it,
each off the UI thread with progress and a cancel between bundles.

A part of SyncPage (page.py). It does not hold the keys (keys.py), which it asks for before either.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtWidgets import (
    QFileDialog,
)

from ....domain.errors import InvalidInput
from ....services.sync import KeyRing
from ....sync.drives import removable_drives
from ...errors import show_error
from ...tasks import TaskState


class StickActions:
    """The stick: choosing the drive or folder, export and copy onto it, import from it."""

    def refresh_drives(self) -> None:
        current = self.drive.currentData()
        self.drive.clear()
        for d in removable_drives():
            self.drive.addItem(d.label, str(d.path))
        if self.drive.count() == 0:
            self.drive.addItem("未找到U盘：请插入U盘后点“刷新”，或选择其他文件夹", None)
        if current:
            self.set_folder(Path(current))

    def set_folder(self, folder: Path) -> None:
        index = self.drive.findData(str(folder))
        if index < 0:
            self.drive.addItem(f"{folder.name or folder}（{folder}）", str(folder))
            index = self.drive.count() - 1
        self.drive.setCurrentIndex(index)

    def _choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "选择U盘或文件夹")
        if name:
            self.set_folder(Path(name))

    def folder(self) -> Path | None:
        data = self.drive.currentData()
        return Path(data) if data else None

    # -- export and import -------------------------------------------------------------------------
    def export_to_stick(self) -> None:
        folder = self.folder()
        if folder is None:
            show_error(self, InvalidInput("没有选择U盘或文件夹。请插入U盘后点“刷新”，或点“其他文件夹…”。"))
            return

        def go(ring: KeyRing) -> None:
            def work(state):
                new = self.service.export(self.ctx.actor, ring, progress=lambda f, t: state.progress(f * 0.5, t))
                paths = self.service.copy_to(self.ctx.actor, folder, progress=lambda f, t: state.progress(0.5 + f / 2, t),
                                             cancelled=state.cancelled)
                return new, paths

            self._busy("正在导出…", cancellable=True)
            self.state = TaskState()        # set before the run starts, so 取消 reaches this very task
            self.ctx.tasks.run(work, on_done=self._exported, on_error=self._failed, progress=self._progress,
                               state=self.state, writes=True)

        self.with_keys(go)

    def _exported(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        new, paths = result
        self._busy(None)
        if not paths:
            self.message.setText("没有需要复制的同步包：对方已确认收到全部数据。")
        else:
            self.message.setText(f"已复制 {len(paths)} 个同步包到U盘（其中新生成 {len(new)} 个），已逐个读回核对无误："
                                 + "、".join(p.name for p in paths[:6]) + ("…" if len(paths) > 6 else ""))
        self.refresh()

    def import_from_stick(self, files: list[Path] | None = None) -> None:
        folder = self.folder()
        if files is None and folder is None:
            show_error(self, InvalidInput("没有选择U盘或文件夹。请插入U盘后点“刷新”，或点“其他文件夹…”。"))
            return

        def go(ring: KeyRing) -> None:
            def work(state):
                paths = files if files is not None else self.service.bundle_files_in(folder)
                return self.service.import_files(self.ctx.actor, ring, paths, progress=state.progress,
                                                 cancelled=state.cancelled)

            self._busy("正在导入…", cancellable=True)
            self.state = TaskState()
            self.ctx.tasks.run(work, on_done=self._imported, on_error=self._failed, progress=self._progress,
                               state=self.state, writes=True)

        self.with_keys(go)

    def _imported(self, results) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy(None)
        flat = []
        for r in results:
            flat += [r, *r.also_applied]
        self.last_results = flat
        if not flat:
            self.message.setText("所选位置没有同步包（.xfb 文件）。")
        else:
            lines = [f"{r.source}：{r.label}。{r.message}" for r in flat]
            self.message.setText("\n".join(lines[:8]) + ("\n…" if len(lines) > 8 else ""))
            bad = [r for r in flat if r.outcome == "rejected"]
            self.message.setStyleSheet("color: #9b1111;" if bad else "")
        self.refresh()
