"""City mode buttons on the case view: 交办 (assign a city matter to a township, with a deadline) and
督办 (a supervision note on a township's matter). Both travel down in the city's next bundles."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Callable

from PySide6.QtWidgets import QWidget

from ..domain import workflow as wf
from ..services.permissions import Actor, Permission
from ..services.sync import CITY_CODE, SyncService
from .case_actions import CaseAction, register
from .errors import show_error
from .form_dialog import Field, FieldFormDialog, FormLook

if TYPE_CHECKING:
    from ..services.queries import CaseDetail
    from .context import AppContext


def _is_city(actor: Actor) -> bool:
    return actor.unit_code == CITY_CODE


INSTRUCTION_LOOK = FormLook(min_width=520, tips="", head_style="")


class InstructionDialog(FieldFormDialog):
    """交办 (to a township, with a deadline) or 督办 (a supervision note): saved through the write lane by
    `submit`; a refusal stays in the dialog, beside the field it is about."""

    def __init__(self, parent: QWidget | None, ctx: "AppContext", kind: str, townships: list[tuple[str, str]],
                 default: str | None, submit: Callable[[dict], object]):
        self.kind = kind
        assign = kind == "assign"
        fields = [Field("to_unit", "接收乡镇", "choice", choices=tuple((code, f"{name}（{code}）") for code, name in townships),
                        default=default)]
        if assign:      # a reply asked for within the 15 days of 第二十二条
            fields.append(Field("deadline", "办理期限", "date",
                                default=ctx.services.clock.today() + timedelta(days=wf.ROUTE_DAYS)))
        fields.append(Field("text", "内容", "text", placeholder="交办要求：办理要求和报结方式" if assign
                            else "督办意见：存在的问题和整改要求"))
        super().__init__(parent, ctx, "交办" if assign else "督办", fields,
                         foot="保存后随下次导出的同步包送达该乡镇，出现在其“交办督办”列表中。",
                         ok_label="交办" if assign else "督办", look=INSTRUCTION_LOOK, submit=submit)
        self.township, self.text = self.editor("to_unit"), self.editor("text")
        self.deadline = self.editor("deadline") if assign else None


def _run(kind: str) -> Callable[["QWidget", "AppContext", "CaseDetail", Callable[[], None]], None]:
    def run(parent: QWidget, ctx: "AppContext", detail: "CaseDetail", done: Callable[[], None]) -> None:
        service = ctx.services.get(SyncService)
        peers = [(p.unit_code, p.unit_name) for p in service.peers() if p.role == "township" and not p.revoked]
        if not peers:
            from ..domain.errors import NotFound

            show_error(parent, NotFound("还没有登记任何乡镇的同步密钥，无法交办督办。请先在“同步”页登记乡镇。"))
            return

        # what the view showed: one on a case with an event (a township's reply by sync) or a 交办督办 it did
        # not show is refused (StaleCase), the dialog says what, and the view offers to read it again
        seen = dict(seen_events=detail.seen_events, seen_instructions=detail.instructions)

        def submit(values: dict):
            if kind == "assign":
                return service.assign(ctx.actor, detail.row.id, values["to_unit"], values["deadline"], values["text"],
                                      **seen)
            return service.supervise(ctx.actor, detail.row.id, values["text"], to_unit=values["to_unit"], **seen)

        # An instruction is shown with its case (交办 changes the case's state): the lists reload (the
        # write lane's default `changes`).
        dialog = InstructionDialog(parent, ctx, kind, peers, detail.row.township_code, submit)
        dialog.saved.connect(lambda _result: done())
        dialog.exec()

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
        title, text = STATE_WORDS[state]
        QMessageBox.information(parent, "同步状态", f"{detail.row.number}：{title}。\n{text}")

    ctx.tasks.run(lambda: service.record_state(detail.row.id), on_done=shown,
                  on_error=lambda exc, tb: show_error(parent, exc, tb), writes=False, owner=parent)


register(CaseAction("sync.state", "同步状态", 90, lambda detail, actor: actor.can(Permission.VIEW), _show_state))
register(CaseAction("sync.assign", "交办乡镇…", 80,
                    lambda detail, actor: _is_city(actor) and actor.can(Permission.ROUTE)
                    and detail.row.number.startswith(CITY_CODE[:9]), _run("assign")))
register(CaseAction("sync.supervise", "督办…", 81,
                    lambda detail, actor: _is_city(actor) and actor.can(Permission.NOTE), _run("supervise")))
