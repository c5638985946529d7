from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, strategies as st

from xinfang_desktop.domain import workflow as wf
from xinfang_desktop.domain.errors import InvalidInput, NotAllowed
from xinfang_desktop.domain.holidays import build_calendar
from xinfang_desktop.domain.workflow import DeadlineKey, Event, EventKind, Status

CAL = build_calendar()


def ev(i: int, event_kind: EventKind, at: datetime, **data) -> Event:
    return Event(f"00000000-0000-4000-8000-{i:012d}", event_kind, at, data)


T0 = datetime(2026, 3, 2, 9, 0)   # a Monday


def full_timeline() -> list[Event]:
    return [
        ev(1, EventKind.REGISTERED, T0, channel="visit"),
        ev(2, EventKind.ROUTED, T0 + timedelta(days=3), route="direct", unit="镇信访办"),
        ev(3, EventKind.NOTIFIED, T0 + timedelta(days=3, hours=1), method="书面"),
        ev(4, EventKind.EXTENDED, T0 + timedelta(days=40), days=30, reason="需调查", approver="镇长"),
        ev(5, EventKind.REPLIED, T0 + timedelta(days=70), outcome="explained", text="解释说明"),
        ev(6, EventKind.REVIEW_REQUESTED, T0 + timedelta(days=80)),
        ev(7, EventKind.REVIEW_DECIDED, T0 + timedelta(days=100), outcome="rejected", text="维持"),
        ev(8, EventKind.FOLLOWED_UP, T0 + timedelta(days=105), method="phone", rating="basically"),
        ev(9, EventKind.CLOSED, T0 + timedelta(days=106)),
        ev(10, EventKind.NOTE, T0 + timedelta(days=50), text="电话联系"),
    ]


def test_registration_sets_the_15_day_limit():
    s = wf.fold([ev(1, EventKind.REGISTERED, T0)], CAL)
    assert s.status == Status.REGISTERED
    assert s.deadline(DeadlineKey.ROUTE).due.date == date(2026, 3, 17)
    assert s.next_deadline.key == DeadlineKey.ROUTE
    assert not s.overdue_on(date(2026, 3, 17)) and s.overdue_on(date(2026, 3, 18))


def test_full_timeline_state():
    s = wf.fold(full_timeline(), CAL)
    assert s.status == Status.CLOSED
    assert s.extended and s.outcome == wf.Outcome.EXPLAINED and s.review_outcome == wf.Outcome.NOT_SUPPORTED
    assert s.rating == wf.Rating.BASICALLY
    handling = s.deadline(DeadlineKey.HANDLING)
    # 60 days from 2026-03-05 is 2026-05-04, a 劳动节 holiday; +30 more from that due date.
    assert handling.met_on == (T0 + timedelta(days=70)).date()
    assert not handling.met_late
    assert s.problems == ()
    assert s.next_deadline is None


def test_holiday_rolls_the_handling_limit():
    s = wf.fold(full_timeline()[:2], CAL)
    # 2026-03-05 + 60 days = 2026-05-04, inside the 劳动节 break (1–5 May 2026): moves to 6 May.
    assert s.deadline(DeadlineKey.HANDLING).due.date == date(2026, 5, 6)


@given(st.permutations(full_timeline()))
def test_any_insertion_order_gives_the_same_state(events):
    assert wf.fold(events, CAL) == wf.fold(full_timeline(), CAL)


def test_second_extension_is_refused():
    s = wf.fold(full_timeline()[:4], CAL)
    with pytest.raises(NotAllowed, match="已延期一次"):
        wf.check_allowed(s, EventKind.EXTENDED, date(2026, 4, 20))


def test_review_request_after_30_days_is_refused():
    s = wf.fold(full_timeline()[:5], CAL)
    replied = (T0 + timedelta(days=70)).date()
    wf.check_allowed(s, EventKind.REVIEW_REQUESTED, replied + timedelta(days=30))
    with pytest.raises(NotAllowed, match="申请复查期限已于"):
        wf.check_allowed(s, EventKind.REVIEW_REQUESTED, replied + timedelta(days=45))


def test_reply_to_refused_matter_is_refused():
    s = wf.fold([ev(1, EventKind.REGISTERED, T0),
                 ev(2, EventKind.REFUSED, T0 + timedelta(days=1), kind="not_accepted", ground="已进入诉讼程序")], CAL)
    assert s.status == Status.REFUSED
    with pytest.raises(NotAllowed, match="不予受理"):
        wf.check_allowed(s, EventKind.REPLIED, date(2026, 3, 5))
    assert EventKind.CLOSED in wf.allowed_actions(s, date(2026, 3, 5))


def test_extension_after_the_limit_passed_is_refused():
    s = wf.fold(full_timeline()[:2], CAL)
    with pytest.raises(NotAllowed, match="届满"):
        wf.check_allowed(s, EventKind.EXTENDED, date(2026, 5, 7))


def test_assign_sets_given_deadline_and_objection_window():
    s = wf.fold([ev(1, EventKind.REGISTERED, T0),
                 ev(2, EventKind.ROUTED, T0 + timedelta(days=1), route="assign", unit="市人社局",
                    deadline="2026-04-10")], CAL)
    assert s.deadline(DeadlineKey.HANDLING).due.date == date(2026, 4, 10)
    assert s.deadline(DeadlineKey.OBJECTION).due.date == date(2026, 3, 10)   # 5 working days after Tue 3 Mar
    assert s.next_deadline.key == DeadlineKey.HANDLING  # the objection window is the other unit's


def test_objection_returns_the_matter_for_routing():
    s = wf.fold([ev(1, EventKind.REGISTERED, T0),
                 ev(2, EventKind.ROUTED, T0 + timedelta(days=1), route="transfer", unit="市人社局"),
                 ev(3, EventKind.OBJECTED, T0 + timedelta(days=4), reason="不属本单位职责")], CAL)
    assert s.status == Status.REGISTERED and s.route is None
    assert s.next_deadline.key == DeadlineKey.ROUTE
    assert s.deadline(DeadlineKey.HANDLING) is None


def test_event_not_allowed_is_reported_not_applied():
    s = wf.fold([ev(1, EventKind.REGISTERED, T0),
                 ev(2, EventKind.REPLIED, T0 + timedelta(days=1), outcome="supported", text="x")], CAL)
    assert s.status == Status.REGISTERED
    assert len(s.problems) == 1 and "尚未受理" in s.problems[0]


def test_deadline_into_unknown_year_is_provisional():
    s = wf.fold([ev(1, EventKind.REGISTERED, datetime(2026, 11, 26, 10)),
                 ev(2, EventKind.ROUTED, datetime(2026, 11, 27, 10), route="direct")], CAL)
    assert s.deadline(DeadlineKey.HANDLING).due.provisional
    assert s.provisional


@pytest.mark.parametrize("kind,data,field", [
    (EventKind.EXTENDED, {"days": 31, "reason": "x", "approver": "y"}, "days"),
    (EventKind.EXTENDED, {"days": 10, "reason": "", "approver": "y"}, "reason"),
    (EventKind.ROUTED, {"route": "assign", "unit": "市人社局"}, "deadline"),
    (EventKind.ROUTED, {"route": "nowhere"}, "route"),
    (EventKind.REPLIED, {"outcome": "支持", "text": "a\x00b"}, "text"),
    (EventKind.REPLIED, {"outcome": "maybe", "text": "x"}, "outcome"),
    (EventKind.NOTE, {"text": "字" * 100_000}, "text"),
])
def test_invalid_action_data_names_the_field(kind, data, field):
    s = wf.fold([ev(1, EventKind.REGISTERED, T0)], CAL)
    with pytest.raises(InvalidInput) as err:
        wf.validate_event_data(kind, data, s, date(2026, 3, 3))
    assert err.value.field == field


def test_chinese_labels_are_accepted_for_choices():
    out = wf.validate_event_data(EventKind.REPLIED, {"outcome": "不予支持", "text": "理由", "basis": "《社会救助暂行办法》第九条"}, None, date(2026, 3, 3))
    assert out["outcome"] == "rejected"
