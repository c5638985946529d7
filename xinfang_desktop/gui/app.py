"""`xinfang-desktop`: start the window on a data folder (first-run set-up, login, main window)."""

from __future__ import annotations

import argparse
import os
import logging
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from .. import __version__
from ..domain.errors import XinfangError
from .foreground import allow_foreground


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="xinfang-desktop", description="信访工作平台")
    p.add_argument("--data-dir", type=Path, help="数据目录（默认：用户数据目录；XINFANG_HOME 可覆盖）")
    p.add_argument("--self-test", action="store_true", help="在临时数据库上打开主窗口，自检后退出（退出码 0 表示正常）")
    p.add_argument("--self-test-log", type=Path, metavar="FILE",
                   help="自检结果另写入这个文件（UTF-8）：Windows 上的窗口程序没有控制台，看不到输出时使用")
    p.add_argument("--version", action="version", version=f"xinfang-desktop {__version__}")
    # For benchmarks/startup.py: the real start, ended once the first window is painted (--probe-start),
    # or once the main window shows the workbench after logging in as the folder's first administrator
    # with the password in XINFANG_PASSWORD (--probe-login).
    p.add_argument("--probe-start", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--probe-login", action="store_true", help=argparse.SUPPRESS)
    args, _qt_args = p.parse_known_args(argv)
    return args


def make_app(argv: list[str]) -> QApplication:
    from .qt_chinese import chinese_system_dates
    from .style import apply_fonts

    app = QApplication.instance()
    if app is None:
        with chinese_system_dates():         # the file dialog's dates in Chinese order
            app = QApplication(argv)
    app.setApplicationName("信访工作平台")
    app.setOrganizationName("xinfang_desktop")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    # Linux desktops match the window to xinfang-desktop.desktop (its icon and name in the task bar)
    app.setDesktopFileName("xinfang-desktop")
    apply_fonts(app)
    _install_qt_translation(app)
    return app


def app_icon() -> QIcon:
    """The program's icon at every drawn size (resources/icons, made by scripts/make_icons.py)."""
    from ..paths import resource

    icon = QIcon()
    for png in sorted(resource("icons").glob("xinfang-*.png")):
        icon.addFile(str(png))
    return icon


def _install_qt_translation(app: QApplication) -> None:
    """Qt's own Chinese strings (file dialogs, standard buttons, context menus)."""
    from .qt_chinese import install_qt_chinese

    install_qt_chinese(app)


def self_test() -> int:
    """Open the main window on a temporary database with demo data and check what a frozen build
    can get wrong: every page is there, cases list and open, a document renders with the shipped
    fonts, a backup is written and restored, the first-run wizard and the lock work. Exit 0 when
    all pass."""
    from ..services import demo
    from ..services.access import set_up
    from ..services.backup import BackupService
    from ..services.printing import PrintService
    from .context import AppContext
    from .dialogs import LoginDialog
    from .main_window import NAVIGATION, MainWindow
    from .single_instance import SingleInstance
    from .tasks import TaskRunner
    from .wizard import FirstRunWizard

    checks: dict[str, bool] = {}
    # Windows may still hold the -wal/-shm or lock file a moment after closing: leave the folder then
    with tempfile.TemporaryDirectory(prefix="xinfang-self-test-", ignore_cleanup_errors=True) as tmp:
        instance = SingleInstance(Path(tmp) / "data")
        checks["lock"] = instance.acquire() and not SingleInstance(Path(tmp) / "data").lock.tryLock(0)
        tasks = TaskRunner(inline=True)
        wizard = FirstRunWizard(Path(tmp) / "data", tasks)
        checks["wizard"] = wizard.unit_count() > 0
        wizard.deleteLater()
        opened = set_up(Path(tmp) / "data", "350881102000", "selftest", "selftest-pass")
        services, actor = opened.services, opened.actor
        # The forms are compiled at build time (the frozen folder, the wheel): the login window is one
        login = LoginDialog(Path(tmp) / "data", tasks)
        tasks.wait()
        QApplication.processEvents()          # the office's name, read in a worker
        checks["forms"] = login.ui.unit_label.text() == services.auth.unit().name
        login.deleteLater()
        checks["encrypted"] = not (Path(tmp) / "data" / "xinfang.sqlite3").read_bytes().startswith(b"SQLite format 3")
        demo.generate(services, actor, 50, seed=3)
        window = MainWindow(AppContext(services, tasks, actor))
        window.show()
        QApplication.processEvents()
        from .pages import page_modules
        from .pages.placeholder import PlaceholderPage

        # Page modules are listed in features.py and imported by name: a frozen build that missed
        # them would show placeholders instead.
        found = page_modules()
        checks["pages"] = ("settings" in found and all(key in window.pages for key, _, _ in NAVIGATION)
                           and not any(isinstance(window.pages[k], PlaceholderPage) for k in found))
        rows = window.pages["cases"].model.rowCount()
        view = window.open_case(window.pages["cases"].model.rows[0].id) if rows else None
        checks["cases"] = rows > 0 and view is not None and view.detail is not None and view.timeline.rowCount() > 0
        try:
            pdf = services.get(PrintService).render(actor, view.detail.row.number, "register").pdf if view else b""
            checks["document"] = pdf.startswith(b"%PDF")
        except Exception as exc:  # noqa: BLE001 - report which check failed
            print(f"self-test: document: {exc}")
            checks["document"] = False
        try:
            backups = services.get(BackupService)
            info = backups.backup(actor, to=Path(tmp) / "backups")
            checks["backup"] = backups.restore(actor, info.path).cases == info.cases == 50
        except Exception as exc:  # noqa: BLE001
            print(f"self-test: backup: {exc}")
            checks["backup"] = False
        window.close()
        services.close()
        instance.release()
    failed = [k for k, ok in checks.items() if not ok]
    print("self-test: ok" if not failed else f"self-test: FAILED ({', '.join(failed)})")
    return 0 if not failed else 1


def run_self_test(log: Path | None = None) -> int:
    """`--self-test` for a build machine or CI: the result goes to stdout (UTF-8, whatever the code
    page) and to `log`; an unexpected error is reported there with its traceback and gives exit code
    1, never a dialog that waits for someone to dismiss it."""
    import contextlib
    import io
    import traceback

    out = sys.stdout            # None in a windowed Windows program started without redirection
    if out is not None and hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8", errors="replace")
    captured = io.StringIO()

    class Tee(io.TextIOBase):
        def write(self, text: str) -> int:
            captured.write(text)
            if out is not None:
                out.write(text)
                out.flush()
            return len(text)

    with contextlib.redirect_stdout(Tee()):
        try:
            code = self_test()
        except Exception:  # noqa: BLE001 - every failure is reported; none may open a window
            code = 1
            print(f"self-test: FAILED (unexpected error)\n{traceback.format_exc()}")
    if log is not None:
        Path(log).write_text(captured.getvalue(), encoding="utf-8")
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if hasattr(os, "umask"):
        os.umask(0o077)        # whatever the program writes is readable by this user only (PIPL 第五十一条)
    args = parse_args(argv[1:])
    app = make_app(argv)
    if args.self_test:
        return run_self_test(args.self_test_log)

    # Only what the first window (the login, or the set-up wizard) needs is imported before it shows;
    # the services and the pages follow (gui/startup.warm_up, and after the login), so it appears at once.
    from ..paths import default_data_dir
    from ..services.folder import folder_state
    from .dialogs import LoginDialog, RecoveryCodeDialog
    from .errors import ErrorReporter, install_logging, show_error
    from .single_instance import SingleInstance
    from .startup import LoginProbe, warm_up, when_painted
    from .tasks import OTHER, TaskRunner

    probe = "start" if args.probe_start else "login" if args.probe_login else None
    probe_login = None
    if probe and args.data_dir is None:
        print("--probe-start and --probe-login need --data-dir (a folder for the benchmark)", file=sys.stderr)
        return 2
    data_dir = args.data_dir or default_data_dir()
    try:
        instance = SingleInstance(data_dir)
        owner = instance.acquire()
    except (OSError, XinfangError) as exc:
        from .errors import message_for
        QMessageBox.critical(None, "无法打开数据", f"无法打开数据目录 {data_dir}。\n\n{message_for(exc)}")
        return 1
    if not owner:
        # Windows lets only this (just started) process take the foreground: pass the right on first
        allow_foreground(instance.holder_pid())
        if instance.ask_first_forward():
            return 0            # the window already open came forward
        QMessageBox.warning(None, "信访工作平台已在运行", instance.why_not())
        return 1
    install_logging(data_dir)
    logging.getLogger(__name__).info("xinfang-desktop %s starting on %s", __version__, data_dir)
    reporter = ErrorReporter().install()
    tasks = TaskRunner(on_error=lambda exc, details: show_error(QApplication.activeWindow(), exc, details))
    try:
        state = folder_state(data_dir)
    except Exception as exc:  # noqa: BLE001 - a read-only folder, a full disk, a damaged file: words, not a crash
        from .errors import message_for
        logging.getLogger(__name__).exception("cannot open the data folder %s", data_dir)
        QMessageBox.critical(None, "无法打开数据", f"无法打开数据目录 {data_dir}。\n\n{message_for(exc)}")
        return 1
    # Nothing of the folder is read before a password opens it: the set-up wizard makes a new one (and
    # its key), the login window opens an existing one.
    if state == "new":
        if probe == "login":
            print("--probe-login needs a data folder set up with a user (xinfang init)", file=sys.stderr)
            return 2
        from .wizard import FirstRunWizard

        wizard = FirstRunWizard(data_dir, tasks)
        instance.activate.connect(lambda: (wizard.raise_(), wizard.activateWindow()))
        if probe:
            when_painted(wizard, wizard.reject)
        if wizard.exec() != QDialog.Accepted or wizard.opened is None:
            if wizard.opened is not None:
                wizard.opened.services.close()
            return 0
        opened = wizard.opened
    else:
        login = LoginDialog(data_dir, tasks)
        instance.activate.connect(lambda: (login.raise_(), login.activateWindow()))
        if probe == "start":
            when_painted(login, login.reject)
        else:
            # While the name and password are typed, the services load in the background. In the write
            # lane: a quick login waits for it there instead of importing the same modules beside it. A
            # module that fails to load fails again, with its message, where it is used.
            probe_login = LoginProbe(login, data_dir) if probe == "login" else None
            after = probe_login.log_in if probe_login else None
            when_painted(login, lambda: tasks.run(warm_up, on_done=after, on_error=after or (lambda *_: None), writes=True,
                                                        changes=OTHER))
        if login.exec() != QDialog.Accepted or login.opened is None:
            return 0
        opened = login.opened
        if opened.recovery_code:              # an older folder was encrypted at this login
            RecoveryCodeDialog(opened, tasks).exec()
    instance.activate.disconnect()
    from .auto_backup import AutoBackup
    from .context import AppContext
    from .main_window import MainWindow

    services = opened.services
    ctx = AppContext(services, tasks, opened.actor)
    window = MainWindow(ctx, prefs=window_prefs(ctx))
    instance.activate.connect(lambda: bring_forward(window))
    auto = AutoBackup(ctx, window)
    auto.failed.connect(lambda text: window.statusBar().showMessage(text, 0))
    auto.finished.connect(lambda info: info and window.statusBar().showMessage(
        f"已自动备份到 {info.path}", 10_000))
    if probe_login:
        window.pages["workbench"].loaded.connect(lambda: probe_login.done(window))
    window.show()
    QTimer.singleShot(0, window.raise_)
    auto.start()
    code = app.exec()
    tasks.wait()
    services.close()
    reporter.uninstall()
    instance.release()
    return code


def window_prefs(ctx):
    """This user's saved window (size, place, text size), read in a worker while the event loop runs,
    before the window is made; the defaults if it cannot be read."""
    from PySide6.QtCore import QEventLoop

    from ..services.preferences import PreferencesService, WindowPrefs

    found: list[WindowPrefs] = []
    loop = QEventLoop()
    ctx.tasks.run(lambda: ctx.services.get(PreferencesService).window(ctx.actor), writes=False,
                  on_done=lambda prefs: (found.append(prefs), loop.quit()), on_error=lambda *_: loop.quit())
    if not found:
        loop.exec()
    return found[0] if found else WindowPrefs()


def bring_forward(window) -> None:
    """A second start asked for this window: un-minimise it and put it in front."""
    window.setWindowState((window.windowState() & ~Qt.WindowMinimized) | Qt.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()


if __name__ == "__main__":
    raise SystemExit(main())
