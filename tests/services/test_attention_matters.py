"""The board shows grievances (issue 13, item 8) on a real database: one card per matter, a review that
supported the petitioner is not "still disputed", the printout is laid out by matter without ID numbers,
addresses or villages, and a leader's colour hangs on the matter. Each test names the rule it enforces."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.domain.board import Colour
from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.attention import OwnershipService
from xinfang_desktop.services.board import BoardService
from xinfang_desktop.services.permissions import Role
from xinfang_desktop.store.models import AuditEntry, Person
from xinfang_desktop.store.models_attention import ColourOverride

ZHANG_ID = "350881199001011231"
LAND = "反映村集体土地被征收后补偿款未足额发放，要求按标准补足"
BASIS = "《保障农民工工资支付条例》第三条"      # a 处理意见书 states its legal basis (第三十二条)


@pytest.fixture
def leader(services, admin):
    return services.auth.add_user(admin, "leader1", Role.LEADER, "leader-pass-1", "李镇长")


def zhang(**kw) -> PetitionerInput:
    """张三, with everything a registration may hold about a person: ID number, address, village."""
    return PetitionerInput(name="张三", id_number=ZHANG_ID, phone="13700000009", address="福里村后山组12号",
                           township_code="350881102000", village_code="350881102202", **kw)


def group_visit(services, clerk, handler):
    """Six villagers visit together on one land matter; three are named, two as representatives."""
    ref = services.cases.register(clerk, make_registration(
        people_count=6, category_code="0201", request=LAND,
        petitioners=[zhang(is_representative=True),
                     PetitionerInput(name="李四", phone="13700000001", township_code="350881102000",
                                     is_representative=True),
                     PetitionerInput(name="王五", phone="13700000002", township_code="350881102000")]))
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇国土所", "notified": True})
    return ref


def routed(services, clerk, handler, **reg):
    ref = services.cases.register(clerk, make_registration(**reg))
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办", "notified": True})
    return ref


def texts_of(card) -> list[str]:
    return [r.text for r in card.grade.reasons + card.grade.other_reasons]


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def test_a_group_visit_is_one_card_naming_its_petitioners_article_20(services, clerk, handler, admin):
    """第二十条第三款 (a group visit speaks through at most five representatives) and DOMAIN.md "The
    attention board": a group matter is one card naming its petitioners, not one red card per person."""
    ref = group_visit(services, clerk, handler)
    board = services.get(BoardService).board(admin)
    [card] = board.cards
    assert card.colour == Colour.RED and board.counts()[Colour.RED] == 1
    assert card.case_id == ref.id and card.number == ref.number
    assert card.parties == "张三、李四、王五等6人"                     # representatives first
    assert card.category == "自然资源（国土）/土地征收" and card.request == LAND
    assert card.reason_texts() == ["集体访事项（6人）尚未办结"]
    assert card.owner_text() == "镇国土所（承办）" and card.next_step_text() == "出具处理意见"
    # The grouping by person stays on screen, for finding a person's matters.
    people = services.get(BoardService).board(admin, view="person")
    assert sorted(c.name for c in people.cards) == ["张三", "李四", "王五"]


def test_a_members_repeat_petitions_stay_one_matter_card_with_the_repeat_rule(services, clerk, handler, admin,
                                                                              clock):
    """DOMAIN.md red rule: the same matter petitioned 3+ times within 90 days without a written reply. 张三
    comes back alone twice on the group's land matter (重件, linked by repeat_of): still one matter card,
    whose reasons include the repeat rule; his road complaint is another matter."""
    first = group_visit(services, clerk, handler)
    clock.advance(days=10)
    second = services.cases.register(clerk, make_registration(
        received_at=clock.now(), category_code="0201", request="补偿款仍未补足", petitioners=[zhang()],
        repeat_of=first.number))
    clock.advance(days=10)
    third = services.cases.register(clerk, make_registration(
        received_at=clock.now(), category_code="0201", request="再次要求补足补偿款", petitioners=[zhang()],
        repeat_of=second.number))
    road = services.cases.register(clerk, make_registration(
        received_at=clock.now(), category_code="0301", request="反映村道损毁", petitioners=[zhang()]))
    board = services.get(BoardService).board(admin)
    land = next(c for c in board.cards if c.case_id == first.id)
    assert [m.number for m in land.grade.matters] == [first.number, second.number, third.number]
    assert land.reason_texts()[0] == f"90日内就同一事项信访3次，均未获书面答复〔{third.number}〕"
    assert f"集体访事项（6人）尚未办结〔{first.number}〕" in land.reason_texts()
    assert land.parties == "张三、李四、王五等6人"
    assert {c.number for c in board.cards} == {first.number, road.number}


def test_a_review_that_supported_the_petitioner_is_not_still_disputed_article_35(services, clerk, handler, admin):
    """第三十五条: a review (复查) that supported the petitioner ends the dispute: the matter awaits only its
    follow-up (绿), never 橙 "仍有争议". A review asked for and not yet decided, or one that did not
    support the petitioner, is still disputed (橙)."""
    won = routed(services, clerk, handler)
    lost = routed(services, clerk, handler, category_code="0301", request="反映道路施工影响出行",
                  petitioners=[PetitionerInput(name="赵六", phone="13700000003", township_code="350881102000")])
    board = services.get(BoardService)
    for ref in (won, lost):
        services.cases.act(handler, ref.number, EventKind.REPLIED, {"outcome": "rejected", "text": "不予支持", "basis": BASIS})
        services.cases.act(handler, ref.number, EventKind.REVIEW_REQUESTED, {"reason": "不服处理意见"})
    pending = board.matter_card(admin, won.number)
    assert pending.colour == Colour.ORANGE and "复查中，信访人对处理意见仍有争议" in pending.reason_texts()

    services.cases.act(handler, won.number, EventKind.REVIEW_DECIDED, {"disposition": "revoke", "outcome": "supported", "text": "撤销原意见"})
    services.cases.act(handler, lost.number, EventKind.REVIEW_DECIDED, {"disposition": "uphold", "text": "维持原意见"})
    supported = board.matter_card(admin, won.number)
    assert supported.colour == Colour.GREEN
    assert not [t for t in texts_of(supported) if "争议" in t]
    assert supported.reason_texts()[0].startswith("已于2026-11-02书面答复，待回访")
    person = next(c for c in board.board(admin, view="person").cards if c.name == "欧阳娜娜")
    assert person.colour == Colour.GREEN                           # the same rule on the grouping by person
    rejected = board.matter_card(admin, lost.number)
    assert rejected.colour == Colour.ORANGE
    assert rejected.reason_texts() == ["已复查（不予支持），信访人对处理意见仍有争议，待回访"]


def test_the_printout_is_titled_by_matter_without_id_numbers_addresses_or_villages(services, clerk, handler, admin,
                                                                                   leader, clock):
    """DOMAIN.md "The attention board" and "What the product never does" (第十八、四十六条: petitioning
    is lawful, no retaliation): the printed board is laid out by matter and carries no ID numbers,
    addresses or villages — only the matter, why its colour, who owns it, the next step and its date,
    and the petitioners' names as its parties. Read back from the PDF."""
    group = group_visit(services, clerk, handler)
    wages = routed(services, clerk, handler)                      # 欧阳娜娜, ID 11010519491231002X
    services.get(OwnershipService).assign(leader, group.number, "leader1", "约谈村委会", "2026-12-20")
    clock.advance(days=65)
    rendered = services.get(BoardService).print_board(admin)
    page = PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)            # A4 landscape
    text = pdf_text(rendered.pdf)
    assert text.count("需领导关注的信访事项") >= 2 and "信访人员" not in text     # title and page heading
    assert "共2件：▲红2件" in text and "人：" not in text
    for shown in (group.number, wages.number, "自然资源（国土）/土地征收", LAND[:12], "张三、李四、王五等6人", "欧阳娜娜",
                  "集体访事项（6人）尚未办结", "办理期限已于2027-01-04届满（超期2天）", "李镇长（包案）",
                  "镇信访办（承办）", "包案化解", "2026年12月20日"):
        assert shown in text, shown
    assert not re.search(r"\d{17}[\dXx]", text) and "*" not in text            # no ID number, whole or masked
    for person in Person.select():
        if person.id_number:                                 # nor any part that tells who it is
            assert person.id_number not in text and person.id_number[6:14] not in text
    assert "福里村" not in text and "后山组" not in text and "12号" not in text      # no village, no address
    assert not rendered.missing
    entry = AuditEntry.get(AuditEntry.action == "attention.board.print")
    assert entry.detail["matters"] == 2


def test_a_leaders_colour_hangs_on_the_matter(services, clerk, handler, admin, leader):
    """DOMAIN.md: a leader raises or lowers a colour only with a written reason, kept and shown. On a board
    of matters the override belongs to the matter (its case), not to its petitioners."""
    ref = group_visit(services, clerk, handler)
    board = services.get(BoardService)
    with pytest.raises(InvalidInput, match="无需调整"):
        board.override(leader, ref.number, "红A", "情况紧急需要关注")
    card = board.override(leader, ref.number, "橙B", "村委会已承诺本月底前补足，按橙色跟踪")
    assert card.colour == Colour.ORANGE and card.grade.computed == Colour.RED
    assert card.override_text() == "李镇长于2026-11-02将颜色由红色调低为橙色：村委会已承诺本月底前补足，按橙色跟踪"
    [row] = ColourOverride.select()
    assert row.case_id == ref.id and row.person_id is None
    assert AuditEntry.get(AuditEntry.action == "attention.override").detail["number"] == ref.number
    # Its petitioners, on the grouping by person, are graded by the facts: the matter's override is not theirs.
    assert {c.colour for c in board.board(admin, view="person").cards} == {Colour.RED}
    board.withdraw_override(leader, ref.number)
    assert board.matter_card(admin, ref.id).colour == Colour.RED
    with pytest.raises(InvalidInput, match="没有领导调整"):
        board.withdraw_override(leader, ref.number)


def test_an_earlier_versions_override_on_a_person_applies_by_person_only(services, clerk, handler, admin, leader):
    """An override an earlier version set on a person (person_id, no case) keeps applying where it was set,
    on the grouping by person, and says so; on the board by matter it is shown, not applied."""
    ref = group_visit(services, clerk, handler)
    zhang_id = Person.get(Person.name == "张三").id
    now = datetime(2026, 11, 2, 9, 30)
    ColourOverride.create(unit_code=admin.unit_code, person_id=zhang_id, case_id=None, colour="B", base_colour="A",
                          reason="已与信访人谈话，情绪平稳", set_by="leader1", set_by_display="李镇长", set_at=now,
                          updated_at=now)
    board = services.get(BoardService)
    person = next(c for c in board.board(admin, view="person").cards if c.name == "张三")
    assert person.colour == Colour.ORANGE and "按人员调整" in person.override_text()
    card = board.matter_card(admin, ref.number)
    assert card.colour == Colour.RED and card.grade.override is None
    assert card.earlier_override_texts() == ["李镇长于2026-11-02将张三的颜色由红色调低为橙色：已与信访人谈话，情绪平稳"]
    board.withdraw_person_override(leader, zhang_id)
    person = next(c for c in board.board(admin, view="person").cards if c.name == "张三")
    assert person.colour == Colour.RED and person.grade.override is None


def test_a_petitioners_hardship_shows_on_their_matter_and_says_whose(services, clerk, handler, admin, clock):
    """DOMAIN.md red rule (an open hardship flag; 第三十七条 assistance): on a matter of several petitioners
    the reason says whose hardship it is; a flag tied to one matter stays on that matter."""
    from xinfang_desktop.services.attention import HardshipService

    ref = group_visit(services, clerk, handler)
    road = routed(services, clerk, handler, category_code="0301", request="反映村道损毁", petitioners=[zhang()])
    li = Person.get(Person.name == "李四").id
    services.get(HardshipService).flag(clerk, li, "medical", "妻子住院急需手术费", ref.number)
    services.get(HardshipService).flag(clerk, Person.get(Person.name == "张三").id, "unpaid_wages", "", ref.number)
    board = services.get(BoardService)
    land = board.matter_card(admin, ref.number)
    assert land.reason_texts()[:2] == ["急难情况（工资被拖欠，张三）", "急难情况（急病就医，李四）：妻子住院急需手术费"]
    assert not [t for t in texts_of(board.matter_card(admin, road.number)) if "急难" in t]


def test_a_transferred_matter_leaves_the_board_once_the_petitioner_is_told_articles_22_23(services, clerk, handler,
                                                                                          admin):
    """第二十二、二十三条: a matter forwarded (转送) to the competent unit is this office's until the
    petitioner is told in writing where it went — the card's next step says so — and then leaves the
    board (已转送 is not open), as a decided and followed-up matter does."""
    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "transfer", "unit": "市人社局"})
    board = services.get(BoardService)
    card = board.matter_card(admin, ref.number)
    assert card.colour == Colour.YELLOW and card.next_step_text() == "书面告知信访人"
    assert card.grade.next_date.isoformat() == "2026-11-17"
    services.cases.act(handler, ref.number, EventKind.NOTIFIED, {"method": "书面", "content": "已转送市人社局办理"})
    assert board.matter_card(admin, ref.number) is None
    assert board.board(admin).cards == [] and board.board(admin, view="person").cards == []
