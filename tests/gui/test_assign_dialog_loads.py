"""包案 reads the leaders and the matter's present 包案 in a worker, and opens its form when they are in:
with the window's real threads, clicking the button reads nothing on the UI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from tests.conftest import make_registration


def test_the_assign_form_opens_once_the_leaders_are_read_off_the_ui_thread(qtbot, services, admin, clerk,
                                                                            monkeypatch):
    from xinfang_desktop.gui.attention_forms import FormDialog
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.case_view import CaseViewPage
    from xinfang_desktop.gui.tasks import TaskRunner
    from xinfang_desktop.services.attention import OwnershipService
    from xinfang_desktop.services.permissions import Role

    services.auth.add_user(admin, "leader_li", Role.LEADER, "leader-pass-1", "李镇长")
    case = services.cases.register(clerk, make_registration())
    on_ui_thread: list[bool] = []
    for name in ("leaders", "current"):
        real = getattr(OwnershipService, name)
        monkeypatch.setattr(OwnershipService, name, lambda self, *a, _real=real: (
            on_ui_thread.append(threading.current_thread() is threading.main_thread()), _real(self, *a))[1])

    tasks = TaskRunner()                                # real threads, as in the window
    view = CaseViewPage(AppContext(services, tasks, admin), case.id)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: "attention.assign" in getattr(view, "action_buttons", {}), timeout=30_000)
    on_ui_thread.clear()                                # what the view read to show itself is not this test's
    qtbot.mouseClick(view.action_buttons["attention.assign"], Qt.LeftButton)

    def form():
        shown = [f for f in view.findChildren(FormDialog) if f.isVisible()]
        return shown[-1] if shown else None

    qtbot.waitUntil(lambda: form() is not None, timeout=30_000)
    assert on_ui_thread and not any(on_ui_thread), on_ui_thread
    combo = form().editor("leader")
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert "李镇长（领导）" in offered
    form().reject()
    tasks.wait()
