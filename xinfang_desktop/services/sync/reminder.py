"""The export reminder: how many days without an export are too many (setting ``sync.reminder_days``),
and the line shown when they have passed.

Owns the setting and the reminder lines. Does not register the workbench section (reminder_section.py,
listed in gui/features.py) nor know when the last export was (outbox.py).
"""

from __future__ import annotations

from ...domain.errors import InvalidInput
from ...store import setting_keys
from ...store.models import Case, Setting
from ..audit import audit
from ..permissions import Actor, Permission, require
from .epochs import Epochs, journal_head
from .outbox import Outbox
from .part import SyncPart

REMINDER_SETTING = setting_keys.SYNC_REMINDER_DAYS
DEFAULT_REMINDER_DAYS = 7


class Reminder(SyncPart):
    def reminder_days(self) -> int:
        row = Setting.get_or_none(Setting.key == REMINDER_SETTING)
        try:
            return int(row.value) if row else DEFAULT_REMINDER_DAYS
        except (TypeError, ValueError):
            return DEFAULT_REMINDER_DAYS

    def set_reminder_days(self, actor: Actor, days: int) -> int:
        require(actor, Permission.MANAGE_SETTINGS)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
            raise InvalidInput("提醒天数应为 1 到 90 之间的整数。", field="days")
        with self.db.atomic():
            Setting.replace(key=REMINDER_SETTING, value=days).execute()
            audit(actor, "sync.reminder_days", None, {"days": days}, at=self.services.clock.now())
        return days

    def export_reminder(self, days: int | None = None) -> str | None:
        """A line for the workbench when the last export is older than ``days`` (setting sync.reminder_days)."""
        if days is None:
            days = self.reminder_days()
        since = self.services.get(Outbox).days_since_export()
        if since is None:
            if Case.select().where(Case.unit_code == self.services.unit_code).exists():
                return "本单位还从未导出过同步包。请在“同步”页导出并复制到U盘，送交市局。"
            return None
        if since > days:
            return f"距上次导出同步包已 {since} 天（超过 {days} 天）。请在“同步”页导出并复制到U盘，送交市局。"
        return None

    def lines(self) -> list[str]:
        """What the township must do about sync now; empty when nothing (and always at the city)."""
        if self.is_city():
            return []
        epochs = self.services.get(Epochs)
        lines = []
        if epochs.epoch_needed():
            lines.append(f"本机数据已从备份恢复，导出前须开始新一轮编号：请电话联系市信访局授权，"
                         f"再到“同步”页点“开始新一轮编号”，输入市局告知的轮次（通常为 {epochs.epoch() + 1}）。")
        since = self.services.get(Outbox).days_since_export()
        if since is None:
            if Case.select().where(Case.unit_code == self.services.unit_code).exists():
                lines.append("本单位还从未导出过同步包，请在“同步”页点“导出并复制到U盘”，交市信访局。")
        elif since > self.reminder_days() and self._unexported():
            lines.append(f"上次导出同步包已{since}天，请导出并交市信访局。")
        return lines

    def _unexported(self) -> bool:
        """Changes no bundle carries yet: with none, an export would write nothing and the line would stay."""
        done = self.db.execute_sql("SELECT COALESCE(MAX(through_change), 0) FROM sync_outbox").fetchone()[0]
        return journal_head(self.db) > done


def reminder_lines(services) -> list[str]:
    """What the township must do about sync now; empty when nothing (and always at the city)."""
    return services.get(Reminder).lines()
