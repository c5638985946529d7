"""The published colour rules of the attention board, each with the reason a leader reads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from xinfang_desktop.domain.board import (BoardSettings, CaseFacts, Colour, Hardship, HardshipKind, Override,
                                          PersonFacts, grade)
from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.review_standing import ReviewStage, ReviewStanding
from xinfang_desktop.domain.workflow import Outcome, Status

TODAY = date(2026, 11, 26)


def case(n: int = 1, **kw) -> CaseFacts:
    fields = dict(case_id=f"c{n}", number=f"350881102-2026-{n:05d}", status=Status.HANDLING,
                  received_on=TODAY - timedelta(days=20), category_code="0401", next_due=TODAY + timedelta(days=30),
                  next_due_key="handling")
    fields.update(kw)
    return CaseFacts(**fields)


def person(*cases: CaseFacts, hardships=(), override=None) -> PersonFacts:
    return PersonFacts("p1", "欧阳娜娜", tuple(cases), tuple(hardships), override)


def texts(g) -> list[str]:
    return [r.text for r in g.reasons]


def test_overdue_deadline_is_red_with_days_late():
    g = grade(person(case(next_due=date(2026, 11, 20))), TODAY)
    assert g.colour == Colour.RED
    assert texts(g) == ["办理期限已于2026-11-20届满（超期6天）"]
    assert g.next_step == "出具处理意见（350881102-2026-00001）" and g.next_date == date(2026, 11, 20)


def test_overdue_routing_limit_names_that_limit():
    g = grade(person(case(status=Status.REGISTERED, next_due=date(2026, 11, 25), next_due_key="route")), TODAY)
    assert texts(g) == ["受理告知／转送交办期限已于2026-11-25届满（超期1天）"]
    assert g.next_step.startswith("受理告知或转送交办")


def test_open_group_matter_is_red():
    g = grade(person(case(is_group=True, people_count=12)), TODAY)
    assert g.colour == Colour.RED and texts(g) == ["集体访事项（12人）尚未办结"]


def test_three_unanswered_petitions_on_same_matter_within_90_days_is_red():
    cs = [case(1, received_on=TODAY - timedelta(days=80)), case(2, received_on=TODAY - timedelta(days=40)),
          case(3, received_on=TODAY - timedelta(days=3))]
    g = grade(person(*cs), TODAY)
    assert g.colour == Colour.RED
    assert texts(g) == ["90日内就同一事项信访3次，均未获书面答复"]
    assert g.reasons[0].case_number == "350881102-2026-00003"       # the latest petition


def test_repeat_rule_counts_only_the_window_the_matter_and_unanswered():
    # One of the three is older than 90 days: not red.
    cs = [case(1, received_on=TODAY - timedelta(days=91)), case(2), case(3)]
    assert grade(person(*cs), TODAY).colour == Colour.YELLOW
    # Three petitions but on different categories and not linked: not the same matter.
    cs = [case(1, category_code="0401"), case(2, category_code="0301"), case(3, category_code="0201")]
    assert grade(person(*cs), TODAY).colour == Colour.YELLOW
    # Linked by repeat_of across categories: the same matter.
    cs = [case(1, category_code="0401"), case(2, category_code="0301", repeat_of="c1"),
          case(3, category_code="0201", repeat_of="c2")]
    assert grade(person(*cs), TODAY).colour == Colour.RED
    # One of them has a written reply: two unanswered are not three.
    cs = [case(1), case(2), case(3, status=Status.REPLIED, replied_on=TODAY - timedelta(days=2))]
    assert grade(person(*cs), TODAY).colour == Colour.YELLOW


def test_thresholds_are_settings():
    cs = [case(1), case(2)]
    assert grade(person(*cs), TODAY).colour == Colour.YELLOW
    assert grade(person(*cs), TODAY, BoardSettings(repeat_count=2)).colour == Colour.RED
    with pytest.raises(InvalidInput, match="重复信访次数"):
        BoardSettings(repeat_count=0)


def test_open_hardship_is_red_with_kind_and_note():
    g = grade(person(case(), hardships=[Hardship(HardshipKind.MEDICAL, "妻子住院急需手术费")]), TODAY)
    assert g.colour == Colour.RED and texts(g) == ["急难情况（急病就医）：妻子住院急需手术费"]


def test_leader_ownership_is_orange_and_named():
    g = grade(person(case(leader="李镇长", leader_target=date(2026, 12, 31))), TODAY)
    assert g.colour == Colour.ORANGE
    assert texts(g) == ["李镇长包案，目标2026-12-31前化解"]
    assert g.owner == "李镇长"


def test_long_standing_is_orange():
    g = grade(person(case(received_on=TODAY - timedelta(days=200), next_due=TODAY + timedelta(days=20))), TODAY)
    assert g.colour == Colour.ORANGE and texts(g) == ["信访已200天未化解（超过180天）"]
    assert grade(person(case(received_on=TODAY - timedelta(days=180))), TODAY).colour == Colour.YELLOW
    assert grade(person(case(received_on=TODAY - timedelta(days=200))), TODAY,
                 BoardSettings(long_standing_days=365)).colour == Colour.YELLOW


def test_review_still_disputed_is_orange():
    g = grade(person(case(status=Status.REVIEWING, next_due=TODAY + timedelta(days=20), next_due_key="review",
                          review=ReviewStanding(ReviewStage.REVIEW, None))), TODAY)
    assert g.colour == Colour.ORANGE and texts(g) == ["复查中，信访人对处理意见仍有争议"]


@pytest.mark.parametrize("outcome, colour, reasons", [
    (Outcome.SUPPORTED, Colour.GREEN, ["已于2026-11-20书面答复，待回访（回访期限2026-12-20）"]),
    (Outcome.EXPLAINED, Colour.ORANGE, ["已复查（解释说明），信访人对处理意见仍有争议，待回访"]),
    (Outcome.NOT_SUPPORTED, Colour.ORANGE, ["已复查（不予支持），信访人对处理意见仍有争议，待回访"]),
])
def test_a_review_is_disputed_unless_it_supported_the_petitioner_article_35(outcome, colour, reasons):
    """第三十五条: the 复查 result is the reviewed stance; only one that supported the petitioner ends the
    dispute (解释说明 and 不予支持 do not grant the request)."""
    reviewed = case(status=Status.REVIEWED, next_due=None, next_due_key=None, replied_on=date(2026, 11, 20),
                    review=ReviewStanding(ReviewStage.REVIEW, outcome))
    g = grade(person(reviewed), TODAY)
    assert g.colour == colour and texts(g) == reasons
    # The same for a 复核 (第三十六条).
    rechecked = replace_case(reviewed, status=Status.RECHECKED, review=ReviewStanding(ReviewStage.RECHECK, outcome))
    assert grade(person(rechecked), TODAY).colour == colour


def replace_case(c: CaseFacts, **kw) -> CaseFacts:
    from dataclasses import replace

    return replace(c, **kw)


def test_deadline_within_seven_days_is_orange():
    g = grade(person(case(next_due=TODAY + timedelta(days=6))), TODAY)
    assert g.colour == Colour.ORANGE and texts(g) == ["办理期限将于2026-12-02届满（剩6天）"]
    g = grade(person(case(next_due=TODAY)), TODAY)
    assert texts(g) == ["办理期限将于2026-11-26届满（今天到期）"]
    assert grade(person(case(next_due=TODAY + timedelta(days=8))), TODAY).colour == Colour.YELLOW


def test_on_track_is_yellow_and_mediation_is_a_reason():
    g = grade(person(case(next_session=date(2026, 12, 3))), TODAY)
    assert g.colour == Colour.YELLOW
    assert texts(g) == ["调解进行中，下次调解2026-12-03", "办理中，按期推进，办理期限至2026-12-26"]
    assert g.next_step == "调解（350881102-2026-00001）" and g.next_date == date(2026, 12, 3)


def test_replied_awaiting_follow_up_is_green_and_follow_up_takes_it_off():
    replied = case(status=Status.REPLIED, next_due=None, next_due_key=None, replied_on=date(2026, 11, 10))
    g = grade(person(replied), TODAY)
    assert g.colour == Colour.GREEN
    assert texts(g) == ["已于2026-11-10书面答复，待回访（回访期限2026-12-10）"]
    assert g.next_step == "回访（350881102-2026-00001）" and g.next_date == date(2026, 12, 10)
    done = case(status=Status.CLOSED, next_due=None, replied_on=date(2026, 11, 10), followed_up=True)
    assert grade(person(done), TODAY) is None


def test_person_leaves_board_only_when_last_matter_is_followed_up():
    done = case(1, status=Status.REPLIED, next_due=None, replied_on=date(2026, 11, 10), followed_up=True)
    waiting = case(2, status=Status.REPLIED, next_due=None, replied_on=date(2026, 11, 12))
    g = grade(person(done, waiting), TODAY)
    assert g.colour == Colour.GREEN and [m.case_id for m in g.matters] == ["c2"]
    assert grade(person(done, replace_followed(waiting)), TODAY) is None


def replace_followed(c: CaseFacts) -> CaseFacts:
    from dataclasses import replace

    return replace(c, followed_up=True)


def test_refused_and_closed_without_reply_are_not_on_board():
    assert grade(person(case(status=Status.REFUSED, next_due=None)), TODAY) is None
    assert grade(person(case(status=Status.CLOSED, next_due=None)), TODAY) is None


def test_most_urgent_colour_wins_and_every_reason_of_it_is_listed():
    cs = [case(1, next_due=date(2026, 11, 20)), case(2, is_group=True, people_count=7, category_code="0301"),
          case(3, leader="李镇长", leader_target=date(2026, 12, 31), category_code="0201")]
    g = grade(person(*cs), TODAY)
    assert g.colour == Colour.RED
    assert [str(r) for r in g.reasons] == ["办理期限已于2026-11-20届满（超期6天）〔350881102-2026-00001〕",
                                           "集体访事项（7人）尚未办结〔350881102-2026-00002〕"]
    assert "李镇长包案，目标2026-12-31前化解" in [r.text for r in g.other_reasons]
    assert g.primary_case_id == "c1"


def test_override_holds_while_facts_give_the_same_colour_then_lapses():
    o = Override(Colour.ORANGE, Colour.RED, "已与信访人达成初步共识，正在履行", "李镇长", date(2026, 11, 25))
    g = grade(person(case(next_due=date(2026, 11, 20)), override=o), TODAY)
    assert g.colour == Colour.ORANGE and g.computed == Colour.RED and g.override == o
    assert texts(g) == ["办理期限已于2026-11-20届满（超期6天）"]      # the facts are still shown
    # The facts change (the reply is given): the computed colour is green, the override lapses.
    g = grade(person(case(status=Status.REPLIED, next_due=None, replied_on=TODAY), override=o), TODAY)
    assert g.colour == Colour.GREEN and g.override is None and g.lapsed == o


def test_colour_parse_and_labels_do_not_rely_on_colour_alone():
    assert Colour.parse("红A") == Colour.RED and Colour.parse("b") == Colour.ORANGE and Colour.parse("黄") == Colour.YELLOW
    assert [c.title for c in Colour] == ["▲红", "◆橙", "●黄", "○绿"]
    with pytest.raises(InvalidInput):
        Colour.parse("紫")
