"""What a printed document is made from: plain frozen values the services fill in (not database rows).

Every text field is printed as given (long texts wrap and flow onto further pages; a blank line
or newline starts a new paragraph). Dates are ``datetime.date``; they are printed in Arabic
numerals, e.g. 2026年11月26日.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from xinfang_desktop.domain.errors import InvalidInput

__all__ = [
    "DocParty",
    "DocCase",
    "ReceiptDetails",
    "RoutingDetails",
    "RefusalDetails",
    "ExtensionDetails",
    "DecisionDetails",
    "NoticeDetails",
    "AnswerDetails",
    "ReviewDetails",
    "FollowUpDetails",
    "ReportDetails",
    "CHANNELS",
    "ROUTING_KINDS",
    "REFUSAL_KINDS",
    "OUTCOMES",
]

CHANNELS = ("走访", "来信", "来电", "传真", "网上")
ROUTING_KINDS = ("转送", "交办")
REFUSAL_KINDS = ("不予受理", "不再受理")
OUTCOMES = ("支持", "解释说明", "不予支持")
ANSWERS = ("采纳", "部分采纳", "不采纳")
DISPOSITIONS = ("维持", "变更", "撤销")
NOTICE_ROUTES = ("登记", "直接办理", "转送", "交办", "其他法定途径")


def _one_of(value: str, allowed: tuple[str, ...], field_name: str, label: str) -> None:
    if value not in allowed:
        raise InvalidInput(f"{label}只能是{'、'.join(allowed)}之一，收到：{value}", field=field_name)


@dataclass(frozen=True)
class DocParty:
    """A petitioner (信访人) or a representative (代表人) as printed."""

    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    role: str = "信访人"  # "信访人" / "代表人"
    sex: str | None = None  # "男" / "女"
    birth_date: date | None = None


@dataclass(frozen=True)
class DocCase:
    """The petition (信访事项) as the documents print it."""

    number: str  # 事项编号, e.g. 350881102-2026-00017
    query_code: str  # 查询码
    received_at: datetime
    channel: str  # 走访 / 来信 / 来电 / 传真 / 网上
    category: str  # "一级/二级" names, e.g. 劳动和社会保障/拖欠工资
    people_count: int
    is_group: bool
    is_accusation: bool  # 检举控告类
    request: str  # 信访请求
    facts: str  # 事实
    reasons: str  # 理由
    petitioners: tuple[DocParty, ...] | list[DocParty]
    representatives: tuple[DocParty, ...] | list[DocParty]
    concerned_unit: str | None  # 被反映单位
    clerk: str  # 登记人
    office_name: str  # the handling office, e.g. 漳平市永福镇信访办公室
    office_phone: str | None = None
    organ_name: str = ""  # the organ that decides and signs decisions, e.g. 漳平市永福镇人民政府
    matter: str = ""  # 事项类型, e.g. 申诉求决类（第三十一条第六项：信访处理意见书）
    entered_at: datetime | None = None  # 录入时间 (the received date is the event's)
    late_entry: bool = False  # 补录: entered days after it was received
    notice_exempt: bool = False  # name or address unclear: no written notice owed (第二十三条第二款)

    @property
    def decider(self) -> str:
        return self.organ_name or self.office_name

    def __post_init__(self):
        # Lists are accepted for convenience and kept as tuples so the value stays immutable.
        object.__setattr__(self, "petitioners", tuple(self.petitioners))
        object.__setattr__(self, "representatives", tuple(self.representatives))
        if self.people_count < 1:
            raise InvalidInput("信访人数至少为1", field="people_count")


@dataclass(frozen=True)
class ReceiptDetails:
    """信访事项接收告知书: registered, and by when the petitioner is told how it is handled (第二十二、二十三条)."""

    handling: str  # what happens next (处理途径和程序 as far as known at registration)
    time_limit: date  # 告知期限: the day by which the petitioner is told in writing (第二十三条, 15 days)
    contact: str | None = None  # 联系人（and phone if different from the office's）
    doc_no: str | None = None  # 文号
    # The signed statement (XFR…, issue 17): the QR code's content and the 核验码 line; None prints the
    # QR code of the case number and query code only.
    verification: str | None = None


@dataclass(frozen=True)
class RoutingDetails:
    """转送单 / 交办单 (第二十二条)."""

    kind: str  # 转送 / 交办
    receiving_unit: str
    deadline: date | None = None  # 交办: the date the result and 办结报告 are due
    requirements: str | None = None  # extra instructions to the receiving unit
    doc_no: str | None = None

    def __post_init__(self):
        _one_of(self.kind, ROUTING_KINDS, "kind", "流转方式")
        if self.kind == "交办" and self.deadline is None:
            raise InvalidInput("交办须写明办理期限", field="deadline")


@dataclass(frozen=True)
class RefusalDetails:
    """不予受理 / 不再受理告知书."""

    kind: str  # 不予受理 / 不再受理
    ground: str  # 理由, e.g. 你反映的劳动报酬争议属于应当通过劳动人事争议仲裁解决的事项
    article: str  # 依据, e.g. 《信访工作条例》第三十一条第二项
    redirect_to: str | None = None  # where to go instead, e.g. 漳平市劳动人事争议仲裁委员会申请仲裁
    details: str | None = None  # the facts of this matter behind the ground
    doc_no: str | None = None

    def __post_init__(self):
        _one_of(self.kind, REFUSAL_KINDS, "kind", "告知类型")


@dataclass(frozen=True)
class ExtensionDetails:
    """延期告知书 (第三十四条)."""

    reason: str
    new_deadline: date
    approver: str  # 批准的负责人
    original_deadline: date
    doc_no: str | None = None

    def __post_init__(self):
        if self.new_deadline <= self.original_deadline:
            raise InvalidInput("延长后的期限应晚于原办理期限", field="new_deadline")


@dataclass(frozen=True)
class DecisionDetails:
    """信访处理意见书 (第三十二、三十五条)."""

    outcome: str  # 支持 / 解释说明 / 不予支持
    decision: str  # 处理意见
    legal_basis: str  # 法律法规依据
    review_body: str  # 复查机关（原办理机关的上一级机关）, e.g. 漳平市人民政府
    findings: str | None = None  # 调查核实情况
    review_days: int = field(default=30)  # 第三十五条: 30 days
    doc_no: str | None = None

    def __post_init__(self):
        _one_of(self.outcome, OUTCOMES, "outcome", "处理结果")
        if not (self.legal_basis or "").strip():
            raise InvalidInput("信访处理意见书应当载明法律法规依据（第三十二条）", field="legal_basis")


@dataclass(frozen=True)
class NoticeDetails:
    """The written notice of 处理途径和程序 (第二十三条): accepted here, forwarded, assigned, or to be
    taken to another legal procedure (第三十一条第一至五项)."""

    route: str  # 登记 (not routed yet) / 直接办理 / 转送 / 交办 / 其他法定途径
    unit: str | None = None  # the receiving unit, or the procedure / organ to turn to
    deadline: date | None = None  # 交办: the limit set for the assigned unit
    matter_kind: str = ""  # suggestion / accusation / claim / "" (no kind recorded)
    claim_item: int | None = None  # 第三十一条's item
    handling_days: int = 60  # 第三十四条
    content: str | None = None  # what the clerk wrote to the petitioner
    doc_no: str | None = None

    def __post_init__(self):
        _one_of(self.route, NOTICE_ROUTES, "route", "办理途径")


@dataclass(frozen=True)
class AnswerDetails:
    """建议意见答复书 (第二十九条)."""

    answer: str  # 采纳 / 部分采纳 / 不采纳
    text: str
    doc_no: str | None = None

    def __post_init__(self):
        _one_of(self.answer, ANSWERS, "answer", "答复结果")


@dataclass(frozen=True)
class ReviewDetails:
    """复查意见书 (第三十五条) or 复核意见书 (第三十六条), where this office decides it."""

    stage: str  # 复查 / 复核
    disposition: str  # 维持 / 变更 / 撤销
    outcome: str | None  # the stance on the request after the review: 支持 / 解释说明 / 不予支持
    text: str  # the review's reasoning
    requested_on: date  # the day the request was received
    decision_below: str  # 「漳平市永福镇人民政府2026年3月18日作出的信访处理意见」
    basis: str | None = None
    next_body: str | None = None  # 复查: the 复核 body (None: not set — the text says 上一级机关)
    hearing_days: int = 0  # 复核: days of hearing not counted (第三十六条第二款)
    doc_no: str | None = None

    def __post_init__(self):
        _one_of(self.stage, ("复查", "复核"), "stage", "类别")
        _one_of(self.disposition, DISPOSITIONS, "disposition", f"{self.stage}结论")
        if self.outcome is not None:
            _one_of(self.outcome, OUTCOMES, "outcome", "处理结果")


@dataclass(frozen=True)
class FollowUpDetails:
    """回访记录: an internal record of the follow-up after the written reply."""

    followed_on: date
    method: str  # 电话 / 上门
    replied_on: date | None
    result: str | None  # the reply's outcome or answer
    rating: str | None  # 满意 / 基本满意 / 不满意
    notes: str | None
    by: str  # who made the visit or call


@dataclass(frozen=True)
class ReportDetails:
    """办结报告 (第二十二条第一款第三项): the assigned unit reports the result to the unit that assigned it."""

    to_unit: str
    assigned_on: date | None
    deadline: date | None
    replied_on: date
    result: str  # the outcome or answer
    text: str  # the reply's text
    delivered_on: date | None = None
    followed: str | None = None  # the follow-up and rating, when done
    doc_no: str | None = None
