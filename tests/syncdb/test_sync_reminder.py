"""The export reminder on the 工作台: shown when the township's last export is older than the set number
of days (设置 → 同步提醒, default 7), never when recent, and never at the city."""

from __future__ import annotations


import pytest

from .conftest import CITY, TOWNS

pytest.importorskip("PySide6")


def _ctx(office):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.tasks import TaskRunner

    office.sync                                     # bind this office's database
    return AppContext(office.svc, TaskRunner(inline=True), office.admin)


def _workbench(qtbot, office):
    from xinfang_desktop.gui.pages.workbench import WorkbenchPage
    from xinfang_desktop.services.sync import reminder_section  # noqa: F401 - registers the section

    page = WorkbenchPage(_ctx(office))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.refresh()
    return page


def _reminder_text(page) -> str | None:
    box = page.boxes["sync_reminder"]
    if not box.isVisible():
        return None
    assert box.table.isHidden() and not box.empty.isHidden()
    return box.empty.text()


def test_the_reminder_appears_after_the_set_number_of_days_and_goes_after_an_export(qtbot, offices, tmp_path):
    from xinfang_desktop.gui.sync_settings import SyncReminderBox

    town = offices[TOWNS[0]]
    town.register()
    page = _workbench(qtbot, town)
    assert _reminder_text(page) == "本单位还从未导出过同步包，请在“同步”页点“导出并复制到U盘”，交市信访局。"
    # above the other sections, across the whole page, where it is seen without scrolling
    reminder, overdue = page.boxes["sync_reminder"], page.boxes["overdue"]
    assert reminder.y() < overdue.y() and reminder.width() > 1.5 * overdue.width()
    town.export()
    page.refresh()
    assert _reminder_text(page) is None             # exported today: no box at all
    town.register(name="李秀英")                    # a new case waits for the next export
    town.clock.advance(days=7)
    page.refresh()
    assert _reminder_text(page) is None             # 7 days is not older than 7
    town.clock.advance(days=1)
    page.refresh()
    assert _reminder_text(page) == "上次导出同步包已8天，请导出并交市信访局。"

    # 设置 → 同步提醒: 10 days; the reminder waits until then.
    box = SyncReminderBox(_ctx(town))
    qtbot.addWidget(box)
    box.show()
    assert box.days.value() == 7 and box.save.isEnabled()
    box.days.setValue(10)
    box.save.click()
    assert "10 天" in box.message.text()
    page.refresh()
    assert _reminder_text(page) is None
    town.clock.advance(days=3)
    page.refresh()
    assert _reminder_text(page) == "上次导出同步包已11天，请导出并交市信访局。"
    town.export()
    page.refresh()
    assert _reminder_text(page) is None
    town.clock.advance(days=20)
    page.refresh()
    assert _reminder_text(page) is None             # nothing waits to be exported: an export would write nothing
    town.register(name="王强")
    page.refresh()
    assert _reminder_text(page) == "上次导出同步包已20天，请导出并交市信访局。"


def test_no_reminder_at_the_city_and_a_restored_township_is_told_to_start_a_new_batch(qtbot, offices, tmp_path):
    from xinfang_desktop.domain.errors import InvalidInput
    from xinfang_desktop.services.backup import BackupService

    city, town = offices[CITY], offices[TOWNS[0]]
    city.register()
    city.clock.advance(days=30)
    assert _reminder_text(_workbench(qtbot, city)) is None

    town.register()
    town.sync
    info = town.svc.get(BackupService).backup(town.admin, to=tmp_path / "backups")
    town.export()
    town.svc.get(BackupService).restore(town.admin, info.path)
    page = _workbench(qtbot, town)
    text = _reminder_text(page)
    assert "已从备份恢复" in text and "开始新一轮编号" in text and "通常为 2" in text
    with pytest.raises(InvalidInput):
        town.sync.set_reminder_days(town.admin, 0)
