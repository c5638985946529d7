"""Pages of the main window.

A page module defines `PAGE_KEY` (one of main_window.NAVIGATION's keys) and
`create(ctx, window) -> QWidget`; it is listed in gui/features.py, with whatever the feature adds
to other pages. `window.open_case(case_id)` opens a case from any page.
"""

from __future__ import annotations

from types import ModuleType


def page_modules() -> dict[str, ModuleType]:
    """The pages listed in gui/features.py, by NAVIGATION key."""
    from ..features import page_modules as listed

    return listed()
