"""Small dialogs, one per workflow action, each asking only what that action needs.

A dialog sends its fields to `services.cases.act` through the task runner; the service validates.
A refused field (InvalidInput with `.field`) is marked where it is, with the Chinese reason under
it; a refusal of the whole action (not allowed now, no permission) is shown at the top. Nothing is
written until the service accepts everything. Enter saves from a one-line field, Ctrl+Enter from
anywhere, Esc cancels.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

from PySide6.QtWidgets import QWidget

from ..domain import workflow as wf
from ..services.queries import CaseDetail
from .context import AppContext
from .field_editors import read_value
from .form_dialog import Field, FieldFormDialog, FormLook
from .unit_choices import attach_unit_choices

ACTION_LOOK = FormLook(min_width=600, text_height=84, wrap_hints=False, cancel_tip="Esc",
                      tips="Enter 或 Ctrl+Enter 保存，Esc 取消；标＊的必须填写。")


class ActionDialog(FieldFormDialog):
    """The form of one workflow action on one case. `saved(state)` after the service accepted it."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, detail: CaseDetail, kind: wf.EventKind,
                 fields: list[Field], *, title: str | None = None, intro: str = "", ok_label: str = "确定(&O)"):
        head = f"{detail.row.number}　{detail.row.parties}　{detail.row.status_label}\n{detail.row.request}"
        super().__init__(parent, ctx, f"{title or kind.label} — {detail.row.number}", fields, head=head,
                         intro=intro, ok_label=ok_label, look=ACTION_LOOK)
        self.detail = detail
        self.kind = kind
        self.state: wf.CaseState | None = None
        self.submitted: dict[str, Any] | None = None

    def values(self) -> dict[str, Any]:
        """The visible fields; an empty optional one is left out, so the service sees "not given"."""
        out: dict[str, Any] = {}
        for name, row in self.rows.items():
            if row.editor.isHidden():
                continue
            value = read_value(row.editor)
            if isinstance(value, date):
                value = value.isoformat()       # the service takes ISO dates
            if value not in ("", None):
                out[name] = value
        return out

    def submitting(self, values: dict[str, Any]) -> None:
        self.submitted = values

    def submit_values(self, values: dict[str, Any]) -> wf.CaseState:
        ctx = self.ctx
        # what the view showed: an action on a case with an event it did not show is refused (StaleCase)
        return ctx.services.cases.act(ctx.actor, self.detail.row.number, self.kind, values,
                                      seen_events=self.detail.seen_events)

    def reject(self) -> None:  # type: ignore[override]
        # While the service is writing, closing would hide whether the action was recorded.
        if self.ok_button.isEnabled():
            super().reject()

    def accepted_result(self, result: wf.CaseState) -> None:
        self.state = result

    def refused(self) -> None:
        self.submitted = None


# -- the dialogs of the workflow --------------------------------------------------------------

OUTCOMES = tuple((o.value, o.label) for o in wf.Outcome)
ANSWERS = tuple((a.value, a.label) for a in wf.Answer)
DISPOSITIONS = tuple((d.value, d.label) for d in wf.Disposition)
DELIVERY_HINT = "信访人实际收到书面答复的日期；不知道可先不填，收到回执后用“记录送达”补记"


def _office(ctx: AppContext, detail: CaseDetail):
    """The office's settings the case view loaded with the case (read off the UI thread)."""
    if detail.office is not None:
        return detail.office
    from ..services.office import OfficeSettings

    return OfficeSettings("", "", "", "")


class RouteDialog(ActionDialog):
    """转办: the routes the kind of matter allows (第二十二、二十九至三十一条), the fields following the route."""

    UNIT_LABELS = {
        wf.Route.DIRECT.value: ("承办单位(&U)", "可不填：默认由本机关办理"),
        wf.Route.TRANSFER.value: ("接收单位(&U)", "有权处理的机关或单位"),
        wf.Route.ASSIGN.value: ("承办单位(&U)", "交办的单位，须按期报送办结报告"),
        wf.Route.OTHER_CHANNEL.value: ("法定途径(&U)", "如：人民法院、劳动人事争议仲裁委员会、行政复议机关"),
    }

    def __init__(self, parent: QWidget | None, ctx: AppContext, detail: CaseDetail):
        today = ctx.services.clock.today()
        matter = detail.state.matter
        routes = tuple((r.value, r.label) for r in wf.Route if r.value in matter.routes())
        default = wf.Route.TRANSFER.value if matter.type is not None and matter.type.value == "accusation" else (
            wf.Route.OTHER_CHANNEL.value if matter.leads_out else routes[0][0])
        super().__init__(parent, ctx, detail, wf.EventKind.ROUTED, [
            Field("route", "办理途径(&R)", "choice", True, routes, default=default,
                  hint=f"{matter.label}：{_route_hint(matter)}"),
            Field("unit", "接收单位(&U)", required=True,
                  default="纪检监察机关" if matter.type is not None and matter.type.value == "accusation" else None),
            Field("deadline", "办理期限(&L)", "date", True, default=today + timedelta(days=30),
                  hint=f"承办单位的办理期限不超过{wf.HANDLING_DAYS}日，延期不超过{wf.MAX_EXTENSION_DAYS}日（第三十四条）"),
            Field("notified", "书面告知(&G)", "check", placeholder="已书面告知信访人办理途径（随后打印告知书）",
                  default=not detail.state.notice_exempt,
                  hint=f"第二十三条：{wf.NOTICE_DAYS}日内书面告知；姓名、住址不清的除外"),
            Field("note", "说明(&N)", "text", placeholder="交办要求或其他说明，可不填"),
        ], title="转办（选择办理途径）")
        attach_unit_choices(self.editor("unit"), ctx)     # 接收单位: past units and the usual ones
        self.editor("route").currentIndexChanged.connect(self._route_changed)
        self._route_changed()
        self.editor("route").setFocus()

    def _route_changed(self) -> None:
        route = self.editor("route").currentData()
        label, hint = self.UNIT_LABELS[route]
        unit = self.rows["unit"]
        unit.label.setText(label + ("" if route == wf.Route.DIRECT.value else "＊") + "：")
        unit.editor.setPlaceholderText(hint)
        for name, visible in (("deadline", route == wf.Route.ASSIGN.value),
                              ("notified", route != wf.Route.OTHER_CHANNEL.value)):
            row = self.rows[name]
            for w in (row.editor, row.label, row.hint):
                if w is not None:
                    w.setVisible(visible)
        self.clear_errors()


def _route_hint(matter) -> str:
    if matter.type is not None and matter.type.value == "accusation":
        return "转送纪检监察机关或有权处理的机关（第二十二条第二款、第三十条）"
    if matter.leads_out:
        return "告知信访人依法向有关机关提出，或转送有权处理的机关（第三十一条）"
    if matter.answers:
        return "研究论证并予以回复（第二十九条）"
    return f"直接办理的，{wf.HANDLING_DAYS}日内出具信访处理意见书（第三十四条）"


def route_dialog(parent, ctx, detail) -> ActionDialog:
    return RouteDialog(parent, ctx, detail)


def notify_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.NOTIFIED, [
        Field("method", "告知方式(&M)", "choice", True,
              (("书面", "书面告知（当面送达）"), ("邮寄", "邮寄送达"), ("网上", "网上答复"))),
        Field("content", "告知内容(&C)", "text", placeholder="可不填：告知书写明接收情况、处理途径和程序"),
        Field("exempt", "免予告知(&X)", "check",
              placeholder="信访人姓名（名称）或住址不清，无法书面告知（第二十三条第二款）"),
    ], intro="书面告知信访人接收情况、处理途径和程序（第二十三条）。保存后打印告知书。")


def refuse_dialog(parent, ctx, detail) -> ActionDialog:
    grounds = tuple((g.code, f"{g.kind.label}：{g.article.removeprefix('《信访工作条例》')}——{g.text}")
                    for g in wf.REFUSAL_GROUNDS.values())
    return ActionDialog(parent, ctx, detail, wf.EventKind.REFUSED, [
        Field("ground", "理由(&G)", "choice", True, grounds,
              hint="条例规定的情形；应通过诉讼、仲裁等途径解决的，请用“转办→告知其他法定途径”"),
        Field("details", "具体情况(&D)", "text", placeholder="如：该事项已由漳平市人社局于11月10日受理，正在办理期限内"),
        Field("instead", "可以(&I)", placeholder="如：向漳平市人社局了解办理进展；可不填",
              hint="文书写作“你可以……”"),
    ], intro="保存后打印不予受理（不再受理）告知书。")


def extend_dialog(parent, ctx, detail) -> ActionDialog:
    due = next((d.due for d in detail.deadlines if d.key == wf.DeadlineKey.HANDLING.value), None)
    intro = f"延期须经本机关负责人批准，最多延长{wf.MAX_EXTENSION_DAYS}日，只能延期一次（第三十四条）。"
    if due:
        intro += f"现办理期限：{due:%Y-%m-%d}。"
    return ActionDialog(parent, ctx, detail, wf.EventKind.EXTENDED, [
        Field("days", "延长天数(&D)", "days", True, default=30),
        Field("reason", "延期理由(&R)", "text", True, placeholder="情况复杂，需要进一步调查核实的具体原因"),
        Field("approver", "批准人(&A)", required=True, placeholder="批准延期的负责人姓名和职务"),
    ], intro=intro + "保存后打印延期告知书。")


def reply_dialog(parent, ctx, detail) -> ActionDialog:
    matter = detail.state.matter
    assigned_out = detail.state.route == wf.Route.ASSIGN and detail.unit_code == ctx.actor.unit_code
    if matter.answers:
        return ActionDialog(parent, ctx, detail, wf.EventKind.REPLIED, [
            Field("outcome", "答复结果(&U)", "choice", True, ANSWERS, hint="采纳、部分采纳或不采纳（第二十九条）"),
            Field("text", "答复意见(&T)", "text", True, placeholder="研究论证的情况和结论"),
            Field("delivered_on", "送达日期(&D)", placeholder="年-月-日，可不填"),
        ], title="答复建议意见", intro="建议意见类事项不出具处理意见书，没有复查程序。"
                                     + ("" if assigned_out else "保存后打印答复意见书。"))
    return ActionDialog(parent, ctx, detail, wf.EventKind.REPLIED, [
        Field("outcome", "处理结果(&U)", "choice", True, OUTCOMES, hint="支持、解释说明或不予支持（第三十二条）"),
        Field("text", "处理意见(&T)", "text", True, placeholder="查明的事实、处理决定"),
        Field("basis", "法律法规依据(&B)", required=True,
              placeholder="本事项所依据的法律、法规、规章或政策条款，如《劳动合同法》第三十条",
              hint="处理意见书须载明依据（第三十二条）；请写实际依据的条款"),
        Field("delivered_on", "送达日期(&D)", placeholder="年-月-日，可不填", hint=DELIVERY_HINT),
        Field("review_body", "复查机关(&R)", default=_office(ctx, detail).review_body,
              hint=f"写入处理意见书：不服的，可自收到之日起{wf.REVIEW_REQUEST_DAYS}日内向该机关请求复查（第三十五条）"),
    ], title="记录办结报告" if assigned_out else "出具处理意见",
        intro=("承办单位报送办结报告后，记录其处理结果。" if assigned_out
               else "保存后打印信访处理意见书（含请求复查的权利和期限）。"))


def _superior_intro(ctx, detail, what: str, article: str) -> str:
    if detail.unit_code != ctx.actor.unit_code:
        return f"本机关是原办理机关的上一级机关，{what}由本机关作出，期限{wf.REVIEW_DAYS}日（{article}）。"
    return f"{what}由上一级机关作出（{article}）：本机关记录信访人的请求和上级的结论，不计入本机关的期限。"


def review_request_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.REVIEW_REQUESTED, [
        Field("reason", "请求理由(&R)", "text", placeholder="信访人不服处理意见的理由"),
        Field("body", "复查机关(&B)", default=_office(ctx, detail).review_body if detail.unit_code == ctx.actor.unit_code
              else _office(ctx, detail).organ_name, placeholder="原办理机关的上一级机关"),
    ], title="复查请求", intro=f"信访人自收到书面答复之日起{wf.REVIEW_REQUEST_DAYS}日内可以请求复查。"
                            + _superior_intro(ctx, detail, "复查", "第三十五条"))


def _decision_fields(what: str, body_default: str | None) -> list[Field]:
    return [
        Field("disposition", f"{what}结论(&C)", "choice", True, DISPOSITIONS,
              hint="维持、变更或者撤销原处理意见"),
        Field("outcome", "对请求的意见(&U)", "choice", False, (("", "（维持的，同原处理意见）"), *OUTCOMES),
              hint="变更或撤销的，写明对信访请求支持、解释说明或不予支持"),
        Field("text", f"{what}意见(&T)", "text", True, placeholder=f"{what}查明的情况和理由"),
        Field("basis", "依据(&B)", placeholder="可不填"),
        Field("body", f"{what}机关(&J)", default=body_default),
        Field("delivered_on", "送达日期(&D)", placeholder="年-月-日，可不填", hint=DELIVERY_HINT),
    ]


def review_decision_dialog(parent, ctx, detail) -> ActionDialog:
    here = detail.unit_code != ctx.actor.unit_code
    return ActionDialog(parent, ctx, detail, wf.EventKind.REVIEW_DECIDED,
                        _decision_fields("复查", _office(ctx, detail).organ_name if here else _office(ctx, detail).review_body),
                        title="复查意见", intro=_superior_intro(ctx, detail, "复查意见", "第三十五条")
                        + ("保存后打印复查意见书。" if here else ""))


def recheck_request_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.RECHECK_REQUESTED, [
        Field("reason", "请求理由(&R)", "text", placeholder="信访人不服复查意见的理由"),
        Field("body", "复核机关(&B)", default=_office(ctx, detail).recheck_body or None, placeholder="复查机关的上一级机关"),
    ], title="复核请求", intro=f"信访人自收到复查意见之日起{wf.RECHECK_REQUEST_DAYS}日内可以请求复核。"
                            + _superior_intro(ctx, detail, "复核", "第三十六条"))


def recheck_decision_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.RECHECK_DECIDED,
                        _decision_fields("复核", _office(ctx, detail).recheck_body or None),
                        title="复核意见", intro="复核意见作出后，以同一事实和理由再次提出的，不再受理（第三十六条第三款）。"
                        + _superior_intro(ctx, detail, "复核意见", "第三十六条"))


def hearing_dialog(parent, ctx, detail) -> ActionDialog:
    today = ctx.services.clock.today()
    return ActionDialog(parent, ctx, detail, wf.EventKind.HEARING, [
        Field("from", "听证开始(&F)", "date", True, default=today),
        Field("to", "听证结束(&T)", "date", True, default=today),
        Field("notes", "听证情况(&N)", "text", placeholder="可不填"),
    ], title="复核听证", intro="听证所需时间不计算在复核期限内（第三十六条第二款）。")


def delivered_dialog(parent, ctx, detail) -> ActionDialog:
    state = detail.state
    docs = [("reply", "处理意见（书面答复）")]
    if state.review_outcome is not None:
        docs.append(("review", "复查意见"))
    if state.recheck_outcome is not None:
        docs.append(("recheck", "复核意见"))
    return ActionDialog(parent, ctx, detail, wf.EventKind.DELIVERED, [
        Field("of", "送达的文书(&W)", "choice", True, tuple(docs), default=docs[-1][0]),
        Field("on", "送达日期(&D)", "date", True, default=ctx.services.clock.today(),
              hint=f"请求复查、复核的{wf.REVIEW_REQUEST_DAYS}日自信访人收到之日起算（第三十五、三十六条）"),
        Field("method", "送达方式(&M)", placeholder="如：直接送达、邮寄（回执）；可不填"),
    ], title="记录送达", intro="补记或更正送达日期：以最后一次记录为准。")


def reclassify_dialog(parent, ctx, detail) -> ActionDialog:
    from ..domain.matters import CLAIM_ITEMS, MatterType

    choices = (("suggestion", "建议意见类（第二十九条）"), ("accusation", "检举控告类（第三十条）"),
               *((f"claim{i}", f"申诉求决类·第三十一条第{i}项：{CLAIM_ITEMS[i][:22]}") for i in range(1, 7)))
    current = detail.state.matter
    default = (f"claim{current.item}" if current.type == MatterType.CLAIM else
               (current.type.value if current.type else "claim6"))
    dialog = ActionDialog(parent, ctx, detail, wf.EventKind.RECLASSIFIED, [
        Field("matter", "事项类型(&T)", "choice", True, choices, default=default),
        Field("reason", "更正理由(&R)", "text", True, placeholder="如：经审查属于应当通过劳动仲裁解决的事项"),
    ], title="更正事项类型", intro=f"现为：{current.label}。选择办理途径之前可以更正。")
    return dialog


def objection_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.OBJECTED, [
        Field("reason", "异议理由(&R)", "text", True, placeholder="接收单位认为不属于其职责范围的理由"),
    ], intro=f"接收单位自收到之日起{wf.OBJECTION_WORKING_DAYS}个工作日内可以提出异议退回（第二十三条）。退回后须重新选择办理途径。")


def close_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.CLOSED, [
        Field("summary", "办结情况(&S)", "text", placeholder="可不填：落实情况、信访人意见"),
    ], intro="办结后该事项不再计入待办；信访人请求复查、复核的，记录其请求。", ok_label="办结(&O)")


def note_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.NOTE, [
        Field("text", "备注内容(&T)", "text", True, placeholder="不改变事项状态的情况记录"),
    ], title="添加备注")


DIALOGS: dict[wf.EventKind, Callable[[QWidget, AppContext, CaseDetail], ActionDialog]] = {
    wf.EventKind.ROUTED: route_dialog,
    wf.EventKind.OBJECTED: objection_dialog,
    wf.EventKind.NOTIFIED: notify_dialog,
    wf.EventKind.REFUSED: refuse_dialog,
    wf.EventKind.EXTENDED: extend_dialog,
    wf.EventKind.REPLIED: reply_dialog,
    wf.EventKind.REVIEW_REQUESTED: review_request_dialog,
    wf.EventKind.REVIEW_DECIDED: review_decision_dialog,
    wf.EventKind.RECHECK_REQUESTED: recheck_request_dialog,
    wf.EventKind.RECHECK_DECIDED: recheck_decision_dialog,
    wf.EventKind.HEARING: hearing_dialog,
    wf.EventKind.DELIVERED: delivered_dialog,
    wf.EventKind.RECLASSIFIED: reclassify_dialog,
    wf.EventKind.CLOSED: close_dialog,
    wf.EventKind.NOTE: note_dialog,
}
