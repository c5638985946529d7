"""Imports point down only (DESIGN.md): gui/cli -> services -> store, sync, documents -> domain.
Everything but gui/ must run without Qt; each layer uses only the third-party libraries of its trade
(domain/ no database, documents/ no Qt, the command line no window)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "xinfang_desktop"

# layer -> the layers it may import
ALLOWED = {
    "domain": {"domain"},
    "store": {"store", "domain"},
    "sync": {"sync", "domain"},
    "documents": {"documents", "domain"},
    "services": {"services", "store", "sync", "documents", "domain"},
    "gui": {"gui", "services", "store", "sync", "documents", "domain"},
    "commands": {"commands", "services", "store", "sync", "documents", "domain"},   # the command line (and cli.py)
}
# layer -> the third-party distributions it may import (the standard library is always allowed)
THIRD_PARTY = {
    "domain": {"pypinyin", "chinese_calendar"},
    "store": {"peewee", "sqlcipher3", "psycopg", "filelock", "pypinyin", "cryptography", "argon2"},
    "sync": {"cryptography", "pyrage"},
    "documents": {"reportlab", "openpyxl", "qrcode"},
    "services": {"peewee", "pyrage", "argon2", "cryptography"},
    "gui": {"PySide6", "shiboken6", "pypdfium2"},
    "commands": set(),
}
TOP_LEVEL_OK = {"paths", "resources_data", "file_replace", "__init__"}   # small helpers every layer may use


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PKG).with_suffix("")
    pkg_parts = list(rel.parts[:-1])
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                out.append(mod)
            elif node.module:
                out.append(node.module)
        elif isinstance(node, ast.Import):
            out.extend(a.name for a in node.names)
    return out


def layer_files():
    for layer in ALLOWED:
        for f in sorted((PKG / layer).rglob("*.py")):
            yield layer, f
    yield "commands", PKG / "cli.py"


@pytest.mark.parametrize("layer,path", list(layer_files()), ids=lambda x: str(x).split("xinfang_desktop/")[-1])
def test_imports_point_down(layer, path):
    for mod in imports_of(path):
        if mod.startswith(("PySide6", "shiboken6")):
            assert layer == "gui", f"{path.name} imports Qt ({mod}); only gui/ may"
            continue
        if mod.startswith("xinfang_desktop"):
            mod = mod.removeprefix("xinfang_desktop").lstrip(".")
        elif mod.split(".")[0] not in ALLOWED and not (PKG / (mod.split(".")[0] + ".py")).exists() and mod:
            top = mod.split(".")[0]
            assert top in sys.stdlib_module_names or top in THIRD_PARTY[layer], \
                f"{layer}/{path.name} imports {top}, which is not a library of its layer"
            continue
        first = mod.split(".")[0] if mod else "__init__"
        if first in ALLOWED:
            assert first in ALLOWED[layer], f"{layer}/{path.name} imports {mod}"
        else:
            assert first in TOP_LEVEL_OK, f"{layer}/{path.name} imports {mod}"
