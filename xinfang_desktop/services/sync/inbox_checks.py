"""Import: the checks of SYNC.md in their order, then one transaction per bundle.

1. staging copy (files.read_bundle_file)   2. parse   3. sender's key (unknown → quarantine)
4. signature and envelope hash   5. ledger   6. decrypt, manifest, ownership, business rules
7. apply in one BEGIN IMMEDIATE transaction with synchronous=FULL; then parked bundles now next.

The ledger decision of step 5 is taken again inside the transaction, so two processes importing
the same stick queue on the write lock and the second one sees "already applied".

This module owns the outcomes of an import, the ledger decision (step 5: apply, park, already, refuse),
acknowledgements and a peer's key rotation. It does not own the import's flow (inbox.py), what a
bundle changes (inbox_plan.py) or the writes (inbox_write.py).
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ...store.models_sync import SyncInbox, SyncOutbox, SyncPeer
from ...sync.bundle import (
    DEFAULT_LIMITS,
    GENESIS,
    BundleContents,
    Limits,
    ParsedBundle,
    check_addressed_to,
    open_bundle,
    parse_bundle,
    verify_bundle,
)
from ...sync.errors import BundleError
from ...sync.keys import (
    RotationError,
    raw_public_bytes,
    signing_fingerprint,
    verify_rotation_record,
)
from .. import key_history

APPLIED, ALREADY, PARKED, QUARANTINED, REJECTED = "applied", "already", "parked", "quarantined", "rejected"
CANCELLED = "cancelled"
OUTCOME_LABELS = {APPLIED: "已导入", ALREADY: "已导入过（未重复导入）", PARKED: "暂存（等待缺失的同步包）",
                  QUARANTINED: "隔离（发送单位未登记）", REJECTED: "拒绝",
                  CANCELLED: "已取消"}
CRASH_ENV = "XINFANG_SYNC_CRASH_AT"   # test hook: kill -9 this process at a named step


def crash_point(step: str) -> None:
    """Crash tests set CRASH_ENV to a step name; the process then dies there as if the power went."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


class Refused(Exception):
    def __init__(self, message: str, *, freeze: bool = False):
        super().__init__(message)
        self.message = message
        self.freeze = freeze


@dataclass
class ImportResult:
    source: str
    outcome: str
    message: str
    sender: str | None = None
    epoch: int | None = None
    seq: int | None = None
    bundle_id: str | None = None
    records: int = 0
    quarantined_records: int = 0
    also_applied: list["ImportResult"] = field(default_factory=list)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


def peer_key(peer: SyncPeer) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(peer.signing_public_key))


# --------------------------------------------------------------------------- step 5


def ledger_decision(peer: SyncPeer, parsed: ParsedBundle) -> str:
    """'already' / 'parked-already' / 'park' / 'apply'; raises Refused (maybe freezing the sender)."""
    h = parsed.header
    row = SyncInbox.get_or_none(SyncInbox.bundle_id == parsed.bundle_id)
    if row is not None and row.state == APPLIED:
        return "already"
    same_slot = (SyncInbox.select().where((SyncInbox.sender == peer.unit_code) & (SyncInbox.epoch == h.epoch)
                                          & (SyncInbox.seq == h.seq) & SyncInbox.state.in_([APPLIED, PARKED])
                                          & (SyncInbox.bundle_id != parsed.bundle_id)).first())
    if same_slot is not None:
        raise Refused(f"发送单位 {peer.unit_code} 的第 {h.epoch} 纪元第 {h.seq} 号同步包出现了两个不同的版本"
                      "（可能是电脑从备份恢复后重复编号，或数据被伪造）。已拒绝并冻结该单位的同步，"
                      "请联系该单位核实后由管理员解除冻结。", freeze=True)
    if peer.revoked:
        raise Refused(f"{peer.unit_name}的密钥已被吊销，同步包已拒绝。请联系该单位重新登记密钥。")
    if peer.frozen:
        raise Refused(f"{peer.unit_name}的同步已冻结（{peer.frozen_reason or '原因见同步页'}），同步包已拒绝。"
                      "请核实后由管理员解除冻结再导入。")
    decision = _chain_decision(peer, parsed)
    if decision == "park" and row is not None and row.state == PARKED:
        return "parked-already"
    return decision


def _chain_decision(peer: SyncPeer, parsed: ParsedBundle) -> str:
    h = parsed.header
    if h.epoch < peer.head_epoch:
        raise Refused(f"该同步包属于已结束的第 {h.epoch} 纪元（当前为第 {peer.head_epoch} 纪元），是旧包重放，已拒绝。请勿再导入。")
    if h.epoch > peer.head_epoch:
        if h.epoch > peer.allowed_epoch:
            raise Refused(f"该同步包开始了新的第 {h.epoch} 纪元（该单位电脑可能从备份恢复），尚未经市局授权，已拒绝。"
                          "请由市局管理员授权新纪元后再导入。")
        if h.seq == 1:
            if h.prev != GENESIS:
                raise Refused("新纪元的第一个同步包必须从头开始，该包的前序校验值不符，已拒绝。请联系发送单位重新导出。")
            return "apply"
        return "park"
    if h.seq <= peer.head_seq:
        raise Refused(f"该同步包（第 {h.seq} 号）早于已导入的第 {peer.head_seq} 号，是旧包重放，已拒绝。无需再导入。")
    if h.seq > peer.head_seq + 1:
        return "park"
    if h.prev != peer.head_hash:
        raise Refused(f"该同步包的前序校验值与已导入的第 {peer.head_seq} 号同步包不一致，链条断裂，已拒绝。"
                      "请联系发送单位核实，必要时由市局授权其开始新纪元。")
    return "apply"


def acknowledge(sender: str, contents: BundleContents, now: datetime) -> tuple[int, int]:
    """The peer's header names the last bundle it received from us: those are acknowledged.

    A peer restored from a backup names an older bundle (or none) than it once acknowledged: what
    came after went with the restore, so those bundles are due again and go on the next stick.
    Bundles apply in chain order, so for a peer that was not restored the position only grows.
    Returns (acknowledged, due again)."""
    last = contents.header.last_received
    mine = SyncOutbox.recipient == sender
    acked = 0
    if last is None:
        after = mine
    else:
        row = SyncOutbox.get_or_none(mine & (SyncOutbox.epoch == last.epoch) & (SyncOutbox.seq == last.seq))
        if row is None or row.bundle_id != last.bundle_id:
            return 0, 0
        acked = (SyncOutbox.update(acknowledged_at=now)
                 .where(mine & (SyncOutbox.epoch == last.epoch) & (SyncOutbox.seq <= last.seq)
                        & SyncOutbox.acknowledged_at.is_null())
                 .execute())
        after = mine & ((SyncOutbox.epoch > last.epoch)
                        | ((SyncOutbox.epoch == last.epoch) & (SyncOutbox.seq > last.seq)))
    again = (SyncOutbox.update(acknowledged_at=None, copied_at=None)
             .where(after & SyncOutbox.acknowledged_at.is_null(False))
             .execute())
    return acked, again


def apply_rotation(peer: SyncPeer, record: Any) -> None:
    try:
        rotation = verify_rotation_record(record, peer_key(peer))
    except RotationError as exc:
        raise Refused(exc.message) from None
    if rotation.unit_code != peer.unit_code:
        raise Refused("密钥轮换记录的单位与发送单位不一致，已拒绝。请联系发送单位核实。")
    # The old key stays verifiable for receipts dated before the rotation.
    key_history.rotated(peer.unit_code, peer.signing_public_key, raw_public_bytes(rotation.new_public_key).hex(),
                        at=key_history.rotation_time(rotation.created))
    peer.signing_public_key = raw_public_bytes(rotation.new_public_key).hex()
    peer.fingerprint = signing_fingerprint(rotation.new_public_key)
    peer.key_id = rotation.new_key_id
    if rotation.new_encryption_recipient:
        peer.encryption_recipient = rotation.new_encryption_recipient


def gaps(peer: SyncPeer) -> list[int]:
    """Seq numbers missing between the head and the highest parked bundle of the current epoch."""
    parked = [r.seq for r in SyncInbox.select(SyncInbox.seq).where(
        (SyncInbox.sender == peer.unit_code) & (SyncInbox.state == PARKED) & (SyncInbox.epoch == peer.head_epoch))]
    if not parked:
        return []
    have = set(parked)
    return [s for s in range(peer.head_seq + 1, max(parked)) if s not in have]


def parse(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedBundle:
    return parse_bundle(data, limits)


__all__ = ["ImportResult", "BundleError", "ledger_decision", "acknowledge", "gaps", "crash_point",
           "check_addressed_to", "open_bundle", "verify_bundle"]
