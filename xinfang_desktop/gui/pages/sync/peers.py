"""The sync page's registry tab (at the city the 乡镇登记册): the selected peer and the administrator's
actions on it (freeze, unfreeze, revoke, authorise a new epoch), and this unit's own new epoch.

A part of SyncPage (page.py); the buttons and dialogs are gui/sync_admin.py's. It does not hold the
keys (keys.py) or the stick (stick.py).
"""

from __future__ import annotations

from typing import Callable

from ....services.permissions import Permission


class PeerActions:
    """The registry tab (the city's 乡镇登记册): freeze, unfreeze, revoke, authorise an epoch; and
    starting this unit's own new epoch."""

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
        self.ctx.tasks.run(work, on_done=self._done_simple, on_error=self._failed, writes=True)

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
        self.ctx.tasks.run(work, on_done=self._done_simple, on_error=self._failed, writes=True)
