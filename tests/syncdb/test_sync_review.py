"""复查 and 复核 belong to the superior (第三十五、三十六条): the city, reviewing a township's decision,
records it on the township's matter as its own 30-day limit; the record goes back to the township,
where it is the outcome of a request, never the township's deadline. And a matter the city assigned
down (交办) comes back with the township's 办结报告 (第二十二条第一款第三项)."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from xinfang_desktop.domain.workflow import DeadlineKey, Disposition, EventKind, Outcome, Status
from xinfang_desktop.services.printing import PrintService
from xinfang_desktop.store.models import Case

from .conftest import CITY, TOWNS, write_out


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def deliver_down(city, town, folder):
    city.export()
    rows = [r for r in city.sync.pending_copies() if r.recipient == town.code]
    return town.import_(write_out(city, folder, rows))


def test_the_city_reviews_a_township_decision_as_its_own_limit_and_the_outcome_goes_back(offices, tmp_path):
    city, town = offices[CITY], offices[TOWNS[0]]
    ref = town.register()
    town.svc.cases.act(town.admin, ref.id, EventKind.ROUTED, {"route": "direct", "notified": True})
    town.clock.advance(days=10)
    town.svc.cases.act(town.admin, ref.id, EventKind.REPLIED,
                       {"outcome": "不予支持", "text": "缺乏依据", "basis": "《劳动合同法》第三十条"})
    town.export()
    city.import_(write_out(town, tmp_path / "up"))

    city.sync
    city.clock.advance(days=15)
    state = city.svc.cases.act(city.admin, ref.id, EventKind.REVIEW_REQUESTED, {"reason": "不服"})
    review = state.deadline(DeadlineKey.REVIEW)
    assert review.holder == CITY and review.due.date == date(2026, 12, 17)
    assert Case.get_by_id(ref.id).next_due == date(2026, 12, 17)          # the city's own 30 days
    city.clock.advance(days=20)
    city.svc.cases.act(city.admin, ref.id, EventKind.REVIEW_DECIDED,
                       {"disposition": "变更", "outcome": "支持", "text": "经复查，应予支持", "basis": "《劳动合同法》第三十条"})
    printed = text_of(city.svc.get(PrintService).render(city.admin, ref.number, "review").pdf)
    assert "信访事项复查意见书" in printed and "漳信复查〔2026〕1号" in printed
    assert "漳平市永福镇人民政府2026年11月12日作出的信访处理意见（永信处〔2026〕1号）" in printed
    assert "变更原信访处理意见" in printed and "第三十五条" in printed
    assert "漳平市人民政府" in printed and "2026年12月7日" in printed and "2026年12月6日" not in printed

    [result] = deliver_down(city, town, tmp_path / "down")
    assert result.outcome == "applied", result.message
    town.sync
    state = town.svc.cases.state_of(Case.get_by_id(ref.id))
    assert state.status == Status.REVIEWED and state.review_outcome == Outcome.SUPPORTED
    assert state.review_disposition == Disposition.CHANGE and not state.problems
    assert Case.get_by_id(ref.id).next_due is None                        # never the township's limit
    why = town.svc.get(PrintService).available(ref.number)["review"]
    assert "上一级机关作出" in why


def test_a_matter_assigned_down_comes_back_with_the_township_report(offices, tmp_path):
    city, town = offices[CITY], offices[TOWNS[0]]
    ref = city.register(name="欧阳娜娜", request="反映村道塌方无人修复")
    city.sync.assign(city.admin, ref.id, town.code, date(2026, 11, 30), "请核实处理并报结")
    [result] = deliver_down(city, town, tmp_path / "down")
    assert result.outcome == "applied", result.message
    town.sync
    town.svc.cases.act(town.admin, ref.id, EventKind.ROUTED, {"route": "direct", "unit": "永福镇", "notified": True})
    town.clock.advance(days=12)
    town.svc.cases.act(town.admin, ref.id, EventKind.REPLIED,
                       {"outcome": "支持", "text": "已修复村道", "basis": "《农村公路条例》第二十条"})
    printer = town.svc.get(PrintService)
    assert printer.available(ref.number)["report"] is None
    report = text_of(printer.render(town.admin, ref.number, "report").pdf)
    assert "信访事项办结报告" in report and "漳平市信访局" in report and "永信报〔2026〕1号" in report
    assert "已修复村道" in report and "2026年11月30日" in report
    # the decision is the township's, signed by the 镇人民政府
    decision = text_of(printer.render(town.admin, ref.number, "decision").pdf)
    assert "漳平市永福镇人民政府" in decision
    town.export()
    city.import_(write_out(town, tmp_path / "up"))
    city.sync
    assert Case.get_by_id(ref.id).status == "replied"
    assert city.svc.get(PrintService).available(ref.number)["report"] is not None   # the city receives it
