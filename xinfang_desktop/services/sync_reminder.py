"""The sync reminder on the 工作台: a township that has not exported for a while, or must start a new
batch (epoch) after a restore before it can export at all.

Registered with services/workbench.py's registry when this module is imported (the 同步 page imports
it, so the window's workbench shows it). The number of days is the setting ``sync.reminder_days``
(default 7, edited on the 设置 page); nothing is shown when nothing is waiting to be exported (an export
would write nothing), and the city, which exports to many townships, gets no reminder.
"""

from __future__ import annotations

from datetime import date

from ..store.models import Case
from .permissions import Actor
from .sync import SyncService
from .sync_epoch import journal_head
from .workbench import SectionResult, SectionSpec, register_section

SECTION_KEY = "sync_reminder"


def reminder_lines(services) -> list[str]:
    """What the township must do about sync now; empty when nothing (and always at the city)."""
    sync = services.get(SyncService)
    if sync.is_city():
        return []
    lines = []
    if sync.epoch_needed():
        lines.append(f"本机数据已从备份恢复，导出前须开始新批次：请电话联系市信访局授权，"
                     f"再到“同步”页点“开始新批次”，输入市局告知的纪元号（通常为 {sync.epoch() + 1}）。")
    since = sync.days_since_export()
    if since is None:
        if Case.select().where(Case.unit_code == services.unit_code).exists():
            lines.append("本单位还从未导出过同步包，请到“同步”页导出并交市信访局。")
    elif since > sync.reminder_days() and _unexported(services.db):
        lines.append(f"上次导出同步包已{since}天，请导出并交市信访局。")
    return lines


def _unexported(db) -> bool:
    """Changes no bundle carries yet: with none, an export would write nothing and the line would stay."""
    done = db.execute_sql("SELECT COALESCE(MAX(through_change), 0) FROM sync_outbox").fetchone()[0]
    return journal_head(db) > done


def sync_reminder_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    lines = reminder_lines(services)
    return SectionResult([], 0, notice="\n".join(lines) if lines else None)


register_section(SectionSpec(SECTION_KEY, "同步提醒", "同步包已按时导出。", sync_reminder_section, order=5,
                             hide_when_empty=True))
