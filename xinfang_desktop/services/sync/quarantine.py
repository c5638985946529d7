"""Bundles and records that are not applied: parked (waiting for a missing bundle), held (sender not
enrolled yet) and refused, each recorded with its reason; and the records quarantined by a rule.

Owns the ledger rows of those outcomes, the held bundles and the messages that say what to do. Does
not own the decision which outcome applies (inbox_checks.py) nor the retry of held bundles (inbox.py).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from ...store.models_sync import SyncInbox, SyncPeer, SyncQuarantine
from ...store.models_trust import SyncHeld
from ..audit import audit
from ..permissions import Actor
from . import inbox_checks
from .inbox_checks import ImportResult
from .part import SyncPart


class Quarantine(SyncPart):
    def gap_text(self, peer: SyncPeer) -> str:
        missing = inbox_checks.gaps(SyncPeer.get(SyncPeer.unit_code == peer.unit_code))
        return "缺第 " + "、".join(str(s) for s in missing[:10]) + " 号" if missing else "缺失情况见同步页"

    def ledger_row(self, parsed, source: str, state: str, reason: str | None, now: datetime,
                   data: bytes | None) -> None:
        h = parsed.header
        SyncInbox.insert(bundle_id=parsed.bundle_id, sender=h.sender.unit, epoch=h.epoch, seq=h.seq, kind=h.kind,
                         prev=h.prev, state=state, reason=reason, source_name=source[:200], created_at=h.created_at,
                         received_at=now, data=data).on_conflict_replace().execute()

    def park(self, actor: Actor, parsed, source: str, now: datetime, base: dict) -> ImportResult:
        with self.db.atomic():
            self.ledger_row(parsed, source, inbox_checks.PARKED, "等待缺失的同步包", now, parsed.raw)
            audit(actor, "sync.park", parsed.header.sender.unit, {"seq": parsed.header.seq}, at=now)
        peer = SyncPeer.get(SyncPeer.unit_code == parsed.header.sender.unit)
        return ImportResult(source, inbox_checks.PARKED, f"该同步包已暂存：之前的同步包还没有导入（{self.gap_text(peer)}）。"
                            "请找到并导入缺失的同步包，暂存的包会随之自动导入。", **base)

    def quarantine(self, actor: Actor, parsed, source: str, now: datetime, base: dict) -> ImportResult:
        h = parsed.header
        with self.db.atomic():
            SyncHeld.insert(file_sha256=hashlib.sha256(parsed.raw).hexdigest(), sender=h.sender.unit, epoch=h.epoch,
                            seq=h.seq, bundle_id=parsed.bundle_id, kind=h.kind, source_name=source[:200],
                            created_at=h.created_at, received_at=now, data=parsed.raw).on_conflict_ignore().execute()
            audit(actor, "sync.quarantine", h.sender.unit, {"seq": h.seq}, at=now)
        return ImportResult(source, inbox_checks.QUARANTINED,
                            f"发送单位 {parsed.header.sender.unit} 尚未登记，同步包已隔离，未导入。"
                            "请核对该单位的纸质登记表并登记后，再次导入即可自动处理。", **base)

    def reject(self, actor: Actor, parsed, source: str, message: str, now: datetime, base: dict,
               *, freeze: bool = False) -> ImportResult:
        """A verified bundle refused: recorded in the ledger, unless the ledger already holds this bundle
        applied or parked (a refusal now, e.g. while its sender is frozen, never loses it)."""
        with self.db.atomic():
            existing = SyncInbox.get_or_none(SyncInbox.bundle_id == parsed.bundle_id)
            if existing is None or existing.state == inbox_checks.REJECTED:
                self.ledger_row(parsed, source, inbox_checks.REJECTED, message, now, None)
            if freeze:
                SyncPeer.update(frozen=True, frozen_reason="同一编号出现两个不同的同步包").where(
                    SyncPeer.unit_code == parsed.header.sender.unit).execute()
            audit(actor, "sync.reject", parsed.header.sender.unit, {"seq": parsed.header.seq, "freeze": freeze},
                  at=now)
        return ImportResult(source, inbox_checks.REJECTED, message, **base)

    def quarantined_records(self, limit: int = 500) -> list[SyncQuarantine]:
        return list(SyncQuarantine.select().order_by(SyncQuarantine.created_at.desc()).limit(limit))
