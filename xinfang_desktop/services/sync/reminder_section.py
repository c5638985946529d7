"""The sync reminder on the 工作台: a township that has not exported for a while, or must start a new
batch (epoch) after a restore before it can export at all.

Registered with services/workbench.py's registry when this module is imported (gui/features.py lists
it, so the window's workbench shows it). The number of days is the setting ``sync.reminder_days``
(default 7, edited on the 设置 page); nothing is shown when nothing is waiting to be exported (an export
would write nothing), and the city, which exports to many townships, gets no reminder.

Owns only the registration; the lines and the setting are reminder.py's.
"""

from __future__ import annotations

from datetime import date

from ..permissions import Actor
from ..workbench import SectionResult, SectionSpec, register_section
from .reminder import reminder_lines

SECTION_KEY = "sync_reminder"


def sync_reminder_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    lines = reminder_lines(services)
    return SectionResult([], 0, notice="\n".join(lines) if lines else None)


register_section(SectionSpec(SECTION_KEY, "同步提醒", "同步包已按时导出。", sync_reminder_section, order=5,
                             hide_when_empty=True))
