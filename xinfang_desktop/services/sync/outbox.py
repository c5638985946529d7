"""Sending: export (what changed since the last bundle to each peer, into the outbox) and copying the
outbox onto a stick.

Owns when and to whom bundles are written, the escrow recipient, the copy to a folder and the days
since the last export. Does not own the reading of the journal and the bundle rows (outbox_bundles.py)
nor the acknowledgements that clear the outbox (inbox_checks.py). Export and copy need REGISTER; a
cancel is honoured between bundles, never inside one.
"""

from __future__ import annotations

from pathlib import Path

from ...domain.errors import NotAllowed, NotFound
from ...store import setting_keys
from ...store.models import Setting
from ...store.models_sync import SyncOutbox, SyncPeer
from ...sync.files import write_bundle_file
from ..audit import audit
from ..permissions import Actor, Permission, require
from ..progress import CancelCheck, Cancelled, Progress, never, noop_progress
from . import outbox_bundles
from .epochs import MARK_SETTING, Epochs, lift_versions
from .identity import KeyRing
from .part import SyncPart

ESCROW_SETTING = setting_keys.SYNC_ESCROW_RECIPIENT

SyncCancelled = Cancelled        # cancelled between bundles: those copied are whole


class Outbox(SyncPart):
    def check_export(self, actor: Actor) -> list[SyncPeer]:
        """Refuse an export that cannot be made, before anyone is asked for the key passphrase; the peers
        to export to. Only reads."""
        require(actor, Permission.REGISTER)
        own = self.own_unit()
        if self.services.get(Epochs).epoch_needed():
            raise NotAllowed("本机数据是从备份恢复的，原来的同步包编号可能已经用过。为防止与已发出的同步包冲突，"
                             "请先电话联系市信访局授权新一轮编号，再在同步页点“开始新一轮编号”输入市局告知的轮次"
                             "（或运行 xinfang sync start-epoch 轮次），然后导出。")
        peers = [p for p in SyncPeer.select().where(SyncPeer.revoked == False)  # noqa: E712
                 .order_by(SyncPeer.unit_code)]
        if own.kind == "township":
            peers = [p for p in peers if p.role == "city"]
            if not peers:
                raise NotFound("尚未登记市局的密钥，无法导出。请先在同步页用市局的登记文件和纸质登记表登记市局。")
        return peers

    def export(self, actor: Actor, ring: KeyRing, *, progress: Progress = noop_progress) -> list[SyncOutbox]:
        """Write to the outbox everything changed since the last bundle to each peer (and pending acks)."""
        peers = self.check_export(actor)
        own = self.own_unit()
        escrow_row = Setting.get_or_none(Setting.key == ESCROW_SETTING)
        written: list[SyncOutbox] = []
        epoch = self.services.get(Epochs).epoch()
        for i, peer in enumerate(peers):
            progress(i / max(1, len(peers)), f"正在为{peer.unit_name}生成同步包…")
            now = self.services.clock.now()
            # A writer that runs alone (on PostgreSQL it waits for every desk's writer to finish, store/pg.py):
            # the window ends at the journal's head, and no change with a lower number may commit after it.
            with self.db.atomic():
                peer = SyncPeer.get(SyncPeer.unit_code == peer.unit_code)
                last = outbox_bundles.last_outbox(peer.unit_code, epoch)
                since = last.through_change if last else 0
                upto = outbox_bundles.journal_head(self.db)
                if own.kind == "township":
                    records = outbox_bundles.township_records(self.db, own.code, since, upto)
                    mark = Setting.get_or_none(Setting.key == MARK_SETTING)
                    lift_versions(self.db, records, mark.value if mark else None, epoch, since=since)
                else:
                    records = outbox_bundles.city_records(self.db, own.code, peer.unit_code, since, upto)
                if not records and not peer.ack_pending:
                    continue
                rows = outbox_bundles.write_bundles(self.db, keys=ring.current, peer=peer, epoch=epoch, records=records,
                                        through=upto, now=now, escrow=escrow_row.value if escrow_row else None,
                                        attachments=self.attachment_store())
                audit(actor, "sync.export", peer.unit_code,
                      {"bundles": [r.file_name for r in rows], "records": len(records)}, at=now)
            written += rows
        progress(1.0, "导出完成")
        return written

    def pending_copies(self) -> list[SyncOutbox]:
        return list(SyncOutbox.select().where(SyncOutbox.acknowledged_at.is_null())
                    .order_by(SyncOutbox.recipient, SyncOutbox.epoch, SyncOutbox.seq))

    def copy_to(self, actor: Actor, folder: Path, *, progress: Progress = noop_progress,
                cancelled: CancelCheck = never) -> list[Path]:
        """Copy every bundle not yet acknowledged onto the stick: .part, fsync, rename, read back, compare."""
        require(actor, Permission.REGISTER)
        folder = Path(folder)
        if not folder.is_dir():
            raise NotFound(f"找不到文件夹：{folder}。请确认U盘已插好，或选择其他文件夹。")
        rows = self.pending_copies()
        is_city = self.is_city()
        paths = []
        for i, row in enumerate(rows):
            if cancelled():
                raise SyncCancelled("已取消复制；已复制的同步包完好，其余的下次会一并复制。")
            progress(i / max(1, len(rows)), f"正在复制 {row.file_name}…")
            # The city keeps one chain per township and every chain starts at seq 1, so its bundles go
            # into a folder per township: the file names SYNC.md gives would otherwise collide.
            target = folder / row.recipient if is_city else folder
            target.mkdir(exist_ok=True)
            paths.append(write_bundle_file(target, row.file_name, bytes(row.data)))
            SyncOutbox.update(copied_at=self.services.clock.now()).where(SyncOutbox.id == row.id).execute()
        if rows:
            with self.db.atomic():
                audit(actor, "sync.copy", str(folder.name), {"files": [r.file_name for r in rows]},
                      at=self.services.clock.now())
        progress(1.0, "复制完成")
        return paths

    def days_since_export(self) -> int | None:
        """Days since this unit last wrote a bundle, or None when it never did."""
        last = SyncOutbox.select().order_by(SyncOutbox.created_at.desc()).first()
        if last is None:
            return None
        return (self.services.clock.today() - last.created_at.date()).days
