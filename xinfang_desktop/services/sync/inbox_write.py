"""Step 7 of an import: the database writes of one planned bundle (rows, attachment files, quarantined
records, the search index and the refolded case state), inside the caller's transaction.

Owns the writes. Does not own the decision what to write (inbox_plan.py) or the transaction and ledger
row around it (inbox.py).
"""

from __future__ import annotations

from datetime import datetime

from ...domain import workflow as wf
from ...store import search
from ...store.locks import sids_taken
from ...store.models import self_unit_code
from ...store.models_sync import SyncQuarantine
from ..cases import cached_values, refold_cases
from . import records
from .inbox_checks import Refused, crash_point
from .inbox_plan import AttachmentStore, Plan, rows_in


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
    fresh_rows: dict[str, tuple] = {}        # new case id -> its row as _reindex reads one (written here)
    for tag in records.TYPES:
        ins = p.inserts[tag]
        if ins:
            if tag == "case":
                params = []
                for d in ins:
                    cached = cached_values(wf.fold(fresh_events[d.id], cal), here)
                    params.append(records.insert_params(d, next_sid, cached))
                    v = d.values
                    fresh_rows[d.id] = (d.id, next_sid, v["number"], v["query_code"], v["request"])
                    next_sid += 1
            else:
                params = [records.insert_params(d) for d in ins]
            conn.executemany(records.insert_sql(tag), params)
            if tag == "case":
                sids_taken(db)
            written += len(ins)
        ups = p.updates[tag]
        if ups:
            conn.executemany(records.update_sql(tag), [records.update_params(d) for d in ups])
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
        _reindex(db, to_index, fresh=fresh_rows)
    if to_refold:
        # Every cached column of every other touched case (status, deadlines, statistics and board facts)
        # is derived here from the events now present: the sender's copies of its own columns cannot
        # know this database's other events, and the local columns never travel.
        refold_cases(db, to_refold, cal, here)
    return written


def _cases_of_people(db, person_ids: list[str]) -> set[str]:
    """Cases a changed person is party to (their search documents name the person)."""
    return {r[0] for r in rows_in(db, "SELECT DISTINCT case_id FROM case_party", "person_id", sorted(person_ids))}


def _reindex(db, case_ids: set[str], *, fresh: dict[str, tuple] | None = None) -> None:
    """Index imported cases under their local sid (the search table is per database). ``fresh``: the rows
    (id, sid, number, query_code, request) of the cases inserted by this bundle, as written: not read back,
    and under a new sid with nothing indexed yet (no delete needed)."""
    fresh = fresh or {}
    items = sorted(case_ids)
    cases = {c: fresh[c] for c in items if c in fresh}
    for r in rows_in(db, 'SELECT id, sid, number, query_code, request FROM "case"', "id",
                     [c for c in items if c not in fresh]):
        cases[r[0]] = r
    people: dict[str, list[tuple]] = {cid: [] for cid in cases}
    for cid, name, idn, phone in rows_in(
            db, "SELECT cp.case_id, p.name, p.id_number, p.phone FROM case_party cp JOIN person p ON p.id = cp.person_id",
            "cp.case_id", [c for c in items if c in cases], then="ORDER BY cp.case_id, cp.position"):
        people.setdefault(cid, []).append((name, idn, phone))
    sids = [cases[c][1] for c in cases if c not in fresh]
    if sids:
        search.drop_rows(db, sids)
    rows = []
    for cid, (_, sid, number, qcode, request) in cases.items():
        ps = people.get(cid, [])
        rows.append((sid, search.document_tokens(search.SearchDoc(
            names=[x[0] for x in ps], id_numbers=[x[1] for x in ps if x[1]], phones=[x[2] for x in ps if x[2]],
            case_number=number, query_code=qcode, request=request))))
    search.index_rows(db, rows)
