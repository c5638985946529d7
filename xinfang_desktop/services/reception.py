"""Leaders' receptions (领导接访): a log of each, and a summary for any period in batches (批)
and person-visits (人次) per kind and in total, which add up by construction.

Permission reused: NOTE to record (clerks, handlers, leaders); VIEW for the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from ..domain.errors import InvalidInput
from ..domain.statistics import FOUR_DOORS
from ..domain.text import clean_name, clean_text
from ..store.models import Case
from ..store.models_attention import Reception
from ..store.ownership import require_writable
from .attention import parse_day
from .audit import audit
from .cases import find_case
from .permissions import Actor, Permission, require


class ReceptionKind(str, Enum):
    HOME_VISIT = "home_visit"        # 登门走访
    INVITED = "invited"              # 进门约访
    OPEN_DOOR = "open_door"          # 开门接访
    RETURN_VISIT = "return_visit"    # 上门回访
    RECEPTION_DAY = "reception_day"  # 接访日

    @property
    def label(self) -> str:
        return {"home_visit": "登门走访", "invited": "进门约访", "open_door": "开门接访",
                "return_visit": "上门回访", "reception_day": "接访日"}[self.value]

    @classmethod
    def parse(cls, raw) -> "ReceptionKind":
        for k in cls:
            if raw in (k, k.value, k.label):
                return k
        raise InvalidInput(f"接访方式无效：{raw}，应为{'、'.join(k.label for k in cls)}之一", field="kind")


@dataclass(frozen=True)
class ReceptionEntry:
    id: str
    leader: str
    held_on: date
    place: str
    kind: ReceptionKind
    batches: int
    persons: int
    case_numbers: tuple[str, ...]
    notes: str
    recorded_by: str


@dataclass(frozen=True)
class SummaryLine:
    kind: ReceptionKind | None       # None: the total
    label: str
    receptions: int
    batches: int
    persons: int


@dataclass(frozen=True)
class ReceptionSummary:
    start: date
    end: date
    lines: tuple[SummaryLine, ...]   # one per kind, in order, then the total

    @property
    def total(self) -> SummaryLine:
        return self.lines[-1]

    @property
    def four_doors(self) -> SummaryLine:
        """四门四访 (domain.statistics.FOUR_DOORS): the subtotal of its four kinds."""
        members = [ln for ln in self.lines[:-1] if ln.kind is not None and ln.kind.value in FOUR_DOORS.members]
        return SummaryLine(None, FOUR_DOORS.label, sum(ln.receptions for ln in members),
                           sum(ln.batches for ln in members), sum(ln.persons for ln in members))

    def display_lines(self) -> tuple[SummaryLine, ...]:
        """As printed: the four kinds of 四门四访, their subtotal, the other kinds, the total (as the
        statistics report has them)."""
        kinds = self.lines[:-1]
        inside = [ln for ln in kinds if ln.kind is not None and ln.kind.value in FOUR_DOORS.members]
        return (*inside, self.four_doors, *(ln for ln in kinds if ln not in inside), self.total)

    def as_json(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "kinds": [{"kind": ln.kind.value, "label": ln.label, "receptions": ln.receptions,
                           "batches": ln.batches, "persons": ln.persons} for ln in self.lines[:-1]],
                "four_doors": {"receptions": self.four_doors.receptions, "batches": self.four_doors.batches,
                               "persons": self.four_doors.persons},
                "total": {"receptions": self.total.receptions, "batches": self.total.batches,
                          "persons": self.total.persons}}


class ReceptionService:
    def __init__(self, services):
        self.services = services

    def add(self, actor: Actor, *, leader: str, held_on, place: str, kind, batches: int, persons: int,
            cases: list[str] | tuple[str, ...] = (), notes: str | None = None) -> ReceptionEntry:
        require(actor, Permission.NOTE)
        leader = clean_name(leader, label="接访领导", field="leader")
        day = parse_day(held_on, "接访日期", "held_on")
        if day > self.services.clock.today():
            raise InvalidInput(f"接访日期（{day:%Y-%m-%d}）晚于今天，请核对", field="held_on")
        place = clean_text(place, label="接访地点", field="place", limit=200, multiline=False)
        k = ReceptionKind.parse(kind)
        try:
            batches, persons = int(batches), int(persons)
        except (TypeError, ValueError):
            raise InvalidInput("批次和人次应为整数", field="batches") from None
        if not 1 <= batches <= 500:
            raise InvalidInput("接待批次应为1至500之间的整数", field="batches")
        if persons < batches:
            raise InvalidInput(f"接待人次（{persons}）不能少于批次（{batches}）：每批至少1人", field="persons")
        if persons > 10000:
            raise InvalidInput("接待人次过大，请核对", field="persons")
        notes = clean_text(notes, label="接访情况", field="notes", required=False) or ""
        now = self.services.clock.now()
        with self.services.db.atomic():
            found = [find_case(ref) for ref in cases if str(ref).strip()]
            require_writable(self.services.db, actor.unit_code, "reception", {"case_ids": [c.id for c in found]})
            row = Reception.create(unit_code=actor.unit_code, leader=leader, held_on=day, place=place, kind=k.value,
                                   batches=batches, persons=persons, case_ids=[c.id for c in found], notes=notes,
                                   recorded_by=actor.name, recorded_at=now, updated_at=now)
            audit(actor, "attention.reception.add", row.id,
                  {"leader": leader, "kind": k.value, "batches": batches, "persons": persons}, at=now)
        return ReceptionEntry(row.id, leader, day, place, k, batches, persons, tuple(c.number for c in found), notes,
                              actor.name)

    def entries(self, start: date | None = None, end: date | None = None, limit: int = 500) -> list[ReceptionEntry]:
        q = Reception.select()
        if start:
            q = q.where(Reception.held_on >= start)
        if end:
            q = q.where(Reception.held_on <= end)
        rows = list(q.order_by(Reception.held_on.desc(), Reception.recorded_at.desc()).limit(limit))
        ids = {cid for r in rows for cid in (r.case_ids or [])}
        numbers = {c.id: c.number for c in Case.select(Case.id, Case.number).where(Case.id.in_(list(ids) or [""]))}
        return [ReceptionEntry(r.id, r.leader, r.held_on, r.place, ReceptionKind(r.kind), r.batches, r.persons,
                               tuple(numbers.get(c, "") for c in r.case_ids or []), r.notes, r.recorded_by)
                for r in rows]

    def summary(self, actor: Actor, start, end) -> ReceptionSummary:
        require(actor, Permission.VIEW)
        start = parse_day(start, "起始日期", "from")
        end = parse_day(end, "截止日期", "to")
        if end < start:
            raise InvalidInput("截止日期早于起始日期，请核对", field="to")
        rows = self.services.db.execute_sql(
            "SELECT kind, COUNT(*), SUM(batches), SUM(persons) FROM reception WHERE held_on BETWEEN ? AND ? "
            "GROUP BY kind", (start.isoformat(), end.isoformat())).fetchall()
        got = {k: (n, b or 0, p or 0) for k, n, b, p in rows}
        lines = [SummaryLine(k, k.label, *got.get(k.value, (0, 0, 0))) for k in ReceptionKind]
        # The total is the sum of the lines above it, so the table always adds up.
        total = SummaryLine(None, "合计", sum(ln.receptions for ln in lines), sum(ln.batches for ln in lines),
                            sum(ln.persons for ln in lines))
        return ReceptionSummary(start, end, (*lines, total))
