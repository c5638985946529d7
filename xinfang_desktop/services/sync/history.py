"""What was sent and received, for the 同步 page's list, and the sync state of one case.

Owns the read-only views over the outbox, the inbox ledger and the held bundles. Does not write
anything: sending is outbox.py, receiving inbox.py and quarantine.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...domain.errors import NotFound
from ...store.models import Case
from ...store.models_sync import SyncInbox, SyncOutbox
from ...store.models_trust import SyncHeld
from . import inbox_checks
from .part import SyncPart


@dataclass(frozen=True)
class BundleRow:
    direction: str          # sent / received
    unit: str
    epoch: int
    seq: int
    kind: str
    state: str              # for sent: written / copied / acknowledged; received: ledger state
    state_label: str
    records: int
    at: datetime | None
    reason: str | None
    bundle_id: str
    file_name: str | None


class History(SyncPart):
    def bundles(self, limit: int = 500) -> list[BundleRow]:
        rows: list[BundleRow] = []
        for o in SyncOutbox.select(SyncOutbox.id, SyncOutbox.recipient, SyncOutbox.epoch, SyncOutbox.seq,
                                   SyncOutbox.kind, SyncOutbox.record_count, SyncOutbox.created_at,
                                   SyncOutbox.copied_at, SyncOutbox.acknowledged_at, SyncOutbox.bundle_id,
                                   SyncOutbox.file_name).order_by(SyncOutbox.created_at.desc(), SyncOutbox.seq.desc()).limit(limit):
            state = "acknowledged" if o.acknowledged_at else ("copied" if o.copied_at else "written")
            rows.append(BundleRow("sent", o.recipient, o.epoch, o.seq, o.kind, state,
                                  {"acknowledged": "对方已确认", "copied": "已复制到U盘", "written": "待复制"}[state],
                                  o.record_count, o.created_at, None, o.bundle_id, o.file_name))
        for held in SyncHeld.select(SyncHeld.bundle_id, SyncHeld.sender, SyncHeld.epoch, SyncHeld.seq, SyncHeld.kind,
                                    SyncHeld.received_at, SyncHeld.source_name).order_by(SyncHeld.received_at.desc()):
            rows.append(BundleRow("received", held.sender, held.epoch, held.seq, held.kind, inbox_checks.QUARANTINED,
                                  "隔离（未登记）", 0, held.received_at, "发送单位尚未登记", held.bundle_id,
                                  held.source_name))
        for r in SyncInbox.select(SyncInbox.bundle_id, SyncInbox.sender, SyncInbox.epoch, SyncInbox.seq, SyncInbox.kind,
                                  SyncInbox.state, SyncInbox.record_count, SyncInbox.received_at, SyncInbox.reason,
                                  SyncInbox.source_name).order_by(SyncInbox.received_at.desc(), SyncInbox.seq.desc()).limit(limit):
            label = {"applied": "已导入", "parked": "暂存待补", "quarantined": "隔离（未登记）", "rejected": "已拒绝"}[r.state]
            rows.append(BundleRow("received", r.sender, r.epoch, r.seq, r.kind, r.state, label, r.record_count,
                                  r.received_at, r.reason, r.bundle_id, r.source_name))
        return rows

    def record_state(self, case_id: str) -> str:
        """Sync state of a case for the window: local / exported / acknowledged (own cases), received (others')."""
        case = Case.get_or_none(Case.id == case_id)
        if case is None:
            raise NotFound("找不到该事项。")
        if case.unit_code != self.services.unit_code:
            return "received"
        ids = [case_id] + [r.id for r in case.events] + [r.id for r in case.parties]
        marks = ",".join("?" for _ in ids)
        last = self.db.execute_sql(f"SELECT MAX(seq) FROM sync_change WHERE row_id IN ({marks})", ids).fetchone()[0] or 0
        exported = self.db.execute_sql("SELECT MAX(through_change) FROM sync_outbox").fetchone()[0] or 0
        acked = self.db.execute_sql(
            "SELECT MAX(through_change) FROM sync_outbox WHERE acknowledged_at IS NOT NULL").fetchone()[0] or 0
        if last and last <= acked:
            return "acknowledged"
        if last and last <= exported:
            return "exported"
        return "local"
