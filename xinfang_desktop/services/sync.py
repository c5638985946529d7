"""Sync by USB stick (SYNC.md): keys and enrolment, export, copy to a stick, import, city mode.

Permissions (reusing the existing ones): key set-up, enrolment, rotation, revocation, freezing and
epochs need MANAGE_SETTINGS; export, copy and import need REGISTER (the intake staff carry the
stick); 交办 needs ROUTE and 督办 NOTE; reading sync state needs VIEW.

Long operations take plain ``progress(fraction, text)`` and ``cancelled()`` callables; a cancel is
honoured between bundles, never inside one (each bundle is one transaction).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pyrage import x25519

from ..domain.errors import InvalidInput, NotAllowed, NotFound
from ..domain.text import clean_text
from ..file_replace import replace_file
from ..store.models import Case, Setting, Unit
from ..store.models_sync import Instruction, SyncInbox, SyncOutbox, SyncPeer, SyncQuarantine
from ..store.files import FileStore
from ..store.models_trust import SyncHeld
from ..sync.bundle import check_addressed_to, open_bundle, parse_bundle, verify_bundle
from ..sync.errors import BundleError
from ..sync.files import list_bundle_files, read_bundle_file, write_bundle_file
from ..sync.keys import (
    FileKeyStore,
    KeyStoreError,
    PublicIdentity,
    UnlockedKeys,
    export_public,
    generate_keys,
    make_rotation_record,
    raw_public_bytes,
    read_enrolment,
)
from . import key_history, sync_epoch
from . import sync_export as ex
from . import sync_import as im
from .audit import audit
from .cases import find_case
from .permissions import Actor, Permission, require
from .progress import CancelCheck, Cancelled, Progress, never, noop_progress

log = logging.getLogger(__name__)

CITY_CODE = "350881000000"
KEY_FILE = "unit-keys.json"
EPOCH_SETTING = "sync.epoch"
RESTORED_SETTING = "sync_epoch_needed"     # written by services/backup.py after a restore
ESCROW_SETTING = "sync.escrow_recipient"
REMINDER_SETTING = "sync.reminder_days"
DEFAULT_REMINDER_DAYS = 7

SyncCancelled = Cancelled        # cancelled between bundles: those copied are whole


@dataclass(frozen=True)
class KeyRing:
    """Unlocked keys: the current ones and those replaced by rotations (to read bundles still in flight)."""

    current: UnlockedKeys
    previous: tuple[UnlockedKeys, ...] = ()

    def identities(self) -> list[x25519.Identity]:
        return [k.encryption_identity for k in (self.current, *self.previous) if k.encryption_identity is not None]


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


class SyncService:
    def __init__(self, services):
        self.s = services

    # -- identity -------------------------------------------------------------------------
    @property
    def db(self):
        return self.s.db

    @property
    def keys_dir(self) -> Path:
        return Path(self.s.data_dir) / "keys"

    @property
    def key_path(self) -> Path:
        return self.keys_dir / KEY_FILE

    def own_unit(self) -> Unit:
        return self.s.auth.unit()

    def is_city(self) -> bool:
        return self.own_unit().kind == "city"

    def has_keys(self) -> bool:
        return self.key_path.exists()

    def public_identity(self) -> PublicIdentity:
        return FileKeyStore(self.key_path).public()

    def init_keys(self, actor: Actor, passphrase: str) -> PublicIdentity:
        """Generate this unit's keys (a township gets an encryption key too, for the city's bundles)."""
        require(actor, Permission.MANAGE_SETTINGS)
        unit = self.own_unit()
        if self.has_keys():
            raise NotAllowed("本单位已有同步密钥。如需更换，请使用“更换密钥”（xinfang keys rotate）。")
        keys = generate_keys(unit.code, unit.name, unit.kind, encryption=True, created=self.s.clock.today())
        FileKeyStore.create(self.key_path, keys, passphrase, scrypt_log_n=self.s.scrypt_log_n)
        with self.db.atomic():
            key_history.record_key(unit.code, raw_public_bytes(keys.signing_key.public_key()).hex(),
                                   at=self.s.clock.now(), source="own")
            audit(actor, "sync.keys_init", unit.code, {"fingerprint": keys.public().signing_fingerprint},
                  at=self.s.clock.now())
        return keys.public()

    def unlock(self, passphrase: str) -> KeyRing:
        current = FileKeyStore(self.key_path).unlock(passphrase)
        previous = []
        for path in sorted(self.keys_dir.glob("previous-*.json"), reverse=True):
            try:
                previous.append(FileKeyStore(path).unlock(passphrase))
            except KeyStoreError:
                continue   # an old key under another passphrase: skipped, not fatal
        return KeyRing(current, tuple(previous))

    def export_public(self, ring: KeyRing) -> bytes:
        return export_public(ring.current)

    # -- enrolment and the registry ----------------------------------------------------------
    def enrol(self, actor: Actor, data: bytes, fingerprint: str) -> SyncPeer:
        """Enrol another unit after the fingerprint read off its paper form matched its file."""
        require(actor, Permission.MANAGE_SETTINGS)
        identity = read_enrolment(data, fingerprint)
        own = self.own_unit()
        if identity.unit_code == own.code:
            raise InvalidInput("这是本单位自己的登记文件，请选择对方单位的登记文件。", field="file")
        if own.kind == identity.role:
            raise InvalidInput("乡镇只能登记市局，市局只能登记乡镇。请确认登记文件来自哪个单位。", field="file")
        now = self.s.clock.now()
        with self.db.atomic():
            peer = SyncPeer.get_or_none(SyncPeer.unit_code == identity.unit_code)
            key_hex = raw_public_bytes(identity.signing_public_key).hex()
            if peer is not None and not peer.revoked and peer.signing_public_key != key_hex:
                raise NotAllowed(f"{peer.unit_name}已登记了另一把密钥。如确需更换，请先吊销原登记，或导入对方的密钥轮换包。")
            if peer is None:
                peer = SyncPeer(unit_code=identity.unit_code)
            peer.unit_name = identity.unit_name
            peer.role = identity.role
            peer.signing_public_key = key_hex
            peer.fingerprint = identity.signing_fingerprint
            peer.key_id = identity.key_id
            peer.encryption_recipient = identity.encryption_recipient
            peer.enrolled_at = now
            peer.enrolled_by = actor.name
            peer.revoked = False
            peer.save(force_insert=SyncPeer.get_or_none(SyncPeer.unit_code == identity.unit_code) is None)
            Unit.get_or_create(code=identity.unit_code, defaults={"name": identity.unit_name, "kind": identity.role})
            key_history.record_key(identity.unit_code, key_hex, at=now, source="enrolled")
            audit(actor, "sync.enrol", identity.unit_code, {"fingerprint": identity.signing_fingerprint}, at=now)
        return peer

    def revoke(self, actor: Actor, unit_code: str) -> None:
        with self.db.atomic():
            self._peer_flag(actor, unit_code, "sync.revoke", revoked=True)
            key_history.revoked(unit_code, at=self.s.clock.now())   # its receipts dated later are refused

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
        """Let a unit restored from backup start a new epoch instead of reusing seq numbers (see sync_epoch)."""
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
                  at=self.s.clock.now())

    def peer(self, unit_code: str) -> SyncPeer:
        peer = SyncPeer.get_or_none(SyncPeer.unit_code == unit_code)
        if peer is None:
            raise NotFound(f"单位 {unit_code} 尚未登记同步密钥。请先用对方的登记文件和纸质登记表登记。")
        return peer

    def peers(self) -> list[PeerStatus]:
        """The registry (at the city: every township) with heads, gaps and days since the last bundle."""
        today = self.s.clock.today()
        counts = dict(self.db.execute_sql('SELECT unit_code, COUNT(*) FROM "case" GROUP BY unit_code').fetchall())
        unacked = dict(self.db.execute_sql(
            "SELECT recipient, COUNT(*) FROM sync_outbox WHERE acknowledged_at IS NULL GROUP BY recipient").fetchall())
        out = []
        for p in SyncPeer.select().order_by(SyncPeer.unit_code):
            parked = SyncInbox.select().where((SyncInbox.sender == p.unit_code) & (SyncInbox.state == im.PARKED)).count()
            out.append(PeerStatus(
                unit_code=p.unit_code, unit_name=p.unit_name, role=p.role, fingerprint=p.fingerprint,
                enrolled_at=p.enrolled_at, revoked=p.revoked, frozen=p.frozen, frozen_reason=p.frozen_reason,
                head_epoch=p.head_epoch, head_seq=p.head_seq, head_hash=p.head_hash, gaps=im.gaps(p), parked=parked,
                last_bundle_at=p.last_bundle_at,
                days_since_last=(today - p.last_bundle_at.date()).days if p.last_bundle_at else None,
                cases=counts.get(p.unit_code, 0), unacknowledged=unacked.get(p.unit_code, 0),
                allowed_epoch=p.allowed_epoch))
        return out

    # -- export -----------------------------------------------------------------------------
    def epoch(self) -> int:
        row = Setting.get_or_none(Setting.key == EPOCH_SETTING)
        return int(row.value) if row else 1

    def epoch_needed(self) -> bool:
        """This database was restored from a backup (services/backup.py): its seq numbers may have been used."""
        return Setting.get_or_none(Setting.key == RESTORED_SETTING) is not None

    def restored_info(self) -> dict[str, Any] | None:
        """What services/backup.py recorded at the restore (since, backup), or None when no epoch is needed."""
        row = Setting.get_or_none(Setting.key == RESTORED_SETTING)
        if row is None:
            return None
        return row.value if isinstance(row.value, dict) else {}

    def last_case_number(self, unit_code: str) -> str | None:
        """The highest case number of ``unit_code`` held here: the city tells it to a restored township."""
        return sync_epoch.last_case_number(self.db, unit_code)

    def start_epoch(self, actor: Actor, epoch: int, last_number: str | None = None) -> sync_epoch.EpochStarted:
        """After a restore: continue in the new epoch the city authorised, from seq 1, never reusing a seq; with the
        highest case number the city holds of this unit, never hand out a case number again either."""
        require(actor, Permission.MANAGE_SETTINGS)
        if epoch <= self.epoch():
            raise InvalidInput(f"新批次的纪元号必须大于本机当前的第 {self.epoch()} 纪元。请输入市局授权的纪元号"
                               "（市局授权时会告知）。", field="epoch")
        own = self.s.unit_code
        number = sync_epoch.check_own_number(own, last_number) if last_number and last_number.strip() else None
        restored = self.restored_info()
        with self.db.atomic():
            # Rows changed after the restore (or from now on, without one) win over the old epochs' copies.
            if restored is not None and isinstance(restored.get("journal"), int):
                position = restored["journal"]
            elif restored is not None:      # restored by an older version: from the last bundle written
                position = self.db.execute_sql("SELECT COALESCE(MAX(through_change), 0) FROM sync_outbox").fetchone()[0]
            else:
                position = sync_epoch.journal_head(self.db)
            clashes = sync_epoch.advance_counter(self.db, own, number, since=position) if number else []
            Setting.replace(key=sync_epoch.MARK_SETTING, value={"epoch": epoch, "journal": position}).execute()
            Setting.replace(key=EPOCH_SETTING, value=epoch).execute()
            Setting.delete().where(Setting.key == RESTORED_SETTING).execute()
            # Everything this unit owns goes again in the new epoch: the city ignores what it already has.
            self.db.execute_sql("UPDATE sync_outbox SET acknowledged_at = COALESCE(acknowledged_at, ?)",
                                (self.s.clock.now(),))
            audit(actor, "sync.start_epoch", own, {"epoch": epoch, "last_number": number, "clashes": clashes},
                  at=self.s.clock.now())
        return sync_epoch.EpochStarted(epoch, number, clashes)

    def export(self, actor: Actor, ring: KeyRing, *, progress: Progress = noop_progress) -> list[SyncOutbox]:
        """Write to the outbox everything changed since the last bundle to each peer (and pending acks)."""
        require(actor, Permission.REGISTER)
        own = self.own_unit()
        if self.epoch_needed():
            raise NotAllowed("本机数据是从备份恢复的，原来的同步包编号可能已经用过。为防止与已发出的同步包冲突，"
                             "请先电话联系市信访局授权新批次，再在同步页点“开始新批次”输入市局告知的纪元号"
                             "（或运行 xinfang sync start-epoch 纪元号），然后导出。")
        peers = [p for p in SyncPeer.select().where(SyncPeer.revoked == False)  # noqa: E712
                 .order_by(SyncPeer.unit_code)]
        if own.kind == "township":
            peers = [p for p in peers if p.role == "city"]
            if not peers:
                raise NotFound("尚未登记市局的密钥，无法导出。请先在同步页用市局的登记文件和纸质登记表登记市局。")
        escrow_row = Setting.get_or_none(Setting.key == ESCROW_SETTING)
        written: list[SyncOutbox] = []
        epoch = self.epoch()
        for i, peer in enumerate(peers):
            progress(i / max(1, len(peers)), f"正在为{peer.unit_name}生成同步包…")
            now = self.s.clock.now()
            with self.db.atomic():
                peer = SyncPeer.get(SyncPeer.unit_code == peer.unit_code)
                last = ex.last_outbox(peer.unit_code, epoch)
                since = last.through_change if last else 0
                upto = ex.journal_head(self.db)
                if own.kind == "township":
                    records = ex.township_records(self.db, own.code, since, upto)
                    mark = Setting.get_or_none(Setting.key == sync_epoch.MARK_SETTING)
                    sync_epoch.lift_versions(self.db, records, mark.value if mark else None, epoch, since=since)
                else:
                    records = ex.city_records(self.db, own.code, peer.unit_code, since, upto)
                if not records and not peer.ack_pending:
                    continue
                rows = ex.write_bundles(self.db, keys=ring.current, peer=peer, epoch=epoch, records=records,
                                        through=upto, now=now, escrow=escrow_row.value if escrow_row else None,
                                        attachments=self._attachment_store())
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
            SyncOutbox.update(copied_at=self.s.clock.now()).where(SyncOutbox.id == row.id).execute()
        if rows:
            with self.db.atomic():
                audit(actor, "sync.copy", str(folder.name), {"files": [r.file_name for r in rows]},
                      at=self.s.clock.now())
        progress(1.0, "复制完成")
        return paths

    def days_since_export(self) -> int | None:
        """Days since this unit last wrote a bundle, or None when it never did."""
        last = SyncOutbox.select().order_by(SyncOutbox.created_at.desc()).first()
        if last is None:
            return None
        return (self.s.clock.today() - last.created_at.date()).days

    def reminder_days(self) -> int:
        row = Setting.get_or_none(Setting.key == REMINDER_SETTING)
        try:
            return int(row.value) if row else DEFAULT_REMINDER_DAYS
        except (TypeError, ValueError):
            return DEFAULT_REMINDER_DAYS

    def set_reminder_days(self, actor: Actor, days: int) -> int:
        require(actor, Permission.MANAGE_SETTINGS)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
            raise InvalidInput("提醒天数应为 1 到 90 之间的整数。", field="days")
        with self.db.atomic():
            Setting.replace(key=REMINDER_SETTING, value=days).execute()
            audit(actor, "sync.reminder_days", None, {"days": days}, at=self.s.clock.now())
        return days

    def export_reminder(self, days: int | None = None) -> str | None:
        """A line for the workbench when the last export is older than ``days`` (setting sync.reminder_days)."""
        if days is None:
            days = self.reminder_days()
        since = self.days_since_export()
        if since is None:
            if Case.select().where(Case.unit_code == self.s.unit_code).exists():
                return "本单位还从未导出过同步包。请在“同步”页导出并复制到U盘，送交市局。"
            return None
        if since > days:
            return f"距上次导出同步包已 {since} 天（超过 {days} 天）。请在“同步”页导出并复制到U盘，送交市局。"
        return None

    # -- import -----------------------------------------------------------------------------
    def staging_dir(self) -> Path:
        return Path(self.s.data_dir) / "sync-staging"

    def bundle_files_in(self, folder: Path) -> list[Path]:
        """Bundles in a folder of the stick, and in its sub-folder for this unit (where the city puts them)."""
        folder = Path(folder)
        found = list_bundle_files(folder)
        own = folder / self.s.unit_code
        if own.is_dir() and not own.is_symlink():
            found += list_bundle_files(own)
        return found

    def import_folder(self, actor: Actor, ring: KeyRing, folder: Path, **kw: Any) -> list[im.ImportResult]:
        return self.import_files(actor, ring, self.bundle_files_in(folder), **kw)

    def import_files(self, actor: Actor, ring: KeyRing, paths: Iterable[Path], *,
                     progress: Progress = noop_progress, cancelled: CancelCheck = never) -> list[im.ImportResult]:
        """Import each file (its own transaction). Quarantined bundles of senders enrolled since are retried first."""
        require(actor, Permission.REGISTER)
        paths = list(paths)
        results: list[im.ImportResult] = []
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
                      results: list[im.ImportResult], progress: Progress, cancelled: CancelCheck) -> None:
        for i, path in enumerate(paths):
            if cancelled():
                results.append(im.ImportResult(Path(path).name, im.CANCELLED, "已取消：此文件及其后的文件未导入，可稍后重新导入。"))
                break
            progress(i / max(1, len(paths)), f"正在导入 {Path(path).name}（{i + 1}/{len(paths)}）…")
            try:
                staged = read_bundle_file(path, staging)
            except BundleError as exc:
                results.append(im.ImportResult(Path(path).name, im.REJECTED, exc.message))
                continue
            im.crash_point("after_stage")
            try:
                results.append(self._import_bytes(actor, ring, staged.read(), staged.source_name))
            finally:
                staged.path.unlink(missing_ok=True)

    def _import_bytes(self, actor: Actor, ring: KeyRing, data: bytes, source: str, *,
                      chain: bool = True) -> im.ImportResult:
        own = self.own_unit()
        now = self.s.clock.now()
        # 2. parse
        try:
            parsed = parse_bundle(data)
        except BundleError as exc:
            return im.ImportResult(source, im.REJECTED, exc.message)
        h = parsed.header
        base = dict(sender=h.sender.unit, epoch=h.epoch, seq=h.seq, bundle_id=parsed.bundle_id)
        try:
            check_addressed_to(h, own.code)
            if h.recipient.key_id not in unit_key_ids(ring):
                check_addressed_to(h, own.code, ring.current.key_id)
        except BundleError as exc:
            return im.ImportResult(source, im.REJECTED, exc.message, **base)
        # 3. sender's key: unknown → quarantine, never applied
        peer = SyncPeer.get_or_none(SyncPeer.unit_code == h.sender.unit)
        if peer is None:
            return self._quarantine(actor, parsed, source, now, base)
        # 4. signature and envelope hash. A file that fails here is not the sender's: it is reported and
        # leaves no row anywhere (it must not shadow the genuine bundle of the same id, parked or to come).
        try:
            verified = verify_bundle(parsed, im.peer_key(peer), sender_unit=peer.unit_code)
        except BundleError as exc:
            log.warning("bundle %s from %s refused before its signature was verified: %s", source, h.sender.unit,
                        exc.message)
            return im.ImportResult(source, im.REJECTED, exc.message, **base)
        im.crash_point("after_verify")
        # 5. ledger (read-only pre-check: no decryption for replays and parked bundles)
        try:
            decision = im.ledger_decision(peer, parsed)
        except im.Refused as exc:
            return self._reject(actor, parsed, source, exc.message, now, base, freeze=exc.freeze)
        if decision == "already":
            return im.ImportResult(source, im.ALREADY, "数据没有变化。", **base)
        if decision == "parked-already":
            return im.ImportResult(source, im.PARKED, f"该同步包已暂存，仍在等待缺失的同步包（{self._gap_text(peer)}）。", **base)
        if decision == "park":
            return self._park(actor, parsed, source, now, base)
        # 6. decrypt and check the contents
        try:
            contents = open_bundle(verified, ring.identities())
        except BundleError as exc:
            return self._reject(actor, parsed, source, exc.message, now, base)
        im.crash_point("after_decrypt")
        result = self._apply(actor, peer.unit_code, parsed, contents, source, base)
        if result.outcome == im.APPLIED and chain:
            result.also_applied = self._apply_parked(actor, ring, peer.unit_code)
        return result

    def _apply(self, actor: Actor, sender: str, parsed, contents, source: str, base: dict) -> im.ImportResult:
        own = self.own_unit()
        now = self.s.clock.now()
        again = 0                        # our bundles the sender lost to a restore, due again
        self.db.execute_sql("PRAGMA synchronous = FULL")
        try:
            with self.db.atomic():
                peer = SyncPeer.get(SyncPeer.unit_code == sender)
                try:
                    decision = im.ledger_decision(peer, parsed)   # again, under the write lock
                    if decision == "already":
                        return im.ImportResult(source, im.ALREADY, "数据没有变化。", **base)
                    if decision != "apply":
                        raise im.Refused("同步包状态已变化，请重新导入。")
                    p = im.plan(self.db, contents, own_unit=own.code, sender_role=peer.role, sender_unit=sender,
                                attachment_store=self._attachment_store())
                    if p.rotation is not None:
                        im.apply_rotation(peer, p.rotation)
                except im.Refused as exc:
                    refusal = exc
                else:
                    refusal = None
                    written = im.write(self.db, p, bundle_id=parsed.bundle_id, sender=sender, now=now,
                                       cal=self.s.cases.cal, attachment_store=self._attachment_store())
                    h = parsed.header
                    SyncInbox.insert(bundle_id=parsed.bundle_id, sender=sender, epoch=h.epoch, seq=h.seq, kind=h.kind,
                                     prev=h.prev, state=im.APPLIED, reason=None, source_name=source[:200],
                                     record_count=len(contents.records), quarantined_records=len(p.quarantine),
                                     created_at=h.created_at, received_at=now, applied_at=now,
                                     data=None).on_conflict_replace().execute()
                    peer.head_epoch, peer.head_seq, peer.head_hash = h.epoch, h.seq, parsed.bundle_id
                    peer.last_bundle_at = now
                    if h.kind != "ack":
                        peer.ack_pending = True
                    peer.save()
                    _, again = im.acknowledge(sender, contents, now)
                    audit(actor, "sync.import", sender, {"seq": h.seq, "epoch": h.epoch, "records": written,
                                                         "quarantined": len(p.quarantine)}, at=now)
                    im.crash_point("before_commit")
            if refusal is not None:
                return self._reject(actor, parsed, source, refusal.message, now, base, freeze=refusal.freeze)
        finally:
            self.db.execute_sql("PRAGMA synchronous = NORMAL")
        im.crash_point("after_commit")
        msg = f"共 {len(contents.records) - len(p.quarantine)} 条记录"
        if p.quarantine:
            msg += f"，{len(p.quarantine)} 条记录不符合规则已隔离（见同步页的隔离记录）"
        if again:
            msg += (f"；对方从备份恢复后缺少本单位此前发给它的 {again} 个同步包，已重新列入待复制，"
                    "请在下次复制到U盘时一并带去")
        if p.rotation is not None:
            msg = "已采用发送单位的新密钥（密钥轮换）"
        elif parsed.header.kind == "ack":
            msg = "已收到对方的确认回执"
        return im.ImportResult(source, im.APPLIED, msg + "。", records=len(contents.records) - len(p.quarantine),
                               quarantined_records=len(p.quarantine), **base)

    def _apply_parked(self, actor: Actor, ring: KeyRing, sender: str) -> list[im.ImportResult]:
        """Parked bundles that are now next in the chain, in order."""
        out = []
        while True:
            peer = SyncPeer.get(SyncPeer.unit_code == sender)
            row = (SyncInbox.select().where((SyncInbox.sender == sender) & (SyncInbox.state == im.PARKED)
                                            & (SyncInbox.epoch == peer.head_epoch) & (SyncInbox.seq == peer.head_seq + 1))
                   .first())
            if row is None:
                return out
            result = self._import_bytes(actor, ring, bytes(row.data), row.source_name or "", chain=False)
            out.append(result)
            if result.outcome != im.APPLIED:
                return out

    def _attachment_store(self) -> FileStore:
        return FileStore(Path(self.s.data_dir) / "attachments", self.s.data_key)

    def _gap_text(self, peer: SyncPeer) -> str:
        missing = im.gaps(SyncPeer.get(SyncPeer.unit_code == peer.unit_code))
        return "缺第 " + "、".join(str(s) for s in missing[:10]) + " 号" if missing else "缺失情况见同步页"

    def _ledger_row(self, parsed, source: str, state: str, reason: str | None, now: datetime,
                    data: bytes | None) -> None:
        h = parsed.header
        SyncInbox.insert(bundle_id=parsed.bundle_id, sender=h.sender.unit, epoch=h.epoch, seq=h.seq, kind=h.kind,
                         prev=h.prev, state=state, reason=reason, source_name=source[:200], created_at=h.created_at,
                         received_at=now, data=data).on_conflict_replace().execute()

    def _park(self, actor: Actor, parsed, source: str, now: datetime, base: dict) -> im.ImportResult:
        with self.db.atomic():
            self._ledger_row(parsed, source, im.PARKED, "等待缺失的同步包", now, parsed.raw)
            audit(actor, "sync.park", parsed.header.sender.unit, {"seq": parsed.header.seq}, at=now)
        peer = SyncPeer.get(SyncPeer.unit_code == parsed.header.sender.unit)
        return im.ImportResult(source, im.PARKED, f"该同步包已暂存：之前的同步包还没有导入（{self._gap_text(peer)}）。"
                               "请找到并导入缺失的同步包，暂存的包会随之自动导入。", **base)

    def _quarantine(self, actor: Actor, parsed, source: str, now: datetime, base: dict) -> im.ImportResult:
        h = parsed.header
        with self.db.atomic():
            SyncHeld.insert(file_sha256=hashlib.sha256(parsed.raw).hexdigest(), sender=h.sender.unit, epoch=h.epoch,
                            seq=h.seq, bundle_id=parsed.bundle_id, kind=h.kind, source_name=source[:200],
                            created_at=h.created_at, received_at=now, data=parsed.raw).on_conflict_ignore().execute()
            audit(actor, "sync.quarantine", h.sender.unit, {"seq": h.seq}, at=now)
        return im.ImportResult(source, im.QUARANTINED,
                               f"发送单位 {parsed.header.sender.unit} 尚未登记，同步包已隔离，未导入。"
                               "请核对该单位的纸质登记表并登记后，再次导入即可自动处理。", **base)

    def _reject(self, actor: Actor, parsed, source: str, message: str, now: datetime, base: dict,
                *, freeze: bool = False) -> im.ImportResult:
        """A verified bundle refused: recorded in the ledger, unless the ledger already holds this bundle
        applied or parked (a refusal now, e.g. while its sender is frozen, never loses it)."""
        with self.db.atomic():
            existing = SyncInbox.get_or_none(SyncInbox.bundle_id == parsed.bundle_id)
            if existing is None or existing.state == im.REJECTED:
                self._ledger_row(parsed, source, im.REJECTED, message, now, None)
            if freeze:
                SyncPeer.update(frozen=True, frozen_reason="同一编号出现两个不同的同步包").where(
                    SyncPeer.unit_code == parsed.header.sender.unit).execute()
            audit(actor, "sync.reject", parsed.header.sender.unit, {"seq": parsed.header.seq, "freeze": freeze},
                  at=now)
        return im.ImportResult(source, im.REJECTED, message, **base)

    # -- lists for the window -------------------------------------------------------------------
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
            rows.append(BundleRow("received", held.sender, held.epoch, held.seq, held.kind, im.QUARANTINED,
                                  "隔离（未登记）", 0, held.received_at, "发送单位尚未登记", held.bundle_id,
                                  held.source_name))
        for r in SyncInbox.select(SyncInbox.bundle_id, SyncInbox.sender, SyncInbox.epoch, SyncInbox.seq, SyncInbox.kind,
                                  SyncInbox.state, SyncInbox.record_count, SyncInbox.received_at, SyncInbox.reason,
                                  SyncInbox.source_name).order_by(SyncInbox.received_at.desc(), SyncInbox.seq.desc()).limit(limit):
            label = {"applied": "已导入", "parked": "暂存待补", "quarantined": "隔离（未登记）", "rejected": "已拒绝"}[r.state]
            rows.append(BundleRow("received", r.sender, r.epoch, r.seq, r.kind, r.state, label, r.record_count,
                                  r.received_at, r.reason, r.bundle_id, r.source_name))
        return rows

    def unit_names(self) -> dict[str, str]:
        return {u.code: u.name for u in Unit.select(Unit.code, Unit.name)}

    def quarantined_records(self, limit: int = 500) -> list[SyncQuarantine]:
        return list(SyncQuarantine.select().order_by(SyncQuarantine.created_at.desc()).limit(limit))

    def record_state(self, case_id: str) -> str:
        """Sync state of a case for the window: local / exported / acknowledged (own cases), received (others')."""
        case = Case.get_or_none(Case.id == case_id)
        if case is None:
            raise NotFound("找不到该事项。")
        if case.unit_code != self.s.unit_code:
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

    # -- city mode: 交办 and 督办 -------------------------------------------------------------------
    def assign(self, actor: Actor, case_ref: str, to_unit: str, deadline: date, text: str) -> Instruction:
        """交办: the city hands a matter down to a township, with a deadline."""
        require(actor, Permission.ROUTE)
        return self._instruct(actor, "assign", case_ref, to_unit, text, deadline)

    def supervise(self, actor: Actor, case_ref: str, text: str, to_unit: str | None = None) -> Instruction:
        """督办: a supervision note on a township's matter (or one the city assigned)."""
        require(actor, Permission.NOTE)
        return self._instruct(actor, "supervise", case_ref, to_unit, text, None)

    def _instruct(self, actor: Actor, kind: str, case_ref: str, to_unit: str | None, text: str,
                  deadline: date | None) -> Instruction:
        if not self.is_city():
            raise NotAllowed("只有市信访局可以交办或督办。")
        body = clean_text(text, label="内容", field="text", limit=2000, multiline=True)
        if not body:
            raise InvalidInput("请填写交办或督办的内容。", field="text")
        case = find_case(case_ref)
        target = to_unit or (case.unit_code if case.unit_code != actor.unit_code else case.township_code)
        if not target:
            raise InvalidInput("请选择接收的乡镇。", field="to_unit")
        peer = SyncPeer.get_or_none((SyncPeer.unit_code == target) & (SyncPeer.revoked == False))  # noqa: E712
        if peer is None:
            raise InvalidInput(f"乡镇 {target} 尚未登记同步密钥，无法交办督办。请先登记该乡镇。", field="to_unit")
        if kind == "assign":
            if case.unit_code != actor.unit_code:
                raise InvalidInput("只能交办本局登记的事项；乡镇自己的事项请用督办。", field="case")
            if deadline is None or deadline < self.s.clock.today():
                raise InvalidInput("请填写不早于今天的办理期限。", field="deadline")
        now = self.s.clock.now()
        with self.db.atomic():
            ins = Instruction.create(unit_code=actor.unit_code, to_unit=target, kind=kind, case_id=case.id,
                                     case_number=case.number, text=body, deadline=deadline, created_by=actor.name,
                                     created_at=now, updated_at=now)
            audit(actor, f"sync.{kind}", case.id, {"to": target, "number": case.number}, at=now)
        return ins

    def instructions(self, actor: Actor, *, to_unit: str | None = None) -> list[Instruction]:
        """The queue: at a township, what the city sent it; at the city, what it sent."""
        require(actor, Permission.VIEW)
        q = Instruction.select().order_by(Instruction.created_at.desc())
        if not self.is_city():
            q = q.where(Instruction.to_unit == self.s.unit_code)
        elif to_unit:
            q = q.where(Instruction.to_unit == to_unit)
        return list(q)

    # -- key rotation --------------------------------------------------------------------------
    def rotate(self, actor: Actor, ring: KeyRing, passphrase: str) -> PublicIdentity:
        """New keys; a key-rotation bundle signed by the old key goes to every peer; the old key is kept to read
        bundles already on their way."""
        require(actor, Permission.MANAGE_SETTINGS)
        old = ring.current
        new = generate_keys(old.unit_code, old.unit_name, old.role, encryption=True, created=self.s.clock.today())
        record = make_rotation_record(old, new, created=self.s.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"))
        staged = self.keys_dir / f"new-{new.key_id}.json"
        # The replaced keys stay readable (bundles already on their way) under the new passphrase, which
        # unlock() tries on every previous key: under the old one they would be skipped.
        kept = [(self.keys_dir / f"previous-{k.key_id}.json.new", self.keys_dir / f"previous-{k.key_id}.json", k)
                for k in (old, *ring.previous)]
        written: list[Path] = []
        now = self.s.clock.now()
        try:
            for fresh, _, k in kept:
                fresh.unlink(missing_ok=True)
                FileKeyStore.create(fresh, k, passphrase, scrypt_log_n=self.s.scrypt_log_n)
                written.append(fresh)
            FileKeyStore.create(staged, new, passphrase, scrypt_log_n=self.s.scrypt_log_n)
            written.append(staged)
            with self.db.atomic():
                for peer in SyncPeer.select().where(SyncPeer.revoked == False):  # noqa: E712
                    ex.write_bundles(self.db, keys=old, peer=peer, epoch=self.epoch(), records=[record],
                                     through=ex.last_outbox(peer.unit_code, self.epoch()).through_change
                                     if ex.last_outbox(peer.unit_code, self.epoch()) else 0,
                                     now=now, kind="key-rotation")
                key_history.rotated(old.unit_code, raw_public_bytes(old.signing_key.public_key()).hex(),
                                    raw_public_bytes(new.signing_key.public_key()).hex(), at=now, source="own")
                audit(actor, "sync.rotate", old.unit_code, {"old": old.key_id, "new": new.key_id}, at=now)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        for fresh, target, _ in kept:
            replace_file(fresh, target)
        replace_file(staged, self.key_path)
        return new.public()

    # -- status ------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        own = self.own_unit()
        identity = self.public_identity() if self.has_keys() else None
        counts = dict(self.db.execute_sql("SELECT state, COUNT(*) FROM sync_inbox GROUP BY state").fetchall())
        return {
            "unit": own.code, "unit_name": own.name, "role": own.kind, "epoch": self.epoch(),
            "fingerprint": identity.signing_fingerprint if identity else None,
            "encryption_fingerprint": identity.encryption_fingerprint if identity else None,
            "days_since_export": self.days_since_export(),
            "outbox": {"total": SyncOutbox.select().count(), "unacknowledged": len(self.pending_copies())},
            "inbox": {**{k: counts.get(k, 0) for k in (im.APPLIED, im.PARKED, im.REJECTED)},
                      im.QUARANTINED: SyncHeld.select().count()},
            "quarantined_records": SyncQuarantine.select().count(),
            "peers": [{
                "unit": p.unit_code, "name": p.unit_name, "role": p.role, "fingerprint": p.fingerprint,
                "epoch": p.head_epoch, "head": p.head_seq, "gaps": p.gaps, "parked": p.parked, "frozen": p.frozen,
                "revoked": p.revoked, "last_bundle_at": p.last_bundle_at, "days_since_last": p.days_since_last,
                "cases": p.cases, "unacknowledged": p.unacknowledged,
            } for p in self.peers()],
        }


def unit_key_ids(ring: KeyRing) -> Sequence[str]:
    return [ring.current.key_id, *(k.key_id for k in ring.previous)]
