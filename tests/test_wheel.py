"""The wheel `pip install .` installs is the whole program: the fonts, code tables and icons as
package data, the Qt Designer forms compiled (an installed program has no uic). scripts/wheel-check.sh
(CI) installs it into a fresh virtualenv and runs it; these tests keep the pieces honest quickly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "xinfang_desktop"


def _package_files(folder: str) -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (PKG / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_the_resources_and_forms_live_inside_the_package():
    from xinfang_desktop.gui import forms
    from xinfang_desktop.paths import resource, resources_dir

    assert resources_dir() == PKG / "resources"
    assert resource("categories.json").is_file() and resource("fonts", "uming.ttc").is_file()
    assert forms.UI_DIR == PKG / "ui" and (forms.UI_DIR / "login.ui").is_file()
    assert not (ROOT / "resources").exists() and not (ROOT / "ui").exists()


def test_the_wheel_holds_fonts_code_tables_icons_and_compiled_forms(tmp_path):
    # Built from a copy without compiled forms (as a fresh checkout is), so the build must compile them.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(PKG, src / "xinfang_desktop", ignore=shutil.ignore_patterns("__pycache__", "ui_*.py"))
    out = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
                        "--quiet", "--wheel-dir", str(out), str(src)],
                       capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = out.glob("xinfang_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = _package_files("resources") | _package_files("ui")
    assert {"xinfang_desktop/resources/fonts/uming.ttc", "xinfang_desktop/resources/categories.json",
            "xinfang_desktop/resources/divisions-350881.csv", "xinfang_desktop/resources/icons/xinfang-256.png",
            "xinfang_desktop/ui/login.ui"} <= expected
    assert expected <= names, sorted(expected - names)
    forms = {f"xinfang_desktop/gui/forms/ui_{p.stem}.py" for p in (PKG / "ui").glob("*.ui")}
    assert forms and forms <= names, sorted(forms - names)
    assert not any(n.startswith(("tests/", "benchmarks/", "installer/", "scripts/")) for n in names)
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt")))
    assert b"xinfang = xinfang_desktop.cli:main" in entry_points
    assert b"xinfang-desktop = xinfang_desktop.gui.app:main" in entry_points


def test_an_installed_package_is_never_compiled_into(tmp_path):
    """Outside a checkout (no pyproject.toml beside the package) a form is imported as shipped, even
    when its .ui looks newer: pip sets file times at install, and site-packages may be read-only."""
    site = tmp_path / "site-packages"
    for rel in ("__init__.py", "gui/__init__.py", "gui/forms/__init__.py", "ui/login.ui"):
        (site / "xinfang_desktop" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PKG / rel, site / "xinfang_desktop" / rel)
    shipped = site / "xinfang_desktop" / "gui" / "forms" / "ui_login.py"
    shipped.write_text("SHIPPED = True\n", encoding="utf-8")
    os.utime(shipped, (1_000_000_000, 1_000_000_000))           # older than its .ui
    # -S: no site-packages, so neither this checkout's editable install nor PySide6 is within reach
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from xinfang_desktop.gui import forms; "
            "print(forms.in_checkout(), forms.load('login').SHIPPED)")
    r = subprocess.run([sys.executable, "-S", "-c", code, str(site)], capture_output=True, text=True, encoding="utf-8",
                       cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.split() == ["False", "True"], r.stdout + r.stderr
    assert shipped.read_text(encoding="utf-8") == "SHIPPED = True\n"


def test_ci_runs_the_wheel_check():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    script = (ROOT / "scripts" / "wheel-check.sh").read_text(encoding="utf-8")
    assert "bash scripts/wheel-check.sh" in ci and ci.index("wheel-check.sh") < ci.index("scripts/test.sh")
    for step in ("pip wheel", "-m venv", "init --unit", "demo --cases 50", "X check", "xinfang-desktop\" --self-test"):
        assert step in script, step
