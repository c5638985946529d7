"""The backup reminder on the 工作台: no backup folder is set, so no automatic backup is made.

Registered with services/workbench.py's registry when this module is imported (the 工作台 page
imports it). Shown on top, in words, only while the folder is missing."""

from __future__ import annotations

from datetime import date

from .backup import BackupService
from .permissions import Actor
from .workbench import SectionResult, SectionSpec, register_section

SECTION_KEY = "backup_reminder"
NO_FOLDER = ("还没有设置备份文件夹，数据没有自动备份：电脑损坏时登记的事项会全部丢失。"
             "请管理员到“设置 → 备份”选择另一块硬盘或U盘上的文件夹。")


def backup_reminder_section(services, actor: Actor, today: date, limit: int) -> SectionResult:
    folder = services.get(BackupService).folder()
    return SectionResult([], 0, notice=None if folder is not None else NO_FOLDER)


register_section(SectionSpec(SECTION_KEY, "备份提醒", "已设置备份文件夹。", backup_reminder_section, order=4,
                             hide_when_empty=True))
