"""Start-up: the login window loads only what it shows; the main window shows its workbench first and
builds the other pages once it is on the screen; the probes benchmarks/startup.py times run the real
start path in a real process."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ADMIN_PASSWORD

PKG = Path(__file__).resolve().parents[2] / "xinfang_desktop"
# What the first window has no use for: the database driver, documents, spreadsheets, PDF readers,
# pinyin, the services and the pages.
HEAVY = ("peewee", "sqlcipher3", "reportlab", "openpyxl", "pypdf", "pypdfium2", "pypinyin", "qrcode",
         "xinfang_desktop.services.context", "xinfang_desktop.services.access", "xinfang_desktop.documents",
         "xinfang_desktop.gui.main_window", "xinfang_desktop.gui.pages")


def _app(data_dir: Path, *args: str, code: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XINFANG_PASSWORD": ADMIN_PASSWORD}
    cmd = [sys.executable, "-c", code, str(data_dir)] if code else \
        [sys.executable, "-m", "xinfang_desktop.gui.app", *args, "--data-dir", str(data_dir)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_the_login_window_is_shown_before_the_database_driver_documents_and_pages_are_loaded(services, admin):
    code = ("import sys\n"
            "from xinfang_desktop.gui.app import main\n"
            "rc = main(['xinfang-desktop', '--probe-start', '--data-dir', sys.argv[1]])\n"
            f"print(rc, *sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    r = _app(services.data_dir, code=code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0"], r.stdout        # the login was painted with none of HEAVY loaded


def test_the_probe_logs_in_through_the_login_window_and_ends_on_the_filled_workbench(services, admin):
    r = _app(services.data_dir, "--probe-login")
    assert r.returncode == 0, r.stderr
    assert "probe: from 登录 to the filled workbench" in r.stdout and "Traceback" not in r.stderr, r.stderr


def test_the_main_window_shows_the_workbench_first_and_builds_the_other_pages_after(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import NAVIGATION, MainWindow
    from xinfang_desktop.gui.pages.placeholder import PlaceholderPage

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    assert window.stack.count() == 1 and window.stack.currentWidget() is window.pages["workbench"]
    assert window.windowTitle() == "信访工作平台 — 永福镇信访办"
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.stack.count() == len(NAVIGATION))
    assert window.stack.currentWidget() is window.pages["workbench"]      # building them did not switch pages
    assert not any(isinstance(window.pages[key], PlaceholderPage) for key, _, _ in NAVIGATION)
    assert len({id(window.stack.widget(i)) for i in range(window.stack.count())}) == len(NAVIGATION)


def test_a_main_window_closed_before_its_pages_are_built_builds_no_more(qtbot, app_ctx):
    """Closed at once (the clerk switches user): the pages still to build are not built in the background,
    where one of them took the keyboard from the next window (a wizard's Alt keys went nowhere)."""
    from PySide6.QtWidgets import QApplication

    from xinfang_desktop.gui.main_window import MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.close()
    built = len(window.pages.built)
    for _ in range(50):              # what the event loop would run next: the queued page builds
        QApplication.processEvents()
    assert len(window.pages.built) == built


def _imports(path: Path, name: str) -> list[str]:
    """Modules `path` imports when it is loaded (not under `if TYPE_CHECKING:` or inside functions)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1] + [node.module or ""]).strip(".") \
                if node.level else node.module
            found += [base] + [f"{base}.{a.name}" for a in node.names]
    return found


def _source(name: str) -> Path | None:
    rel = Path(*name.split(".")[1:])
    for path in (PKG / rel / "__init__.py", (PKG / rel).with_suffix(".py")):
        if path.is_file():
            return path
    return None


def test_the_warm_up_imports_only_what_the_main_window_imports_anyway():
    """Modules imported in the background before the login must be ones the main window imports itself
    before it shows (some add workbench sections or documents when imported): the warm-up then changes
    only when they load, never what is loaded."""
    from xinfang_desktop.gui.startup import WARM_UP

    todo = ["xinfang_desktop.gui.main_window", "xinfang_desktop.gui.pages",
            *(f"xinfang_desktop.gui.pages.{p.stem}" for p in (PKG / "gui" / "pages").glob("*.py"))]
    reached: set[str] = set()
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        path = _source(name) if name.startswith("xinfang_desktop.") else None
        if path is not None:
            todo += _imports(path, name)
    assert {"xinfang_desktop.services.context", "xinfang_desktop.documents"} <= reached   # the check sees through
    assert not [m for m in WARM_UP if m not in reached]
    assert "PySide6" not in " ".join(WARM_UP)
