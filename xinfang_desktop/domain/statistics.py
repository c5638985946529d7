"""Statistics rules (pure): reporting periods, counts in 批次 / 人次, and the rates of the annual
report, each carrying its formula, numerator and denominator so a printed figure can be checked.

A total is never counted separately from its parts: `Breakdown.total` is the sum of its rows, so
a table always adds up (the seed report's 145 batches whose parts made 133 cannot happen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from . import workflow as wf
from .errors import InvalidInput

# A rating is due within this many days of the written reply; a case replied longer ago and still
# unrated counts as "past the rating window" (参评率's denominator). Same length as the review
# request window (第三十五条), so the petitioner rates while the reply is fresh.
RATING_WINDOW_DAYS = 30
EARLIEST = date(2000, 1, 1)
MAX_CUSTOM_DAYS = 366 * 10


# -- periods ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    kind: str          # month / quarter / year / custom
    start: date        # first day, inclusive
    end: date          # last day, inclusive

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "quarter":
            return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{s.year}年"
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"

    @property
    def report_title(self) -> str:
        return {"month": "月报", "quarter": "季报", "year": "年报"}.get(self.kind, "统计报告")

    def months(self) -> list[tuple[int, int]]:
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def year_earlier(self) -> "Period":
        """The same period one year earlier (29 February becomes the 28th)."""
        def back(d: date) -> date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:
                return d.replace(year=d.year - 1, day=28)
        if self.kind in ("month", "quarter", "year"):
            return Period(self.kind, back(self.start), _month_end(self.end.year - 1, self.end.month))
        return Period(self.kind, back(self.start), back(self.end))


def _month_end(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return nxt - timedelta(days=1)


def month(year: int, m: int) -> Period:
    _check_year(year)
    if not 1 <= m <= 12:
        raise InvalidInput(f"月份应为1至12，收到{m}", field="month")
    return Period("month", date(year, m, 1), _month_end(year, m))


def quarter(year: int, q: int) -> Period:
    _check_year(year)
    if not 1 <= q <= 4:
        raise InvalidInput(f"季度应为1至4，收到{q}", field="quarter")
    return Period("quarter", date(year, 3 * q - 2, 1), _month_end(year, 3 * q))


def year(y: int) -> Period:
    _check_year(y)
    return Period("year", date(y, 1, 1), date(y, 12, 31))


def custom(start: date, end: date) -> Period:
    """Any span of days; a span that is exactly a month, quarter or year is named as one."""
    if end < start:
        raise InvalidInput(f"结束日期（{end:%Y-%m-%d}）早于开始日期（{start:%Y-%m-%d}），请调换", field="to")
    if start < EARLIEST:
        raise InvalidInput(f"开始日期过早（{start:%Y-%m-%d}），请核对", field="from")
    if (end - start).days > MAX_CUSTOM_DAYS:
        raise InvalidInput("统计期间不能超过10年，请缩短期间", field="to")
    if start.day == 1 and end == _month_end(end.year, end.month):
        if start.year == end.year and start.month == end.month:
            return month(start.year, start.month)
        if start.year == end.year and start.month % 3 == 1 and end.month == start.month + 2:
            return quarter(start.year, (start.month + 2) // 3)
        if start.year == end.year and start.month == 1 and end.month == 12:
            return year(start.year)
    return Period("custom", start, end)


def _check_year(y: int) -> None:
    if not 2000 <= y <= 2100:
        raise InvalidInput(f"年份应在2000至2100之间，收到{y}", field="year")


# -- counts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Count:
    """批次 (matters; a group visit is one) and 人次 (people; a group of 30 is 30)."""

    batches: int = 0
    people: int = 0

    def __add__(self, other: "Count") -> "Count":
        return Count(self.batches + other.batches, self.people + other.people)


def total_of(counts: Iterable[Count]) -> Count:
    out = Count()
    for c in counts:
        out = out + c
    return out


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: Count


@dataclass(frozen=True)
class Breakdown:
    """One table: rows that partition the matters of the period; the total is their sum."""

    title: str
    rows: tuple[Row, ...]

    @property
    def total(self) -> Count:
        return total_of(r.count for r in self.rows)

    def get(self, key: str) -> Count:
        for r in self.rows:
            if r.key == key:
                return r.count
        return Count()


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def change(now: int, before: int) -> float | None:
    """Year-on-year change (同比): None when there was nothing a year earlier."""
    return None if before == 0 else (now - before) / before


# -- rates --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    key: str
    name: str
    formula: str                  # 及时受理率 = 按期受理数 ÷ 受理总数
    definition: str               # what each term counts, for the report
    numerator: int
    denominator: int
    numerator_label: str
    denominator_label: str
    parts: tuple[tuple[str, int], ...] = field(default_factory=tuple)   # the denominator's terms

    @property
    def value(self) -> float | None:
        return share(self.numerator, self.denominator)

    @property
    def text(self) -> str:
        return "—" if self.value is None else f"{self.value * 100:.1f}%"

    @property
    def worked(self) -> str:
        """The computation written out: "45 ÷ 50 = 90.0%"."""
        return f"{self.numerator} ÷ {self.denominator} = {self.text}"


@dataclass(frozen=True)
class RateInputs:
    """The counts the rates are made of, all over the matters received in the period."""

    received: int = 0
    accepted_in_time: int = 0        # first 办理途径 / 告知 / 不予受理 within the 15-day limit
    closed_on_time: int = 0          # written reply on or before the handling limit (extension counted)
    closed_late: int = 0
    open_past_due: int = 0           # no reply, handling limit passed by the statistics date
    rated: int = 0
    unrated_past_window: int = 0
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0
    repeats: int = 0


def rates(r: RateInputs) -> list[Rate]:
    return [
        Rate("timely_acceptance", "及时受理率", "及时受理率 = 按期受理数 ÷ 受理总数",
             "受理总数：本期登记的信访事项（批次）；按期受理数：其中自登记之日起15日内（末日为节假日的顺延）"
             "选择了办理途径（直接办理、转送、交办、告知其他法定途径）、书面告知或不予受理的事项"
             "（第二十二、二十三条）。",
             r.accepted_in_time, r.received, "按期受理数", "受理总数"),
        Rate("on_time_closure", "按期办结率", "按期办结率 = 按期办结数 ÷ (按期办结数 + 超期办结数 + 超期未办结数)",
             "本期登记并进入办理程序的事项中：按期办结数为在办理期限（60日，交办的为交办期限，已批准延期的为延长后的期限，"
             "第三十四条）内出具处理意见的；超期办结数为超过期限才出具的；超期未办结数为截至统计日期限已过仍未出具的。"
             "尚在期限内办理的事项不计入。",
             r.closed_on_time, r.closed_on_time + r.closed_late + r.open_past_due, "按期办结数",
             "按期办结数 + 超期办结数 + 超期未办结数",
             (("按期办结", r.closed_on_time), ("超期办结", r.closed_late), ("超期未办结", r.open_past_due))),
        Rate("participation", "参评率", "参评率 = 参评数 ÷ (参评数 + 逾期未评数)",
             f"本期登记并已出具处理意见的事项中：参评数为回访时作出满意度评价的；逾期未评数为出具处理意见已满"
             f"{RATING_WINDOW_DAYS}日仍未评价的。未满{RATING_WINDOW_DAYS}日且未评价的不计入。",
             r.rated, r.rated + r.unrated_past_window, "参评数", "参评数 + 逾期未评数",
             (("参评", r.rated), ("逾期未评", r.unrated_past_window))),
        Rate("satisfaction", "满意率", "满意率 = (满意数 + 基本满意数) ÷ 参评数",
             "参评数：作出评价的事项（以最后一次评价为准）；满意、基本满意、不满意三者之和等于参评数。",
             r.satisfied + r.basically, r.rated, "满意数 + 基本满意数", "参评数",
             (("满意", r.satisfied), ("基本满意", r.basically), ("不满意", r.dissatisfied))),
        Rate("repeat", "重复信访率", "重复信访率 = 重件数 ÷ 受理总数",
             "重件：同一信访人就同一事项再次信访、登记时关联了此前事项的（同人同事）；受理总数同上。",
             r.repeats, r.received, "重件数", "受理总数"),
    ]


# -- the result of a computation (filled by services/statistics.py, printed by documents/report.py) --
RECEPTIONS_NOTE = "领导接访记录（四门四访）尚无数据来源：接访登记功能建成后自动纳入本表。"


@dataclass(frozen=True)
class Scope:
    """Township codes; empty means every matter in this database (the whole city at the bureau).

    A matter belongs to the township recorded on it (属地); one recorded without a township belongs
    to the office that registered it (its unit code)."""

    codes: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.codes


@dataclass(frozen=True)
class WorkflowFigures:
    received: int
    routed: int
    refused: int
    redirected: int
    replied: int
    closed: int
    extended: int
    reviewed: int
    overdue: int

    def rows(self) -> list[tuple[str, str, int, str]]:
        """(key, label, value, what it counts)."""
        return [
            ("received", "受理（登记）", self.received, "本期登记的信访事项"),
            ("routed", "已选择办理途径", self.routed, "其中已直接办理、转送、交办或告知其他法定途径的"),
            ("refused", "不予受理／不再受理", self.refused, "其中不予受理或不再受理的"),
            ("redirected", "告知其他法定途径", self.redirected, "其中告知通过诉讼、仲裁、复议等途径解决的"),
            ("replied", "已出具处理意见", self.replied, "其中已出具书面处理意见的"),
            ("closed", "已办结", self.closed, "其中截至统计日状态为已办结的"),
            ("extended", "延期办理", self.extended, "其中经批准延期的"),
            ("reviewed", "申请复查复核", self.reviewed, "其中信访人申请复查或复核的"),
            ("overdue", "超期未办", self.overdue, "其中截至统计日有本机关期限已过仍未办理的"),
        ]


@dataclass
class Statistics:
    period: Period
    scope: Scope
    scope_label: str
    as_of: date
    by_channel: Breakdown
    by_category: Breakdown
    by_subcategory: Breakdown
    by_township: Breakdown
    by_repeat: Breakdown
    by_group: Breakdown
    months: Breakdown
    workflow: WorkflowFigures
    rate_inputs: RateInputs
    rates: list[Rate]
    receptions: Breakdown | None = None
    receptions_note: str = RECEPTIONS_NOTE
    earlier: "Statistics | None" = field(default=None, repr=False)

    @property
    def total(self) -> Count:
        return self.by_channel.total

    def breakdowns(self) -> list[Breakdown]:
        return [self.by_channel, self.by_category, self.by_subcategory, self.by_township, self.by_repeat,
                self.by_group]


# -- each case's facts, kept with the case row so a year's figures are one aggregate query -------
# Bits of `case.stat_flags`. They are derived from the fold of the case's events (the same rules
# as its deadlines) whenever the case's cached state is written, so they never disagree with it.
# A bit's position never changes (the facts of existing rows keep it); new ones go after the rating.
TIMELY = 1 << 0          # accepted (routed / notified / refused) within the 15-day limit
ROUTED = 1 << 1          # a route is chosen and stands (not returned by the receiving unit)
REDIRECTED = 1 << 2      # … the route is "other legal channel" (诉访分离)
REFUSED = 1 << 3
EXTENDED = 1 << 4
REVIEWED = 1 << 5        # a 复查 or 复核 was requested
REPLIED = 1 << 6
CLOSED = 1 << 7
ON_TIME = 1 << 8         # the reply met the handling limit (extension counted)
LATE = 1 << 9            # the reply came after it
RATING_SHIFT = 10        # two bits: 0 none, then RATING_CODES
RATING_CODES = {"satisfied": 1, "basically": 2, "dissatisfied": 3}
RATING_NAMES = {code: name for name, code in RATING_CODES.items()}
DECIDED_LATE = 1 << 12   # routed / notified / refused, but after the 15-day limit
FLAG_BITS = 13


@dataclass(frozen=True)
class StatFacts:
    flags: int = 0
    open_limit: date | None = None   # the handling limit while no reply has met it
    replied_on: date | None = None
    decided_on: date | None = None   # the last written decision: reply, 复查 or 复核 decision
    accept_limit: date | None = None  # the 15-day limit while nothing has met it (route, notice, refusal)


def stat_facts(state: wf.CaseState) -> StatFacts:
    """The statistics facts of one case from its folded state."""
    flags = 0
    accept_limit = None
    route_dl = state.deadline(wf.DeadlineKey.ROUTE)
    if route_dl is not None:
        if route_dl.met_on is None:
            accept_limit = route_dl.due.date
        elif route_dl.met_on <= route_dl.due.date:
            flags |= TIMELY
        else:
            flags |= DECIDED_LATE
    if state.route is not None:
        flags |= ROUTED
        if state.route == wf.Route.OTHER_CHANNEL:
            flags |= REDIRECTED
    if state.refusal is not None:
        flags |= REFUSED
    if state.extended:
        flags |= EXTENDED
    if state.deadline(wf.DeadlineKey.REVIEW) is not None or state.deadline(wf.DeadlineKey.RECHECK) is not None:
        flags |= REVIEWED
    if state.replied_on is not None:
        flags |= REPLIED
    if state.status == wf.Status.CLOSED:
        flags |= CLOSED
    open_limit = None
    handling = state.deadline(wf.DeadlineKey.HANDLING)
    if handling is not None and state.route is not None and state.route != wf.Route.OTHER_CHANNEL:
        if handling.met_on is not None:
            flags |= ON_TIME if handling.met_on <= handling.due.date else LATE
        else:
            open_limit = handling.due.date
    if state.rating is not None:
        flags |= RATING_CODES[state.rating.value] << RATING_SHIFT
    decided = [d for d in (state.replied_on, _met(state, wf.DeadlineKey.REVIEW), _met(state, wf.DeadlineKey.RECHECK))
               if d is not None]
    return StatFacts(flags, open_limit, state.replied_on, max(decided) if decided else None, accept_limit)


def _met(state: wf.CaseState, key: wf.DeadlineKey) -> date | None:
    d = state.deadline(key)
    return d.met_on if d is not None else None
