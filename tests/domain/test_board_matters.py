"""The board's cards are matters: how petitions group into one matter, how a matter is graded and how it
names its petitioners — pure rules, no database."""

from __future__ import annotations

from datetime import date, timedelta

from xinfang_desktop.domain.board import BoardSettings, CaseFacts, Colour, Hardship, HardshipKind
from xinfang_desktop.domain.board_matters import MatterFacts, Petitioner, grade_matter, linked_matters, parties_text
from xinfang_desktop.domain.workflow import Status

TODAY = date(2026, 11, 26)
S = BoardSettings()


def case(n: int, **kw) -> CaseFacts:
    fields = dict(case_id=f"c{n}", number=f"350881102-2026-{n:05d}", status=Status.HANDLING,
                  received_on=TODAY - timedelta(days=20), category_code="0401", next_due=TODAY + timedelta(days=30),
                  next_due_key="handling")
    fields.update(kw)
    return CaseFacts(**fields)


def ids(groups) -> list[list[str]]:
    return sorted(sorted(c.case_id for c in g) for g in groups)


def test_petitions_group_into_matters_by_repeat_link_and_by_the_same_persons_category_in_the_window():
    cs = [case(1, received_on=TODAY - timedelta(days=200)),                  # the first petition, long ago
          case(2, repeat_of="c1", category_code="0301"),                       # 重件 of it: the same matter
          case(3), case(4, received_on=TODAY - timedelta(days=5)),              # 张三 twice on wages: one matter
          case(5),                                                              # 李四 on wages: his own matter
          case(6, received_on=TODAY - timedelta(days=120))]                     # 张三 on wages, outside the window
    people = {"c1": ["p1"], "c2": ["p1"], "c3": ["p2"], "c4": ["p2"], "c5": ["p3"], "c6": ["p2"]}
    # c5 and c6 are matters of their own: only the linked ones are listed.
    assert ids(linked_matters({c.case_id: c for c in cs}, people, TODAY, S)) == [["c1", "c2"], ["c3", "c4"]]


def test_a_group_matter_is_graded_once_with_its_petitioners_named():
    """第二十条: one group visit, one card — its hardship says whose it is."""
    group = case(1, is_group=True, people_count=8)
    m = MatterFacts("c1", (group,), (Petitioner("p1", "张三", True), Petitioner("p2", "李四")), 8,
                    {"c1": ("p1", "p2")}, (("李四", Hardship(HardshipKind.MEDICAL, "住院")),))
    g = grade_matter(m, TODAY, S)
    assert g.key == "c1" and g.colour == Colour.RED
    assert [r.text for r in g.reasons] == ["急难情况（急病就医，李四）：住院", "集体访事项（8人）尚未办结"]


def test_the_repeat_rule_counts_one_persons_unanswered_petitions_on_the_matter():
    """DOMAIN.md: the same person, 3+ times on the same matter within 90 days, without a written reply."""
    cs = (case(1, is_group=True, people_count=6), case(2, repeat_of="c1", received_on=TODAY - timedelta(days=9)),
          case(3, repeat_of="c2", received_on=TODAY - timedelta(days=2)))
    petitioners = (Petitioner("p1", "张三", True), Petitioner("p2", "李四"))
    # 张三 brought all three; 李四 only the group visit.
    m = MatterFacts("c1", cs, petitioners, 6, {"c1": ("p1", "p2"), "c2": ("p1",), "c3": ("p1",)})
    g = grade_matter(m, TODAY, S)
    assert str(g.reasons[0]) == "90日内就同一事项信访3次，均未获书面答复〔350881102-2026-00003〕"
    # Three petitions by three different people are not one person's repeats.
    m = MatterFacts("c1", cs, petitioners, 6, {"c1": ("p1", "p2"), "c2": ("p2",), "c3": ("p3",)})
    assert not any("同一事项" in r.text for r in grade_matter(m, TODAY, S).reasons)


def test_a_matter_leaves_the_board_when_none_of_its_petitions_is_on_it():
    done = case(1, status=Status.CLOSED, next_due=None, replied_on=date(2026, 11, 1), followed_up=True)
    assert grade_matter(MatterFacts("c1", (done,), (Petitioner("p1", "张三"),), 1, {}), TODAY, S) is None


def test_parties_name_at_most_three_and_how_many_in_all():
    assert parties_text(["张三"], 1) == "张三"
    assert parties_text(["张三", "李四"], 2) == "张三、李四"
    assert parties_text(["张三"], 6) == "张三等6人"
    assert parties_text(["张三", "李四", "王五", "赵六"], 4) == "张三、李四、王五等4人"
