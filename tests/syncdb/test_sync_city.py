"""City mode: the city sees every township's cases, assigns matters down (交办) and sends supervision
notes (督办) that reach the township's queue after import; key rotation travels in the chain."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang_desktop.domain.errors import InvalidInput, NotAllowed
from xinfang_desktop.services.queries import CaseFilter
from xinfang_desktop.sync.keys import generate_keys

from .conftest import CITY, TOWNS, data_dump, write_out


def deliver_down(city, town, folder):
    city.export()
    rows = [r for r in city.sync.pending_copies() if r.recipient == town.code]
    return town.import_(write_out(city, folder, rows))


def test_city_case_list_spans_townships_each_marked(offices, tmp_path):
    city = offices[CITY]
    for i, t in enumerate(TOWNS):
        offices[t].register(name=["张三", "李四", "王五"][i])
        offices[t].export()
        city.import_(write_out(offices[t], tmp_path / t))
    city.register(name="赵六")                             # someone who came to the city itself
    city.sync
    rows = city.svc.queries.page(CaseFilter())
    assert len(rows) == 4
    assert {r.number[:9] for r in rows} == {CITY[:9], *(t[:9] for t in TOWNS)}
    assert city.svc.queries.count(CaseFilter(township=TOWNS[1])) == 1
    assert [r.parties for r in city.svc.queries.search("ls")] == ["李四"]
    registry = {p.unit_code: p for p in city.sync.peers()}
    assert all(registry[t].cases == 1 and registry[t].head_seq == 1 and registry[t].days_since_last == 0 for t in TOWNS)


def test_assigning_down_reaches_the_township_queue_with_the_case(offices, tmp_path):
    city, town = offices[CITY], offices[TOWNS[0]]
    ref = city.register(name="欧阳娜娜", request="反映村道塌方无人修复")
    with pytest.raises(InvalidInput):
        city.sync.assign(city.admin, ref.id, town.code, date(2026, 10, 1), "请核实处理")     # deadline in the past
    city.sync.assign(city.admin, ref.id, town.code, date(2026, 11, 20), "请于期限内核实处理并报结")
    [result] = deliver_down(city, town, tmp_path / "down")
    assert result.outcome == "applied", result.message
    [item] = town.sync.instructions(town.admin)
    assert (item.kind, item.case_number, item.deadline) == ("assign", ref.number, date(2026, 11, 20))
    town.sync
    assert town.svc.queries.search("塌方")[0].number == ref.number             # the case came with it, indexed
    # The township works on it; its events go back up and the city's case state follows.
    town.svc.cases.act(town.admin, ref.id, "routed", {"route": "direct", "unit": "永福镇"})
    town.export()
    city.import_(write_out(town, tmp_path / "up"))
    city.sync
    assert city.svc.queries.page(CaseFilter(statuses=("handling",)))[0].number == ref.number


def test_supervision_note_on_a_township_case(offices, tmp_path):
    city, town = offices[CITY], offices[TOWNS[0]]
    ref = town.register(name="张三")
    town.export()
    city.import_(write_out(town, tmp_path / "up"))
    city.sync.supervise(city.admin, ref.id, "该事项临近期限，请加快办理")
    [result] = deliver_down(city, town, tmp_path / "down")
    assert result.outcome == "applied"
    [note] = town.sync.instructions(town.admin)
    assert note.kind == "supervise" and note.case_number == ref.number and "加快" in note.text
    other = offices[TOWNS[1]]
    assert other.sync.instructions(other.admin) == []
    with pytest.raises(NotAllowed):
        town.sync.supervise(town.admin, ref.id, "乡镇不能督办")


def test_a_township_cannot_send_instructions(offices, tmp_path, unit_keys):
    from .conftest import forge

    city, town = offices[CITY], offices[TOWNS[0]]
    bogus = {"t": "instruction", "id": "0b6f4f7e-8e43-4c55-9d1e-3f1f2b0f0a31", "unit_code": town.code, "version": 1,
             "updated_at": "2026-11-02 09:30:00", "to_unit": CITY, "kind": "supervise", "case_id": None,
             "case_number": None, "text": "乡镇督办市局", "deadline": None, "created_by": "admin",
             "created_at": "2026-11-02 09:30:00"}
    path = tmp_path / "b.xfb"
    path.write_bytes(forge(unit_keys, town.code, CITY, seq=1, prev="genesis", records=[bogus]))
    before = data_dump(city)
    [r] = city.import_([path])
    # The ownership rule refuses the whole bundle, naming the table and the row; nothing is applied.
    assert r.outcome == "rejected" and "只能由市局" in r.message and bogus["id"] in r.message
    assert "交办督办（instruction）" in r.message
    assert data_dump(city) == before


def test_key_rotation_travels_in_the_chain(offices, tmp_path, unit_keys):
    city, town = offices[CITY], offices[TOWNS[0]]
    town.register()
    town.export()
    city.import_(write_out(town, tmp_path / "a"))
    # the township's real key store (at the suite's cheap scrypt); rotating writes the new one beside it
    from xinfang_desktop.sync.keys import FileKeyStore

    from tests.conftest import CHEAP_SCRYPT

    town.sync.keys_dir.mkdir(parents=True, exist_ok=True)
    FileKeyStore.create(town.sync.key_path, unit_keys[town.code], "passphrase-1", scrypt_log_n=CHEAP_SCRYPT)
    new_public = town.sync.rotate(town.admin, town.ring, "passphrase-1")
    rotation_rows = [r for r in town.sync.pending_copies() if r.kind == "key-rotation"]
    [r] = city.import_(write_out(town, tmp_path / "b", rotation_rows))
    assert r.outcome == "applied" and "新密钥" in r.message
    assert city.sync.peer(town.code).fingerprint == new_public.signing_fingerprint
    # the next bundle is signed by the new key and is accepted; one signed by the old key is not
    town.ring = town.sync.unlock("passphrase-1")          # the new key, the old one kept as previous
    assert town.ring.current.public() == new_public and town.ring.previous[0].public() == unit_keys[town.code].public()
    town.register(name="李四")
    town.export()
    [ok] = city.import_(write_out(town, tmp_path / "c", town.sync.pending_copies()[-1:]))
    assert ok.outcome == "applied", ok.message


def test_enrolment_refuses_a_mismatched_fingerprint_and_wrong_roles(offices, unit_keys):
    from xinfang_desktop.sync.keys import EnrolmentError, export_public

    city, town = offices[CITY], offices[TOWNS[0]]
    intruder = generate_keys("350881999000", "冒名乡镇", "township", encryption=True)
    with pytest.raises(EnrolmentError) as info:
        city.sync.enrol(city.admin, export_public(intruder), unit_keys[TOWNS[1]].public().signing_fingerprint)
    assert info.value.code == "fingerprint_mismatch" and "不一致" in info.value.message
    assert all(p.unit_code != "350881999000" for p in city.sync.peers())
    with pytest.raises(InvalidInput):         # a township enrolling another township
        town.sync.enrol(town.admin, export_public(unit_keys[TOWNS[1]]), unit_keys[TOWNS[1]].public().signing_fingerprint)


def test_a_restored_township_continues_in_a_new_epoch_the_city_authorised(offices, tmp_path):
    from xinfang_desktop.store import setting_keys
    from xinfang_desktop.store.models import Setting

    city, town = offices[CITY], offices[TOWNS[0]]
    town.register(name="张三")
    town.export()
    city.import_(write_out(town, tmp_path / "a"))
    town.sync
    Setting.replace(key=setting_keys.SYNC_EPOCH_NEEDED, value={"reason": "restored"}).execute()   # what a restore leaves
    town.register(name="李四")
    with pytest.raises(NotAllowed) as info:
        town.export()
    assert "新一轮编号" in info.value.message
    town.sync.start_epoch(town.admin, 2)
    [row] = town.export()
    assert (row.epoch, row.seq) == (2, 1)
    path = write_out(town, tmp_path / "b", [row])
    [refused] = city.import_(path)
    assert refused.outcome == "rejected" and "授权" in refused.message
    city.sync.authorise_epoch(city.admin, town.code, 2)
    [ok] = city.import_(path)
    assert ok.outcome == "applied"
    peer = city.sync.peer(town.code)
    assert (peer.head_epoch, peer.head_seq) == (2, 1)
    city.sync
    assert city.svc.queries.count(CaseFilter()) == 2
