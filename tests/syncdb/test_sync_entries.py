"""Attachments and the attention records (包案, colour overrides, hardship and referrals, receptions,
mediation sessions) travel in sync bundles: real bundles, real crypto, real files."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import pyrage

from xinfang_desktop.domain.board import Colour
from xinfang_desktop.services.sync import outbox_bundles
from xinfang_desktop.services.attachments import AttachmentService
from xinfang_desktop.services.attention import HardshipService, OwnershipService
from xinfang_desktop.store.setting_keys import UNIT_CODE
from xinfang_desktop.services.board import BoardService
from xinfang_desktop.services.mediation import MediationService, Mediator, SessionInput
from xinfang_desktop.services.reception import ReceptionService
from xinfang_desktop.services.sync.inbox_checks import peer_key
from xinfang_desktop.services.sync.records import row_encoder, select_sql
from xinfang_desktop.store.models_sync import SyncPeer
from xinfang_desktop.store.models_sync_entries import ENTRY_TABLES
from xinfang_desktop.sync.bundle import (
    Limits,
    Party,
    assemble_bundle,
    encode_inner,
    new_header,
    open_bundle,
    parse_bundle,
    verify_bundle,
)

from .conftest import CITY, TOWNS, data_dump, forge, table_rows, write_out


def scan(folder: Path, name: str, body: bytes) -> Path:
    """A small file that passes the attachment checks (a PNG signature, then content)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def rows(office, table: str) -> list[tuple]:
    """Every row of the office's ``table``, on either engine (the same values on both: see store/pg.py)."""
    return table_rows(office, table)


def store_file(office, sha: str) -> Path:
    return Path(office.svc.data_dir) / "attachments" / sha[:2] / sha


def stored(office, sha: str) -> bytes:
    """A stored file's content (the store keeps it encrypted under the office's data key)."""
    from xinfang_desktop.store.files import FileStore

    return FileStore(Path(office.svc.data_dir) / "attachments", office.svc.data_key).read(sha)


def fill_township(town, tmp_path: Path) -> dict:
    """Every kind of record, entered through the township's own services."""
    town.sync
    s, a = town.svc, town.admin
    case1 = town.register(name="欧阳娜娜")
    case2 = town.register(name="张三", request="要求修复村道")
    letter = scan(tmp_path / "scans", "来信.png", os.urandom(3000))
    photo = scan(tmp_path / "scans", "现场照片.png", os.urandom(2000))
    files = s.get(AttachmentService)
    files.attach(a, case1.id, [letter, photo])
    files.attach(a, case2.id, [letter])                   # the same scan on another case: one file in the bundle
    med = s.get(MediationService)
    first = med.add(a, SessionInput(case_ref=case1.id, held_on="2026-11-02", place="镇调解室", kind="people",
                                    mediators=[Mediator("李调解", "人民调解员")], parties=["欧阳娜娜", "某公司"],
                                    discussion="双方陈述了欠薪情况", outcome="none"))
    med.add(a, SessionInput(case_ref=case1.id, held_on="2026-11-02", place="镇调解室", kind="people",
                            mediators=[Mediator("李调解", "人民调解员")], parties=["欧阳娜娜", "某公司"],
                            discussion="双方陈述了欠薪情况，公司同意分期支付", outcome="agreement",
                            agreement="十二月底前付清", corrects=first.id))
    s.get(ReceptionService).add(a, leader="李镇长", held_on="2026-11-02", place="镇接访室", kind="open_door",
                                batches=2, persons=3, cases=[case1.id], notes="群众反映欠薪")
    s.get(OwnershipService).assign(a, case1.id, "admin", "协调劳动监察大队督促支付", date(2026, 12, 31))
    person_id = _person_of(town, case1.id)
    hard = s.get(HardshipService)
    flag = hard.flag(a, person_id, "unpaid_wages", "三个月未发工资", case_ref=case1.id)
    referral = hard.refer(a, flag.id, "social", "镇民政办", note="申请临时救助")
    hard.referral_outcome(a, referral.id, "已发放临时救助金")
    s.get(BoardService).override(a, case2.id, Colour.RED, "道路损毁影响学生上学，需领导当面协调")
    return {"case1": case1, "case2": case2, "letter": letter, "photo": photo, "person": person_id}


def _person_of(office, case_id: str) -> str:
    return office.svc.db.execute_sql("SELECT person_id FROM case_party WHERE case_id = ? ORDER BY position",
                                     (case_id,)).fetchone()[0]


def test_attachments_and_attention_records_arrive_at_the_city_equal(town, city, tmp_path, unit_keys):
    made = fill_township(town, tmp_path)
    town.sync
    bundles = town.export()
    assert len(bundles) == 1
    [path] = write_out(town, tmp_path / "stick", bundles)
    # The letter is linked to two cases but carried once.
    parsed = parse_bundle(path.read_bytes())
    city.sync
    peer = SyncPeer.get(SyncPeer.unit_code == town.code)
    contents = open_bundle(verify_bundle(parsed, peer_key(peer), sender_unit=town.code),
                           unit_keys[CITY].encryption_identity)
    assert sum(r["t"] == "attachment" for r in contents.records) == 3 and len(contents.attachments) == 2

    [result] = city.import_([path])
    assert result.outcome == "applied" and result.quarantined_records == 0, result.message
    for table in ENTRY_TABLES:
        theirs = rows(town, table)
        assert theirs, f"no {table} rows made at the township"
        assert rows(city, table) == theirs, table
    corrections = [r for r in rows(city, "mediation_session") if r[-3]]   # corrects column set
    assert len(corrections) == 1
    for src in (made["letter"], made["photo"]):
        sha = hashlib.sha256(src.read_bytes()).hexdigest()
        assert stored(city, sha) == src.read_bytes()
    assert not list((Path(city.svc.data_dir) / "attachments").rglob(".part-*"))

    # The city's own services see them: the attachment list of the case, the mediation log.
    city.sync
    assert sorted(x.file_name for x in city.svc.get(AttachmentService).of_case(made["case1"].id)) == \
        ["来信.png", "现场照片.png"]
    sessions = city.svc.get(MediationService).of_case(made["case1"].id)
    assert [x.outcome.value for x in sessions if x.current] == ["agreement"]

    # Re-import: already applied, nothing added.
    before = data_dump(city), {t: rows(city, t) for t in ENTRY_TABLES}
    [again] = city.import_([path])
    assert again.outcome == "already"
    assert (data_dump(city), {t: rows(city, t) for t in ENTRY_TABLES}) == before


def test_later_changes_travel_as_new_versions(town, city, tmp_path):
    made = fill_township(town, tmp_path)
    town.export()
    city.import_(write_out(town, tmp_path / "s1"))
    town.sync
    hard = town.svc.get(HardshipService)
    [flag] = hard.of_person(made["person"])
    hard.clear(town.admin, flag.id, "工资已结清")
    rows_ = town.export()
    assert len(rows_) == 1 and rows_[0].record_count == 1      # only the changed flag, no file again
    [r] = city.import_(write_out(town, tmp_path / "s2", rows_))
    assert r.outcome == "applied", r.message
    assert rows(city, "hardship_flag") == rows(town, "hardship_flag")
    city.sync
    [at_city] = city.svc.get(HardshipService).of_person(made["person"])
    assert at_city.clear_reason == "工资已结清"


def _tampered_bundle(town, keys, tmp_path) -> bytes:
    """The township's real records and file, but the file's bytes changed after hashing (a damaged or
    doctored stick copy inside a correctly signed bundle)."""
    town.sync
    db = town.svc.db
    records = [row_encoder(t)(r) for t in ("person", "case", "case_party", "case_event", "attachment")
               for r in db.execute_sql(select_sql(t)).fetchall()]
    att = next(r for r in records if r["t"] == "attachment")
    content = stored(town, att["sha256"])
    s, r = keys[town.code], keys[CITY]
    header = new_header(kind="data", sender=Party(town.code, s.key_id), recipient=Party(CITY, r.key_id),
                        epoch=1, seq=1, prev="genesis", schema_version=9, code_tables={})
    inner = bytearray(encode_inner(header, records, {att["sha256"]: content}))
    inner[-1] ^= 0x01                                        # the file is the last thing in the plaintext
    envelope = pyrage.encrypt(bytes(inner), [pyrage.x25519.Recipient.from_str(r.public().encryption_recipient)])
    return assemble_bundle(header, envelope, s.signing_key)


def test_a_tampered_attachment_rejects_the_bundle_and_changes_nothing(town, city, tmp_path, unit_keys):
    case = town.register()
    town.svc.get(AttachmentService).attach(town.admin, case.id, [scan(tmp_path, "信.png", os.urandom(500))])
    bad = tmp_path / "bad.xfb"
    bad.write_bytes(_tampered_bundle(town, unit_keys, tmp_path))
    city.sync
    before = data_dump(city), {t: rows(city, t) for t in ENTRY_TABLES}
    [r] = city.import_([bad])
    assert r.outcome == "rejected" and "附件" in r.message and "校验值不符" in r.message
    assert (data_dump(city), {t: rows(city, t) for t in ENTRY_TABLES}) == before
    assert not (Path(city.svc.data_dir) / "attachments").exists() or \
        not [p for p in (Path(city.svc.data_dir) / "attachments").rglob("*") if p.is_file()]


def _records(office, *tags: str) -> list[dict]:
    office.sync
    db = office.svc.db
    return [row_encoder(t)(r) for t in tags for r in db.execute_sql(select_sql(t)).fetchall()]


def test_records_of_another_unit_and_broken_records(offices, town, city, tmp_path, unit_keys):
    other = offices[TOWNS[1]]
    other.sync
    case_b = other.register(name="李四")
    flag_b = other.svc.get(HardshipService).flag(other.admin, _person_of(other, case_b.id), "medical", "住院")
    other.export()
    assert city.import_(write_out(other, tmp_path / "o"))[0].outcome == "applied"

    town.sync
    case_a = town.register(name="张三")
    town.svc.get(AttachmentService).attach(town.admin, case_a.id, [scan(tmp_path, "信.png", os.urandom(400))])
    own = _records(town, "person", "case", "case_party", "case_event", "attachment")
    att = next(r for r in own if r["t"] == "attachment")
    uid = "0b6f4f7e-8e43-4c55-9d1e-3f1f2b0f0a0{}".format
    base_ref = {"t": "hardship_referral", "unit_code": town.code, "version": 1, "updated_at": "2026-11-02 09:30:00",
                "kind": "social", "agency": "民政办", "referred_on": "2026-11-02", "note": "", "outcome": None,
                "outcome_on": None, "recorded_by": "admin"}
    session = {"t": "mediation_session", "unit_code": town.code, "case_id": case_a.id, "held_on": "2026-11-02",
               "place": "调解室", "kind": "people", "mediators": [{"name": "李调解", "role": "调解员"}],
               "parties": ["张三"], "discussion": "谈了", "outcome": "none", "agreement": None,
               "agreement_kind": None, "next_session": None, "corrects": None, "actor": "admin",
               "recorded_at": "2026-11-02 09:30:00"}
    extra = [
        dict(session, id=uid(2), kind="arm_wrestling"),                     # not a mediation kind
        dict(session, id=uid(3), mediators="李调解"),                        # not a list
        dict(att, id=uid(4), sha256="ab" * 32),                             # its file is nowhere
        dict(session, id=uid(5), corrects=uid(9)),                          # corrects nothing known
        dict(session, id=uid(6)),                                           # fine
    ]
    forged = tmp_path / "mixed.xfb"
    content = stored(town, att["sha256"])
    s, r = unit_keys[town.code], unit_keys[CITY]
    header = new_header(kind="data", sender=Party(town.code, s.key_id), recipient=Party(CITY, r.key_id),
                        epoch=1, seq=1, prev="genesis", schema_version=9, code_tables={})
    from xinfang_desktop.sync.bundle import build_bundle
    forged.write_bytes(build_bundle(header, own + extra, {att["sha256"]: content}, s.signing_key,
                                    [r.public().encryption_recipient]))
    [res] = city.import_([forged])
    assert res.outcome == "applied" and res.quarantined_records == 4, res.message
    reasons = {q.record_id: q.reason for q in city.sync.quarantined_records()}
    assert "调解方式无效" in reasons[uid(2)]
    assert "应为列表" in reasons[uid(3)]
    assert "附件文件缺失" in reasons[uid(4)]
    assert "所更正的调解记录不存在" in reasons[uid(5)]
    assert {x[0] for x in rows(city, "mediation_session")} == {uid(6)}
    assert [x[0] for x in rows(city, "attachment")] == [att["id"]]
    assert stored(city, att["sha256"]) == content

    # A record that claims another unit as its owner rejects the whole bundle, as for cases.
    stolen = dict(session, id=uid(7), unit_code=other.code)
    bad = tmp_path / "stolen.xfb"
    bad.write_bytes(forge(unit_keys, town.code, CITY, seq=2, prev=res.bundle_id, records=[stolen]))
    before = data_dump(city), rows(city, "mediation_session")
    [refused] = city.import_([bad])
    assert refused.outcome == "rejected" and "无权修改" in refused.message
    assert (data_dump(city), rows(city, "mediation_session")) == before

    # So does a record of its own hung on another township's row (the ownership rule): the message names
    # the table, the row and the unit owning what it hangs on.
    on_other = dict(base_ref, id=uid(1), flag_id=flag_b.id)
    worse = tmp_path / "on-other.xfb"
    worse.write_bytes(forge(unit_keys, town.code, CITY, seq=2, prev=res.bundle_id, records=[on_other]))
    [refused] = city.import_([worse])
    assert refused.outcome == "rejected"
    assert "hardship_referral" in refused.message and uid(1) in refused.message and other.code in refused.message
    assert (data_dump(city), rows(city, "mediation_session")) == before


def test_many_files_are_split_across_bundles_within_the_limits(town, city, tmp_path, monkeypatch):
    monkeypatch.setattr(outbox_bundles, "LIMITS", Limits(max_attachments=2))
    case = town.register()
    paths = [scan(tmp_path / "many", f"第{i}页.png", os.urandom(300)) for i in range(5)]
    town.svc.get(AttachmentService).attach(town.admin, case.id, paths)
    bundles = town.export()
    assert len(bundles) == 3
    results = city.import_(write_out(town, tmp_path / "stick", bundles))
    assert [r.outcome for r in results] == ["applied"] * 3, [r.message for r in results]
    assert rows(city, "attachment") == rows(town, "attachment")
    for p in paths:
        sha = hashlib.sha256(p.read_bytes()).hexdigest()
        assert stored(city, sha) == p.read_bytes()


def test_an_identical_file_already_in_the_store_is_kept_and_a_damaged_one_repaired(town, city, tmp_path):
    case = town.register()
    good = scan(tmp_path, "信.png", os.urandom(700))
    town.svc.get(AttachmentService).attach(town.admin, case.id, [good])
    sha = hashlib.sha256(good.read_bytes()).hexdigest()
    target = store_file(city, sha)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\x89PNG\r\n\x1a\n damaged")           # same name, wrong bytes (a bad disk sector)
    town.export()
    [r] = city.import_(write_out(town, tmp_path / "stick"))
    assert r.outcome == "applied", r.message
    assert stored(city, sha) == good.read_bytes()


def test_existing_rows_are_journaled_once_by_the_schema_step(town):
    from xinfang_desktop.store.steps import v009_sync_entries, v018_setting_keys

    case = town.register()
    town.sync
    town.svc.get(ReceptionService).add(town.admin, leader="李镇长", held_on="2026-11-02", place="镇接访室",
                                       kind="invited", batches=1, persons=1, cases=[case.id])
    db = town.svc.db
    # As if the rows had been written before the v9 step: no journal entries, no triggers, and the unit's
    # code under the key it had until v18.
    db.execute_sql("DELETE FROM sync_change WHERE tbl = 'reception'")
    for op in ("insert", "update"):
        db.execute_sql(f"DROP TRIGGER sync_journal_reception_{op}")
    db.execute_sql("UPDATE setting SET key = 'unit_code' WHERE key = ?", (UNIT_CODE,))
    v009_sync_entries.upgrade(db)
    assert db.execute_sql("SELECT COUNT(*) FROM sync_change WHERE tbl = 'reception'").fetchone()[0] == 1
    v018_setting_keys.upgrade(db)              # and on, to today's keys
    rows_ = town.export()
    assert any(r.record_count >= 2 for r in rows_)


def test_a_petitioners_new_phone_finds_all_their_cases_at_the_city(town, city, tmp_path):
    from xinfang_desktop.domain.petition import PetitionerInput

    def again(phone: str, request: str):
        return town.register(name="回访人", request=request, petitioners=[PetitionerInput(
            name="回访人", id_number="11010519491231002X", phone=phone, township_code=town.code,
            on_conflict="correct")])      # a new phone is corrected on the clerk's choice (issue 13)

    first = again("13812345670", "要求追讨拖欠的工资")
    town.export()
    city.import_(write_out(town, tmp_path / "s1"))
    second = again("13912345671", "要求补发工资")          # the same person, a new phone: the row is updated
    town.export()
    [r] = city.import_(write_out(town, tmp_path / "s2", town.sync.pending_copies()[-1:]))
    assert r.outcome == "applied", r.message
    city.sync
    found = {x.number for x in city.svc.queries.search("13912345671")}
    assert found == {first.number, second.number}
