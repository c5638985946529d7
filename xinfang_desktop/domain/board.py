"""The four-colour attention board (四色看板): published rules from case facts to a colour.

The colour is the urgency of a *grievance*, derived only from the facts of the matter (deadlines,
group matter, repeated petitions without a written reply, hardship, leader ownership, age, a
review still disputed) — never from where a person is or goes (DOMAIN.md, "What the product never
does"). Every card carries each reason in words a leader reads.

The board's cards are matters (domain/board_matters.py); this module holds the rules of one case
and the grading they share, and `grade(person, …)`, the grouping by person that the screen keeps
for finding a person's matters.

Pure: no database, no clock. The service gathers the facts in a few queries over the cached case rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import NamedTuple, Sequence

from .review_standing import ReviewStanding
from .workflow import STATUS_LABELS, DeadlineKey, OPEN_STATUSES, Status


class Colour(str, Enum):
    RED = "A"
    ORANGE = "B"
    YELLOW = "C"
    GREEN = "D"

    @property
    def rank(self) -> int:
        """0 is the most urgent."""
        return _RANK[self]

    @property
    def label(self) -> str:
        return {"A": "红", "B": "橙", "C": "黄", "D": "绿"}[self.value]

    @property
    def shape(self) -> str:
        # A shape per colour, so the grade reads without telling red from green.
        return {"A": "▲", "B": "◆", "C": "●", "D": "○"}[self.value]

    @property
    def title(self) -> str:
        """「▲ 红A」: shape, colour word and letter — never the colour alone."""
        return f"{self.shape} {self.label}{self.value}"

    @property
    def meaning(self) -> str:
        return COLOUR_MEANINGS[self]

    @classmethod
    def parse(cls, text: str) -> "Colour":
        t = (text or "").strip().upper()
        for c in cls:
            if t in (c.value, c.label, c.label + c.value, c.name, f"{c.label}{c.value}".upper()):
                return c
        from .errors import InvalidInput
        raise InvalidInput(f"颜色无效：{text}，应为 红A、橙B、黄C 或 绿D", field="colour")


_OPEN = tuple(OPEN_STATUSES)
_RANK = {Colour.RED: 0, Colour.ORANGE: 1, Colour.YELLOW: 2, Colour.GREEN: 3}

# Yellow and green have no threshold; red and orange are worded from the settings in force
# (colour_meanings), and from the default settings where no settings are at hand (COLOUR_MEANINGS).
_STEADY_MEANINGS = {
    Colour.YELLOW: "正在办理、按期推进（含调解中）",
    Colour.GREEN: "已办结答复，只待回访和满意度评价",
}


def colour_meanings(s: "BoardSettings") -> dict[Colour, str]:
    """What each colour means under the thresholds in force (the board's column headings)."""
    return {
        Colour.RED: f"期限已过、集体访未结、{s.repeat_window_days}日内同一事项信访{s.repeat_count}次以上未获书面答复，"
                    "或有急难情况",
        Colour.ORANGE: f"领导包案、长期未化解（超过{s.long_standing_days}天或复查复核仍有争议）、{s.due_soon_days}日内到期",
        **_STEADY_MEANINGS,
    }


class HardshipKind(str, Enum):
    NO_INCOME = "no_income"
    UNPAID_WAGES = "unpaid_wages"
    MEDICAL = "medical"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"no_income": "无收入来源", "unpaid_wages": "工资被拖欠", "medical": "急病就医",
                "other": "其他急难"}[self.value]

    @classmethod
    def parse(cls, text: str) -> "HardshipKind":
        for k in cls:
            if text in (k.value, k.label):
                return k
        from .errors import InvalidInput
        raise InvalidInput(f"急难类别无效：{text}，应为{'、'.join(k.label for k in cls)}之一", field="kind")


@dataclass(frozen=True)
class BoardSettings:
    """The published thresholds. Stored as a setting; these are the defaults of DOMAIN.md."""

    repeat_count: int = 3            # petitions on the same matter …
    repeat_window_days: int = 90     # … within this many days, without a written reply → 红
    long_standing_days: int = 180    # open longer than this → 橙
    due_soon_days: int = 7           # a deadline within this many days → 橙
    followup_days: int = 30          # a follow-up visit is due this many days after the reply

    def __post_init__(self) -> None:
        from .errors import InvalidInput
        for name, (low, high) in SETTING_BOUNDS.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(f"看板规则“{SETTING_LABELS[name]}”应为{low}至{high}之间的整数", field=name)


SETTING_LABELS = {"repeat_count": "重复信访次数", "repeat_window_days": "重复信访统计天数",
                  "long_standing_days": "长期未化解天数", "due_soon_days": "临近到期天数",
                  "followup_days": "答复后回访天数"}
# The values a setting may take (inclusive), checked whenever BoardSettings is made.
SETTING_BOUNDS = {"repeat_count": (2, 20), "repeat_window_days": (7, 730), "long_standing_days": (30, 3650),
                  "due_soon_days": (1, 60), "followup_days": (1, 365)}


COLOUR_MEANINGS = colour_meanings(BoardSettings())     # under the default settings


@dataclass(slots=True)
class CaseFacts:
    """One matter of a person, as cached on the case row plus a few joined facts.

    Not frozen: the board builds tens of thousands of these per refresh, and a frozen
    dataclass's __init__ costs twice as much. Treat as read-only."""

    case_id: str
    number: str
    status: Status
    received_on: date
    category_code: str
    is_group: bool = False
    people_count: int = 1
    repeat_of: str | None = None
    next_due: date | None = None             # earliest open limit the office must meet
    next_due_key: str | None = None
    replied_on: date | None = None           # last written decision (reply, review, recheck)
    followed_up: bool = False                # a 回访 after that decision
    review: ReviewStanding | None = None     # the latest 复查/复核 asked for and its result
    handler: str | None = None               # the unit handling it (直接办理, 交办), when routed
    leader: str | None = None                # 包案 leader (display name)
    leader_target: date | None = None
    next_session: date | None = None         # next mediation session planned
    # Derived once here (a board refresh reads them tens of thousands of times):
    is_open: bool = field(init=False)
    # Open, or resolved with only the follow-up left. Refused and closed-without-reply matters
    # have no follow-up to do (workflow.why_not), so they are not on the board.
    on_board: bool = field(init=False)

    def __post_init__(self) -> None:
        self.is_open = self.status in _OPEN
        self.on_board = self.is_open or (not self.followed_up and (self.replied_on is not None
                                                                     or self.status == Status.REDIRECTED))


@dataclass(frozen=True)
class Hardship:
    kind: HardshipKind
    note: str = ""
    opened_on: date | None = None


@dataclass(frozen=True)
class Override:
    """A leader's raised or lowered colour. It holds while the facts give `base`, the colour
    computed when it was set; when the facts change the colour it lapses."""

    colour: Colour
    base: Colour
    reason: str
    by: str
    on: date


@dataclass(slots=True)
class PersonFacts:
    """Not frozen, like CaseFacts: one per person per refresh. Treat as read-only."""

    person_id: str
    name: str
    cases: tuple[CaseFacts, ...]
    hardships: tuple[Hardship, ...] = ()
    override: Override | None = None


# The words of the "long-standing" reason: the board links such a reason to the 积案 register.
LONG_STANDING = "未化解"


def is_long_standing(r: "Reason") -> bool:
    return r.colour is Colour.ORANGE and r.text.startswith("信访已") and LONG_STANDING in r.text


class Reason(NamedTuple):
    """One reason for a colour. A named tuple: a board builds tens of thousands per refresh, and
    a tuple costs a fraction of a frozen dataclass to make."""

    colour: Colour
    text: str
    case_id: str | None = None
    case_number: str | None = None

    def __str__(self) -> str:
        return self.text + (f"〔{self.case_number}〕" if self.case_number else "")


@dataclass(slots=True)
class Grade:
    """Not frozen, for the same reason as CaseFacts (one per card per refresh). Treat as read-only."""

    key: str                            # the card's id: the person's, or the matter's first case's
    colour: Colour                      # shown: the override while it holds, else computed
    computed: Colour
    reasons: tuple[Reason, ...]         # every reason for the computed colour
    other_reasons: tuple[Reason, ...]   # facts of lower urgency, for the details
    override: Override | None           # in force
    lapsed: Override | None             # set earlier, no longer in force
    matters: tuple[CaseFacts, ...]      # the petitions that keep the card on the board
    owner: str | None                   # the 包案 leader
    next_step: str | None
    next_date: date | None
    primary_case_id: str | None         # the petition a click opens: the one behind the first reason
    handler: str | None = None          # the unit handling it, when no leader owns it


_SHORT_LABELS = {k.value: k.label.split("（")[0] for k in DeadlineKey}


def short_deadline_label(key: str | None) -> str:
    """「办理期限」 from the key of 「办理期限（60日）」."""
    return _SHORT_LABELS.get(key or "", "期限")


_NEXT_ACTION = {
    DeadlineKey.ROUTE.value: "受理告知或转送交办",
    DeadlineKey.NOTICE.value: "书面告知信访人",
    DeadlineKey.HANDLING.value: "出具处理意见",
    DeadlineKey.REVIEW.value: "出具复查意见",
    DeadlineKey.RECHECK.value: "出具复核意见",
}

# Keyed by the status's value: no Enum hashing on the board's hot path.
_STATUS_LABELS = {k.value: v for k, v in STATUS_LABELS.items()}


def _same_matter_groups(cases: tuple[CaseFacts, ...]) -> list[list[CaseFacts]]:
    """Cases of one person on the same matter: the same category, or linked by repeat_of."""
    parent: dict[str, str] = {c.case_id: c.case_id for c in cases}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_cat: dict[str, str] = {}
    for c in cases:
        first = by_cat.setdefault(c.category_code, c.case_id)
        parent[find(c.case_id)] = find(first)
        if c.repeat_of and c.repeat_of in parent:
            parent[find(c.case_id)] = find(c.repeat_of)
    groups: dict[str, list[CaseFacts]] = {}
    for c in cases:
        groups.setdefault(find(c.case_id), []).append(c)
    return list(groups.values())


def case_reasons(c: CaseFacts, today: date, s: BoardSettings) -> list[Reason]:
    """The reasons one petition gives, of every colour."""
    out: list[Reason] = []
    cid, number = c.case_id, c.number
    # 第三十五、三十六条: a review that supported the petitioner ends the dispute; one that did
    # not, or one whose result is not known yet, leaves it open.
    disputed = c.review is not None and c.review.disputed
    if c.is_open:
        due = c.next_due
        if due is not None and due < today:
            out.append(Reason(Colour.RED, f"{short_deadline_label(c.next_due_key)}已于{due.isoformat()}届满"
                                          f"（超期{(today - due).days}天）", cid, number))
        if c.is_group:
            out.append(Reason(Colour.RED, f"集体访事项（{c.people_count}人）尚未办结", cid, number))
        if c.leader:
            target = f"，目标{c.leader_target.isoformat()}前化解" if c.leader_target else ""
            out.append(Reason(Colour.ORANGE, f"{c.leader}包案{target}", cid, number))
        age = (today - c.received_on).days
        if age > s.long_standing_days:
            out.append(Reason(Colour.ORANGE, f"信访已{age}天{LONG_STANDING}（超过{s.long_standing_days}天）", cid, number))
        if due is not None and due >= today and (due - today).days <= s.due_soon_days:
            left = (due - today).days
            out.append(Reason(Colour.ORANGE, f"{short_deadline_label(c.next_due_key)}将于{due.isoformat()}届满"
                                             + ("（今天到期）" if left == 0 else f"（剩{left}天）"), cid, number))
        label = _STATUS_LABELS[c.status._value_]
        if disputed:
            out.append(Reason(Colour.ORANGE, f"{c.review.text}，信访人对处理意见仍有争议", cid, number))
        if c.next_session is not None and c.next_session >= today:
            out.append(Reason(Colour.YELLOW, f"调解进行中，下次调解{c.next_session.isoformat()}", cid, number))
        if due is None:
            out.append(Reason(Colour.YELLOW, f"{label}，按期推进", cid, number))
        elif due >= today:
            out.append(Reason(Colour.YELLOW, f"{label}，按期推进，{short_deadline_label(c.next_due_key)}至{due.isoformat()}",
                              cid, number))
        return out
    if not c.on_board:
        return out
    if disputed:
        out.append(Reason(Colour.ORANGE, f"{c.review.text}，信访人对处理意见仍有争议，待回访", cid, number))
    if c.replied_on is not None:
        due = c.replied_on + timedelta(days=s.followup_days)
        late = f"，已逾期{(today - due).days}天" if due < today else ""
        out.append(Reason(Colour.GREEN, f"已于{c.replied_on.isoformat()}书面答复，待回访（回访期限{due.isoformat()}{late}）",
                          cid, number))
    else:
        out.append(Reason(Colour.GREEN, "已告知通过其他法定途径解决，待回访", cid, number))
    return out


def unanswered_runs(groups, today: date, s: BoardSettings) -> list[list[CaseFacts]]:
    """红 by the repeat rule: of `groups` (each the petitions of one person on one matter), those
    with N+ petitions within the window and no written reply to any of them."""
    window_start = today - timedelta(days=s.repeat_window_days)
    out = []
    for group in groups:
        # Without a written reply: open and not replied to (a refusal, a redirection and a 转送
        # end with a written notice, and are not open).
        unanswered = [c for c in group if window_start < c.received_on <= today and c.replied_on is None
                      and c.is_open]
        if len(unanswered) >= s.repeat_count:
            out.append(unanswered)
    return out


def repeat_reason(run: list[CaseFacts], s: BoardSettings) -> Reason:
    latest = max(run, key=lambda c: c.received_on)
    return Reason(Colour.RED, f"{s.repeat_window_days}日内就同一事项信访{len(run)}次，均未获书面答复",
                  latest.case_id, latest.number)


def hardship_reason(h: Hardship, who: str = "") -> Reason:
    """「急难情况（急病就医）：…」, with whose it is (「急病就医，张三」) on a matter of several petitioners."""
    note = f"：{h.note}" if h.note else ""
    return Reason(Colour.RED, f"急难情况（{h.kind.label}{'，' + who if who else ''}）{note}")


def grade(person: PersonFacts, today: date, settings: BoardSettings = BoardSettings(),
          reasons_cache: dict[str, tuple[Reason, ...]] | None = None) -> Grade | None:
    """The colour of `person` and why, or None when they are not on the board (every matter
    followed up, or none open). The grouping by person, kept on screen for finding a person's matters.

    `reasons_cache`, one dict per refresh (same `today` and `settings`), keeps each matter's own
    reasons, so a group matter shared by many people is worded once."""
    s = settings
    cases = person.cases
    front: list[Reason] = []
    # Reasons about the person rather than one matter come first: hardship, then repeats.
    # Fewer matters than N in all cannot make a repeat, which spares most people the grouping.
    for h in person.hardships:
        front.append(hardship_reason(h))
    if len(cases) >= s.repeat_count:
        window_start = today - timedelta(days=s.repeat_window_days)
        recent = tuple(c for c in cases if window_start < c.received_on <= today)
        if len(recent) >= s.repeat_count:
            front += [repeat_reason(run, s) for run in unanswered_runs(_same_matter_groups(recent), today, s)]
    return grade_cases(person.person_id, cases, front, person.override, today, s, reasons_cache)


def grade_cases(key: str, cases: tuple[CaseFacts, ...], front: Sequence[Reason], override: Override | None,
                today: date, s: BoardSettings, reasons_cache: dict[str, tuple[Reason, ...]] | None) -> Grade | None:
    """The grade of a card holding `cases` (a person's, or one matter's petitions), with `front`, the
    reasons about the card as a whole, first. None when none of the cases is on the board. Most
    cards hold a single petition with a single reason; those take the short paths below."""
    if len(cases) == 1:
        matters = cases if cases[0].on_board else ()
    else:
        matters = tuple(c for c in cases if c.on_board)
    if not matters:
        return None
    if reasons_cache is None:
        reasons_cache = {}
    if len(matters) == 1 and not front:
        c = matters[0]
        reasons = got = reasons_cache.get(c.case_id) or reasons_cache.setdefault(c.case_id,
                                                                                 tuple(case_reasons(c, today, s)))
    else:
        reasons = [*front]
        for c in matters:
            got = reasons_cache.get(c.case_id)
            if got is None:
                got = reasons_cache[c.case_id] = tuple(case_reasons(c, today, s))
            reasons += got
    if len(reasons) == 1:
        computed = reasons[0].colour
        # The petition's own (cached) tuple when it is the only reason: one tuple fewer per card.
        top, rest = (got if not front and len(matters) == 1 else (reasons[0],)), ()
    else:
        # Colour is a str enum whose letters sort like the urgency (A most urgent): plain string order.
        computed = min([r.colour for r in reasons])
        top = tuple(r for r in reasons if r.colour is computed)
        rest = tuple(r for r in reasons if r.colour is not computed) if len(top) < len(reasons) else ()
    held = lapsed = None
    if override is not None:
        if override.base == computed:
            held = override
        else:
            lapsed = override
    if len(matters) == 1:
        c = matters[0]
        owner, handler = c.leader, c.handler
    else:
        # The owner: the leader whose target date comes first (the first listed among equal dates).
        # The unit handling it: that of the first open petition, else of the first decided one.
        owner, owner_by = None, date.max
        handler = decided_handler = None
        for c in matters:
            if c.leader and (owner is None or (c.leader_target or date.max) < owner_by):
                owner, owner_by = c.leader, c.leader_target or date.max
            if c.handler:
                if c.is_open:
                    handler = handler or c.handler
                else:
                    decided_handler = decided_handler or c.handler
        handler = handler or decided_handler
    step, step_date = _next_step(matters, today, s)
    primary = matters[0].case_id
    for r in top:
        if r.case_id:
            primary = r.case_id
            break
    return Grade(key, held.colour if held else computed, computed, top, rest, held, lapsed, matters, owner, step,
                 step_date, primary, handler)


def _next_step(matters: tuple[CaseFacts, ...], today: date, s: BoardSettings) -> tuple[str | None, date | None]:
    """The earliest thing due: a statutory limit, a leader's target, a mediation, a follow-up
    (on the same day, the first in text order). A step is worded only if it may be the earliest."""
    best: tuple[date, str] | None = None
    for c in matters:
        if c.is_open:
            d = c.next_due
            if d is not None and (best is None or d <= best[0]):
                step = (d, f"{_NEXT_ACTION.get(c.next_due_key or '', '办理')}（{c.number}）")
                if best is None or step < best:
                    best = step
            d = c.next_session
            if d is not None and d >= today and (best is None or d <= best[0]):
                step = (d, f"调解（{c.number}）")
                if best is None or step < best:
                    best = step
            d = c.leader_target
            if d is not None and (best is None or d <= best[0]):
                step = (d, f"包案化解（{c.number}）")
                if best is None or step < best:
                    best = step
        else:
            d = (c.replied_on or c.received_on) + timedelta(days=s.followup_days)
            if best is None or d <= best[0]:
                step = (d, f"回访（{c.number}）")
                if best is None or step < best:
                    best = step
    if best is None:
        return None, None
    return best[1], best[0]


@dataclass(frozen=True)
class BoardSummary:
    counts: dict[Colour, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def summarize(grades: list[Grade]) -> BoardSummary:
    counts = {c: 0 for c in Colour}
    for g in grades:
        counts[g.colour] += 1
    return BoardSummary(counts)
