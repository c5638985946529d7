"""导出 the case list as it is filtered: the same workbook as the statistics page's 导出台账 (the ledger
columns, openpyxl through services/ledger.py), for exactly the cases the list shows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget

from ..services.ledger import LedgerService
from ..services.permissions import Permission
from ..services.queries import CaseFilter
from .busy_panel import BusyPanel
from .context import AppContext
from .errors import show_error
from .tasks import OTHER

XLSX_FILTER = "Excel 工作簿 (*.xlsx)"


def ask_redaction(parent: QWidget) -> bool | None:
    """True: ID numbers and phones masked; False: in full (audited); None: the clerk cancelled."""
    box = QMessageBox(QMessageBox.Question, "导出事项",
                      "导出表中的身份证号码和电话是否脱敏（隐去部分数字）？\n给其他单位或打印张贴的请选择脱敏。", parent=parent)
    masked = box.addButton("脱敏导出", QMessageBox.AcceptRole)
    full = box.addButton("完整导出（记入审计）", QMessageBox.ActionRole)
    box.addButton("取消", QMessageBox.RejectRole)
    box.exec()
    if box.clickedButton() not in (masked, full):
        return None
    return box.clickedButton() is masked


def export_filtered(parent: QWidget, ctx: AppContext, f: CaseFilter, count: int | None, *, button: QPushButton,
                    busy: BusyPanel, done) -> None:
    """Ask where (and, for a role that may see them, whether to mask), then write off the UI thread."""
    redacted = True
    if ctx.actor.can(Permission.REVEAL_PERSONAL):
        answer = ask_redaction(parent)
        if answer is None:
            return
        redacted = answer
    suggested = f"信访事项{ctx.services.clock.today():%Y%m%d}{'（脱敏）' if redacted else ''}.xlsx"
    path, _ = QFileDialog.getSaveFileName(parent, "导出筛选出的事项", suggested, XLSX_FILTER)
    if not path:
        return
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    ledger, actor = ctx.services.get(LedgerService), ctx.actor

    def work() -> Path:
        from ..services.document_files import save_file
        return save_file(path, ledger.export_xlsx(actor, f, redacted=redacted))

    def finished(saved) -> None:
        busy.stop(button)
        done(f"已导出{'' if count is None else f'{count}件'}事项：{Path(saved).name}")

    def failed(exc: BaseException, details: str) -> None:
        busy.stop(button)
        show_error(parent, exc, details)

    busy.start(button, "正在导出…", measured=False)
    ctx.tasks.run(work, writes=True, changes=OTHER, on_done=finished, on_error=failed, owner=parent)
