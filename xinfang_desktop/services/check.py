"""`xinfang check`: the database file's integrity and every cached case state against its events."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain import workflow as wf
from ..store.integrity import engine_check
from ..store import models_facts
from ..store.models import Case, CaseEvent, self_unit_code
from .cases import CACHED_COLUMNS, apply_state, to_event


@dataclass
class CheckReport:
    integrity: str
    foreign_key_problems: int
    cases_checked: int
    mismatched: list[str] = field(default_factory=list)     # case numbers whose cache differs
    timeline_problems: list[str] = field(default_factory=list)
    repaired: int = 0
    facts_stale: int = 0          # statistics rows (case_fact) that do not mirror their case row

    @property
    def ok(self) -> bool:
        return (self.integrity == "ok" and not self.foreign_key_problems and not self.mismatched
                and not self.facts_stale)


def run_check(db, calendar, *, repair: bool = False, progress=None) -> CheckReport:
    integrity, fk = engine_check(db)
    cal = calendar()
    report = CheckReport(integrity=integrity, foreign_key_problems=fk, cases_checked=0)
    total = max(1, Case.select().count())
    fields = CACHED_COLUMNS
    here = self_unit_code(db)
    # Merge-join cases and events, both streamed in case-id order: memory stays flat for a
    # million cases (the (case, occurred_at) index serves the event order).
    event_rows = CaseEvent.select().order_by(CaseEvent.case, CaseEvent.occurred_at).iterator()
    pending = next(event_rows, None)
    with db.atomic():
        for case in Case.select().order_by(Case.id).iterator():
            while pending is not None and pending.case_id < case.id:
                report.timeline_problems.append(f"办理记录 {pending.id} 指向不存在的事项")
                pending = next(event_rows, None)
            events = []
            while pending is not None and pending.case_id == case.id:
                events.append(to_event(pending))
                pending = next(event_rows, None)
            report.cases_checked += 1
            state = wf.fold(events, cal)
            expected = Case(status="")
            apply_state(expected, state, here)
            cached = tuple(_norm(getattr(case, f)) for f in fields)
            if cached != tuple(_norm(getattr(expected, f)) for f in fields):
                report.mismatched.append(case.number)
                if repair:
                    for f in fields:
                        setattr(case, f, getattr(expected, f))
                    case.save()
                    report.repaired += 1
            for p in state.problems:
                report.timeline_problems.append(f"{case.number}：{p}")
            if progress and report.cases_checked % 10000 == 0:
                progress(report.cases_checked / total, f"已检查 {report.cases_checked} 件")
        report.facts_stale = models_facts.stale(db)
        if repair and report.facts_stale:
            models_facts.fill(db)
    return report


def _norm(v):
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    if isinstance(v, bool):
        return int(v)
    return v
