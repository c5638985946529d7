"""同步: keys and enrolment, export to a USB stick, import from one, bundles sent and received, the
registry of enrolled units (the city's 乡镇登记册), quarantined records and 交办/督办.

Everything touching the disk, the database or the keys runs through ctx.tasks; the key passphrase
is asked once per session and the unlocked keys stay in memory only."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import InvalidInput
from ...services.permissions import Permission
from ...services.sync import KeyRing, SyncService
from ...sync.drives import removable_drives
from ...sync.keys import format_fingerprint
from ..context import AppContext
from ..errors import show_error
from ..tasks import TaskState
from .. import sync_actions  # noqa: F401  (registers 交办/督办 on the case view)
from .. import receipt_verify, sync_admin
from ...services.receipts import ReceiptService
from ...services.sync import reminder_section  # noqa: F401 - the same reminder on the workbench (importing registers it)
from ...services.sync.reminder import reminder_lines

PAGE_KEY = "sync"
ROLE_WORDS = {"city": "市局", "township": "乡镇"}
KIND_WORDS = {"data": "数据", "ack": "确认回执", "instruction": "交办督办", "key-rotation": "密钥轮换",
              "epoch-start": "新纪元"}


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setWordWrap(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(table: QTableWidget, rows: list[list[Any]], colours: list[str | None] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            item = QTableWidgetItem("" if value is None else str(value))
            if isinstance(value, int):
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if colours and colours[r]:
                item.setForeground(Qt.GlobalColor.darkRed if colours[r] == "red" else Qt.GlobalColor.darkYellow)
            table.setItem(r, c, item)


def _peer_state(p) -> str:
    if p.revoked:
        return "已吊销"
    if p.frozen:
        return "已冻结：" + (p.frozen_reason or "")
    if p.allowed_epoch > p.head_epoch:
        return f"正常（已授权第 {p.allowed_epoch} 纪元，待对方开始）"
    return "正常"


class EnrolDialog(QDialog):
    """登记对方单位: the file received and the fingerprint typed (or scanned) from its paper form."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("登记对方单位")
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("对方导出的登记文件（.json）")
        browse = QPushButton("浏览(&B)…")
        browse.clicked.connect(self._browse)
        self.fingerprint = QLineEdit()
        self.fingerprint.setPlaceholderText("照纸质登记表输入签名公钥指纹，或用扫码枪扫描二维码")
        self.fingerprint.setMinimumWidth(560)
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("登记文件：", row)
        form.addRow("指纹：", self.fingerprint)
        hint = QLabel("指纹须与对方单位盖章的纸质登记表逐组一致。不一致时不会登记，请当面或电话核实。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("登记")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择登记文件", "", "登记文件 (*.json);;所有文件 (*)")
        if name:
            self.file_edit.setText(name)

    def fingerprint_text(self) -> str:
        text = self.fingerprint.text()
        # A scanned QR code reads "xinfang-enrol:1:<unit>:<fingerprint>": keep the fingerprint.
        if text.startswith("xinfang-enrol:"):
            text = text.rsplit(":", 1)[-1]
        return text


class SyncPage(QWidget):
    def __init__(self, ctx: AppContext, window: Any = None):
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.service = ctx.services.get(SyncService)
        self.ring: KeyRing | None = None
        self.state = None                       # TaskState of the running import/export, for cancel
        self.passphrase_prompt: Callable[[], str | None] = self._ask_passphrase
        # The dialogs of the administration actions (tests answer them without a modal loop).
        self.ask_freeze_reason = lambda peer: sync_admin.ask_freeze_reason(self, peer)
        self.confirm_revoke = lambda peer: sync_admin.confirm_revoke(self, peer)
        self.ask_authorised_epoch = lambda peer: sync_admin.ask_authorised_epoch(self, peer)
        self.ask_start_epoch = lambda current: sync_admin.ask_start_epoch(self, current)
        self.ask_rotation = lambda: sync_admin.ask_rotation(self)
        self.peer_rows: list = []
        self.is_city = False
        self.epoch = 1

        self.unit_label = QLabel()
        self.unit_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.key_label = QLabel()
        self.key_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.key_label.setWordWrap(True)
        self.reminder = QLabel()
        self.reminder.setWordWrap(True)
        self.reminder.setStyleSheet("color: #9b1111; font-weight: bold;")
        self.init_keys = QPushButton("生成本单位密钥…")
        self.init_keys.clicked.connect(self._init_keys)
        self.print_form = QPushButton("打印登记表(&P)")
        self.print_form.clicked.connect(self.print_enrolment)
        self.export_public = QPushButton("导出登记文件…")
        self.export_public.clicked.connect(self._export_public)
        self.enrol_button = QPushButton("登记对方单位(&R)…")
        self.enrol_button.clicked.connect(self._enrol)
        self.rotate_button = QPushButton("更换密钥…")
        self.rotate_button.setToolTip("生成新密钥；轮换记录随下次导出的同步包送达对方单位")
        self.rotate_button.clicked.connect(self.rotate_keys)
        self.verify_button = QPushButton("核验告知书(&V)…")
        self.verify_button.setToolTip("扫描或输入受理告知书上的核验码，核验告知书的真伪和报送情况")
        self.verify_button.clicked.connect(self.open_verify)
        keys_row = QHBoxLayout()
        for b in (self.init_keys, self.print_form, self.export_public, self.enrol_button, self.rotate_button):
            keys_row.addWidget(b)
        keys_row.addStretch(1)
        keys_row.addWidget(self.verify_button)

        # The stick: found drives first, any folder on request.
        self.drive = QComboBox()
        self.drive.setMinimumWidth(320)
        self.rescan = QPushButton("刷新")
        self.rescan.clicked.connect(self.refresh_drives)
        self.other_folder = QPushButton("其他文件夹…")
        self.other_folder.clicked.connect(self._choose_folder)
        self.export_button = QPushButton("导出并复制到U盘(&E)")
        self.export_button.clicked.connect(self.export_to_stick)
        self.import_button = QPushButton("从U盘导入(&I)")
        self.import_button.clicked.connect(lambda: self.import_from_stick())   # not clicked(bool) as `files`
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self._cancel)
        self.cancel_button.setVisible(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        stick = QGroupBox("U盘")
        srow = QHBoxLayout()
        srow.addWidget(QLabel("位置："))
        srow.addWidget(self.drive, 1)
        srow.addWidget(self.rescan)
        srow.addWidget(self.other_folder)
        srow.addSpacing(16)
        srow.addWidget(self.export_button)
        srow.addWidget(self.import_button)
        prow = QHBoxLayout()
        prow.addWidget(self.progress, 1)
        prow.addWidget(self.cancel_button)
        sl = QVBoxLayout(stick)
        sl.addLayout(srow)
        sl.addLayout(prow)
        sl.addWidget(self.message)

        self.bundles = _table(["方向", "单位", "纪元", "序号", "类型", "状态", "记录数", "时间", "说明"])
        self.registry = _table(["单位", "代码", "签名公钥指纹", "已收到至", "缺号", "暂存", "最近一次",
                                "距今(天)", "事项数", "待确认", "状态"])
        self.quarantine = _table(["时间", "发送单位", "记录类型", "记录", "原因"])
        self.instructions = _table(["时间", "类型", "乡镇", "事项编号", "期限", "内容"])
        self.tabs = QTabWidget()
        self.tabs.addTab(self.bundles, "收发的同步包")
        self.registry_actions = sync_admin.RegistryActions()
        self.registry_actions.freeze.connect(self.freeze_selected)
        self.registry_actions.unfreeze.connect(self.unfreeze_selected)
        self.registry_actions.revoke.connect(self.revoke_selected)
        self.registry_actions.authorise.connect(self.authorise_selected)
        self.registry.itemSelectionChanged.connect(self._registry_selected)
        registry_tab = QWidget()
        rl = QVBoxLayout(registry_tab)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.registry, 1)
        rl.addWidget(self.registry_actions)
        self.epoch_banner = sync_admin.EpochBanner()
        self.epoch_banner.start.connect(self.start_epoch)
        self.tabs.addTab(registry_tab, "已登记的单位")
        self.tabs.addTab(self.quarantine, "隔离的记录")
        self.tabs.addTab(self.instructions, "交办督办")

        layout = QVBoxLayout(self)
        layout.addWidget(self.unit_label)
        layout.addWidget(self.key_label)
        layout.addLayout(keys_row)
        layout.addWidget(self.reminder)
        layout.addWidget(self.epoch_banner)
        layout.addWidget(stick)
        layout.addWidget(self.tabs, 1)
        self.refresh_drives()
        self.refresh()

    # -- showing ------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        s = self.service

        def load():
            return (s.status(), s.bundles(), s.peers(), s.quarantined_records(), s.instructions(self.ctx.actor),
                    "\n".join(reminder_lines(self.ctx.services)), s.is_city(), s.unit_names(),
                    s.restored_info())

        self.ctx.tasks.run(load, on_done=self._show, on_error=self._load_failed, writes=False)

    def _load_failed(self, exc: BaseException, details: str = "") -> None:
        if shiboken6.isValid(self):
            self.message.setStyleSheet("color: #9b1111;")
            self.message.setText(getattr(exc, "message", None) or "读取同步状态失败，请重新打开本页。")

    def _show(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        status, bundles, peers, quarantined, instructions, reminder, is_city, unit_names, restored = result
        self.is_city = is_city
        self.epoch = status["epoch"]
        self.unit_label.setText(f"{status['unit_name']}（{status['unit']}，{ROLE_WORDS.get(status['role'], '')}）"
                                f"　第 {status['epoch']} 纪元")
        if status["fingerprint"]:
            self.key_label.setText(f"本单位签名公钥指纹：{format_fingerprint(status['fingerprint'])}")
        else:
            self.key_label.setText("本单位还没有同步密钥。请管理员先生成密钥，再打印登记表与对方单位交换。")
        has_keys = bool(status["fingerprint"])
        admin = self.ctx.actor.can(Permission.MANAGE_SETTINGS)
        self.init_keys.setVisible(not has_keys)
        self.init_keys.setEnabled(admin)
        for b in (self.print_form, self.export_public):
            b.setEnabled(has_keys)
        self.enrol_button.setEnabled(admin)
        self.rotate_button.setVisible(has_keys)
        self.rotate_button.setEnabled(admin)
        self.reminder.setText(reminder or "")
        self.reminder.setVisible(bool(reminder) and restored is None)     # the banner says what to do first
        self.epoch_banner.show_restored(restored, status["epoch"], admin=admin)
        selected = self.selected_peer()
        self.peer_rows = list(peers)
        self.registry_actions.setVisible(is_city)
        self.tabs.setTabText(1, "乡镇登记册" if is_city else "已登记的单位")
        names = {**unit_names, **{p.unit_code: p.unit_name for p in peers}}
        _fill(self.bundles, [[("发出" if b.direction == "sent" else "收到"), names.get(b.unit, b.unit), b.epoch, b.seq,
                              KIND_WORDS.get(b.kind, b.kind), b.state_label, b.records,
                              f"{b.at:%Y-%m-%d %H:%M}" if b.at else "", b.reason or (b.file_name or "")]
                             for b in bundles],
              ["red" if b.state == "rejected" else ("amber" if b.state in ("parked", "quarantined", "written") else None)
               for b in bundles])
        _fill(self.registry, [[p.unit_name, p.unit_code, format_fingerprint(p.fingerprint)[:19] + " …",
                               f"第{p.head_epoch}纪元 第{p.head_seq}号" if p.head_seq else "尚未收到", "、".join(map(str, p.gaps)) or "无", p.parked,
                               f"{p.last_bundle_at:%Y-%m-%d}" if p.last_bundle_at else "从未收到",
                               p.days_since_last if p.days_since_last is not None else "", p.cases, p.unacknowledged,
                               _peer_state(p)]
                              for p in peers],
              ["red" if (p.frozen or p.revoked) else ("amber" if p.gaps or (p.days_since_last or 0) > 7 else None)
               for p in peers])
        if selected is not None:
            row = next((i for i, p in enumerate(peers) if p.unit_code == selected.unit_code), -1)
            if row >= 0:
                self.registry.selectRow(row)
        self._registry_selected()
        _fill(self.quarantine, [[f"{q.created_at:%Y-%m-%d %H:%M}", names.get(q.sender, q.sender), q.record_type, (q.record_id or "")[:8],
                                 q.reason] for q in quarantined])
        _fill(self.instructions, [[f"{i.created_at:%Y-%m-%d}", "交办" if i.kind == "assign" else "督办",
                                   names.get(i.to_unit, i.to_unit),
                                   i.case_number or "", f"{i.deadline:%Y-%m-%d}" if i.deadline else "", i.text]
                                  for i in instructions])

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

    # -- keys ------------------------------------------------------------------------------------
    def _ask_passphrase(self) -> str | None:
        text, ok = QInputDialog.getText(self, "密钥口令", "请输入本单位的同步密钥口令：", QLineEdit.Password)
        return text if ok and text else None

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
            if not shiboken6.isValid(self):
                return
            self.ring = ring
            self.ctx.services.get(ReceiptService).remember(ring.current)    # receipts printed now are signed
            self._busy(None)
            then(ring)

        self.ctx.tasks.run(lambda: self.service.unlock(passphrase), on_done=unlocked, on_error=self._failed,
                           writes=False)

    def open_verify(self) -> None:
        self.verify_dialog = receipt_verify.open_verify_dialog(self, self.ctx)

    def _init_keys(self) -> None:
        first, ok = QInputDialog.getText(self, "设置密钥口令", "设置同步密钥口令（至少8位，请牢记）：", QLineEdit.Password)
        if not ok or not first:
            return
        second, ok = QInputDialog.getText(self, "设置密钥口令", "再次输入口令：", QLineEdit.Password)
        if not ok:
            return
        if first != second:
            show_error(self, InvalidInput("两次输入的口令不一致，请重新设置。"))
            return
        self._busy("正在生成密钥…")
        self.ctx.tasks.run(lambda: self.service.init_keys(self.ctx.actor, first), on_done=self._done_simple,
                           on_error=self._failed)

    def enrolment_document(self):
        from ...documents.enrolment import details_from_identity, render_enrolment

        return render_enrolment(None, details_from_identity(self.service.public_identity()),
                                issued_on=self.ctx.services.clock.today())

    def print_enrolment(self) -> None:
        from ..print_preview import show_document

        def shown(rendered) -> None:
            if shiboken6.isValid(self):
                self.preview = show_document(self, rendered, file_name=f"同步密钥登记表-{self.ctx.services.unit_code}.pdf",
                                             tasks=self.ctx.tasks, can_unredact=False)

        self.ctx.tasks.run(self.enrolment_document, on_done=shown, on_error=self._failed, writes=False)

    def _export_public(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "保存登记文件", f"{self.ctx.services.unit_code}-登记文件.json",
                                              "登记文件 (*.json)")
        if not name:
            return

        def write(ring: KeyRing) -> None:
            def save():
                from ...services.document_files import save_file   # whole or not at all; says if open elsewhere

                save_file(name, self.service.export_public(ring))
                return f"已保存登记文件：{name}。请连同盖章的纸质登记表一并交给对方单位。"

            self.ctx.tasks.run(save, on_done=self._done_simple, on_error=self._failed, writes=False)

        self.with_keys(write)

    def _enrol(self) -> None:
        dialog = EnrolDialog(self)
        if dialog.exec() != QDialog.Accepted:
            return
        self.enrol(Path(dialog.file_edit.text()), dialog.fingerprint_text())

    def enrol(self, file: Path, fingerprint: str) -> None:
        def work():
            peer = self.service.enrol(self.ctx.actor, Path(file).read_bytes(), fingerprint)
            return f"已登记 {peer.unit_name}（{peer.unit_code}），指纹与纸质登记表一致。"

        self.ctx.tasks.run(work, on_done=self._done_simple, on_error=self._failed)

    # -- the registry (city), epochs and key rotation -----------------------------------------------
    def selected_peer(self):
        rows = {i.row() for i in self.registry.selectedIndexes()}
        return self.peer_rows[min(rows)] if rows and min(rows) < len(self.peer_rows) else None

    def select_peer(self, unit_code: str) -> None:
        row = next((i for i, p in enumerate(self.peer_rows) if p.unit_code == unit_code), -1)
        if row < 0:
            raise LookupError(unit_code)
        self.registry.selectRow(row)

    def _registry_selected(self) -> None:
        self.registry_actions.set_peer(self.selected_peer(), admin=self.ctx.actor.can(Permission.MANAGE_SETTINGS),
                                       busy=self.progress.isVisible())

    def _peer_action(self, busy: str, work: Callable[[], str]) -> None:
        self._busy(busy)
        self.registry_actions.set_peer(None, admin=True, busy=True)
        self.ctx.tasks.run(work, on_done=self._done_simple, on_error=self._failed)

    def freeze_selected(self) -> None:
        peer = self.selected_peer()
        reason = peer and self.ask_freeze_reason(peer)
        if not reason:
            return

        def work() -> str:
            self.service.freeze(self.ctx.actor, peer.unit_code, reason)
            return f"已冻结{peer.unit_name}的同步（{reason}）：核实前不导入它的同步包。"

        self._peer_action("正在冻结…", work)

    def unfreeze_selected(self) -> None:
        peer = self.selected_peer()
        if peer is None:
            return

        def work() -> str:
            self.service.unfreeze(self.ctx.actor, peer.unit_code)
            return f"已解除{peer.unit_name}的冻结，可以重新导入它的同步包。"

        self._peer_action("正在解冻…", work)

    def revoke_selected(self) -> None:
        peer = self.selected_peer()
        if peer is None or not self.confirm_revoke(peer):
            return

        def work() -> str:
            self.service.revoke(self.ctx.actor, peer.unit_code)
            return f"已吊销{peer.unit_name}的登记：此后不再导入它的同步包，也不再向它发送。"

        self._peer_action("正在吊销…", work)

    def authorise_selected(self) -> None:
        peer = self.selected_peer()
        epoch = peer and self.ask_authorised_epoch(peer)
        if not epoch:
            return

        def work() -> str:
            self.service.authorise_epoch(self.ctx.actor, peer.unit_code, epoch)
            last = self.service.last_case_number(peer.unit_code)
            return (f"已授权{peer.unit_name}开始第 {epoch} 纪元。请电话告知该乡镇：在同步页点“开始新批次”，"
                    f"填入纪元号 {epoch}" + (f"和最大事项编号 {last}" if last else "") + "，然后导出。")

        self._peer_action("正在授权…", work)

    def start_epoch(self) -> None:
        start = self.ask_start_epoch(self.epoch)
        if not start:
            return

        def work() -> str:
            started = self.service.start_epoch(self.ctx.actor, start.epoch, start.last_number)
            text = f"已开始第 {started.epoch} 纪元：现在可以导出同步包并复制到U盘，交市信访局。"
            if started.last_number:
                text += f"此后登记的事项编号接在 {started.last_number} 之后。"
            if started.clashes:
                text += (f"注意：恢复后登记的 {'、'.join(started.clashes)} 与市局已有的编号重复，到市局后会列入隔离记录，"
                         "请电话告知市局核对。")
            return text

        self._busy("正在开始新批次…")
        self.ctx.tasks.run(work, on_done=self._done_simple, on_error=self._failed)

    def rotate_keys(self) -> None:
        rotation = self.ask_rotation()
        if rotation is None:
            return

        def work() -> str:
            ring = self.service.unlock(rotation.current)
            public = self.service.rotate(self.ctx.actor, ring, rotation.new)
            return (f"已更换密钥，新的签名公钥指纹：{format_fingerprint(public.signing_fingerprint)}。"
                    "轮换记录已放入待发送的同步包，随下次导出送达对方单位；请重新打印登记表存档。")

        def done(text: str) -> None:
            if shiboken6.isValid(self):
                self.ring = None            # the next export unlocks the new keys with the new passphrase
                self.ctx.services.get(ReceiptService).forget()
                self._done_simple(text)

        self._busy("正在更换密钥…")
        self.ctx.tasks.run(work, on_done=done, on_error=self._failed)

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
                               state=self.state)

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
                               state=self.state)

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

    # -- common ---------------------------------------------------------------------------------------
    def _cancel(self) -> None:
        if self.state is not None:
            self.state.cancel()
            self.message.setText("正在取消：当前同步包处理完后停止…")

    def _busy(self, text: str | None, *, cancellable: bool = False) -> None:
        busy = text is not None
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setVisible(busy and cancellable)
        for b in (self.export_button, self.import_button, self.enrol_button, self.init_keys, self.rotate_button):
            b.setEnabled(not busy)
        if busy:
            self.message.setStyleSheet("")
            self.message.setText(text)

    def _progress(self, fraction: float, text: str) -> None:
        if shiboken6.isValid(self):
            self.progress.setValue(int(fraction * 100))
            if text:
                self.message.setText(text)

    def _done_simple(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy(None)
        if isinstance(result, str):
            self.message.setText(result)
        self.refresh()

    def _failed(self, exc: BaseException, details: str = "") -> None:
        if not shiboken6.isValid(self):
            return
        self._busy(None)
        self.message.setStyleSheet("color: #9b1111;")
        self.message.setText(getattr(exc, "message", None) or "操作失败，请重试。")
        self._registry_selected()
        if not getattr(self, "quiet_errors", False):
            show_error(self, exc, details)


def create(ctx: AppContext, window: Any) -> QWidget:
    return SyncPage(ctx, window)


__all__ = ["PAGE_KEY", "EnrolDialog", "SyncPage", "create"]
