"""The attention features' buttons on the case view: 包案, 调解记录, 回访, 急难标记.

Imported by the board page (gui/pages/board.py), which registers them with the case view.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Callable

from PySide6.QtWidgets import QWidget

from ..domain import workflow as wf
from ..domain.board import HardshipKind
from ..services.attention import LEADER_ROLES, HardshipService, OwnershipService
from ..services.mediation import AGREEMENT_KINDS, Mediator, MediationKind, MediationOutcome, MediationService, SessionInput
from ..services.permissions import Actor, Permission, Role
from ..services.queries import CaseDetail
from .attention_forms import Field, FormDialog
from .case_actions import CaseAction, register
from .context import AppContext
from .errors import show_error
from .tasks import OTHER


def _head(d: CaseDetail) -> str:
    return f"{d.row.number}　{d.row.parties}　{d.row.status_label}\n{d.row.request}"


# -- 包案 -------------------------------------------------------------------------------------
def assign_dialog(parent: QWidget, ctx: AppContext, d: CaseDetail, done: Callable[[], None]) -> None:
    """The leaders and the matter's present 包案 are read in a worker; the form opens when they are in."""
    own = ctx.services.get(OwnershipService)
    ctx.tasks.run(lambda: (own.leaders(), own.current(d.row.id)), writes=False, owner=parent,
                  on_done=lambda loaded: _open_assign(parent, ctx, d, done, *loaded),
                  on_error=lambda e, t: show_error(parent, e, t))


def _open_assign(parent: QWidget, ctx: AppContext, d: CaseDetail, done: Callable[[], None], people, current) -> FormDialog:
    own = ctx.services.get(OwnershipService)
    shown = [u.display_name for u in people]
    # The person's name and role; the login name only to tell two people of the same name apart.
    leaders = tuple((u.name, f"{u.display_name}（{Role(u.role).label}"
                     + (f"，{u.name}）" if shown.count(u.display_name) > 1 else "）")) for u in people)
    fields = [
        Field("leader", "包案领导(&L)", "choice", True, leaders, default=current.leader_name if current else None),
        Field("plan", "化解方案(&P)", "text", True, default=current.plan if current else "",
              placeholder="如：约谈被反映单位负责人，督促于月底前支付"),
        Field("target_date", "目标化解日期(&T)", "date", True,
              default=current.target_date if current else ctx.services.clock.today() + timedelta(days=30)),
    ]
    dialog = FormDialog(parent, ctx, f"包案 — {d.row.number}", fields,
                        # what the form shows: a 包案 another desk made since it was read is not ended unseen
                        lambda v: own.assign(ctx.actor, d.row.number, v["leader"] or "", v["plan"], v["target_date"],
                                             seen_assignment=current.id if current else ""),
                        head=_head(d) + (f"\n现由{current.leader_display}包案，保存后改由所选领导包案。" if current else ""))
    dialog.saved.connect(lambda _r: done())
    dialog.open()
    return dialog


# -- 调解记录 ----------------------------------------------------------------------------------
def parse_mediators(text: str) -> list[Mediator]:
    """「陈调解（人民调解员）、林律师（律师）」 → mediators with their roles."""
    out = []
    for part in text.replace(",", "、").replace("，", "、").replace(";", "、").replace("；", "、").split("、"):
        part = part.strip()
        if not part:
            continue
        for open_, close in (("（", "）"), ("(", ")")):
            if open_ in part and part.endswith(close):
                name, role = part[:-1].split(open_, 1)
                out.append(Mediator(name.strip(), role.strip() or "调解员"))
                break
        else:
            out.append(Mediator(part, "调解员"))
    return out


def mediation_dialog(parent: QWidget, ctx: AppContext, d: CaseDetail, done: Callable[[], None]) -> FormDialog:
    return mediation_form(parent, ctx, d.row.number, _head(d), default_parties=[p.name for p in d.parties],
                          on_saved=lambda _s: done())


def mediation_form(parent: QWidget, ctx: AppContext, case_number: str | None, head: str, *,
                   default_parties: list[str] = (), corrects=None,
                   on_saved: Callable[[Any], None] = lambda _s: None) -> FormDialog:
    """The mediation entry form; `case_number` None asks for it; `corrects` (a Session) fills
    the form from the entry being corrected, and the new entry points to it."""
    med = ctx.services.get(MediationService)
    c = corrects
    fields = ([Field("case", "事项编号(&C)", "case", True)] if case_number is None else []) + [
        Field("held_on", "调解日期(&D)", "date", True, default=c.held_on if c else None),
        Field("place", "调解地点(&P)", "line", True, default=c.place if c else "",
              placeholder="如：镇人民调解委员会调解室"),
        Field("kind", "调解方式(&K)", "choice", True, tuple((k.value, k.label) for k in MediationKind),
              default=c.kind.value if c else None),
        Field("mediators", "调解员(&M)", "line", True,
              default="、".join(f"{m.name}（{m.role}）" for m in c.mediators) if c else "",
              placeholder="陈调解（人民调解员）、林律师（律师）",
              hint="多人用顿号分隔，括号内写身份；可包括外聘调解员和律师。"),
        Field("parties", "到场当事人(&A)", "line", True, default="、".join(c.parties if c else default_parties)),
        Field("discussion", "调解情况(&Q)", "text", True, default=c.discussion if c else ""),
        Field("outcome", "调解结果(&O)", "choice", True, tuple((o.value, o.label) for o in MediationOutcome),
              default=c.outcome.value if c else None),
        Field("agreement", "协议内容(&G)", "text", default=(c.agreement or "") if c else "",
              placeholder="达成协议的，写明各方同意的具体事项"),
        Field("agreement_kind", "协议书(&B)", "choice", False, tuple((k, k) for k in AGREEMENT_KINDS),
              default=c.agreement_kind if c else None),
        Field("next_session", "下次调解日期(&N)", "line",
              default=c.next_session.isoformat() if c and c.next_session else "", placeholder="年-月-日，没有则不填"),
    ]

    def submit(v: dict[str, Any]):
        parties = [p.strip() for p in v["parties"].replace("，", "、").replace(",", "、").split("、") if p.strip()]
        return med.add(ctx.actor, SessionInput(
            case_ref=case_number or v["case"], held_on=v["held_on"], place=v["place"], kind=v["kind"],
            mediators=parse_mediators(v["mediators"]), parties=parties, discussion=v["discussion"],
            outcome=v["outcome"], agreement=v["agreement"] or None,
            agreement_kind=v["agreement_kind"] if v["agreement"] else None, next_session=v["next_session"] or None,
            corrects=c.id if c else None))

    title = ("更正调解记录" if c else "调解记录") + (f" — {case_number}" if case_number else "")
    note = ("\n更正将新增一条记录并指向原记录，原记录保留可查。" if c else
            "\n调解记录只增不改；记错了请在“调解”页面选中该条后“更正”。")
    dialog = FormDialog(parent, ctx, title, fields, submit, head=head + note)

    def saved(session) -> None:
        on_saved(session)
        if session.agreement:
            open_agreement(parent, ctx, session.id)

    dialog.saved.connect(saved)
    dialog.open()
    return dialog


def open_agreement(parent: QWidget, ctx: AppContext, session_id: str) -> None:
    """Render the 调解协议书 / 和解协议书 in the background and open the print preview."""
    from .print_preview import show_document

    med = ctx.services.get(MediationService)
    redacted = not ctx.actor.can(Permission.REVEAL_PERSONAL)

    def shown(rendered) -> None:
        show_document(parent, rendered, file_name=f"{rendered.title}.pdf")

    ctx.tasks.run(lambda: med.agreement_document(ctx.actor, session_id, redacted=redacted), writes=True,
                  on_done=shown, on_error=lambda e, t: show_error(parent, e, t), owner=parent,
                  changes=OTHER)


# -- 回访 -------------------------------------------------------------------------------------
def followup_dialog(parent: QWidget, ctx: AppContext, d: CaseDetail, done: Callable[[], None]) -> FormDialog:
    fields = [
        Field("method", "回访方式(&M)", "choice", True, (("phone", "电话"), ("visit", "上门"))),
        Field("rating", "满意度(&R)", "choice", True, tuple((r.value, r.label) for r in wf.Rating)),
        Field("notes", "回访情况(&N)", "text", placeholder="信访人对处理结果的意见"),
    ]
    dialog = FormDialog(parent, ctx, f"回访 — {d.row.number}", fields,
                        lambda v: ctx.services.cases.act(ctx.actor, d.row.number, wf.EventKind.FOLLOWED_UP,
                                                         {k: x for k, x in v.items() if x},
                                                         seen_events=d.seen_events),
                        head=_head(d) + "\n回访后，该事项从四色看板上移除（信访人的其他事项仍在）。")
    dialog.saved.connect(lambda _r: done())
    dialog.open()
    return dialog


# -- 急难标记 ----------------------------------------------------------------------------------
def hardship_dialog(parent: QWidget, ctx: AppContext, d: CaseDetail, done: Callable[[], None]) -> FormDialog:
    hs = ctx.services.get(HardshipService)
    fields = [
        Field("person", "信访人(&P)", "choice", True, tuple((p.person_id, p.name) for p in d.parties)),
        Field("kind", "急难情况(&K)", "choice", True, tuple((k.value, k.label) for k in HardshipKind)),
        Field("note", "说明(&N)", "text", placeholder="如：家中唯一劳动力住院，急需医疗费"),
    ]
    dialog = FormDialog(parent, ctx, f"急难标记 — {d.row.number}", fields,
                        lambda v: hs.flag(ctx.actor, v["person"], v["kind"], v["note"], d.row.number),
                        head=_head(d) + "\n急难标记表示信访人生活上的紧急困难，需要及时帮扶或转介社会救助、司法救助"
                                        "（第三十七条）；解除标记需写明理由。")
    dialog.saved.connect(lambda _r: done())
    dialog.open()
    return dialog


def _is_leader(actor: Actor) -> bool:
    return actor.role in LEADER_ROLES


# 包案, 调解 and 急难 are written on the case (or its petitioners) like its handling: only where this unit
# may write on it (CaseDetail.not_writable, the ownership rule of store/ownership.py).
register(CaseAction("attention.assign", "包案(&L)", 100,
                    lambda d, a: _is_leader(a) and d.state.is_open and d.not_writable is None, assign_dialog))
register(CaseAction("attention.mediation", "调解记录(&T)", 102,
                    lambda d, a: a.can(Permission.NOTE) and d.state.status is not None and d.not_writable is None,
                    mediation_dialog))
register(CaseAction("attention.followup", "回访(&F)", 104,
                    lambda d, a: wf.EventKind.FOLLOWED_UP.value in d.allowed and a.can(Permission.FOLLOW_UP),
                    followup_dialog))
register(CaseAction("attention.hardship", "急难标记(&D)", 106,
                    lambda d, a: a.can(Permission.NOTE) and bool(d.parties) and d.not_writable is None,
                    hardship_dialog))
