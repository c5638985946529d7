"""Import: the checks of SYNC.md in their order, then one transaction per bundle.

1. staging copy (files.read_bundle_file)   2. parse   3. sender's key (unknown → quarantine)
4. signature and envelope hash   5. ledger   6. decrypt, manifest, ownership, business rules
7. apply in one BEGIN IMMEDIATE transaction with synchronous=FULL; then parked bundles now next.

The ledger decision of step 5 is taken again inside the transaction, so two processes importing
the same stick queue on the write lock and the second one sees "already applied".
"""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..domain import workflow as wf
from ..store import ownership, search
from ..store.files import FileStore
from ..store.models import Unit, self_unit_code
from ..store.models_sync import SyncInbox, SyncOutbox, SyncPeer, SyncQuarantine
from ..sync.bundle import (
    GENESIS,
    DEFAULT_LIMITS,
    BundleContents,
    Limits,
    ParsedBundle,
    check_addressed_to,
    open_bundle,
    parse_bundle,
    verify_bundle,
)
from ..sync.errors import BundleError
from ..sync.keys import RotationError, raw_public_bytes, signing_fingerprint, verify_rotation_record
from . import attachments as att
from . import key_history
from . import sync_records as rec
from .cases import cached_values, refold_cases

APPLIED, ALREADY, PARKED, QUARANTINED, REJECTED = "applied", "already", "parked", "quarantined", "rejected"
CANCELLED = "cancelled"
OUTCOME_LABELS = {APPLIED: "已导入", ALREADY: "已导入过（未重复导入）", PARKED: "暂存（等待缺失的同步包）",
                  QUARANTINED: "隔离（发送单位未登记）", REJECTED: "拒绝",
                  CANCELLED: "已取消"}
CRASH_ENV = "XINFANG_SYNC_CRASH_AT"   # test hook: kill -9 this process at a named step
_CHUNK = 500


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


# --------------------------------------------------------------------------- step 6


@dataclass
class Plan:
    inserts: dict[str, list[rec.Decoded]]
    updates: dict[str, list[rec.Decoded]]
    quarantine: list[tuple[dict[str, Any], str, str | None, str]]   # record, type, id, reason
    rotation: Any = None
    files: dict[str, bytes] = field(default_factory=dict)           # attachment files to store: sha256 -> bytes


def _existing(db, tag: str, ids: Sequence[str]) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    table = rec.TABLES[tag]
    has_version = any(c.name == "version" for c in rec.COLUMNS[tag])
    col = "version" if has_version else "1"
    for i in range(0, len(ids), _CHUNK):
        part = ids[i:i + _CHUNK]
        marks = ",".join("?" for _ in part)
        for rid, unit, version in db.execute_sql(
                f'SELECT id, unit_code, {col} FROM "{table}" WHERE id IN ({marks})', tuple(part)).fetchall():
            out[rid] = (unit, version)
    return out


def _owners(db, table: str, ids: set[str]) -> dict[str, str]:
    """id -> owning unit of the rows of ``table`` among ``ids``."""
    found: dict[str, str] = {}
    items = sorted(ids)
    for i in range(0, len(items), _CHUNK):
        part = items[i:i + _CHUNK]
        marks = ",".join("?" for _ in part)
        found.update(db.execute_sql(
            f'SELECT id, unit_code FROM "{table}" WHERE id IN ({marks})', tuple(part)).fetchall())
    return found


def plan(db, contents: BundleContents, *, own_unit: str, sender_role: str, sender_unit: str,
         attachment_store: AttachmentStore | None = None) -> Plan:
    """Decide what each record does. Raises Refused for a record owned by another unit (whole bundle)."""
    p = Plan(inserts={t: [] for t in rec.TYPES}, updates={t: [] for t in rec.TYPES}, quarantine=[])
    if contents.header.kind == "key-rotation":
        if len(contents.records) != 1:
            raise Refused("密钥轮换包应只含一条轮换记录，已拒绝。请联系发送单位重新生成。")
        p.rotation = contents.records[0]
        return p
    decoded: dict[str, list[rec.Decoded]] = {t: [] for t in rec.TYPES}
    for r in contents.records:
        owner = r.get("unit_code")
        if isinstance(owner, str) and owner != sender_unit:
            raise Refused(f"同步包中有属于其他单位（{owner[:32]}）的记录，{sender_unit} 无权修改，整个包已拒绝。"
                          "请勿导入，并联系发送单位核实。")
        try:
            d = rec.decode(r)
        except rec.RecordProblem as exc:
            tag = r.get("t") if isinstance(r.get("t"), str) else "?"
            rid = r.get("id") if isinstance(r.get("id"), str) else None
            p.quarantine.append((r, tag[:40], rid and rid[:64], exc.reason))
            continue
        decoded[d.tag].append(d)
    _check_ownership(db, decoded, own_unit=own_unit, sender_unit=sender_unit, sender_is_city=sender_role == "city")
    # Rows of this bundle that passed, with their owner (the sender): children may point at them.
    valid: dict[str, dict[str, str]] = {t: {} for t in rec.TYPES}
    for tag in rec.TYPES:
        items = decoded[tag]
        if not items:
            continue
        existing = _existing(db, tag, [d.id for d in items])
        for d in items:
            if d.id in existing and existing[d.id][0] != d.unit_code:
                raise Refused(f"同步包中的记录 {d.id} 在本机属于 {existing[d.id][0]}，{sender_unit} 无权修改，整个包已拒绝。"
                              "请勿导入，并联系发送单位核实。")
        parents: dict[str, dict[str, str]] = {}
        for column, parent, _nullable in rec.REFS.get(tag, ()):
            wanted = {d.values[column] for d in items if d.values[column] is not None} - set(valid[parent])
            parents.setdefault(parent, dict(valid[parent])).update(_owners(db, rec.TABLES[parent], wanted))
        numbers_taken: set[str] = set()
        if tag == "case":
            taken = {r[0]: r[1] for part in _chunked([d.values["number"] for d in items]) for r in db.execute_sql(
                f'SELECT number, id FROM "case" WHERE number IN ({",".join("?" for _ in part)})', tuple(part))}
            numbers_taken = {n for n, cid in taken.items() if all(d.id != cid for d in items if d.values["number"] == n)}
        corrected: set[str] = set()
        if tag == "mediation_session":
            wanted = {d.values["corrects"] for d in items if d.values["corrects"]}
            corrected = {d.id for d in items} | set(_owners(db, "mediation_session", wanted))
        linked = _linked_files(db, items) if tag == "attachment" else {}
        for d in items:
            reason = _reference_problem(tag, d, parents)
            if reason is None and tag == "case" and d.values["number"] in numbers_taken:
                reason = f"事项编号 {d.values['number']} 已被本机另一事项使用"
            elif reason is None and tag == "mediation_session" and d.values["corrects"] and \
                    d.values["corrects"] not in corrected:
                reason = "所更正的调解记录不存在"
            elif reason is None and tag == "attachment":
                reason = _attachment_problem(d, contents.attachments, attachment_store, linked, p.files)
            if reason:
                p.quarantine.append((d.record, tag, d.id, reason))
                continue
            valid[tag][d.id] = d.unit_code
            if d.id not in existing:
                p.inserts[tag].append(d)
            elif tag not in rec.ENTRY_TYPES and d.values["version"] > existing[d.id][1]:
                p.updates[tag].append(d)
    return p


def _check_ownership(db, decoded: Mapping[str, list[rec.Decoded]], *, own_unit: str, sender_unit: str,
                     sender_is_city: bool) -> None:
    """The ownership rule (store/ownership.py) over every row of the bundle, before anything is planned:
    one row that breaks it refuses the whole bundle, naming the table, the row and the owning unit."""
    facts = ownership.BulkFacts()
    wanted: dict[str, set[str]] = {}
    for tag, items in decoded.items():
        links = ownership.LINKS.get(tag, ())
        if tag in ownership.PARENTS or tag == "case_party":
            for d in items:
                facts.add_row(tag, d.id, d.record)
        if not links:
            continue
        for d in items:
            for link in links:
                raw = d.record.get(link.column)
                ids = (raw or []) if link.many else ([] if raw is None else [raw])
                wanted.setdefault(link.parent, set()).update(i for i in ids if isinstance(i, str))
    facts.load(db, wanted)
    # 交办 arriving with the rows (the city's bundle to a township): written by the case's owner only.
    for d in decoded.get("instruction", ()):
        if d.values["kind"] == "assign" and d.values["case_id"] and \
                facts.owner("case", d.values["case_id"]) == d.unit_code:
            facts.add_assignment(d.values["case_id"], d.values["to_unit"])
    for tag, items in decoded.items():
        if not ownership.LINKS.get(tag):
            continue                      # rows that hang on nothing: their own unit_code was checked
        for d in items:
            found = ownership.breach(tag, d.id, d.record, sender_unit, facts, writer_is_city=sender_is_city,
                                     recipient=own_unit)
            if found is not None:
                names = {u.code: u.name for u in Unit.select(Unit.code, Unit.name)}
                raise Refused(ownership.import_message(found, names))


def _reference_problem(tag: str, d: rec.Decoded, parents: dict[str, dict[str, str]]) -> str | None:
    for column, parent, _nullable in rec.REFS.get(tag, ()):
        ref = d.values[column]
        if ref is not None and parents[parent].get(ref) is None:
            return f"{rec.PARENT_LABELS[parent]}不存在（可能未随包发送或已被隔离）"
    return None


def _linked_files(db, items: list[rec.Decoded]) -> dict[tuple[str, str], str]:
    """(case id, sha256) -> attachment id already linked here (one file once per case)."""
    out: dict[tuple[str, str], str] = {}
    for part in _chunked(sorted({d.values["case_id"] for d in items})):
        marks = ",".join("?" for _ in part)
        for aid, cid, sha in db.execute_sql(
                f"SELECT id, case_id, sha256 FROM attachment WHERE case_id IN ({marks})", tuple(part)).fetchall():
            out[(cid, sha)] = aid
    return out


def _attachment_problem(d: rec.Decoded, carried: Mapping[str, bytes], store: AttachmentStore | None,
                        linked: dict[tuple[str, str], str], files: dict[str, bytes]) -> str | None:
    """The file of an attachment row must come with the bundle or already be in this unit's store."""
    sha, key = d.values["sha256"], (d.values["case_id"], d.values["sha256"])
    if linked.get(key, d.id) != d.id:
        return "该事项已有内容相同的另一附件"
    linked[key] = d.id
    content = carried.get(sha)
    if content is not None:
        if len(content) != d.values["size"]:
            return "附件大小与随包文件不符"
        if att.sniff_kind(content[:16]) != d.values["kind"]:
            return "附件类型与随包文件内容不符"
        files[sha] = content
        return None
    if store is not None and (sha in files or store.has(sha)):
        return None
    return "附件文件缺失：同步包中没有该文件，本机也没有（发送单位电脑上的该文件可能已丢失）。请联系发送单位核对该事项的附件"


# This unit's attachment files: store/files.FileStore (encrypted, by content hash).
AttachmentStore = FileStore


def _chunked(items: list[str]):
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


# --------------------------------------------------------------------------- step 7


def write(db, p: Plan, *, bundle_id: str, sender: str, now: datetime, cal,
          attachment_store: AttachmentStore | None = None) -> int:
    """The database writes of one bundle (inside the caller's transaction). Returns rows written.

    Attachment files are stored first, so a row is only ever written once its file is on disk; if the
    writes then fail, the files this call created are removed again (a kill -9 leaves at most an unlinked
    file under its hash, which the re-run finds and keeps)."""
    created: list[str] = []
    try:
        if p.files:
            if attachment_store is None:
                raise Refused("本机没有附件目录，无法保存随包附件。")
            for sha, content in sorted(p.files.items()):
                if attachment_store.put(sha, content):
                    created.append(sha)
            crash_point("after_files")
        return _write_rows(db, p, bundle_id=bundle_id, sender=sender, now=now, cal=cal)
    except BaseException:
        if attachment_store is not None:
            attachment_store.remove(created)
        raise


def _write_rows(db, p: Plan, *, bundle_id: str, sender: str, now: datetime, cal) -> int:
    conn = db.connection()
    written = 0
    here = self_unit_code(db)
    next_sid = (db.execute_sql('SELECT COALESCE(MAX(sid), 0) FROM "case"').fetchone()[0]) + 1
    # A case new here has no events here yet: all it has come in this bundle. Its cached state is folded
    # from them before it is written, so the row goes in once, complete (no read-back, no second write).
    fresh_events: dict[str, list[wf.Event]] = {d.id: [] for d in p.inserts["case"]}
    for d in p.inserts["case_event"]:
        events = fresh_events.get(d.values["case_id"])
        if events is not None:
            events.append(wf.Event(d.id, wf.EventKind(d.values["kind"]), datetime.fromisoformat(d.values["occurred_at"]),
                                   d.record["data"]))
    for tag in rec.TYPES:
        ins = p.inserts[tag]
        if ins:
            if tag == "case":
                params = []
                for d in ins:
                    cached = cached_values(wf.fold(fresh_events[d.id], cal), here)
                    params.append(rec.insert_params(d, next_sid, cached))
                    next_sid += 1
            else:
                params = [rec.insert_params(d) for d in ins]
            conn.executemany(rec.insert_sql(tag), params)
            written += len(ins)
        ups = p.updates[tag]
        if ups:
            conn.executemany(rec.update_sql(tag), [rec.update_params(d) for d in ups])
            written += len(ups)
    # The search document holds the case's number, query code and request and its people; the state
    # fold depends on the case row and its events. Each is redone only for the cases it concerns.
    new_cases = {d.id for d in p.inserts["case"]}
    changed_cases = new_cases | {d.id for d in p.updates["case"]}
    to_index = changed_cases | {d.values["case_id"] for d in p.inserts["case_party"] + p.updates["case_party"]}
    to_index |= _cases_of_people(db, [d.id for d in p.updates["person"]])
    to_refold = (changed_cases | {d.values["case_id"] for d in p.inserts["case_event"]}) - new_cases
    crash_point("mid_apply")
    for record, tag, rid, reason in p.quarantine:
        SyncQuarantine.create(bundle_id=bundle_id, sender=sender, record_type=tag, record_id=rid, reason=reason,
                              record=record, created_at=now)
    if to_index:
        _reindex(db, to_index, fresh=new_cases)
    if to_refold:
        # Every cached column of every other touched case (status, deadlines, statistics and board facts)
        # is derived here from the events now present: the sender's copies of its own columns cannot
        # know this database's other events, and the local columns never travel.
        refold_cases(db, to_refold, cal, here)
    return written


def _cases_of_people(db, person_ids: list[str]) -> set[str]:
    """Cases a changed person is party to (their search documents name the person)."""
    found: set[str] = set()
    for part in _chunked(sorted(person_ids)):
        marks = ",".join("?" for _ in part)
        found.update(r[0] for r in db.execute_sql(
            f"SELECT DISTINCT case_id FROM case_party WHERE person_id IN ({marks})", tuple(part)).fetchall())
    return found


def _reindex(db, case_ids: set[str], *, fresh: set[str] = frozenset()) -> None:
    """Index imported cases under their local sid (the search table is per database). ``fresh``: cases
    inserted by this bundle, under a new sid with nothing indexed yet (no delete needed)."""
    conn = db.connection()
    items = sorted(case_ids)
    for part in _chunked(items):
        marks = ",".join("?" for _ in part)
        cases = {r[0]: r for r in conn.execute(
            f'SELECT id, sid, number, query_code, request FROM "case" WHERE id IN ({marks})', part).fetchall()}
        people: dict[str, list[tuple]] = {cid: [] for cid in cases}
        for cid, name, idn, phone in conn.execute(
                f"SELECT cp.case_id, p.name, p.id_number, p.phone FROM case_party cp JOIN person p ON p.id = cp.person_id "
                f"WHERE cp.case_id IN ({marks}) ORDER BY cp.case_id, cp.position", part).fetchall():
            people.setdefault(cid, []).append((name, idn, phone))
        sids = [(cases[c][1],) for c in cases if c not in fresh]
        if sids:
            search.drop_rows(db, [s for (s,) in sids])
        rows = []
        for cid, (_, sid, number, qcode, request) in cases.items():
            ps = people.get(cid, [])
            rows.append((sid, search.document_tokens(search.SearchDoc(
                names=[x[0] for x in ps], id_numbers=[x[1] for x in ps if x[1]], phones=[x[2] for x in ps if x[2]],
                case_number=number, query_code=qcode, request=request))))
        search.index_rows(db, rows)


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


__all__ = ["ImportResult", "BundleError", "ledger_decision", "plan", "write", "acknowledge", "gaps", "crash_point",
           "check_addressed_to", "open_bundle", "verify_bundle"]
