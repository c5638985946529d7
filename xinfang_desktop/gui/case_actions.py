"""Actions offered on a case view, one button each, registered by the features that provide them.

The workflow actions (route, notify, refuse, extend, reply, reviews, close, note) and the
attention features (包案, mediation, follow-up) each register theirs; the case view shows the
ones whose `available(detail, actor)` is true, in `order`. The modules that register are listed
in features.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ..services.permissions import Actor
    from ..services.queries import CaseDetail
    from .context import AppContext


@dataclass(frozen=True)
class CaseAction:
    key: str
    label: str
    order: int
    available: Callable[["CaseDetail", "Actor"], bool]
    # Opens whatever the action asks for; calls `done()` after a change was saved so the view reloads.
    run: Callable[["QWidget", "AppContext", "CaseDetail", Callable[[], None]], None]
    shortcut: str | None = None


_ACTIONS: dict[str, CaseAction] = {}


def register(action: CaseAction) -> CaseAction:
    _ACTIONS[action.key] = action
    return action


def actions_for(detail: "CaseDetail", actor: "Actor") -> list[CaseAction]:
    from .features import load

    load()      # every feature's buttons, wherever a case view is opened (gui/features.py lists them)
    return sorted((a for a in _ACTIONS.values() if a.available(detail, actor)), key=lambda a: a.order)
