"""工作台: the landing page after login. Overdue, due today, due within 7 days, new matters to route,
counts by status; each line opens its case. Sections come from services.workbench's registry."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QScrollArea, QSizePolicy, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ...services import backup_reminder  # noqa: F401 - registers the 备份提醒 section
from ...services.workbench import SectionResult, SectionSpec, Workbench, WorkbenchService
from ..context import AppContext
from ..errors import show_error
from ..flow_layout import flow_widget
from ..refresh import refresh_on_change
from ..style import URGENCY_BACKGROUND, URGENCY_FOREGROUND, URGENCY_WORD, due_text, urgency_legend
from ..tables import read_only_table

PAGE_KEY = "workbench"
WEEKDAYS = "一二三四五六日"
LINES = 5          # per section, so that every section fits on one screen; "查看全部" shows the rest
ALL_LINES = 2000   # "查看全部" of a section the case list cannot show, in a window of its own
COLUMNS = 2
CHIP_STYLE = ("QPushButton { background: #eef2f7; border: 1px solid #c9d3df; border-radius: 4px; padding: 3px 10px; }"
              " QPushButton:hover, QPushButton:focus { background: #dbe6f3; border-color: #6f8fb5; }")


class SectionBox(QGroupBox):
    """One section: a title with the total, a short table of lines, "查看全部" when there are more."""

    open_case = Signal(str)
    show_all = Signal(object)      # the SectionSpec

    def __init__(self, spec: SectionSpec, parent: QWidget | None = None):
        super().__init__(spec.title, parent)
        self.spec = spec
        self.setStyleSheet("QGroupBox { font-weight: bold; font-size: 12pt; }"
                           " QGroupBox QTableWidget, QGroupBox QLabel, QGroupBox QPushButton"
                           " { font-weight: normal; font-size: 11pt; }")
        # 期限: 办理期限, or 回访期限 in 待回访
        self.table = read_only_table(["事项编号", "期限", "信访人和诉求"], single=True, wrap=False, fit=True)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)     # five lines a box, six boxes at 1280×800
        # The box is as tall as its lines: the page scrolls rather than squeezing a box over its lines.
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.table.cellActivated.connect(self._open_row)
        self.table.cellClicked.connect(self._open_row)
        self.empty = QLabel(spec.empty_text)
        self.empty.setStyleSheet("color: #2c6e3a; padding: 6px;")
        self.empty.setWordWrap(True)
        self.more = QPushButton("查看全部")
        self.more.setVisible(False)
        self.more.clicked.connect(lambda: self.show_all.emit(self.spec))
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        foot = QHBoxLayout()
        foot.addStretch(1)
        foot.addWidget(self.more)
        layout.addLayout(foot)
        layout.addStretch(1)      # boxes in a row share a height; keep lines at the top
        if spec.hide_when_empty:  # a reminder across the top: as short as its words
            layout.setContentsMargins(8, 0, 8, 2)
            layout.setSpacing(0)
        self._case_ids: list[str | None] = []

    def show_result(self, result: SectionResult, today) -> None:
        items = result.items
        shown = len(items)
        title = result.title or self.spec.title
        self.setTitle(f"{title}（{result.total}件）" if result.total else title)
        self.empty.setText(result.error or result.notice or self.spec.empty_text)
        colour = "#9b1111" if result.error else "#8a4b00; font-weight: bold" if result.notice else "#2c6e3a"
        self.empty.setStyleSheet(f"color: {colour}; padding: {2 if self.spec.hide_when_empty else 6}px;")
        self.empty.setVisible(not items)
        self.table.setVisible(bool(items))
        self.more.setVisible(result.total > shown)
        self.more.setText(f"查看全部{result.total}件")
        self.table.setRowCount(shown)
        self._case_ids = [it.case_id for it in items]
        for row, it in enumerate(items):
            cells = [it.title, due_text(it.due, it.urgency, today, it.provisional), it.detail]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col == 1 and it.urgency:
                    cell.setBackground(URGENCY_BACKGROUND[it.urgency])
                    cell.setForeground(URGENCY_FOREGROUND[it.urgency])
                    cell.setToolTip(URGENCY_WORD[it.urgency])
                if col == 2:
                    cell.setToolTip(it.note or it.detail)
                self.table.setItem(row, col, cell)
        # Show every line: the page scrolls, not each little table.
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += shown * self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(height)

    def _open_row(self, row: int, _col: int = 0) -> None:
        if 0 <= row < len(self._case_ids) and self._case_ids[row]:
            self.open_case.emit(self._case_ids[row])


class WorkbenchPage(QWidget):
    open_case = Signal(str)
    show_cases = Signal(object)    # (status, due window) for the case list
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.workbench: Workbench | None = None
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.refresh_button = QPushButton("刷新（F5）")
        self.refresh_button.clicked.connect(self.refresh)
        QShortcut(QKeySequence.Refresh, self, activated=self.refresh)
        # one chip per status, wrapping onto a second line rather than widening the window past the screen
        chips, self.counts = flow_widget()
        self.status_buttons: dict[str, QPushButton] = {}     # one per status; a click lists those cases
        self.legend = QLabel(urgency_legend())
        self.legend.setStyleSheet("color: #555;")
        self.boxes: dict[str, SectionBox] = {}
        self.grid = QGridLayout()
        for col in range(COLUMNS):
            self.grid.setColumnStretch(col, 1)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        self.reminders = QVBoxLayout()          # sections shown only when they say something: full width, on top
        inner_layout.addLayout(self.reminders)
        inner_layout.addLayout(self.grid)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(chips)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.legend)
        self._loading = False
        refresh_on_change(self, ctx.tasks, self.refresh, on_show=False)     # showing it refreshes it

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        actor = self.ctx.actor
        self.heading.setText(self.heading.text() or "工作台")
        self.ctx.tasks.run(lambda: self.ctx.services.get(WorkbenchService).load(actor, limit=LINES), writes=False,
                           on_done=self._show, on_error=self._failed, owner=self)

    def _failed(self, exc: BaseException, *_) -> None:
        self._loading = False
        show_error(self, exc)

    def _show(self, wb: Workbench) -> None:
        self._loading = False
        self.workbench = wb
        d = wb.today
        self.heading.setText(f"工作台　{d.year}年{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}")
        for status, label, n in wb.status_counts:
            chip = self.status_buttons.get(status)
            if chip is None:
                chip = self.status_buttons[status] = QPushButton()
                chip.setStyleSheet(CHIP_STYLE)
                chip.setCursor(Qt.PointingHandCursor)
                chip.setToolTip(f"在事项页列出{label}的事项")
                chip.clicked.connect(lambda _=False, s=status: self.show_cases.emit((s, None)))
                self.counts.addWidget(chip)
            chip.setText(f"{label} {n}")
        cell = 0
        for spec, result in wb.sections:
            box = self.boxes.get(spec.key)
            if box is None:
                box = self.boxes[spec.key] = SectionBox(spec)
                box.open_case.connect(self.open_case)
                box.show_all.connect(self._show_all)
                if spec.hide_when_empty:
                    self.reminders.addWidget(box)
                else:
                    self.grid.addWidget(box, cell // COLUMNS, cell % COLUMNS, Qt.AlignTop)
            if not spec.hide_when_empty:
                cell += 1
            box.show_result(result, wb.today)
            box.setVisible(bool(result.items or result.error or result.notice or not spec.hide_when_empty))
        self.loaded.emit()

    def _show_all(self, spec: SectionSpec) -> None:
        """The case list when it can show the section (a status, a due window); else every line in a window."""
        if spec.list_filter is not None:
            self.show_cases.emit(spec.list_filter)
            return
        actor = self.ctx.actor
        self.ctx.tasks.run(lambda: self.ctx.services.get(WorkbenchService).section(actor, spec.key, limit=ALL_LINES),
                           writes=False, on_done=lambda r: self._list_all(spec, r), on_error=self._failed, owner=self)

    def _list_all(self, spec: SectionSpec, result: SectionResult) -> None:
        self.all_dialog = SectionListDialog(spec, result, self.workbench.today if self.workbench else None, self)
        self.all_dialog.open_case.connect(self.open_case)
        self.all_dialog.show()


class SectionListDialog(QDialog):
    """Every line of one section (待回访, 领导包案); a line opens its case and closes the window."""

    open_case = Signal(str)

    def __init__(self, spec: SectionSpec, result: SectionResult, today, parent: QWidget | None = None):
        super().__init__(parent)
        title = result.title or spec.title
        self.setWindowTitle(f"{title}：共{result.total}件")
        self.box = SectionBox(spec)
        self.box.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self.box.show_result(result, today)
        self.box.more.setVisible(False)
        self.box.table.setMaximumHeight(16_777_215)
        self.box.table.setMinimumHeight(0)
        self.box.table.setVerticalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        # The window's height goes to the lines (it scrolls them), not to the box's spacer below them, which on
        # the workbench keeps a short box's lines at the top.
        lines = self.box.layout()
        lines.setStretchFactor(self.box.table, 1)
        lines.setStretch(lines.count() - 1, 0)
        self.box.open_case.connect(self._open)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        foot = QHBoxLayout()
        foot.addStretch(1)
        foot.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box, 1)
        layout.addLayout(foot)
        self.resize(900, 560)

    def _open(self, case_id: str) -> None:
        self.open_case.emit(case_id)
        self.accept()


def create(ctx: AppContext, window) -> QWidget:
    page = WorkbenchPage(ctx)
    page.open_case.connect(window.open_case)

    def show_cases(list_filter) -> None:
        status, due = list_filter
        window.show_page("cases")
        cases = window.pages.get("cases")
        if hasattr(cases, "show_filter"):
            cases.show_filter(status=status, due=due)

    page.show_cases.connect(show_cases)
    return page
