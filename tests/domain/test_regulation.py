"""The regulation's paths, one test per rule, each naming the article it follows (《信访工作条例》 2022,
read in reference/). Pure: the fold of a case's events and the checks of an action's data."""

from datetime import date, datetime, timedelta

import pytest

from xinfang_desktop.domain import statistics as st
from xinfang_desktop.domain import workflow as wf
from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.holidays import build_calendar
from xinfang_desktop.domain.matters import Matter, MatterType, parse_matter
from xinfang_desktop.domain.petition import is_group, is_joint
from xinfang_desktop.domain.workflow import DeadlineKey, Event, EventKind, Status

CAL = build_calendar()
T0 = datetime(2026, 3, 2, 9, 0)          # a Monday
CITY = "350881000000"


def ev(i: int, kind: EventKind, day: float, **data) -> Event:
    return Event(f"00000000-0000-4000-8000-{i:012d}", kind, T0 + timedelta(days=day), data)


def registered(matter: str | None = "claim", item: int | None = 6, **data) -> Event:
    extra = {"matter": matter, **({"claim_item": item} if item else {})} if matter else {}
    return ev(1, EventKind.REGISTERED, 0, channel="visit", **extra, **data)


def fold(*events: Event) -> wf.CaseState:
    return wf.fold(list(events), CAL)


def check(state: wf.CaseState, kind: EventKind, data: dict, day: date | None = None) -> dict:
    on = day or date(2026, 3, 4)
    wf.check_allowed(state, kind, on, data)
    return wf.validate_event_data(kind, data, state, on, CAL)


# -- the three kinds of matter (第二十九、三十、三十一条) ------------------------------------------------

def test_a_suggestion_is_studied_and_answered_without_review_rights_article_29():
    s = fold(registered("suggestion", None), ev(2, EventKind.ROUTED, 1, route="direct", notified=True))
    with pytest.raises(InvalidInput, match="答复结果"):
        check(s, EventKind.REPLIED, {"outcome": "supported", "text": "x"})
    data = check(s, EventKind.REPLIED, {"outcome": "部分采纳", "text": "已研究，部分采纳"})
    s = fold(registered("suggestion", None), ev(2, EventKind.ROUTED, 1, route="direct", notified=True),
             ev(3, EventKind.REPLIED, 20, **data))
    assert s.status == Status.REPLIED and s.answer == wf.Answer.PARTLY and s.outcome is None
    assert s.deadline(DeadlineKey.REVIEW_REQUEST) is None               # no 复查: not a 处理意见书
    assert "没有复查程序" in wf.why_not(s, EventKind.REVIEW_REQUESTED, date(2026, 3, 25))


def test_an_accusation_is_forwarded_never_decided_here_article_30():
    s = fold(registered("accusation", None))
    assert s.matter.routes() == ("transfer",)
    for route in ("direct", "assign", "other"):
        assert "检举控告类事项应当转送" in wf.why_not(s, EventKind.ROUTED, date(2026, 3, 3), {"route": route})
    s = fold(registered("accusation", None), ev(2, EventKind.ROUTED, 1, route="transfer", unit="市纪委监委",
                                                 notified=True))
    assert s.status == Status.TRANSFERRED and not s.is_open
    assert wf.why_not(s, EventKind.REPLIED, date(2026, 3, 5)) is not None


@pytest.mark.parametrize("item", [1, 2, 3, 4, 5])
def test_claims_of_items_one_to_five_lead_out_to_their_procedure_article_31(item):
    s = fold(registered("claim", item))
    assert set(s.matter.routes()) == {"other", "transfer"}
    assert "导入相应的法定程序" in wf.why_not(s, EventKind.ROUTED, date(2026, 3, 3), {"route": "direct"})
    s = fold(registered("claim", item), ev(2, EventKind.ROUTED, 1, route="other", unit="劳动人事争议仲裁委员会"))
    assert s.status == Status.REDIRECTED
    assert s.deadline(DeadlineKey.NOTICE).met_on == date(2026, 3, 3)      # the lead-out notice is the written notice
    assert not s.matter.decides


def test_a_claim_of_item_six_gets_a_decision_within_60_days_article_34():
    s = fold(registered("claim", 6), ev(2, EventKind.ROUTED, 1, route="direct", notified=True))
    assert s.matter.decides and s.matter.has_review
    # 3 March + 60 = 2 May, inside the Labour Day holiday (1–5 May 2026): the next working day
    assert s.deadline(DeadlineKey.HANDLING).due.date == date(2026, 5, 6)
    with pytest.raises(InvalidInput, match="法律法规依据"):                # the basis is chosen, never defaulted
        check(s, EventKind.REPLIED, {"outcome": "supported", "text": "支持"})


def test_the_kind_can_be_corrected_before_routing_and_a_legacy_case_keeps_every_path():
    s = fold(registered(None), ev(2, EventKind.NOTE, 0.1, text="x"))
    assert s.matter.legacy and "other" in s.matter.routes()
    data = check(fold(registered("claim", 6)), EventKind.RECLASSIFIED, {"matter": "claim2", "reason": "劳动争议"})
    s = fold(registered("claim", 6), ev(2, EventKind.RECLASSIFIED, 0.5, **data))
    assert s.matter == Matter(MatterType.CLAIM, 2)
    s = fold(registered("claim", 6), ev(2, EventKind.ROUTED, 1, route="direct"))
    assert "只有尚未选择办理途径" in wf.why_not(s, EventKind.RECLASSIFIED, date(2026, 3, 4))
    assert parse_matter("检举控告") == Matter(MatterType.ACCUSATION, None)


# -- whose deadline (第二十二、二十三、三十四、三十五、三十六条) ----------------------------------------------

def test_a_transfer_ends_this_office_duty_once_the_petitioner_is_told_articles_22_23():
    s = fold(registered(), ev(2, EventKind.ROUTED, 1, route="transfer", unit="市人社局"))
    assert s.status == Status.HANDLING                                     # told nothing yet
    assert s.deadline(DeadlineKey.HANDLING) is None                        # not this office's 60 days
    assert s.next_deadline.key == DeadlineKey.NOTICE and s.next_deadline.due.date == date(2026, 3, 17)
    assert "无需办结" in wf.why_not(s, EventKind.CLOSED, date(2026, 3, 5))
    s = fold(registered(), ev(2, EventKind.ROUTED, 1, route="transfer", unit="市人社局"),
             ev(3, EventKind.NOTIFIED, 2, method="书面"))
    assert s.status == Status.TRANSFERRED and not s.is_open
    assert s.next_deadline is None and not s.overdue_on(date(2027, 1, 1))
    assert st.stat_facts(s).flags & st.TRANSFERRED


def test_an_assigned_unit_has_60_days_and_30_more_at_most_article_34():
    s = fold(registered())
    on = date(2025, 9, 25)
    with pytest.raises(InvalidInput, match="交办期限过长"):
        wf.validate_event_data(EventKind.ROUTED, {"route": "assign", "unit": "市人社局", "deadline": "2026-01-03"},
                               s, on, CAL)
    # 60 days from 25 Sep 2025 end on 24 Nov 2025; the 2 Feb 2027 is far beyond any lawful limit
    data = wf.validate_event_data(EventKind.ROUTED, {"route": "assign", "unit": "市人社局", "deadline": "2025-11-24"},
                                  s, on, CAL)
    routed = Event("r", EventKind.ROUTED, datetime(2025, 9, 25, 10), data)
    start = Event("g", EventKind.REGISTERED, datetime(2025, 9, 24, 9), {"channel": "visit", "matter": "claim",
                                                                          "claim_item": 6})
    s = wf.fold([start, routed], CAL)
    assert s.handling_cap == date(2025, 12, 24)
    assert wf.validate_event_data(EventKind.EXTENDED, {"days": 30, "reason": "复杂", "approver": "镇长"},
                                  s, date(2025, 11, 1))["days"] == 30
    early = Event("r2", EventKind.ROUTED, datetime(2025, 9, 25, 10), {**data, "deadline": "2025-11-30"})
    s = wf.fold([start, early], CAL)
    with pytest.raises(InvalidInput, match="最多还能延长24日"):
        wf.validate_event_data(EventKind.EXTENDED, {"days": 30, "reason": "复杂", "approver": "镇长"},
                               s, date(2025, 11, 1))


def _replied(delivered: str | None = None) -> list[Event]:
    reply = {"outcome": "rejected", "text": "不予支持", "basis": "《土地管理法》第四十八条"}
    if delivered:
        reply["delivered_on"] = delivered
    return [registered(), ev(2, EventKind.ROUTED, 1, route="direct", notified=True),
            ev(3, EventKind.REPLIED, 16, **reply)]


def test_a_review_asked_of_the_superior_is_not_this_office_deadline_article_35():
    s = fold(*_replied("2026-03-18"), ev(4, EventKind.REVIEW_REQUESTED, 20, body="漳平市人民政府"))
    review = s.deadline(DeadlineKey.REVIEW)
    assert s.status == Status.REVIEWING and review.holder == wf.SUPERIOR
    assert not review.held_by("350881102000") and not review.held_by(None)
    assert s.next_deadline is None and not s.overdue_on(date(2026, 6, 1))   # the township is never overdue for it
    assert not (st.stat_facts(s).open_limit or False)


def test_where_this_office_is_the_superior_the_30_days_are_its_own_article_35():
    s = fold(*_replied("2026-03-18"), ev(4, EventKind.REVIEW_REQUESTED, 20, reviewer=CITY))
    review = s.deadline(DeadlineKey.REVIEW)
    assert review.holder == CITY and review.held_by(CITY) and not review.held_by("350881102000")
    assert s.next_deadline_for(CITY).key == DeadlineKey.REVIEW and s.next_deadline_for("350881102000") is None
    # the township's own record of the same request, arriving later by sync, changes nothing
    s2 = fold(*_replied("2026-03-18"), ev(4, EventKind.REVIEW_REQUESTED, 20, reviewer=CITY),
              ev(5, EventKind.REVIEW_REQUESTED, 21, body="漳平市人民政府"))
    assert s2.deadline(DeadlineKey.REVIEW) == review and not s2.problems


def test_the_review_window_runs_from_delivery_which_can_be_recorded_later_article_35():
    replied = _replied()                                             # issued 18 March, delivery not known
    s = fold(*replied)
    assert s.deadline(DeadlineKey.REVIEW_REQUEST).due.date == date(2026, 4, 17)
    late_ask = date(2026, 5, 5)
    assert "已于2026-04-17届满" in wf.why_not(s, EventKind.REVIEW_REQUESTED, late_ask)
    s = fold(*replied, ev(4, EventKind.DELIVERED, 40, of="reply", on="2026-04-10"))
    assert s.delivered_on == date(2026, 4, 10)
    assert s.deadline(DeadlineKey.REVIEW_REQUEST).due.date == date(2026, 5, 11)   # 10 April + 30 = 10 May (Sun)
    assert wf.why_not(s, EventKind.REVIEW_REQUESTED, late_ask) is None
    with pytest.raises(InvalidInput, match="不能早于出具日期"):
        wf.validate_event_data(EventKind.DELIVERED, {"of": "reply", "on": "2026-03-01"}, s, date(2026, 4, 20))


def test_the_hearing_of_a_recheck_is_not_counted_article_36_2():
    events = [*_replied("2026-03-18"), ev(4, EventKind.REVIEW_REQUESTED, 20),
              ev(5, EventKind.REVIEW_DECIDED, 40, disposition="uphold", text="维持"),
              ev(6, EventKind.RECHECK_REQUESTED, 45)]
    before = fold(*events).deadline(DeadlineKey.RECHECK).due.date
    s = fold(*events, ev(7, EventKind.HEARING, 60, **{"from": "2026-04-27", "to": "2026-05-01", "days": 5}))
    assert s.hearing_days == 5
    assert before == date(2026, 5, 18)                                    # 16 April + 30 = 16 May (Sat) → 18 May
    assert s.deadline(DeadlineKey.RECHECK).due.date == date(2026, 5, 21)  # 16 April + 35


def test_review_outcomes_uphold_change_or_revoke_the_decision_below_articles_35_36():
    base = [*_replied("2026-03-18"), ev(4, EventKind.REVIEW_REQUESTED, 20)]
    s = fold(*base)
    with pytest.raises(InvalidInput, match="维持、变更或撤销"):
        wf.validate_event_data(EventKind.REVIEW_DECIDED, {"outcome": "supported", "text": "x"}, s, date(2026, 4, 20))
    with pytest.raises(InvalidInput, match="支持、解释说明或不予支持"):
        wf.validate_event_data(EventKind.REVIEW_DECIDED, {"disposition": "变更", "text": "x"}, s, date(2026, 4, 20))
    upheld = fold(*base, ev(5, EventKind.REVIEW_DECIDED, 40, disposition="uphold", text="维持"))
    assert upheld.review_disposition == wf.Disposition.UPHOLD and upheld.review_outcome == wf.Outcome.NOT_SUPPORTED
    changed = fold(*base, ev(5, EventKind.REVIEW_DECIDED, 40, disposition="change", outcome="supported", text="变更"))
    assert changed.review_outcome == wf.Outcome.SUPPORTED


# -- refusals, notices, entries ------------------------------------------------------------------

def test_refusal_grounds_come_from_the_regulation_articles_19_3_and_36_3():
    s = fold(registered())
    with pytest.raises(InvalidInput, match="条例规定的情形"):
        check(s, EventKind.REFUSED, {"kind": "not_accepted", "ground": "不属于本机关", "article": "第三十一条"})
    a = check(s, EventKind.REFUSED, {"ground": "being_handled"})
    assert (a["kind"], a["article"]) == ("not_accepted", "《信访工作条例》第十九条第三款")
    b = check(s, EventKind.REFUSED, {"ground": "after_recheck"})
    assert (b["kind"], b["article"]) == ("not_again", "《信访工作条例》第三十六条第三款")
    with pytest.raises(InvalidInput, match="与所填类别不符"):
        check(s, EventKind.REFUSED, {"ground": "after_recheck", "kind": "not_accepted"})


def test_a_petitioner_without_a_clear_name_or_address_is_owed_no_notice_article_23_2():
    s = fold(registered(notice_exempt=True))
    assert s.notice_exempt and s.deadline(DeadlineKey.NOTICE) is None
    s = fold(registered(), ev(2, EventKind.NOTIFIED, 1, exempt=True))
    assert s.notice_exempt and s.deadline(DeadlineKey.NOTICE).lapsed
    assert s.deadline(DeadlineKey.ROUTE).open               # marking the exemption decides nothing
    assert st.stat_facts(s).flags & st.NOTICE_EXEMPT


def test_a_back_dated_entry_is_counted_apart_never_as_timely_articles_39_40():
    on_time = fold(registered(), ev(2, EventKind.ROUTED, 8, route="direct", notified=True))
    assert st.stat_facts(on_time).flags & st.TIMELY
    entered_late = fold(registered(late=True), ev(2, EventKind.ROUTED, 8, route="direct", notified=True, late=True))
    flags = st.stat_facts(entered_late).flags
    assert entered_late.entered_late and flags & st.LATE_ENTRY and not flags & st.TIMELY
    routed_late = fold(registered(), ev(2, EventKind.ROUTED, 8, route="direct", late=True))
    assert routed_late.route_late_entry and not st.stat_facts(routed_late).flags & st.TIMELY


def test_a_joint_letter_is_not_a_group_visit_article_20_3():
    assert is_group(6, "visit") and not is_joint(6, "visit")
    assert not is_group(6, "letter") and is_joint(6, "letter")
    assert not is_group(4, "visit") and not is_joint(4, "letter")
