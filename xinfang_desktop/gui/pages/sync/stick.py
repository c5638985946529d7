"""The sync page's stick: the removable drive or folder chosen, export and copy onto it, import from it,
each off the UI thread with progress and a cancel between bundles.

A part of SyncPage (page.py). It does not hold the keys (keys.py), which it asks for before either.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
)

from ....domain.errors import InvalidInput
from ....services.sync import KeyRing
from ....sync.drives import removable_drives
from ...errors import show_error
from ...tasks import CASES

NO_STICK = "未检测到U盘：请插入U盘后点“刷新”，或点“其他文件夹…”"
NO_STICK_TIP = "未检测到U盘。请插入U盘后点“刷新”，或点“其他文件夹…”选择位置。"


class StickActions:
    """The stick: choosing the drive or folder, export and copy onto it, import from it."""

    def refresh_drives(self) -> None:
        """Look for sticks in a worker: a drive slow to answer (a card reader, a failing stick) does not
        freeze the window. The place chosen stays chosen while it is there (a stick pulled out is not)."""
        asked = self.drive.currentData()

        def look():
            return removable_drives(), (asked if asked and Path(asked).is_dir() else None)

        self.ctx.tasks.run(look, writes=False, owner=self,
                           on_done=lambda found: self._show_drives(*found, asked=asked),
                           on_error=lambda *_: self._show_drives([], None, asked=asked))

    def _show_drives(self, drives, current: str | None, *, asked: str | None = None) -> None:
        chosen = self.drive.currentData()
        if chosen and chosen != asked:          # a folder chosen (其他文件夹…) while the drives were looked for
            current = chosen
        self.drive.clear()
        for d in drives:
            self.drive.addItem(d.label, str(d.path))
        if self.drive.count() == 0:
            self.drive.addItem(NO_STICK, None)
        if current:
            self.set_folder(Path(current))
        self.update_stick_buttons()

    def set_folder(self, folder: Path) -> None:
        for i in reversed(range(self.drive.count())):       # a place is chosen: no "未检测到U盘" row any more
            if self.drive.itemData(i) is None:
                self.drive.removeItem(i)
        index = self.drive.findData(str(folder))
        if index < 0:
            self.drive.addItem(f"{folder.name or folder}（{folder}）", str(folder))
            index = self.drive.count() - 1
        self.drive.setCurrentIndex(index)
        self.update_stick_buttons()

    def update_stick_buttons(self) -> None:
        """导出并复制到U盘 and 从U盘导入 only with a stick or folder chosen, and not while one of them runs."""
        chosen = self.folder() is not None
        for b in (self.export_button, self.import_button):
            b.setEnabled(chosen and not self.busy())
            b.setToolTip("" if chosen else NO_STICK_TIP)

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

            state = self._busy("正在导出…", cancellable=True)     # made before the run, so 取消 reaches it
            # An export marks what it sent (the cases' sync state), so the lists may show it.
            self.ctx.tasks.run(work, on_done=self._exported, on_error=self._failed, progress=self._progress,
                               state=state, writes=True, changes=CASES, owner=self)

        # Whether an export can be made at all (the city enrolled, no new numbering round pending) is
        # checked first: nobody types the passphrase for an export that would be refused.
        self.ctx.tasks.run(lambda: self.service.check_export(self.ctx.actor), on_done=lambda _peers: self.with_keys(go),
                           on_error=self._failed, writes=False, owner=self)

    def _exported(self, result) -> None:
        new, paths = result
        self._busy(None)
        self.message.setStyleSheet("")
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

            state = self._busy("正在导入…", cancellable=True)
            self.ctx.tasks.run(work, on_done=self._imported, on_error=self._failed, progress=self._progress,
                               state=state, writes=True, changes=CASES, owner=self)

        self.with_keys(go)

    def _imported(self, results) -> None:
        self._busy(None)
        self.message.setStyleSheet("")
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
