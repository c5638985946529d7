"""Export: everything this unit changed since its last bundle to a peer, written to the outbox.

The outbox row and its seq are written in the same transaction that reads the change journal, so
one seq never gets two different bundles and a crash leaves either the whole bundle or nothing.

Owns the reading of the change journal for a peer, the split into bundles within the limits and the
outbox rows. Does not own who gets bundles or when (outbox.py) or the bundle format (package sync/).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ...store.files import DamagedFile, FileStore
from ...store.migrations import SCHEMA_VERSION
from ...store.models_sync import SyncOutbox, SyncPeer
from ...sync.bundle import (
    DEFAULT_LIMITS,
    GENESIS,
    BundleRef,
    Limits,
    Party,
    build_bundle,
    bundle_file_name,
    new_header,
)
from ...sync.keys import UnlockedKeys
from .records import TABLES, TYPES, row_encoder, select_sql

MAX_RECORDS_PER_BUNDLE = 200_000
# Attachment bytes per bundle: well under the 512 MiB envelope, so records and files always fit.
ATTACHMENT_BYTES_PER_BUNDLE = 256 * 1024 * 1024
LIMITS: Limits = DEFAULT_LIMITS      # the limits bundles are built under (lowered in tests)
_CHUNK = 500


def last_outbox(recipient: str, epoch: int) -> SyncOutbox | None:
    return (SyncOutbox.select().where((SyncOutbox.recipient == recipient) & (SyncOutbox.epoch == epoch))
            .order_by(SyncOutbox.seq.desc()).first())


def journal_head(db) -> int:
    return db.execute_sql("SELECT COALESCE(MAX(seq), 0) FROM sync_change").fetchone()[0]


def _fetch(db, tag: str, where: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    encode = row_encoder(tag)
    sql = f"{select_sql(tag)} WHERE {where} ORDER BY \"id\""
    return [encode(r) for r in db.execute_sql(sql, tuple(params)).fetchall()]


def _changed(tag: str) -> str:
    return f"\"id\" IN (SELECT row_id FROM sync_change WHERE tbl = '{TABLES[tag]}' AND seq > ? AND seq <= ?)"


def township_records(db, own: str, since: int, upto: int) -> list[dict[str, Any]]:
    """Every row of this unit changed in the journal window (the city's copy of a township)."""
    out: list[dict[str, Any]] = []
    for tag in TYPES:
        if tag != "instruction":
            out += _fetch(db, tag, f"{_changed(tag)} AND unit_code = ?", (since, upto, own))
    return out


def city_records(db, own: str, township: str, since: int, upto: int) -> list[dict[str, Any]]:
    """What the city sends one township: its instructions and the city's cases they concern."""
    instructions = _fetch(db, "instruction", f"{_changed('instruction')} AND unit_code = ? AND to_unit = ?",
                          (since, upto, own, township))
    new_cases = {i["case_id"] for i in instructions if i["case_id"]}
    all_cases = {r[0] for r in db.execute_sql(
        "SELECT DISTINCT i.case_id FROM instruction i JOIN \"case\" c ON c.id = i.case_id "
        "WHERE i.to_unit = ? AND i.unit_code = ? AND c.unit_code = ?", (township, own, own)).fetchall()}
    new_cases &= all_cases
    old_cases = all_cases - new_cases
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []

    def add(records: list[dict[str, Any]]) -> None:
        for r in records:
            key = (r["t"], r["id"])
            if key not in seen:
                seen.add(key)
                out.append(r)

    def chunks(ids: set[str]):
        items = sorted(ids)
        for i in range(0, len(items), _CHUNK):
            part = items[i:i + _CHUNK]
            yield part, ",".join("?" for _ in part)

    for scope, window in ((new_cases, False), (old_cases, True)):
        def cond(tag: str) -> tuple[str, tuple]:
            return (_changed(tag) + " AND ", (since, upto)) if window else ("", ())

        for part, marks in chunks(scope):
            w, p = cond("person")
            persons = _fetch(db, "person", f"{w}unit_code = ? AND \"id\" IN "
                             f"(SELECT person_id FROM case_party WHERE case_id IN ({marks}))", (*p, own, *part))
            w, p = cond("case")
            cases = _fetch(db, "case", f"{w}unit_code = ? AND \"id\" IN ({marks})", (*p, own, *part))
            w, p = cond("case_party")
            parties = _fetch(db, "case_party", f"{w}unit_code = ? AND case_id IN ({marks})", (*p, own, *part))
            w, p = cond("case_event")
            events = _fetch(db, "case_event", f"{w}unit_code = ? AND case_id IN ({marks})", (*p, own, *part))
            # The scanned letter of a matter assigned down travels with it.
            w, p = cond("attachment")
            files = _fetch(db, "attachment", f"{w}unit_code = ? AND case_id IN ({marks})", (*p, own, *part))
            add(persons + cases + parties + events + files)
    # The city's 复查/复核 records on the township's own matters (it is their superior) go back to it.
    add(_fetch(db, "case_event", f"{_changed('case_event')} AND unit_code = ? AND case_id IN "
               "(SELECT id FROM \"case\" WHERE unit_code = ?)", (since, upto, own, township)))
    # Parents first: the importer checks references within the bundle.
    order = {tag: i for i, tag in enumerate(TYPES)}
    body = sorted(out, key=lambda r: order[r["t"]])
    return body + instructions


def split(records: list[dict[str, Any]], limits: Limits = DEFAULT_LIMITS,
          max_records: int = MAX_RECORDS_PER_BUNDLE) -> list[tuple[list[dict[str, Any]], list[str]]]:
    """Records cut into bundles that respect the bundle limits: (records, attachment hashes) per bundle.

    A file goes with the first record that needs it in each bundle (once, even if linked twice); a new
    bundle starts when the records, the number of files or their bytes would pass the limits. Parents
    come before children in ``records``, so a later bundle only refers back to earlier ones."""
    byte_budget = min(ATTACHMENT_BYTES_PER_BUNDLE, limits.max_plaintext // 2)
    max_records = min(max_records, limits.max_record_count)
    parts: list[tuple[list[dict[str, Any]], list[str]]] = []
    recs: list[dict[str, Any]] = []
    shas: list[str] = []
    have: set[str] = set()
    size = 0
    for r in records:
        sha = r.get("sha256") if r.get("t") == "attachment" else None
        need = sha is not None and sha not in have
        extra = r.get("size", 0) if need else 0
        if recs and (len(recs) >= max_records
                     or (need and (len(shas) >= limits.max_attachments or size + extra > byte_budget))):
            parts.append((recs, shas))
            recs, shas, have, size = [], [], set(), 0
            need, extra = sha is not None, (r.get("size", 0) if sha is not None else 0)
        recs.append(r)
        if need:
            shas.append(sha)
            have.add(sha)
            size += extra
    if recs or not parts:
        parts.append((recs, shas))
    return parts


def _read_files(store: FileStore | None, shas: list[str]) -> dict[str, bytes]:
    """The files of ``shas`` from the store, each decrypted and checked against its hash. A missing or damaged
    file is left out: the receiver then quarantines the row and says the sender must export it again."""
    out: dict[str, bytes] = {}
    if store is None:
        return out
    for sha in shas:
        try:
            out[sha] = store.read(sha)
        except (DamagedFile, OSError):
            continue
    return out


def write_bundles(db, *, keys: UnlockedKeys, peer: SyncPeer, epoch: int, records: list[dict[str, Any]],
                  through: int, now: datetime, escrow: str | None = None, kind: str | None = None,
                  attachments: FileStore | None = None) -> list[SyncOutbox]:
    """Build and store the bundles carrying ``records`` and their attachment files (split to respect the
    bundle limits). Call inside a transaction."""
    if not peer.encryption_recipient:
        from ...domain.errors import XinfangError
        raise XinfangError(f"{peer.unit_name}的登记信息中没有加密公钥，无法向其发送同步包。请让对方重新导出登记文件并重新登记。")
    recipients = [peer.encryption_recipient] + ([escrow] if escrow else [])
    parts = split(records, LIMITS)
    last = last_outbox(peer.unit_code, epoch)
    seq = last.seq if last else 0
    prev = last.bundle_id if last else GENESIS
    last_received = (BundleRef(peer.head_epoch, peer.head_seq, peer.head_hash) if peer.head_seq > 0 else None)
    rows = []
    for part, shas in parts:
        seq += 1
        header = new_header(
            kind=kind or ("data" if part else "ack"),
            sender=Party(keys.unit_code, keys.key_id), recipient=Party(peer.unit_code, peer.key_id),
            epoch=epoch, seq=seq, prev=prev, schema_version=SCHEMA_VERSION, code_tables={},
            last_received=last_received, created_at=now.replace(tzinfo=timezone.utc),
        )
        data = build_bundle(header, part, _read_files(attachments, shas), keys.signing_key, recipients,
                            limits=LIMITS)
        from ...sync.bundle import parse_bundle
        bundle_id = parse_bundle(data).bundle_id
        rows.append(SyncOutbox.create(recipient=peer.unit_code, epoch=epoch, seq=seq, bundle_id=bundle_id,
                                      kind=header.kind, file_name=bundle_file_name(header), record_count=len(part),
                                      through_change=through, created_at=now, data=data))
        prev = bundle_id
    peer.ack_pending = False
    peer.save()
    return rows
