"""The subcommands of `xinfang`, one module per group.

Each public module here defines `register(sub)`: it adds its parsers to the subparsers `sub`
and sets a handler with `parser.set_defaults(func=handler)`; a handler takes the parsed args and
returns the exit status. Shared helpers are in `_common`. The core commands come first, in the
order of `xinfang --help` (CORE); cli.py discovers the feature modules after them, so a feature
adds a file here and touches nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

# The core commands, in the order `xinfang --help` lists them: init and user, demo, case and search,
# categories, event, check, calendar.
CORE: tuple[str, ...] = ("accounts", "demo", "cases", "categories", "events", "check", "holidays")
# Listed for the frozen build (no package scanning there); a checkout also scans the folder.
KNOWN: tuple[str, ...] = ()


def modules() -> list[ModuleType]:
    """The core modules in their order, then the feature modules by name."""
    names = set(KNOWN)
    names.update(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    ordered = [*CORE, *sorted(names - set(CORE))]
    return [importlib.import_module(f"{__name__}.{n}") for n in ordered]
