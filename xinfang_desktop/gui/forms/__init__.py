"""Forms compiled from `ui/*.ui` with pyside6-uic.

The frozen program ships the compiled modules (the build compiles them; there is no uic at run
time). In a checkout, a form whose module is missing or older than its .ui is compiled on first
import, so a developer never runs a stale form.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

FORMS_DIR = Path(__file__).resolve().parent
UI_DIR = FORMS_DIR.parent.parent.parent / "ui"


def _uic() -> str:
    exe = Path(sys.executable).with_name("pyside6-uic" + (".exe" if sys.platform == "win32" else ""))
    if exe.exists():
        return str(exe)
    found = shutil.which("pyside6-uic")
    if not found:
        raise RuntimeError("找不到 pyside6-uic，无法编译界面文件。请重新安装依赖（pip install -e .）。")
    return found


def compile_form(name: str) -> Path:
    src = UI_DIR / f"{name}.ui"
    out = FORMS_DIR / f"ui_{name}.py"
    tmp = out.with_suffix(".tmp")
    subprocess.run([_uic(), "--from-imports", "-o", str(tmp), str(src)], check=True, capture_output=True)
    tmp.replace(out)
    return out


def compile_all() -> list[Path]:
    return [compile_form(p.stem) for p in sorted(UI_DIR.glob("*.ui"))]


def load(name: str):
    """The compiled form module `ui_<name>` (compiling it first in a checkout when stale)."""
    if not getattr(sys, "frozen", False):
        src = UI_DIR / f"{name}.ui"
        out = FORMS_DIR / f"ui_{name}.py"
        if src.exists() and (not out.exists() or out.stat().st_mtime < src.stat().st_mtime):
            compile_form(name)
            importlib.invalidate_caches()
    return importlib.import_module(f"{__name__}.ui_{name}")


def main() -> None:
    for path in compile_all():
        print(path.name)
