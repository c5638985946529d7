"""TaskRunner: a task's callbacks are dropped once the widget that owns it is gone; writes say so once."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtWidgets import QWidget

from xinfang_desktop.gui.tasks import CASES, OTHER, TaskRunner


def _finished(qtbot, tasks: TaskRunner) -> None:
    """The workers are done and their results have reached the UI thread (no clock involved)."""
    assert tasks.wait()
    qtbot.waitUntil(lambda: not tasks._live, timeout=30_000)


def test_callbacks_of_a_deleted_owner_are_dropped(qtbot):
    tasks = TaskRunner()
    owner = QWidget()
    release = threading.Event()
    called: list[str] = []

    def work(state):
        release.wait()
        state.progress(0.5, "半")
        return 1

    def fail():
        release.wait()
        raise ValueError("坏")

    tasks.run(work, writes=False, owner=owner, on_done=lambda r: called.append("done"),
              progress=lambda f, t: called.append("progress"), on_error=lambda e, t: called.append("failed"))
    tasks.run(fail, writes=False, owner=owner, on_done=lambda r: called.append("done"),
              on_error=lambda e, t: called.append("failed"))
    shiboken6.delete(owner)
    assert not shiboken6.isValid(owner)
    release.set()
    _finished(qtbot, tasks)
    assert called == []


def test_callbacks_of_a_living_owner_run(qtbot):
    tasks = TaskRunner()
    owner = QWidget()
    qtbot.addWidget(owner)
    called: list[str] = []
    tasks.run(lambda state: (state.progress(0.5, ""), 1)[1], writes=False, owner=owner,
              on_done=lambda r: called.append(f"done {r}"), progress=lambda f, t: called.append("progress"))
    _finished(qtbot, tasks)
    qtbot.waitUntil(lambda: "done 1" in called, timeout=30_000)
    assert called[-1] == "done 1"


def test_a_closed_page_sees_no_callback_and_no_error(qtbot, services, admin, monkeypatch):
    """The workbench is deleted while its figures are being read; the answer arrives to nobody."""
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.workbench import WorkbenchPage
    from xinfang_desktop.services.workbench import WorkbenchService

    release = threading.Event()
    started = threading.Event()
    real_load = WorkbenchService.load

    def held_load(self, *args, **kwargs):
        started.set()
        release.wait()
        return real_load(self, *args, **kwargs)

    shown: list[object] = []
    monkeypatch.setattr(WorkbenchService, "load", held_load)
    monkeypatch.setattr(WorkbenchPage, "_show", lambda self, wb: shown.append(wb))
    monkeypatch.setattr(WorkbenchPage, "_failed", lambda self, exc, *_: shown.append(exc))
    errors: list[BaseException] = []
    tasks = TaskRunner(on_error=lambda exc, details: errors.append(exc))
    page = WorkbenchPage(AppContext(services, tasks, admin))
    page.show()                                     # showing it asks for the figures
    assert started.wait(30)
    page.close()
    shiboken6.delete(page)
    release.set()
    _finished(qtbot, tasks)
    assert shown == [] and errors == []


def test_a_write_says_once_that_something_changed_and_a_read_does_not(qtbot):
    tasks = TaskRunner(inline=True)
    seen: list[str] = []
    tasks.changed.connect(seen.append)
    tasks.run(lambda: 1, writes=False)
    assert seen == []
    tasks.run(lambda: 1, writes=True)
    tasks.run(lambda: 1, writes=True, changes=OTHER)
    assert seen == [CASES, OTHER]


def test_a_write_whose_owner_is_gone_still_says_it_changed(qtbot):
    tasks = TaskRunner()
    owner = QWidget()
    seen: list[str] = []
    called: list[object] = []
    tasks.changed.connect(seen.append)
    release = threading.Event()
    tasks.run(lambda: release.wait(), writes=True, owner=owner, on_done=called.append)
    shiboken6.delete(owner)
    release.set()
    _finished(qtbot, tasks)
    assert called == [] and seen == [CASES]


def test_a_failed_write_changes_nothing(qtbot):
    tasks = TaskRunner(inline=True)
    seen: list[str] = []
    tasks.changed.connect(seen.append)

    def fail():
        raise ValueError("坏")

    tasks.run(fail, writes=True, on_error=lambda e, t: None)
    assert seen == []
