"""Meetings and their tasks travel township → city (issue 19): real bundles, real crypto, real files. The city
sees every township's meeting tasks, a task closed later arrives as a new version, and a township cannot hang
a meeting or a task on another township's matter."""

from __future__ import annotations

import uuid

import pytest

from xinfang_desktop.domain.urgency import Urgency
from xinfang_desktop.services.meetings import MeetingInput, MeetingService, TaskInput

from .conftest import CITY, TOWNS, data_dump, forge, write_out
from .test_sync_entries import _records, rows

YONGFU, XINQIAO, SHUANGYANG = TOWNS


def hold_meeting(office, request: str = "要求追讨拖欠的工资") -> tuple:
    office.sync                                           # bind this office's database
    case = office.register(request=request)
    other = office.register(name="张三", request="要求修复村道")
    view = office.svc.get(MeetingService).add(office.admin, MeetingInput(
        kind="跟踪督办会", held_on="2026-11-02", chair="陈镇长", units=["镇劳动保障所", "镇村建办"],
        matters=[case.number, other.number], summaries={case.number: "企业已承认拖欠"},
        tasks=[TaskInput(case.number, "镇劳动保障所", "核实拖欠工资数额", "2026-11-16"),
               TaskInput(other.number, "镇村建办", "勘查村道损毁情况", "2026-11-06")]))
    return case, other, view


def test_a_townships_meeting_and_tasks_arrive_at_the_city_and_a_closed_task_follows(offices, tmp_path):
    town, city = offices[YONGFU], offices[CITY]
    _case, _other, view = hold_meeting(town)
    town.export()
    [r] = city.import_(write_out(town, tmp_path / "s1"))
    assert r.outcome == "applied" and r.quarantined_records == 0, r.message
    for table in ("meeting", "meeting_task"):
        assert rows(city, table) == rows(town, table) and rows(town, table), table
    city.sync
    at_city = city.svc.get(MeetingService)
    tasks = at_city.open_tasks(city.admin)
    assert [(t.owner_unit, t.unit, t.urgency) for t in tasks] == [
        (YONGFU, "镇村建办", Urgency.AMBER), (YONGFU, "镇劳动保障所", Urgency.GREEN)]
    assert at_city.get(city.admin, view.id).matters[0].summary == "企业已承认拖欠"
    # the city may not close a township's task: only the office that held the meeting changes it
    with pytest.raises(Exception, match="只能由该单位修改"):
        at_city.close_task(city.admin, tasks[0].id, "已完成")

    town.sync
    town.clock.advance(days=3)
    town.svc.get(MeetingService).close_task(town.admin, tasks[0].id, "已勘查，方案报镇政府")
    sent = town.export()
    assert len(sent) == 1 and sent[0].record_count == 1              # the closed task alone, as version 2
    [r] = city.import_(write_out(town, tmp_path / "s2", sent))
    assert r.outcome == "applied", r.message
    assert rows(city, "meeting_task") == rows(town, "meeting_task")
    city.sync
    assert [t.unit for t in city.svc.get(MeetingService).open_tasks(city.admin)] == ["镇劳动保障所"]
    # and the case's view at the city shows the township's closed task and its meeting
    detail = city.svc.queries.detail(city.admin, tasks[0].case_number)
    assert any(t.kind == "meeting_task" and "已勘查" in t.summary for t in detail.timeline)


def test_the_city_sees_every_townships_meeting_tasks(offices, tmp_path):
    city = offices[CITY]
    for code in (YONGFU, XINQIAO):
        town = offices[code]
        hold_meeting(town)
        town.export()
        [r] = city.import_(write_out(town, tmp_path / code))
        assert r.outcome == "applied", r.message
    city.sync
    tasks = city.svc.get(MeetingService).open_tasks(city.admin)
    assert sorted({t.owner_unit for t in tasks}) == sorted([YONGFU, XINQIAO]) and len(tasks) == 4
    assert {t.owner_name for t in tasks} >= {"永福镇信访办", "新桥镇信访办"}


@pytest.mark.parametrize("table", ["meeting", "meeting_task"])
def test_a_meeting_hung_on_another_townships_matter_refuses_the_bundle(offices, tmp_path, unit_keys, table):
    a, b, city = offices[YONGFU], offices[SHUANGYANG], offices[CITY]
    hold_meeting(a)
    case_b, _, _ = hold_meeting(b)
    b.export()
    [r] = city.import_(write_out(b, tmp_path / "b"))
    assert r.outcome == "applied", r.message
    own = _records(a, "person", "case", "case_party", "case_event", "meeting", "meeting_task")
    row = dict(next(r for r in own if r["t"] == table), id=str(uuid.uuid4()))
    if table == "meeting":
        row["case_ids"] = [case_b.id]
        row["summaries"] = {}
    else:
        row["case_id"] = case_b.id
    path = tmp_path / f"{table}.xfb"
    path.write_bytes(forge(unit_keys, YONGFU, CITY, seq=1, prev="genesis", records=own + [row]))
    before = data_dump(city), rows(city, "meeting"), rows(city, "meeting_task")
    [r] = city.import_([path])
    assert r.outcome == "rejected", r.message
    assert f"（{table}）" in r.message and row["id"] in r.message and "双洋镇" in r.message
    assert (data_dump(city), rows(city, "meeting"), rows(city, "meeting_task")) == before


def test_a_meeting_record_with_words_of_watching_people_is_quarantined(offices, tmp_path, unit_keys):
    a, city = offices[YONGFU], offices[CITY]
    hold_meeting(a)
    own = _records(a, "person", "case", "case_party", "case_event", "meeting", "meeting_task")
    task = next(r for r in own if r["t"] == "meeting_task")
    task["what"] = "掌握信访人行踪"
    path = tmp_path / "words.xfb"
    path.write_bytes(forge(unit_keys, YONGFU, CITY, seq=1, prev="genesis", records=own))
    [r] = city.import_([path])
    assert r.quarantined_records == 1, r.message
    assert not [t for t in rows(city, "meeting_task") if "行踪" in str(t)]
