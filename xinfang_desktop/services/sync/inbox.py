"""Receiving: import from a stick, bundle by bundle, in the order of SYNC.md (parse, sender's key,
signature, ledger, decrypt and check, apply in one transaction), then the parked bundles now next.

Owns the flow of an import and its transaction (synchronous=FULL, the ledger row, the peer's head).
Does not own the ledger decision and outcomes (inbox_checks.py), what a bundle changes (inbox_plan.py),
the writes (inbox_write.py) or parking, holding and refusing (quarantine.py). Import needs REGISTER.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ...store.models_sync import SyncInbox, SyncPeer
from ...store.models_trust import SyncHeld
from ...sync.bundle import check_addressed_to, open_bundle, parse_bundle, verify_bundle
from ...sync.errors import BundleError
from ...sync.files import list_bundle_files, read_bundle_file
from ..audit import audit
from ..permissions import Actor, Permission, require
from ..progress import CancelCheck, Progress, never, noop_progress
from . import inbox_checks, inbox_plan, inbox_write
from .identity import KeyRing, unit_key_ids
from .inbox_checks import ImportResult
from .part import SyncPart
from .quarantine import Quarantine

log = logging.getLogger(__name__)


class Inbox(SyncPart):
    def staging_dir(self) -> Path:
        return Path(self.services.data_dir) / "sync-staging"

    def bundle_files_in(self, folder: Path) -> list[Path]:
        """Bundles in a folder of the stick, and in its sub-folder for this unit (where the city puts them)."""
        folder = Path(folder)
        found = list_bundle_files(folder)
        own = folder / self.services.unit_code
        if own.is_dir() and not own.is_symlink():
            found += list_bundle_files(own)
        return found

    def import_folder(self, actor: Actor, ring: KeyRing, folder: Path, **kw: Any) -> list[ImportResult]:
        return self.import_files(actor, ring, self.bundle_files_in(folder), **kw)

    def import_files(self, actor: Actor, ring: KeyRing, paths: Iterable[Path], *,
                     progress: Progress = noop_progress, cancelled: CancelCheck = never) -> list[ImportResult]:
        """Import each file (its own transaction). Quarantined bundles of senders enrolled since are retried first."""
        require(actor, Permission.REGISTER)
        paths = list(paths)
        results: list[ImportResult] = []
        # Bundles held for a sender enrolled since: checked now, and no longer held whatever the outcome
        # (applied, parked in the ledger, or refused with its reason — a forged copy among them).
        retry = [r for r in SyncHeld.select().order_by(SyncHeld.epoch, SyncHeld.seq)
                 if SyncPeer.get_or_none(SyncPeer.unit_code == r.sender) is not None]
        for row in retry:
            results.append(self._import_bytes(actor, ring, bytes(row.data), row.source_name or row.bundle_id[:16]))
            SyncHeld.delete().where(SyncHeld.file_sha256 == row.file_sha256).execute()
        staging = self._run_staging()
        try:
            self._import_paths(actor, ring, paths, staging, results, progress, cancelled)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        progress(1.0, "导入完成")
        return results

    def _run_staging(self) -> Path:
        """A staging folder for this run (two importers never share one); leftovers of a killed run are swept."""
        root = self.staging_dir()
        root.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - 24 * 3600
        for old in root.iterdir():
            try:
                if old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
            except OSError:
                pass
        return Path(tempfile.mkdtemp(prefix="run-", dir=root))

    def _import_paths(self, actor: Actor, ring: KeyRing, paths: list[Path], staging: Path,
                      results: list[ImportResult], progress: Progress, cancelled: CancelCheck) -> None:
        for i, path in enumerate(paths):
            if cancelled():
                results.append(ImportResult(Path(path).name, inbox_checks.CANCELLED, "已取消：此文件及其后的文件未导入，可稍后重新导入。"))
                break
            progress(i / max(1, len(paths)), f"正在导入 {Path(path).name}（{i + 1}/{len(paths)}）…")
            try:
                staged = read_bundle_file(path, staging)
            except BundleError as exc:
                results.append(ImportResult(Path(path).name, inbox_checks.REJECTED, exc.message))
                continue
            inbox_checks.crash_point("after_stage")
            try:
                results.append(self._import_bytes(actor, ring, staged.read(), staged.source_name))
            finally:
                staged.path.unlink(missing_ok=True)

    def _import_bytes(self, actor: Actor, ring: KeyRing, data: bytes, source: str, *,
                      chain: bool = True) -> ImportResult:
        own = self.own_unit()
        now = self.services.clock.now()
        # 2. parse
        try:
            parsed = parse_bundle(data)
        except BundleError as exc:
            return ImportResult(source, inbox_checks.REJECTED, exc.message)
        h = parsed.header
        base = dict(sender=h.sender.unit, epoch=h.epoch, seq=h.seq, bundle_id=parsed.bundle_id)
        try:
            check_addressed_to(h, own.code)
            if h.recipient.key_id not in unit_key_ids(ring):
                check_addressed_to(h, own.code, ring.current.key_id)
        except BundleError as exc:
            return ImportResult(source, inbox_checks.REJECTED, exc.message, **base)
        # 3. sender's key: unknown → quarantine, never applied
        peer = SyncPeer.get_or_none(SyncPeer.unit_code == h.sender.unit)
        if peer is None:
            return self.services.get(Quarantine).quarantine(actor, parsed, source, now, base)
        # 4. signature and envelope hash. A file that fails here is not the sender's: it is reported and
        # leaves no row anywhere (it must not shadow the genuine bundle of the same id, parked or to come).
        try:
            verified = verify_bundle(parsed, inbox_checks.peer_key(peer), sender_unit=peer.unit_code)
        except BundleError as exc:
            log.warning("bundle %s from %s refused before its signature was verified: %s", source, h.sender.unit,
                        exc.message)
            return ImportResult(source, inbox_checks.REJECTED, exc.message, **base)
        inbox_checks.crash_point("after_verify")
        # 5. ledger (read-only pre-check: no decryption for replays and parked bundles)
        try:
            decision = inbox_checks.ledger_decision(peer, parsed)
        except inbox_checks.Refused as exc:
            return self.services.get(Quarantine).reject(actor, parsed, source, exc.message, now, base,
                                                        freeze=exc.freeze)
        if decision == "already":
            return ImportResult(source, inbox_checks.ALREADY, "数据没有变化。", **base)
        if decision == "parked-already":
            gap = self.services.get(Quarantine).gap_text(peer)
            return ImportResult(source, inbox_checks.PARKED, f"该同步包已暂存，仍在等待缺失的同步包（{gap}）。", **base)
        if decision == "park":
            return self.services.get(Quarantine).park(actor, parsed, source, now, base)
        # 6. decrypt and check the contents
        try:
            contents = open_bundle(verified, ring.identities())
        except BundleError as exc:
            return self.services.get(Quarantine).reject(actor, parsed, source, exc.message, now, base)
        inbox_checks.crash_point("after_decrypt")
        result = self._apply(actor, peer.unit_code, parsed, contents, source, base)
        if result.outcome == inbox_checks.APPLIED and chain:
            result.also_applied = self._apply_parked(actor, ring, peer.unit_code)
        return result

    def _apply(self, actor: Actor, sender: str, parsed, contents, source: str, base: dict) -> ImportResult:
        own = self.own_unit()
        now = self.services.clock.now()
        again = 0                        # our bundles the sender lost to a restore, due again
        self.db.execute_sql("PRAGMA synchronous = FULL")
        try:
            # A writer that runs alone, on PostgreSQL too (store/pg.py): a bundle touches rows of many cases and
            # people, and checks its place in the peer's chain; two desks importing must apply it once.
            with self.db.atomic():
                peer = SyncPeer.get(SyncPeer.unit_code == sender)
                try:
                    decision = inbox_checks.ledger_decision(peer, parsed)   # again, under the write lock
                    if decision == "already":
                        return ImportResult(source, inbox_checks.ALREADY, "数据没有变化。", **base)
                    if decision != "apply":
                        raise inbox_checks.Refused("同步包状态已变化，请重新导入。")
                    p = inbox_plan.plan(self.db, contents, own_unit=own.code, sender_role=peer.role, sender_unit=sender,
                                attachment_store=self.attachment_store())
                    if p.rotation is not None:
                        inbox_checks.apply_rotation(peer, p.rotation)
                except inbox_checks.Refused as exc:
                    refusal = exc
                else:
                    refusal = None
                    written = inbox_write.write(self.db, p, bundle_id=parsed.bundle_id, sender=sender, now=now,
                                       cal=self.services.cases.cal, attachment_store=self.attachment_store())
                    h = parsed.header
                    SyncInbox.insert(bundle_id=parsed.bundle_id, sender=sender, epoch=h.epoch, seq=h.seq, kind=h.kind,
                                     prev=h.prev, state=inbox_checks.APPLIED, reason=None, source_name=source[:200],
                                     record_count=len(contents.records), quarantined_records=len(p.quarantine),
                                     created_at=h.created_at, received_at=now, applied_at=now,
                                     data=None).on_conflict_replace().execute()
                    peer.head_epoch, peer.head_seq, peer.head_hash = h.epoch, h.seq, parsed.bundle_id
                    peer.last_bundle_at = now
                    if h.kind != "ack":
                        peer.ack_pending = True
                    peer.save()
                    _, again = inbox_checks.acknowledge(sender, contents, now)
                    audit(actor, "sync.import", sender, {"seq": h.seq, "epoch": h.epoch, "records": written,
                                                         "quarantined": len(p.quarantine)}, at=now)
                    inbox_checks.crash_point("before_commit")
            if refusal is not None:
                return self.services.get(Quarantine).reject(actor, parsed, source, refusal.message, now, base,
                                                     freeze=refusal.freeze)
        finally:
            self.db.execute_sql("PRAGMA synchronous = NORMAL")
        inbox_checks.crash_point("after_commit")
        msg = f"共 {len(contents.records) - len(p.quarantine)} 条记录"
        if p.quarantine:
            msg += f"，{len(p.quarantine)} 条记录不符合规则，暂未导入（见同步页的“暂未导入的记录”）"
        if again:
            msg += (f"；对方从备份恢复后缺少本单位此前发给它的 {again} 个同步包，已重新列入待复制，"
                    "请在下次复制到U盘时一并带去")
        if p.rotation is not None:
            msg = "已采用发送单位的新密钥（密钥轮换）"
        elif parsed.header.kind == "ack":
            msg = "已收到对方的确认回执"
        return ImportResult(source, inbox_checks.APPLIED, msg + "。", records=len(contents.records) - len(p.quarantine),
                            quarantined_records=len(p.quarantine), **base)

    def _apply_parked(self, actor: Actor, ring: KeyRing, sender: str) -> list[ImportResult]:
        """Parked bundles that are now next in the chain, in order."""
        out = []
        while True:
            peer = SyncPeer.get(SyncPeer.unit_code == sender)
            row = (SyncInbox.select().where((SyncInbox.sender == sender) & (SyncInbox.state == inbox_checks.PARKED)
                                            & (SyncInbox.epoch == peer.head_epoch) & (SyncInbox.seq == peer.head_seq + 1))
                   .first())
            if row is None:
                return out
            result = self._import_bytes(actor, ring, bytes(row.data), row.source_name or "", chain=False)
            out.append(result)
            if result.outcome != inbox_checks.APPLIED:
                return out
