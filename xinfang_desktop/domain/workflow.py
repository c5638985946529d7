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
from .matters import LEGACY, Matter, matter_of, parse_matter
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
    RECLASSIFIED = "reclassified"      # the kind of matter corrected before it is routed
    DELIVERED = "delivered"            # the day a written reply or review reached the petitioner (送达)
    HEARING = "hearing"                # a 复核 hearing, whose time is not counted (第三十六条第二款)

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
    EventKind.RECLASSIFIED: "更正事项类型",
    EventKind.DELIVERED: "送达",
    EventKind.HEARING: "复核听证",
}


class Status(str, Enum):
    REGISTERED = "registered"     # 待处理: registered, not yet routed
    HANDLING = "handling"         # 办理中
    REDIRECTED = "redirected"     # 已告知其他法定途径 (诉访分离)
    TRANSFERRED = "transferred"   # 已转送 and the petitioner told where: this office's duty is done
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
    Status.TRANSFERRED: "已转送",
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


@dataclass(frozen=True)
class RefusalGround:
    """A ground the regulation gives for not accepting a matter, with the article relied on."""

    code: str
    kind: RefusalKind
    text: str          # the ground as the notice states it
    article: str       # the provision cited


# The regulation's grounds for refusing a matter (read in reference/): a superior does not accept a
# matter already accepted or being handled below within its time limit (第十九条第三款), and no
# office accepts again a request on the same facts and reasons after 复核 (第三十六条第三款). Matters
# of another legal procedure are not refused: they are led out (第三十一条第一至五项, Route.OTHER_CHANNEL).
REFUSAL_GROUNDS: dict[str, RefusalGround] = {g.code: g for g in (
    RefusalGround("being_handled", RefusalKind.NOT_ACCEPTED,
                  "该信访事项已经受理或者正在办理，信访人在规定期限内向受理、办理机关、单位的上级机关、单位"
                  "又提出同一信访事项", "《信访工作条例》第十九条第三款"),
    RefusalGround("after_recheck", RefusalKind.NOT_AGAIN,
                  "信访人对复核意见不服，仍然以同一事实和理由提出投诉请求", "《信访工作条例》第三十六条第三款"),
)}


def refusal_ground(value: str | None) -> RefusalGround | None:
    """The ground by its code or its text; None for anything else (a free-text ground of old records)."""
    for g in REFUSAL_GROUNDS.values():
        if value in (g.code, g.text):
            return g
    return None


class Answer(str, Enum):
    """The answer to a 建议意见 matter (第二十九条)."""

    ADOPTED = "adopted"
    PARTLY = "partly"
    NOT_ADOPTED = "not_adopted"

    @property
    def label(self) -> str:
        return {"adopted": "采纳", "partly": "部分采纳", "not_adopted": "不采纳"}[self.value]


class Disposition(str, Enum):
    """What a 复查 or 复核 does with the decision below (第三十五、三十六条)."""

    UPHOLD = "uphold"
    CHANGE = "change"
    REVOKE = "revoke"

    @property
    def label(self) -> str:
        return {"uphold": "维持", "change": "变更", "revoke": "撤销"}[self.value]

    @property
    def phrase(self) -> str:
        return {"uphold": "维持原处理意见", "change": "变更原处理意见", "revoke": "撤销原处理意见"}[self.value]


class Rating(str, Enum):
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    DISSATISFIED = "dissatisfied"

    @property
    def label(self) -> str:
        return {"satisfied": "满意", "basically": "基本满意", "dissatisfied": "不满意"}[self.value]


# Statutory limits (calendar days unless stated), 信访工作条例 2022.
ROUTE_DAYS = 15            # 第二十二、二十三条
NOTICE_DAYS = 15           # 第二十三条第二款
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
    NOTICE = "notice"
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
    DeadlineKey.ROUTE: f"受理告知／转送交办期限（{ROUTE_DAYS}日）",
    DeadlineKey.NOTICE: f"书面告知信访人期限（{NOTICE_DAYS}日）",
    DeadlineKey.OBJECTION: f"接收单位异议期限（{OBJECTION_WORKING_DAYS}个工作日）",
    DeadlineKey.HANDLING: f"办理期限（{HANDLING_DAYS}日）",
    DeadlineKey.REVIEW_REQUEST: f"申请复查期限（{REVIEW_REQUEST_DAYS}日）",
    DeadlineKey.REVIEW: f"复查期限（{REVIEW_DAYS}日）",
    DeadlineKey.RECHECK_REQUEST: f"申请复核期限（{RECHECK_REQUEST_DAYS}日）",
    DeadlineKey.RECHECK: f"复核期限（{RECHECK_DAYS}日）",
}

# Limits an office must meet. The others run against the petitioner or another unit: they are
# shown, but their passing is nobody's overdue here.
OFFICE_DEADLINES = frozenset({DeadlineKey.ROUTE, DeadlineKey.NOTICE, DeadlineKey.HANDLING, DeadlineKey.REVIEW,
                              DeadlineKey.RECHECK})

# Who must meet a deadline (Deadline.holder): None is the office handling the matter; a unit code is
# the superior that recorded the 复查/复核 request it decides (第三十五、三十六条); SUPERIOR is a
# superior outside this system, whose limit is shown for information only.
SUPERIOR = "superior"


@dataclass(frozen=True)
class Deadline:
    key: DeadlineKey
    start: date
    due: Due
    met_on: date | None = None       # the day it was satisfied (None while open)
    lapsed: bool = False             # a window that ended without use, or a duty no longer owed
    holder: str | None = None        # see SUPERIOR above

    @property
    def open(self) -> bool:
        return self.met_on is None and not self.lapsed

    def overdue_on(self, today: date) -> bool:
        return self.open and today > self.due.date

    @property
    def met_late(self) -> bool:
        return self.met_on is not None and self.met_on > self.due.date

    def held_by(self, here: str | None) -> bool:
        """This is a limit the office `here` must meet (the handling office's, wherever it is read)."""
        return self.key in OFFICE_DEADLINES and (self.holder is None or (here is not None and self.holder == here))


@dataclass(frozen=True)
class CaseState:
    status: Status | None = None
    registered_on: date | None = None
    matter: Matter = LEGACY
    notice_exempt: bool = False       # name or address unclear: no written notice owed (第二十三条第二款)
    late_entry: bool = False          # entered days after it was received (补录)
    route_late_entry: bool = False    # the step that met the 15-day limit was entered days later (补录)
    route: Route | None = None
    routed_unit: str | None = None
    notified_on: date | None = None
    refusal: RefusalKind | None = None
    extended: bool = False
    handling_cap: date | None = None  # 交办: the latest a limit may reach, 60 + 30 days (第三十四条)
    outcome: Outcome | None = None
    answer: Answer | None = None
    replied_on: date | None = None
    delivered_on: date | None = None  # the written reply reached the petitioner (送达)
    review_outcome: Outcome | None = None
    review_disposition: Disposition | None = None
    review_by: str | None = None      # the unit that recorded and decides the 复查, when in this system
    recheck_outcome: Outcome | None = None
    recheck_disposition: Disposition | None = None
    recheck_by: str | None = None
    hearing_days: int = 0
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

    def open_office_deadlines(self, here: str | None = None) -> list[Deadline]:
        """Open limits the office `here` must meet (None: the handling office's only)."""
        return [d for d in self.deadlines if d.open and d.held_by(here)]

    @property
    def next_deadline(self) -> Deadline | None:
        """The earliest open limit the handling office must meet."""
        return self.next_deadline_for(None)

    def next_deadline_for(self, here: str | None) -> Deadline | None:
        pending = self.open_office_deadlines(here)
        return min(pending, key=lambda d: d.due.date) if pending else None

    def overdue_on(self, today: date, here: str | None = None) -> bool:
        return any(d.overdue_on(today) for d in self.open_office_deadlines(here))

    @property
    def provisional(self) -> bool:
        return any(d.due.provisional for d in self.deadlines if d.open)

    @property
    def entered_late(self) -> bool:
        """补录: registered, or its 15-day step recorded, days after the day it happened."""
        return self.late_entry or self.route_late_entry


class _D:
    """A deadline while folding: mutable, so a fold costs attribute writes, not copies."""

    __slots__ = ("key", "start", "due", "met_on", "lapsed", "holder")

    def __init__(self, key: DeadlineKey, start: date, due: Due, holder: str | None = None):
        self.key, self.start, self.due, self.met_on, self.lapsed, self.holder = key, start, due, None, False, holder

    @property
    def open(self) -> bool:
        return self.met_on is None and not self.lapsed

    def freeze(self) -> Deadline:
        return Deadline(self.key, self.start, self.due, self.met_on, self.lapsed, self.holder)


class _Fold:
    """The state while folding. It has the attributes `why_not` reads, like CaseState."""

    __slots__ = ("status", "registered_on", "matter", "notice_exempt", "late_entry", "route_late_entry", "route",
                 "routed_unit", "notified_on", "refusal", "extended", "handling_cap", "outcome", "answer",
                 "replied_on", "delivered_on", "review_outcome", "review_disposition", "review_by",
                 "recheck_outcome", "recheck_disposition", "recheck_by", "hearing_days", "rating", "followed_up_on",
                 "closed_on", "deadlines")

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, None)
        self.matter = LEGACY
        self.extended = self.notice_exempt = self.late_entry = self.route_late_entry = False
        self.hearing_days = 0
        self.deadlines: dict[DeadlineKey, _D] = {}

    def deadline(self, key: DeadlineKey) -> _D | None:
        return self.deadlines.get(key)

    def set(self, key: DeadlineKey, start: date, due: Due, holder: str | None = None) -> None:
        self.deadlines.pop(key, None)        # re-set deadlines go last, as they happened
        self.deadlines[key] = _D(key, start, due, holder)

    def meet(self, key: DeadlineKey, on: date) -> bool:
        d = self.deadlines.get(key)
        if d is not None and d.open:
            d.met_on = on
            return True
        return False

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


def why_not(state: CaseState, kind: EventKind, on: date, data: Mapping[str, Any] | None = None) -> str | None:
    """None when `kind` (with `data`, when given) is allowed on day `on`; otherwise the reason, in Chinese."""
    s = state.status
    if kind == EventKind.REGISTERED:
        return None if s is None else "该事项已登记，不能重复登记"
    if s is None:
        return "该事项尚未登记"
    if state.registered_on and on < state.registered_on:
        return f"日期早于登记日期（{state.registered_on:%Y-%m-%d}），请核对日期"
    matter: Matter = state.matter
    if kind == EventKind.NOTE:
        return None
    if kind == EventKind.RECLASSIFIED:
        if s == Status.REGISTERED:
            return None
        return f"事项当前为“{s.label}”，只有尚未选择办理途径的事项才能更正事项类型"
    if kind == EventKind.ROUTED:
        if s != Status.REGISTERED:
            return f"事项当前为“{s.label}”，只有待处理的事项才能选择办理途径"
        route = (data or {}).get("route")
        if route is not None and route not in matter.routes():
            return _route_refusal(matter, route)
        return None
    if kind == EventKind.OBJECTED:
        if s in (Status.HANDLING, Status.TRANSFERRED) and state.route in (Route.TRANSFER, Route.ASSIGN):
            dl = state.deadline(DeadlineKey.OBJECTION)
            if dl and on > dl.due.date:
                return f"异议期限已于{dl.due.date:%Y-%m-%d}届满（{OBJECTION_WORKING_DAYS}个工作日），不能再退回"
            return None
        return "只有转送或交办后的事项，接收单位才能提出异议退回"
    if kind == EventKind.NOTIFIED:
        if s in (Status.REGISTERED, Status.HANDLING):
            return None
        return f"事项当前为“{s.label}”，无需再作书面告知"
    if kind == EventKind.REFUSED:
        if s == Status.REGISTERED:
            return None
        return f"事项当前为“{s.label}”，只有尚未选择办理途径的事项才能不予受理"
    if kind == EventKind.EXTENDED:
        if s != Status.HANDLING or state.route not in (Route.DIRECT, Route.ASSIGN):
            return "只有直接办理或交办、正在办理中的事项才能延期"
        if state.extended:
            return "该事项已延期一次，依照第三十四条不能再次延期"
        dl = state.deadline(DeadlineKey.HANDLING)
        if dl and on > dl.due.date:
            return f"办理期限已于{dl.due.date:%Y-%m-%d}届满，延期应在期限届满前批准"
        return None
    if kind == EventKind.REPLIED:
        if s == Status.HANDLING and state.route in (Route.DIRECT, Route.ASSIGN):
            if not (matter.decides or matter.answers):
                return f"{matter.label}事项不由本机关出具处理意见书（{matter.article}）"
            return None
        if s == Status.HANDLING:
            return "转送的事项由接收单位办理，本机关告知信访人转送去向即可，不出具处理意见"
        if s == Status.REFUSED:
            return "该事项已不予受理，不能出具处理意见"
        if s == Status.REGISTERED:
            return "该事项尚未受理（未选择办理途径），不能出具处理意见"
        return f"事项当前为“{s.label}”，不能再出具处理意见"
    if kind == EventKind.DELIVERED:
        of = (data or {}).get("of", "reply")
        if of == "reply" and state.replied_on is None:
            return "尚未出具书面答复，无从记录送达"
        if of == "review" and state.review_outcome is None:
            return "尚无复查意见，无从记录送达"
        if of == "recheck" and state.recheck_outcome is None:
            return "尚无复核意见，无从记录送达"
        if of not in ("reply", "review", "recheck"):
            return f"送达的文书无效：{of}"
        return None
    if kind == EventKind.REVIEW_REQUESTED:
        reviewer = (data or {}).get("reviewer")
        if s == Status.REVIEWING and state.review_outcome is None:
            # The office below recorded the request, the superior records its receipt (or the reverse).
            if bool(reviewer) != bool(state.review_by):
                return None
            return "已申请复查，不能重复申请"
        if not matter.has_review:
            return f"{matter.label}事项没有复查程序（第三十五条适用于信访处理意见书）"
        if s not in (Status.REPLIED, Status.CLOSED) or state.replied_on is None or state.review_outcome is not None:
            return "只有已出具处理意见、尚未复查的事项才能申请复查"
        dl = state.deadline(DeadlineKey.REVIEW_REQUEST)
        if dl and on > dl.due.date:
            return (f"申请复查期限已于{dl.due.date:%Y-%m-%d}届满（收到书面答复之日起{REVIEW_REQUEST_DAYS}日，第三十五条）；"
                    "如送达日期有误，请先更正送达日期")
        return None
    if kind == EventKind.REVIEW_DECIDED:
        if s == Status.REVIEWING:
            return None
        if s == Status.REVIEWED and state.recheck_outcome is None and bool((data or {}).get("reviewer")) != bool(
                state.review_by) and state.deadline(DeadlineKey.RECHECK) is None:
            return None
        return "只有复查中的事项才能记录复查意见"
    if kind == EventKind.RECHECK_REQUESTED:
        reviewer = (data or {}).get("reviewer")
        if s == Status.RECHECKING and state.recheck_outcome is None:
            if bool(reviewer) != bool(state.recheck_by):
                return None
            return "已申请复核，不能重复申请"
        if s not in (Status.REVIEWED, Status.CLOSED) or state.review_outcome is None or state.recheck_outcome is not None:
            return "只有已复查、尚未复核的事项才能申请复核"
        dl = state.deadline(DeadlineKey.RECHECK_REQUEST)
        if dl and on > dl.due.date:
            return (f"申请复核期限已于{dl.due.date:%Y-%m-%d}届满（收到复查意见之日起{RECHECK_REQUEST_DAYS}日，第三十六条）；"
                    "如送达日期有误，请先更正送达日期")
        return None
    if kind == EventKind.HEARING:
        return None if s == Status.RECHECKING else "只有复核中的事项才能记录听证（第三十六条第二款）"
    if kind == EventKind.RECHECK_DECIDED:
        if s == Status.RECHECKING:
            return None
        if s == Status.RECHECKED and bool((data or {}).get("reviewer")) != bool(state.recheck_by):
            return None
        return "只有复核中的事项才能记录复核意见"
    if kind == EventKind.FOLLOWED_UP:
        if state.replied_on is None and s not in (Status.REDIRECTED,):
            return "出具书面答复后才能回访"
        return None
    if kind == EventKind.CLOSED:
        if s == Status.CLOSED:
            return "该事项已办结"
        if s in (Status.REPLIED, Status.REVIEWED, Status.RECHECKED, Status.REFUSED, Status.REDIRECTED,
                 Status.TRANSFERRED):
            return None
        if s == Status.HANDLING and state.route == Route.TRANSFER:
            return "已转送的事项，书面告知信访人转送去向后即完成本机关的办理，无需办结"
        return f"事项当前为“{s.label}”，出具书面答复（或不予受理、告知其他途径）后才能办结"
    return f"未知的操作：{kind}"


def _route_refusal(matter: Matter, route: str) -> str:
    label = Route(route).label if route in {r.value for r in Route} else route
    if matter.type is not None and matter.type.value == "accusation":
        return (f"检举控告类事项应当转送纪检监察机关或者有权处理的机关（第二十二条第二款、第三十条），不能{label}；"
                "如不属检举控告，请先更正事项类型")
    if matter.leads_out:
        return (f"{matter.label}应当导入相应的法定程序（{matter.article}）：请选择“告知其他法定途径”或转送有权处理的机关，"
                f"不能{label}；如不属该项，请先更正事项类型")
    return (f"{matter.label}不能选择“{label}”（{matter.article}）；如应通过诉讼、仲裁、复议等法定途径解决，"
            "请先将事项类型更正为第三十一条第一至五项")


def allowed_actions(state: CaseState, on: date) -> list[EventKind]:
    return [k for k in EventKind if k != EventKind.REGISTERED and why_not(state, k, on) is None]


def check_allowed(state: CaseState, kind: EventKind, on: date, data: Mapping[str, Any] | None = None) -> None:
    reason = why_not(state, kind, on, data)
    if reason is not None:
        raise NotAllowed(reason)


# -- applying one event ---------------------------------------------------------------------

def _apply(st: _Fold, e: Event, cal) -> None:
    d = e.day
    k = e.kind
    data = e.data
    if k == EventKind.REGISTERED:
        st.status, st.registered_on = Status.REGISTERED, d
        st.matter = matter_of(data)
        st.notice_exempt = bool(data.get("notice_exempt"))
        st.late_entry = bool(data.get("late"))
        st.set(DeadlineKey.ROUTE, d, calendar_days(d, ROUTE_DAYS, cal))
        if not st.matter.legacy and not st.notice_exempt:
            st.set(DeadlineKey.NOTICE, d, calendar_days(d, NOTICE_DAYS, cal))
    elif k == EventKind.NOTE:
        pass
    elif k == EventKind.RECLASSIFIED:
        st.matter = matter_of(data)
    elif k == EventKind.ROUTED:
        route = Route(data["route"])
        if st.meet(DeadlineKey.ROUTE, d):
            st.route_late_entry = bool(data.get("late"))
        st.route, st.routed_unit = route, data.get("unit")
        if data.get("notified") or route == Route.OTHER_CHANNEL:
            # The petitioner was told where it went (第二十三条), or told which procedure to use.
            if st.meet(DeadlineKey.NOTICE, d):
                st.notified_on = st.notified_on or d
        if route == Route.OTHER_CHANNEL:
            st.status = Status.REDIRECTED
            return
        if route in (Route.TRANSFER, Route.ASSIGN):
            st.set(DeadlineKey.OBJECTION, d, working_days(d, OBJECTION_WORKING_DAYS, cal))
        if route == Route.TRANSFER:
            # Forwarded: this office's duty ends once the petitioner is told where (第二十二、二十三条).
            st.deadlines.pop(DeadlineKey.HANDLING, None)
            notice = st.deadlines.get(DeadlineKey.NOTICE)
            st.status = Status.HANDLING if notice is not None and notice.open else Status.TRANSFERRED
            return
        st.status = Status.HANDLING
        limit = data.get("deadline")
        if route == Route.ASSIGN:
            st.handling_cap = date.fromordinal(d.toordinal() + HANDLING_DAYS + MAX_EXTENSION_DAYS)
        st.set(DeadlineKey.HANDLING, d, Due(date.fromisoformat(limit)) if limit else calendar_days(d, HANDLING_DAYS, cal))
    elif k == EventKind.OBJECTED:
        # The receiving unit returns the matter: it is to be routed again, within the original limit.
        st.deadlines.pop(DeadlineKey.HANDLING, None)
        st.deadlines.pop(DeadlineKey.OBJECTION, None)
        route_dl = st.deadlines.get(DeadlineKey.ROUTE)
        if route_dl is not None:
            route_dl.met_on = None
        st.status, st.route, st.routed_unit, st.handling_cap = Status.REGISTERED, None, None, None
    elif k == EventKind.NOTIFIED:
        if data.get("exempt"):
            # Name or address unclear: no written notice is owed (第二十三条第二款).
            st.notice_exempt = True
            st.lapse(DeadlineKey.NOTICE)
        else:
            if st.meet(DeadlineKey.ROUTE, d):
                st.route_late_entry = bool(data.get("late"))
            st.meet(DeadlineKey.NOTICE, d)
            st.notified_on = st.notified_on or d
        if st.status == Status.HANDLING and st.route == Route.TRANSFER:
            st.status = Status.TRANSFERRED
    elif k == EventKind.REFUSED:
        if st.meet(DeadlineKey.ROUTE, d):
            st.route_late_entry = bool(data.get("late"))
        st.meet(DeadlineKey.NOTICE, d)
        st.status, st.refusal = Status.REFUSED, RefusalKind(data.get("kind", "not_accepted"))
    elif k == EventKind.EXTENDED:
        dl = st.deadlines[DeadlineKey.HANDLING]
        dl.due = calendar_days(dl.due.date, int(data["days"]), cal)
        st.extended = True
    elif k == EventKind.REPLIED:
        st.meet(DeadlineKey.HANDLING, d)
        st.lapse(DeadlineKey.OBJECTION)
        st.status, st.replied_on = Status.REPLIED, d
        if st.matter.answers:
            st.answer = _enum(Answer, data.get("outcome"))
        else:
            st.outcome = _enum(Outcome, data.get("outcome"))
        if st.matter.has_review:
            received = _day_of(data.get("delivered_on"))
            st.delivered_on = received
            start = received or d
            st.set(DeadlineKey.REVIEW_REQUEST, start, calendar_days(start, REVIEW_REQUEST_DAYS, cal))
    elif k == EventKind.DELIVERED:
        on = _day_of(data.get("on")) or d
        of = data.get("of", "reply")
        key = {"reply": DeadlineKey.REVIEW_REQUEST, "review": DeadlineKey.RECHECK_REQUEST}.get(of)
        if of == "reply":
            st.delivered_on = on
        window = st.deadlines.get(key) if key else None
        # The window runs from the day the reply was received (第三十五、三十六条); once used it stays.
        if window is not None and window.met_on is None:
            st.set(key, on, calendar_days(on, window_days(key), cal))
    elif k == EventKind.REVIEW_REQUESTED:
        reviewer = data.get("reviewer")
        if st.status == Status.REVIEWING:
            if reviewer and not st.review_by:
                # The superior itself records the request: its 30 days run from its receipt.
                st.review_by = reviewer
                st.set(DeadlineKey.REVIEW, d, calendar_days(d, REVIEW_DAYS, cal), reviewer)
            return                            # the office below's record of a request the superior has
        st.meet(DeadlineKey.REVIEW_REQUEST, d)
        st.review_by = reviewer
        st.set(DeadlineKey.REVIEW, d, calendar_days(d, REVIEW_DAYS, cal), reviewer or SUPERIOR)
        st.status, st.closed_on = Status.REVIEWING, None
    elif k == EventKind.REVIEW_DECIDED:
        reviewer = data.get("reviewer")
        if st.status == Status.REVIEWED:
            if not reviewer:
                return                        # the office below's note of a decision the superior recorded
        st.meet(DeadlineKey.REVIEW, d)
        disposition = _enum(Disposition, data.get("disposition"))
        outcome = _enum(Outcome, data.get("outcome"))
        if outcome is None and disposition == Disposition.UPHOLD:
            outcome = st.outcome
        received = _day_of(data.get("delivered_on")) or d
        st.set(DeadlineKey.RECHECK_REQUEST, received, calendar_days(received, RECHECK_REQUEST_DAYS, cal))
        st.status, st.review_outcome, st.review_disposition = Status.REVIEWED, outcome, disposition
        st.review_by = reviewer or st.review_by
    elif k == EventKind.RECHECK_REQUESTED:
        reviewer = data.get("reviewer")
        if st.status == Status.RECHECKING:
            if reviewer and not st.recheck_by:
                st.recheck_by = reviewer
                st.set(DeadlineKey.RECHECK, d, calendar_days(d, RECHECK_DAYS, cal), reviewer)
            return
        st.meet(DeadlineKey.RECHECK_REQUEST, d)
        st.recheck_by = reviewer
        st.hearing_days = 0
        st.set(DeadlineKey.RECHECK, d, calendar_days(d, RECHECK_DAYS, cal), reviewer or SUPERIOR)
        st.status, st.closed_on = Status.RECHECKING, None
    elif k == EventKind.HEARING:
        # The hearing's time is not counted in the 复核's 30 days (第三十六条第二款).
        days = int(data.get("days") or 0)
        dl = st.deadlines.get(DeadlineKey.RECHECK)
        if dl is not None and days > 0:
            st.hearing_days += days
            dl.due = calendar_days(dl.start, RECHECK_DAYS + st.hearing_days, cal)
    elif k == EventKind.RECHECK_DECIDED:
        reviewer = data.get("reviewer")
        if st.status == Status.RECHECKED and not reviewer:
            return
        st.meet(DeadlineKey.RECHECK, d)
        disposition = _enum(Disposition, data.get("disposition"))
        outcome = _enum(Outcome, data.get("outcome"))
        if outcome is None and disposition == Disposition.UPHOLD:
            outcome = st.review_outcome
        st.status, st.recheck_outcome, st.recheck_disposition = Status.RECHECKED, outcome, disposition
        st.recheck_by = reviewer or st.recheck_by
    elif k == EventKind.FOLLOWED_UP:
        rating = data.get("rating")
        st.followed_up_on = d
        if rating:
            st.rating = Rating(rating)
    elif k == EventKind.CLOSED:
        st.status, st.closed_on = Status.CLOSED, d
    else:
        raise ValueError(f"unknown event kind {k}")


def window_days(key: DeadlineKey) -> int:
    return {DeadlineKey.REVIEW_REQUEST: REVIEW_REQUEST_DAYS, DeadlineKey.RECHECK_REQUEST: RECHECK_REQUEST_DAYS}[key]


def _enum(enum, value):
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        return None


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

    def why_not(self, kind: EventKind, on: date, data: Mapping[str, Any] | None = None) -> str | None:
        return why_not(self._st, kind, on, data)  # type: ignore[arg-type]

    def add(self, e: Event) -> bool:
        """Apply `e`; an event the state does not allow is recorded in `problems` and skipped."""
        self.count += 1
        reason = why_not(self._st, e.kind, e.day, e.data)  # type: ignore[arg-type]
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

def validate_event_data(kind: EventKind, data: Mapping[str, Any], state: CaseState, on: date,
                        cal=None) -> dict[str, Any]:
    """Normalise and check the fields an action needs; raise InvalidInput with the field at fault.

    `cal` (the holiday calendar) makes the 交办 limit exact when the 60th day is a rest day."""
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

    def flag(name: str) -> None:
        raw = data.get(name)
        if raw in (True, 1, "1", "true", "yes", "是"):
            out[name] = True
        elif raw not in (None, False, 0, "0", "false", "no", "否", ""):
            raise InvalidInput(f"{name} 应为是或否", field=name)

    def day(name: str, label: str, *, required: bool = False) -> date | None:
        raw = data.get(name)
        if not raw:
            if required:
                raise InvalidInput(f"请填写{label}", field=name)
            return None
        value = _parse_date(raw, label, name)
        out[name] = value.isoformat()
        return value

    def limit_after(start: date, days: int) -> date:
        return calendar_days(start, days, cal).date if cal is not None else date.fromordinal(start.toordinal() + days)

    if state is None:
        state = CaseState()
    matter: Matter = state.matter
    if kind == EventKind.ROUTED:
        choice("route", Route, "办理途径")
        route = Route(out["route"])
        if route.value not in matter.routes():
            raise InvalidInput(_route_refusal(matter, route.value), field="route")
        if route in (Route.TRANSFER, Route.ASSIGN, Route.OTHER_CHANNEL):
            text("unit", "接收单位或途径" if route != Route.OTHER_CHANNEL else "其他法定途径", limit=200)
        else:
            text("unit", "承办单位", required=False, limit=200)
        if route == Route.ASSIGN:
            if not data.get("deadline"):
                raise InvalidInput("交办必须写明办理期限", field="deadline")
            deadline = day("deadline", "办理期限")
            assert deadline is not None
            if deadline <= on:
                raise InvalidInput("交办期限应晚于交办日期", field="deadline")
            latest = limit_after(on, HANDLING_DAYS)
            if deadline > latest:
                raise InvalidInput(f"交办期限过长：承办单位的办理期限为{HANDLING_DAYS}日（第三十四条），"
                                   f"最迟为{latest:%Y-%m-%d}；情况复杂的可在期限内批准延期，延长不超过"
                                   f"{MAX_EXTENSION_DAYS}日", field="deadline")
        if route in (Route.TRANSFER, Route.ASSIGN, Route.DIRECT):
            flag("notified")
        text("note", "说明", required=False)
    elif kind == EventKind.OBJECTED:
        text("reason", "异议理由")
    elif kind == EventKind.NOTIFIED:
        flag("exempt")
        text("content", "告知内容", required=False)
        out["method"] = clean_text(data.get("method") or "书面", label="告知方式", field="method", limit=50)
    elif kind == EventKind.REFUSED:
        ground = refusal_ground(data.get("ground"))
        if ground is None:
            options = "；".join(f"{g.code}（{g.kind.label}：{g.article}）" for g in REFUSAL_GROUNDS.values())
            raise InvalidInput(f"不予受理的理由应从条例规定的情形中选择：{options}", field="ground")
        if data.get("kind"):
            choice("kind", RefusalKind, "不予受理类别")
            if out["kind"] != ground.kind.value:
                raise InvalidInput(f"所选理由属于“{ground.kind.label}”（{ground.article}），与所填类别不符",
                                   field="kind")
        out.update(ground=ground.code, kind=ground.kind.value, article=ground.article)
        text("details", "具体情况", required=False)
        text("instead", "可以通过的其他途径", required=False, limit=500)
    elif kind == EventKind.EXTENDED:
        raw = data.get("days")
        try:
            days = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidInput(f"延期天数应为1至{MAX_EXTENSION_DAYS}之间的整数", field="days") from None
        if not 1 <= days <= MAX_EXTENSION_DAYS:
            raise InvalidInput(f"延期天数应为1至{MAX_EXTENSION_DAYS}天（第三十四条）", field="days")
        handling = state.deadline(DeadlineKey.HANDLING)
        if state.handling_cap is not None and handling is not None:
            left = (state.handling_cap - handling.due.date).days
            if days > left:
                raise InvalidInput(
                    f"交办事项的办理期限连同延期不能超过{HANDLING_DAYS + MAX_EXTENSION_DAYS}日（第三十四条），"
                    + (f"最多还能延长{left}日" if left > 0 else "已不能再延长"), field="days")
        out["days"] = days
        text("reason", "延期理由")
        text("approver", "批准人", limit=50)
    elif kind == EventKind.REPLIED:
        if matter.answers:
            choice("outcome", Answer, "答复结果")
        else:
            choice("outcome", Outcome, "处理结果")
        text("text", "答复意见" if matter.answers else "处理意见")
        # The legal basis is the office's choice, stated on the 处理意见书 (第三十二条): never a default.
        text("basis", "法律法规依据", required=matter.decides, limit=2000)
        delivered = day("delivered_on", "送达日期")
        if delivered is not None and delivered < on:
            raise InvalidInput("送达日期不能早于出具日期", field="delivered_on")
        if matter.decides:
            text("review_body", "复查机关", required=False, limit=200)
    elif kind in (EventKind.REVIEW_DECIDED, EventKind.RECHECK_DECIDED):
        what = "复查" if kind == EventKind.REVIEW_DECIDED else "复核"
        if not data.get("disposition"):
            raise InvalidInput(f"请写明{what}结论：维持、变更或撤销原处理意见", field="disposition")
        choice("disposition", Disposition, f"{what}结论")
        if out["disposition"] != Disposition.UPHOLD.value or data.get("outcome"):
            if not data.get("outcome"):
                raise InvalidInput(f"{what}变更或撤销原处理意见的，请写明对信访请求的意见：支持、解释说明或不予支持",
                                   field="outcome")
            choice("outcome", Outcome, f"{what}后的处理结果")
        text("text", f"{what}意见")
        text("basis", "依据", required=False, limit=2000)
        text("body", f"{what}机关", required=False, limit=200)
        delivered = day("delivered_on", "送达日期")
        if delivered is not None and delivered < on:
            raise InvalidInput("送达日期不能早于出具日期", field="delivered_on")
    elif kind in (EventKind.REVIEW_REQUESTED, EventKind.RECHECK_REQUESTED):
        text("reason", "申请理由", required=False)
        text("body", "受理机关", required=False, limit=200)
    elif kind == EventKind.DELIVERED:
        of = data.get("of") or "reply"
        of = {"处理意见": "reply", "答复": "reply", "复查意见": "review", "复核意见": "recheck"}.get(of, of)
        if of not in ("reply", "review", "recheck"):
            raise InvalidInput("送达的文书应为处理意见、复查意见或复核意见", field="of")
        out["of"] = of
        delivered = day("on", "送达日期", required=True)
        issued = {"reply": state.replied_on, "review": _met(state, DeadlineKey.REVIEW),
                  "recheck": _met(state, DeadlineKey.RECHECK)}[of]
        if delivered is not None and delivered > on:
            raise InvalidInput("送达日期晚于今天，请核对", field="on")
        if delivered is not None and issued is not None and delivered < issued:
            raise InvalidInput(f"送达日期不能早于出具日期（{issued:%Y-%m-%d}）", field="on")
        text("method", "送达方式", required=False, limit=50)
    elif kind == EventKind.HEARING:
        start = day("from", "听证开始日期", required=True)
        end = day("to", "听证结束日期", required=True)
        assert start is not None and end is not None
        if end < start:
            raise InvalidInput("听证结束日期早于开始日期", field="to")
        if end > on:
            raise InvalidInput("听证结束日期晚于今天，请在听证结束后记录", field="to")
        out["days"] = (end - start).days + 1
        text("notes", "听证情况", required=False)
    elif kind == EventKind.RECLASSIFIED:
        new = parse_matter(data.get("matter"), data.get("claim_item"))
        if new == matter:
            raise InvalidInput(f"事项类型已是“{matter.label}”", field="matter")
        out.update(new.as_data())
        text("reason", "更正理由")
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


def _met(state: CaseState, key: DeadlineKey) -> date | None:
    d = state.deadline(key)
    return d.met_on if d is not None else None


def _parse_date(raw: Any, label: str, field_name: str) -> date:
    if isinstance(raw, date):
        return raw if not isinstance(raw, datetime) else raw.date()
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise InvalidInput(f"{label}不是有效日期：{raw!r}（应写作 年-月-日，如 2026-12-06）", field=field_name) from None
