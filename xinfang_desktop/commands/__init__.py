"""Feature subcommands of `xinfang`.

Each public module here defines `register(sub)`: it adds its parsers to the subparsers `sub`
and sets a handler with `parser.set_defaults(func=handler)`; a handler takes the parsed args and
returns the exit status. Shared helpers are in `_common`. cli.py discovers the modules, so a
feature adds a file here and touches nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

# Listed for the frozen build (no package scanning there); a checkout also scans the folder.
KNOWN: tuple[str, ...] = ()


def modules() -> list[ModuleType]:
    names = set(KNOWN)
    names.update(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{n}") for n in sorted(names)]
