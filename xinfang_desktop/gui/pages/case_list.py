"""事项: the case list. A paged model fetched in the background, so a million cases scroll smoothly."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from ...domain import workflow as wf
from ...domain.divisions import DivisionTable
from ...domain.glossary import RECEIVED_DATE
from ...domain.petition import Channel
from ...services.listing import ListingService
from ...services.queries import CaseFilter, CaseRow
from .. import list_place
from ..busy_panel import BusyPanel
from ..case_filters import CategoryFilter, DateRangeFilter
from ..context import AppContext
from ..refresh import refresh_on_change
from ..style import URGENCY_BACKGROUND, URGENCY_FOREGROUND, URGENCY_WORD, due_text, urgency_legend

COLUMNS = [  # (header, sort key)
    ("事项编号", "number"), ("信访人", "parties"), (RECEIVED_DATE, "received_at"), ("形式", "channel"),
    ("问题类别", "category"), ("状态", "status"), ("办理期限", "next_due"), ("乡镇（街道）", "township"),
    ("人数", "people"),
]
CATEGORY_COLUMN = 4
# 人数 as wide as “25（联名）”; 问题类别 at least its width here, and whatever the window has to spare.
COLUMN_WIDTHS = (175, 130, 92, 48, 190, 80, 230, 100, 100)
DUE_COLUMN = 6
TOWNSHIP_COLUMN = 7


def township_name(divisions: DivisionTable, code: str | None) -> str:
    """The township's name; the bare code for one the division table does not know (another county's data)."""
    if not code:
        return ""
    return divisions.get(code).name if code in divisions else code


class CaseTableModel(QAbstractTableModel):
    loaded = Signal()
    about_to_refresh = Signal()      # refresh(): the new rows are in hand, the old ones still shown
    refreshed = Signal()             # refresh(): the new rows are shown

    def __init__(self, ctx: AppContext, page_size: int = 200, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.filter = CaseFilter()
        self.sort_key, self.descending = "received_at", True
        self.rows: list[CaseRow] = []
        self.total: int | None = None
        self._exhausted = False
        self._loading = False
        self._generation = 0
        self.today = ctx.services.clock.today()

    # -- loading -----------------------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self.rows, self.total, self._exhausted, self._loading = [], None, False, False
        self.today = self.ctx.services.clock.today()
        self.endResetModel()
        gen, f = self._generation, self.filter
        self.ctx.tasks.run(lambda: self.ctx.services.queries.count(f), writes=False,
                           on_done=lambda n: self._counted(gen, n), owner=self)
        self.fetchMore(QModelIndex())

    def refresh(self) -> None:
        """Read again what is shown (as many rows as are loaded, at least a page) under the same filter and
        sort, and swap them in at once when they arrive: the list is never empty in between, and the page puts
        back its selection and scroll position (`refreshed`, then `loaded`)."""
        self._generation += 1
        self._loading = True              # no page appended meanwhile: the rows are about to be replaced
        gen, f, key, desc = self._generation, self.filter, self.sort_key, self.descending
        size = max(self.page_size, len(self.rows))
        queries = self.ctx.services.queries

        def read() -> tuple[int, list[CaseRow]]:
            return queries.count(f), queries.page(f, sort=key, descending=desc, offset=0, limit=size)

        self.ctx.tasks.run(read, writes=False, on_done=lambda got: self._refreshed(gen, size, *got),
                           on_error=lambda exc, details: self._refresh_failed(gen, exc, details), owner=self)

    def _refresh_failed(self, gen: int, exc: BaseException, details: str) -> None:
        """The old rows stay, and scrolling fetches pages again; the failure is said as any other."""
        if gen == self._generation:
            self._loading = False
        if self.ctx.tasks.default_error is None:
            raise exc
        self.ctx.tasks.default_error(exc, details)

    def _refreshed(self, gen: int, size: int, total: int, rows: list[CaseRow]) -> None:
        if gen != self._generation:
            return
        self.about_to_refresh.emit()
        self.beginResetModel()
        self.rows, self.total, self._exhausted, self._loading = rows, total, len(rows) < size, False
        self.today = self.ctx.services.clock.today()
        self.endResetModel()
        self.refreshed.emit()
        self.loaded.emit()

    def _counted(self, gen: int, n: int) -> None:
        if gen == self._generation:
            self.total = n
            self.loaded.emit()

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._loading and not self._exhausted

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self._loading = True
        gen, f, offset = self._generation, self.filter, len(self.rows)
        key, desc, size = self.sort_key, self.descending, self.page_size
        self.ctx.tasks.run(lambda: self.ctx.services.queries.page(f, sort=key, descending=desc, offset=offset,
                                                                 limit=size),
                           writes=False, on_done=lambda rows: self._arrived(gen, rows), owner=self)

    def _arrived(self, gen: int, rows: list[CaseRow]) -> None:
        if gen != self._generation:
            return
        self._loading = False
        if len(rows) < self.page_size:
            self._exhausted = True
        if rows:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit()

    def set_filter(self, f: CaseFilter) -> None:
        self.filter = f
        self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        self.sort_key = COLUMNS[column][1]
        self.descending = order == Qt.DescendingOrder
        self.reload()

    # -- Qt model API ------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.DisplayRole:
            if col == 0:
                return r.number
            if col == 1:
                return r.parties + ("（重件）" if r.is_repeat else "")
            if col == 2:
                return f"{r.received_at:%Y-%m-%d}" + ("（补录）" if r.late_entry else "")
            if col == 3:
                return r.channel
            if col == 4:
                return r.category
            if col == 5:
                return r.status_label
            if col == DUE_COLUMN:
                return due_text(r.next_due, r.urgency, self.today, r.provisional)
            if col == TOWNSHIP_COLUMN:
                return township_name(self.ctx.services.divisions, r.township_code)
            if col == 8:
                return str(r.people_count) + ("（集体）" if r.is_group else ("（联名）" if r.people_count >= 5 else ""))
        if col == DUE_COLUMN and r.urgency:
            if role == Qt.BackgroundRole:
                return URGENCY_BACKGROUND[r.urgency]
            if role == Qt.ForegroundRole:
                return URGENCY_FOREGROUND[r.urgency]
        if role == Qt.ToolTipRole:
            if col == DUE_COLUMN and r.next_due_label:
                extra = "；该年放假安排尚未公布，期限为暂定" if r.provisional else ""
                word = f"（{URGENCY_WORD[r.urgency]}）" if r.urgency else ""
                return f"{r.next_due_label}{word}{extra}"
            if col in (1, 4):
                return r.request
        if role == Qt.UserRole:
            return r.id
        return None


STATUS_FILTERS = [("全部状态", ()), ("未办结", "open")] + [(s.label, (s.value,)) for s in wf.Status]
DUE_FILTERS = [("全部期限", None), ("已超期", "overdue"), ("今天到期", "today"), ("临近到期", "week")]     # within the board's 临近到期天数


class CaseListPage(QWidget):
    open_case = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        services = ctx.services
        self.search = QLineEdit(placeholderText="搜索：姓名、拼音首字母、身份证号、电话、事项编号、查询码或诉求（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox()
        for label, _ in STATUS_FILTERS:
            self.status.addItem(label)
        self.due = QComboBox()
        for label, _ in DUE_FILTERS:
            self.due.addItem(label)
        self.category = CategoryFilter(services.categories)
        self.channel = QComboBox()
        self.channel.addItem("全部信访形式", None)
        for ch in Channel:
            self.channel.addItem(ch.label, ch.value)
        self.township = QComboBox()
        self.township.addItem("全部乡镇（街道）", None)
        for d in services.divisions.townships():
            self.township.addItem(d.name, d.code)
        self.owner = QComboBox()
        self.owner.addItem("全部承办", None)
        self.received = DateRangeFilter(services.clock.today())
        self.clear = QPushButton("清除筛选")
        self.export_button = QPushButton("导出(&X)…")
        self.export_button.setToolTip("把当前筛选出的事项导出为 Excel 表（台账的各列）")
        self.export_button.clicked.connect(self.export)
        self.busy = BusyPanel(width=110)
        self.saved = QLabel()
        self.saved.setStyleSheet("color: #2c6e3a;")
        self.count_label = QLabel()
        self.count_label.setMinimumWidth(110)
        self.count_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.legend = QLabel(urgency_legend())
        self.legend.setStyleSheet("color: #555;")

        bar = QGridLayout()
        bar.addWidget(self.search, 0, 0, 1, 4)
        bar.addWidget(self.status, 0, 4)
        bar.addWidget(self.due, 0, 5)
        bar.addWidget(self.count_label, 0, 6)
        bar.addWidget(self.category, 1, 0)
        bar.addWidget(self.channel, 1, 1)
        bar.addWidget(self.township, 1, 2)
        bar.addWidget(self.owner, 1, 3)
        bar.addWidget(self.received, 1, 4, 1, 2)
        bar.addWidget(self.clear, 1, 6)
        bar.addWidget(self.export_button, 0, 7)
        bar.addWidget(self.busy, 1, 7)
        bar.setColumnStretch(0, 3)
        bar.setColumnStretch(1, 1)
        bar.setColumnStretch(2, 2)
        bar.setColumnStretch(3, 2)

        self.model = CaseTableModel(ctx, parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(2, Qt.DescendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        # A wide window's room goes to 问题类别 (cut short as 城乡建设/房地产开发与… at 190 pixels), not to 人数:
        # see _fit_category. Every column stays resizable by hand.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        for col, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(col, width)
        self.table.viewport().installEventFilter(self)      # a wider window: a wider 问题类别
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        foot = QHBoxLayout()
        foot.addWidget(self.legend, 1)
        foot.addWidget(self.saved)
        layout.addLayout(foot)

        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._search_now)
        self.search.installEventFilter(self)
        self._to_results = False            # Enter in the search box: the results get the keyboard once loaded
        for combo in (self.status, self.due, self.channel, self.township, self.owner):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.category.changed.connect(self.apply_filter)
        self.received.changed.connect(self.apply_filter)
        self.clear.clicked.connect(self.clear_filters)
        self.model.loaded.connect(self._update_count)
        self._place: list_place.Place | None = None      # where the clerk was, put back after reload()
        self.model.about_to_refresh.connect(self._remember_place)
        self.model.refreshed.connect(self._restore_place)
        self.model.loaded.connect(self._results_arrived)
        QShortcut(QKeySequence.Find, self, activated=self.search.setFocus)
        self.model.sort_key, self.model.descending = "received_at", True
        self.model.reload()
        self._load_owners()
        refresh_on_change(self, ctx.tasks, self.reload)

    def _fit_category(self) -> None:
        """问题类别 takes the width the other columns leave, never less than it starts with."""
        others = sum(self.table.columnWidth(c) for c in range(len(COLUMNS)) if c != CATEGORY_COLUMN)
        spare = self.table.viewport().width() - others
        self.table.setColumnWidth(CATEGORY_COLUMN, max(COLUMN_WIDTHS[CATEGORY_COLUMN], spare))

    def reload(self) -> None:
        """Read the list again under the same filter and sort: something was written, here or on another desk.
        The list stays as the clerk left it: the selected case stays selected (back from its case view, the
        clerk goes on down the list) and the rows on the screen stay where they were, also when new cases
        come in above them."""
        self.model.refresh()
        self._load_owners()

    def _remember_place(self) -> None:
        self._place = list_place.remember(self.table, [r.id for r in self.model.rows])

    def _restore_place(self) -> None:
        if self._place is not None:
            list_place.restore(self.table, self._place, [r.id for r in self.model.rows])
            self._place = None

    def _load_owners(self) -> None:
        actor = self.ctx.actor
        self.ctx.tasks.run(lambda: self.ctx.services.get(ListingService).owners(actor), writes=False,
                           on_done=self._owners_loaded, owner=self)

    def _owners_loaded(self, owners: list[str]) -> None:
        current = self.owner.currentData()
        self.owner.blockSignals(True)
        while self.owner.count() > 1:
            self.owner.removeItem(1)
        for name in owners:
            self.owner.addItem(name, name)
        self.owner.setCurrentIndex(max(0, self.owner.findData(current)) if current else 0)
        self.owner.blockSignals(False)

    def current_filter(self) -> CaseFilter:
        _, statuses = STATUS_FILTERS[self.status.currentIndex()]
        _, due = DUE_FILTERS[self.due.currentIndex()]
        today = self.model.today
        start, end = self.received.range()
        f = CaseFilter(text=self.search.text().strip() or None, overdue=due == "overdue",
                       due_soon=due == "week",
                       due_from=today if due == "today" else None, due_to=today if due == "today" else None,
                       category=self.category.code, channel=self.channel.currentData(),
                       township=self.township.currentData(), owner=self.owner.currentData(),
                       received_from=start, received_to=end)
        if statuses == "open":
            return replace(f, open_only=True)
        return replace(f, statuses=tuple(statuses))

    def apply_filter(self) -> None:
        self.model.today = self.ctx.services.clock.today()
        self.model.set_filter(self.current_filter())

    def show_filter(self, *, status: str | None = None, due: str | None = None) -> None:
        """Open the list narrowed the way the workbench's "查看全部" asks: a status and/or a due window."""
        self._quietly(self.clear_filters)
        if status:
            self.status.setCurrentIndex(next(i for i, (_, v) in enumerate(STATUS_FILTERS) if v == (status,)))
        if due:
            self.due.setCurrentIndex(next(i for i, (_, v) in enumerate(DUE_FILTERS) if v == due))
        self.table.sortByColumn(DUE_COLUMN if due else 2, Qt.AscendingOrder if due else Qt.DescendingOrder)
        self.apply_filter()

    def clear_filters(self) -> None:
        def reset() -> None:
            self.search.clear()
            for combo in (self.status, self.due, self.channel, self.township, self.owner):
                combo.setCurrentIndex(0)
            self.category.set_code(None)
            self.received.enabled.setChecked(False)
        self._quietly(reset)
        self.apply_filter()

    def _quietly(self, change) -> None:
        """Apply several widget changes as one filter change, not one reload each."""
        widgets = (self.search, self.status, self.due, self.channel, self.township, self.owner, self.category,
                   self.received)
        for w in widgets:
            w.blockSignals(True)
        try:
            change()
        finally:
            for w in widgets:
                w.blockSignals(False)

    def export(self) -> None:
        """The cases the list shows, with the filters as they are, to an .xlsx file."""
        from ..case_export import export_filtered

        export_filtered(self, self.ctx, self.current_filter(), self.model.total, button=self.export_button,
                        busy=self.busy, done=self.saved.setText)

    # -- from the search box to the results, by keyboard --------------------------------------
    def eventFilter(self, obj, event) -> bool:
        if obj is self.search and event.type() == QEvent.KeyPress and event.key() == Qt.Key_Down:
            self.focus_results()
            return True
        if obj is self.table.viewport() and event.type() == QEvent.Resize:
            self._fit_category()
        return super().eventFilter(obj, event)

    def _search_now(self) -> None:
        self._debounce.stop()
        self._to_results = True
        self.apply_filter()

    def _results_arrived(self) -> None:
        if self._to_results and self.model.rowCount():
            self._to_results = False
            self.focus_results()

    def focus_results(self) -> None:
        """The first result selected and focused: ↑↓ move, Enter opens."""
        if not self.model.rowCount():
            return
        self.table.setFocus()
        if not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self.table.setCurrentIndex(self.table.selectionModel().selectedRows()[0])

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setText(f"共 {total} 件" if total is not None else "正在统计…")

    def _open_index(self, index) -> None:
        case_id = self.model.data(index, Qt.UserRole)
        if case_id:
            self.open_case.emit(case_id)
