"""The board, 包案, hardship, overrides and follow-ups on a real database, as a leader sees them."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.domain.board import Colour
from xinfang_desktop.domain.errors import InvalidInput, PermissionDenied
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.attention import HardshipService, OwnershipService
from xinfang_desktop.services.board import BoardFilter, BoardService
from xinfang_desktop.services.permissions import Role
from xinfang_desktop.store.models import AuditEntry
from xinfang_desktop.store.models_attention import ColourOverride, HardshipFlag, LeaderAssignment


@pytest.fixture
def leader(services, admin):
    return services.auth.add_user(admin, "leader1", Role.LEADER, "leader-pass-1", "李镇长")


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def routed(services, clerk, handler, clock, **reg):
    ref = services.cases.register(clerk, make_registration(**reg))
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    return ref


def card_of(services, actor, name="欧阳娜娜", view="matter"):
    """The card of the matter whose parties are `name` (or, by person, of that person)."""
    return next((c for c in services.get(BoardService).board(actor, view=view).cards if c.name == name), None)


def test_case_moves_from_yellow_to_red_to_green_and_off_the_board(services, clerk, handler, admin, clock):
    ref = routed(services, clerk, handler, clock)
    card = card_of(services, admin)
    assert card.colour == Colour.YELLOW
    assert card.reason_texts() == ["办理中，按期推进，办理期限至2027-01-04"]
    person = card_of(services, admin, view="person")          # the grouping by person, on screen only
    assert person.id_masked == "110105********002X" and person.township == "永福镇"
    assert person.reason_texts() == card.reason_texts()
    clock.advance(days=65)                                   # 2027-01-06: two days past the limit (due 2027-01-04, after the New Year holiday)
    card = card_of(services, admin)
    assert card.colour == Colour.RED and card.reason_texts() == ["办理期限已于2027-01-04届满（超期2天）"]
    services.cases.act(handler, ref.number, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "支持", "text": "责成企业支付工资"})
    card = card_of(services, admin)
    assert card.colour == Colour.GREEN
    assert card.reason_texts() == ["已于2027-01-06书面答复，待回访（回访期限2027-02-05）"]
    assert services.get(BoardService).followups_due(admin, within_days=40)[0][2] == ref.number
    services.cases.act(handler, ref.number, EventKind.FOLLOWED_UP, {"method": "phone", "rating": "满意"})
    assert card_of(services, admin) is None


def test_group_matter_and_repeat_petitions_are_red(services, clerk, handler, admin, clock):
    services.cases.register(clerk, make_registration(
        people_count=8, petitioners=[PetitionerInput(name="张伟", phone="13700000000", is_representative=True)]))
    card = card_of(services, admin, "张伟等8人")
    assert card.colour == Colour.RED and card.reason_texts() == ["集体访事项（8人）尚未办结"]
    first = services.cases.register(clerk, make_registration())
    clock.advance(days=20)
    second = services.cases.register(clerk, make_registration(received_at=clock.now(), repeat_of=first.number))
    assert not any("同一事项" in t for t in card_of(services, admin).reason_texts())
    clock.advance(days=20)
    third = services.cases.register(clerk, make_registration(received_at=clock.now(), repeat_of=second.number))
    card = card_of(services, admin)
    assert card.colour == Colour.RED and len(card.grade.matters) == 3
    assert card.reason_texts()[0] == f"90日内就同一事项信访3次，均未获书面答复〔{third.number}〕"


def test_leader_assignment_is_orange_listed_and_audited(services, clerk, handler, admin, leader, clock):
    ref = routed(services, clerk, handler, clock)
    own = services.get(OwnershipService)
    with pytest.raises(PermissionDenied, match="只有领导或管理员"):
        own.assign(handler, ref.number, "leader1", "约谈企业负责人", "2026-12-15")
    with pytest.raises(InvalidInput, match="早于今天"):
        own.assign(leader, ref.number, "leader1", "约谈企业负责人", "2026-10-01")
    with pytest.raises(InvalidInput, match="不是领导"):
        own.assign(admin, ref.number, "handler1", "约谈企业负责人", "2026-12-15")
    assert LeaderAssignment.select().count() == 0
    a = own.assign(leader, ref.number, "李镇长", "约谈企业负责人，督促分期支付", "2026-12-15")
    assert a.leader_display == "李镇长" and [x.case_number for x in own.owned_by("leader1")] == [ref.number]
    card = card_of(services, admin)
    assert card.colour == Colour.ORANGE and card.grade.owner == "李镇长"
    assert card.reason_texts() == ["李镇长包案，目标2026-12-15前化解"]
    assert services.get(BoardService).board(admin, BoardFilter(leader="李镇长")).cards
    assert not services.get(BoardService).board(admin, BoardFilter(leader="")).cards
    # A new assignment replaces the old one, which is kept as history.
    own.assign(admin, ref.number, "admin", "由管理员牵头", "2026-12-20")
    assert own.current(ref.id).leader_name == "admin" and LeaderAssignment.select().count() == 2
    assert AuditEntry.select().where(AuditEntry.action == "attention.assign_leader").count() == 2


def test_hardship_flag_referral_and_clearing_need_reasons(services, clerk, handler, admin, clock):
    ref = routed(services, clerk, handler, clock)
    person_id = card_of(services, admin).petitioners[0].person_id
    hs = services.get(HardshipService)
    with pytest.raises(InvalidInput, match="急难类别无效"):
        hs.flag(clerk, person_id, "失踪")
    flag = hs.flag(clerk, person_id, "工资被拖欠", "半年未发工资，子女学费无着落", ref.number)
    card = card_of(services, admin)
    assert card.colour == Colour.RED
    assert card.reason_texts() == ["急难情况（工资被拖欠）：半年未发工资，子女学费无着落"]
    referral = hs.refer(clerk, flag.id, "社会救助", "永福镇民政办")
    hs.referral_outcome(clerk, referral.id, "已发放临时救助金2000元")
    assert hs.of_person(person_id)[0].referrals[0].outcome == "已发放临时救助金2000元"
    with pytest.raises(InvalidInput, match="解除理由不能为空"):
        hs.clear(clerk, flag.id, "  ")
    assert HardshipFlag.get_by_id(flag.id).cleared_at is None
    hs.clear(clerk, flag.id, "工资已结清")
    assert card_of(services, admin).colour == Colour.YELLOW


def test_override_is_shown_audited_and_lapses_when_facts_change(services, clerk, handler, admin, leader, clock):
    ref = routed(services, clerk, handler, clock)
    clock.advance(days=65)
    board = services.get(BoardService)
    card = card_of(services, admin)
    assert card.colour == Colour.RED
    with pytest.raises(PermissionDenied):
        board.override(handler, ref.number, "橙B", "企业已同意支付")
    with pytest.raises(InvalidInput, match="理由"):
        board.override(leader, ref.number, "橙B", "  ")
    assert ColourOverride.select().count() == 0
    card = board.override(leader, ref.number, "橙B", "企业已同意本周内支付，暂按橙色跟踪")
    assert card.colour == Colour.ORANGE and card.grade.computed == Colour.RED
    assert card.override_text() == "李镇长于2027-01-06将颜色由红色调低为橙色：企业已同意本周内支付，暂按橙色跟踪"
    assert card.reason_texts() == ["办理期限已于2027-01-04届满（超期2天）"]
    entry = AuditEntry.get(AuditEntry.action == "attention.override")
    assert entry.actor == "leader1" and entry.detail["reason"].startswith("企业已同意")
    services.cases.act(handler, ref.number, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "支持", "text": "责成企业支付工资"})
    card = card_of(services, admin)
    assert card.colour == Colour.GREEN and card.grade.override is None and card.grade.lapsed is not None


def test_filters_and_settings(services, clerk, handler, admin, clock):
    routed(services, clerk, handler, clock)
    services.cases.register(clerk, make_registration(
        category_code="0301", request="反映道路施工影响出行",
        petitioners=[PetitionerInput(name="张伟", phone="13700000000", township_code="350881104000")]))
    board = services.get(BoardService)
    assert {c.name for c in board.board(admin, BoardFilter(township="350881104000")).cards} == {"张伟"}
    assert {c.name for c in board.board(admin, BoardFilter(category="04")).cards} == {"欧阳娜娜"}
    assert {c.name for c in board.board(admin, BoardFilter(colour=Colour.YELLOW)).cards} == {"欧阳娜娜", "张伟"}
    with pytest.raises(PermissionDenied):
        board.save_settings(clerk, repeat_count=2)
    with pytest.raises(InvalidInput):
        board.save_settings(admin, due_soon_days=0)
    board.save_settings(admin, due_soon_days=60)
    assert board.settings().due_soon_days == 60
    card = card_of(services, admin, "张伟")
    assert card.colour == Colour.ORANGE
    assert card.reason_texts() == ["受理告知／转送交办期限将于2026-11-17届满（剩15天）"]


def test_printed_board_states_the_rules_in_force(services, admin):
    board = services.get(BoardService)
    board.save_settings(admin, repeat_window_days=60, long_standing_days=120)
    text = text_of(board.print_board(admin).pdf)
    assert "60日内同一事项信访3次以上" in text and "超过120天" in text
    assert "90日内" not in text and "超过180天" not in text


def test_workbench_shows_follow_ups_due_and_the_leaders_own_cases(services, clerk, handler, admin, leader, clock):
    from xinfang_desktop.services import attention_workbench  # noqa: F401 - registers the sections
    from xinfang_desktop.services.workbench import WorkbenchService

    owned = routed(services, clerk, handler, clock)
    services.get(OwnershipService).assign(leader, owned.number, "leader1", "约谈企业负责人", "2026-12-15")
    replied = routed(services, clerk, handler, clock, request="反映道路施工影响出行", category_code="0301")
    services.cases.act(handler, replied.number, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "支持", "text": "已责成施工单位整改"})
    wb = services.get(WorkbenchService)
    assert wb.load(admin).section("followup_due").total == 0            # due 2026-12-02, not within 7 days
    clock.advance(days=27)                                              # 2026-11-29
    followups = wb.load(admin).section("followup_due")
    assert [i.title for i in followups.items] == [replied.number] and followups.items[0].due == date(2026, 12, 2)
    mine = wb.load(leader).section("leader_owned")
    assert [i.title for i in mine.items] == [owned.number] and "李镇长包案：约谈企业负责人" in mine.items[0].detail
    services.cases.act(handler, replied.number, EventKind.FOLLOWED_UP, {"method": "visit", "rating": "基本满意"})
    assert wb.load(admin).section("followup_due").total == 0


def test_follow_ups_due_are_the_decided_matters_not_followed_up_since_earliest_first(services, clerk, handler, admin,
                                                                                       clock):
    """待回访 read from the case rows' cached decision and follow-up dates: a 回访 settles the decisions made up
    to its day, a 复查 decided after it asks for another; the workbench shows the first lines and counts all."""
    from xinfang_desktop.services import attention_workbench  # noqa: F401 - registers the sections
    from xinfang_desktop.services.workbench import WorkbenchService

    def replied(request: str):
        ref = routed(services, clerk, handler, clock, request=request)
        services.cases.act(handler, ref.number, EventKind.REPLIED,
                           {"basis": "《保障农民工工资支付条例》第三条", "outcome": "rejected", "text": "不予支持"})
        return ref

    first = replied("要求补发工资一")
    same_day = replied("要求补发工资二")
    services.cases.act(handler, same_day.number, EventKind.FOLLOWED_UP, {"method": "phone", "rating": "满意"})
    reviewed = replied("要求补发工资三")
    services.cases.act(handler, reviewed.number, EventKind.FOLLOWED_UP, {"method": "phone", "rating": "不满意"})
    clock.advance(days=5)
    later = replied("要求补发工资四")
    clock.advance(days=3)
    services.cases.act(handler, reviewed.number, EventKind.REVIEW_REQUESTED, {"reason": "不服处理意见"})
    services.cases.act(handler, reviewed.number, EventKind.REVIEW_DECIDED, {"disposition": "uphold", "text": "维持原意见"})
    routed(services, clerk, handler, clock, request="尚未答复的事项")                  # nothing decided: no 回访

    board = services.get(BoardService)
    start = date(2026, 11, 2)                    # the clock's first day; the 回访 period is 30 days
    everything = board.followups_due(admin, within_days=400)
    assert [(n, due) for due, _id, n, _p in everything] == [
        (first.number, date(2026, 12, 2)), (later.number, date(2026, 12, 7)), (reviewed.number, date(2026, 12, 10))]
    assert board.followups_due_count(admin, within_days=400) == 3
    assert [n for _d, _i, n, _p in board.followups_due(admin, within_days=400, limit=2)] == [first.number, later.number]
    # due within the next 24 days of 2026-11-10: only the first
    assert clock.today() == start.replace(day=10)
    assert [n for _d, _i, n, _p in board.followups_due(admin, within_days=22)] == [first.number]
    assert board.followups_due_count(admin, within_days=22) == 1

    section = services.get(WorkbenchService).section(admin, "followup_due", limit=2)
    assert [i.title for i in section.items] == [] and section.total == 0       # none due within the board's 7 days
    clock.advance(days=30)                                                       # 2026-12-10: all three late or due
    section = services.get(WorkbenchService).section(admin, "followup_due", limit=2)
    assert [i.title for i in section.items] == [first.number, later.number] and section.total == 3
    assert section.items[0].note == "已逾期8天"


def test_a_case_shows_its_baoan_and_another_desks_baoan_changes_its_revision(services, clerk, handler, admin,
                                                                              leader, clock):
    """包案 is a line of the case's 办理过程 (who, the plan, the target date); a new one made on another desk
    changes the case's revision, so a case view open elsewhere says the case was updated."""
    ref = routed(services, clerk, handler, clock)
    q = services.queries
    shown = q.detail(admin, ref.number)
    assert q.revision(ref.id) == shown.revision and not [t for t in shown.timeline if t.label == "包案"]
    clock.advance(minutes=5)
    services.get(OwnershipService).assign(leader, ref.number, "leader1", "约谈企业负责人", "2026-12-15")
    assert q.revision(ref.id) != shown.revision
    again = q.detail(admin, ref.number)
    assert [(t.summary, t.actor, t.occurred_at) for t in again.timeline if t.label == "包案"] == [
        ("李镇长包案：约谈企业负责人（目标化解日期2026-12-15）", "leader1", clock.now())]
    assert q.revision(ref.id) == again.revision
