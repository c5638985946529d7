"""Every feature of the window, listed in one place: its page, the buttons it adds to the case view
and the sections it adds to the workbench.

The main window calls `load()` before it shows; nothing else registers a feature by being imported
for another reason. A new feature adds its lines here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# NAVIGATION key -> module in gui/pages/ that defines PAGE_KEY and create(ctx, window).
# The case list (事项) is built by the window itself.
PAGES: dict[str, str] = {
    "workbench": "workbench",
    "intake": "intake",
    "board": "board",
    "backlog": "backlog",
    "mediation": "mediation",
    "deliberation": "deliberation",
    "reception": "reception",
    "stats": "stats",
    "sync": "sync",
    "settings": "settings",
}

# Modules in gui/ that register buttons on the case view (case_actions.register).
CASE_ACTIONS: tuple[str, ...] = (
    "workflow_actions",      # 转办, 告知, 不予受理, 延期, 答复, 复查, 复核, 办结, 备注
    "intake_actions",        # 附件
    "attention_actions",     # 包案, 调解记录, 回访, 急难标记
    "resolution_forms",      # 信访评理, 列入积案
    "sync_actions",          # 交办, 督办 between the town and the city
)

# Modules in services/ that register sections of the workbench (workbench.register_section).
WORKBENCH_SECTIONS: tuple[str, ...] = (
    "attention_workbench",   # 待回访, 领导包案
    "sync.reminder_section",  # 同步提醒 (a township that has not exported for a while)
)

_loaded = False


def load() -> None:
    """Register every case-view button and workbench section (once)."""
    global _loaded
    if _loaded:
        return
    for name in CASE_ACTIONS:
        importlib.import_module(f"{__package__}.{name}")
    services = __package__.rsplit(".", 1)[0] + ".services"
    for name in WORKBENCH_SECTIONS:
        importlib.import_module(f"{services}.{name}")
    _loaded = True


def page_modules() -> dict[str, ModuleType]:
    """The page modules by NAVIGATION key; a page left out of a build is skipped (the window says so)."""
    found: dict[str, ModuleType] = {}
    for key, name in PAGES.items():
        try:
            module = importlib.import_module(f"{__package__}.pages.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.pages.{name}":
                raise
            continue
        if getattr(module, "PAGE_KEY", None) == key:
            found[key] = module
    return found
