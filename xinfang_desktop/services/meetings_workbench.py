"""The meetings' section on the 工作台 (issue 19): the tasks meetings handed to units that are not done yet,
soonest due first, coloured like every dated list (the board's 临近到期天数). At the city it holds every
township's tasks that have arrived in bundles.

Registered with services/workbench.py's registry when this module is imported (the 会议 page imports it)."""

from __future__ import annotations

from datetime import date

from .meetings import MeetingService
from .permissions import Actor
from .workbench import SectionResult, SectionSpec, WorkbenchItem, register_section


def meeting_tasks_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    meetings = services.get(MeetingService)
    tasks = meetings.open_tasks(actor, limit=limit)
    here = actor.unit_code
    items = [WorkbenchItem(title=t.case_number, detail=f"{t.unit}：{t.what}", case_id=t.case_id, due=t.due_on,
                           urgency=t.urgency.value if t.urgency else None, status_label="会议任务",
                           note=f"{t.meeting_kind.label}（{t.meeting_date:%Y-%m-%d}）议定，{t.state_text(today)}"
                                + ("" if t.owner_unit == here else f"；{t.owner_name}"))
             for t in tasks]
    return SectionResult(items, meetings.count_open())


register_section(SectionSpec("meeting_tasks", "会议任务", "没有未完成的会议任务。", meeting_tasks_section, order=65))
