"""The workflow's buttons on the case view: one per action the workflow allows now and the user may do.

Importing this module registers them. Each opens its dialog (action_dialogs); after the service
accepted the action the view reloads and the document the action produces opens in the print
preview (route → 转送／交办单, or the notice to the petitioner when told at once; notify → the notice;
refuse → refusal notice; extend → extension notice; reply → 处理意见书 or 答复意见书; a 复查/复核
decided here → its 意见书). Follow-up (回访) belongs to the attention feature.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QWidget

from ..domain import workflow as wf
from ..services.cases import EVENT_PERMISSIONS
from ..services.permissions import Actor
from ..services.printing import EVENT_DOCUMENT
from ..services.queries import CaseDetail
from .action_dialogs import DIALOGS, ActionDialog
from .case_actions import CaseAction, register
from .context import AppContext
from .print_preview import print_case_document

# (kind, button label with its mnemonic, order)
BUTTONS: tuple[tuple[wf.EventKind, str, int], ...] = (
    (wf.EventKind.RECLASSIFIED, "更正事项类型(&T)", 5),
    (wf.EventKind.ROUTED, "转办(&R)", 10),
    (wf.EventKind.OBJECTED, "异议退回(&B)", 15),
    (wf.EventKind.NOTIFIED, "书面告知(&N)", 20),
    (wf.EventKind.REFUSED, "不予受理(&J)", 30),
    (wf.EventKind.EXTENDED, "延期(&E)", 40),
    (wf.EventKind.REPLIED, "书面答复(&A)", 50),
    (wf.EventKind.DELIVERED, "记录送达(&D)", 55),
    (wf.EventKind.REVIEW_REQUESTED, "复查申请(&V)", 60),
    (wf.EventKind.REVIEW_DECIDED, "复查意见(&W)", 70),
    (wf.EventKind.RECHECK_REQUESTED, "复核申请(&K)", 80),
    (wf.EventKind.HEARING, "复核听证(&G)", 85),
    (wf.EventKind.RECHECK_DECIDED, "复核意见(&H)", 90),
    (wf.EventKind.CLOSED, "办结(&C)", 110),
    (wf.EventKind.NOTE, "备注(&M)", 120),
)


def document_after(kind: wf.EventKind, data: dict, detail: CaseDetail | None = None,
                   unit_code: str | None = None) -> str | None:
    """The document an accepted action produces here, if any (`detail`: the case before the action)."""
    name = EVENT_DOCUMENT.get(kind)
    if kind == wf.EventKind.ROUTED:
        if data.get("route") == wf.Route.OTHER_CHANNEL.value:
            return "notice"                 # the petitioner is told which procedure to use
        if data.get("route") not in (wf.Route.TRANSFER.value, wf.Route.ASSIGN.value):
            return "notice" if data.get("notified") else None
    if kind == wf.EventKind.NOTIFIED and data.get("exempt"):
        return None
    if detail is not None and kind == wf.EventKind.REPLIED:
        if detail.state.route == wf.Route.ASSIGN and detail.unit_code == unit_code:
            return None                     # the assigned unit's report, recorded: nothing to print here
        return "answer" if detail.state.matter.answers else "decision"
    if kind in (wf.EventKind.REVIEW_DECIDED, wf.EventKind.RECHECK_DECIDED):
        # only where this office is the superior that decided it
        return name if detail is not None and detail.unit_code != unit_code else None
    return name


def _available(kind: wf.EventKind) -> Callable[[CaseDetail, Actor], bool]:
    return lambda detail, actor: kind.value in detail.allowed and actor.can(EVENT_PERMISSIONS[kind])


def open_action(parent: QWidget, ctx: AppContext, detail: CaseDetail, kind: wf.EventKind,
                done: Callable[[], None]) -> ActionDialog:
    dialog = DIALOGS[kind](parent, ctx, detail)

    def saved(_state) -> None:
        data = dict(dialog.submitted or {})
        done()
        name = document_after(kind, data, detail, ctx.actor.unit_code)
        if name is not None:
            opener = getattr(parent, "preview_opened", None)
            print_case_document(parent, ctx, detail.row.number, name, on_shown=opener)

    dialog.saved.connect(saved)
    dialog.open()
    return dialog


for _kind, _label, _order in BUTTONS:
    register(CaseAction(
        key=f"workflow.{_kind.value}", label=_label, order=_order, available=_available(_kind),
        run=lambda parent, ctx, detail, done, k=_kind: open_action(parent, ctx, detail, k, done)))
