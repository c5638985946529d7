"""Letting the window already open come to the front when the program is started again.

Windows gives the foreground only to the process the person just started or clicked: the first
window, asked by a second start to come forward, may otherwise only flash in the taskbar. The
second process (which Windows considers in the foreground, having just been started) passes the
right on with AllowSetForegroundWindow before asking; then the first window's activateWindow()
works. Elsewhere there is nothing to do. `user32` is a parameter so tests can stand in for it."""

from __future__ import annotations

import sys
from typing import Any

ASFW_ANY = 0xFFFFFFFF   # (DWORD)-1: any process may take the foreground once


def allow_foreground(pid: int | None, *, platform: str = sys.platform, user32: Any | None = None) -> bool:
    """Allow process `pid` (the window that holds the data folder; any process when unknown) to
    take the foreground. True when Windows accepted; False elsewhere or when it refused."""
    if platform != "win32":
        return False
    if user32 is None:
        import ctypes

        user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        user32.AllowSetForegroundWindow.argtypes = [ctypes.c_uint32]
    try:
        return bool(user32.AllowSetForegroundWindow(pid if pid and pid > 0 else ASFW_ANY))
    except OSError:
        return False
