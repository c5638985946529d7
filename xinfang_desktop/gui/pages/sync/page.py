"""The sync page itself: its widgets and layout, loading and showing the state (status, bundles, the
registry, quarantined records, instructions), and the busy, progress, done and failed handling the
parts share. The actions are the parts': keys.py, peers.py, stick.py.

Everything touching the disk, the database or the keys runs through ctx.tasks; the key passphrase
is asked once per session and the unlocked keys stay in memory only.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ....domain.glossary import EPOCH, HELD_RECORDS, KEY_CHECK_CODE
from ....services.permissions import Permission
from ....services.sync import KeyRing, SyncService
from ....services.sync.reminder import reminder_lines
from ....sync.keys import format_fingerprint
from ... import sync_admin
from ...busy_panel import BusyPanel
from ...context import AppContext
from ...errors import show_error
from ...message_line import MessageLine
from ...tables import read_only_table
from ...tasks import TaskState
from .keys import KeyActions
from .peers import PeerActions
from .stick import StickActions
from .tables import KIND_WORDS, ROLE_WORDS, fill_table, peer_state


class SyncPage(KeyActions, PeerActions, StickActions, QWidget):
    def __init__(self, ctx: AppContext, window: Any = None):
        super().__init__()
        self.ctx = ctx
        self.window_ = window
        self.service = ctx.services.get(SyncService)
        self.ring: KeyRing | None = None
        self.passphrase_prompt: Callable[[], str | None] = self._ask_passphrase
        # The dialogs of the administration actions (tests answer them without a modal loop).
        self.ask_freeze_reason = lambda peer: sync_admin.ask_freeze_reason(self, peer)
        self.confirm_revoke = lambda peer: sync_admin.confirm_revoke(self, peer)
        self.ask_authorised_epoch = lambda peer: sync_admin.ask_authorised_epoch(self, peer)
        self.ask_start_epoch = lambda current: sync_admin.ask_start_epoch(self, current)
        self.ask_rotation = lambda: sync_admin.ask_rotation(self)
        self.ask_new_passphrase = lambda: sync_admin.ask_new_passphrase(self)
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
        self.drive.currentIndexChanged.connect(lambda _i: self.update_stick_buttons())
        self.rescan = QPushButton("刷新")
        self.rescan.clicked.connect(self.refresh_drives)
        self.other_folder = QPushButton("其他文件夹…")
        self.other_folder.clicked.connect(self._choose_folder)
        self.export_button = QPushButton("导出并复制到U盘(&E)")
        self.export_button.clicked.connect(self.export_to_stick)
        self.import_button = QPushButton("从U盘导入(&I)")
        self.import_button.clicked.connect(lambda: self.import_from_stick())   # not clicked(bool) as `files`
        self.busy_panel = BusyPanel(cancel_tip="当前同步包处理完后停止")
        self.busy_panel.cancelling.connect(lambda: self.message.setText("正在取消：当前同步包处理完后停止…"))
        self.busy_panel.setVisible(False)       # idle, it would leave an empty row in the U盘 box
        self.message = MessageLine()      # no blank row in the U盘 box while there is nothing to say
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
        sl = QVBoxLayout(stick)
        sl.addLayout(srow)
        sl.addWidget(self.busy_panel)
        sl.addWidget(self.message)

        self.bundles = self._table(["方向", "单位", EPOCH, "序号", "类型", "状态", "记录数", "时间", "说明"])
        self.registry = self._table(["单位", "代码", KEY_CHECK_CODE, "已收到至", "缺号", "暂存", "最近一次",
                                "距今(天)", "事项数", "待确认", "状态"])
        self.quarantine = self._table(["时间", "发送单位", "记录类型", "记录", "原因"])
        self.instructions = self._table(["时间", "类型", "乡镇", "事项编号", "期限", "内容"])
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
        self.tabs.addTab(self.quarantine, HELD_RECORDS)    # each with its reason
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

        self.ctx.tasks.run(load, on_done=self._show, on_error=self._load_failed, writes=False, owner=self)

    def _load_failed(self, exc: BaseException, details: str = "") -> None:
        self.message.setStyleSheet("color: #9b1111;")
        self.message.setText(getattr(exc, "message", None) or "读取同步状态失败，请重新打开本页。")

    def _show(self, result) -> None:
        status, bundles, peers, quarantined, instructions, reminder, is_city, unit_names, restored = result
        self.is_city = is_city
        self.epoch = status["epoch"]
        self.unit_label.setText(f"{status['unit_name']}（{status['unit']}，{ROLE_WORDS.get(status['role'], '')}）"
                                f"　第 {status['epoch']} 轮编号")
        if status["fingerprint"]:
            self.key_label.setText(f"本单位密钥核对码：{format_fingerprint(status['fingerprint'])}")
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
        fill_table(self.bundles, [[("发出" if b.direction == "sent" else "收到"), names.get(b.unit, b.unit), b.epoch, b.seq,
                              KIND_WORDS.get(b.kind, b.kind), b.state_label, b.records,
                              f"{b.at:%Y-%m-%d %H:%M}" if b.at else "", b.reason or (b.file_name or "")]
                             for b in bundles],
              ["red" if b.state == "rejected" else ("amber" if b.state in ("parked", "quarantined", "written") else None)
               for b in bundles])
        fill_table(self.registry, [[p.unit_name, p.unit_code, format_fingerprint(p.fingerprint)[:19] + " …",
                               f"第{p.head_epoch}轮 第{p.head_seq}号" if p.head_seq else "尚未收到", "、".join(map(str, p.gaps)) or "无", p.parked,
                               f"{p.last_bundle_at:%Y-%m-%d}" if p.last_bundle_at else "从未收到",
                               p.days_since_last if p.days_since_last is not None else "", p.cases, p.unacknowledged,
                               peer_state(p)]
                              for p in peers],
              ["red" if (p.frozen or p.revoked) else ("amber" if p.gaps or (p.days_since_last or 0) > 7 else None)
               for p in peers])
        if selected is not None:
            row = next((i for i, p in enumerate(peers) if p.unit_code == selected.unit_code), -1)
            if row >= 0:
                self.registry.selectRow(row)
        self._registry_selected()
        fill_table(self.quarantine, [[f"{q.created_at:%Y-%m-%d %H:%M}", names.get(q.sender, q.sender), q.record_type, (q.record_id or "")[:8],
                                 q.reason] for q in quarantined])
        fill_table(self.instructions, [[f"{i.created_at:%Y-%m-%d}", "交办" if i.kind == "assign" else "督办",
                                   names.get(i.to_unit, i.to_unit),
                                   i.case_number or "", f"{i.deadline:%Y-%m-%d}" if i.deadline else "", i.text]
                                  for i in instructions])

    # -- common ---------------------------------------------------------------------------------------
    @staticmethod
    def _table(headers: list[str]):
        table = read_only_table(headers, wrap=False, fit=True)
        # Fitted to contents, a unit's name lost the edge of its last character: a little room each side.
        table.setStyleSheet("QTableView::item { padding: 0 3px; }")
        return table

    def _cancel(self) -> None:
        self.busy_panel.cancel()

    def _busy(self, text: str | None, *, cancellable: bool = False) -> TaskState | None:
        """Show `text` with the moving bar (None: the work is over). Returns the TaskState 取消 reaches."""
        busy = text is not None
        state = self.busy_panel.start(cancellable=cancellable) if busy else None
        if not busy:
            self.busy_panel.stop()
        for b in (self.export_button, self.import_button, self.enrol_button, self.init_keys, self.rotate_button):
            b.setEnabled(not busy)
        if not busy:
            self.update_stick_buttons()     # 导出 and 导入 need a stick or folder as well
        if busy:
            self.message.setStyleSheet("")
            self.message.setText(text)
        return state

    def busy(self) -> bool:
        return self.busy_panel.busy()

    def _progress(self, fraction: float, text: str) -> None:
        self.busy_panel.set_progress(fraction)
        if text:
            self.message.setText(text)

    def _done_simple(self, result) -> None:
        self._busy(None)
        self.message.setStyleSheet("")             # a success after a failure is not shown in red
        if isinstance(result, str):
            self.message.setText(result)
        self.refresh()

    def _failed(self, exc: BaseException, details: str = "") -> None:
        self._busy(None)
        self.message.setStyleSheet("color: #9b1111;")
        self.message.setText(getattr(exc, "message", None) or "操作失败，请重试。")
        self._registry_selected()
        if not getattr(self, "quiet_errors", False):
            show_error(self, exc, details)
