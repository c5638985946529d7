"""统计: pick a period and a scope; see the figures as cards, charts and tables beside the same
period a year earlier; export the tables (.xlsx), the report (PDF) and the case ledger; import
old ledgers (台账导入, in gui/ledger_import.py).

Every figure is computed by services/statistics.py in the background; this page only shows it.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog,
                               QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QScrollArea, QSpinBox, QTableWidget, QTableWidgetItem,
                               QTabWidget, QVBoxLayout, QWidget)

from ...domain import statistics as st
from ...domain.statistics import Breakdown, Scope, Statistics, change_text
from ...domain.statistics_tables import StatTable, report_tables
from ...services.permissions import Permission
from ...services.statistics import StatisticsService, statistics_sheets
from ..charts import NOW, PEOPLE, Bar, BarChart, LineChart
from ..context import AppContext
from ..errors import show_error
from ..busy_panel import BusyPanel
from ..refresh import refresh_on_change
from ..tasks import OTHER
from ..tables import read_only_table

PAGE_KEY = "stats"
KINDS = [("month", "月度"), ("quarter", "季度"), ("year", "年度"), ("custom", "自定义")]


def create(ctx: AppContext, window) -> QWidget:
    return StatsPage(ctx)


class Card(QFrame):
    """A big number with a caption and a line under it."""

    def __init__(self, caption: str, parent=None):
        super().__init__(parent)
        self.setObjectName("card")
        self.setStyleSheet("#card { background: #f5f8fc; border: 1px solid #d5dfeb; border-radius: 6px; }")
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #555;")
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size: 20pt; font-weight: bold; color: #1f4e8c;")
        self.note = QLabel("")
        self.note.setStyleSheet("color: #555;")
        self.note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        lay.addWidget(self.note)

    def show_value(self, value: str, note: str = "", tooltip: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)
        self.setToolTip(tooltip)


class ScopeDialog(QDialog):
    """Tick the townships to count; none ticked means all."""

    def __init__(self, townships: list[tuple[str, str]], chosen: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.setWindowTitle("选择统计范围")
        self.list = QListWidget()
        for code, name in townships:
            item = QListWidgetItem(name)
            item.setData(Qt.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if code in chosen else Qt.Unchecked)
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("确定")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("勾选要统计的乡镇（街道）；都不勾选即为全部："))
        lay.addWidget(self.list, 1)
        lay.addWidget(buttons)
        # every township in view without scrolling (a county has about twenty), within the screen
        rows = min(self.list.count(), 20)
        row_h = self.list.sizeHintForRow(0) if self.list.count() else 20
        self.list.setMinimumHeight(rows * row_h + 2 * self.list.frameWidth() + 4)
        self.setMinimumWidth(360)

    def codes(self) -> tuple[str, ...]:
        return tuple(self.list.item(i).data(Qt.UserRole) for i in range(self.list.count())
                     if self.list.item(i).checkState() == Qt.Checked)


def _item(value, *, number: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    if number:
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    if bold:
        f = item.font()
        f.setBold(True)
        item.setFont(f)
    return item


def _stat_table(t: StatTable) -> QTableWidget:
    w = read_only_table(t.headers, alternate=True, stretch=0)
    w.setRowCount(len(t.rows))
    w.setWordWrap(True)
    long_text = [i for i, c in enumerate(t.columns) if c.key in ("definition", "formula")]
    for i, r in enumerate(t.rows):
        for j, (col, cell) in enumerate(zip(t.columns, r.cells)):
            item = _item(cell.text, number=col.kind != "text", bold=r.kind != "item")
            if j in long_text:
                item.setToolTip(cell.text)
            w.setItem(i, j, item)
    w.resizeColumnsToContents()
    header = w.horizontalHeader()
    if long_text:
        for j in range(len(t.columns)):
            header.setSectionResizeMode(j, QHeaderView.Stretch if j == long_text[-1] else QHeaderView.ResizeToContents)
        # Heights follow the wrapped text at the width the table has when shown, not at its first
        # narrow width (where one row of 口径 would fill the whole tab).
        w.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    else:
        header.setSectionResizeMode(0, QHeaderView.Stretch)
    return w


class StatsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.stats: Statistics | None = None
        self.scope_codes: tuple[str, ...] = ()
        self._generation = 0
        today = ctx.services.clock.today()
        self.townships = [(d.code, d.name) for d in ctx.services.divisions.townships()]

        # -- the period and the scope ------------------------------------------------------------------
        self.kind = QComboBox()
        for key, label in KINDS:
            self.kind.addItem(label, key)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.year.setSuffix(" 年")
        self.month = QSpinBox()
        self.month.setRange(1, 12)
        self.month.setValue(today.month)
        self.month.setSuffix(" 月")
        self.quarter = QSpinBox()
        self.quarter.setRange(1, 4)
        self.quarter.setValue((today.month - 1) // 3 + 1)
        self.quarter.setPrefix("第 ")
        self.quarter.setSuffix(" 季度")
        self.start = QDateEdit(QDate(today.year, 1, 1))
        self.end = QDateEdit(QDate(today.year, today.month, today.day))
        for d in (self.start, self.end):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.scope_button = QPushButton("范围：全部")
        self.scope_button.setToolTip("选择一个或几个乡镇（街道）；不选为全部")
        self.scope_button.clicked.connect(self._pick_scope)
        self.run_button = QPushButton("统计(&S)")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.refresh)
        self.export_button = QPushButton("导出统计表(&E)…")
        self.export_button.clicked.connect(self._export_xlsx)
        self.report_button = QPushButton("生成报告(&R)…")
        self.report_button.clicked.connect(self._report)
        self.ledger_button = QPushButton("导出台账…")
        self.ledger_button.clicked.connect(self._export_ledger)
        self.import_button = QPushButton("导入台账(&I)…")
        self.import_button.clicked.connect(self._import_ledger)
        self.import_button.setVisible(ctx.actor.can(Permission.REGISTER))
        for b in (self.export_button, self.report_button):
            b.setEnabled(False)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("期间："))
        for w in (self.kind, self.year, self.month, self.quarter, self.start, QLabel("至"), self.end):
            bar.addWidget(w)
        self._to_label = bar.itemAt(bar.count() - 2).widget()
        bar.addSpacing(12)
        bar.addWidget(self.scope_button)
        bar.addWidget(self.run_button)
        bar.addStretch(1)
        tools = QHBoxLayout()
        self.heading = QLabel("")
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        tools.addWidget(self.heading, 1)
        self.busy = BusyPanel(width=110)
        tools.addWidget(self.busy)
        for b in (self.export_button, self.report_button, self.ledger_button, self.import_button):
            tools.addWidget(b)

        # -- cards ------------------------------------------------------------------------------------------
        self.cards = {key: Card(caption) for key, caption in (
            ("total", "登记信访事项"), ("repeat", "重件（重复信访）"), ("group", "集体访"), ("overdue", "超期未办"))}
        self.rate_cards = {d.key: Card(d.name) for d in st.RATE_DEFS}
        cards = QGridLayout()
        for i, c in enumerate(self.cards.values()):
            cards.addWidget(c, 0, i)
        rates = QGridLayout()
        for i, c in enumerate(self.rate_cards.values()):
            rates.addWidget(c, 0, i)

        # -- charts -----------------------------------------------------------------------------------------
        self.category_chart = BarChart("问题类别（一级，批次）")
        self.township_chart = BarChart("各乡镇（街道）登记批次")
        self.month_chart = LineChart("逐月登记")
        charts = QGridLayout()
        charts.addWidget(self.category_chart, 0, 0)
        charts.addWidget(self.township_chart, 0, 1)
        charts.addWidget(self.month_chart, 1, 0, 1, 2)

        # -- tables -----------------------------------------------------------------------------------------
        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}

        self.status = QLabel("选择期间和范围后按“统计”。")
        self.status.setStyleSheet("color: #555;")
        self.status.setWordWrap(True)   # the comparison sentence is long: wrap it rather than widen the page

        body = QWidget()
        lay = QVBoxLayout(body)
        lay.addLayout(tools)
        lay.addWidget(self.status)
        lay.addLayout(cards)
        lay.addLayout(rates)
        lay.addLayout(charts)
        lay.addWidget(self.tabs)
        self.tabs.setMinimumHeight(320)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QFrame.NoFrame)
        outer = QVBoxLayout(self)
        outer.addLayout(bar)
        outer.addWidget(scroll, 1)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.kind.setCurrentIndex(0)
        self._kind_changed()
        self._shown = False
        # Only once computed: the first computation waits until the page is looked at.
        refresh_on_change(self, ctx.tasks, self._data_changed)

    def _data_changed(self) -> None:
        """Figures computed again after a write here or on another desk; not while the clerk is still typing a
        custom span that does not read yet (the message is for pressing 统计, not for another desk's change)."""
        if not self._shown:
            return
        try:
            self.period()
        except Exception:  # noqa: BLE001 - said when the clerk asks for the figures
            return
        self.refresh()

    def showEvent(self, event) -> None:
        # Computed when first looked at, not when the window opens: a city's year takes seconds.
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.refresh()

    # -- the period ----------------------------------------------------------------------------------------
    def _kind_changed(self, *_):
        kind = self.kind.currentData()
        self.year.setVisible(kind != "custom")
        self.month.setVisible(kind == "month")
        self.quarter.setVisible(kind == "quarter")
        for w in (self.start, self.end, self._to_label):
            w.setVisible(kind == "custom")

    def period(self) -> st.Period:
        kind = self.kind.currentData()
        if kind == "month":
            return st.month(self.year.value(), self.month.value())
        if kind == "quarter":
            return st.quarter(self.year.value(), self.quarter.value())
        if kind == "year":
            return st.year(self.year.value())
        return st.custom(self.start.date().toPython(), self.end.date().toPython())

    def _pick_scope(self) -> None:
        dialog = ScopeDialog(self.townships, self.scope_codes, self)
        if dialog.exec() == QDialog.Accepted:
            self.scope_codes = dialog.codes()
            names = dict(self.townships)
            label = "全部" if not self.scope_codes else "、".join(names[c] for c in self.scope_codes[:3]) + (
                f"等{len(self.scope_codes)}个" if len(self.scope_codes) > 3 else "")
            self.scope_button.setText(f"范围：{label}")
            self.refresh()

    # -- computing ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            period = self.period()
        except Exception as exc:  # noqa: BLE001 - a wrong custom span: say so
            show_error(self, exc)
            return
        self._generation += 1
        gen = self._generation
        scope = Scope(self.scope_codes)
        self.status.setText(f"正在统计{period.label}……")
        self.run_button.setEnabled(False)
        svc = self.ctx.services.get(StatisticsService)
        # a township's figures also by village (按村（社区）, its own tabs); a city's as they are
        self.ctx.tasks.run(lambda: svc.compute(self.ctx.actor, period, scope, by_village=svc.villages_apply()),
                           writes=False,
                           on_done=lambda s: self._show(gen, s), on_error=self._failed, owner=self)

    def _failed(self, exc: BaseException, details: str) -> None:
        self.run_button.setEnabled(True)
        self.status.setText("统计没有完成。")
        show_error(self, exc, details)

    def _show(self, gen: int, s: Statistics) -> None:
        if gen != self._generation:
            return
        self.stats = s
        self.run_button.setEnabled(True)
        for b in (self.export_button, self.report_button):
            b.setEnabled(True)
        e = s.earlier
        self.heading.setText(f"{s.scope_label}  {s.period.label}")
        self.status.setText(f"统计日 {s.as_of:%Y-%m-%d}。所有数字由登记和办理记录自动统计，合计由各行相加；"
                            f"比较对象为{s.comparison or '—'}。")
        total, before = s.total, (e.total if e else st.Count())
        wf = s.workflow
        compared = ""
        if e is not None:   # 上年同期为0 already says how many there were
            compared = f"\n同比：{change_text(total.batches, before.batches)}" + (
                f"（上年同期{before.batches}批）" if before.batches else "")
        self.cards["total"].show_value(f"{total.batches} 批", f"{total.people} 人次；受理{wf.accepted}批，"
                                       f"不予受理或不再受理{wf.refused}批{compared}")
        rep = s.by_repeat.get("repeat")
        grp = s.by_group.get("group")
        self.cards["repeat"].show_value(f"{rep.batches} 批", f"{rep.people} 人次")
        self.cards["group"].show_value(f"{grp.batches} 批", f"{grp.people} 人次")
        self.cards["overdue"].show_value(f"{wf.overdue} 件", st.FIGURES["overdue"].definition)
        earlier_rates = {r.key: r for r in e.rates} if e else {}
        for r in s.rates:
            prev = earlier_rates.get(r.key)
            note = f"{r.numerator} ÷ {r.denominator}" + (f"；上年同期 {prev.text}" if prev else "")
            self.rate_cards[r.key].show_value(r.text, note, f"{r.formula}\n{r.definition}")
        self._charts(s)
        self._tables(s)

    def _charts(self, s: Statistics) -> None:
        e = s.earlier

        def bars(b: Breakdown, before: Breakdown | None) -> list[Bar]:
            return [Bar(r.label, r.count.batches, before.get(r.key).batches if before else None) for r in b.rows]

        self.category_chart.set_bars(bars(s.by_category, e.by_category if e else None))
        self.township_chart.set_bars(bars(s.by_township, e.by_township if e else None))
        labels = [r.label.split("年")[1] if i and not r.key.endswith("-01") else r.label
                  for i, r in enumerate(s.months.rows)]
        self.month_chart.set_data(labels, [("批次", [r.count.batches for r in s.months.rows], NOW),
                                           ("人次", [r.count.people for r in s.months.rows], PEOPLE)],
                                  title=f"{s.months.title}（{s.months.rows[0].label}至{s.months.rows[-1].label}）")

    def _tables(self, s: Statistics) -> None:
        """The report's tables (domain.statistics_tables), cell for cell as the PDF and the xlsx have them."""
        current = self.tabs.currentIndex()
        self.tabs.clear()
        self.tables.clear()
        for t in report_tables(s):
            w = _stat_table(t)
            self.tables[t.title] = w
            self.tabs.addTab(w, t.title.replace("按", ""))
        if 0 <= current < self.tabs.count():
            self.tabs.setCurrentIndex(current)

    # -- exports --------------------------------------------------------------------------------------------
    def _save_path(self, title: str, suggested: str, filt: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, suggested, filt)
        return path or None

    def _export_xlsx(self) -> None:
        s = self.stats
        if s is None:
            return
        path = self._save_path("导出统计表", f"{s.scope_label}{s.period.label}统计表.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"

        def work():
            from ...documents.xlsx import write_workbook
            from ...services.document_files import save_file
            return save_file(path, write_workbook(statistics_sheets(s)))

        self._run_busy(self.export_button, "正在导出统计表…", work, lambda p: self._saved(f"统计表已导出：{p}"))

    def _report(self) -> None:
        s = self.stats
        if s is None:
            return
        services = self.ctx.services

        def work():
            from ...documents.report import render_statistics_report
            return render_statistics_report(s, office=services.auth.unit().name)

        def done(rendered) -> None:
            from ..print_preview import show_document
            self.preview = show_document(self, rendered, file_name=f"{rendered.title}.pdf", tasks=self.ctx.tasks)

        self._run_busy(self.report_button, "正在生成报告…", work, done)

    def _export_ledger(self) -> None:
        from ...services.ledger import LedgerService
        from ...services.queries import CaseFilter

        can_full = self.ctx.actor.can(Permission.REVEAL_PERSONAL)
        redacted = True
        if can_full:
            box = QMessageBox(QMessageBox.Question, "导出台账",
                              "台账中的身份证号码和电话是否脱敏（隐去部分数字）？\n给其他单位或打印张贴的台账请选择脱敏。",
                              parent=self)
            masked = box.addButton("脱敏导出", QMessageBox.AcceptRole)
            full = box.addButton("完整导出（记入审计）", QMessageBox.ActionRole)
            box.addButton("取消", QMessageBox.RejectRole)
            box.exec()
            if box.clickedButton() not in (masked, full):
                return
            redacted = box.clickedButton() is masked
        try:
            period = self.period()
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)
            return
        path = self._save_path("导出台账", f"信访台账{period.label}{'（脱敏）' if redacted else ''}.xlsx",
                               "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        f = CaseFilter(received_from=period.start, received_to=period.end)
        ledger = self.ctx.services.get(LedgerService)

        def work():
            from ...services.document_files import save_file
            return save_file(path, ledger.export_xlsx(self.ctx.actor, f, redacted=redacted))

        self._run_busy(self.ledger_button, "正在导出台账…", work, lambda p: self._saved(f"台账已导出：{p}"),
                       writes=True, changes=OTHER)

    def _run_busy(self, button, text: str, work, done, *, writes: bool = False, changes: str | None = None) -> None:
        """Run `work` off the UI thread with the button saying what is happening and a moving bar beside it."""
        self.busy.start(button, text, measured=False)

        def finished(result) -> None:
            self.busy.stop(button)
            done(result)

        def failed(exc: BaseException, details: str) -> None:
            self.busy.stop(button)
            self._failed(exc, details)

        lane = {"changes": changes} if changes else {}
        self.ctx.tasks.run(work, writes=writes, on_done=finished, on_error=failed, owner=self, **lane)

    def _import_ledger(self) -> None:
        from ..ledger_import import LedgerImportDialog

        dialog = LedgerImportDialog(self.ctx, self)
        dialog.finished.connect(lambda _r: self.refresh() if dialog.imported else None)
        dialog.open()
        self.import_dialog = dialog

    def _saved(self, text: str) -> None:
        self.status.setText(text)
