"""A township PC restored from a backup taken before its last export, which then keeps working: the
city authorises a new epoch, the township starts it, and the city ends with every edit, nothing lost."""

from __future__ import annotations

from datetime import datetime

import pytest

from xinfang_desktop.domain.errors import InvalidInput, NotAllowed
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.backup import BackupService
from xinfang_desktop.store.models import Case, CaseEvent

from .conftest import CITY, TOWNS, write_out


def _case_at(office, case_id: str) -> Case:
    office.sync                                     # bind this office's database
    return Case.get_by_id(case_id)


def _route(office, number: str, unit: str, at: datetime) -> None:
    office.sync
    office.svc.cases.act(office.admin, number, EventKind.ROUTED, {"route": "direct", "unit": unit}, at=at)


def test_restore_before_the_last_export_then_an_edit_reaches_the_city_in_a_new_epoch(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    first = town.register(name="欧阳娜娜")
    second = town.register(name="李秀英", request="要求解决宅基地纠纷")
    town.export()
    city.import_(write_out(town, tmp_path / "s1"))
    town.sync
    backup = town.svc.get(BackupService).backup(town.admin, to=tmp_path / "backups")

    # After the backup both cases are routed, exported and applied at the city.
    _route(town, first.number, "镇综治中心", datetime(2026, 11, 2, 9, 10))
    _route(town, second.number, "镇国土所", datetime(2026, 11, 2, 9, 11))
    assert [r.outcome for r in city.import_(write_out(town, tmp_path / "s2", town.export()))] == ["applied"]
    lost_version = _case_at(city, first.id).version

    # The PC is restored from the backup: both routings are gone there and the number 2 will come again.
    town.sync
    town.svc.get(BackupService).restore(town.admin, backup.path)
    assert _case_at(town, first.id).owner_name != "镇综治中心"
    _route(town, first.id, "镇司法所", datetime(2026, 11, 2, 9, 20))
    edited = _case_at(town, first.id)
    assert edited.version == lost_version             # the same version number, other content

    with pytest.raises(NotAllowed, match="开始新一轮编号"):
        town.export()
    with pytest.raises(InvalidInput, match="大于"):
        city.sync.authorise_epoch(city.admin, town.code, 1)
    city.sync.authorise_epoch(city.admin, town.code, 2)
    with pytest.raises(InvalidInput, match="大于"):
        town.sync.start_epoch(town.admin, 1)
    town.sync.start_epoch(town.admin, 2)
    assert not town.sync.epoch_needed()
    rows = town.export()
    assert [(r.epoch, r.seq) for r in rows] == [(2, 1)]
    results = city.import_(write_out(town, tmp_path / "s3", rows))
    assert [r.outcome for r in results] == ["applied"], results[0].message

    # The edit made after the restore wins at the city ...
    at_city = _case_at(city, first.id)
    assert at_city.owner_name == "镇司法所"
    # ... nothing is lost: both routings (the one the restore took away, and the new one) are there ...
    units = sorted(e.data["unit"] for e in CaseEvent.select().where(
        (CaseEvent.case == first.id) & (CaseEvent.kind == EventKind.ROUTED.value)))
    assert units == ["镇司法所", "镇综治中心"]
    # ... and a case not touched since the restore keeps the newer copy the city already had.
    assert _case_at(city, second.id).owner_name == "镇国土所"

    # Later edits in the new epoch still count up and reach the city.
    town.sync
    town.svc.cases.act(town.admin, first.number, EventKind.NOTE, {"text": "已电话联系信访人"},
                       at=datetime(2026, 11, 2, 9, 40))
    results = city.import_(write_out(town, tmp_path / "s4", town.export()))
    assert [r.outcome for r in results] == ["applied"]
    assert _case_at(city, first.id).version > at_city.version


def test_case_numbers_handed_out_before_the_loss_are_not_handed_out_again(offices, tmp_path):
    from xinfang_desktop.store.models_sync import SyncQuarantine

    town, city = offices[TOWNS[0]], offices[CITY]
    town.register(name="欧阳娜娜")
    town.sync
    backup = town.svc.get(BackupService).backup(town.admin, to=tmp_path / "backups")
    lost = town.register(name="李秀英")                       # exported, then lost with the PC
    city.import_(write_out(town, tmp_path / "s1", town.export()))
    town.sync
    town.svc.get(BackupService).restore(town.admin, backup.path)
    early = town.register(name="王强")                         # registered before the epoch starts
    assert early.number == lost.number

    city.sync.authorise_epoch(city.admin, town.code, 2)
    told = city.sync.last_case_number(town.code)
    assert told == lost.number
    with pytest.raises(InvalidInput, match="不是本单位的事项编号"):
        town.sync.start_epoch(town.admin, 2, "350881100-2026-00002")
    started = town.sync.start_epoch(town.admin, 2, told)
    assert started.clashes == [early.number]                  # named, so both offices can sort it out
    later = town.register(name="张伟")
    assert later.number > lost.number
    [result] = city.import_(write_out(town, tmp_path / "s2", town.export()))
    assert result.outcome == "applied" and result.quarantined_records > 0
    city.sync
    assert _case_at(city, later.id).number == later.number    # the case registered after the start arrives
    assert _case_at(city, lost.id).number == lost.number      # and the lost one is still there
    assert SyncQuarantine.select().where(SyncQuarantine.record_id == early.id).count() == 1   # visible, not silent


def test_a_new_epoch_the_city_did_not_authorise_is_refused_and_changes_nothing(offices, tmp_path):
    from .conftest import data_dump

    town, city = offices[TOWNS[0]], offices[CITY]
    town.register()
    town.export()
    city.import_(write_out(town, tmp_path / "s1"))
    town.sync.start_epoch(town.admin, 3)           # typed without asking the city
    town.register(name="王强")
    rows = town.export()
    before = data_dump(city)
    [result] = city.import_(write_out(town, tmp_path / "s2", rows))
    assert result.outcome == "rejected" and "授权" in result.message
    after = data_dump(city)
    assert {k: v for k, v in after.items() if k != "ledger"} == {k: v for k, v in before.items() if k != "ledger"}
    # Once the city authorises that number, the same file goes in.
    city.sync.authorise_epoch(city.admin, town.code, 3)
    [result] = city.import_(write_out(town, tmp_path / "s3", rows))
    assert result.outcome == "applied", result.message
    assert city.sync.peer(town.code).head_epoch == 3


def test_what_the_city_sent_before_the_restore_goes_again_and_reaches_the_township(offices, tmp_path):
    from xinfang_desktop.store.models_sync import Instruction

    town, city = offices[TOWNS[0]], offices[CITY]
    case = town.register(name="欧阳娜娜")
    town.export()
    city.import_(write_out(town, tmp_path / "t1"))
    town.sync
    backup = town.svc.get(BackupService).backup(town.admin, to=tmp_path / "backups")

    # After the backup the city sends a supervision note (督办) on the matter; the township receives
    # it and acknowledges it in its next bundle.
    city.sync.supervise(city.admin, case.number, "请于期限内办结并报告")
    city.import_(write_out(town, tmp_path / "t2", town.export()))      # (nothing new from the town yet)
    assert [r.outcome for r in town.import_(write_out(city, tmp_path / "c1", city.export()))] == ["applied"]
    assert Instruction.select().count() == 1
    town.sync
    town.svc.cases.act(town.admin, case.number, EventKind.NOTE, {"text": "已收到交办"},
                       at=datetime(2026, 11, 2, 9, 30))
    city.import_(write_out(town, tmp_path / "t3", town.export()))
    city.sync
    assert city.sync.pending_copies() == []                        # acknowledged: nothing to carry

    # The township's PC is restored from the backup: the assignment is gone there.
    town.sync
    town.svc.get(BackupService).restore(town.admin, backup.path)
    assert Instruction.select().count() == 0
    city.sync.authorise_epoch(city.admin, town.code, 2)
    town.sync.start_epoch(town.admin, 2)
    results = city.import_(write_out(town, tmp_path / "t4", town.export()))
    assert [r.outcome for r in results] == ["applied"]
    assert "重新列入待复制" in results[0].message
    again = city.sync.pending_copies()
    assert again, "the city's bundles the township lost are due again"

    results = town.import_(write_out(city, tmp_path / "c2", again))
    assert all(r.outcome == "applied" for r in results), [r.message for r in results]
    town.sync
    got = Instruction.select().where(Instruction.case_id == case.id).get()
    assert got.kind == "supervise" and got.text == "请于期限内办结并报告"
