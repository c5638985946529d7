"""Forms compiled from `xinfang_desktop/ui/*.ui` with pyside6-uic.

The frozen program and the wheel ship the compiled modules (their builds compile them: setup.py for
the wheel; there is no uic at run time). In a checkout, a form whose module is missing or older than
its .ui is compiled on first import, so a developer never runs a stale form. An installed package is
never written to: file times there say nothing about staleness.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

FORMS_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = FORMS_DIR.parent.parent
UI_DIR = PACKAGE_DIR / "ui"


def in_checkout() -> bool:
    """Run from a source checkout (the project file beside the package), not installed or frozen."""
    return not getattr(sys, "frozen", False) and (PACKAGE_DIR.parent / "pyproject.toml").is_file()


def _uic() -> list[str]:
    """pyside6-uic, run by this Python: its script need not be on PATH (pip's build environment)."""
    try:
        import PySide6.scripts.pyside_tool  # noqa: F401
    except ImportError:
        raise RuntimeError("找不到 pyside6-uic，无法编译界面文件。请重新安装依赖（pip install -e .）。") from None
    return [sys.executable, "-c", "import sys; from PySide6.scripts.pyside_tool import uic; sys.exit(uic())"]


def compile_form(name: str, out_dir: Path = FORMS_DIR) -> Path:
    src = UI_DIR / f"{name}.ui"
    out = out_dir / f"ui_{name}.py"
    tmp = out.with_suffix(".tmp")
    subprocess.run([*_uic(), "--from-imports", "-o", str(tmp), str(src)], check=True, capture_output=True)
    tmp.replace(out)
    return out


def compile_all(out_dir: Path = FORMS_DIR) -> list[Path]:
    return [compile_form(p.stem, out_dir) for p in sorted(UI_DIR.glob("*.ui"))]


def load(name: str):
    """The compiled form module `ui_<name>` (compiling it first in a checkout when stale)."""
    if in_checkout():
        src = UI_DIR / f"{name}.ui"
        out = FORMS_DIR / f"ui_{name}.py"
        if src.exists() and (not out.exists() or out.stat().st_mtime < src.stat().st_mtime):
            compile_form(name)
            importlib.invalidate_caches()
    return importlib.import_module(f"{__name__}.ui_{name}")


def main() -> None:
    for path in compile_all():
        print(path.name)
