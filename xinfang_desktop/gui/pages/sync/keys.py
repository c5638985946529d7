"""The sync page's keys and enrolment: unlocking the keys once per session, setting them up, printing
the enrolment form, saving the enrolment file, enrolling another unit, and key rotation.

A part of SyncPage (page.py); it uses the page's widgets and its busy/done/failed handling. It does not
hold the registry actions (peers.py) or the stick (stick.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QFileDialog

from ....services.receipts import ReceiptService
from ....services.sync import KeyRing
from ....sync.keys import format_fingerprint
from ... import receipt_verify, sync_admin
from ...tasks import OTHER
from .enrol_dialog import EnrolDialog


class KeyActions:
    """Keys and enrolment on the sync page: unlocking, set-up, the enrolment form and file, rotation."""

    # -- keys ------------------------------------------------------------------------------------
    def _ask_passphrase(self) -> str | None:
        return sync_admin.ask_passphrase(self)

    def with_keys(self, then: Callable[[KeyRing], None]) -> None:
        """Run ``then(ring)`` once the keys are unlocked (asked once per session; scrypt runs off the UI thread)."""
        if self.ring is not None:
            then(self.ring)
            return
        passphrase = self.passphrase_prompt()
        if not passphrase:
            return
        self._busy("正在解锁密钥…")

        def unlocked(ring: KeyRing) -> None:
            self.ring = ring
            self.ctx.services.get(ReceiptService).remember(ring.current)    # receipts printed now are signed
            self._busy(None)
            then(ring)

        self.ctx.tasks.run(lambda: self.service.unlock(passphrase), on_done=unlocked, on_error=self._failed,
                           writes=False, owner=self)

    def open_verify(self) -> None:
        self.verify_dialog = receipt_verify.open_verify_dialog(self, self.ctx)

    def _init_keys(self) -> None:
        first = self.ask_new_passphrase()
        if first is None:
            return
        def made(public) -> None:
            # The busy text goes: the message says the keys exist and what to do next.
            self._done_simple(f"已生成本单位同步密钥，密钥核对码：{format_fingerprint(public.signing_fingerprint)}。"
                              "请打印登记表，盖章后连同登记文件交对方单位登记。")

        self._busy("正在生成密钥…")
        self.ctx.tasks.run(lambda: self.service.init_keys(self.ctx.actor, first), on_done=made,
                           on_error=self._failed, writes=True, changes=OTHER, owner=self)

    def enrolment_document(self):
        from ....documents.enrolment import details_from_identity, render_enrolment

        return render_enrolment(None, details_from_identity(self.service.public_identity()),
                                issued_on=self.ctx.services.clock.today())

    def print_enrolment(self) -> None:
        from ...print_preview import show_document

        def shown(rendered) -> None:
            self.preview = show_document(self, rendered, file_name=f"同步密钥登记表-{self.ctx.services.unit_code}.pdf",
                                         tasks=self.ctx.tasks, can_unredact=False)

        self.ctx.tasks.run(self.enrolment_document, on_done=shown, on_error=self._failed, writes=False, owner=self)

    def _export_public(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "保存登记文件", f"{self.ctx.services.unit_code}-登记文件.json",
                                              "登记文件 (*.json)")
        if not name:
            return

        def write(ring: KeyRing) -> None:
            def save():
                from ....services.document_files import save_file  # whole or not at all; says if open elsewhere

                save_file(name, self.service.export_public(ring))
                return f"已保存登记文件：{name}。请连同盖章的纸质登记表一并交给对方单位。"

            self.ctx.tasks.run(save, on_done=self._done_simple, on_error=self._failed, writes=False, owner=self)

        self.with_keys(write)

    def _enrol(self) -> None:
        dialog = EnrolDialog(self)
        if dialog.ask() is None:
            return
        self.enrol(Path(dialog.file_text()), dialog.fingerprint_text())

    def enrol(self, file: Path, fingerprint: str) -> None:
        def work():
            peer = self.service.enrol(self.ctx.actor, Path(file).read_bytes(), fingerprint)
            return f"已登记 {peer.unit_name}（{peer.unit_code}），密钥核对码与纸质登记表一致。"

        self.ctx.tasks.run(work, on_done=self._done_simple, on_error=self._failed, writes=True, changes=OTHER,
                           owner=self)

    def rotate_keys(self) -> None:
        rotation = self.ask_rotation()
        if rotation is None:
            return

        def work() -> str:
            ring = self.service.unlock(rotation.current)
            public = self.service.rotate(self.ctx.actor, ring, rotation.new)
            return (f"已更换密钥，新的密钥核对码：{format_fingerprint(public.signing_fingerprint)}。"
                    "轮换记录已放入待发送的同步包，随下次导出送达对方单位；请重新打印登记表存档。")

        def done(text: str) -> None:
            self.ring = None                # the next export unlocks the new keys with the new passphrase
            self.ctx.services.get(ReceiptService).forget()
            self._done_simple(text)

        self._busy("正在更换密钥…")
        self.ctx.tasks.run(work, on_done=done, on_error=self._failed, writes=True, changes=OTHER, owner=self)
