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


# -- import cycles ------------------------------------------------------------------------------

def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def import_time_imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package modules ``name`` imports when it is imported: statements at module level (inside
    if/try/class bodies too), not inside functions or under TYPE_CHECKING. ``from pkg import mod`` names the module."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(stmts: list[ast.stmt]) -> None:
        for node in stmts:
            if _type_checking(node):
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known)
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    visit([s for s in inner if isinstance(s, ast.stmt)] +
                          [s for h in inner if isinstance(h, ast.ExceptHandler) for s in h.body])

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    out = set()
    own_parents = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    for target in found:
        parts = target.split(".")
        # importing a.b.c runs a, a.b and a.b.c; the packages that hold the importer are already running
        for i in range(1, len(parts) + 1):
            mod = ".".join(parts[:i])
            if mod in known and mod != name and mod not in own_parents:
                out.add(mod)
    return out


def import_cycles() -> list[list[str]]:
    known = all_modules()
    graph = {n: import_time_imports(n, p, known) for n, p in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))

    def connect(v: str) -> None:      # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return cycles


def test_no_import_cycle_among_the_package_modules():
    cycles = import_cycles()
    assert not cycles, "modules that import each other at import time: " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_the_cycle_finder_sees_a_cycle(tmp_path, monkeypatch):
    """The check above would fail on a real cycle (a → b → a), and not on a function-level import."""
    pkg = tmp_path / "xinfang_desktop"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "sub" / "a.py").write_text("from . import b\n", encoding="utf-8")
    (pkg / "sub" / "b.py").write_text("from .a import thing\n", encoding="utf-8")
    (pkg / "sub" / "c.py").write_text("def f():\n    from . import d\n", encoding="utf-8")
    (pkg / "sub" / "d.py").write_text("from . import c\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PKG", pkg)
    assert import_cycles() == [["xinfang_desktop.sub.a", "xinfang_desktop.sub.b"]]


def test_every_module_of_the_package_imports():
    """Each module imports on its own, in a fresh interpreter (none relies on another being imported first)."""
    import subprocess

    names = sorted(n for n in all_modules() if not n.endswith("__main__"))
    script = ("import importlib, sys\nfailed = []\nfor n in sys.argv[1:]:\n    try:\n        importlib.import_module(n)\n"
              "    except Exception as exc:\n        failed.append(f'{n}: {exc!r}')\nprint('\\n'.join(failed))\n")
    done = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, encoding="utf-8",
                          cwd=PKG.parent, env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", done.stdout
