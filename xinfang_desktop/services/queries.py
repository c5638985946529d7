"""Read side: the case list (filtered, sorted, paged for a million rows), search and case detail.

Personal data is masked here unless the caller asks for it through `reveal()`, which is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable

from peewee import SQL, fn

from ..domain import statistics as st
from ..domain import workflow as wf
from ..domain.categories import CategoryTable
from ..domain.divisions import DivisionTable
from ..domain.urgency import urgency
from ..domain.errors import InvalidInput, NotFound
from ..domain.idcard import mask_id_number
from ..domain.matters import matter_of
from ..domain.numbers import number_tail, parse_short_number
from ..domain.petition import Channel
from ..domain.phones import mask_phone
from ..store import ownership, search
from ..store.models import Case, CaseEvent, CaseParty, Person
from ..store.models_attention import LeaderAssignment
from ..store.models_sync import Instruction
from .audit import audit
from .cases import find_case, last_event_id, to_event
from .persons import RevisionView, history_of, place_label, same_id_elsewhere
from .clock import Clock
from .permissions import Actor, Permission, require

SEARCH_CAP = 2000   # a search narrows to at most this many newest hits
CATEGORY_PREFIX = 2  # first-level category codes; the list's index is on substr(category_code, 1, 2)


@dataclass(frozen=True)
class CaseFilter:
    statuses: tuple[str, ...] = ()
    category: str | None = None          # a code; a first-level code matches its children
    channel: str | None = None
    township: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    owner: str | None = None
    overdue: bool = False
    due_within: int | None = None        # days from today
    due_soon: bool = False               # from today, within the board's 临近到期天数 (the one "due soon")
    due_from: date | None = None         # next due date on or after (workbench: due today, within 7 days)
    due_to: date | None = None
    text: str | None = None
    open_only: bool = False


SORTABLE = {
    "number": Case.number, "received_at": Case.received_at, "status": Case.status, "next_due": Case.next_due,
    "category": Case.category_code, "channel": Case.channel, "parties": Case.parties_label,
    "people": Case.people_count, "township": Case.township_code,
}

# Columns many cases share (a status, a category, a channel, a township): within one value the cases come in
# the order they were received, as the filter by that value lists them, so one index (column, received_at,
# sid: store/models_listing.py) serves both and no page sorts the cases of a whole status or township.
BY_RECEIVED_WITHIN = frozenset({"status", "category", "channel", "township"})


@dataclass(frozen=True)
class CaseRow:
    id: str
    number: str
    parties: str
    received_at: datetime
    channel: str
    category_code: str
    category: str
    status: str
    status_label: str
    next_due: date | None
    next_due_label: str | None
    urgency: str | None              # green / amber / red
    provisional: bool
    people_count: int
    is_group: bool
    is_repeat: bool
    township_code: str | None
    owner: str | None
    request: str
    late_entry: bool = False         # 补录: entered days after it was received (or its first step taken)


@dataclass(frozen=True)
class PartyView:
    person_id: str
    name: str
    id_number: str | None            # masked unless revealed
    phone: str | None
    sex: str | None
    birth_date: date | None
    address: str | None
    township_code: str | None
    village_code: str | None
    is_representative: bool
    # The person's history (fills, corrections, registered apart), and other person records holding
    # the same ID number ("name（unit）"): shown, never merged.
    history: tuple[RevisionView, ...] = ()
    shares_id_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    kind: str
    label: str
    occurred_at: datetime
    actor: str
    data: dict[str, Any]
    summary: str


@dataclass(frozen=True)
class DeadlineView:
    key: str
    label: str
    start: date
    due: date
    provisional: bool
    met_on: date | None
    lapsed: bool
    urgency: str | None              # for open ones
    office: bool


@dataclass
class CaseDetail:
    row: CaseRow
    query_code: str
    facts: str | None
    reasons: str | None
    concerned_unit: str | None
    repeat_of_number: str | None
    created_by: str
    parties: list[PartyView]
    timeline: list[TimelineEntry]
    deadlines: list[DeadlineView]
    state: wf.CaseState
    allowed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Why the viewer's unit may not record anything on this case (another unit's, not handed to it by
    # 交办), or None: the window then offers no actions, and says so.
    not_writable: str | None = None
    unit_code: str = ""              # the unit that registered the matter (owns the case)
    office: Any = None               # this office's settings (services.office.OfficeSettings), for forms
    entered_at: datetime | None = None   # when it was entered here (the received date is the event's)
    revision: tuple = ()             # CaseQueries.revision when it was read: another desk's change alters it
    # The event recorded last when it was read (``seen_event``, for a caller that passes only that).
    last_event: str | None = None
    # The ids of the case's 交办 and 督办 when it was read: a 交办督办 from this view passes them, so one over
    # another desk's sent since is refused (services/sync/instructions.py).
    instructions: frozenset[str] = frozenset()

    @property
    def seen_events(self) -> frozenset[str]:
        """The ids of the case's events it was read with (its revision holds them): an action from this view
        passes them as ``seen_events``, so one on a case with any other event, another desk's or one that
        came by sync, is refused (services/cases.py StaleCase)."""
        return frozenset(self.revision[2]) if self.revision else frozenset()


def instruction_timeline(rows: Iterable[Instruction]) -> list[TimelineEntry]:
    """The city's 交办 and 督办 of the case as timeline lines, at the city that sent them and at the township
    they went to: who is to act, by when, on what."""
    from .names import office_names
    from .sync.instructions import KIND_WORDS

    rows = list(rows)
    towns = office_names(i.to_unit for i in rows)
    return [TimelineEntry(id=i.id, kind=f"instruction_{i.kind}", label="交办" if i.kind == "assign" else "督办",
                          occurred_at=i.created_at, actor=i.created_by, data={"to_unit": i.to_unit},
                          summary=KIND_WORDS.get(i.kind, "{}").format(towns.get(i.to_unit) or i.to_unit)
                          + (f"，办理期限{i.deadline:%Y-%m-%d}" if i.deadline else "") + f"：{i.text}")
            for i in rows]


def assignment_timeline(rows: Iterable[LeaderAssignment]) -> list[TimelineEntry]:
    """The case's 包案, each when it was made: which leader, the plan and its target date (a later one ends the
    one before it, which the line after says)."""
    return [TimelineEntry(id=a.id, kind="leader_assigned", label="包案", occurred_at=a.assigned_at,
                          actor=a.assigned_by, data={"leader": a.leader_name},
                          summary=f"{a.leader_display}包案：{a.plan}（目标化解日期{a.target_date:%Y-%m-%d}）")
            for a in rows]


def resolution_timeline(case_id: str) -> list[TimelineEntry]:
    """The case's 信访评理 sessions (current entries) and its 积案 decisions and outcomes, as timeline lines."""
    from ..domain.backlog import Basis, Outcome
    from ..store.models_resolution import BacklogEntry, DeliberationSession

    out = []
    rows = list(DeliberationSession.select().where(DeliberationSession.case_id == case_id))
    corrected = {r.corrects for r in rows if r.corrects}
    for r in rows:
        if r.id in corrected:
            continue
        panel = "、".join(m["name"] for m in r.panel or [])
        out.append(TimelineEntry(
            id=r.id, kind="deliberation", label="信访评理" + ("（更正）" if r.corrects else ""),
            occurred_at=datetime.combine(r.held_on, time(23, 59)), actor=r.actor,
            data={"place": r.place, "accepted": bool(r.accepted)},
            summary=f"{r.place}，评理团{panel}；{'信访人接受评理意见' if r.accepted else '信访人未接受评理意见'}"))
    for b in BacklogEntry.select().where(BacklogEntry.case_id == case_id):
        out.append(TimelineEntry(id=b.id, kind="backlog", label="列入积案", actor=b.decided_by,
                                 occurred_at=datetime.combine(b.decided_on, time(23, 59)), data={"basis": b.basis},
                                 summary=f"{Basis(b.basis).label}：{b.reason}"))
        if b.outcome:
            out.append(TimelineEntry(id=b.id + ":out", kind="backlog_out", label="积案化解", actor=b.closed_by or "",
                                     occurred_at=datetime.combine(b.outcome_on, time(23, 59)),
                                     data={"outcome": b.outcome},
                                     summary=f"{Outcome(b.outcome).label}：{b.outcome_note or ''}"))
    return out


def _sentence_join(*parts: str) -> str:
    """Parts joined with 「，」, none ending in punctuation before the comma (no 「核实。，批准人」)."""
    return "，".join(p.rstrip("。，；") for p in parts if p)


def handling_label(events: list[wf.Event]) -> str:
    """办理期限 with the limit that really runs: 60日 (第三十四条), or the days a 交办 set, and any extension
    (办理期限（60日，延期30日）) — the due date shown beside it is then the one these days give."""
    set_days: int | None = None
    extra = 0
    for e in sorted(events, key=wf.event_sort_key):
        if e.kind == wf.EventKind.ROUTED:
            limit = e.data.get("deadline")
            set_days = (date.fromisoformat(limit) - e.occurred_at.date()).days if limit else None
            extra = 0
        elif e.kind == wf.EventKind.OBJECTED:
            set_days, extra = None, 0
        elif e.kind == wf.EventKind.EXTENDED:
            extra += int(e.data.get("days") or 0)
    base = f"交办限期{set_days}日" if set_days is not None else f"{wf.HANDLING_DAYS}日"
    return f"办理期限（{base}" + (f"，延期{extra}日" if extra else "") + "）"


def describe_event(e: wf.Event) -> str:
    d = e.data
    k = e.kind
    text = _describe(k, d)
    if d.get("doc_no"):
        text += "〔" + "、".join(d["doc_no"].values()) + "〕"
    if d.get("late"):
        text += "（补录）"
    return text


def _outcome_text(d) -> str:
    for enum in (wf.Outcome, wf.Answer):
        try:
            return enum(d.get("outcome")).label
        except ValueError:
            continue
    return ""


def _describe(k: wf.EventKind, d) -> str:
    if k == wf.EventKind.REGISTERED:
        matter = matter_of(d)
        text = f"通过{Channel(d.get('channel', 'visit')).label}登记"
        if not matter.legacy:
            text += f"，{matter.label}"
        if d.get("notice_exempt"):
            text += "，姓名或住址不清，免予书面告知"
        return text
    if k == wf.EventKind.ROUTED:
        route = wf.Route(d["route"])
        text = route.label
        if d.get("unit"):
            text += f"：{d['unit']}"
        if d.get("deadline"):
            text += f"，限{d['deadline']}前办结"
        if d.get("notified"):
            text += "，已书面告知信访人"
        return text
    if k == wf.EventKind.REFUSED:
        ground = wf.refusal_ground(d.get("ground"))
        what = f"{ground.text}（{ground.article}）" if ground else d.get("ground", "")
        return f"{wf.RefusalKind(d.get('kind', 'not_accepted')).label}：" + _sentence_join(what, d.get("details", ""))
    if k == wf.EventKind.EXTENDED:
        return _sentence_join(f"延期{d.get('days')}日", f"理由：{d.get('reason', '')}", f"批准人：{d.get('approver', '')}")
    if k == wf.EventKind.REPLIED:
        return _sentence_join(f"{_outcome_text(d)}：{d.get('text', '')}",
                              f"依据：{d['basis']}" if d.get("basis") else "",
                              f"送达：{d['delivered_on']}" if d.get("delivered_on") else "")
    if k in (wf.EventKind.REVIEW_DECIDED, wf.EventKind.RECHECK_DECIDED):
        head = wf.Disposition(d["disposition"]).phrase if d.get("disposition") else ""
        return _sentence_join(head, _outcome_text(d), d.get("text", ""),
                              f"（{d['body']}）" if d.get("body") else "",
                              "本机关作出" if d.get("reviewer") else "")
    if k == wf.EventKind.FOLLOWED_UP:
        rating = wf.Rating(d["rating"]).label if d.get("rating") else "未评价"
        method = "电话" if d.get("method") == "phone" else "上门"
        return _sentence_join(f"{method}回访", rating, d.get("notes") or "")
    if k == wf.EventKind.OBJECTED:
        return f"接收单位异议退回：{d.get('reason', '')}"
    if k == wf.EventKind.NOTIFIED:
        if d.get("exempt"):
            return "信访人姓名或住址不清，免予书面告知（第二十三条第二款）"
        return f"{d.get('method', '书面')}告知信访人办理途径和程序{('：' + d['content']) if d.get('content') else ''}"
    if k in (wf.EventKind.REVIEW_REQUESTED, wf.EventKind.RECHECK_REQUESTED):
        who = "上一级机关收到请求" if d.get("reviewer") else "信访人向上一级机关提出请求"
        return _sentence_join(who, d.get("reason") or "", f"（{d['body']}）" if d.get("body") else "")
    if k == wf.EventKind.DELIVERED:
        what = {"reply": "书面答复", "review": "复查意见", "recheck": "复核意见"}.get(d.get("of", "reply"), "")
        return f"{what}于{d.get('on', '')}送达" + (f"（{d['method']}）" if d.get("method") else "")
    if k == wf.EventKind.HEARING:
        return _sentence_join(f"听证{d.get('from', '')}至{d.get('to', '')}，共{d.get('days', '')}日，不计入复核期限",
                              d.get("notes") or "")
    if k == wf.EventKind.RECLASSIFIED:
        return _sentence_join(f"事项类型更正为{matter_of(d).label}", f"理由：{d.get('reason', '')}")
    if k == wf.EventKind.CLOSED:
        return d.get("summary") or "办结"
    if k == wf.EventKind.NOTE:
        return d.get("text", "")
    return ""


class CaseQueries:
    def __init__(self, db, clock: Clock, categories: CategoryTable, calendar, divisions: DivisionTable | None = None):
        self.db = db
        self.clock = clock
        self.categories = categories
        self._calendar = calendar
        self.divisions = divisions

    def _here(self) -> str | None:
        from ..store.models import self_unit_code

        return self_unit_code(self.db)

    # -- list --------------------------------------------------------------------------
    def _category_condition(self, code: str, ordered: bool):
        """A category and its children. Not LIKE 'xx%', which SQLite cannot serve from an index: for a
        page (`ordered`) the prefix expression of store/models_listing's index, which yields rows newest
        first without sorting a whole category; for a count, IN over the category index (covering)."""
        children = [c.code for c in self.categories.children(code)] if code in self.categories else []
        if not children:
            return Case.category_code == code
        if ordered and all(c.startswith(code) for c in children) and len(code) == CATEGORY_PREFIX:
            return fn.substr(Case.category_code, SQL("1"), SQL(str(CATEGORY_PREFIX))) == code
        return Case.category_code.in_([code, *children])

    def _where(self, f: CaseFilter, ordered: bool = True):
        today = self.clock.today()
        conds = []
        if f.statuses:
            conds.append(Case.status.in_(list(f.statuses)))
        if f.open_only:
            # likely(): open cases are common, so the newest-first page reads the received_at index and
            # skips closed rows rather than sorting every open case; the count still seeks the status index
            conds.append(fn.likely(Case.status.in_(sorted(s.value for s in wf.OPEN_STATUSES))))
        if f.category:
            conds.append(self._category_condition(f.category, ordered))
        if f.channel:
            conds.append(Case.channel == Channel.parse(f.channel).value)
        if f.township:
            conds.append(Case.township_code == f.township)
        if f.received_from:
            conds.append(Case.received_at >= datetime.combine(f.received_from, datetime.min.time()))
        if f.received_to:
            conds.append(Case.received_at < datetime.combine(f.received_to + timedelta(days=1), datetime.min.time()))
        if f.owner:
            conds.append(Case.owner_name == f.owner)
        if f.overdue:
            conds.append(Case.next_due < today)
        if f.due_soon:
            from .board import board_settings      # here: the board's module imports this one
            conds.append(Case.next_due.between(today, today + timedelta(days=board_settings().due_soon_days)))
        if f.due_within is not None:
            conds.append(Case.next_due.between(today, today + timedelta(days=f.due_within)))
        if f.due_from:
            conds.append(Case.next_due >= f.due_from)
        if f.due_to:
            conds.append(Case.next_due <= f.due_to)
        if f.text and f.text.strip():
            sids = search.search_sids(self.db, f.text, limit=SEARCH_CAP) + self._short_number_sids(f.text)
            conds.append(Case.sid.in_(sids or [-1]))
        where = None
        for c in conds:
            where = c if where is None else (where & c)
        return where

    def count(self, f: CaseFilter = CaseFilter()) -> int:
        q = Case.select()
        where = self._where(f, ordered=False)
        if where is not None:
            q = q.where(where)
        return q.count()

    def page(self, f: CaseFilter = CaseFilter(), *, sort: str = "received_at", descending: bool = True,
             offset: int = 0, limit: int = 200) -> list[CaseRow]:
        col = SORTABLE.get(sort)
        if col is None:
            raise InvalidInput(f"不能按“{sort}”排序")
        then = (Case.received_at, Case.sid) if sort in BY_RECEIVED_WITHIN else (Case.sid,)
        order = [c.desc() if descending else c.asc() for c in (col, *then)]
        q = Case.select(Case.id, Case.number, Case.parties_label, Case.received_at, Case.channel,
                        Case.category_code, Case.status, Case.next_due, Case.next_due_start, Case.next_due_key,
                        Case.provisional, Case.people_count, Case.is_group, Case.repeat_of, Case.township_code,
                        Case.owner_name, Case.request, Case.stat_flags)
        where = self._where(f)
        if sort == "next_due" and not descending:
            return self._due_first(q, where, offset, limit)
        if where is not None:
            q = q.where(where)
        q = q.order_by(*order).offset(offset).limit(limit)
        today = self.clock.today()
        return [self._row(c, today) for c in q.objects()]

    def _due_first(self, q, where, offset: int, limit: int) -> list[CaseRow]:
        """Nearest due date first, cases without an open deadline after them. SQLite sorts NULL first,
        and NULLS LAST would forgo the index, so the dated and the undated rows are two index reads."""
        dated = Case.next_due.is_null(False) if where is None else (where & Case.next_due.is_null(False))
        undated = Case.next_due.is_null() if where is None else (where & Case.next_due.is_null())
        rows = list(q.where(dated).order_by(Case.next_due.asc(), Case.sid.asc()).offset(offset)
                    .limit(limit).objects())
        if len(rows) < limit:
            skip = max(0, offset - Case.select().where(dated).count()) if not rows else 0
            rows.extend(q.where(undated).order_by(Case.sid.asc()).offset(skip).limit(limit - len(rows)).objects())
        today = self.clock.today()
        return [self._row(c, today) for c in rows]

    def _row(self, c: Case, today: date) -> CaseRow:
        status = wf.Status(c.status)
        cat = self.categories.label(c.category_code)
        return CaseRow(
            id=c.id, number=c.number, parties=c.parties_label, received_at=c.received_at,
            channel=Channel(c.channel).label, category_code=c.category_code, category=cat, status=c.status,
            status_label=status.label, next_due=c.next_due,
            next_due_label=wf.DeadlineKey(c.next_due_key).label if c.next_due_key else None,
            urgency=urgency(c.next_due_start, c.next_due, today) if c.next_due and c.next_due_start else None,
            provisional=bool(c.provisional), people_count=c.people_count, is_group=bool(c.is_group),
            is_repeat=c.repeat_of is not None, township_code=c.township_code, owner=c.owner_name,
            request=c.request, late_entry=bool((c.stat_flags or 0) & st.LATE_ENTRY))

    def _short_number_sids(self, text: str) -> list[int]:
        """The cases a short number typed in a search box names (1252, 2026-1252): every case whose
        number ends so, newest first (the case number is not in the word index)."""
        short = parse_short_number(text)
        if short is None:
            return []
        q = (Case.select(Case.sid).where(Case.number.endswith(number_tail(*short)))
             .order_by(Case.sid.desc()).limit(SEARCH_CAP))
        return [sid for (sid,) in q.tuples()]

    def case_candidates(self, text: str, limit: int = 10) -> list[CaseRow]:
        """What a case picker (调解, 接访) offers for what was typed: the one case a full or short number
        names the way services resolve it (find_case: this unit's case of this year first); else every
        case whose number ends so, newest first, for the clerk to choose; else a search by name, phone or
        request."""
        text = (text or "").strip()
        if not text:
            return []
        try:
            case = find_case(text, self.clock.today())
        except NotFound:
            pass
        else:
            return self._rows_of([case.sid])
        if parse_short_number(text) is not None:
            return self._rows_of(self._short_number_sids(text)[:limit])
        return self.search(text, limit)

    def search(self, text: str, limit: int = 50) -> list[CaseRow]:
        """The newest `limit` matches. Only that many ids are taken from the index (the list page,
        which combines search with filters and other sorts, takes up to SEARCH_CAP)."""
        sids = sorted(set(search.search_sids(self.db, text, limit=limit) + self._short_number_sids(text)),
                      reverse=True)[:limit]
        return self._rows_of(sids)

    def _rows_of(self, sids: list[int]) -> list[CaseRow]:
        """The list rows of these cases, newest first."""
        if not sids:
            return []
        q = (Case.select(Case.id, Case.number, Case.parties_label, Case.received_at, Case.channel,
                         Case.category_code, Case.status, Case.next_due, Case.next_due_start, Case.next_due_key,
                         Case.provisional, Case.people_count, Case.is_group, Case.repeat_of, Case.township_code,
                         Case.owner_name, Case.request, Case.stat_flags)
             .where(Case.sid.in_(sids)).order_by(Case.sid.desc()))
        today = self.clock.today()
        return [self._row(c, today) for c in q.objects()]

    # -- detail ------------------------------------------------------------------------
    def detail(self, actor: Actor, ref: str) -> CaseDetail:
        require(actor, Permission.VIEW)
        today = self.clock.today()
        case = find_case(ref, today)
        cal = self._calendar()
        # one read: the timeline, the state and the last event (seen_event) are of the same rows
        rows = {r.id: r for r in CaseEvent.select().where(CaseEvent.case == case)}
        events = [to_event(r) for r in rows.values()]
        state = wf.fold(events, cal)
        timeline = [TimelineEntry(id=e.id, kind=e.kind.value, label=e.kind.label, occurred_at=e.occurred_at,
                                  actor=rows[e.id].actor, data=dict(e.data), summary=describe_event(e))
                    for e in sorted(events, key=wf.event_sort_key)]
        instructions = list(Instruction.select().where(Instruction.case_id == case.id))
        assignments = list(LeaderAssignment.select().where(LeaderAssignment.case_id == case.id))
        timeline = sorted(timeline + resolution_timeline(case.id) + instruction_timeline(instructions)
                          + assignment_timeline(assignments), key=lambda t: t.occurred_at)   # stable
        handling = handling_label(events)
        deadlines = [DeadlineView(key=d.key.value, label=handling if d.key == wf.DeadlineKey.HANDLING else d.key.label,
                                  start=d.start, due=d.due.date,
                                  provisional=d.due.provisional, met_on=d.met_on, lapsed=d.lapsed,
                                  urgency=urgency(d.start, d.due.date, today) if d.open else None,
                                  office=d.held_by(self._here()))
                     for d in sorted(state.deadlines, key=lambda d: d.due.date)]
        self._add_meeting_tasks(case.id, today, deadlines, timeline)
        parties = self._parties(case)
        repeat = Case.get_or_none(Case.id == case.repeat_of) if case.repeat_of else None
        # The same ownership rule the services apply: the actions offered are the ones that may be written.
        allowed = [k.value for k in wf.allowed_actions(state, today)
                   if ownership.writable_problem(self.db, actor.unit_code, "case_event",
                                                 {"case_id": case.id, "kind": k.value}) is None]
        not_writable = ownership.writable_problem(self.db, actor.unit_code, "case_event",
                                                  {"case_id": case.id, "kind": wf.EventKind.NOTE.value})
        return CaseDetail(
            row=self._row(case, today), query_code=case.query_code, facts=case.facts, reasons=case.reasons,
            concerned_unit=case.concerned_unit, repeat_of_number=repeat.number if repeat else None,
            created_by=case.created_by, parties=parties, timeline=timeline, deadlines=deadlines, state=state,
            allowed=allowed, problems=list(state.problems), not_writable=not_writable, unit_code=case.unit_code,
            entered_at=case.created_at,
            revision=self._revision(case.version, str(case.updated_at), rows,
                                    [i.id for i in instructions] + [a.id for a in assignments]),
            last_event=last_event_id(rows.values()), instructions=frozenset(i.id for i in instructions))

    def revision(self, case_id: str) -> tuple:
        """What changes when anyone records on the case (its row's version, its events, the city's 交办 and
        督办 of it, its 包案): the case view compares it with what it shows to say that the case was updated on
        another desk. Four small reads."""
        case = Case.select(Case.version, Case.updated_at).where(Case.id == case_id).get_or_none()
        if case is None:
            return ()
        ids = [i for (i,) in CaseEvent.select(CaseEvent.id).where(CaseEvent.case == case_id).tuples()]
        others = [i for (i,) in Instruction.select(Instruction.id).where(Instruction.case_id == case_id).tuples()]
        others += [i for (i,) in LeaderAssignment.select(LeaderAssignment.id)
                   .where(LeaderAssignment.case_id == case_id).tuples()]
        return self._revision(case.version, str(case.updated_at), ids, others)

    @staticmethod
    def _revision(version: int, updated_at: str, event_ids: Iterable[str], other_ids: Iterable[str]) -> tuple:
        """(version, updated_at, the events' ids, the ids of the city's 交办督办 and of the 包案)."""
        return (version, updated_at, tuple(sorted(event_ids)), tuple(sorted(other_ids)))

    @staticmethod
    def _add_meeting_tasks(case_id: str, today: date, deadlines: list[DeadlineView],
                           timeline: list[TimelineEntry]) -> None:
        """The tasks meetings gave on the case beside its statutory deadlines (coloured by the board's
        临近到期天数, like every dated list), and the meetings and closed tasks in its timeline (issue 19)."""
        from .meetings import case_tasks, case_timeline

        for t in case_tasks(case_id, today):
            deadlines.append(DeadlineView(key="meeting_task", label=f"会议任务（{t.unit}）：{t.what}", start=t.meeting_date,
                                          due=t.due_on, provisional=False, met_on=t.closed_on, lapsed=False,
                                          urgency=t.urgency.value if t.urgency else None, office=True))
        deadlines.sort(key=lambda d: d.due)
        for when, eid, kind, label, summary, actor in case_timeline(case_id, today):
            at = next((i for i, e in enumerate(timeline) if e.occurred_at > when), len(timeline))
            timeline.insert(at, TimelineEntry(id=eid, kind=kind, label=label, occurred_at=when, actor=actor, data={},
                                              summary=summary))

    def _parties(self, case: Case) -> list[PartyView]:
        rows = list(CaseParty.select(CaseParty, Person).join(Person).where(CaseParty.case == case)
                    .order_by(CaseParty.position))
        people = [cp.person for cp in rows]
        history = history_of([p.id for p in people], self.place_name)
        shared = same_id_elsewhere(people, self.db)
        return [self._party(cp, reveal=False, history=tuple(history.get(cp.person.id, ())),
                            shares_id_with=tuple(shared.get(cp.person.id, ()))) for cp in rows]

    @staticmethod
    def _party(cp: CaseParty, reveal: bool, history: tuple[RevisionView, ...] = (),
               shares_id_with: tuple[str, ...] = ()) -> PartyView:
        p: Person = cp.person
        return PartyView(
            person_id=p.id, name=p.name,
            id_number=(p.id_number if reveal else mask_id_number(p.id_number)) if p.id_number else None,
            phone=(p.phone if reveal else mask_phone(p.phone)) if p.phone else None,
            sex=p.sex, birth_date=p.birth_date, address=p.address, township_code=p.township_code,
            village_code=p.village_code, is_representative=cp.is_representative, history=history,
            shares_id_with=shares_id_with)

    def place_name(self, code: str) -> str:
        return code if self.divisions is None else place_label(self.divisions, code)

    def reveal(self, actor: Actor, person_id: str, what: str) -> str:
        """The full ID number or phone of a person; every call is audited (个人信息保护法第五十一条)."""
        require(actor, Permission.REVEAL_PERSONAL)
        if what not in ("id_number", "phone"):
            raise InvalidInput("只能查看身份证号码或电话")
        person = Person.get_or_none(Person.id == person_id)
        if person is None:
            raise NotFound("找不到该信访人")
        value = getattr(person, what)
        with self.db.atomic():
            audit(actor, f"personal.reveal.{what}", person.id, {"name": person.name}, at=self.clock.now())
        return value or ""
