"""City mode buttons on the case view: 交办 (assign a city matter to a township, with a deadline) and
督办 (a supervision note on a township's matter). Both travel down in the city's next bundles."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Callable

import shiboken6
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain import workflow as wf
from ..services.permissions import Actor, Permission
from ..services.sync import CITY_CODE, SyncService
from .case_actions import CaseAction, register
from .errors import show_error

if TYPE_CHECKING:
    from ..services.queries import CaseDetail
    from .context import AppContext


def _is_city(actor: Actor) -> bool:
    return actor.unit_code == CITY_CODE


class InstructionDialog(QDialog):
    def __init__(self, parent: QWidget | None, kind: str, townships: list[tuple[str, str]], default: str | None,
                 today):
        super().__init__(parent)
        self.kind = kind
        self.setWindowTitle("交办" if kind == "assign" else "督办")
        self.township = QComboBox()
        for code, name in townships:
            self.township.addItem(f"{name}（{code}）", code)
        if default:
            i = self.township.findData(default)
            if i >= 0:
                self.township.setCurrentIndex(i)
        self.deadline = QDateEdit()
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        d = today + timedelta(days=wf.ROUTE_DAYS)     # a reply asked for within the 15 days of 第二十二条
        self.deadline.setDate(QDate(d.year, d.month, d.day))
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("交办要求：办理要求和报结方式" if kind == "assign" else "督办意见：存在的问题和整改要求")
        self.message = QLabel()
        self.message.setStyleSheet("color: #9b1111;")
        form = QFormLayout()
        form.addRow("接收乡镇：", self.township)
        if kind == "assign":
            form.addRow("办理期限：", self.deadline)
        form.addRow("内容：", self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("交办" if kind == "assign" else "督办")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("保存后随下次导出的同步包送达该乡镇，出现在其“交办督办”列表中。"))
        layout.addWidget(self.message)
        layout.addWidget(buttons)


def _run(kind: str) -> Callable[["QWidget", "AppContext", "CaseDetail", Callable[[], None]], None]:
    def run(parent: QWidget, ctx: "AppContext", detail: "CaseDetail", done: Callable[[], None]) -> None:
        service = ctx.services.get(SyncService)
        peers = [(p.unit_code, p.unit_name) for p in service.peers() if p.role == "township" and not p.revoked]
        if not peers:
            from ..domain.errors import NotFound

            show_error(parent, NotFound("还没有登记任何乡镇的同步密钥，无法交办督办。请先在“同步”页登记乡镇。"))
            return
        default = detail.row.township_code
        dialog = InstructionDialog(parent, kind, peers, default, ctx.services.clock.today())
        if dialog.exec() != QDialog.Accepted:
            return
        to = dialog.township.currentData()
        text = dialog.text.toPlainText()
        q = dialog.deadline.date()

        def work():
            from datetime import date

            if kind == "assign":
                return service.assign(ctx.actor, detail.row.id, to, date(q.year(), q.month(), q.day()), text)
            return service.supervise(ctx.actor, detail.row.id, text, to_unit=to)

        def saved(_result) -> None:
            if shiboken6.isValid(parent):
                done()

        ctx.tasks.run(work, on_done=saved, on_error=lambda exc, tb: show_error(parent, exc, tb), writes=True)

    return run


STATE_WORDS = {
    "local": ("仅在本机", "该事项（或其最近的办理记录）还没有导出。下次在“同步”页导出并复制到U盘时会一并送出。"),
    "exported": ("已导出，待对方确认", "已写入同步包，等待对方导入后发回确认回执。"),
    "acknowledged": ("对方已确认收到", "对方已导入包含该事项最新情况的同步包并发回了确认。"),
    "received": ("由其他单位同步而来", "该事项由其所属单位登记和维护，本机的是同步收到的副本。"),
}


def _show_state(parent: QWidget, ctx: "AppContext", detail: "CaseDetail", done: Callable[[], None]) -> None:
    from PySide6.QtWidgets import QMessageBox

    service = ctx.services.get(SyncService)

    def shown(state: str) -> None:
        if shiboken6.isValid(parent):
            title, text = STATE_WORDS[state]
            QMessageBox.information(parent, "同步状态", f"{detail.row.number}：{title}。\n{text}")

    ctx.tasks.run(lambda: service.record_state(detail.row.id), on_done=shown,
                  on_error=lambda exc, tb: show_error(parent, exc, tb), writes=False)


register(CaseAction("sync.state", "同步状态", 90, lambda detail, actor: actor.can(Permission.VIEW), _show_state))
register(CaseAction("sync.assign", "交办乡镇…", 80,
                    lambda detail, actor: _is_city(actor) and actor.can(Permission.ROUTE)
                    and detail.row.number.startswith(CITY_CODE[:9]), _run("assign")))
register(CaseAction("sync.supervise", "督办…", 81,
                    lambda detail, actor: _is_city(actor) and actor.can(Permission.NOTE), _run("supervise")))
