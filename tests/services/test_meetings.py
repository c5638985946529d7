"""Meetings (issue 19): the record of a 跟踪督办会 and its tasks, the tasks' deadlines turning amber and red by the
board's 临近到期天数 (the clock mocked only), closing a task, the case's view, and the 会议纪要 read back."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import InvalidInput, NotAllowed, NotFound
from xinfang_desktop.domain.urgency import Urgency
from xinfang_desktop.services.board import BoardService
from xinfang_desktop.services.meetings import MeetingInput, MeetingKind, MeetingService, TaskInput
from xinfang_desktop.store.models import AuditEntry
from xinfang_desktop.store.models_meetings import Meeting, MeetingTask


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


@pytest.fixture
def two_cases(services, clerk):
    wages = services.cases.register(clerk, make_registration())
    road = services.cases.register(clerk, make_registration(request="要求修复村道", category_code="0301"))
    return wages, road


def monthly(wages, road, **kw) -> MeetingInput:
    seq_w, seq_r = wages.number[-4:].lstrip("0"), road.number[-4:].lstrip("0")
    fields = dict(kind="跟踪督办会", held_on="2026-11-02", chair="陈镇长", place="镇政府三楼会议室",
                  units=["镇劳动保障所、镇司法所", "镇村建办"], matters=[seq_w, f"2026-{seq_r}"],
                  tasks=[TaskInput(seq_w, "镇劳动保障所", "核实拖欠工资数额，约谈用工企业", "2026-11-16"),
                         TaskInput(seq_w, "镇司法所", "引导申请劳动仲裁", "2026-11-30"),
                         TaskInput(seq_r, "镇村建办", "勘查村道损毁情况，提出修复方案", "2026-11-12")],
                  summaries={seq_w: "企业已承认拖欠三个月工资"})
    fields.update(kw)
    return MeetingInput(**fields)


def test_a_monthly_meeting_is_recorded_with_its_matters_and_tasks_by_short_numbers(services, clerk, two_cases):
    wages, road = two_cases
    view = services.get(MeetingService).add(clerk, monthly(wages, road))
    assert view.kind is MeetingKind.TRACKING and view.held_on == date(2026, 11, 2) and view.issue == 1
    assert view.units == ("镇劳动保障所", "镇司法所", "镇村建办")          # 、 separates units typed in one box
    assert [m.number for m in view.matters] == [wages.number, road.number]
    assert view.matters[0].summary == "企业已承认拖欠三个月工资"
    assert [(t.case_number, t.unit, t.due_on) for t in view.tasks] == [
        (wages.number, "镇劳动保障所", date(2026, 11, 16)), (wages.number, "镇司法所", date(2026, 11, 30)),
        (road.number, "镇村建办", date(2026, 11, 12))]
    assert view.open_tasks == 3
    assert MeetingTask.select().where(MeetingTask.unit_code == clerk.unit_code).count() == 3
    assert AuditEntry.select().where(AuditEntry.action == "meeting.add").count() == 1
    again = services.get(MeetingService).get(clerk, view.id[:8])              # a meeting by its short id
    assert again.id == view.id
    # a second monthly meeting the same year is 第2期
    services.clock.advance(days=30)
    second = services.get(MeetingService).add(clerk, monthly(wages, road, held_on="2026-12-01", tasks=[]))
    assert second.issue == 2
    assert [m.held_on for m in services.get(MeetingService).list(clerk)] == [date(2026, 12, 1), date(2026, 11, 2)]



def test_meetings_held_the_same_day_are_numbered_in_the_order_they_were_recorded(services, clerk, two_cases):
    wages, road = two_cases
    meetings = services.get(MeetingService)
    ids = []
    for _ in range(6):                       # six random ids in recording order: 1 chance in 720
        services.clock.advance(minutes=5)
        ids.append(meetings.add(clerk, monthly(wages, road, tasks=[])).id)
    assert [meetings.get(clerk, i).issue for i in ids] == [1, 2, 3, 4, 5, 6]

@pytest.mark.parametrize("change, message", [
    (dict(kind="座谈会"), "会议类型无效"),
    (dict(held_on="2026-11-03"), "晚于今天"),
    (dict(chair=""), "主持人"),
    (dict(units=[]), "参会单位"),
    (dict(matters=[]), "研究的事项"),
    (dict(matters=["9999"]), "找不到编号以“09999”结尾的事项"),
    (dict(tasks=[TaskInput("1", "镇村建办", "勘查", "2026-11-02")]), "应晚于会议日期"),
    (dict(tasks=[TaskInput("1", "", "勘查", "2026-11-12")]), "责任单位"),
    (dict(tasks=[TaskInput("1", "派出所", "掌握信访人行踪", "2026-11-12")]), "行踪"),
    (dict(summaries={"1": "对信访人稳控"}), "稳控"),
])
def test_a_bad_meeting_is_refused_before_anything_is_written(services, clerk, two_cases, change, message):
    wages, road = two_cases
    with pytest.raises((InvalidInput, NotFound), match=message):
        services.get(MeetingService).add(clerk, monthly(wages, road, **change))
    assert Meeting.select().count() == 0 and MeetingTask.select().count() == 0


def test_a_task_on_a_matter_not_discussed_is_refused(services, clerk, two_cases):
    wages, road = two_cases
    other = services.cases.register(clerk, make_registration(request="要求解决宅基地纠纷", category_code="0201"))
    with pytest.raises(InvalidInput, match="不在本次会议研究的事项中"):
        services.get(MeetingService).add(clerk, monthly(wages, road, tasks=[
            TaskInput(other.number, "镇国土所", "调查", "2026-11-20")]))
    assert Meeting.select().count() == 0


def test_tasks_turn_amber_and_red_by_the_boards_due_soon_setting_and_close_with_a_result(services, admin, clerk,
                                                                                         two_cases, clock):
    wages, road = two_cases
    meetings = services.get(MeetingService)
    view = meetings.add(clerk, monthly(wages, road))
    by_unit = {t.unit: t for t in meetings.open_tasks(clerk)}
    # 2026-11-02; board default 7 days: the 11-12 task is 10 days off, green
    assert {u: t.urgency for u, t in by_unit.items()} == {
        "镇村建办": Urgency.GREEN, "镇劳动保障所": Urgency.GREEN, "镇司法所": Urgency.GREEN}
    assert [t.unit for t in meetings.open_tasks(clerk)] == ["镇村建办", "镇劳动保障所", "镇司法所"]   # soonest first
    clock.advance(days=3)                                                   # 11-05: 11-12 is 7 days off
    assert {t.unit: t.urgency for t in meetings.open_tasks(clerk)}["镇村建办"] is Urgency.AMBER
    services.get(BoardService).save_settings(admin, due_soon_days=3)        # the one due-soon setting
    assert {t.unit: t.urgency for t in meetings.open_tasks(clerk)}["镇村建办"] is Urgency.GREEN
    clock.advance(days=8)                                                   # 11-13: past 11-12
    tasks = {t.unit: t for t in meetings.open_tasks(clerk)}
    assert tasks["镇村建办"].urgency is Urgency.RED and tasks["镇村建办"].state_text(clock.today()) == "■ 超期1天"
    assert tasks["镇劳动保障所"].urgency is Urgency.AMBER                    # 11-16, 3 days off
    closed = meetings.close_task(clerk, tasks["镇村建办"].id[:8], "已勘查，修复方案报镇政府")
    assert closed.closed_on == date(2026, 11, 13) and closed.urgency is None
    assert closed.state_text(clock.today()) == "已于2026-11-13完成（逾期完成）"
    assert MeetingTask.get_by_id(closed.id).version == 2                    # an owned row's change travels
    assert [t.unit for t in meetings.open_tasks(clerk)] == ["镇劳动保障所", "镇司法所"]
    with pytest.raises(InvalidInput, match="不能重复办结"):
        meetings.close_task(clerk, closed.id, "再次")
    with pytest.raises(InvalidInput, match="完成情况"):
        meetings.close_task(clerk, tasks["镇司法所"].id, "  ")
    with pytest.raises(InvalidInput, match="晚于今天"):
        meetings.close_task(clerk, tasks["镇司法所"].id, "完成", "2026-11-14")
    assert meetings.get(clerk, view.id).open_tasks == 2


def test_only_the_office_that_held_the_meeting_closes_its_tasks(services, clerk, two_cases):
    wages, road = two_cases
    meetings = services.get(MeetingService)
    meetings.add(clerk, monthly(wages, road))
    task = MeetingTask.select().first()
    MeetingTask.update(unit_code="350881100000").where(MeetingTask.id == task.id).execute()   # another office's
    with pytest.raises(NotAllowed, match="只能由该单位修改"):
        meetings.close_task(clerk, task.id, "完成")


def test_the_case_shows_its_meetings_and_tasks_as_deadlines_and_in_its_timeline(services, clerk, two_cases, clock):
    wages, road = two_cases
    meetings = services.get(MeetingService)
    meetings.add(clerk, monthly(wages, road))
    clock.advance(days=11)                                                  # 11-13
    detail = services.queries.detail(clerk, wages.number)
    tasks = [d for d in detail.deadlines if d.key == "meeting_task"]
    assert [(d.label, d.due, d.urgency) for d in tasks] == [
        ("会议任务（镇劳动保障所）：核实拖欠工资数额，约谈用工企业", date(2026, 11, 16), "amber"),
        ("会议任务（镇司法所）：引导申请劳动仲裁", date(2026, 11, 30), "green")]
    meeting_lines = [t for t in detail.timeline if t.kind == "meeting"]
    assert len(meeting_lines) == 1 and "跟踪督办会（主持：陈镇长）研究本事项：企业已承认拖欠三个月工资" in meeting_lines[0].summary
    task = next(t for t in meetings.tasks_of_case(wages.id) if t.unit == "镇司法所")
    meetings.close_task(clerk, task.id, "已引导申请仲裁")
    detail = services.queries.detail(clerk, wages.number)
    done = next(d for d in detail.deadlines if d.label.startswith("会议任务（镇司法所）"))
    assert done.met_on == date(2026, 11, 13) and done.urgency is None
    assert any(t.kind == "meeting_task" and "已引导申请仲裁" in t.summary for t in detail.timeline)
    # the other case sees only its own task
    assert [d.label for d in services.queries.detail(clerk, road.number).deadlines if d.key == "meeting_task"] == [
        "会议任务（镇村建办）：勘查村道损毁情况，提出修复方案"]


def test_the_minutes_print_on_one_page_with_every_matter_and_task(services, clerk, two_cases):
    wages, road = two_cases
    meetings = services.get(MeetingService)
    view = meetings.add(clerk, monthly(wages, road, notes="下次会议于12月初召开，逾期任务由镇信访办提请督办。"))
    doc = meetings.minutes(clerk, view.id)
    assert doc.ok and doc.pages == 1 and doc.title == "跟踪督办会纪要"
    text = text_of(doc.pdf)
    for expected in ("跟踪督办会纪要", "2026年第1期", "时间：2026年11月2日", "主持：陈镇长", "地点：镇政府三楼会议室",
                     "镇劳动保障所、镇司法所、镇村建办", wages.number, road.number, "要求追讨拖欠的工资",
                     "核实拖欠工资数额，约谈用工企业", "11月16日", "引导申请劳动仲裁", "11月30日",
                     "勘查村道损毁情况，提出修复方案", "11月12日", "会议研究了2件信访事项，议定任务3项",
                     "企业已承认拖欠三个月工资", "下次会议于12月初召开", "永福镇信访办公室"):
        assert expected in text, expected
    # no ID numbers, phones or names of petitioners: the minutes go to the units, about the matters
    assert "11010519491231002X" not in text and "13812345678" not in text and "欧阳娜娜" not in text
    assert AuditEntry.select().where(AuditEntry.action == "meeting.print").count() == 1


def test_a_meeting_of_eight_matters_still_fits_one_page(services, clerk):
    refs = [services.cases.register(clerk, make_registration(request=f"要求解决第{i}件事项涉及的补偿款发放问题" * 2))
            for i in range(8)]
    tasks = [TaskInput(r.number, "镇农业农村办", "核实补偿款发放情况并答复信访人", "2026-11-20") for r in refs]
    meetings = services.get(MeetingService)
    view = meetings.add(clerk, MeetingInput(kind="推进会", held_on="2026-11-02", chair="陈镇长", units=["镇农业农村办"],
                                            matters=[r.number for r in refs], tasks=tasks))
    doc = meetings.minutes(clerk, view.id)
    assert doc.pages == 1 and "推进会纪要" in text_of(doc.pdf)
