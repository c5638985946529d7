"""The mediation log (调解): sessions on a case, append-only; a correction is a new entry that
points to the one it corrects. An agreement gives the 调解协议书 / 和解协议书 for signature.

Permission reused: NOTE (recording what happened on a case) to record; PRINT for the agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Iterable

from ..domain.errors import InvalidInput, NotFound
from ..domain.text import clean_name, clean_text
from ..store.models import Case
from ..store.models_attention import MediationSession
from ..store.ownership import require_writable
from .attention import parse_day
from .audit import audit
from .cases import find_case
from .permissions import Actor, Permission, require


class MediationKind(str, Enum):
    PEOPLE = "people"            # 人民调解
    ADMINISTRATIVE = "admin"     # 行政调解
    JUDICIAL = "judicial"        # 司法调解
    LINKED = "linked"            # 访调对接

    @property
    def label(self) -> str:
        return {"people": "人民调解", "admin": "行政调解", "judicial": "司法调解", "linked": "访调对接"}[self.value]


class MediationOutcome(str, Enum):
    AGREEMENT = "agreement"
    PARTIAL = "partial"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"agreement": "达成协议", "partial": "部分达成", "none": "未达成"}[self.value]


AGREEMENT_KINDS = ("调解协议书", "和解协议书")


def _enum(enum: type[Enum], raw: Any, label: str, field_name: str):
    for m in enum:
        if raw in (m, m.value, m.label):  # type: ignore[attr-defined]
            return m
    options = "、".join(m.label for m in enum)  # type: ignore[attr-defined]
    raise InvalidInput(f"{label}无效：{raw}，应为{options}之一", field=field_name)


@dataclass(frozen=True)
class Mediator:
    name: str
    role: str = "调解员"          # 调解员 / 人民调解员 / 律师 / 法官 / 村干部 …


@dataclass(frozen=True)
class SessionInput:
    case_ref: str
    held_on: date | str
    place: str
    kind: MediationKind | str
    mediators: tuple[Mediator, ...] | list[Mediator]
    parties: tuple[str, ...] | list[str]
    discussion: str
    outcome: MediationOutcome | str
    agreement: str | None = None
    agreement_kind: str | None = None
    next_session: date | str | None = None
    corrects: str | None = None


@dataclass(frozen=True)
class Session:
    id: str
    case_id: str
    case_number: str
    held_on: date
    place: str
    kind: MediationKind
    mediators: tuple[Mediator, ...]
    parties: tuple[str, ...]
    discussion: str
    outcome: MediationOutcome
    agreement: str | None
    agreement_kind: str | None
    next_session: date | None
    corrects: str | None
    corrected_by: str | None          # a later entry that replaces this one
    actor: str
    recorded_at: datetime

    @property
    def current(self) -> bool:
        return self.corrected_by is None


class MediationService:
    def __init__(self, services):
        self.services = services

    def validate(self, inp: SessionInput) -> dict[str, Any]:
        today = self.services.clock.today()
        held = parse_day(inp.held_on, "调解日期", "held_on")
        if held > today:
            raise InvalidInput(f"调解日期（{held:%Y-%m-%d}）晚于今天，请核对", field="held_on")
        place = clean_text(inp.place, label="调解地点", field="place", limit=200, multiline=False)
        kind = _enum(MediationKind, inp.kind, "调解方式", "kind")
        mediators = []
        for m in inp.mediators:
            m = m if isinstance(m, Mediator) else Mediator(*m) if isinstance(m, (tuple, list)) else Mediator(str(m))
            mediators.append({"name": clean_name(m.name, label="调解员姓名", field="mediators"),
                              "role": clean_text(m.role or "调解员", label="调解员身份", field="mediators", limit=50,
                                                 multiline=False)})
        if not mediators:
            raise InvalidInput("请填写至少一名调解员（含外聘调解员、律师）", field="mediators")
        parties = [clean_name(p, label="参加人姓名", field="parties") for p in inp.parties if str(p).strip()]
        if not parties:
            raise InvalidInput("请填写到场的当事人", field="parties")
        discussion = clean_text(inp.discussion, label="调解情况", field="discussion", limit=5000)
        outcome = _enum(MediationOutcome, inp.outcome, "调解结果", "outcome")
        agreement = clean_text(inp.agreement, label="协议内容", field="agreement", required=False, limit=5000)
        akind = inp.agreement_kind
        if outcome in (MediationOutcome.AGREEMENT, MediationOutcome.PARTIAL) and not agreement:
            raise InvalidInput("达成协议的，请填写协议内容（双方同意的具体事项）", field="agreement")
        if agreement:
            akind = akind or AGREEMENT_KINDS[0]
            if akind not in AGREEMENT_KINDS:
                raise InvalidInput("协议书类别应为调解协议书或和解协议书", field="agreement_kind")
        else:
            akind = None
        nxt = parse_day(inp.next_session, "下次调解日期", "next_session") if inp.next_session else None
        if nxt is not None and nxt <= held:
            raise InvalidInput("下次调解日期应晚于本次调解日期", field="next_session")
        return dict(held_on=held, place=place, kind=kind.value, mediators=mediators, parties=parties,
                    discussion=discussion, outcome=outcome.value, agreement=agreement, agreement_kind=akind,
                    next_session=nxt)

    def add(self, actor: Actor, inp: SessionInput) -> Session:
        require(actor, Permission.NOTE)
        values = self.validate(inp)
        now = self.services.clock.now()
        with self.services.db.atomic():
            case = find_case(inp.case_ref)
            require_writable(self.services.db, actor.unit_code, "mediation_session",
                             {"case_id": case.id, "corrects": inp.corrects})
            if values["held_on"] < case.received_at.date():
                raise InvalidInput(f"调解日期早于该事项的登记日期（{case.received_at:%Y-%m-%d}），请核对", field="held_on")
            if inp.corrects:
                old = MediationSession.get_or_none(MediationSession.id == inp.corrects)
                if old is None or old.case_id != case.id:
                    raise NotFound("要更正的调解记录不存在，或不属于该事项")
                if MediationSession.get_or_none(MediationSession.corrects == old.id) is not None:
                    raise InvalidInput("该调解记录已被更正过，请更正最新的一条", field="corrects")
            row = MediationSession.create(unit_code=actor.unit_code, case_id=case.id, corrects=inp.corrects,
                                          actor=actor.name, recorded_at=now, **values)
            audit(actor, "attention.mediation" + (".correct" if inp.corrects else ".add"), case.id,
                  {"number": case.number, "session": row.id, "outcome": values["outcome"]}, at=now)
        return self._session(row, case.number, None)

    def of_case(self, case_ref: str, *, include_corrected: bool = True) -> list[Session]:
        case = find_case(case_ref)
        rows = list(MediationSession.select().where(MediationSession.case_id == case.id)
                    .order_by(MediationSession.held_on, MediationSession.recorded_at))
        return self._sessions(rows, {case.id: case.number}, include_corrected)

    def recent(self, limit: int = 200, *, include_corrected: bool = False) -> list[Session]:
        rows = list(MediationSession.select().order_by(MediationSession.held_on.desc(),
                                                       MediationSession.recorded_at.desc()).limit(limit * 2))
        numbers = {c.id: c.number for c in Case.select(Case.id, Case.number)
                   .where(Case.id.in_(list({r.case_id for r in rows}) or [""]))}
        return self._sessions(rows, numbers, include_corrected)[:limit]

    def get(self, session_id: str) -> Session:
        row = MediationSession.get_or_none(MediationSession.id == session_id)
        if row is None:
            raise NotFound("找不到该调解记录")
        case = Case.get_or_none(Case.id == row.case_id)
        later = MediationSession.get_or_none(MediationSession.corrects == row.id)
        return self._session(row, case.number if case else "", later.id if later else None)

    def _sessions(self, rows: Iterable[MediationSession], numbers: dict[str, str],
                  include_corrected: bool) -> list[Session]:
        rows = list(rows)
        ids = [r.id for r in rows]
        corrected = {r.corrects: r.id for r in MediationSession.select(MediationSession.id, MediationSession.corrects)
                     .where(MediationSession.corrects.in_(ids or [""]))}
        out = [self._session(r, numbers.get(r.case_id, ""), corrected.get(r.id)) for r in rows]
        return out if include_corrected else [s for s in out if s.current]

    @staticmethod
    def _session(r: MediationSession, number: str, corrected_by: str | None) -> Session:
        return Session(r.id, r.case_id, number, r.held_on, r.place, MediationKind(r.kind),
                       tuple(Mediator(m["name"], m.get("role", "调解员")) for m in r.mediators or []),
                       tuple(r.parties or []), r.discussion, MediationOutcome(r.outcome), r.agreement,
                       r.agreement_kind, r.next_session, r.corrects, corrected_by, r.actor, r.recorded_at)

    def agreement_document(self, actor: Actor, session_id: str, *, redacted: bool = False):
        """The 调解协议书 / 和解协议书 of a session that reached an agreement, for signature."""
        require(actor, Permission.PRINT)
        from ..documents.agreement import AgreementDetails, render_agreement
        from .printing import PrintService

        session = self.get(session_id)
        if not session.agreement:
            raise InvalidInput("该次调解未达成协议，没有协议书可打印")
        if not session.current:
            raise InvalidInput("该调解记录已被更正，请打印更正后的记录的协议书")
        doc_case = self.services.get(PrintService).doc_case(Case.get_by_id(session.case_id))
        details = AgreementDetails(kind=session.agreement_kind or AGREEMENT_KINDS[0], mediation_kind=session.kind.label,
                                   held_on=session.held_on, place=session.place,
                                   mediators=tuple(f"{m.name}（{m.role}）" for m in session.mediators),
                                   parties=session.parties, dispute=session.discussion, terms=session.agreement)
        rendered = render_agreement(doc_case, details, redacted=redacted, issued_on=self.services.clock.today())
        with self.services.db.atomic():
            audit(actor, "attention.mediation.print", session.case_id,
                  {"session": session.id, "redacted": redacted}, at=self.services.clock.now())
        return rendered
