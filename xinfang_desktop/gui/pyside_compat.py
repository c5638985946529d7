"""Keep Python 3.11 alive under PySide6 6.12.

PySide6 6.12 returns `None` from void methods without taking a reference (on Python 3.12+ None,
True and False are immortal, PEP 683, so that is harmless there). On 3.11 every such call from
Python costs None one reference, and after a few thousand calls the interpreter aborts with
"deallocating None" (True/False are hit the same way on some paths). Giving these singletons a
reference count that cannot run out is what 3.12 does for them; nothing else changes.
Import this module before the window is used (the intake page does).
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40


def keep_none_alive() -> None:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))   # ob_refcnt: the first field of an object
        if refcount.value < _HEADROOM:
            refcount.value += _HEADROOM


keep_none_alive()
