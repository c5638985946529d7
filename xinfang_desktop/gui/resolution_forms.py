"""Forms of 信访评理 and the 积案 register, opened from their pages and from the case view: a 评理 session (new or
a correction), a decision to put a matter on the register, a plan step, a step done, the 化解 outcome.

Listed in gui/features.py, which registers the case view's buttons it defines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

from PySide6.QtWidgets import QFileDialog, QWidget

from ..domain.backlog import Basis, Outcome
from ..services.backlog import BacklogService, Entry, StepInput
from ..services.deliberation import Deliberation, DeliberationInput, DeliberationService, Panelist
from ..services.permissions import Permission
from ..services.queries import CaseDetail
from .attention_forms import Field, FormDialog
from .case_actions import CaseAction, register
from .context import AppContext
from .errors import show_error
from .tasks import OTHER


def split_names(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", "、").replace(",", "、").replace("；", "、").split("、") if p.strip()]


def parse_panel(text: str) -> list[Panelist]:
    """「陈老支书（退休村干部）、林党员（老党员）」 → the panel with its roles."""
    out = []
    for part in split_names(text):
        for open_, close in (("（", "）"), ("(", ")")):
            if open_ in part and part.endswith(close):
                name, role = part[:-1].split(open_, 1)
                out.append(Panelist(name.strip(), role.strip() or "评理员"))
                break
        else:
            out.append(Panelist(part, "评理员"))
    return out


# -- 信访评理 --------------------------------------------------------------------------------------------
def deliberation_form(parent: QWidget, ctx: AppContext, case_number: str | None, head: str, *,
                      default_attendees: list[str] = (), corrects: Deliberation | None = None,
                      on_saved: Callable[[Any], None] = lambda _s: None) -> FormDialog:
    """A 评理 session; `case_number` None asks for it; `corrects` fills the form from the entry corrected."""
    svc = ctx.services.get(DeliberationService)
    c = corrects
    fields = ([Field("case", "事项编号(&C)", "line", True)] if case_number is None else []) + [
        Field("held_on", "评理日期(&D)", "date", True, default=c.held_on if c else None),
        Field("place", "评理地点(&P)", "line", True, default=c.place if c else "", placeholder="如：镇红土先锋评理室"),
        Field("panel", "评理团(&M)", "line", True,
              default="、".join(f"{m.name}（{m.role}）" for m in c.panel) if c else "",
              placeholder="陈老支书（退休村干部）、林党员（老党员）、郑调解（人民调解员）",
              hint="多人用顿号分隔，括号内写身份；只写姓名和身份，不写证件号码。"),
        Field("attendees", "到场人员(&A)", "line", True, default="、".join(c.attendees if c else default_attendees),
              hint="信访人、被反映单位的人员等，用顿号分隔。"),
        Field("statements", "各方陈述(&Q)", "text", True, default=c.statements if c else "",
              placeholder="信访人和被反映单位各自的陈述，简要写（200字以内）"),
        Field("view", "评理意见(&V)", "text", True, default=c.view if c else "",
              placeholder="评理团的意见和理由（200字以内）"),
        Field("accepted", "信访人意见(&O)", "choice", True, ((True, "接受评理意见"), (False, "未接受评理意见")),
              default=c.accepted if c else None),
    ]

    def submit(v: dict[str, Any]):
        return svc.add(ctx.actor, DeliberationInput(
            case_ref=case_number or v["case"], held_on=v["held_on"], place=v["place"], panel=parse_panel(v["panel"]),
            attendees=split_names(v["attendees"]), statements=v["statements"], view=v["view"],
            accepted=v["accepted"], corrects=c.id if c else None))

    title = ("更正评理记录" if c else "信访评理") + (f" — {case_number}" if case_number else "")
    note = ("\n更正将新增一条记录并指向原记录，原记录保留可查。" if c else
            "\n评理记录只增不改；记错了请在“评理”页面选中该条后“更正”。保存后可打印一页的信访评理意见。")
    dialog = FormDialog(parent, ctx, title, fields, submit, head=head + note)
    dialog.saved.connect(on_saved)
    dialog.open()
    return dialog


def open_deliberation(parent: QWidget, ctx: AppContext, session_id: str) -> None:
    """Render the 评理意见 in the background and open the print preview."""
    from .print_preview import show_document

    svc = ctx.services.get(DeliberationService)

    def shown(rendered) -> None:
        show_document(parent, rendered, file_name=f"{rendered.title}.pdf")

    ctx.tasks.run(lambda: svc.document(ctx.actor, session_id), writes=True, on_done=shown,
                  on_error=lambda e, t: show_error(parent, e, t), owner=parent, changes=OTHER)


# -- the 积案 register ------------------------------------------------------------------------------------
def backlog_form(parent: QWidget, ctx: AppContext, case_number: str | None, head: str, *, basis: str | None = None,
                 reason: str = "", on_saved: Callable[[Any], None] = lambda _e: None) -> FormDialog:
    """The decision to put a matter on the register, with the first step of its plan."""
    svc = ctx.services.get(BacklogService)
    today = ctx.services.clock.today()
    fields = ([Field("case", "事项编号(&C)", "line", True, default="")] if case_number is None else []) + [
        Field("basis", "列入依据(&B)", "choice", True, tuple((b.value, b.label) for b in Basis), default=basis),
        Field("reason", "列入理由(&R)", "text", True, default=reason,
              placeholder="如：欠薪争议半年未解决，经镇信访工作联席会议研究列入"),
        Field("decided_on", "决定日期(&D)", "date", True, default=today),
        Field("action", "化解方案第一步(&A)", "line", placeholder="如：约谈企业负责人，核对工资账目"),
        Field("responsible", "责任人（单位）(&P)", "line", placeholder="如：镇劳动保障所"),
        Field("due_on", "完成期限(&T)", "date", default=today + timedelta(days=30)),
    ]

    def submit(v: dict[str, Any]):
        steps = [StepInput(v["action"], v["responsible"], v["due_on"])] if (v["action"] or "").strip() else []
        return svc.add(ctx.actor, case_number or v["case"], basis=v["basis"], reason=v["reason"],
                       decided_on=v["decided_on"], steps=steps)

    dialog = FormDialog(parent, ctx, "列入积案" + (f" — {case_number}" if case_number else ""), fields, submit,
                        head=head + "\n列入积案须经经办人或领导决定并写明理由；只能以化解结果（案结事了、息诉罢访、依法终结）移出。")
    dialog.saved.connect(on_saved)
    dialog.open()
    return dialog


def step_form(parent: QWidget, ctx: AppContext, entry: Entry, on_saved: Callable[[Any], None]) -> FormDialog:
    svc = ctx.services.get(BacklogService)
    fields = [Field("action", "做什么(&A)", "line", True), Field("responsible", "责任人（单位）(&P)", "line", True),
              Field("due_on", "完成期限(&T)", "date", True, default=ctx.services.clock.today() + timedelta(days=30))]
    dialog = FormDialog(parent, ctx, f"增加化解步骤 — {entry.case_number}", fields,
                        lambda v: svc.add_step(ctx.actor, entry.id, StepInput(v["action"], v["responsible"], v["due_on"])),
                        head=f"{entry.case_number}　{entry.request}")
    dialog.saved.connect(on_saved)
    dialog.open()
    return dialog


def step_done_form(parent: QWidget, ctx: AppContext, entry: Entry, on_saved: Callable[[Any], None]) -> FormDialog:
    svc = ctx.services.get(BacklogService)
    open_steps = tuple((s.position, f"第{s.position}步：{s.action}（{s.due_on:%Y-%m-%d}前）")
                       for s in entry.steps if s.done_on is None)
    fields = [Field("position", "步骤(&N)", "choice", True, open_steps),
              Field("result", "完成情况(&R)", "text", True),
              Field("done_on", "完成日期(&D)", "date", True)]
    dialog = FormDialog(parent, ctx, f"步骤完成 — {entry.case_number}", fields,
                        lambda v: svc.finish_step(ctx.actor, entry.id, v["position"], v["result"], v["done_on"]),
                        head=f"{entry.case_number}　{entry.request}")
    dialog.saved.connect(on_saved)
    dialog.open()
    return dialog


def resolve_form(parent: QWidget, ctx: AppContext, entry: Entry, on_saved: Callable[[Any], None]) -> FormDialog:
    svc = ctx.services.get(BacklogService)
    fields = [Field("outcome", "化解结果(&O)", "choice", True, tuple((o.value, o.label) for o in Outcome)),
              Field("note", "化解情况(&N)", "text", True, placeholder="如：工资已全部结清，信访人表示满意"),
              Field("outcome_on", "化解日期(&D)", "date", True),
              Field("statement", "息诉罢访承诺书(&F)", "line",
                    hint="息诉罢访的，须附信访人签字的承诺书扫描件：填写文件位置，或点“选择文件…”。")]
    dialog = FormDialog(parent, ctx, f"积案化解 — {entry.case_number}", fields,
                        lambda v: svc.resolve(ctx.actor, entry.id, outcome=v["outcome"], note=v["note"],
                                              outcome_on=v["outcome_on"], statement=(v["statement"] or "").strip() or None),
                        head=f"{entry.case_number}　{entry.request}\n移出积案台账须记录化解结果。")
    pick = dialog.buttons.addButton("选择文件(&L)…", dialog.buttons.ButtonRole.ActionRole)

    def choose() -> None:
        path, _ = QFileDialog.getOpenFileName(dialog, "选择息诉罢访承诺书扫描件", "",
                                              "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;所有文件 (*)")
        if path:
            dialog.editor("statement").setText(path)

    pick.clicked.connect(choose)
    dialog.saved.connect(on_saved)
    dialog.open()
    return dialog


# -- the case view's buttons ------------------------------------------------------------------------------
def _head(d: CaseDetail) -> str:
    return f"{d.row.number}　{d.row.parties}　{d.row.status_label}\n{d.row.request}"


def _deliberation_dialog(parent: QWidget, ctx: AppContext, d: CaseDetail, done: Callable[[], None]) -> FormDialog:
    return deliberation_form(parent, ctx, d.row.number, _head(d), default_attendees=[p.name for p in d.parties],
                             on_saved=lambda _s: done())


def _backlog_dialog(parent: QWidget, ctx: AppContext, d: CaseDetail, done: Callable[[], None]) -> FormDialog:
    return backlog_form(parent, ctx, d.row.number, _head(d), on_saved=lambda _e: done())


register(CaseAction("resolution.deliberation", "信访评理(&J)", 103,
                    lambda d, a: a.can(Permission.NOTE) and d.state.status is not None and d.not_writable is None,
                    _deliberation_dialog))
register(CaseAction("resolution.backlog", "列入积案(&K)", 105,
                    lambda d, a: a.can(Permission.NOTE) and d.state.is_open and d.not_writable is None,
                    _backlog_dialog))
