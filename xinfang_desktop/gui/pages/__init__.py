"""Pages of the main window.

A page module that defines `PAGE_KEY` (one of main_window.NAVIGATION's keys) and
`create(ctx, window) -> QWidget` is picked up by the main window; a feature adds its page here
and touches nothing else. `window.open_case(case_id)` opens a case from any page.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

# Listed for the frozen build (no package scanning there); a checkout also scans the folder.
KNOWN: tuple[str, ...] = ()


def page_modules() -> dict[str, ModuleType]:
    names = set(KNOWN)
    names.update(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    found: dict[str, ModuleType] = {}
    for name in sorted(names):
        module = importlib.import_module(f"{__name__}.{name}")
        key = getattr(module, "PAGE_KEY", None)
        if key:
            found[key] = module
    return found
