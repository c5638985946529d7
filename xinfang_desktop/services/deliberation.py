"""信访评理 sessions: a panel of respected people (old village cadres, party members, mediators) hears a
contested matter with the petitioner and the unit concerned and gives its reasoned view in public.

Kept beside the mediation log and like it: append-only, a correction is a new entry that names the one it
corrects (the same rule, services/mediation.py). The panel is names and roles only, never ID numbers.
The 评理意见 is a one-page document (documents/deliberation.py).

Permission reused: NOTE (recording what happened on a case) to record; PRINT for the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from ..domain.errors import InvalidInput, NotFound
from ..domain.text import clean_name, clean_text
from ..store.models import Case
from ..store.models_resolution import DeliberationSession
from ..store.ownership import require_writable
from .attention import parse_day
from .audit import audit
from .cases import find_case
from .permissions import Actor, Permission, require

# A run of digits as long as an ID number's: the panel is listed by name and role only.
_ID_LIKE = re.compile(r"\d{6,}")
# Statements and view in brief: together they fit the one-page 评理意见 (set smaller when long).
_BRIEF = 200
ACCEPTED_LABELS = {True: "信访人接受评理意见", False: "信访人未接受评理意见"}


@dataclass(frozen=True)
class Panelist:
    name: str
    role: str = "评理员"           # 老干部 / 党员 / 人民调解员 / 村干部 / 律师 …


@dataclass(frozen=True)
class DeliberationInput:
    case_ref: str
    held_on: date | str
    place: str
    panel: tuple[Panelist, ...] | list[Panelist]
    attendees: tuple[str, ...] | list[str]
    statements: str
    view: str
    accepted: bool | str
    corrects: str | None = None


@dataclass(frozen=True)
class Deliberation:
    id: str
    case_id: str
    case_number: str
    held_on: date
    place: str
    panel: tuple[Panelist, ...]
    attendees: tuple[str, ...]
    statements: str
    view: str
    accepted: bool
    corrects: str | None
    corrected_by: str | None          # a later entry that replaces this one
    actor: str
    recorded_at: datetime
    unit_code: str = ""

    @property
    def current(self) -> bool:
        return self.corrected_by is None

    @property
    def accepted_label(self) -> str:
        return ACCEPTED_LABELS[self.accepted]


def parse_accepted(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw or "").strip().lower()
    if text in ("是", "接受", "yes", "y", "true", "1", "accepted"):
        return True
    if text in ("否", "不接受", "未接受", "no", "n", "false", "0", "declined"):
        return False
    raise InvalidInput(f"信访人是否接受评理意见应为“接受”或“不接受”，收到：{raw}", field="accepted")


def _no_id_number(text: str, label: str, field_name: str) -> str:
    if _ID_LIKE.search(text):
        raise InvalidInput(f"{label}只写姓名和身份，不要填写身份证号码等号码：{text}", field=field_name)
    return text


class DeliberationService:
    def __init__(self, services):
        self.services = services

    def validate(self, inp: DeliberationInput) -> dict[str, Any]:
        today = self.services.clock.today()
        held = parse_day(inp.held_on, "评理日期", "held_on")
        if held > today:
            raise InvalidInput(f"评理日期（{held:%Y-%m-%d}）晚于今天，请核对", field="held_on")
        place = clean_text(inp.place, label="评理地点", field="place", limit=200, multiline=False)
        panel = []
        for m in inp.panel:
            m = m if isinstance(m, Panelist) else Panelist(*m) if isinstance(m, (tuple, list)) else Panelist(str(m))
            name = clean_name(m.name, label="评理员姓名", field="panel")
            role = clean_text(m.role or "评理员", label="评理员身份", field="panel", limit=50, multiline=False)
            panel.append({"name": name, "role": _no_id_number(role, "评理员身份", "panel")})
        if not panel:
            raise InvalidInput("请填写评理团成员（至少一人，写姓名和身份，如 老党员、退休村干部、人民调解员）", field="panel")
        attendees = [clean_name(p, label="参加人姓名", field="attendees") for p in inp.attendees if str(p).strip()]
        if not attendees:
            raise InvalidInput("请填写到场的人员（信访人、被反映单位的人员等）", field="attendees")
        statements = clean_text(inp.statements, label="各方陈述", field="statements", limit=_BRIEF)
        view = clean_text(inp.view, label="评理意见", field="view", limit=_BRIEF)
        return dict(held_on=held, place=place, panel=panel, attendees=attendees, statements=statements, view=view,
                    accepted=parse_accepted(inp.accepted))

    def add(self, actor: Actor, inp: DeliberationInput) -> Deliberation:
        require(actor, Permission.NOTE)
        values = self.validate(inp)
        now = self.services.clock.now()
        with self.services.db.atomic():
            case = find_case(inp.case_ref)
            require_writable(self.services.db, actor.unit_code, "deliberation_session",
                             {"case_id": case.id, "corrects": inp.corrects})
            if values["held_on"] < case.received_at.date():
                raise InvalidInput(f"评理日期早于该事项的登记日期（{case.received_at:%Y-%m-%d}），请核对", field="held_on")
            if inp.corrects:
                old = DeliberationSession.get_or_none(DeliberationSession.id == inp.corrects)
                if old is None or old.case_id != case.id:
                    raise NotFound("要更正的评理记录不存在，或不属于该事项")
                if DeliberationSession.get_or_none(DeliberationSession.corrects == old.id) is not None:
                    raise InvalidInput("该评理记录已被更正过，请更正最新的一条", field="corrects")
            row = DeliberationSession.create(unit_code=actor.unit_code, case_id=case.id, corrects=inp.corrects,
                                             actor=actor.name, recorded_at=now, **values)
            audit(actor, "resolution.deliberation" + (".correct" if inp.corrects else ".add"), case.id,
                  {"number": case.number, "session": row.id, "accepted": values["accepted"]}, at=now)
        return self._one(row, case.number, None)

    def of_case(self, case_ref: str, *, include_corrected: bool = True) -> list[Deliberation]:
        case = find_case(case_ref)
        rows = list(DeliberationSession.select().where(DeliberationSession.case_id == case.id)
                    .order_by(DeliberationSession.held_on, DeliberationSession.recorded_at))
        return self._many(rows, {case.id: case.number}, include_corrected)

    def recent(self, limit: int = 200, *, include_corrected: bool = False) -> list[Deliberation]:
        rows = list(DeliberationSession.select().order_by(DeliberationSession.held_on.desc(),
                                                          DeliberationSession.recorded_at.desc()).limit(limit * 2))
        numbers = {c.id: c.number for c in Case.select(Case.id, Case.number)
                   .where(Case.id.in_(list({r.case_id for r in rows}) or [""]))}
        return self._many(rows, numbers, include_corrected)[:limit]

    def get(self, session_id: str) -> Deliberation:
        row = DeliberationSession.get_or_none(DeliberationSession.id == session_id.strip())
        if row is None:
            raise NotFound(f"找不到评理记录 {session_id}（用 xinfang deliberation list 查看记录编号）")
        case = Case.get_or_none(Case.id == row.case_id)
        later = DeliberationSession.get_or_none(DeliberationSession.corrects == row.id)
        return self._one(row, case.number if case else "", later.id if later else None)

    def _many(self, rows: Iterable[DeliberationSession], numbers: dict[str, str],
              include_corrected: bool) -> list[Deliberation]:
        rows = list(rows)
        ids = [r.id for r in rows]
        corrected = {r.corrects: r.id for r in DeliberationSession
                     .select(DeliberationSession.id, DeliberationSession.corrects)
                     .where(DeliberationSession.corrects.in_(ids or [""]))}
        out = [self._one(r, numbers.get(r.case_id, ""), corrected.get(r.id)) for r in rows]
        return out if include_corrected else [s for s in out if s.current]

    @staticmethod
    def _one(r: DeliberationSession, number: str, corrected_by: str | None) -> Deliberation:
        return Deliberation(r.id, r.case_id, number, r.held_on, r.place,
                            tuple(Panelist(m["name"], m.get("role", "评理员")) for m in r.panel or []),
                            tuple(r.attendees or []), r.statements, r.view, bool(r.accepted), r.corrects,
                            corrected_by, r.actor, r.recorded_at, r.unit_code)

    def document(self, actor: Actor, session_id: str):
        """The one-page 评理意见 of a session."""
        require(actor, Permission.PRINT)
        from ..documents.deliberation import DeliberationDetails, render_deliberation
        from .printing import PrintService

        d = self.get(session_id)
        if not d.current:
            raise InvalidInput("该评理记录已被更正，请打印更正后的记录的评理意见")
        doc_case = self.services.get(PrintService).doc_case(Case.get_by_id(d.case_id))
        details = DeliberationDetails(held_on=d.held_on, place=d.place,
                                      panel=tuple(f"{m.name}（{m.role}）" for m in d.panel),
                                      attendees=d.attendees, statements=d.statements, view=d.view,
                                      accepted=d.accepted)
        rendered = render_deliberation(doc_case, details)     # dated the day the panel gave its view
        with self.services.db.atomic():
            audit(actor, "resolution.deliberation.print", d.case_id, {"session": d.id}, at=self.services.clock.now())
        return rendered
