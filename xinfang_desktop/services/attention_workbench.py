"""The attention feature's sections on the 工作台: follow-ups (回访) due, and 包案 cases.

Registered with services/workbench.py's registry when this module is imported (the board page
imports it, so the window's workbench shows them).
"""

from __future__ import annotations

from datetime import date

from ..domain.urgency import by_days_left
from .attention import OwnershipService
from .board import BoardService
from .permissions import Actor, Role
from .workbench import SectionResult, SectionSpec, WorkbenchItem, register_section


def followups_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    board = services.get(BoardService)
    soon = board.settings().due_soon_days          # one 临近 threshold: the board's, for every dated list
    due = board.followups_due(actor, within_days=soon, limit=limit)
    items = [WorkbenchItem(title=number, detail=f"{parties}：回访期限{when.isoformat()}", case_id=cid, due=when,
                           urgency=by_days_left(when, today, soon),
                           status_label="待回访",
                           note=("已逾期" + f"{(today - when).days}天" if when < today else f"剩{(when - today).days}天"))
             for when, cid, number, parties in due]
    total = len(due) if len(due) < limit else board.followups_due_count(actor, within_days=soon)
    return SectionResult(items, total, title=f"待回访（{soon}日内到期或已逾期）")


def owned_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    # A leader sees the cases they own; everyone else every 包案 in force.
    own = services.get(OwnershipService)
    soon = services.get(BoardService).settings().due_soon_days
    rows = own.owned_by(actor.name) if actor.role == Role.LEADER else own.all_open()
    items = [WorkbenchItem(title=a.case_number, detail=f"{a.leader_display}包案：{a.plan}", case_id=a.case_id,
                           due=a.target_date,
                           urgency=by_days_left(a.target_date, today, soon), status_label="包案", note=f"目标化解日期{a.target_date.isoformat()}")
             for a in rows[:limit]]
    return SectionResult(items, len(rows))


register_section(SectionSpec("followup_due", "待回访", "没有到期的回访。", followups_section, order=50))
register_section(SectionSpec("leader_owned", "领导包案", "没有领导包案的未结事项。", owned_section, order=60))
