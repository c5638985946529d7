"""Mediation log (append-only, corrections point to what they correct), the agreement document,
and leaders' receptions whose totals add up."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.board import BoardService
from xinfang_desktop.services.mediation import Mediator, MediationService, SessionInput
from xinfang_desktop.services.reception import ReceptionKind, ReceptionService
from xinfang_desktop.store.models import AuditEntry
from xinfang_desktop.store.models_attention import MediationSession, Reception


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def session(ref: str, **kw) -> SessionInput:
    fields = dict(case_ref=ref, held_on="2026-11-02", place="永福镇调解室", kind="访调对接",
                  mediators=[Mediator("陈调解", "人民调解员"), Mediator("林律师", "律师")],
                  parties=["欧阳娜娜", "某公司代表王经理"], discussion="双方就拖欠工资数额和支付期限进行协商",
                  outcome="none", next_session="2026-11-09")
    fields.update(kw)
    return SessionInput(**fields)


@pytest.fixture
def case_ref(services, clerk, handler):
    ref = services.cases.register(clerk, make_registration())
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    return ref


def test_sessions_are_append_only_and_a_correction_points_to_what_it_corrects(services, clerk, case_ref, clock):
    med = services.get(MediationService)
    first = med.add(clerk, session(case_ref.number))
    board = next(c for c in services.get(BoardService).board(clerk).cards if c.name == "欧阳娜娜")
    assert "调解进行中，下次调解2026-11-09" in [r.text for r in board.grade.other_reasons + board.grade.reasons]
    assert board.grade.next_step == f"调解（{case_ref.number}）"
    fixed = med.add(clerk, session(case_ref.number, place="永福镇综治中心", corrects=first.id))
    sessions = med.of_case(case_ref.number)
    assert [s.id for s in sessions] == [first.id, fixed.id]
    assert sessions[0].corrected_by == fixed.id and sessions[0].place == "永福镇调解室"      # the original is kept
    assert [s.place for s in med.of_case(case_ref.number, include_corrected=False)] == ["永福镇综治中心"]
    with pytest.raises(InvalidInput, match="已被更正过"):
        med.add(clerk, session(case_ref.number, corrects=first.id))
    assert MediationSession.select().count() == 2
    assert AuditEntry.select().where(AuditEntry.action == "attention.mediation.correct").count() == 1


def test_bad_sessions_are_refused_before_anything_is_written(services, clerk, case_ref):
    med = services.get(MediationService)
    with pytest.raises(InvalidInput, match="调解员"):
        med.add(clerk, session(case_ref.number, mediators=[]))
    with pytest.raises(InvalidInput, match="协议内容"):
        med.add(clerk, session(case_ref.number, outcome="达成协议"))
    with pytest.raises(InvalidInput, match="调解方式无效"):
        med.add(clerk, session(case_ref.number, kind="私下调解"))
    with pytest.raises(InvalidInput, match="晚于今天"):
        med.add(clerk, session(case_ref.number, held_on="2026-12-01"))
    with pytest.raises(InvalidInput, match="下次调解日期应晚于"):
        med.add(clerk, session(case_ref.number, next_session="2026-11-01"))
    assert MediationSession.select().count() == 0


def test_agreement_document_for_signature(services, clerk, case_ref):
    med = services.get(MediationService)
    s = med.add(clerk, session(case_ref.number, outcome="达成协议", next_session=None,
                               agreement="某公司于2026年11月30日前一次性支付欧阳娜娜工资人民币18600元。"))
    rendered = med.agreement_document(clerk, s.id)
    text = text_of(rendered.pdf)
    assert rendered.title == "调解协议书" and not rendered.missing
    assert "某公司于2026年11月30日前一次性支付欧阳娜娜工资人民币18600元" in text
    assert "陈调解（人民调解员）" in text and "林律师（律师）" in text and "访调对接" in text
    assert "当事人欧阳娜娜（签名、按指印）" in text and "11010519491231002X" in text
    assert "11010519491231002X" not in text_of(med.agreement_document(clerk, s.id, redacted=True).pdf)
    none = med.add(clerk, session(case_ref.number))
    with pytest.raises(InvalidInput, match="未达成协议"):
        med.agreement_document(clerk, none.id)
    settled = med.add(clerk, session(case_ref.number, outcome="agreement", agreement_kind="和解协议书",
                                     agreement="双方同意分两期支付。", next_session=None))
    assert med.agreement_document(clerk, settled.id).title == "和解协议书"


def test_reception_summary_per_kind_and_total_adds_up(services, clerk, admin, case_ref):
    rs = services.get(ReceptionService)
    rs.add(clerk, leader="李镇长", held_on="2026-10-15", place="镇信访接待大厅", kind="接访日", batches=5, persons=12,
           cases=[case_ref.number])
    rs.add(clerk, leader="李镇长", held_on="2026-10-20", place="某村", kind="登门走访", batches=2, persons=3)
    rs.add(clerk, leader="王书记", held_on="2026-10-28", place="镇信访接待大厅", kind="接访日", batches=3, persons=9)
    rs.add(clerk, leader="王书记", held_on="2026-09-30", place="镇信访接待大厅", kind="开门接访", batches=1, persons=40)
    with pytest.raises(InvalidInput, match="不能少于批次"):
        rs.add(clerk, leader="王书记", held_on="2026-10-28", place="大厅", kind="接访日", batches=3, persons=2)
    with pytest.raises(InvalidInput, match="接访方式无效"):
        rs.add(clerk, leader="王书记", held_on="2026-10-28", place="大厅", kind="蹲点", batches=1, persons=1)
    assert Reception.select().count() == 4
    s = rs.summary(admin, date(2026, 10, 1), date(2026, 10, 31))
    by = {ln.kind: ln for ln in s.lines[:-1]}
    assert (by[ReceptionKind.RECEPTION_DAY].batches, by[ReceptionKind.RECEPTION_DAY].persons) == (8, 21)
    assert (by[ReceptionKind.HOME_VISIT].batches, by[ReceptionKind.HOME_VISIT].persons) == (2, 3)
    assert by[ReceptionKind.OPEN_DOOR].batches == 0                           # 2026-09-30 is outside
    assert (s.total.receptions, s.total.batches, s.total.persons) == (3, 10, 24)
    assert s.total.batches == sum(ln.batches for ln in s.lines[:-1])
    assert s.total.persons == sum(ln.persons for ln in s.lines[:-1])
    assert rs.entries(date(2026, 10, 15), date(2026, 10, 15))[0].case_numbers == (case_ref.number,)
    with pytest.raises(InvalidInput, match="截止日期早于起始日期"):
        rs.summary(admin, date(2026, 10, 31), date(2026, 10, 1))
