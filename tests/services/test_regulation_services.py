"""The regulation through the services: the kind of matter chosen at intake, 文号 and the event's own
date on every document (reprints included), 补录, who signs, 你 or 你们, the superior named from the
settings. Documents are read back with pypdf; each test names the article it follows."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.domain import statistics as st
from xinfang_desktop.domain.errors import InvalidInput, NotAllowed
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind, Status
from xinfang_desktop.services.office import OfficeService
from xinfang_desktop.services.printing import PrintService
from xinfang_desktop.services.queries import CaseFilter
from xinfang_desktop.store.models import Case


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def doc(services, actor, ref, name: str) -> str:
    return text_of(services.get(PrintService).render(actor, ref.number, name).pdf)


def test_the_kind_follows_the_category_unless_the_clerk_chooses_articles_29_to_31(services, clerk):
    accusation = services.cases.register(clerk, make_registration(category_code="1501"))
    suggestion = services.cases.register(clerk, make_registration(category_code="1601"))
    chosen = services.cases.register(clerk, make_registration(matter="申诉求决", claim_item=2))
    state = services.cases.state_of
    assert state(Case.get_by_id(accusation.id)).matter.label == "检举控告类"
    assert state(Case.get_by_id(suggestion.id)).matter.label == "建议意见类"
    assert state(Case.get_by_id(chosen.id)).matter.label == "申诉求决类（第三十一条第二项：仲裁）"
    with pytest.raises(InvalidInput, match="事项类型无效"):
        services.cases.register(clerk, make_registration(matter="投诉"))


def test_a_suggestion_gets_an_answer_not_a_decision_article_29(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration(category_code="1601", request="建议增设公交站点"))
    clock.advance(days=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "notified": True})
    clock.advance(days=10)
    services.cases.act(handler, ref.number, EventKind.REPLIED, {"outcome": "采纳", "text": "已列入明年计划"})
    available = services.get(PrintService).available(ref.number)
    assert available["answer"] is None and "不出具信访处理意见书" in available["decision"]
    text = doc(services, handler, ref, "answer")
    assert "答复意见书" in text and "第二十九条" in text and "予以采纳" in text and "复查" not in text


def test_an_accusation_is_forwarded_and_its_notice_keeps_the_accuser_safe_article_30(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration(
        category_code="1501", petitioners=[PetitionerInput(name="举报人甲", phone="13811112222")]))
    clock.advance(days=1)
    with pytest.raises(InvalidInput, match="检举控告类事项应当转送"):
        services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct"})
    state = services.cases.act(handler, ref.number, EventKind.ROUTED,
                               {"route": "transfer", "unit": "漳平市纪委监委", "notified": True})
    assert state.status == Status.TRANSFERRED
    slip = doc(services, handler, ref, "transfer")
    assert "举报人甲" not in slip and "13811112222" not in slip
    notice = doc(services, handler, ref, "notice")
    assert "转送告知书" in notice and "第二十二条第二款、第三十条" in notice and "不会透露或者转给被检举" in notice


def test_a_transferred_matter_leaves_the_open_and_overdue_counts_articles_22_23(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration())
    clock.advance(days=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "transfer", "unit": "市人社局", "notified": True})
    clock.advance(days=90)
    row = Case.get_by_id(ref.id)
    assert row.status == "transferred" and row.next_due is None
    assert services.queries.count(CaseFilter(overdue=True)) == 0
    assert services.queries.count(CaseFilter(open_only=True)) == 0
    assert row.stat_flags & st.TRANSFERRED


def test_documents_carry_the_event_date_and_a_yearly_number_also_when_reprinted_article_32(
        services, clerk, handler, clock):
    """A 2025 转送单 reprinted in 2026 still reads 2025, with its 2025 文号; each kind counts on its own."""
    clock.at = datetime(2025, 12, 29, 9, 0)
    old = services.cases.register(clerk, make_registration(received_at=clock.now()))
    services.cases.act(handler, old.number, EventKind.ROUTED, {"route": "transfer", "unit": "市人社局", "notified": True})
    clock.at = datetime(2026, 3, 18, 9, 0)
    new = services.cases.register(clerk, make_registration(received_at=clock.now()))
    services.cases.act(handler, new.number, EventKind.ROUTED, {"route": "transfer", "unit": "市住建局", "notified": True})
    clock.at = datetime(2026, 12, 6, 10, 0)                          # the day of the reprint
    slip = doc(services, handler, old, "transfer")
    assert "2025年12月29日" in slip and "永信转〔2025〕1号" in slip and "2026年12月6日" not in slip
    assert "永信转〔2026〕1号" in doc(services, handler, new, "transfer")
    assert "永信收〔2025〕1号" in doc(services, handler, old, "receipt")
    assert "永信告〔2026〕1号" in doc(services, handler, new, "notice")
    assert doc(services, handler, old, "transfer") == slip           # the same document every time


def test_the_number_prefix_is_set_by_the_office_and_names_come_from_its_settings(services, admin, clerk, handler,
                                                                                 clock):
    office = services.get(OfficeService)
    office.save(admin, prefixes={"decision": "永政信处"}, review_body="漳平市人民政府", phone="0597-7650123")
    with pytest.raises(InvalidInput, match="年份和序号由程序编排"):
        office.save(admin, prefixes={"decision": "永信处〔2026〕"})
    ref = services.cases.register(clerk, make_registration())
    clock.advance(days=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "notified": True})
    clock.advance(days=20)
    services.cases.act(handler, ref.number, EventKind.REPLIED,
                       {"outcome": "支持", "text": "责成企业支付工资", "basis": "《保障农民工工资支付条例》第三条"})
    text = doc(services, handler, ref, "decision")
    # decided and signed by the 镇人民政府; the 信访办 named as the handling office; the superior from settings
    assert "永政信处〔2026〕1号" in text and "漳平市永福镇人民政府" in text and "承办：漳平市永福镇信访办公室" in text
    assert "向漳平市人民政府请求复查" in text and "《保障农民工工资支付条例》第三条" in text
    assert "2026年11月23日" in text and "你对本处理意见不服" in text and "你（你们）" not in text


def test_several_petitioners_are_addressed_as_you_plural(services, clerk):
    people = [PetitionerInput(name=n) for n in ("甲一", "乙二")]
    ref = services.cases.register(clerk, make_registration(petitioners=people))
    text = doc(services, clerk, ref, "receipt")
    assert "你们以走访形式" in text and "你（你们）" not in text


def test_the_receipt_says_what_it_is_and_by_when_the_petitioner_is_told_article_23(services, clerk):
    ref = services.cases.register(clerk, make_registration())
    text = doc(services, clerk, ref, "receipt")
    assert text.startswith("—1—信访事项接收告知书") or "信访事项接收告知书" in text
    assert "已于2026年11月2日登记接收" in text and "2026年11月17日前书面告知你" in text
    assert "受理（接收）告知书" not in text and "办理期限" not in text


def test_refusal_notices_cite_the_ground_and_its_article(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.REFUSED, {"ground": "after_recheck", "details": "同一事实和理由"})
    text = doc(services, handler, ref, "refusal")
    assert "不再受理告知书" in text and "依照《信访工作条例》第三十六条第三款的规定" in text
    assert "信访人对复核意见不服，仍然以同一事实和理由提出投诉请求" in text and "第三十一条" not in text


def test_a_back_dated_entry_is_marked_in_the_case_the_list_and_the_figures_articles_39_40(
        services, clerk, handler, clock, admin):
    clock.at = datetime(2026, 12, 6, 10, 0)
    ref = services.cases.register(clerk, make_registration(received_at=datetime(2026, 10, 1, 9, 0)))
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "notified": True},
                       at=datetime(2026, 10, 10, 9, 0))
    detail = services.queries.detail(handler, ref.number)
    assert detail.state.entered_late and detail.entered_at == datetime(2026, 12, 6, 10, 0)
    assert detail.timeline[0].summary.endswith("（补录）")
    [row] = services.queries.page(CaseFilter())
    assert row.late_entry
    from xinfang_desktop.services.statistics import StatisticsService

    s = services.get(StatisticsService).compute(admin, st.month(2026, 10), compare=False)
    assert s.rate_inputs.accepted_in_time == 0          # not silently on time


def test_a_review_at_the_township_is_recorded_not_owed_article_35(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration())
    clock.advance(days=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "notified": True})
    clock.advance(days=10)
    services.cases.act(handler, ref.number, EventKind.REPLIED,
                       {"outcome": "不予支持", "text": "缺乏依据", "basis": "《劳动合同法》第三十条"})
    clock.advance(days=10)
    services.cases.act(handler, ref.number, EventKind.REVIEW_REQUESTED, {"body": "漳平市人民政府"})
    clock.advance(days=60)                               # far past the superior's 30 days
    row = Case.get_by_id(ref.id)
    assert row.status == "reviewing" and row.next_due is None
    assert services.queries.count(CaseFilter(overdue=True)) == 0
    services.cases.act(handler, ref.number, EventKind.REVIEW_DECIDED, {"disposition": "维持", "text": "维持"})
    available = services.get(PrintService).available(ref.number)
    assert "本机关只记录结果" in available["review"]


def test_delivery_recorded_later_moves_the_review_window_article_35(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration())
    clock.advance(days=1)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "notified": True})
    clock.advance(days=10)
    services.cases.act(handler, ref.number, EventKind.REPLIED,
                       {"outcome": "不予支持", "text": "缺乏依据", "basis": "《劳动合同法》第三十条"})
    clock.advance(days=40)                               # 43 days after the reply was issued
    with pytest.raises(NotAllowed, match="申请复查期限已于"):
        services.cases.act(handler, ref.number, EventKind.REVIEW_REQUESTED, {"body": "漳平市人民政府"})
    services.cases.act(handler, ref.number, EventKind.DELIVERED, {"of": "reply", "on": "2026-12-01"})
    state = services.cases.act(handler, ref.number, EventKind.REVIEW_REQUESTED, {"body": "漳平市人民政府"})
    assert state.status == Status.REVIEWING and state.delivered_on.isoformat() == "2026-12-01"
