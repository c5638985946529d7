"""台账导入: open an .xlsx or .csv ledger, correct the guessed column mapping, check every row
(nothing is written), then import the valid rows in one go; the rest go to a rejects file.

Reading, checking and importing run off the UI thread with a progress bar; checking and importing
can be cancelled (an import cancelled is rolled back whole). A big ledger's check lists every row
with a problem and the first of the good ones, not fifty thousand lines."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QCloseEvent, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ..services.ledger import (FIELDS, KEEP, PERSON_CONFLICT_POLICIES, ImportPlan, ImportResult, LedgerCancelled,
                               LedgerService, RawTable, RowCheck, guess_mapping, read_table, rejects_path_for)
from .context import AppContext
from .errors import show_error
from .busy_panel import BusyPanel
from .tasks import TaskState

STATUS_TEXT = {"ok": "可导入", "duplicate": "已存在，跳过", "rejected": "有问题", "conflict": "姓名与已登记的不一致"}
STATUS_COLOUR = {"ok": QColor("#dff3e4"), "duplicate": QColor("#eeeeee"), "rejected": QColor("#fbd5d5"),
                 "conflict": QColor("#fde7c2")}
NOTE_COLOUR = QColor("#fff6d6")      # an ok row whose person is registered apart or kept as registered
SAMPLES = 3
LISTED = 2000          # rows shown after a check: every problem row first, then good rows, up to this


class LedgerImportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.ledger = ctx.services.get(LedgerService)
        self.path: Path | None = None
        self.table: RawTable | None = None
        self.plan: ImportPlan | None = None
        self.result: ImportResult | None = None
        self.imported = False
        self.state: TaskState | None = None      # the running check or import, for 取消
        self.setWindowTitle("导入台账")
        self.resize(980, 640)

        self.file_label = QLabel("请选择要导入的台账文件（.xlsx 或 .csv）。")
        self.file_label.setWordWrap(True)
        self.open_button = QPushButton("选择文件(&O)…")
        self.open_button.clicked.connect(self._choose)
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.open_button)

        # step 1: mapping
        self.mapping = QTableWidget(0, 3)
        self.mapping.setHorizontalHeaderLabels(["台账中的列", "导入为", "示例内容"])
        self.mapping.verticalHeader().setVisible(False)
        self.mapping.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.mapping.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.combos: list[QComboBox] = []
        # step 2: the rows checked
        self.rows = QTableWidget(0, 5)
        self.rows.setHorizontalHeaderLabels(["行号", "检查结果", "姓名", "收到日期", "问题"])
        self.rows.verticalHeader().setVisible(False)
        self.rows.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.rows.setWordWrap(True)
        self.rows.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        # What to do with a row whose ID number is registered with another name (checked again on change).
        self.person_policy = QComboBox()
        for key, label in PERSON_CONFLICT_POLICIES.items():
            self.person_policy.addItem(label, key)
        self.person_policy.setCurrentIndex(self.person_policy.findData(KEEP))
        self.person_policy.activated.connect(lambda _i: self._check())
        policy_label = QLabel("身份证号码已登记、但姓名不同的行(&P)：")
        policy_label.setBuddy(self.person_policy)
        rows_page = QWidget()
        rows_layout = QVBoxLayout(rows_page)
        rows_layout.setContentsMargins(0, 0, 0, 0)
        policy_line = QHBoxLayout()
        policy_line.addWidget(policy_label)
        policy_line.addWidget(self.person_policy)
        policy_line.addStretch(1)
        rows_layout.addLayout(policy_line)
        rows_layout.addWidget(self.rows, 1)
        self.steps = QStackedWidget()
        self.steps.addWidget(self.mapping)
        self.steps.addWidget(rows_page)

        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.back_button = QPushButton("← 修改列对应")
        self.back_button.clicked.connect(lambda: self._step(0))
        self.check_button = QPushButton("检查每一行(&C)")
        self.check_button.setToolTip("只检查，不写入任何数据")
        self.check_button.clicked.connect(self._check)
        self.import_button = QPushButton("导入(&I)")
        self.import_button.clicked.connect(self._import)
        self.close_button = QPushButton("关闭")
        self.close_button.clicked.connect(self.reject)
        self.busy_panel = BusyPanel(cancel_tip="停止检查或导入；导入中取消时不会导入任何记录")
        self.busy_panel.cancelling.connect(lambda: self.summary.setText("正在取消……"))
        self.progress, self.cancel_button = self.busy_panel.progress, self.busy_panel.cancel_button
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for b in (self.back_button, self.check_button, self.import_button, self.close_button):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.steps, 1)
        lay.addWidget(self.busy_panel)
        lay.addLayout(buttons)
        self._step(0)
        self.check_button.setEnabled(False)

    # -- steps ------------------------------------------------------------------------------------------
    def _step(self, n: int) -> None:
        self.steps.setCurrentIndex(n)
        self.back_button.setVisible(n == 1)
        self.check_button.setVisible(n == 0)
        self.import_button.setVisible(n == 1)
        if n == 0:
            self._show_mapping_state()

    def _show_mapping_state(self) -> None:
        """What the mapping lacks, before any row is checked: the required fields no column is chosen for."""
        if self.table is None:
            self.summary.setText("")
            return
        chosen = set(self.current_mapping().values())
        missing = [f.label for f in FIELDS if f.required and f.key not in chosen]
        if missing:
            self.summary.setText("还没有列对应这些必填字段：" + "、".join(missing)
                                 + "。请在“导入为”一栏中，为含有这些内容的列选择字段。")
        else:
            self.summary.setText("已按列名自动对应（见“导入为”一栏），请核对；不需要的列选“不导入”。"
                                 "然后按“检查每一行”（只检查，不写入）。")

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择台账文件", "", "台账 (*.xlsx *.csv);;所有文件 (*)")
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> None:
        self.path = path
        self.file_label.setText(f"正在读取 {path.name}……")
        self._busy(f"正在读取 {path.name}……", cancellable=False)
        self.ctx.tasks.run(lambda: read_table(path), writes=False, on_done=self._opened, on_error=self._failed, owner=self)

    def _opened(self, table: RawTable) -> None:
        self._idle()
        self.table = table
        self.file_label.setText(f"{table.file_name}：{len(table.rows)}行，{len(table.headers)}列")
        guessed = guess_mapping(table.headers)
        self.mapping.setRowCount(len(table.headers))
        self.combos = []
        for i, header in enumerate(table.headers):
            self.mapping.setItem(i, 0, QTableWidgetItem(header or f"（第{i + 1}列，无列名）"))
            combo = QComboBox()
            combo.addItem("— 不导入 —", None)
            for f in FIELDS:
                combo.addItem(f.label + ("（必填）" if f.required else ""), f.key)
            key = guessed.get(i)
            combo.setCurrentIndex(combo.findData(key) if key else 0)
            combo.currentIndexChanged.connect(lambda _i: self._show_mapping_state())
            self.mapping.setCellWidget(i, 1, combo)
            self.combos.append(combo)
            samples = [str(r[i]) for r in table.rows[:SAMPLES] if i < len(r) and r[i] not in (None, "")]
            self.mapping.setItem(i, 2, QTableWidgetItem("；".join(samples)))
        self.mapping.resizeColumnToContents(0)
        self.mapping.setColumnWidth(1, 180)
        self.check_button.setEnabled(True)
        self._step(0)

    def current_mapping(self) -> dict[int, str]:
        return {i: c.currentData() for i, c in enumerate(self.combos) if c.currentData()}

    def _check(self) -> None:
        if self.table is None:
            return
        table, mapping, actor = self.table, self.current_mapping(), self.ctx.actor

        policy = self.person_policy.currentData()

        def work(state: TaskState) -> ImportPlan:
            return self.ledger.dry_run(actor, table, mapping, person_conflicts=policy, progress=state.progress,
                                       cancelled=state.cancelled)

        self._busy("正在检查……", cancellable=True)
        self.ctx.tasks.run(work, writes=False, on_done=self._checked, on_error=self._failed,
                           progress=self._progress, state=self.state, owner=self)

    def _checked(self, plan: ImportPlan) -> None:
        self._idle()
        self.plan = plan
        listed = listed_rows(plan.rows)
        self.rows.setUpdatesEnabled(False)
        self.rows.setRowCount(len(listed))
        for i, r in enumerate(listed):
            status = STATUS_TEXT[r.status] + ("（按另一人）" if r.person == "separate" else
                                              "（保留已登记信息）" if r.person == "kept" else "")
            values = [str(r.row_number), status, r.values.get("name", ""), r.values.get("received_at", ""),
                      r.summary or r.note]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setBackground(NOTE_COLOUR if r.status == "ok" and r.person else STATUS_COLOUR[r.status])
                if j == 4 and v:
                    item.setToolTip(v)
                self.rows.setItem(i, j, item)
        self.rows.resizeColumnsToContents()
        self.rows.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        self.rows.resizeRowsToContents()            # several problems in one row wrap, not vanish
        self.rows.setUpdatesEnabled(True)
        ok, dup, bad = plan.count("ok"), plan.count("duplicate"), plan.count("rejected")
        self.summary.setText(f"检查完毕（未写入任何数据）：可导入{ok}行，已存在跳过{dup}行，有问题{bad}行。"
                             + person_summary(plan.count("conflict"), plan.count_person("separate"),
                                              plan.count_person("kept"), done=False)
                             + ("有问题的行不会导入，将写入“未导入”文件，改正后可再次导入。" if bad else "")
                             + (f"下表列出其中{len(listed)}行：有问题的行在前，其后是最前面的可导入行。" if len(listed) < len(plan.rows)
                                else ""))
        self.import_button.setText(f"导入{ok}行(&I)")
        self.import_button.setEnabled(ok > 0)
        self._step(1)

    def _import(self) -> None:
        if self.table is None or self.plan is None or self.path is None:
            return
        table, mapping, rejects, actor = self.table, self.plan.mapping, rejects_path_for(self.path), self.ctx.actor
        policy = self.person_policy.currentData()

        def work(state: TaskState) -> ImportResult:
            return self.ledger.run_import(actor, table, mapping, rejects_path=rejects, person_conflicts=policy,
                                          progress=state.progress, cancelled=state.cancelled)

        self._busy("正在导入……", cancellable=True)
        self.ctx.tasks.run(work, writes=True, on_done=self._imported, on_error=self._failed,
                           progress=self._progress, state=self.state, owner=self)

    def _imported(self, result: ImportResult) -> None:
        self._idle()
        self.result = result
        self.imported = result.imported > 0
        text = (f"已导入{result.imported}行，已存在跳过{result.skipped}行，有问题未导入{result.rejected}行。"
                + person_summary(result.conflicts, result.separated, result.kept, done=True))
        if result.rejects_file:
            # The name only (a full path does not wrap and is cut off); the tooltip has the folder.
            text += f"未导入的行及原因已写入台账所在文件夹中的“{result.rejects_file.name}”，改正后可再次导入。"
            self.summary.setToolTip(str(result.rejects_file))
        self.summary.setText(text)
        self.import_button.setVisible(False)
        self.back_button.setVisible(False)
        self.close_button.setText("完成")

    def _failed(self, exc: BaseException, details: str) -> None:
        self._idle()
        if self.table is None:
            self.file_label.setText("请选择要导入的台账文件（.xlsx 或 .csv）。")
        if isinstance(exc, LedgerCancelled):       # the clerk's own choice: said plainly, not as an error
            self.summary.setText(exc.message)
            return
        self.summary.setText("")
        show_error(self, exc, details)

    # -- running work: progress, cancel, no closing half-way -------------------------------------------
    def cancel(self) -> None:
        self.busy_panel.cancel()

    def busy(self) -> bool:
        return self.busy_panel.busy()

    def _busy(self, text: str, *, cancellable: bool) -> None:
        # reading a file has no fraction to show; checking and importing do, and can be cancelled
        self.state = self.busy_panel.start(cancellable=cancellable, measured=cancellable)
        for b in (self.open_button, self.back_button, self.check_button, self.import_button, self.close_button):
            b.setEnabled(False)
        self.steps.setEnabled(False)
        self.summary.setText(text)

    def _idle(self) -> None:
        self.state = None
        self.busy_panel.stop()
        for b in (self.open_button, self.back_button, self.close_button):
            b.setEnabled(True)
        self.check_button.setEnabled(self.table is not None)
        self.import_button.setEnabled(bool(self.plan and self.plan.count("ok")))
        self.steps.setEnabled(True)

    def _progress(self, fraction: float, text: str) -> None:
        if self.busy():
            self.busy_panel.set_progress(fraction)
            if text and self.cancel_button.isEnabled():
                self.summary.setText(text)

    def reject(self) -> None:
        if self.busy():           # the work goes on without a window to report to: use 取消 first
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy():
            event.ignore()
            return
        super().closeEvent(event)


def person_summary(conflicts: int, separated: int, kept: int, *, done: bool) -> str:
    """How many rows the person rule touched (a registered person is never changed by a ledger row)."""
    will = "已" if done else "将"
    parts = []
    if conflicts:
        parts.append(f"身份证号码已登记、但姓名不同的{conflicts}行{'未导入' if done else '不会导入'}"
                     f"（已登记的信访人不作修改），{will}列入“未导入”文件")
    if separated:
        parts.append(f"其中{separated}行姓名与已登记的不同，{will}按另一人登记（不登记其身份证号码）")
    if kept:
        parts.append(f"{kept}行的电话、住址等与已登记的不同，{will}保留已登记的信息")
    return "；".join(parts) + "。" if parts else ""


def listed_rows(rows: list[RowCheck], limit: int = LISTED) -> list[RowCheck]:
    """All rows in sheet order when few; otherwise the problem rows first (up to the limit), then
    the first good rows, so a problem in row 30,000 is not at the bottom of a long table."""
    if len(rows) <= limit:
        return rows
    problems = [r for r in rows if r.status != "ok"][:limit]
    return problems + [r for r in rows if r.status == "ok"][:limit - len(problems)]
