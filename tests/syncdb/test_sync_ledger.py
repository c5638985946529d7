"""Import order of checks and the ledger (SYNC.md): replay, equivocation, gaps, parking, ownership,
quarantine, unknown senders, hostile names, pulled sticks, full disks, clocks ten years off."""

from __future__ import annotations

import errno
import os
import shutil
from datetime import datetime

import pytest

from .conftest import CITY, TOWNS, data_dump, every_row, forge, make_office, write_out
from xinfang_desktop.services.queries import CaseFilter
from xinfang_desktop.sync.errors import BundleFileError


def status_of(office, code):
    return next(p for p in office.sync.peers() if p.unit_code == code)


def one_bundle(office, folder, **reg):
    office.register(**reg)
    rows = office.export()
    assert len(rows) == 1
    return write_out(office, folder, rows)[0]


def test_township_cases_reach_the_city_marked_with_their_township_and_searchable(town, city, tmp_path):
    town.register(name="欧阳娜娜")
    town.export()
    [result] = city.import_(write_out(town, tmp_path / "stick"))
    assert result.outcome == "applied", result.message
    city.sync
    [row] = city.svc.queries.page(CaseFilter())
    assert row.parties == "欧阳娜娜" and row.township_code == town.code
    assert [r.number for r in city.svc.queries.search("oyn")] == [row.number]   # pinyin initials, local index
    assert city.svc.queries.search("欧阳")[0].number.startswith("350881102")
    assert status_of(city, town.code).cases == 1


def test_exact_replay_changes_nothing(town, city, tmp_path):
    path = one_bundle(town, tmp_path / "stick")
    city.import_([path])
    before = data_dump(city)
    [again] = city.import_([path])
    assert again.outcome == "already" and "未重复导入" in again.label and "没有变化" in again.message
    assert data_dump(city) == before


def test_equivocation_rejects_and_freezes_the_sender(town, city, tmp_path, unit_keys):
    path = one_bundle(town, tmp_path / "stick")
    city.import_([path])
    before = data_dump(city)
    # Same (sender, epoch, seq) with other contents: a PC restored from a backup, or a forgery.
    twin = tmp_path / "twin.xfb"
    twin.write_bytes(forge(unit_keys, town.code, CITY, seq=1, prev="genesis", records=[]))
    [result] = city.import_([twin])
    assert result.outcome == "rejected" and "冻结" in result.message
    assert data_dump(city)["case"] == before["case"]
    assert city.sync.peer(town.code).frozen
    # While frozen even the honest next bundle is refused; after an administrator unfreezes, it applies.
    nxt = one_bundle(town, tmp_path / "stick2", name="张三")
    [refused] = city.import_([nxt])
    assert refused.outcome == "rejected" and "冻结" in refused.message
    city.sync.unfreeze(city.admin, town.code)
    [ok] = city.import_([nxt])
    assert ok.outcome == "applied"


def test_gaps_park_later_bundles_until_the_missing_one_arrives(town, city, tmp_path):
    paths = [one_bundle(town, tmp_path / f"s{i}", name=n) for i, n in enumerate(["张三", "李四", "王五"])]
    [third] = city.import_([paths[2]])
    assert third.outcome == "parked" and "缺第 1、2 号" in third.message
    status = status_of(city, town.code)
    assert status.gaps == [1, 2] and status.parked == 1 and status.cases == 0
    [second] = city.import_([paths[1]])
    assert second.outcome == "parked" and status_of(city, town.code).gaps == [1]
    [first] = city.import_([paths[0]])
    assert first.outcome == "applied"
    assert [r.outcome for r in first.also_applied] == ["applied", "applied"]
    status = status_of(city, town.code)
    assert (status.head_seq, status.gaps, status.parked, status.cases) == (3, [], 0, 3)
    # A parked bundle imported again is reported as already applied now.
    assert city.import_([paths[2]])[0].outcome == "already"


def test_a_broken_chain_is_rejected(town, city, tmp_path, unit_keys):
    city.import_([one_bundle(town, tmp_path / "s1")])
    bad = tmp_path / "bad.xfb"
    bad.write_bytes(forge(unit_keys, town.code, CITY, seq=2, prev="0" * 64, records=[]))
    before = data_dump(city)
    [r] = city.import_([bad])
    assert r.outcome == "rejected" and "前序校验值" in r.message
    assert data_dump(city) == before


def test_records_owned_by_another_unit_reject_the_whole_bundle(offices, town, city, tmp_path, unit_keys):
    other = offices[TOWNS[1]]
    other.register(name="李四")
    other.export()
    city.import_(write_out(other, tmp_path / "o"))
    town.register(name="张三")
    town.sync
    from xinfang_desktop.services.sync.records import TYPES, row_encoder, select_sql

    own = [row_encoder("person")(r) for r in town.svc.db.execute_sql(select_sql("person")).fetchall()]
    # 1. a record claiming to belong to another township
    stolen = dict(own[0], unit_code=other.code)
    bad = tmp_path / "bad1.xfb"
    bad.write_bytes(forge(unit_keys, town.code, CITY, seq=1, prev="genesis", records=[own[0], stolen]))
    before = data_dump(city)
    [r] = city.import_([bad])
    assert r.outcome == "rejected" and "无权修改" in r.message and other.code in r.message
    assert data_dump(city) == before
    # 2. a record with the id of a row the other township owns, relabelled as the sender's own
    other.sync
    theirs = [row_encoder("person")(x) for x in other.svc.db.execute_sql(select_sql("person")).fetchall()][0]
    hijack = dict(theirs, unit_code=town.code, name="冒名", version=99)
    bad2 = tmp_path / "bad2.xfb"
    bad2.write_bytes(forge(unit_keys, town.code, CITY, seq=1, prev="genesis", records=[hijack]))
    [r2] = city.import_([bad2])
    assert r2.outcome == "rejected" and "无权修改" in r2.message
    assert data_dump(city) == before
    assert "person" in TYPES


def test_invalid_records_go_to_the_visible_quarantine_list(town, city, tmp_path, unit_keys):
    town.register(name="张三")
    town.sync
    from xinfang_desktop.services.sync.records import row_encoder, select_sql

    db = town.svc.db
    records = [row_encoder(t)(r) for t in ("person", "case", "case_party", "case_event")
               for r in db.execute_sql(select_sql(t)).fetchall()]
    event = next(r for r in records if r["t"] == "case_event")
    records.append(dict(event, id="0b6f4f7e-8e43-4c55-9d1e-3f1f2b0f0a01", kind="teleported"))
    records.append(dict(event, id="0b6f4f7e-8e43-4c55-9d1e-3f1f2b0f0a02", case_id="0b6f4f7e-8e43-4c55-9d1e-3f1f2b0f0aff"))
    records.append({"t": "spaceship", "id": "x", "unit_code": town.code})
    bad = tmp_path / "mixed.xfb"
    bad.write_bytes(forge(unit_keys, town.code, CITY, seq=1, prev="genesis", records=records))
    [r] = city.import_([bad])
    assert r.outcome == "applied" and r.quarantined_records == 3 and "暂未导入" in r.message
    listed = {q.reason for q in city.sync.quarantined_records()}
    assert any("办理记录类型无效" in x for x in listed)
    assert any("所属事项不存在" in x for x in listed)
    assert any("未知的记录类型" in x for x in listed)
    assert len(city.svc.queries.page(CaseFilter())) == 1


@pytest.fixture
def new_city_and_town(tmp_path, unit_keys, city_url):
    """A new city (on the test's engine) and a new township, neither enrolled with the other."""
    def make(city_clock: datetime | None = None, town_clock: datetime | None = None):
        made.extend((make_office(tmp_path, CITY, unit_keys, clock_at=city_clock, url=city_url),
                     make_office(tmp_path, TOWNS[0], unit_keys, clock_at=town_clock)))
        return made

    made: list = []
    yield make
    for office in made:
        office.svc.close()


def test_unknown_sender_is_quarantined_then_applied_after_enrolment(new_city_and_town, tmp_path, unit_keys):
    from xinfang_desktop.sync.keys import export_public

    city, town = new_city_and_town()
    town.sync.enrol(town.admin, export_public(unit_keys[CITY]), unit_keys[CITY].public().signing_fingerprint)
    path = one_bundle(town, tmp_path / "stick")
    before = data_dump(city)
    [r] = city.import_([path])
    assert r.outcome == "quarantined" and "尚未登记" in r.message
    assert data_dump(city) == before
    city.sync.enrol(city.admin, export_public(unit_keys[town.code]), unit_keys[town.code].public().signing_fingerprint)
    [retried] = city.import_([])
    assert retried.outcome == "applied" and len(city.svc.queries.page(CaseFilter())) == 1


def test_the_file_name_is_never_trusted(offices, town, city, tmp_path):
    path = one_bundle(town, tmp_path / "stick")
    # Renamed to look like another township's bundle, with a Chinese name and spaces: the content decides.
    odd = tmp_path / "stick" / f"{TOWNS[1]}_1_00000009 副本.xfb"
    path.rename(odd)
    [r] = city.import_([odd])
    assert r.outcome == "applied" and r.sender == town.code and r.seq == 1


def test_a_stick_pulled_mid_write_or_mid_read_leaves_the_database_unchanged(town, city, tmp_path, monkeypatch):
    path = one_bundle(town, tmp_path / "stick")
    data = path.read_bytes()
    before = data_dump(city)
    half = tmp_path / "half" / path.name          # pulled out while the township was copying
    half.parent.mkdir()
    half.write_bytes(data[: len(data) // 2])
    [r] = city.import_([half])
    assert r.outcome == "rejected" and "不完整" in r.message
    real_read = os.read
    calls = {"n": 0}

    def pulled(fd, n):                            # pulled out while the city was reading
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.EIO, "I/O error")
        return real_read(fd, min(n, 100))

    monkeypatch.setattr(os, "read", pulled)
    [r2] = city.import_([path])
    monkeypatch.undo()
    assert r2.outcome == "rejected" and "U盘" in r2.message
    assert data_dump(city) == before
    assert not list(city.sync.staging_dir().glob("*"))
    assert city.import_([path])[0].outcome == "applied"


def test_disk_full_while_copying_to_the_stick_keeps_the_bundle_for_next_time(town, tmp_path, monkeypatch):
    town.register()
    town.export()
    stick = tmp_path / "stick"
    stick.mkdir()
    real_write = os.write

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(BundleFileError) as info:
        town.sync.copy_to(town.admin, stick)
    monkeypatch.setattr(os, "write", real_write)
    assert "空间不足" in info.value.message
    assert list(stick.iterdir()) == []                       # no .part, no half file
    assert len(town.sync.pending_copies()) == 1              # still waiting to be copied
    [copied] = town.sync.copy_to(town.admin, stick)
    assert copied.read_bytes() == bytes(town.sync.pending_copies()[0].data)


def test_disk_full_while_staging_an_import_changes_nothing(town, city, tmp_path, monkeypatch):
    path = one_bundle(town, tmp_path / "stick")
    before = data_dump(city)

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    [r] = city.import_([path])
    monkeypatch.undo()
    assert r.outcome == "rejected" and "空间不足" in r.message
    assert data_dump(city) == before


def test_a_clock_ten_years_off_does_not_matter(new_city_and_town, tmp_path, unit_keys):
    from .conftest import enrol_both

    city, town = new_city_and_town(datetime(2016, 11, 2, 9, 0), datetime(2036, 11, 2, 9, 0))
    enrol_both(city, town, unit_keys)
    paths = []
    for name in ("张三", "李四"):
        town.register(name=name, received_at=datetime(2036, 11, 1, 9, 0))
        paths += write_out(town, tmp_path / name, town.export())
    results = city.import_(list(reversed(paths)))
    assert [r.outcome for r in results] == ["parked", "applied"]
    assert status_of(city, town.code).head_seq == 2          # order from seq, never from the clocks
    city.sync
    assert {r.parties for r in city.svc.queries.page(CaseFilter())} == {"张三", "李四"}


def test_acknowledgements_come_back_and_the_stick_copy_shrinks(town, city, tmp_path):
    town.register()
    town.export()
    city.import_(write_out(town, tmp_path / "up"))
    assert len(town.sync.pending_copies()) == 1
    city.export()                                   # an ack for the township
    [r] = town.import_(write_out(city, tmp_path / "down"))
    assert r.outcome == "applied" and "确认" in r.message
    assert town.sync.pending_copies() == []
    assert town.sync.bundles()[-1].direction == "received"
    sent = [b for b in town.sync.bundles() if b.direction == "sent"]
    assert sent[0].state == "acknowledged" and sent[0].state_label == "对方已确认"


def test_sync_state_of_a_record_local_exported_acknowledged(town, city, tmp_path):
    ref = town.register()
    assert town.sync.record_state(ref.id) == "local"
    town.export()
    assert town.sync.record_state(ref.id) == "exported"
    city.import_(write_out(town, tmp_path / "up"))
    city.export()
    town.import_(write_out(city, tmp_path / "down"))
    assert town.sync.record_state(ref.id) == "acknowledged"
    town.svc.cases.act(town.admin, ref.id, "note", {"text": "电话联系信访人"})
    assert town.sync.record_state(ref.id) == "local"
    assert city.sync.record_state(ref.id) == "received"


def test_export_reminder_after_n_days(town, tmp_path):
    assert town.sync.export_reminder() is None          # nothing to send yet
    town.register()
    assert "从未导出" in town.sync.export_reminder()
    town.export()
    assert town.sync.export_reminder(days=7) is None
    town.clock.advance(days=8)
    assert "8 天" in town.sync.export_reminder(days=7)


def test_staging_never_keeps_files(town, city, tmp_path):
    path = one_bundle(town, tmp_path / "stick")
    city.import_([path])
    assert not list(city.sync.staging_dir().glob("*"))
    shutil.rmtree(tmp_path / "stick")


# --------------------------------------------------------------------------- unauthenticated input changes nothing


def flip_signature_byte(path, folder):
    """A copy of the bundle with one byte of its signature (the last bytes of the file) flipped: the same
    bundle id (the hash of everything before the signature), but not the sender's."""
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / path.name
    out.write_bytes(bytes(data))
    return out


def test_a_damaged_copy_of_a_parked_bundle_leaves_it_parked(town, city, tmp_path):
    first, second = (one_bundle(town, tmp_path / f"s{i}", name=n) for i, n in enumerate(["张三", "李四"]))
    assert city.import_([second])[0].outcome == "parked"
    before = every_row(city)
    [damaged] = city.import_([flip_signature_byte(second, tmp_path / "damaged")])
    assert damaged.outcome == "rejected" and "签名" in damaged.message
    assert every_row(city) == before                  # no ledger, held or quarantine row anywhere
    [r] = city.import_([first])
    assert r.outcome == "applied" and [x.outcome for x in r.also_applied] == ["applied"]
    assert status_of(city, town.code).head_seq == 2 and len(city.svc.queries.page(CaseFilter())) == 2


def test_a_damaged_copy_first_then_the_genuine_bundle_applies_as_if_it_never_came(town, city, tmp_path):
    path = one_bundle(town, tmp_path / "stick")
    before = every_row(city)
    [damaged] = city.import_([flip_signature_byte(path, tmp_path / "damaged")])
    assert damaged.outcome == "rejected"
    assert every_row(city) == before
    [r] = city.import_([path])
    assert r.outcome == "applied" and len(city.svc.queries.page(CaseFilter())) == 1


def test_a_refusal_while_frozen_never_loses_a_parked_bundle(town, city, tmp_path):
    first, second = (one_bundle(town, tmp_path / f"s{i}", name=n) for i, n in enumerate(["张三", "李四"]))
    assert city.import_([second])[0].outcome == "parked"
    city.sync.freeze(city.admin, town.code, "核实编号")
    assert city.import_([second])[0].outcome == "rejected"     # refused while frozen ...
    city.sync.unfreeze(city.admin, town.code)
    [r] = city.import_([first])                                 # ... yet still parked, and applied in turn
    assert r.outcome == "applied" and [x.outcome for x in r.also_applied] == ["applied"]


def test_a_forged_copy_held_beside_the_genuine_one_never_replaces_it(new_city_and_town, tmp_path, unit_keys):
    from xinfang_desktop.sync.keys import export_public

    city, town = new_city_and_town()
    town.sync.enrol(town.admin, export_public(unit_keys[CITY]), unit_keys[CITY].public().signing_fingerprint)
    path = one_bundle(town, tmp_path / "stick")
    # the genuine bundle, then a forged copy of it, both from a sender not yet enrolled: both held
    assert city.import_([path])[0].outcome == "quarantined"
    assert city.import_([flip_signature_byte(path, tmp_path / "forged")])[0].outcome == "quarantined"
    assert city.sync.status()["inbox"]["quarantined"] == 2
    city.sync.enrol(city.admin, export_public(unit_keys[town.code]), unit_keys[town.code].public().signing_fingerprint)
    results = city.import_([])
    assert sorted(r.outcome for r in results) == ["applied", "rejected"]
    assert len(city.svc.queries.page(CaseFilter())) == 1 and city.sync.status()["inbox"]["quarantined"] == 0
