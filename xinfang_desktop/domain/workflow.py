"""The statutory workflow of a petition (信访工作条例 2022) as a fold over its events.

A case's timeline is append-only. Its status, due dates and the actions allowed next are a
pure function of the events: `fold(events, cal)`. The result is cached on the case row and can
always be rebuilt from the events (`xinfang check` does exactly that).

Ordering is by (occurred_at, id), so the same events folded in any insertion order give the
same state. An event that the state does not allow is skipped and reported in `problems`
instead of raising: events can arrive from other units by sync, and a rebuild must never fail.
Services call `why_not()` before appending, so a user can never create such an event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Iterable, Mapping

from .deadlines import Due, calendar_days, working_days
from .errors import InvalidInput, NotAllowed
from .text import clean_text


class EventKind(str, Enum):
    REGISTERED = "registered"
    ROUTED = "routed"
    OBJECTED = "objected"
    NOTIFIED = "notified"
    REFUSED = "refused"
    EXTENDED = "extended"
    REPLIED = "replied"
    REVIEW_REQUESTED = "review_requested"
    REVIEW_DECIDED = "review_decided"
    RECHECK_REQUESTED = "recheck_requested"
    RECHECK_DECIDED = "recheck_decided"
    FOLLOWED_UP = "followed_up"
    CLOSED = "closed"
    NOTE = "note"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.REGISTERED: "登记",
    EventKind.ROUTED: "转办（办理途径）",
    EventKind.OBJECTED: "异议退回",
    EventKind.NOTIFIED: "书面告知",
    EventKind.REFUSED: "不予受理／不再受理",
    EventKind.EXTENDED: "延期",
    EventKind.REPLIED: "出具处理意见",
    EventKind.REVIEW_REQUESTED: "复查申请",
    EventKind.REVIEW_DECIDED: "复查意见",
    EventKind.RECHECK_REQUESTED: "复核申请",
    EventKind.RECHECK_DECIDED: "复核意见",
    EventKind.FOLLOWED_UP: "回访",
    EventKind.CLOSED: "办结",
    EventKind.NOTE: "备注",
}


class Status(str, Enum):
    REGISTERED = "registered"     # 待处理: registered, not yet routed
    HANDLING = "handling"         # 办理中
    REDIRECTED = "redirected"     # 已告知其他法定途径 (诉访分离)
    REFUSED = "refused"           # 不予受理 / 不再受理
    REPLIED = "replied"           # 已出具处理意见
    REVIEWING = "reviewing"       # 复查中
    REVIEWED = "reviewed"         # 已复查
    RECHECKING = "rechecking"     # 复核中
    RECHECKED = "rechecked"       # 已复核（终结）
    CLOSED = "closed"             # 已办结

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: "待处理",
    Status.HANDLING: "办理中",
    Status.REDIRECTED: "已告知其他途径",
    Status.REFUSED: "不予受理",
    Status.REPLIED: "已答复",
    Status.REVIEWING: "复查中",
    Status.REVIEWED: "已复查",
    Status.RECHECKING: "复核中",
    Status.RECHECKED: "已复核",
    Status.CLOSED: "已办结",
}

OPEN_STATUSES = frozenset({Status.REGISTERED, Status.HANDLING, Status.REVIEWING, Status.RECHECKING})


class Route(str, Enum):
    DIRECT = "direct"            # 直接办理
    TRANSFER = "transfer"        # 转送
    ASSIGN = "assign"            # 交办
    OTHER_CHANNEL = "other"      # 告知通过其他法定途径解决

    @property
    def label(self) -> str:
        return {"direct": "直接办理", "transfer": "转送", "assign": "交办", "other": "告知其他法定途径"}[self.value]


class Outcome(str, Enum):
    SUPPORTED = "supported"      # 支持
    EXPLAINED = "explained"      # 解释说明
    NOT_SUPPORTED = "rejected"   # 不予支持

    @property
    def label(self) -> str:
        return {"supported": "支持", "explained": "解释说明", "rejected": "不予支持"}[self.value]


class RefusalKind(str, Enum):
    NOT_ACCEPTED = "not_accepted"      # 不予受理
    NOT_AGAIN = "not_again"            # 不再受理 (same facts and reasons after 复核, 第三十六条)

    @property
    def label(self) -> str:
        return {"not_accepted": "不予受理", "not_again": "不再受理"}[self.value]


class Rating(str, Enum):
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    DISSATISFIED = "dissatisfied"

    @property
    def label(self) -> str:
        return {"satisfied": "满意", "basically": "基本满意", "dissatisfied": "不满意"}[self.value]


# Statutory limits (calendar days unless stated), 信访工作条例 2022.
ROUTE_DAYS = 15            # 第二十二、二十三条
OBJECTION_WORKING_DAYS = 5  # 第二十三条
HANDLING_DAYS = 60         # 第三十四条
MAX_EXTENSION_DAYS = 30    # 第三十四条
REVIEW_REQUEST_DAYS = 30   # 第三十五条
REVIEW_DAYS = 30           # 第三十五条
RECHECK_REQUEST_DAYS = 30  # 第三十六条
RECHECK_DAYS = 30          # 第三十六条


@dataclass(frozen=True)
class Event:
    id: str
    kind: EventKind
    occurred_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> date:
        return self.occurred_at.date()


class DeadlineKey(str, Enum):
    ROUTE = "route"
    OBJECTION = "objection"
    HANDLING = "handling"
    REVIEW_REQUEST = "review_request"
    REVIEW = "review"
    RECHECK_REQUEST = "recheck_request"
    RECHECK = "recheck"

    @property
    def label(self) -> str:
        return DEADLINE_LABELS[self]


DEADLINE_LABELS: dict[DeadlineKey, str] = {
    DeadlineKey.ROUTE: "受理告知／转送交办期限（15日）",
    DeadlineKey.OBJECTION: "接收单位异议期限（5个工作日）",
    DeadlineKey.HANDLING: "办理期限（60日）",
    DeadlineKey.REVIEW_REQUEST: "申请复查期限（30日）",
    DeadlineKey.REVIEW: "复查期限（30日）",
    DeadlineKey.RECHECK_REQUEST: "申请复核期限（30日）",
    DeadlineKey.RECHECK: "复核期限（30日）",
}

# Limits the office must meet. The others run against the petitioner or another unit: they are
# shown, but their passing is not this office's overdue.
OFFICE_DEADLINES = frozenset({DeadlineKey.ROUTE, DeadlineKey.HANDLING, DeadlineKey.REVIEW, DeadlineKey.RECHECK})


@dataclass(frozen=True)
class Deadline:
    key: DeadlineKey
    start: date
    due: Due
    met_on: date | None = None       # the day it was satisfied (None while open)
    lapsed: bool = False             # a window that ended without use (review windows)

    @property
    def open(self) -> bool:
        return self.met_on is None and not self.lapsed

    def overdue_on(self, today: date) -> bool:
        return self.open and today > self.due.date

    @property
    def met_late(self) -> bool:
        return self.met_on is not None and self.met_on > self.due.date


@dataclass(frozen=True)
class CaseState:
    status: Status | None = None
    registered_on: date | None = None
    route: Route | None = None
    routed_unit: str | None = None
    notified_on: date | None = None
    refusal: RefusalKind | None = None
    extended: bool = False
    outcome: Outcome | None = None
    replied_on: date | None = None
    review_outcome: Outcome | None = None
    recheck_outcome: Outcome | None = None
    rating: Rating | None = None
    followed_up_on: date | None = None
    closed_on: date | None = None
    deadlines: tuple[Deadline, ...] = ()
    problems: tuple[str, ...] = ()
    event_count: int = 0

    # -- derived views -------------------------------------------------------------------
    def deadline(self, key: DeadlineKey) -> Deadline | None:
        for d in self.deadlines:
            if d.key == key:
                return d
        return None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def open_office_deadlines(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.open and d.key in OFFICE_DEADLINES]

    @property
    def next_deadline(self) -> Deadline | None:
        """The earliest open limit the office itself must meet."""
        pending = self.open_office_deadlines()
        return min(pending, key=lambda d: d.due.date) if pending else None

    def overdue_on(self, today: date) -> bool:
        return any(d.overdue_on(today) for d in self.open_office_deadlines())

    @property
    def provisional(self) -> bool:
        return any(d.due.provisional for d in self.deadlines if d.open)


class _D:
    """A deadline while folding: mutable, so a fold costs attribute writes, not copies."""

    __slots__ = ("key", "start", "due", "met_on", "lapsed")

    def __init__(self, key: DeadlineKey, start: date, due: Due):
        self.key, self.start, self.due, self.met_on, self.lapsed = key, start, due, None, False

    @property
    def open(self) -> bool:
        return self.met_on is None and not self.lapsed

    def freeze(self) -> Deadline:
        return Deadline(self.key, self.start, self.due, self.met_on, self.lapsed)


class _Fold:
    """The state while folding. It has the attributes `why_not` reads, like CaseState."""

    __slots__ = ("status", "registered_on", "route", "routed_unit", "notified_on", "refusal", "extended",
                 "outcome", "replied_on", "review_outcome", "recheck_outcome", "rating", "followed_up_on",
                 "closed_on", "deadlines")

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, None)
        self.extended = False
        self.deadlines: dict[DeadlineKey, _D] = {}

    def deadline(self, key: DeadlineKey) -> _D | None:
        return self.deadlines.get(key)

    def set(self, key: DeadlineKey, start: date, due: Due) -> None:
        self.deadlines.pop(key, None)        # re-set deadlines go last, as they happened
        self.deadlines[key] = _D(key, start, due)

    def meet(self, key: DeadlineKey, on: date) -> None:
        d = self.deadlines.get(key)
        if d is not None and d.open:
            d.met_on = on

    def lapse(self, key: DeadlineKey) -> None:
        d = self.deadlines.get(key)
        if d is not None and d.open:
            d.lapsed = True

    def freeze(self, problems: tuple[str, ...], count: int) -> CaseState:
        values = {name: getattr(self, name) for name in self.__slots__ if name != "deadlines"}
        return CaseState(**values, deadlines=tuple(d.freeze() for d in self.deadlines.values()),
                         problems=problems, event_count=count)


# -- the rules: which action is allowed when, and why not ------------------------------------

AFTER_DECISION = frozenset({Status.REPLIED, Status.REVIEWED, Status.RECHECKED, Status.REVIEWING, Status.RECHECKING})


def why_not(state: CaseState, kind: EventKind, on: date) -> str | None:
    """None when `kind` is allowed on day `on`; otherwise the reason, in Chinese."""
    s = state.status
    if kind == EventKind.REGISTERED:
        return None if s is None else "该事项已登记，不能重复登记"
    if s is None:
        return "该事项尚未登记"
    if state.registered_on and on < state.registered_on:
        return f"日期早于登记日期（{state.registered_on:%Y-%m-%d}），请核对日期"
    if kind == EventKind.NOTE:
        return None
    if kind == EventKind.ROUTED:
        if s == Status.REGISTERED:
            return None
        return f"事项当前为“{s.label}”，只有待处理的事项才能选择办理途径"
    if kind == EventKind.OBJECTED:
        if s == Status.HANDLING and state.route in (Route.TRANSFER, Route.ASSIGN):
            dl = state.deadline(DeadlineKey.OBJECTION)
            if dl and on > dl.due.date:
                return f"异议期限已于{dl.due.date:%Y-%m-%d}届满（5个工作日），不能再退回"
            return None
        return "只有转送或交办后的事项，接收单位才能提出异议退回"
    if kind == EventKind.NOTIFIED:
        if s in (Status.REGISTERED, Status.HANDLING):
            return None
        return f"事项当前为“{s.label}”，无需再作受理告知"
    if kind == EventKind.REFUSED:
        if s == Status.REGISTERED:
            return None
        return f"事项当前为“{s.label}”，只有尚未选择办理途径的事项才能不予受理"
    if kind == EventKind.EXTENDED:
        if s != Status.HANDLING or state.route == Route.OTHER_CHANNEL:
            return "只有办理中的事项才能延期"
        if state.extended:
            return "该事项已延期一次，依照第三十四条不能再次延期"
        dl = state.deadline(DeadlineKey.HANDLING)
        if dl and on > dl.due.date:
            return f"办理期限已于{dl.due.date:%Y-%m-%d}届满，延期应在期限届满前批准"
        return None
    if kind == EventKind.REPLIED:
        if s == Status.HANDLING:
            return None
        if s == Status.REFUSED:
            return "该事项已不予受理，不能出具处理意见"
        if s == Status.REGISTERED:
            return "该事项尚未受理（未选择办理途径），不能出具处理意见"
        return f"事项当前为“{s.label}”，不能再出具处理意见"
    if kind == EventKind.REVIEW_REQUESTED:
        if s not in (Status.REPLIED, Status.CLOSED) or state.replied_on is None or state.review_outcome is not None:
            return "只有已出具处理意见、尚未复查的事项才能申请复查"
        dl = state.deadline(DeadlineKey.REVIEW_REQUEST)
        if dl and on > dl.due.date:
            return f"申请复查期限已于{dl.due.date:%Y-%m-%d}届满（收到处理意见之日起30日，第三十五条）"
        return None
    if kind == EventKind.REVIEW_DECIDED:
        return None if s == Status.REVIEWING else "只有复查中的事项才能记录复查意见"
    if kind == EventKind.RECHECK_REQUESTED:
        if s not in (Status.REVIEWED, Status.CLOSED) or state.review_outcome is None or state.recheck_outcome is not None:
            return "只有已复查、尚未复核的事项才能申请复核"
        dl = state.deadline(DeadlineKey.RECHECK_REQUEST)
        if dl and on > dl.due.date:
            return f"申请复核期限已于{dl.due.date:%Y-%m-%d}届满（收到复查意见之日起30日，第三十六条）"
        return None
    if kind == EventKind.RECHECK_DECIDED:
        return None if s == Status.RECHECKING else "只有复核中的事项才能记录复核意见"
    if kind == EventKind.FOLLOWED_UP:
        if state.replied_on is None and s not in (Status.REDIRECTED,):
            return "出具处理意见后才能回访"
        return None
    if kind == EventKind.CLOSED:
        if s == Status.CLOSED:
            return "该事项已办结"
        if s in (Status.REPLIED, Status.REVIEWED, Status.RECHECKED, Status.REFUSED, Status.REDIRECTED):
            return None
        return f"事项当前为“{s.label}”，出具处理意见（或不予受理、告知其他途径）后才能办结"
    return f"未知的操作：{kind}"


def allowed_actions(state: CaseState, on: date) -> list[EventKind]:
    return [k for k in EventKind if k != EventKind.REGISTERED and why_not(state, k, on) is None]


def check_allowed(state: CaseState, kind: EventKind, on: date) -> None:
    reason = why_not(state, kind, on)
    if reason is not None:
        raise NotAllowed(reason)


# -- applying one event ---------------------------------------------------------------------

def _apply(st: _Fold, e: Event, cal) -> None:
    d = e.day
    k = e.kind
    if k == EventKind.REGISTERED:
        st.status, st.registered_on = Status.REGISTERED, d
        st.set(DeadlineKey.ROUTE, d, calendar_days(d, ROUTE_DAYS, cal))
    elif k == EventKind.NOTE:
        pass
    elif k == EventKind.ROUTED:
        route = Route(e.data["route"])
        st.meet(DeadlineKey.ROUTE, d)
        st.route, st.routed_unit = route, e.data.get("unit")
        if route == Route.OTHER_CHANNEL:
            st.status = Status.REDIRECTED
            return
        st.status = Status.HANDLING
        if route in (Route.TRANSFER, Route.ASSIGN):
            st.set(DeadlineKey.OBJECTION, d, working_days(d, OBJECTION_WORKING_DAYS, cal))
        limit = e.data.get("deadline")
        st.set(DeadlineKey.HANDLING, d, Due(date.fromisoformat(limit)) if limit else calendar_days(d, HANDLING_DAYS, cal))
    elif k == EventKind.OBJECTED:
        # The receiving unit returns the matter: it is to be routed again, within the original limit.
        st.deadlines.pop(DeadlineKey.HANDLING, None)
        st.deadlines.pop(DeadlineKey.OBJECTION, None)
        route_dl = st.deadlines.get(DeadlineKey.ROUTE)
        if route_dl is not None:
            route_dl.met_on = None
        st.status, st.route, st.routed_unit = Status.REGISTERED, None, None
    elif k == EventKind.NOTIFIED:
        st.meet(DeadlineKey.ROUTE, d)
        st.notified_on = st.notified_on or d
    elif k == EventKind.REFUSED:
        st.meet(DeadlineKey.ROUTE, d)
        st.status, st.refusal = Status.REFUSED, RefusalKind(e.data.get("kind", "not_accepted"))
    elif k == EventKind.EXTENDED:
        dl = st.deadlines[DeadlineKey.HANDLING]
        dl.due = calendar_days(dl.due.date, int(e.data["days"]), cal)
        st.extended = True
    elif k == EventKind.REPLIED:
        st.meet(DeadlineKey.HANDLING, d)
        st.lapse(DeadlineKey.OBJECTION)
        received = _day_of(e.data.get("delivered_on")) or d
        st.set(DeadlineKey.REVIEW_REQUEST, received, calendar_days(received, REVIEW_REQUEST_DAYS, cal))
        st.status, st.outcome, st.replied_on = Status.REPLIED, Outcome(e.data["outcome"]), d
    elif k == EventKind.REVIEW_REQUESTED:
        st.meet(DeadlineKey.REVIEW_REQUEST, d)
        st.set(DeadlineKey.REVIEW, d, calendar_days(d, REVIEW_DAYS, cal))
        st.status, st.closed_on = Status.REVIEWING, None
    elif k == EventKind.REVIEW_DECIDED:
        st.meet(DeadlineKey.REVIEW, d)
        received = _day_of(e.data.get("delivered_on")) or d
        st.set(DeadlineKey.RECHECK_REQUEST, received, calendar_days(received, RECHECK_REQUEST_DAYS, cal))
        st.status, st.review_outcome = Status.REVIEWED, Outcome(e.data["outcome"])
    elif k == EventKind.RECHECK_REQUESTED:
        st.meet(DeadlineKey.RECHECK_REQUEST, d)
        st.set(DeadlineKey.RECHECK, d, calendar_days(d, RECHECK_DAYS, cal))
        st.status, st.closed_on = Status.RECHECKING, None
    elif k == EventKind.RECHECK_DECIDED:
        st.meet(DeadlineKey.RECHECK, d)
        st.status, st.recheck_outcome = Status.RECHECKED, Outcome(e.data["outcome"])
    elif k == EventKind.FOLLOWED_UP:
        rating = e.data.get("rating")
        st.followed_up_on = d
        if rating:
            st.rating = Rating(rating)
    elif k == EventKind.CLOSED:
        st.status, st.closed_on = Status.CLOSED, d
    else:
        raise ValueError(f"unknown event kind {k}")


def _day_of(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def event_sort_key(e: Event) -> tuple:
    # REGISTERED first on a shared timestamp: a registration and its same-minute routing are common.
    return (e.occurred_at, e.kind != EventKind.REGISTERED, e.id)


class Folder:
    """Incremental fold: add events in time order, read the state at any point (demo data, imports)."""

    def __init__(self, cal) -> None:
        self.cal = cal
        self._st = _Fold()
        self.problems: list[str] = []
        self.count = 0

    def why_not(self, kind: EventKind, on: date) -> str | None:
        return why_not(self._st, kind, on)  # type: ignore[arg-type]

    def add(self, e: Event) -> bool:
        """Apply `e`; an event the state does not allow is recorded in `problems` and skipped."""
        self.count += 1
        reason = why_not(self._st, e.kind, e.day)  # type: ignore[arg-type]
        if reason is not None:
            self.problems.append(f"{e.occurred_at:%Y-%m-%d %H:%M} {e.kind.label}：{reason}")
            return False
        _apply(self._st, e, self.cal)
        return True

    def state(self) -> CaseState:
        return self._st.freeze(tuple(self.problems), self.count)


def fold(events: Iterable[Event], cal) -> CaseState:
    folder = Folder(cal)
    for e in sorted(events, key=event_sort_key):
        folder.add(e)
    return folder.state()


# -- validating an action's data before it is written ---------------------------------------

def validate_event_data(kind: EventKind, data: Mapping[str, Any], state: CaseState, on: date) -> dict[str, Any]:
    """Normalise and check the fields an action needs; raise InvalidInput with the field at fault."""
    out: dict[str, Any] = {}

    def text(name: str, label: str, *, required: bool = True, limit: int = 5000) -> None:
        value = clean_text(data.get(name), label=label, field=name, required=required, limit=limit)
        if value is not None:
            out[name] = value

    def choice(name: str, enum: type[Enum], label: str) -> None:
        raw = data.get(name)
        try:
            out[name] = enum(raw).value
        except ValueError:
            labels = {m.label: m.value for m in enum}  # type: ignore[attr-defined]
            if raw in labels:
                out[name] = labels[raw]
            else:
                options = "、".join(m.label for m in enum)  # type: ignore[attr-defined]
                raise InvalidInput(f"{label}无效：{raw!r}，应为{options}之一", field=name) from None

    if kind == EventKind.ROUTED:
        choice("route", Route, "办理途径")
        route = Route(out["route"])
        if route in (Route.TRANSFER, Route.ASSIGN, Route.OTHER_CHANNEL):
            text("unit", "接收单位或途径" if route != Route.OTHER_CHANNEL else "其他法定途径", limit=200)
        else:
            text("unit", "承办单位", required=False, limit=200)
        if route == Route.ASSIGN:
            raw = data.get("deadline")
            if not raw:
                raise InvalidInput("交办必须写明办理期限", field="deadline")
            deadline = _parse_date(raw, "办理期限", "deadline")
            if deadline <= on:
                raise InvalidInput("交办期限应晚于交办日期", field="deadline")
            limit = (on.toordinal() + HANDLING_DAYS + 40)
            if deadline.toordinal() > limit:
                raise InvalidInput("交办期限过长：办理期限为60日（延期不超过30日）", field="deadline")
            out["deadline"] = deadline.isoformat()
        text("note", "说明", required=False)
    elif kind == EventKind.OBJECTED:
        text("reason", "异议理由")
    elif kind == EventKind.NOTIFIED:
        text("content", "告知内容", required=False)
        choice_default = data.get("method") or "书面"
        out["method"] = clean_text(choice_default, label="告知方式", field="method", limit=50)
    elif kind == EventKind.REFUSED:
        choice("kind", RefusalKind, "不予受理类别")
        text("ground", "理由和依据")
        text("article", "所依据的条款", required=False, limit=200)
        text("instead", "可以通过的其他途径", required=False, limit=500)
    elif kind == EventKind.EXTENDED:
        raw = data.get("days")
        try:
            days = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidInput("延期天数应为1至30之间的整数", field="days") from None
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            raise InvalidInput(f"延期天数应为1至{MAX_EXTENSION_DAYS}天（第三十四条）", field="days")
        out["days"] = days
        text("reason", "延期理由")
        text("approver", "批准人", limit=50)
    elif kind in (EventKind.REPLIED, EventKind.REVIEW_DECIDED, EventKind.RECHECK_DECIDED):
        choice("outcome", Outcome, "处理结果")
        text("text", "处理意见")
        text("basis", "依据", required=False, limit=2000)
        if data.get("delivered_on"):
            delivered = _parse_date(data["delivered_on"], "送达日期", "delivered_on")
            if delivered < on:
                raise InvalidInput("送达日期不能早于出具日期", field="delivered_on")
            out["delivered_on"] = delivered.isoformat()
        if kind == EventKind.REPLIED:
            text("review_body", "复查机关", required=False, limit=200)
    elif kind in (EventKind.REVIEW_REQUESTED, EventKind.RECHECK_REQUESTED):
        text("reason", "申请理由", required=False)
        text("body", "受理机关", required=False, limit=200)
    elif kind == EventKind.FOLLOWED_UP:
        method = data.get("method") or "phone"
        if method not in ("phone", "visit", "电话", "上门"):
            raise InvalidInput("回访方式应为电话或上门", field="method")
        out["method"] = {"电话": "phone", "上门": "visit"}.get(method, method)
        if data.get("rating"):
            choice("rating", Rating, "满意度")
        text("notes", "回访情况", required=False)
    elif kind == EventKind.CLOSED:
        text("summary", "办结情况", required=False)
    elif kind == EventKind.NOTE:
        text("text", "备注内容")
    return out


def _parse_date(raw: Any, label: str, field_name: str) -> date:
    if isinstance(raw, date):
        return raw if not isinstance(raw, datetime) else raw.date()
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise InvalidInput(f"{label}不是有效日期：{raw!r}（格式：YYYY-MM-DD）", field=field_name) from None
