"""A thin main window: navigation on the left, one page per task on the right.

The window shows with its first page, the workbench, built; the other pages are built just after it is
on the screen, one per turn of the event loop (or at once, when something asks for one), so the
workbench's figures are the first the database is asked for. Every feature listed in features.py is
loaded before the window shows: some add sections to the workbench or buttons to the case view. Once shown,
the window looks for other desks' changes every few seconds (change_watch.py); the status bar says when it
cannot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, Iterator

from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QListWidget, QMainWindow, QStackedWidget, QWidget

from ..services.preferences import PreferencesService, WindowPrefs
from .change_watch import ChangeWatcher
from .context import AppContext
from .pages.case_list import CaseListPage
from .pages.case_view import CaseViewPage
from .pages.placeholder import PlaceholderPage
from .style import apply_fonts
from .tasks import OTHER

# (key, label, what it will do): the navigation of DESIGN.md
NAVIGATION = [
    ("workbench", "工作台", "登录后的首页：超期、今日到期、临近到期和待转办的事项。"),
    ("intake", "登记", "以键盘快速登记来访、来信、来电，并打印受理告知书。"),
    ("cases", "事项", "按编号、信访人和状态查找信访事项，筛选后可导出。"),
    ("board", "看板", "四色看板：需要领导关注的信访事项及其原因。"),
    ("backlog", "积案", "积案台账：化解方案、包案领导、下一步和化解结果。"),
    ("mediation", "调解", "调解记录和调解协议书。"),
    ("deliberation", "评理", "信访评理记录和评理意见。"),
    ("reception", "接访", "领导接访记录和汇总。"),
    ("meeting", "会议", "跟踪督办会、推进会、联席会议和专题会：研究的事项、议定的任务和会议纪要。"),
    ("stats", "统计", "按期间和范围生成统计表、图表和报告。"),
    ("sync", "同步", "与市信访局通过U盘交换加密数据包。"),
    ("settings", "设置", "节假日安排、备份等设置。"),
    ("staff", "人员", "工作人员、角色和密码。"),
]
KEYS = tuple(key for key, _, _ in NAVIGATION)


def nav_shortcut(row: int) -> str:
    """The key that opens the sidebar's `row`-th entry: Ctrl+1 … Ctrl+9 and Ctrl+0 for the first ten, in
    the order they are listed; Shift adds ten (Ctrl+Shift+1 … for 同步, 设置, 人员). Ctrl+digit is taken by
    no page, and no text box or table uses it; Alt+letter belongs to the pages' mnemonics."""
    if row < 10:
        return f"Ctrl+{(row + 1) % 10}"
    return f"Ctrl+Shift+{row - 9}"


class Pages(Mapping[str, QWidget]):
    """The pages by NAVIGATION key, each built the first time it is asked for."""

    def __init__(self, build: Callable[[str], QWidget]):
        self._build = build
        self.built: dict[str, QWidget] = {}

    def __getitem__(self, key: str) -> QWidget:
        if key not in self.built:
            if key not in KEYS:
                raise KeyError(key)
            self.built[key] = self._build(key)
        return self.built[key]

    def __contains__(self, key: object) -> bool:
        return key in KEYS

    def __iter__(self) -> Iterator[str]:
        return iter(KEYS)

    def __len__(self) -> int:
        return len(KEYS)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, page_factories: dict[str, Callable[[AppContext], QWidget]] | None = None,
                 prefs: WindowPrefs | None = None):
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("信访工作平台")
        self.nav = QListWidget()
        self.nav.setFixedWidth(120)
        self.nav.setStyleSheet("QListWidget { font-size: 13pt; } QListWidget::item { padding: 10px 14px; }")
        self.stack = QStackedWidget()
        from . import features
        from .pages import page_modules

        features.load()
        self._discovered = page_modules()
        self._factories = page_factories or {}
        self.pages = Pages(self._build_page)
        for row, (_key, label, what) in enumerate(NAVIGATION):
            self.nav.addItem(label)
            # The tool tip says what the page is for and the key that opens it from anywhere in the window.
            self.nav.item(row).setToolTip(f"{what or label}\n快捷键：{nav_shortcut(row)}")
        self.nav.currentRowChanged.connect(self._show_row)
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)
        self.who = QLabel(f"{ctx.actor.display_name}（{ctx.actor.role.label}）")
        self.statusBar().addPermanentWidget(self.who)
        # one line while the looks for other desks' changes fail (a server gone away), never a box each time
        self.watch_line = QLabel()
        self.watch_line.setStyleSheet("color: #9b1111;")
        self.watch_line.setWordWrap(True)
        self.watch_line.hide()
        self.statusBar().addWidget(self.watch_line, 1)
        self.watcher = ChangeWatcher(ctx, parent=self)
        self.watcher.trouble.connect(self._watch_trouble)
        # the unit's name is read from the database: in a worker, like every read
        ctx.tasks.run(ctx.services.auth.unit, writes=False, on_done=self._show_unit, owner=self)
        self.case_view: CaseViewPage | None = None
        self._case_from: QWidget | None = None
        self._scale = 1.0
        self._rest_started = False
        QShortcut(QKeySequence.ZoomIn, self, activated=lambda: self._zoom(0.1))
        QShortcut(QKeySequence("Ctrl+="), self, activated=lambda: self._zoom(0.1))
        QShortcut(QKeySequence.ZoomOut, self, activated=lambda: self._zoom(-0.1))
        for row in range(len(NAVIGATION)):
            QShortcut(QKeySequence(nav_shortcut(row)), self, activated=lambda row=row: self.nav.setCurrentRow(row))
        for row in range(min(9, len(NAVIGATION))):     # the older keys, for whoever learnt them
            QShortcut(QKeySequence(f"Alt+{row + 1}"), self, activated=lambda row=row: self.nav.setCurrentRow(row))
        self.nav.setCurrentRow(0)     # the workbench: what needs doing today
        self.resize(1280, 800)
        self._restore(prefs or WindowPrefs())

    def _restore(self, prefs: WindowPrefs) -> None:
        """The size, place and text size this user left the window with (read before it was made: the
        window opens where it was, without a jump). Qt moves a window saved on a screen that is gone."""
        if prefs.zoom != self._scale:
            self._scale = prefs.zoom
            apply_fonts(QApplication.instance(), self._scale)
        if prefs.geometry:
            self.restoreGeometry(QByteArray(prefs.geometry))

    def prefs(self) -> WindowPrefs:
        return WindowPrefs(geometry=bytes(self.saveGeometry().data()), zoom=self._scale)

    def _build_page(self, key: str) -> QWidget:
        if key in self._factories:
            page = self._factories[key](self.ctx)
        elif key in self._discovered:
            page = self._discovered[key].create(self.ctx, self)
        elif key == "cases":
            page = CaseListPage(self.ctx)
            page.open_case.connect(self.open_case)
        else:
            label, what = next((label, what) for k, label, what in NAVIGATION if k == key)
            page = PlaceholderPage(label, what)
        self.stack.addWidget(page)
        return page

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._rest_started:
            self._rest_started = True
            QTimer.singleShot(0, self, self._build_next)
            self.watcher.start()

    def _watch_trouble(self, text: str) -> None:
        self.watch_line.setText(text)
        self.watch_line.setVisible(bool(text))

    def _build_next(self) -> None:
        """Build one more page, then let the event loop run (paint, the workbench's figures) before the next."""
        if not self.isVisible():
            return                      # closed meanwhile: its pages would only be built to be thrown away
        missing = [key for key in KEYS if key not in self.pages.built]
        if missing:
            self.pages[missing[0]]
            QTimer.singleShot(0, self, self._build_next)

    def _show_unit(self, unit) -> None:
        self.setWindowTitle(f"信访工作平台 — {unit.name}")
        self.who.setText(f"{unit.name}    {self.ctx.actor.display_name}（{self.ctx.actor.role.label}）")

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow([k for k, _, _ in NAVIGATION].index(key))

    def _show_row(self, row: int) -> None:
        self.stack.setCurrentWidget(self.pages[NAVIGATION[row][0]])

    def show_backlog(self, case_number: str | None = None) -> QWidget:
        """The 积案 page, on the matter's row when it is on the register (else among the suggestions)."""
        page = self.pages["backlog"]
        self.show_page("backlog")
        if case_number and hasattr(page, "show_case"):
            page.show_case(case_number)
        return page

    def open_case(self, case_id: str) -> CaseViewPage:
        current = self.stack.currentWidget()
        if current is not None and current is not self.case_view:
            self._case_from = current       # Esc goes back there (看板, 工作台, 登记…); the sidebar still says so
        if self.case_view is not None:
            self.stack.removeWidget(self.case_view)
            self.case_view.deleteLater()
        self.case_view = CaseViewPage(self.ctx, case_id)
        self.case_view.back.connect(self._close_case)
        self.stack.addWidget(self.case_view)
        self.stack.setCurrentWidget(self.case_view)
        self.case_view.setFocus()           # Esc works at once, from the keyboard
        return self.case_view

    def _close_case(self) -> None:
        key = next((k for k, page in self.pages.built.items() if page is self._case_from), "cases")
        row = KEYS.index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)
        self.stack.setCurrentWidget(self.pages[key])

    def _zoom(self, step: float) -> None:
        self._scale = WindowPrefs(zoom=round(self._scale + step, 2)).zoom
        apply_fonts(QApplication.instance(), self._scale)

    def closeEvent(self, event) -> None:
        # Remembered for this user's next start; a failure to save them is not worth a message.
        prefs, actor = self.prefs(), self.ctx.actor
        self.ctx.tasks.run(lambda: self.ctx.services.get(PreferencesService).save_window(actor, prefs),
                           writes=True, changes=OTHER, on_error=lambda *_: None)
        self.watcher.stop()
        self.ctx.tasks.wait()     # let queued writes finish before the database closes
        super().closeEvent(event)
