"""Statistics rules (pure): reporting periods, counts in 批次 / 人次, and every figure and rate of
the reports, each named and defined once here (FIGURES, RATE_DEFS) and printed from here by the
page, the PDF, the xlsx and the JSON alike (through domain.statistics_tables).

A total is never counted separately from its parts: `Breakdown.total` is the sum of its rows, so
a table always adds up (the seed report's 145 batches whose parts made 133 cannot happen). A rate
counts only the matters whose window has ended: one still inside it is neither success nor failure.
The comparison with a year earlier (同比) is over the same days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Iterable

from . import workflow as wf
from .errors import InvalidInput

if TYPE_CHECKING:
    from .statistics_resolution import ResolutionFigures

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
        if self.kind != "custom" and not self.whole:
            return _span(s, e)          # a month, quarter or year cut short: say which days
        if self.kind == "month":
            return f"{s.year}年{s.month}月"
        if self.kind == "quarter":
            return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{s.year}年"
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"

    @property
    def whole(self) -> bool:
        """A month, quarter or year from its first day to its last (a custom span always is)."""
        if self.kind == "month":
            return self.end == _month_end(self.start.year, self.start.month)
        if self.kind == "quarter":
            return self.end == _month_end(self.start.year, self.start.month + 2)
        if self.kind == "year":
            return self.end == date(self.start.year, 12, 31)
        return True

    @property
    def report_title(self) -> str:
        # after "…信访工作统计": 月报 / 季报 / 年报, and a custom span's 报告 (not 统计报告: 统计统计报告)
        return {"month": "月报", "quarter": "季报", "year": "年报"}.get(self.kind, "报告")

    def months(self) -> list[tuple[int, int]]:
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def year_earlier(self, as_of: date | None = None) -> "Period":
        """The same days one year earlier (同比), for comparing like with like (29 February becomes
        the 28th). A period still under way at `as_of` is compared with the same span of last year up
        to the same day: the year to 6 December with 1 January to 6 December, a month on its 6th day
        with the first 6 days of that month."""
        def back(d: date) -> date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:
                return d.replace(year=d.year - 1, day=28)
        if as_of is not None and self.start <= as_of < self.end:
            return Period(self.kind, back(self.start), back(as_of))
        if self.kind in ("month", "quarter", "year") and self.whole:
            return Period(self.kind, back(self.start), _month_end(self.end.year - 1, self.end.month))
        return Period(self.kind, back(self.start), back(self.end))


def _span(s: date, e: date) -> str:
    """2025年1月1日至12月6日; 2025年12月1日至6日."""
    if s.year != e.year:
        return f"{s.year}年{s.month}月{s.day}日至{e.year}年{e.month}月{e.day}日"
    if s.month != e.month:
        return f"{s.year}年{s.month}月{s.day}日至{e.month}月{e.day}日"
    return f"{s.year}年{s.month}月{s.day}日至{e.day}日"


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
class Group:
    """Rows that a table shows with a subtotal after them (四门四访 among the kinds of reception)."""

    key: str
    label: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Breakdown:
    """One table: rows that partition the matters of the period; the total is their sum."""

    title: str
    rows: tuple[Row, ...]
    groups: tuple[Group, ...] = ()

    @property
    def total(self) -> Count:
        return total_of(r.count for r in self.rows)

    def get(self, key: str) -> Count:
        for r in self.rows:
            if r.key == key:
                return r.count
        return Count()

    def subtotal(self, group: Group) -> Count:
        return total_of(r.count for r in self.rows if r.key in group.members)


# The seed report's 四门四访: four kinds of leaders' reception, counted together beside the others
# (接访日 …), with their own subtotal so the total never reads as 四门四访 alone.
FOUR_DOORS = Group("four_doors", "四门四访小计", ("home_visit", "invited", "open_door", "return_visit"))


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def change(now: int, before: int) -> float | None:
    """Year-on-year change (同比): None when there was nothing a year earlier."""
    return None if before == 0 else (now - before) / before


# -- the words of a comparison with a year earlier: one wording for every page, table and sentence --
NONE_BEFORE = "上年同期为0"
UNCHANGED = "持平"


def change_text(now: int, before: int) -> str:
    """In a sentence: 增长12.5% / 下降3.0% / 持平 / 上年同期为0 / — (nothing in either year)."""
    c = change(now, before)
    if c is None:
        return NONE_BEFORE if now else "—"
    if c == 0:
        return UNCHANGED
    return f"{'增长' if c > 0 else '下降'}{abs(c) * 100:.1f}%"


def change_cell(now: int, before: int) -> str:
    """In a table cell: +12.5% / -3.0% / 持平 / 上年同期为0 / —."""
    c = change(now, before)
    if c is None:
        return NONE_BEFORE if now else "—"
    return UNCHANGED if c == 0 else f"{c * 100:+.1f}%"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


# -- figures: every count the reports print, named and defined once -----------------------------------
# "办结" has one meaning in a report, the law's (第三十四条 "应当自受理之日起60日内办结"): the written
# reply (处理意见) issued within the handling limit. The case being filed away at the end is 结案.
# "受理" leaves out the matters refused (不予受理、不再受理); "登记" counts every matter.
@dataclass(frozen=True)
class Figure:
    key: str            # the JSON key (workflow.*) or the RateInputs field
    label: str          # 登记总数, 按期办结 …
    definition: str     # what it counts

    @property
    def term(self) -> str:
        """The figure as a term of a formula: 按期办结 → 按期办结数, 登记总数 stays."""
        return self.label if self.label.endswith("数") else self.label + "数"


def figure_rows(values: object, figures: Iterable[Figure]) -> list[tuple[str, str, int, str]]:
    """(key, label, value, what it counts) of each figure in the order given, its value the field of `values`
    named by its key: the rows of a table of figures (办理情况 here, 信访评理和积案化解 in
    domain/statistics_resolution.py), printed by domain/statistics_tables.figures_table."""
    return [(f.key, f.label, getattr(values, f.key), f.definition) for f in figures]


def figure_values(rows: Iterable[tuple[str, str, int, str]]) -> dict[str, int]:
    """{key: value} of figure_rows(): a table of figures in the JSON."""
    return {key: value for key, _, value, _ in rows}


FIGURES: dict[str, Figure] = {f.key: f for f in (
    # what happened to the matters registered in the period, followed to the statistics date
    Figure("received", "登记总数", "本期登记的信访事项（批次），不论是否受理"),
    Figure("accepted", "受理数", "登记总数中除不予受理、不再受理以外的事项（含尚未告知是否受理的）"),
    Figure("refused", "不予受理／不再受理", "决定不予受理或不再受理的事项（第十九条、第三十六条）"),
    Figure("routed", "已选择办理途径", "已直接办理、转送、交办或告知其他法定途径的事项"),
    Figure("redirected", "告知其他法定途径", "其中告知通过诉讼、仲裁、复议等途径解决的事项"),
    Figure("transferred", "已转送", "已转送有权处理的机关、单位并告知信访人转送去向的事项，本机关的办理至此终结，"
           "不再计办理期限（第二十二、二十三条）"),
    Figure("notice_exempt", "住址不清免予告知", "信访人姓名（名称）、住址不清，依第二十三条第二款不作书面告知的事项"),
    Figure("replied", "已出具处理意见", "已出具书面处理意见的事项，按期、超期均计入"),
    Figure("closed", "已结案", "截至统计日已结案的事项（出具处理意见、不予受理或告知其他途径之后结案）"),
    Figure("extended", "延期办理", "经本机关负责人批准延长办理期限的事项（第三十四条）"),
    Figure("reviewed", "申请复查复核", "信访人请求复查或复核的事项（第三十五、三十六条）"),
    Figure("overdue", "超期未办", "截至统计日本机关有期限已过仍未办理的事项"),
    # the terms of the rates
    Figure("accepted_in_time", "按期告知",
           f"自登记之日起{wf.ROUTE_DAYS}日内（末日为节假日的顺延）选择了办理途径（直接办理、转送、交办、告知其他法定途径）、"
           "书面告知或决定不予受理的事项（第二十二、二十三条），补录的除外"),
    Figure("decided_late", "超期告知", f"超过{wf.ROUTE_DAYS}日才作出上述处理的事项（补录的除外）"),
    Figure("late_entries", "补录", "已作出上述处理、但登记或处理是在发生之日数日后才录入的事项，单独列出，"
           "不计为按期（第三十九、四十条）"),
    Figure("undecided_past_window", "超期未告知", f"截至统计日{wf.ROUTE_DAYS}日已满仍未作出上述处理的事项"),
    Figure("undecided_in_window", "告知期内待告知", f"截至统计日尚在{wf.ROUTE_DAYS}日内、还未作出上述处理的事项，不计入"),
    Figure("closed_on_time", "按期办结",
           f"在办理期限（{wf.HANDLING_DAYS}日；交办的为交办期限；已批准延期的为延长后的期限，第三十四条）内出具处理意见的事项"),
    Figure("closed_late", "超期办结", "超过办理期限才出具处理意见的事项"),
    Figure("open_past_due", "超期未办结", "截至统计日办理期限已过仍未出具处理意见的事项"),
    Figure("open_in_limit", "办理期限内在办", "截至统计日尚在办理期限内、还未出具处理意见的事项，不计入"),
    Figure("rated", "参评", "回访时作出满意度评价的事项（以最后一次评价为准）"),
    Figure("unrated_past_window", "逾期未评", f"出具处理意见已满{RATING_WINDOW_DAYS}日仍未评价的事项"),
    Figure("unrated_in_window", "评价期内未评", f"出具处理意见未满{RATING_WINDOW_DAYS}日、还未评价的事项，不计入"),
    Figure("satisfied", "满意", "评价为满意的事项"),
    Figure("basically", "基本满意", "评价为基本满意的事项"),
    Figure("dissatisfied", "不满意", "评价为不满意的事项"),
    Figure("repeats", "重件", "同一信访人就同一事项再次信访、登记时关联了此前事项的（同人同事）"),
)}


# -- rates --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RateDef:
    """A rate as figures: the numerator's terms and the denominator's terms (each side their sum),
    and the figures left out because their window has not ended (a matter still inside it is neither
    a success nor a failure yet). A new kind of matter counted apart is one more key in one of these
    tuples; every printed term then follows."""

    key: str
    name: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    not_counted: tuple[str, ...] = ()
    denominator_figure: str = ""        # the figure the denominator's terms add up to (参评), if any

    @property
    def formula(self) -> str:
        right = FIGURES[self.denominator_figure].term if self.denominator_figure else _side(self.denominator)
        return f"{self.name} = {_side(self.numerator)} ÷ {right}"

    @property
    def definition(self) -> str:
        keys = dict.fromkeys((*self.numerator, *self.denominator, *self.not_counted))
        out = [f"{FIGURES[k].term}：{FIGURES[k].definition}" for k in keys]
        if self.denominator_figure:
            f = FIGURES[self.denominator_figure]
            out.append(f"{f.term}：{f.definition}，即{'、'.join(FIGURES[k].label for k in self.denominator)}之和")
        return "；".join(out) + "。"


def _side(keys: tuple[str, ...]) -> str:
    terms = " + ".join(FIGURES[k].term for k in keys)
    return f"({terms})" if len(keys) > 1 else terms


RATE_DEFS: tuple[RateDef, ...] = (
    RateDef("timely_acceptance", "及时受理率", ("accepted_in_time",),
            ("accepted_in_time", "decided_late", "undecided_past_window", "late_entries"), ("undecided_in_window",)),
    RateDef("on_time_closure", "按期办结率", ("closed_on_time",), ("closed_on_time", "closed_late", "open_past_due"),
            ("open_in_limit",)),
    RateDef("participation", "参评率", ("rated",), ("rated", "unrated_past_window"), ("unrated_in_window",)),
    RateDef("satisfaction", "满意率", ("satisfied", "basically"), ("satisfied", "basically", "dissatisfied"),
            denominator_figure="rated"),
    RateDef("repeat", "重复信访率", ("repeats",), ("received",)),
)


@dataclass(frozen=True)
class Rate:
    key: str
    name: str
    formula: str                  # 及时受理率 = 按期告知数 ÷ (按期告知数 + 超期告知数 + 超期未告知数)
    definition: str               # what each term counts, for the report
    numerator: int
    denominator: int
    numerator_label: str
    denominator_label: str
    parts: tuple[tuple[str, int], ...] = field(default_factory=tuple)   # the denominator's terms
    not_counted: tuple[tuple[str, int], ...] = field(default_factory=tuple)

    @property
    def value(self) -> float | None:
        return share(self.numerator, self.denominator)

    @property
    def text(self) -> str:
        return percent(self.value)

    @property
    def worked(self) -> str:
        """The computation written out: "45 ÷ 50 = 90.0%"."""
        return f"{self.numerator} ÷ {self.denominator} = {self.text}"


@dataclass(frozen=True)
class RateInputs:
    """The counts the rates are made of, all over the matters received in the period (one field per
    figure of RATE_DEFS)."""

    received: int = 0
    accepted_in_time: int = 0        # first 办理途径 / 告知 / 不予受理 within the 15-day limit
    decided_late: int = 0            # … after it
    late_entries: int = 0            # decided, but entered days after it happened (补录): apart, never on time
    undecided_past_window: int = 0   # none yet, and the 15 days have ended by the statistics date
    undecided_in_window: int = 0     # none yet, still inside the 15 days: not counted
    closed_on_time: int = 0          # written reply on or before the handling limit (extension counted)
    closed_late: int = 0
    open_past_due: int = 0           # no reply, handling limit passed by the statistics date
    open_in_limit: int = 0           # no reply, still inside the handling limit: not counted
    rated: int = 0
    unrated_past_window: int = 0
    unrated_in_window: int = 0
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0
    repeats: int = 0


def rate_of(d: RateDef, r: RateInputs) -> Rate:
    def count(keys: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
        return tuple((FIGURES[k].label, getattr(r, k)) for k in keys)
    numerator_label, denominator_label = (x.strip("()") for x in d.formula.split(" = ", 1)[1].split(" ÷ "))
    return Rate(d.key, d.name, d.formula, d.definition, sum(v for _, v in count(d.numerator)),
                sum(v for _, v in count(d.denominator)), numerator_label, denominator_label,
                count(d.denominator) if len(d.denominator) > 1 else (), count(d.not_counted))


def rates(r: RateInputs) -> list[Rate]:
    return [rate_of(d, r) for d in RATE_DEFS]


# -- the result of a computation (filled by services/statistics.py, printed by documents/report.py) --
@dataclass(frozen=True)
class Scope:
    """Township codes; empty means every matter in this database (the whole city at the bureau).

    A matter belongs to the township recorded on it (属地); one recorded without a township belongs
    to the office that registered it (its unit code)."""

    codes: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.codes


WORKFLOW_KEYS = ("received", "accepted", "refused", "routed", "redirected", "transferred", "notice_exempt",
                 "replied", "closed", "extended", "reviewed", "overdue")


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
    transferred: int = 0
    notice_exempt: int = 0

    @property
    def accepted(self) -> int:
        """受理: every matter registered but those refused."""
        return self.received - self.refused

    def rows(self) -> list[tuple[str, str, int, str]]:
        """(key, label, value, what it counts), in the order of the report."""
        return figure_rows(self, (FIGURES[k] for k in WORKFLOW_KEYS))


@dataclass(frozen=True)
class PlaceFigures:
    """The matters of one place of a breakdown (a village of a township): their counts by channel,
    what happened to them and their rates, each by the one definition of the whole (FIGURES,
    RATE_DEFS), so the places' figures add up to the whole's."""

    key: str                      # the division code, "" for the matters with no place recorded
    label: str
    by_channel: Breakdown
    workflow: WorkflowFigures
    rate_inputs: RateInputs

    @property
    def total(self) -> Count:
        return self.by_channel.total

    @property
    def rates(self) -> list[Rate]:
        return rates(self.rate_inputs)


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
    receptions: Breakdown
    earlier: "Statistics | None" = field(default=None, repr=False)
    # 信访评理 and the 积案 register (domain/statistics_resolution.py); None where not computed
    resolution: "ResolutionFigures | None" = None
    # 按村（社区）, on a township's database when asked (services/statistics.py): the matters by the
    # village of their first petitioner, then each village's figures; None and () where not computed
    by_village: Breakdown | None = None
    villages: tuple[PlaceFigures, ...] = ()

    @property
    def total(self) -> Count:
        return self.by_channel.total

    def breakdowns(self) -> list[Breakdown]:
        return [self.by_channel, self.by_category, self.by_subcategory, self.by_township, self.by_repeat,
                self.by_group, *([self.by_village] if self.by_village is not None else [])]

    @property
    def earlier_label(self) -> str:
        """上年同期（2025年1月1日至12月6日）: what the year-earlier figures cover."""
        return f"上年同期（{self.earlier.period.label}）" if self.earlier is not None else ""

    @property
    def comparison(self) -> str:
        """The comparison said once for every page and sheet, with why when it is not a whole period."""
        if self.earlier is None:
            return ""
        partial = self.period.start <= self.as_of < self.period.end
        return self.earlier_label + ("，本期尚未结束，取上年相同的日期范围比较" if partial else "")


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
LATE_ENTRY = 1 << 12     # 补录: registered, or its 15-day step recorded, days after it happened
TRANSFERRED = 1 << 13    # 已转送 and the petitioner told where: this office's handling ended
NOTICE_EXEMPT = 1 << 14  # name or address unclear: no written notice owed (第二十三条第二款)
FLAG_BITS = 15
# A matter decided after its 15 days needs no bit: it has no open 15-day limit (accept_limit), and
# neither TIMELY nor LATE_ENTRY.


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
    if state.entered_late:
        # A back-dated entry is counted apart, never silently as on time (第三十九、四十条).
        flags |= LATE_ENTRY
    if route_dl is not None:
        if route_dl.met_on is None:
            accept_limit = route_dl.due.date      # nothing decided yet: the end of its window
        elif not state.entered_late and route_dl.met_on <= route_dl.due.date:
            flags |= TIMELY
    if state.status == wf.Status.TRANSFERRED:
        flags |= TRANSFERRED
    if state.notice_exempt:
        flags |= NOTICE_EXEMPT
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
