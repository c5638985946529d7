"""工作台: what needs the clerk today, read in one go off the UI thread.

Sections are a registry so that other features (follow-ups due, sync reminders, leader-owned
cases) add their own with `register_section(...)` from their own module, without touching this
file or the page. A section returns a `SectionResult`: the lines to show (each may open a case)
and the total behind them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
import logging
from typing import Callable

from peewee import fn

from ..domain import workflow as wf
from ..domain.errors import XinfangError
from ..store.models import Case
from .permissions import Actor, Permission, require
from .queries import CaseFilter, CaseRow

log = logging.getLogger(__name__)

SECTION_LIMIT = 30   # lines per section; "查看全部" opens the case list for the rest


@dataclass(frozen=True)
class WorkbenchItem:
    """One line of a section. `case_id` set: clicking the line opens that case."""

    title: str                        # e.g. the case number
    detail: str = ""                  # e.g. petitioners and the request
    case_id: str | None = None
    due: date | None = None
    urgency: str | None = None        # green / amber / red, drawn like the case list
    provisional: bool = False
    status_label: str = ""
    note: str = ""                    # shown on hover: what does not fit on the line


@dataclass(frozen=True)
class SectionResult:
    items: list[WorkbenchItem]
    total: int
    error: str | None = None          # this section could not be read; the others still show
    title: str | None = None          # the spec's title with what it depends on filled in (N日内到期)
    notice: str | None = None         # a reminder in words instead of lines (shown where the lines would be)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    empty_text: str                                     # shown when there is nothing to do
    load: Callable[["object", Actor, date, int], SectionResult]   # (services, actor, today, limit)
    order: int = 100                                    # lower comes first
    # What the case list's "查看全部" should show: (status, due window) for CaseListPage.show_filter
    list_filter: tuple[str | None, str | None] | None = None
    hide_when_empty: bool = False                       # a reminder: no box at all when there is nothing


@dataclass
class Workbench:
    today: date
    sections: list[tuple[SectionSpec, SectionResult]]
    status_counts: list[tuple[str, str, int]] = field(default_factory=list)  # (status, label, count)

    def section(self, key: str) -> SectionResult:
        return next(r for s, r in self.sections if s.key == key)


_SECTIONS: dict[str, SectionSpec] = {}


def register_section(spec: SectionSpec) -> None:
    """Add (or replace, by key) a workbench section."""
    _SECTIONS[spec.key] = spec


def sections() -> list[SectionSpec]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def case_item(row: CaseRow) -> WorkbenchItem:
    return WorkbenchItem(title=row.number, detail=f"{row.parties}：{row.request}", case_id=row.id,
                         due=row.next_due, urgency=row.urgency, provisional=row.provisional,
                         status_label=row.status_label,
                         note=f"{row.status_label}｜{row.category}｜{row.parties}：{row.request}")


def case_section(f: Callable[[date], CaseFilter], *, sort: str, descending: bool = False):
    """A section listing the cases a filter selects, through the same queries as the case list."""

    def load(services, actor: Actor, today: date, limit: int) -> SectionResult:
        flt = f(today)
        rows = services.queries.page(flt, sort=sort, descending=descending, limit=limit)
        total = len(rows) if len(rows) < limit else services.queries.count(flt)
        return SectionResult([case_item(r) for r in rows], total)

    return load


register_section(SectionSpec(
    "overdue", "已超期", "没有超期的事项。",
    case_section(lambda today: CaseFilter(overdue=True), sort="next_due"), order=10, list_filter=(None, "overdue")))
register_section(SectionSpec(
    "due_today", "今天到期", "今天没有到期的事项。",
    case_section(lambda today: CaseFilter(due_from=today, due_to=today), sort="received_at"), order=20,
    list_filter=(None, "today")))
def due_soon_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    """Due after today within the board's 临近到期天数: the same "due soon" as the board's 橙."""
    from .board import board_settings      # here: the board's module imports this one
    days = board_settings().due_soon_days
    loaded = case_section(lambda _: CaseFilter(due_soon=True, due_from=today + timedelta(days=1)),   # today: its own
                          sort="next_due")(services, actor, today, limit)
    return replace(loaded, title=f"{days}日内到期")


register_section(SectionSpec(
    "due_week", "临近到期", "近期没有临近到期的事项。", due_soon_section, order=30, list_filter=(None, "week")))
register_section(SectionSpec(
    "to_route", "新登记待转办", "没有待转办的新事项。",
    case_section(lambda today: CaseFilter(statuses=(wf.Status.REGISTERED.value,)), sort="received_at"), order=40,
    list_filter=(wf.Status.REGISTERED.value, None)))


class WorkbenchService:
    def __init__(self, services):
        self.services = services

    def load(self, actor: Actor, *, limit: int = SECTION_LIMIT) -> Workbench:
        """Every section and the counts by status, read in one transaction so they agree with each other."""
        require(actor, Permission.VIEW)
        today = self.services.clock.today()
        with self.services.db.atomic("DEFERRED"):
            loaded = [(spec, self._section(spec, actor, today, limit)) for spec in sections()]
            counts = dict(Case.select(Case.status, fn.COUNT(Case.sid)).group_by(Case.status).tuples())
        status_counts = [(s.value, s.label, counts.get(s.value, 0)) for s in wf.Status]
        return Workbench(today=today, sections=loaded, status_counts=status_counts)

    def section(self, actor: Actor, key: str, *, limit: int = SECTION_LIMIT) -> SectionResult:
        """One section with up to `limit` lines: "查看全部" of a section the case list cannot show (待回访, 领导包案)."""
        require(actor, Permission.VIEW)
        spec = next((s for s in sections() if s.key == key), None)
        if spec is None:
            raise XinfangError(f"工作台没有“{key}”这一部分。")
        with self.services.db.atomic("DEFERRED"):
            return self._section(spec, actor, self.services.clock.today(), limit)

    def _section(self, spec: SectionSpec, actor: Actor, today: date, limit: int) -> SectionResult:
        """One section; its failure (a feature's bug, a table it lacks) must not hide overdue cases."""
        try:
            return spec.load(self.services, actor, today, limit)
        except XinfangError as exc:
            return SectionResult([], 0, error=exc.message)
        except Exception:  # noqa: BLE001 - logged; the page says so in that section only
            log.exception("workbench section %s failed", spec.key)
            return SectionResult([], 0, error="这一部分暂时无法显示，其余部分不受影响。请将日志发给技术支持。")
