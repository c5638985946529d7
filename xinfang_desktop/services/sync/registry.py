"""The registry of enrolled peers (at the city: every township): its status, revocation, freezing and
the authorisation of a restored unit's new epoch.

Owns the peer rows after enrolment (revoked, frozen, allowed_epoch) and the status list with heads,
gaps and days since the last bundle. Does not own enrolment or keys (identity.py), the chain heads'
advance (inbox.py) or this unit's own epoch (epochs.py). Changes need MANAGE_SETTINGS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...domain.errors import InvalidInput, NotAllowed, NotFound
from ...domain.text import clean_text
from ...store.models import Unit
from ...store.models_sync import SyncInbox, SyncPeer
from .. import key_history
from ..audit import audit
from ..permissions import Actor, Permission, require
from . import inbox_checks
from .part import SyncPart


@dataclass(frozen=True)
class PeerStatus:
    unit_code: str
    unit_name: str
    role: str
    fingerprint: str
    enrolled_at: datetime
    revoked: bool
    frozen: bool
    frozen_reason: str | None
    head_epoch: int
    head_seq: int
    head_hash: str
    gaps: list[int]
    parked: int
    last_bundle_at: datetime | None
    days_since_last: int | None
    cases: int
    unacknowledged: int
    allowed_epoch: int = 1      # a new epoch this unit authorised for the peer (restored PC), maybe not started


class Registry(SyncPart):
    def revoke(self, actor: Actor, unit_code: str) -> None:
        with self.db.atomic():
            self._peer_flag(actor, unit_code, "sync.revoke", revoked=True)
            key_history.revoked(unit_code, at=self.services.clock.now())   # its receipts dated later are refused

    def freeze(self, actor: Actor, unit_code: str, reason: str) -> None:
        require(actor, Permission.MANAGE_SETTINGS)
        text = clean_text(reason, label="冻结原因", field="reason", required=False, limit=200, multiline=False)
        if not text:
            raise InvalidInput("请填写冻结原因（例如：同步包编号冲突，待核实），以便日后解除冻结时核对。", field="reason")
        if self.peer(unit_code).revoked:
            raise NotAllowed(f"{self.peer(unit_code).unit_name}的密钥已吊销，无需冻结。如要恢复同步，请重新登记其密钥。")
        self._peer_flag(actor, unit_code, "sync.freeze", frozen=True, frozen_reason=text)

    def unfreeze(self, actor: Actor, unit_code: str) -> None:
        require(actor, Permission.MANAGE_SETTINGS)
        if not self.peer(unit_code).frozen:
            raise NotAllowed(f"{self.peer(unit_code).unit_name}的同步没有冻结，无需解冻。")
        self._peer_flag(actor, unit_code, "sync.unfreeze", frozen=False, frozen_reason=None)

    def authorise_epoch(self, actor: Actor, unit_code: str, epoch: int) -> None:
        """Let a unit restored from backup start a new epoch instead of reusing seq numbers (see epochs.py)."""
        require(actor, Permission.MANAGE_SETTINGS)
        peer = self.peer(unit_code)
        if peer.revoked:
            raise NotAllowed(f"{peer.unit_name}的密钥已吊销，不能授权新批次。请先重新登记其密钥。")
        if epoch <= peer.head_epoch:
            raise InvalidInput(f"新批次的纪元号必须大于{peer.unit_name}当前的第 {peer.head_epoch} 纪元，"
                               f"例如 {peer.head_epoch + 1}。", field="epoch")
        self._peer_flag(actor, unit_code, "sync.authorise_epoch", allowed_epoch=epoch)

    def _peer_flag(self, actor: Actor, unit_code: str, action: str, **changes: Any) -> None:
        require(actor, Permission.MANAGE_SETTINGS)
        with self.db.atomic():
            peer = self.peer(unit_code)
            for k, v in changes.items():
                setattr(peer, k, v)
            peer.save()
            audit(actor, action, unit_code, {k: v for k, v in changes.items() if k != "frozen_reason"},
                  at=self.services.clock.now())

    def peer(self, unit_code: str) -> SyncPeer:
        peer = SyncPeer.get_or_none(SyncPeer.unit_code == unit_code)
        if peer is None:
            raise NotFound(f"单位 {unit_code} 尚未登记同步密钥。请先用对方的登记文件和纸质登记表登记。")
        return peer

    def peers(self) -> list[PeerStatus]:
        """The registry (at the city: every township) with heads, gaps and days since the last bundle."""
        today = self.services.clock.today()
        counts = dict(self.db.execute_sql('SELECT unit_code, COUNT(*) FROM "case" GROUP BY unit_code').fetchall())
        unacked = dict(self.db.execute_sql(
            "SELECT recipient, COUNT(*) FROM sync_outbox WHERE acknowledged_at IS NULL GROUP BY recipient").fetchall())
        out = []
        for p in SyncPeer.select().order_by(SyncPeer.unit_code):
            parked = SyncInbox.select().where((SyncInbox.sender == p.unit_code)
                                              & (SyncInbox.state == inbox_checks.PARKED)).count()
            out.append(PeerStatus(
                unit_code=p.unit_code, unit_name=p.unit_name, role=p.role, fingerprint=p.fingerprint,
                enrolled_at=p.enrolled_at, revoked=p.revoked, frozen=p.frozen, frozen_reason=p.frozen_reason,
                head_epoch=p.head_epoch, head_seq=p.head_seq, head_hash=p.head_hash,
                gaps=inbox_checks.gaps(p), parked=parked,
                last_bundle_at=p.last_bundle_at,
                days_since_last=(today - p.last_bundle_at.date()).days if p.last_bundle_at else None,
                cases=counts.get(p.unit_code, 0), unacknowledged=unacked.get(p.unit_code, 0),
                allowed_epoch=p.allowed_epoch))
        return out

    def unit_names(self) -> dict[str, str]:
        return {u.code: u.name for u in Unit.select(Unit.code, Unit.name)}
