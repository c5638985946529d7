"""Small dialogs, one per workflow action, each asking only what that action needs.

A dialog sends its fields to `services.cases.act` through the task runner; the service validates.
A refused field (InvalidInput with `.field`) is marked where it is, with the Chinese reason under
it; a refusal of the whole action (not allowed now, no permission) is shown at the top. Nothing is
written until the service accepts everything. Enter saves from a one-line field, Ctrl+Enter from
anywhere, Esc cancels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ..domain import workflow as wf
from ..domain.errors import InvalidInput, XinfangError
from ..services.queries import CaseDetail
from .context import AppContext
from .errors import show_error
from .field_editors import make_editor, read_value

ERROR_STYLE = "color: #9b1111;"
INVALID_STYLE = "border: 2px solid #c0392b;"


@dataclass(frozen=True)
class Field:
    """One input. `kind`: line, text (several lines), choice, date, days (1–30), or optional_date."""

    name: str                       # the key `validate_event_data` reads
    label: str                      # with its mnemonic, e.g. "接收单位(&U)"
    kind: str = "line"
    required: bool = False          # marked with *; the service is what refuses
    choices: tuple[tuple[str, str], ...] = ()   # (value, label)
    default: Any = None
    placeholder: str = ""
    hint: str = ""


@dataclass
class _Row:
    spec: Field
    editor: QWidget
    label: QLabel
    error: QLabel
    hint: QLabel | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ActionDialog(QDialog):
    """The form of one workflow action on one case. `saved(state)` after the service accepted it."""

    saved = Signal(object)

    def __init__(self, parent: QWidget | None, ctx: AppContext, detail: CaseDetail, kind: wf.EventKind,
                 fields: list[Field], *, title: str | None = None, intro: str = "", ok_label: str = "确定(&O)"):
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.kind = kind
        self.state: wf.CaseState | None = None
        self.submitted: dict[str, Any] | None = None
        self.setWindowTitle(f"{title or kind.label} — {detail.row.number}")
        self.setMinimumWidth(600)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.message.hide()
        head = QLabel(f"{detail.row.number}　{detail.row.parties}　{detail.row.status_label}\n{detail.row.request}")
        head.setWordWrap(True)
        head.setStyleSheet("color: #444;")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        self.rows: dict[str, _Row] = {}
        for spec in fields:
            editor = self._editor(spec)
            label = QLabel(spec.label + ("＊" if spec.required else "") + "：")
            label.setBuddy(editor)
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(editor)
            hint = None
            if spec.hint:
                hint = QLabel(spec.hint)       # one line: a wrapped label gets clipped in a form row
                hint.setStyleSheet("color: #666;")
                box.addWidget(hint)
            box.addWidget(error)
            form.addRow(label, box)
            self.rows[spec.name] = _Row(spec, editor, label, error, hint)

        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(ok_label, QDialogButtonBox.AcceptRole)
        self.ok_button.setDefault(True)
        cancel = self.buttons.addButton("取消", QDialogButtonBox.RejectRole)
        cancel.setToolTip("Esc")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        tips = QLabel("Enter 或 Ctrl+Enter 保存，Esc 取消；标＊的必须填写。")
        tips.setStyleSheet("color: #666;")

        layout = QVBoxLayout(self)
        layout.addWidget(head)
        if intro:
            intro_label = QLabel(intro)
            intro_label.setWordWrap(True)
            layout.addWidget(intro_label)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(tips)
        layout.addWidget(self.buttons)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.accept)
        first = next(iter(self.rows.values()), None)
        if first is not None:
            first.editor.setFocus()

    # -- editors -------------------------------------------------------------------------
    def _editor(self, spec: Field) -> QWidget:
        return make_editor(spec.kind, today=self.ctx.services.clock.today(), default=spec.default,
                           placeholder=spec.placeholder, choices=spec.choices, text_height=84)

    def editor(self, name: str) -> QWidget:
        return self.rows[name].editor

    @staticmethod
    def _value(row: _Row) -> Any:
        value = read_value(row.editor)
        return value.isoformat() if isinstance(value, date) else value   # the service takes ISO dates

    def values(self) -> dict[str, Any]:
        """The visible fields; an empty optional one is left out, so the service sees "not given"."""
        out: dict[str, Any] = {}
        for name, row in self.rows.items():
            if row.editor.isHidden():
                continue
            value = self._value(row)
            if value not in ("", None):
                out[name] = value
        return out

    # -- saving --------------------------------------------------------------------------
    def clear_errors(self) -> None:
        self.message.hide()
        for row in self.rows.values():
            row.error.hide()
            row.editor.setStyleSheet("")

    def show_field_error(self, name: str, text: str) -> None:
        row = self.rows[name]
        row.error.setText(text)
        row.error.show()
        row.editor.setStyleSheet(INVALID_STYLE)
        row.editor.setFocus()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def accept(self) -> None:  # type: ignore[override]
        if not self.ok_button.isEnabled():
            return
        self.clear_errors()
        data = self.values()
        ctx, number, kind = self.ctx, self.detail.row.number, self.kind
        self.submitted = data
        self.ok_button.setEnabled(False)
        ctx.tasks.run(lambda: ctx.services.cases.act(ctx.actor, number, kind, data), writes=True,
                      on_done=self._done, on_error=self._failed)

    def reject(self) -> None:  # type: ignore[override]
        # While the service is writing, closing would hide whether the action was recorded.
        if self.ok_button.isEnabled():
            super().reject()

    def _done(self, state: wf.CaseState) -> None:
        if not shiboken6.isValid(self):
            return
        self.state = state
        super().accept()
        self.saved.emit(state)

    def _failed(self, exc: BaseException, details: str) -> None:
        if not shiboken6.isValid(self):
            return
        self.ok_button.setEnabled(True)
        self.submitted = None
        if isinstance(exc, InvalidInput) and exc.field in self.rows and not self.rows[exc.field].editor.isHidden():
            self.show_field_error(exc.field, exc.message)
        elif isinstance(exc, XinfangError):
            self.show_message(exc.message)
        else:
            show_error(self, exc, details)


# -- the dialogs of the workflow --------------------------------------------------------------

OUTCOMES = tuple((o.value, o.label) for o in wf.Outcome)


def _outcome_fields(what: str, *, review_body: str | None = None,
                    next_step: str | None = "信访人收到之日起30日内可以申请复查") -> list[Field]:
    fields = [
        Field("outcome", "处理结果(&U)", "choice", True, OUTCOMES, hint="支持、解释说明或不予支持（第三十二条）"),
        Field("text", f"{what}(&T)", "text", True, placeholder="处理意见：查明的事实、处理决定"),
        Field("basis", "依据(&B)", placeholder="所依据的法律、法规、政策，如《劳动合同法》第三十条"),
        Field("delivered_on", "送达日期(&D)", placeholder="YYYY-MM-DD，可不填（按出具当日计）",
              hint=next_step or ""),
    ]
    if review_body is not None:
        fields.append(Field("review_body", "复查机关(&R)", default=review_body,
                            hint="写入处理意见书：不服的，可自收到之日起30日内向该机关申请复查"))
    return fields


class RouteDialog(ActionDialog):
    """转办: 直接办理 / 转送 / 交办 (with its deadline) / 告知其他法定途径. The fields follow the route."""

    UNIT_LABELS = {
        wf.Route.DIRECT.value: ("承办单位(&U)", "可不填：默认由本机关办理"),
        wf.Route.TRANSFER.value: ("接收单位(&U)", "有权处理的机关或单位"),
        wf.Route.ASSIGN.value: ("承办单位(&U)", "交办的单位，须按期报送办结报告"),
        wf.Route.OTHER_CHANNEL.value: ("法定途径(&U)", "如：诉讼、劳动人事争议仲裁、行政复议"),
    }

    def __init__(self, parent: QWidget | None, ctx: AppContext, detail: CaseDetail):
        today = ctx.services.clock.today()
        super().__init__(parent, ctx, detail, wf.EventKind.ROUTED, [
            Field("route", "办理途径(&R)", "choice", True, tuple((r.value, r.label) for r in wf.Route),
                  default=wf.Route.TRANSFER.value),
            Field("unit", "接收单位(&U)", required=True),
            Field("deadline", "办理期限(&L)", "date", True, default=today + timedelta(days=30),
                  hint="交办的办结期限，不超过受理之日起60日（第三十四条）"),
            Field("note", "说明(&N)", "text", placeholder="交办要求或其他说明，可不填"),
        ], title="转办（选择办理途径）")
        self.editor("route").currentIndexChanged.connect(self._route_changed)
        self._route_changed()
        self.editor("route").setFocus()

    def _route_changed(self) -> None:
        route = self.editor("route").currentData()
        label, hint = self.UNIT_LABELS[route]
        unit = self.rows["unit"]
        unit.label.setText(label + ("" if route == wf.Route.DIRECT.value else "＊") + "：")
        unit.editor.setPlaceholderText(hint)
        deadline = self.rows["deadline"]
        visible = route == wf.Route.ASSIGN.value
        for w in (deadline.editor, deadline.label, deadline.hint):
            if w is not None:
                w.setVisible(visible)
        self.clear_errors()


def route_dialog(parent, ctx, detail) -> ActionDialog:
    return RouteDialog(parent, ctx, detail)


def notify_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.NOTIFIED, [
        Field("method", "告知方式(&M)", "choice", True,
              (("书面", "书面告知（当面送达）"), ("邮寄", "邮寄送达"), ("网上", "网上答复"))),
        Field("content", "告知内容(&C)", "text", placeholder="可不填：受理（接收）告知书写明接收情况、处理途径和程序"),
    ], intro="书面告知信访人接收情况、处理途径和程序（第二十二条）。保存后打印受理（接收）告知书。")


def refuse_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.REFUSED, [
        Field("kind", "类别(&K)", "choice", True, tuple((k.value, k.label) for k in wf.RefusalKind),
              hint="不再受理：复核后以同一事实和理由再次提出（第三十六条）"),
        Field("ground", "理由和依据(&G)", "text", True, placeholder="如：该事项已经或者依法应当通过诉讼途径解决"),
        Field("article", "所依据的条款(&A)", placeholder="如：《信访工作条例》第三十一条第一项；可不填"),
        Field("instead", "可以向(&I)", placeholder="如：漳平市人民法院提起诉讼；可不填",
              hint="文书写作“你可以向……”，请写机关和途径"),
    ], intro="保存后打印不予受理（不再受理）告知书。")


def extend_dialog(parent, ctx, detail) -> ActionDialog:
    due = next((d.due for d in detail.deadlines if d.key == wf.DeadlineKey.HANDLING.value), None)
    intro = "延期须经本机关负责人批准，最多延长30日，只能延期一次（第三十四条）。"
    if due:
        intro += f"现办理期限：{due:%Y-%m-%d}。"
    return ActionDialog(parent, ctx, detail, wf.EventKind.EXTENDED, [
        Field("days", "延长天数(&D)", "days", True, default=30),
        Field("reason", "延期理由(&R)", "text", True, placeholder="情况复杂，需要进一步调查核实的具体原因"),
        Field("approver", "批准人(&A)", required=True, placeholder="批准延期的负责人姓名和职务"),
    ], intro=intro + "保存后打印延期告知书。")


def reply_dialog(parent, ctx, detail) -> ActionDialog:
    from ..services.printing import DEFAULT_REVIEW_BODY

    return ActionDialog(parent, ctx, detail, wf.EventKind.REPLIED,
                        _outcome_fields("处理意见", review_body=DEFAULT_REVIEW_BODY),
                        title="出具处理意见", intro="保存后打印信访处理意见书（含申请复查的权利和期限）。")


def review_request_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.REVIEW_REQUESTED, [
        Field("reason", "申请理由(&R)", "text", placeholder="信访人不服处理意见的理由"),
        Field("body", "复查机关(&B)", placeholder="受理复查申请的机关，如漳平市人民政府"),
    ], intro="信访人自收到处理意见书之日起30日内可以请求复查（第三十五条）。复查期限30日。")


def review_decision_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.REVIEW_DECIDED,
                        _outcome_fields("复查意见", next_step="信访人收到之日起30日内可以请求复核"),
                        intro="复查机关自收到复查请求之日起30日内提出复查意见（第三十五条）。")


def recheck_request_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.RECHECK_REQUESTED, [
        Field("reason", "申请理由(&R)", "text", placeholder="信访人不服复查意见的理由"),
        Field("body", "复核机关(&B)", placeholder="受理复核请求的上一级机关"),
    ], intro="信访人自收到复查意见之日起30日内可以请求复核（第三十六条）。复核期限30日。")


def recheck_decision_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.RECHECK_DECIDED,
                        _outcome_fields("复核意见", next_step=None),
                        intro="复核意见为终结意见：同一事实和理由再次提出的，不再受理（第三十六条）。")


def objection_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.OBJECTED, [
        Field("reason", "异议理由(&R)", "text", True, placeholder="接收单位认为不属于其职责范围的理由"),
    ], intro="接收单位自收到之日起5个工作日内可以提出异议退回（第二十三条）。退回后须重新选择办理途径。")


def close_dialog(parent, ctx, detail) -> ActionDialog:
    return ActionDialog(parent, ctx, detail, wf.EventKind.CLOSED, [
        Field("summary", "办结情况(&S)", "text", placeholder="可不填：落实情况、信访人意见"),
    ], intro="办结后该事项不再计入待办；信访人申请复查、复核的，事项重新打开。", ok_label="办结(&O)")


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
    wf.EventKind.CLOSED: close_dialog,
    wf.EventKind.NOTE: note_dialog,
}
