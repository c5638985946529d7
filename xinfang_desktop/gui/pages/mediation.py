"""调解: the mediation log — recent sessions, a new entry, a correction, the agreement."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...services.mediation import MediationService, Session
from .. import attention_actions
from ..context import AppContext
from .session_log import SessionLogPage

PAGE_KEY = "mediation"
COLUMNS = ["调解日期", "事项编号", "方式", "地点", "调解员", "到场当事人", "结果", "下次调解", "记录"]


class MediationPage(SessionLogPage):
    TITLE = "调解记录"
    ENTRY = "调解记录"
    NOTE = ("调解记录只增不改：记错了用“更正”新增一条指向原记录的更正记录，原记录保留可查。"
            "达成协议的，可打印调解协议书或和解协议书供当事人签名。")
    ADD_LABEL = "新增调解记录(&N)…"
    ADD_HEAD = "新增调解记录：在“事项编号”中输入序号（如 1252）并回车，找到该事项。"
    PRINT_LABEL = "打印协议书(&P)"
    COLUMNS = COLUMNS
    STRETCH = 5

    def service(self) -> MediationService:
        return self.ctx.services.get(MediationService)

    def values(self, s: Session) -> list[str]:
        return [f"{s.held_on:%Y-%m-%d}", s.case_number, s.kind.label, s.place,
                "、".join(f"{m.name}（{m.role}）" for m in s.mediators), "、".join(s.parties),
                s.outcome.label + (f"（{s.agreement_kind}）" if s.agreement else ""),
                f"{s.next_session:%Y-%m-%d}" if s.next_session else ""]

    def detail_text(self, s: Session) -> str:
        text = f"调解情况：{s.discussion}"
        return text + f"\n协议内容：{s.agreement}" if s.agreement else text

    def printable(self, s: Session) -> bool:
        return bool(s.agreement and s.current)

    def print_session(self, s: Session) -> None:
        attention_actions.open_agreement(self, self.ctx, s.id)

    def form(self, case_number: str | None, head: str, corrects: Session | None = None):
        return attention_actions.mediation_form(self, self.ctx, case_number, head, corrects=corrects,
                                                on_saved=lambda _s: self.reload())


def create(ctx: AppContext, window) -> QWidget:
    return MediationPage(ctx, window)
