"""A second start hands the foreground to the window already open (Windows' AllowSetForegroundWindow)."""

from __future__ import annotations

import os

from xinfang_desktop.gui.foreground import ASFW_ANY, allow_foreground


class User32:
    def __init__(self, answer: int = 1):
        self.answer, self.allowed = answer, []

    def AllowSetForegroundWindow(self, pid):
        self.allowed.append(pid)
        return self.answer


def test_the_window_holding_the_folder_may_come_forward():
    user32 = User32()
    assert allow_foreground(4242, platform="win32", user32=user32) is True
    assert user32.allowed == [4242]


def test_any_process_when_the_holder_is_unknown():
    user32 = User32()
    allow_foreground(None, platform="win32", user32=user32)
    allow_foreground(0, platform="win32", user32=user32)
    assert user32.allowed == [ASFW_ANY, ASFW_ANY]


def test_a_refusal_is_reported_not_raised():
    # ERROR_ACCESS_DENIED: this process was not in the foreground itself (started by a script)
    assert allow_foreground(4242, platform="win32", user32=User32(answer=0)) is False


def test_nothing_to_do_elsewhere():
    user32 = User32()
    assert allow_foreground(4242, platform="linux", user32=user32) is False
    assert user32.allowed == []


def test_the_second_start_allows_before_it_asks(tmp_path, qapp, monkeypatch):
    """app.main's order on a second start: allow the holder (pid from the lock), then ask it forward."""
    from xinfang_desktop.gui import app as app_module
    from xinfang_desktop.gui.single_instance import SingleInstance

    first = SingleInstance(tmp_path / "data")
    assert first.acquire()
    events = []
    monkeypatch.setattr(app_module, "allow_foreground", lambda pid: events.append(("allow", pid)) or True)
    monkeypatch.setattr(SingleInstance, "ask_first_forward", lambda self, timeout_ms=1500: events.append(("ask",)) or True)
    try:
        assert app_module.main(["xinfang-desktop", "--data-dir", str(tmp_path / "data")]) == 0
    finally:
        first.release()
    assert events == [("allow", os.getpid()), ("ask",)]   # the lock holder is this test process
