"""How long work reports on itself and is stopped (Orange3's plain `run()` with a progress state): the
one vocabulary of every service that runs off the UI thread (sync, ledger import, backup, encryption)."""

from __future__ import annotations

from typing import Callable

from ..domain.errors import XinfangError

Progress = Callable[[float, str], None]     # (fraction done 0..1, what is being done, in words)
CancelCheck = Callable[[], bool]            # True once the user has pressed 取消


class Cancelled(XinfangError):
    """The user pressed 取消: the work was rolled back, or stopped between whole parts; the message says which."""


def noop_progress(fraction: float, text: str) -> None:
    pass


def never() -> bool:
    return False
