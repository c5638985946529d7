"""Meetings (会议, issue 19): the "三个一" of the seed office — a 跟踪督办会 every month, a 推进会 every quarter, a
信访工作联席会议 every half year — and 专题会/研判会 on particular matters. A meeting discusses matters (cases) and
hands units tasks on them, each with a deadline; a task turns amber and red like every other dated list (the
board's 临近到期天数, domain/urgency.by_days_left) and is closed with a short result. The minutes print as a
one-page 会议纪要 (documents/minutes.py).

Everything here is about resolving matters: a task says what a unit is to do on a matter, never what is to be
done about a person, so text that would record a person's whereabouts or a control measure is refused.

Permissions reused: NOTE to record a meeting and close a task, VIEW to read, PRINT for the minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Iterable, Sequence

from peewee import SQL

from ..domain.errors import InvalidInput, NotFound
from ..domain.text import clean_text
from ..domain.urgency import Urgency, by_days_left
from ..store.models import Case, Unit
from ..store.models_meetings import Meeting, MeetingTask
from ..store.ownership import require_own_row, require_writable
from .attention import parse_day
from .audit import audit
from .cases import find_case
from .permissions import Actor, Permission, require


class MeetingKind(str, Enum):
    TRACKING = "tracking"      # 跟踪督办会, monthly
    PROGRESS = "progress"      # 推进会, quarterly
    JOINT = "joint"            # 信访工作联席会议, half-yearly
    SPECIAL = "special"        # 专题会／研判会, on particular matters

    @property
    def label(self) -> str:
        return {"tracking": "跟踪督办会", "progress": "推进会", "joint": "信访工作联席会议",
                "special": "专题会／研判会"}[self.value]

    @property
    def rhythm(self) -> str:
        return {"tracking": "每月", "progress": "每季度", "joint": "每半年", "special": "按需"}[self.value]

    @classmethod
    def parse(cls, raw: Any) -> "MeetingKind":
        text = str(raw.value if isinstance(raw, Enum) else raw or "").strip()
        for k in cls:
            if text in (k.value, k.label, *k.label.split("／")):
                return k
        raise InvalidInput(f"会议类型无效：{text or '（空）'}，应为{'、'.join(k.label for k in cls)}之一", field="kind")


# Words of watching or restraining people (DOMAIN.md "What the product never does"): a meeting's record is
# about the matter, so text carrying them is refused with a word on what to write instead.
FORBIDDEN_WORDS = ("行踪", "稳控", "管控", "布控", "预警人员")
UNIT_LIMIT = 100
TASK_LIMIT = 500
MAX_TASKS = 100


def _matter_text(value: Any, *, label: str, field_name: str, required: bool = True, limit: int = 2000,
                 multiline: bool = True) -> str:
    text = clean_text(value, label=label, field=field_name, required=required, limit=limit, multiline=multiline) or ""
    found = [w for w in FORBIDDEN_WORDS if w in text]
    if found:
        raise InvalidInput(f"{label}中有“{found[0]}”：会议记录的是化解事项的工作（由哪个单位做什么、何时完成），"
                           "不记录人员的去向，也不对人员采取限制措施。请改写为对事项的处理。", field=field_name)
    return text


@dataclass(frozen=True)
class TaskInput:
    case_ref: str
    unit: str
    what: str
    due_on: date | str


@dataclass(frozen=True)
class MeetingInput:
    kind: MeetingKind | str
    held_on: date | str
    chair: str
    units: Sequence[str]
    matters: Sequence[str]                     # case numbers (short numbers accepted) or ids
    tasks: Sequence[TaskInput] = ()
    place: str = ""
    topic: str = ""
    summaries: dict[str, str] = field(default_factory=dict)   # case ref -> what was said of it
    notes: str = ""


@dataclass(frozen=True)
class TaskView:
    id: str
    meeting_id: str
    meeting_kind: MeetingKind
    meeting_date: date
    owner_unit: str                  # the unit that held the meeting (owns the task)
    owner_name: str
    case_id: str
    case_number: str
    unit: str
    what: str
    due_on: date
    closed_on: date | None
    result: str | None
    urgency: Urgency | None          # None once closed

    @property
    def open(self) -> bool:
        return self.closed_on is None

    def state_text(self, today: date) -> str:
        if self.closed_on is not None:
            late = "（逾期完成）" if self.closed_on > self.due_on else ""
            return f"已于{self.closed_on:%Y-%m-%d}完成{late}"
        days = (self.due_on - today).days
        mark = self.urgency.symbol if self.urgency else ""
        return f"{mark} " + (f"超期{-days}天" if days < 0 else "今天到期" if days == 0 else f"剩{days}天")

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "meeting": self.meeting_id, "meeting_kind": self.meeting_kind.label,
                "meeting_date": self.meeting_date, "owner_unit": self.owner_unit, "case": self.case_number,
                "unit": self.unit, "what": self.what, "due_on": self.due_on, "closed_on": self.closed_on,
                "result": self.result, "urgency": self.urgency.value if self.urgency else None}


@dataclass(frozen=True)
class MatterView:
    case_id: str
    number: str
    parties: str
    request: str
    status_label: str
    summary: str


@dataclass(frozen=True)
class MeetingView:
    id: str
    unit_code: str
    unit_name: str
    kind: MeetingKind
    held_on: date
    issue: int                       # the meeting's place in its unit's year of that kind (第N期)
    topic: str
    place: str
    chair: str
    units: tuple[str, ...]
    matters: tuple[MatterView, ...]
    tasks: tuple[TaskView, ...]
    notes: str
    recorded_by: str

    @property
    def open_tasks(self) -> int:
        return sum(1 for t in self.tasks if t.open)

    def title(self) -> str:
        return f"{self.kind.label}（{self.held_on:%Y-%m-%d}）" + (f"：{self.topic}" if self.topic else "")

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "unit": self.unit_code, "unit_name": self.unit_name, "kind": self.kind.label,
                "kind_code": self.kind.value, "held_on": self.held_on, "issue": self.issue, "topic": self.topic,
                "place": self.place, "chair": self.chair, "units": list(self.units),
                "matters": [{"case": m.number, "parties": m.parties, "request": m.request, "status": m.status_label,
                             "summary": m.summary} for m in self.matters],
                "tasks": [t.as_json() for t in self.tasks], "notes": self.notes}


def parse_task_line(spec: str) -> TaskInput:
    """「事项:责任单位:任务内容:完成时限」(half- or full-width colons; the content may hold its own colons)."""
    pieces = re.split(r"([:：])", spec.strip())
    parts = pieces[::2]
    if len(parts) < 4 or not all(p.strip() for p in (parts[0], parts[1], parts[-1])):
        raise InvalidInput(f"任务格式应为 事项:责任单位:任务内容:完成时限，收到：{spec.strip()}", field="tasks")
    return TaskInput(parts[0].strip(), parts[1].strip(), "".join(pieces[4:-2]).strip(), parts[-1].strip())


def parse_summary_lines(text: str) -> dict[str, str]:
    """「事项:研究情况」, one a line."""
    out = {}
    for line in (text or "").splitlines():
        if line.strip():
            ref, sep, said = _split_once(line.strip())
            if not sep:
                raise InvalidInput(f"研究情况格式应为 事项:研究情况，收到：{line.strip()}", field="summaries")
            out[ref.strip()] = said.strip()
    return out


def _split_once(line: str) -> tuple[str, str, str]:
    parts = re.split(r"([:：])", line, maxsplit=1)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else (line, "", "")


def _clean_units(units: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in units:
        for part in str(raw or "").replace("，", "、").replace(",", "、").split("、"):
            if part.strip():
                name = _matter_text(part, label="参会单位", field_name="units", limit=UNIT_LIMIT, multiline=False)
                if name not in out:
                    out.append(name)
    return out


def _soon() -> int:
    from .board import board_settings     # here: the board's module imports the workbench
    return board_settings().due_soon_days


def task_views(tasks: list[MeetingTask], today: date, meetings: dict[str, Meeting] | None = None) -> list[TaskView]:
    """The tasks as shown, each open one coloured by the one rule of dated lists (the board's 临近到期天数)."""
    soon = _soon()
    if meetings is None:
        ids = list({t.meeting_id for t in tasks})
        meetings = {m.id: m for m in Meeting.select().where(Meeting.id.in_(ids or [""]))}
    numbers = {c.id: c.number for c in Case.select(Case.id, Case.number)
               .where(Case.id.in_(list({t.case_id for t in tasks}) or [""]))}
    names = {u.code: u.name for u in Unit.select()}
    out = []
    for t in tasks:
        m = meetings.get(t.meeting_id)
        if m is None:        # a task whose meeting has not arrived yet (held in quarantine): not shown
            continue
        out.append(TaskView(t.id, t.meeting_id, MeetingKind(m.kind), m.held_on, t.unit_code,
                            names.get(t.unit_code, t.unit_code), t.case_id, numbers.get(t.case_id, ""), t.unit,
                            t.what, t.due_on, t.closed_on, t.result,
                            None if t.closed_on else by_days_left(t.due_on, today, soon)))
    return out


def meetings_of_case(case_id: str) -> list[Meeting]:
    # case_ids is a JSON list: a LIKE finds the candidates, the list itself decides.
    rows = Meeting.select().where(SQL('"case_ids" LIKE ?', (f"%{case_id}%",))).order_by(Meeting.held_on)
    return [m for m in rows if case_id in (m.case_ids or [])]


def case_tasks(case_id: str, today: date) -> list[TaskView]:
    rows = list(MeetingTask.select().where(MeetingTask.case_id == case_id).order_by(MeetingTask.due_on))
    return task_views(rows, today)


def case_timeline(case_id: str, today: date) -> list[tuple[datetime, str, str, str, str, str]]:
    """(when, id, kind, label, summary, actor) of the meetings that discussed the case and of its tasks closed."""
    out = []
    tasks = case_tasks(case_id, today)
    for m in meetings_of_case(case_id):
        mine = [t for t in tasks if t.meeting_id == m.id]
        said = (m.summaries or {}).get(case_id, "")
        text = f"{MeetingKind(m.kind).label}（主持：{m.chair}）研究本事项" + (f"：{said}" if said else "")
        if mine:
            text += "；议定任务：" + "；".join(f"{t.unit}{t.what}（{t.due_on:%Y-%m-%d}前）" for t in mine)
        # The meeting's day at the time it was recorded (a day has no hour of its own).
        out.append((datetime.combine(m.held_on, m.recorded_at.time()), m.id, "meeting", "会议研究", text,
                    m.recorded_by))
    for t in tasks:
        if t.closed_on is not None:
            row = MeetingTask.get_by_id(t.id)
            out.append((datetime.combine(t.closed_on, row.updated_at.time()), t.id, "meeting_task", "会议任务完成",
                        f"{t.unit}：{t.what}——{t.result}", row.closed_by or ""))
    return sorted(out, key=lambda e: e[0])


class MeetingService:
    def __init__(self, services):
        self.services = services

    # -- writing -------------------------------------------------------------------------------
    def validate(self, inp: MeetingInput) -> dict[str, Any]:
        """Everything that can be checked without the database, before anything is written."""
        kind = MeetingKind.parse(inp.kind)
        held = parse_day(inp.held_on, "会议日期", "held_on")
        if held > self.services.clock.today():
            raise InvalidInput(f"会议日期（{held:%Y-%m-%d}）晚于今天：会议开过后再记录", field="held_on")
        chair = _matter_text(inp.chair, label="主持人", field_name="chair", limit=50, multiline=False)
        units = _clean_units(inp.units)
        if not units:
            raise InvalidInput("请填写参会单位（至少一个）", field="units")
        refs = [str(r).strip() for r in inp.matters if str(r).strip()]
        if not refs:
            raise InvalidInput("请填写本次会议研究的事项（至少一件，可输入事项编号的后几位，如 1252）", field="matters")
        if len(inp.tasks) > MAX_TASKS:
            raise InvalidInput(f"一次会议的任务不能多于{MAX_TASKS}项", field="tasks")
        tasks = []
        for i, t in enumerate(inp.tasks, 1):
            unit = _matter_text(t.unit, label=f"第{i}项任务的责任单位", field_name="tasks", limit=UNIT_LIMIT,
                                multiline=False)
            what = _matter_text(t.what, label=f"第{i}项任务的内容", field_name="tasks", limit=TASK_LIMIT)
            due = parse_day(t.due_on, f"第{i}项任务的完成时限", "tasks")
            if due <= held:
                raise InvalidInput(f"第{i}项任务的完成时限（{due:%Y-%m-%d}）应晚于会议日期（{held:%Y-%m-%d}）",
                                   field="tasks")
            tasks.append((str(t.case_ref).strip(), unit, what, due))
        summaries = {str(k).strip(): _matter_text(v, label="事项研究情况", field_name="summaries", required=False)
                     for k, v in (inp.summaries or {}).items() if str(v or "").strip()}
        return dict(kind=kind, held_on=held, chair=chair, units=units, refs=refs, tasks=tasks,
                    place=_matter_text(inp.place, label="会议地点", field_name="place", required=False, limit=200,
                                       multiline=False),
                    topic=_matter_text(inp.topic, label="会议议题", field_name="topic", required=False, limit=200,
                                       multiline=False),
                    summaries=summaries,
                    notes=_matter_text(inp.notes, label="其他事项", field_name="notes", required=False, limit=5000))

    def add(self, actor: Actor, inp: MeetingInput) -> MeetingView:
        require(actor, Permission.NOTE)
        v = self.validate(inp)
        now = self.services.clock.now()
        today = self.services.clock.today()
        with self.services.db.atomic():
            cases: list[Case] = []
            by_ref: dict[str, Case] = {}
            for ref in v["refs"]:
                case = find_case(ref, today)
                by_ref[ref] = case
                if case.id not in {c.id for c in cases}:
                    cases.append(case)
            case_ids = [c.id for c in cases]
            require_writable(self.services.db, actor.unit_code, "meeting", {"case_ids": case_ids})
            tasks = []
            for i, (ref, unit, what, due) in enumerate(v["tasks"], 1):
                case = by_ref.get(ref) or find_case(ref, today)
                if case.id not in case_ids:
                    raise InvalidInput(f"第{i}项任务所属的事项 {case.number} 不在本次会议研究的事项中：请先把它加入研究事项",
                                       field="tasks")
                tasks.append((case, unit, what, due))
            summaries = {}
            for ref, text in v["summaries"].items():
                case = by_ref.get(ref) or find_case(ref, today)
                if case.id not in case_ids:
                    raise InvalidInput(f"事项 {case.number} 不在本次会议研究的事项中", field="summaries")
                summaries[case.id] = text
            for c in cases:
                if c.received_at.date() > v["held_on"]:
                    raise InvalidInput(f"事项 {c.number} 登记于{c.received_at:%Y-%m-%d}，晚于会议日期，请核对",
                                       field="matters")
            row = Meeting.create(unit_code=actor.unit_code, kind=v["kind"].value, held_on=v["held_on"],
                                 topic=v["topic"], place=v["place"], chair=v["chair"], units=v["units"],
                                 case_ids=case_ids, summaries=summaries, notes=v["notes"], recorded_by=actor.name,
                                 recorded_at=now, updated_at=now)
            for case, unit, what, due in tasks:
                require_writable(self.services.db, actor.unit_code, "meeting_task", {"meeting_id": row.id, "case_id": case.id})
                MeetingTask.create(unit_code=actor.unit_code, meeting_id=row.id, case_id=case.id, unit=unit, what=what,
                                   due_on=due, updated_at=now)
            audit(actor, "meeting.add", row.id, {"kind": v["kind"].value, "held_on": v["held_on"].isoformat(),
                                                 "matters": len(case_ids), "tasks": len(tasks)}, at=now)
        return self.get(actor, row.id)

    def close_task(self, actor: Actor, task_ref: str, result: str, closed_on: date | str | None = None) -> TaskView:
        """A task done: the date and a short result. Only the office that held the meeting closes it."""
        require(actor, Permission.NOTE)
        text = _matter_text(result, label="完成情况", field_name="result", limit=TASK_LIMIT)
        today = self.services.clock.today()
        day = parse_day(closed_on, "完成日期", "closed_on") if closed_on else today
        if day > today:
            raise InvalidInput(f"完成日期（{day:%Y-%m-%d}）晚于今天，请核对", field="closed_on")
        now = self.services.clock.now()
        with self.services.db.atomic():
            task = self._task_row(task_ref)
            require_own_row(self.services.db, actor.unit_code, "meeting_task", task.unit_code)
            if task.closed_on is not None:
                raise InvalidInput(f"该任务已于{task.closed_on:%Y-%m-%d}完成，不能重复办结", field="result")
            meeting = Meeting.get_by_id(task.meeting_id)
            if day < meeting.held_on:
                raise InvalidInput(f"完成日期早于会议日期（{meeting.held_on:%Y-%m-%d}），请核对", field="closed_on")
            (MeetingTask.update(closed_on=day, result=text, closed_by=actor.name, version=MeetingTask.version + 1,
                                updated_at=now).where(MeetingTask.id == task.id).execute())
            audit(actor, "meeting.task.close", task.id, {"meeting": task.meeting_id, "closed_on": day.isoformat()},
                  at=now)
        return self.task(task.id)

    # -- reading -------------------------------------------------------------------------------
    def _task_row(self, ref: str) -> MeetingTask:
        ref = (ref or "").strip().lower()
        if len(ref) < 6:
            raise NotFound("请给出任务编号（至少前6位）")
        rows = list(MeetingTask.select().where(MeetingTask.id.startswith(ref)).limit(2))
        if len(rows) != 1:
            raise NotFound(f"找不到任务：{ref}" if not rows else f"有多项任务以 {ref} 开头，请多输入几位")
        return rows[0]

    def _meeting_row(self, ref: str) -> Meeting:
        ref = (ref or "").strip().lower()
        if len(ref) < 6:
            raise NotFound("请给出会议编号（至少前6位，见会议列表）")
        rows = list(Meeting.select().where(Meeting.id.startswith(ref)).limit(2))
        if len(rows) != 1:
            raise NotFound(f"找不到会议：{ref}" if not rows else f"有多次会议的编号以 {ref} 开头，请多输入几位")
        return rows[0]

    def _views(self, tasks: list[MeetingTask], meetings: dict[str, Meeting] | None = None) -> list[TaskView]:
        return task_views(tasks, self.services.clock.today(), meetings)

    def task(self, task_id: str) -> TaskView:
        row = MeetingTask.get_or_none(MeetingTask.id == task_id)
        if row is None:
            raise NotFound("找不到该任务")
        return self._views([row])[0]

    def open_tasks(self, actor: Actor, *, limit: int | None = None) -> list[TaskView]:
        """Every open task this database holds, soonest due first: at a township its own meetings', at the
        city every township's that has arrived in a bundle, beside the city's own."""
        require(actor, Permission.VIEW)
        q = (MeetingTask.select().where(MeetingTask.closed_on.is_null())
             .order_by(MeetingTask.due_on, MeetingTask.unit_code, MeetingTask.id))
        if limit is not None:
            q = q.limit(limit)
        return self._views(list(q))

    def count_open(self) -> int:
        return MeetingTask.select().where(MeetingTask.closed_on.is_null()).count()

    def tasks_of_case(self, case_id: str) -> list[TaskView]:
        return case_tasks(case_id, self.services.clock.today())

    def list(self, actor: Actor, *, start: date | str | None = None, end: date | str | None = None,
             kind: MeetingKind | str | None = None, limit: int = 500) -> list[MeetingView]:
        require(actor, Permission.VIEW)
        q = Meeting.select()
        if start:
            q = q.where(Meeting.held_on >= parse_day(start, "起始日期", "from"))
        if end:
            q = q.where(Meeting.held_on <= parse_day(end, "截止日期", "to"))
        if kind:
            q = q.where(Meeting.kind == MeetingKind.parse(kind).value)
        rows = list(q.order_by(Meeting.held_on.desc(), Meeting.recorded_at.desc()).limit(limit))
        return [self._view(m) for m in rows]

    def get(self, actor: Actor, meeting_ref: str) -> MeetingView:
        require(actor, Permission.VIEW)
        row = Meeting.get_or_none(Meeting.id == meeting_ref) or self._meeting_row(meeting_ref)
        return self._view(row)

    def _view(self, m: Meeting) -> MeetingView:
        cases = {c.id: c for c in Case.select().where(Case.id.in_(list(m.case_ids or []) or [""]))}
        from ..domain import workflow as wf
        matters = []
        for cid in m.case_ids or []:
            c = cases.get(cid)
            if c is None:
                continue
            try:
                status = wf.Status(c.status).label
            except ValueError:
                status = c.status
            matters.append(MatterView(cid, c.number, c.parties_label, c.request, status,
                                      (m.summaries or {}).get(cid, "")))
        tasks = self._views(list(MeetingTask.select().where(MeetingTask.meeting_id == m.id)
                                 .order_by(MeetingTask.due_on, MeetingTask.id)), {m.id: m})
        order = {cid: i for i, cid in enumerate(m.case_ids or [])}
        tasks.sort(key=lambda t: (order.get(t.case_id, 999), t.due_on))
        issue = (Meeting.select().where((Meeting.unit_code == m.unit_code) & (Meeting.kind == m.kind)
                                        & (Meeting.held_on >= date(m.held_on.year, 1, 1))
                                        & ((Meeting.held_on < m.held_on)
                                           | ((Meeting.held_on == m.held_on) & (Meeting.recorded_at < m.recorded_at))
                                           | ((Meeting.held_on == m.held_on) & (Meeting.recorded_at == m.recorded_at)
                                              & (Meeting.id <= m.id))))
                 .count())          # two held the same day: the one recorded first is the earlier 期
        unit = Unit.get_or_none(Unit.code == m.unit_code)
        return MeetingView(m.id, m.unit_code, unit.name if unit else m.unit_code, MeetingKind(m.kind), m.held_on,
                           issue, m.topic, m.place, m.chair, tuple(m.units or []), tuple(matters), tuple(tasks),
                           m.notes, m.recorded_by)

    # -- the minutes -------------------------------------------------------------------------------
    def minutes(self, actor: Actor, meeting_ref: str):
        """The 会议纪要 of a meeting (one page in the documents' layout)."""
        require(actor, Permission.PRINT)
        from ..documents.minutes import MinutesDetails, MinutesMatter, MinutesTask, render_minutes
        from .office import OfficeService

        view = self.get(actor, meeting_ref)
        office = self.services.get(OfficeService).settings()
        details = MinutesDetails(
            kind=view.kind.label, held_on=view.held_on, issue=view.issue, topic=view.topic, place=view.place,
            chair=view.chair, units=view.units, office=office.office_name if view.unit_code == actor.unit_code
            else view.unit_name,
            matters=tuple(MinutesMatter(m.number, m.parties, m.request, m.summary,
                                        tuple(MinutesTask(t.unit, t.what, t.due_on) for t in view.tasks
                                              if t.case_id == m.case_id)) for m in view.matters),
            notes=view.notes)
        rendered = render_minutes(details)
        with self.services.db.atomic():
            audit(actor, "meeting.print", view.id, {"kind": view.kind.value}, at=self.services.clock.now())
        return rendered
