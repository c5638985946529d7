"""The attention feature's sections on the 工作台: follow-ups (回访) due, and 包案 cases.

Registered with services/workbench.py's registry when this module is imported (the board page
imports it, so the window's workbench shows them).
"""

from __future__ import annotations

from datetime import date

from .attention import OwnershipService
from .board import BoardService
from .permissions import Actor, Role
from .workbench import SectionResult, SectionSpec, WorkbenchItem, register_section


def followups_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    due = services.get(BoardService).followups_due(actor, within_days=7)
    items = [WorkbenchItem(title=number, detail=f"{parties}：回访期限{when.isoformat()}", case_id=cid, due=when,
                           urgency="red" if when < today else "amber" if (when - today).days <= 3 else "green",
                           status_label="待回访",
                           note=("已逾期" + f"{(today - when).days}天" if when < today else f"剩{(when - today).days}天"))
             for when, cid, number, parties in due[:limit]]
    return SectionResult(items, len(due))


def owned_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    # A leader sees the cases they own; everyone else every 包案 in force.
    own = services.get(OwnershipService)
    rows = own.owned_by(actor.name) if actor.role == Role.LEADER else own.all_open()
    items = [WorkbenchItem(title=a.case_number, detail=f"{a.leader_display}包案：{a.plan}", case_id=a.case_id,
                           due=a.target_date,
                           urgency="red" if a.target_date < today else "amber" if (a.target_date - today).days <= 7
                           else "green", status_label="包案", note=f"目标化解日期{a.target_date.isoformat()}")
             for a in rows[:limit]]
    return SectionResult(items, len(rows))


register_section(SectionSpec("followup_due", "待回访（7日内到期或已逾期）", "没有到期的回访。", followups_section, order=50))
register_section(SectionSpec("leader_owned", "领导包案", "没有领导包案的未结事项。", owned_section, order=60))
