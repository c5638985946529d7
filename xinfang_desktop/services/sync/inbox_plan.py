"""Step 6 of an import: what each record of an opened bundle does here (insert, update, quarantine), and
the refusals of the whole bundle (a row owned by another unit, a rotation bundle with other records).

Owns the plan and the ownership, reference and attachment checks against this database. Does not
own the shape of a record (record_checks.py), the ledger (inbox_checks.py) or the writes (inbox_write.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...store import ownership
from ...store.files import FileStore
from ...store.keyed import rows_in
from ...store.models import Unit
from ...sync.bundle import (
    BundleContents,
)
from .. import attachments
from . import record_checks, records
from .inbox_checks import Refused


@dataclass
class Plan:
    inserts: dict[str, list[records.Decoded]]
    updates: dict[str, list[records.Decoded]]
    quarantine: list[tuple[dict[str, Any], str, str | None, str]]   # record, type, id, reason
    rotation: Any = None
    files: dict[str, bytes] = field(default_factory=dict)           # attachment files to store: sha256 -> bytes


def _existing(db, tag: str, ids: Sequence[str]) -> dict[str, tuple[str, int]]:
    table = records.TABLES[tag]
    has_version = any(c.name == "version" for c in records.COLUMNS[tag])
    col = "version" if has_version else "1"
    return {rid: (unit, version) for rid, unit, version in rows_in(db, f'SELECT id, unit_code, {col} FROM "{table}"',
                                                                   "id", ids)}


def _owners(db, table: str, ids: set[str]) -> dict[str, str]:
    """id -> owning unit of the rows of ``table`` among ``ids``."""
    return dict(rows_in(db, f'SELECT id, unit_code FROM "{table}"', "id", sorted(ids)))


def plan(db, contents: BundleContents, *, own_unit: str, sender_role: str, sender_unit: str,
         attachment_store: AttachmentStore | None = None) -> Plan:
    """Decide what each record does. Raises Refused for a record owned by another unit (whole bundle)."""
    p = Plan(inserts={t: [] for t in records.TYPES}, updates={t: [] for t in records.TYPES}, quarantine=[])
    if contents.header.kind == "key-rotation":
        if len(contents.records) != 1:
            raise Refused("密钥轮换包应只含一条轮换记录，已拒绝。请联系发送单位重新生成。")
        p.rotation = contents.records[0]
        return p
    decoded: dict[str, list[records.Decoded]] = {t: [] for t in records.TYPES}
    for r in contents.records:
        owner = r.get("unit_code")
        if isinstance(owner, str) and owner != sender_unit:
            raise Refused(f"同步包中有属于其他单位（{owner[:32]}）的记录，{sender_unit} 无权修改，整个包已拒绝。"
                          "请勿导入，并联系发送单位核实。")
        try:
            d = record_checks.decode(r)
        except record_checks.RecordProblem as exc:
            tag = r.get("t") if isinstance(r.get("t"), str) else "?"
            rid = r.get("id") if isinstance(r.get("id"), str) else None
            p.quarantine.append((r, tag[:40], rid and rid[:64], exc.reason))
            continue
        decoded[d.tag].append(d)
    _check_ownership(db, decoded, own_unit=own_unit, sender_unit=sender_unit, sender_is_city=sender_role == "city")
    # Rows of this bundle that passed, with their owner (the sender): children may point at them.
    valid: dict[str, dict[str, str]] = {t: {} for t in records.TYPES}
    for tag in records.TYPES:
        items = decoded[tag]
        if not items:
            continue
        existing = _existing(db, tag, [d.id for d in items])
        for d in items:
            if d.id in existing and existing[d.id][0] != d.unit_code:
                raise Refused(f"同步包中的记录 {d.id} 在本机属于 {existing[d.id][0]}，{sender_unit} 无权修改，整个包已拒绝。"
                              "请勿导入，并联系发送单位核实。")
        parents: dict[str, dict[str, str]] = {}
        for column, parent, _nullable in records.REFS.get(tag, ()):
            wanted = {d.values[column] for d in items if d.values[column] is not None} - set(valid[parent])
            parents.setdefault(parent, dict(valid[parent])).update(_owners(db, records.TABLES[parent], wanted))
        numbers_taken: set[str] = set()
        if tag == "case":
            taken = dict(rows_in(db, 'SELECT number, id FROM "case"', "number", [d.values["number"] for d in items]))
            numbers_taken = {n for n, cid in taken.items() if all(d.id != cid for d in items if d.values["number"] == n)}
        corrected: set[str] = set()
        if tag in records.CORRECTABLE:
            wanted = {d.values["corrects"] for d in items if d.values["corrects"]}
            corrected = {d.id for d in items} | set(_owners(db, records.TABLES[tag], wanted))
        linked = _linked_files(db, items) if tag == "attachment" else {}
        for d in items:
            reason = _reference_problem(tag, d, parents)
            if reason is None and tag == "case" and d.values["number"] in numbers_taken:
                reason = f"事项编号 {d.values['number']} 已被本机另一事项使用"
            elif reason is None and tag in records.CORRECTABLE and d.values["corrects"] and \
                    d.values["corrects"] not in corrected:
                reason = f"所更正的{records.CORRECTABLE[tag]}不存在"
            elif reason is None and tag == "attachment":
                reason = _attachment_problem(d, contents.attachments, attachment_store, linked, p.files)
            if reason:
                p.quarantine.append((d.record, tag, d.id, reason))
                continue
            valid[tag][d.id] = d.unit_code
            if d.id not in existing:
                p.inserts[tag].append(d)
            elif tag not in records.ENTRY_TYPES and d.values["version"] > existing[d.id][1]:
                p.updates[tag].append(d)
    return p


def _check_ownership(db, decoded: Mapping[str, list[records.Decoded]], *, own_unit: str, sender_unit: str,
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


def _reference_problem(tag: str, d: records.Decoded, parents: dict[str, dict[str, str]]) -> str | None:
    for column, parent, _nullable in records.REFS.get(tag, ()):
        ref = d.values[column]
        if ref is not None and parents[parent].get(ref) is None:
            return f"{records.PARENT_LABELS[parent]}不存在（可能未随包发送或已被隔离）"
    return None


def _linked_files(db, items: list[records.Decoded]) -> dict[tuple[str, str], str]:
    """(case id, sha256) -> attachment id already linked here (one file once per case)."""
    return {(cid, sha): aid for aid, cid, sha in rows_in(db, "SELECT id, case_id, sha256 FROM attachment", "case_id",
                                                         sorted({d.values["case_id"] for d in items}))}


def _attachment_problem(d: records.Decoded, carried: Mapping[str, bytes], store: AttachmentStore | None,
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
        if attachments.sniff_kind(content[:16]) != d.values["kind"]:
            return "附件类型与随包文件内容不符"
        files[sha] = content
        return None
    if store is not None and (sha in files or store.has(sha)):
        return None
    return "附件文件缺失：同步包中没有该文件，本机也没有（发送单位电脑上的该文件可能已丢失）。请联系发送单位核对该事项的附件"


# This unit's attachment files: store/files.FileStore (encrypted, by content hash).
AttachmentStore = FileStore


