"""The 积案 register (积案化解, 治重化积): a matter is put on it by a recorded decision with a reason (the rule
only suggests), gets a 化解 plan of dated steps, and leaves it only with a recorded outcome — 案结事了,
息诉罢访 with the petitioner's signed statement attached to the case, or 依法终结.

The register is the township's own (each row belongs to the unit that decided it); the city sees every
township's register through their bundles. Plans and outcomes are about resolving the matter.

Permission reused: NOTE (recording what happened on a case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from ..domain import workflow as wf
from ..domain.backlog import Basis, Outcome, Suggestion, days_open, pick, step_urgency, suggest
from ..domain.workflow import OPEN_STATUSES
from ..domain.errors import InvalidInput, NotFound
from ..domain.text import clean_text
from ..domain.urgency import Urgency
from ..store.models import Case, Unit
from ..store.models_attention import LeaderAssignment
from ..store.models_intake import Attachment
from ..store.models_resolution import BacklogEntry, BacklogStep
from ..store.ownership import require_own_row, require_writable
from .attention import parse_day
from .audit import audit
from .board import board_settings
from .cases import find_case
from .permissions import Actor, Permission, require

_OPEN = frozenset(s.value for s in OPEN_STATUSES)
# A matter forwarded elsewhere or refused is not this office's to resolve (its duty ended there).
_NOT_OURS = frozenset({wf.Status.TRANSFERRED.value, wf.Status.REFUSED.value})


@dataclass(frozen=True)
class StepInput:
    action: str
    responsible: str
    due_on: date | str


@dataclass(frozen=True)
class PlanStep:
    id: str
    position: int
    action: str
    responsible: str
    set_on: date
    due_on: date
    done_on: date | None
    result: str | None
    urgency: Urgency | None          # None once done


@dataclass(frozen=True)
class Entry:
    id: str
    unit_code: str
    case_id: str
    case_number: str
    request: str
    basis: Basis
    reason: str
    decided_on: date
    decided_by: str
    outcome: Outcome | None
    outcome_on: date | None
    outcome_note: str | None
    statement_sha256: str | None
    owner: str | None                 # the 包案 leader in force
    steps: tuple[PlanStep, ...]
    days_open: int                    # on the register: from the decision to the outcome (or today)
    matter_days: int = 0              # the matter: from its receipt to the outcome (or today)
    unit_name: str = ""               # the unit whose register it is (the city sees every township's)

    @property
    def on_register(self) -> bool:
        return self.outcome is None

    @property
    def next_step(self) -> PlanStep | None:
        open_steps = [s for s in self.steps if s.done_on is None]
        return min(open_steps, key=lambda s: (s.due_on, s.position)) if open_steps else None


class BacklogService:
    def __init__(self, services):
        self.services = services

    # -- the rule's suggestions -----------------------------------------------------------------
    def suggestions(self, actor: Actor) -> list[Suggestion]:
        """Open matters of this unit the rule suggests for the register (not on it already)."""
        require(actor, Permission.VIEW)
        settings, today = board_settings(), self.services.clock.today()
        on_register = {r.case_id for r in BacklogEntry.select(BacklogEntry.case_id)
                       .where(BacklogEntry.outcome.is_null())}
        rows = list(Case.select(Case.id, Case.number, Case.received_at, Case.status, Case.repeat_of)
                    .where(Case.unit_code == actor.unit_code))
        earlier = {r.id: r.repeat_of for r in rows}

        def petitions(case_id: str) -> int:
            n, seen = 1, {case_id}
            nxt = earlier.get(case_id)
            while nxt and nxt not in seen and nxt in earlier:
                seen.add(nxt)
                n += 1
                nxt = earlier[nxt]
            return n

        out = []
        for r in rows:
            if r.status not in _OPEN or r.id in on_register:
                continue
            found = suggest(r.id, r.number, r.received_at.date(), petitions(r.id), today,
                            long_standing_days=settings.long_standing_days, repeat_count=settings.repeat_count)
            if found is not None:
                out.append(found)
        return sorted(out, key=lambda x: x.number)

    # -- entry ------------------------------------------------------------------------------------
    def add(self, actor: Actor, case_ref: str, *, basis: Basis | str, reason: str, decided_on: date | str | None = None,
            steps: Sequence[StepInput] = ()) -> Entry:
        """Put a matter on the register by a recorded decision, with its first plan steps."""
        require(actor, Permission.NOTE)
        today = self.services.clock.today()
        basis = pick(Basis, basis, "列入积案的依据", "basis")
        reason = clean_text(reason, label="列入积案的理由", field="reason", limit=2000)
        decided = parse_day(decided_on, "决定日期", "decided_on") if decided_on else today
        if decided > today:
            raise InvalidInput(f"决定日期（{decided:%Y-%m-%d}）晚于今天，请核对", field="decided_on")
        planned = [self._step_values(s, decided) for s in steps]
        now = self.services.clock.now()
        with self.services.db.atomic():
            case = find_case(case_ref)
            require_writable(self.services.db, actor.unit_code, "backlog_entry", {"case_id": case.id})
            if case.status in _NOT_OURS:
                raise InvalidInput(f"事项 {case.number} {wf.Status(case.status).label}，不由本机关化解，不能列入积案",
                                   field="case")
            if decided < case.received_at.date():
                raise InvalidInput(f"决定日期早于该事项的登记日期（{case.received_at:%Y-%m-%d}），请核对", field="decided_on")
            if BacklogEntry.get_or_none((BacklogEntry.case_id == case.id) & BacklogEntry.outcome.is_null()):
                raise InvalidInput(f"事项 {case.number} 已在积案台账上", field="case")
            row = BacklogEntry.create(unit_code=actor.unit_code, case_id=case.id, basis=basis.value, reason=reason,
                                      decided_on=decided, decided_by=actor.display_name, updated_at=now)
            for i, v in enumerate(planned, 1):
                BacklogStep.create(unit_code=actor.unit_code, entry_id=row.id, position=i, recorded_by=actor.name,
                                   updated_at=now, **v)
            audit(actor, "resolution.backlog.add", case.id,
                  {"number": case.number, "entry": row.id, "basis": basis.value}, at=now)
        return self.get(row.id)

    def _step_values(self, s: StepInput, set_on: date) -> dict[str, Any]:
        action = clean_text(s.action, label="化解步骤", field="steps", limit=500)
        responsible = clean_text(s.responsible, label="责任人（单位）", field="steps", limit=100, multiline=False)
        due = parse_day(s.due_on, "步骤完成期限", "steps")
        if due < set_on:
            raise InvalidInput(f"步骤“{action[:20]}”的完成期限（{due:%Y-%m-%d}）早于制定日期（{set_on:%Y-%m-%d}）",
                               field="steps")
        return dict(action=action, responsible=responsible, set_on=set_on, due_on=due)

    def add_step(self, actor: Actor, entry_id: str, step: StepInput) -> Entry:
        require(actor, Permission.NOTE)
        today, now = self.services.clock.today(), self.services.clock.now()
        values = self._step_values(step, today)
        with self.services.db.atomic():
            row = self._open_row(actor, entry_id)
            last = BacklogStep.select().where(BacklogStep.entry_id == row.id).count()
            BacklogStep.create(unit_code=actor.unit_code, entry_id=row.id, position=last + 1, recorded_by=actor.name,
                               updated_at=now, **values)
            audit(actor, "resolution.backlog.step", row.case_id, {"entry": row.id, "action": values["action"]}, at=now)
        return self.get(row.id)

    def finish_step(self, actor: Actor, entry_id: str, position: int, result: str,
                    done_on: date | str | None = None) -> Entry:
        require(actor, Permission.NOTE)
        today, now = self.services.clock.today(), self.services.clock.now()
        result = clean_text(result, label="步骤完成情况", field="result", limit=1000)
        done = parse_day(done_on, "完成日期", "done_on") if done_on else today
        if done > today:
            raise InvalidInput("完成日期晚于今天，请核对", field="done_on")
        with self.services.db.atomic():
            row = self._open_row(actor, entry_id)
            step = BacklogStep.get_or_none((BacklogStep.entry_id == row.id) & (BacklogStep.position == position))
            if step is None:
                raise NotFound(f"该积案的化解方案没有第{position}步")
            if step.done_on is not None:
                raise InvalidInput(f"第{position}步已于{step.done_on:%Y-%m-%d}完成", field="position")
            if done < step.set_on:
                raise InvalidInput("完成日期早于该步骤的制定日期，请核对", field="done_on")
            BacklogStep.update(done_on=done, result=result, version=BacklogStep.version + 1, updated_at=now) \
                .where(BacklogStep.id == step.id).execute()
            audit(actor, "resolution.backlog.step_done", row.case_id, {"entry": row.id, "position": position}, at=now)
        return self.get(row.id)

    # -- exit ---------------------------------------------------------------------------------
    def resolve(self, actor: Actor, entry_id: str, *, outcome: Outcome | str, note: str,
                outcome_on: date | str | None = None, statement: Path | str | None = None) -> Entry:
        """Take a matter off the register with its 化解 outcome. 息诉罢访 needs the petitioner's signed
        statement: a scan, attached to the case here (or one already attached, by file name)."""
        require(actor, Permission.NOTE)
        today, now = self.services.clock.today(), self.services.clock.now()
        outcome = pick(Outcome, outcome, "化解结果", "outcome")
        note = clean_text(note, label="化解情况", field="note", limit=2000)
        day = parse_day(outcome_on, "化解日期", "outcome_on") if outcome_on else today
        if day > today:
            raise InvalidInput(f"化解日期（{day:%Y-%m-%d}）晚于今天，请核对", field="outcome_on")
        if outcome.needs_statement and not statement:
            raise InvalidInput("息诉罢访须附信访人签字的息诉罢访承诺书（扫描件），请选择文件", field="statement")
        row = self._open_row(actor, entry_id)
        if day < row.decided_on:
            raise InvalidInput(f"化解日期早于列入积案的日期（{row.decided_on:%Y-%m-%d}）", field="outcome_on")
        sha = self._statement(actor, row.case_id, statement) if outcome.needs_statement else None
        with self.services.db.atomic():
            row = self._open_row(actor, entry_id)
            BacklogEntry.update(outcome=outcome.value, outcome_on=day, outcome_note=note, statement_sha256=sha,
                                closed_by=actor.display_name, version=BacklogEntry.version + 1, updated_at=now) \
                .where(BacklogEntry.id == row.id).execute()
            audit(actor, "resolution.backlog.resolve", row.case_id, {"entry": row.id, "outcome": outcome.value}, at=now)
        return self.get(row.id)

    def _statement(self, actor: Actor, case_id: str, statement: Path | str) -> str:
        """The sha256 of the signed statement: a file of the case by its name, else a file attached now."""
        from .attachments import AttachmentService

        known = Attachment.get_or_none((Attachment.case == case_id) & (Attachment.file_name == str(statement)))
        if known is not None:
            return known.sha256
        if not Path(statement).is_file():
            raise InvalidInput(f"找不到息诉罢访承诺书文件：{statement}", field="statement")
        attached = self.services.get(AttachmentService)
        rows = attached.attach(actor, case_id, [statement])
        if rows:
            return rows[0].sha256
        from .attachments import check_file
        sha = check_file(statement).sha256
        return sha

    def _open_row(self, actor: Actor, entry_id: str) -> BacklogEntry:
        row = BacklogEntry.get_or_none(BacklogEntry.id == (entry_id or "").strip())
        if row is None:
            case = None
            try:
                case = find_case(entry_id)
            except NotFound:
                pass
            if case is not None:
                row = BacklogEntry.get_or_none((BacklogEntry.case_id == case.id) & BacklogEntry.outcome.is_null())
        if row is None:
            raise NotFound(f"积案台账上没有 {entry_id}（用 xinfang backlog list 查看）")
        require_own_row(self.services.db, actor.unit_code, "backlog_entry", row.unit_code)
        if row.outcome is not None:
            raise InvalidInput(f"该积案已于{row.outcome_on:%Y-%m-%d}以“{Outcome(row.outcome).label}”移出台账", field="entry")
        return row

    # -- reading ----------------------------------------------------------------------------------
    def get(self, entry_id: str) -> Entry:
        row = BacklogEntry.get_or_none(BacklogEntry.id == entry_id)
        if row is None:
            case = find_case(entry_id)
            row = (BacklogEntry.select().where(BacklogEntry.case_id == case.id)
                   .order_by(BacklogEntry.decided_on.desc()).first())
            if row is None:
                raise NotFound(f"事项 {case.number} 不在积案台账上")
        return self._entries([row])[0]

    def register(self, *, include_resolved: bool = False) -> list[Entry]:
        """The register by matter: every unit's entries this database holds (the city: every township's)."""
        q = BacklogEntry.select()
        if not include_resolved:
            q = q.where(BacklogEntry.outcome.is_null())
        return sorted(self._entries(list(q)), key=lambda e: (not e.on_register, -e.days_open, e.case_number))

    def _entries(self, rows: list[BacklogEntry]) -> list[Entry]:
        today = self.services.clock.today()
        ids = [r.id for r in rows] or [""]
        case_ids = list({r.case_id for r in rows}) or [""]
        cases = {c.id: c for c in Case.select(Case.id, Case.number, Case.request, Case.received_at)
                 .where(Case.id.in_(case_ids))}
        leaders = {a.case_id: a.leader_display for a in LeaderAssignment.select()
                   .where(LeaderAssignment.case_id.in_(case_ids) & LeaderAssignment.ended_at.is_null())}
        steps: dict[str, list[PlanStep]] = {}
        for s in BacklogStep.select().where(BacklogStep.entry_id.in_(ids)).order_by(BacklogStep.position):
            steps.setdefault(s.entry_id, []).append(PlanStep(
                s.id, s.position, s.action, s.responsible, s.set_on, s.due_on, s.done_on, s.result,
                step_urgency(s.set_on, s.due_on, s.done_on, today)))
        units = {code: name for code, name in Unit.select(Unit.code, Unit.name).tuples()}
        out = []
        for r in rows:
            c = cases.get(r.case_id)
            out.append(Entry(r.id, r.unit_code, r.case_id, c.number if c else "", (c.request if c else "") or "",
                             Basis(r.basis), r.reason, r.decided_on, r.decided_by,
                             Outcome(r.outcome) if r.outcome else None, r.outcome_on, r.outcome_note,
                             r.statement_sha256, leaders.get(r.case_id), tuple(steps.get(r.id, ())),
                             days_open(r.decided_on, r.outcome_on, today),
                             days_open(c.received_at.date(), r.outcome_on, today) if c else 0,
                             units.get(r.unit_code, r.unit_code)))
        return out

    def of_case(self, case_ref: str) -> list[Entry]:
        case = find_case(case_ref)
        return self._entries(list(BacklogEntry.select().where(BacklogEntry.case_id == case.id)
                                  .order_by(BacklogEntry.decided_on)))

