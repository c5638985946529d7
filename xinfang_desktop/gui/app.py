"""`xinfang-desktop`: start the window on a data folder (first-run set-up, login, main window)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from .. import __version__
from ..domain.errors import XinfangError


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="xinfang-desktop", description="信访 Desktop")
    p.add_argument("--data-dir", type=Path, help="数据目录（默认：用户数据目录；XINFANG_HOME 可覆盖）")
    p.add_argument("--self-test", action="store_true", help="在临时数据库上打开主窗口，自检后退出（退出码 0 表示正常）")
    p.add_argument("--version", action="version", version=f"xinfang-desktop {__version__}")
    args, _qt_args = p.parse_known_args(argv)
    return args


def make_app(argv: list[str]) -> QApplication:
    from .style import apply_fonts

    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("信访 Desktop")
    app.setOrganizationName("xinfang_desktop")
    app.setApplicationVersion(__version__)
    apply_fonts(app)
    return app


def self_test() -> int:
    """Open the main window on a temporary database with demo data, check it shows cases, exit."""
    from ..services import demo
    from ..services.context import open_services
    from .context import AppContext
    from .main_window import MainWindow
    from .tasks import TaskRunner

    with tempfile.TemporaryDirectory() as tmp:
        services = open_services(Path(tmp))
        actor = services.auth.initialize("350881102000", "selftest", "selftest-pass")
        demo.generate(services, actor, 50, seed=3)
        tasks = TaskRunner(inline=True)
        window = MainWindow(AppContext(services, tasks, actor))
        window.show()
        QApplication.processEvents()
        rows = window.pages["cases"].model.rowCount()
        view = window.open_case(window.pages["cases"].model.rows[0].id) if rows else None
        ok = rows > 0 and view is not None and view.detail is not None and view.timeline.rowCount() > 0
        window.close()
        services.close()
    print("self-test: ok" if ok else "self-test: FAILED")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    args = parse_args(argv[1:])
    app = make_app(argv)
    if args.self_test:
        return self_test()

    from ..paths import default_data_dir
    from ..services.context import open_services
    from .context import AppContext
    from .dialogs import LoginDialog, SetupDialog
    from .errors import show_error
    from .main_window import MainWindow
    from .tasks import TaskRunner

    data_dir = args.data_dir or default_data_dir()
    try:
        services = open_services(data_dir)
    except XinfangError as exc:
        QMessageBox.critical(None, "无法打开数据", exc.message)
        return 1
    except OSError as exc:
        QMessageBox.critical(None, "无法打开数据",
                             f"无法打开数据目录 {data_dir}：{exc.strerror or exc}。请检查该目录是否存在且可写。")
        return 1
    tasks = TaskRunner(on_error=lambda exc, details: show_error(QApplication.activeWindow(), exc, details))
    if not services.auth.is_initialized():
        setup = SetupDialog(services, tasks)
        if setup.exec() != QDialog.Accepted:
            return 0
    login = LoginDialog(services, tasks)
    if login.exec() != QDialog.Accepted or login.actor is None:
        return 0
    window = MainWindow(AppContext(services, tasks, login.actor))
    window.show()
    QTimer.singleShot(0, window.raise_)
    code = app.exec()
    tasks.wait()
    services.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
