"""评理: 信访评理 sessions — recent sessions, a new entry, a correction, the one-page 评理意见."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...services.deliberation import Deliberation, DeliberationService
from .. import resolution_forms
from ..context import AppContext
from .session_log import SessionLogPage

PAGE_KEY = "deliberation"
COLUMNS = ["评理日期", "事项编号", "地点", "评理团", "到场人员", "信访人意见", "记录"]


class DeliberationPage(SessionLogPage):
    TITLE = "信访评理"
    ENTRY = "评理记录"
    NOTE = ("评理团（老干部、党员、调解员等）听取信访人和被反映单位的陈述，公开给出评理意见。"
            "记录只增不改：记错了用“更正”新增一条指向原记录的更正记录，原记录保留可查。")
    ADD_LABEL = "新增评理记录(&N)…"
    ADD_HEAD = "新增评理记录：请填写事项编号。"
    PRINT_LABEL = "打印评理意见(&P)"
    COLUMNS = COLUMNS
    STRETCH = 3

    def service(self) -> DeliberationService:
        return self.ctx.services.get(DeliberationService)

    def values(self, s: Deliberation) -> list[str]:
        return [f"{s.held_on:%Y-%m-%d}", s.case_number, s.place, "、".join(f"{m.name}（{m.role}）" for m in s.panel),
                "、".join(s.attendees), "接受" if s.accepted else "未接受"]

    def detail_text(self, s: Deliberation) -> str:
        return f"各方陈述：{s.statements}\n评理意见：{s.view}"

    def print_session(self, s: Deliberation) -> None:
        resolution_forms.open_deliberation(self, self.ctx, s.id)

    def form(self, case_number: str | None, head: str, corrects: Deliberation | None = None):
        return resolution_forms.deliberation_form(self, self.ctx, case_number, head, corrects=corrects,
                                                  on_saved=lambda _s: self.reload())


def create(ctx: AppContext, window) -> QWidget:
    return DeliberationPage(ctx, window)
