"""信访评理 sessions (append-only beside the mediation log, their one-page 评理意见) and the 积案 register
(entry by a recorded decision, plan steps under the one urgency rule, exit only with a 化解 outcome), with
their figures in the statistics."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import InvalidInput, NotFound
from xinfang_desktop.domain.statistics import year
from xinfang_desktop.domain.urgency import Urgency
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.backlog import BacklogService, StepInput
from xinfang_desktop.services.deliberation import DeliberationInput, DeliberationService, Panelist
from xinfang_desktop.services.statistics import StatisticsService
from xinfang_desktop.store.models import AuditEntry
from xinfang_desktop.store.models_intake import Attachment
from xinfang_desktop.store.models_resolution import BacklogEntry, DeliberationSession


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def hearing(ref: str, **kw) -> DeliberationInput:
    fields = dict(case_ref=ref, held_on="2026-11-02", place="永福镇红土先锋评理室",
                  panel=[Panelist("陈老支书", "退休村干部"), Panelist("林党员", "老党员"), Panelist("郑调解", "人民调解员")],
                  attendees=["欧阳娜娜", "某公司代表王经理"],
                  statements="信访人称公司拖欠工资六个月；公司称已支付三个月，其余因账目争议未付。",
                  view="评理团认为，欠薪事实清楚，公司应在本月底前结清无争议部分，有争议部分由劳动监察核定。",
                  accepted="接受")
    fields.update(kw)
    return DeliberationInput(**fields)


@pytest.fixture
def case_ref(services, clerk, handler):
    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    return ref


# -- 信访评理 -------------------------------------------------------------------------------------------
def test_deliberations_are_append_only_and_in_the_case_timeline(services, clerk, case_ref):
    svc = services.get(DeliberationService)
    first = svc.add(clerk, hearing(case_ref.number, accepted="不接受"))
    fixed = svc.add(clerk, hearing(case_ref.number, place="永福镇综治中心", corrects=first.id))
    sessions = svc.of_case(case_ref.number)
    assert [s.id for s in sessions] == [first.id, fixed.id]
    assert sessions[0].corrected_by == fixed.id and sessions[0].place == "永福镇红土先锋评理室"   # kept
    [current] = svc.of_case(case_ref.number, include_corrected=False)
    assert current.place == "永福镇综治中心" and current.accepted
    with pytest.raises(InvalidInput, match="已被更正过"):
        svc.add(clerk, hearing(case_ref.number, corrects=first.id))
    assert DeliberationSession.select().count() == 2
    assert AuditEntry.select().where(AuditEntry.action == "resolution.deliberation.correct").count() == 1
    # The case's timeline says a 评理 was held, once (the corrected entry is not repeated).
    timeline = services.queries.detail(clerk, case_ref.number).timeline
    held = [t for t in timeline if t.kind == "deliberation"]
    assert len(held) == 1 and "信访评理" in held[0].label and "接受评理意见" in held[0].summary


def test_bad_deliberations_are_refused_before_anything_is_written(services, clerk, case_ref):
    svc = services.get(DeliberationService)
    with pytest.raises(InvalidInput, match="评理团成员"):
        svc.add(clerk, hearing(case_ref.number, panel=[]))
    with pytest.raises(InvalidInput, match="身份证号码"):
        svc.add(clerk, hearing(case_ref.number, panel=[Panelist("陈老支书", "350881194901010011")]))
    with pytest.raises(InvalidInput, match="不能含有数字"):
        svc.add(clerk, hearing(case_ref.number, panel=[Panelist("陈350881194901010011", "老党员")]))
    with pytest.raises(InvalidInput, match="接受"):
        svc.add(clerk, hearing(case_ref.number, accepted="也许"))
    with pytest.raises(InvalidInput, match="晚于今天"):
        svc.add(clerk, hearing(case_ref.number, held_on="2026-12-01"))
    with pytest.raises(InvalidInput, match="评理意见"):
        svc.add(clerk, hearing(case_ref.number, view="  "))
    assert DeliberationSession.select().count() == 0


def test_the_deliberation_view_prints_on_one_page(services, clerk, case_ref):
    svc = services.get(DeliberationService)
    s = svc.add(clerk, hearing(case_ref.number))
    rendered = svc.document(clerk, s.id)
    assert rendered.ok and rendered.pages == 1
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert len(reader.pages) == 1
    text = text_of(rendered.pdf)
    for expected in ("信访评理意见", case_ref.number, "陈老支书（退休村干部）", "林党员（老党员）", "永福镇红土先锋评理室",
                     "欠薪事实清楚", "公司称已支付三个月", "接受评理意见", "评理团成员（签名）", "2026年11月2日"):
        assert expected in text, expected
    assert "11010519491231002X" not in text and "13812345678" not in text      # read out in public: no numbers
    fixed = svc.add(clerk, hearing(case_ref.number, corrects=s.id))
    with pytest.raises(InvalidInput, match="已被更正"):
        svc.document(clerk, s.id)
    assert svc.document(clerk, fixed.id).ok


# -- the 积案 register ---------------------------------------------------------------------------------
def test_a_matter_enters_the_register_only_by_a_decision_with_a_reason(services, clerk, case_ref, clock):
    backlog = services.get(BacklogService)
    assert backlog.suggestions(clerk) == []                  # two days old: nothing to suggest
    clock.advance(days=200)
    [suggested] = backlog.suggestions(clerk)
    assert suggested.number == case_ref.number and suggested.basis.value == "long_open"
    assert "超过180天" in suggested.why
    assert BacklogEntry.select().count() == 0                # a suggestion writes nothing
    with pytest.raises(InvalidInput, match="理由"):
        backlog.add(clerk, case_ref.number, basis="长期未化解", reason=" ")
    with pytest.raises(InvalidInput, match="依据无效"):
        backlog.add(clerk, case_ref.number, basis="看着办", reason="久拖未决")
    with pytest.raises(InvalidInput, match="早于制定日期"):
        backlog.add(clerk, case_ref.number, basis="长期未化解", reason="久拖未决",
                    steps=[StepInput("约谈公司负责人", "镇劳动保障所", "2026-01-01")])
    assert BacklogEntry.select().count() == 0
    entry = backlog.add(clerk, case_ref.number, basis="长期未化解", reason="欠薪争议半年未解决，经镇信访联席会议研究列入",
                        steps=[StepInput("约谈公司负责人，核对工资账目", "镇劳动保障所", "2027-05-31"),
                               StepInput("组织信访评理", "镇信访办", "2027-06-20")])
    assert entry.on_register and entry.decided_on == date(2027, 5, 21) and entry.decided_by == "李登记"
    assert [s.position for s in entry.steps] == [1, 2] and entry.next_step.action.startswith("约谈")
    assert backlog.suggestions(clerk) == []                  # on the register already
    with pytest.raises(InvalidInput, match="已在积案台账上"):
        backlog.add(clerk, case_ref.number, basis="重复信访", reason="又来了")
    assert [e.case_number for e in backlog.register()] == [case_ref.number]


def test_plan_steps_turn_amber_and_red_by_the_one_urgency_rule(services, clerk, case_ref, clock):
    backlog = services.get(BacklogService)
    entry = backlog.add(clerk, case_ref.number, basis="其他", reason="涉及多部门，需领导协调",
                        steps=[StepInput("协调人社、市场监管部门会商", "分管副镇长", "2026-11-22")])  # a 20-day span
    assert entry.steps[0].urgency is Urgency.GREEN
    clock.advance(days=15)                                   # 5 days left of 20: amber (no more than 1/4 left)
    assert backlog.get(entry.id).steps[0].urgency is Urgency.AMBER
    clock.advance(days=6)                                    # past the due day: red
    assert backlog.get(entry.id).steps[0].urgency is Urgency.RED
    done = backlog.finish_step(clerk, entry.id, 1, "已会商，明确由劳动监察核定欠薪数额")
    assert done.steps[0].urgency is None and done.steps[0].done_on == date(2026, 11, 23)
    assert done.next_step is None
    with pytest.raises(InvalidInput, match="已于"):
        backlog.finish_step(clerk, entry.id, 1, "再次完成")


def test_a_matter_leaves_the_register_only_with_an_outcome(services, clerk, case_ref, clock, tmp_path):
    backlog = services.get(BacklogService)
    entry = backlog.add(clerk, case_ref.number, basis="重复信访", reason="同一欠薪事项反复来访")
    with pytest.raises(InvalidInput, match="化解结果无效"):
        backlog.resolve(clerk, entry.id, outcome="不了了之", note="没人来了")
    with pytest.raises(InvalidInput, match="承诺书"):
        backlog.resolve(clerk, entry.id, outcome="息诉罢访", note="工资已结清")
    with pytest.raises(InvalidInput, match="化解情况"):
        backlog.resolve(clerk, entry.id, outcome="案结事了", note="")
    assert backlog.get(entry.id).on_register
    statement = tmp_path / "息诉罢访承诺书.png"
    statement.write_bytes(b"\x89PNG\r\n\x1a\n" + b"signed statement scan")
    clock.advance(days=10)
    out = backlog.resolve(clerk, entry.id, outcome="息诉罢访", note="工资已全部结清，信访人签字承诺息诉罢访",
                          statement=statement)
    assert not out.on_register and out.outcome.label == "息诉罢访" and out.outcome_on == date(2026, 11, 12)
    [att] = Attachment.select().where(Attachment.case == case_ref.id)
    assert att.file_name == "息诉罢访承诺书.png" and out.statement_sha256 == att.sha256
    assert backlog.register() == [] and backlog.register(include_resolved=True)[0].days_open == 10
    with pytest.raises(InvalidInput, match="移出台账"):
        backlog.resolve(clerk, entry.id, outcome="案结事了", note="再结一次")
    with pytest.raises(NotFound):
        backlog.resolve(clerk, "no-such-entry", outcome="案结事了", note="x")
    # Back on the register by a new decision later: the earlier entry stays as it was.
    again = backlog.add(clerk, case_ref.number, basis="重复信访", reason="信访人反悔再次来访")
    assert again.id != entry.id and len(backlog.of_case(case_ref.number)) == 2


def test_the_years_backlog_and_deliberation_figures_against_a_hand_count(services, clerk, handler, clock):
    """Five matters on the register at different times; counted by hand for 2027:
    A decided 2026-11-02, resolved 2027-03-01 → at the start, resolved in the year;
    B decided 2026-11-02, still open                → at the start, remaining;
    C decided 2026-11-02, resolved 2026-12-01 → neither (resolved the year before);
    D decided 2027-02-01, resolved 2027-06-01 → added, resolved;
    E decided 2027-04-01, open                        → added, remaining.
    start 2, added 2, resolved 2, remaining 2 (= 2 + 2 − 2)."""
    backlog = services.get(BacklogService)
    delib = services.get(DeliberationService)
    refs = {}
    for key in "ABCDE":
        ref = services.cases.register(clerk, make_registration(request=f"事项{key}：要求追讨拖欠的工资"))
        services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
        refs[key] = ref
    entries = {k: backlog.add(clerk, refs[k].number, basis="其他", reason="久拖未决") for k in "ABC"}
    clock.advance(days=29)                                          # 2026-12-01
    backlog.resolve(clerk, entries["C"].id, outcome="案结事了", note="已结清")
    clock.at = clock.at.replace(year=2027, month=2, day=1)
    entries["D"] = backlog.add(clerk, refs["D"].number, basis="重复信访", reason="反复来访")
    delib.add(clerk, hearing(refs["D"].number, held_on="2027-02-01", accepted="不接受"))
    delib.add(clerk, hearing(refs["B"].number, held_on="2027-02-01", accepted="不接受"))
    clock.at = clock.at.replace(month=3, day=1)
    backlog.resolve(clerk, entries["A"].id, outcome="依法终结", note="经复核维持，依法终结")
    clock.at = clock.at.replace(month=4, day=1)
    entries["E"] = backlog.add(clerk, refs["E"].number, basis="其他", reason="涉及多部门")
    delib.add(clerk, hearing(refs["E"].number, held_on="2027-04-01", accepted="接受"))
    clock.at = clock.at.replace(month=6, day=1)
    backlog.resolve(clerk, entries["D"].id, outcome="案结事了", note="评理后达成一致，已履行")
    clock.at = clock.at.replace(month=12, day=31)

    s = services.get(StatisticsService).compute(clerk, year(2027), compare=False)
    r = s.resolution
    assert (r.backlog_start, r.backlog_added, r.backlog_resolved, r.backlog_remaining) == (2, 2, 2, 2)
    # 评理: three sessions on D, B, E; after them D left the register (2027-06-01), E's petitioner accepted;
    # B neither: 2 of 3 resolved after 评理.
    assert (r.deliberations, r.deliberated, r.resolved_after_deliberation) == (3, 3, 2)
    # The same figures in the report's table (page, PDF, xlsx and JSON all print that table).
    from xinfang_desktop.domain.statistics_tables import report_tables
    from xinfang_desktop.services.statistics import statistics_json
    table = next(t for t in report_tables(s) if t.key == "resolution")
    assert [row.values[1] for row in table.rows] == [3, 3, 2, 2, 2, 2, 2]
    assert statistics_json(s)["resolution"]["backlog_remaining"] == 2
    from xinfang_desktop.documents.report import render_statistics_report
    from xinfang_desktop.services.statistics import statistics_sheets
    [sheet] = [x for x in statistics_sheets(s) if x.title == "信访评理和积案化解"]
    assert [row[1] for row in sheet.rows] == [3, 3, 2, 2, 2, 2, 2]
    printed = text_of(render_statistics_report(s).pdf)
    section = printed[printed.index("五、信访评理和积案化解"):]
    for label, value in (("评理场次", 3), ("评理后化解", 2), ("积案期初数", 2), ("积案新增数", 2), ("积案化解数", 2),
                         ("积案期末数", 2)):
        assert f"{label}{value}" in section, label


def test_the_longest_statements_and_view_still_fit_one_page(services, clerk, case_ref):
    svc = services.get(DeliberationService)
    long = "信访人陈述公司自三月起拖欠工资，多次催讨未果，要求一次性结清并赔偿损失。" * 9
    with pytest.raises(InvalidInput, match="各方陈述"):
        svc.add(clerk, hearing(case_ref.number, statements=long * 2))
    s = svc.add(clerk, hearing(case_ref.number, statements=long[:200], view=("评理团认为应依法结清欠薪。" * 30)[:200]))
    rendered = svc.document(clerk, s.id)
    assert rendered.pages == 1 and len(PdfReader(io.BytesIO(rendered.pdf)).pages) == 1
    assert "评理团成员（签名）" in text_of(rendered.pdf)


def test_the_deliberation_view_printed_later_is_dated_the_day_the_panel_gave_it(services, clerk, case_ref, clock):
    svc = services.get(DeliberationService)
    s = svc.add(clerk, hearing(case_ref.number))                  # held 2026-11-02
    clock.advance(days=9)
    text = text_of(svc.document(clerk, s.id).pdf)
    assert "2026年11月2日" in text and "2026年11月11日" not in text
