"""The 同步 page on an office of the sync tests, with real widgets (offscreen), and screenshots of it
when XINFANG_SCREENSHOTS names a folder."""

from __future__ import annotations

import os
from pathlib import Path


def sync_page(qtbot, office, actor=None):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.sync import SyncPage
    from xinfang_desktop.gui.tasks import TaskRunner

    office.sync                                     # bind this office's database
    page = SyncPage(AppContext(office.svc, TaskRunner(inline=True), actor or office.admin))
    page.quiet_errors = True                        # errors go to the message line, not a modal box
    page.ring = office.ring
    qtbot.addWidget(page)
    page.resize(1280, 760)
    return page


def shot(page, name: str) -> None:
    folder = os.environ.get("XINFANG_SCREENSHOTS")
    if folder:
        page.grab().save(str(Path(folder) / f"{name}.png"))
