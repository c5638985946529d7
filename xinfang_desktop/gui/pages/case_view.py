"""One case: its parties (masked), due dates and timeline. Loaded in the background."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...services.queries import CaseDetail
from ..context import AppContext
from ..errors import show_error
from ..style import URGENCY_BACKGROUND, URGENCY_FOREGROUND, due_text


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.horizontalHeader().setStretchLastSection(True)
    t.setWordWrap(True)
    return t


class CaseViewPage(QWidget):
    back = Signal()

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.detail: CaseDetail | None = None

        self.back_button = QPushButton("← 返回列表（Esc）")
        self.back_button.clicked.connect(self.back.emit)
        self.title = QLabel("正在打开…")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)

        self.summary = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in (("status", "状态"), ("received", "收件"), ("category", "问题类别"), ("people", "人数"),
                           ("request", "诉求"), ("facts", "事实"), ("reasons", "理由"), ("unit", "反映对象"),
                           ("repeat", "重件")):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.fields[key] = value
            self.summary.addRow(f"{label}：", value)
        summary_box = QGroupBox("事项")
        summary_box.setLayout(self.summary)

        self.parties = _table(["姓名", "身份", "性别", "身份证号码", "电话", "住址"])
        parties_box = QGroupBox("信访人（身份证号码和电话已隐去部分数字）")
        QVBoxLayout(parties_box).addWidget(self.parties)

        self.deadlines = _table(["期限", "起算日", "届满日", "情况"])
        deadlines_box = QGroupBox("期限")
        QVBoxLayout(deadlines_box).addWidget(self.deadlines)

        self.timeline = _table(["时间", "操作", "内容", "经办人"])
        timeline_box = QGroupBox("办理过程")
        QVBoxLayout(timeline_box).addWidget(self.timeline)

        self.problems = QLabel()
        self.problems.setStyleSheet("color: #9b1111;")
        self.problems.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(summary_box)
        left.addWidget(parties_box)
        right = QVBoxLayout()
        right.addWidget(deadlines_box)
        right.addWidget(timeline_box, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.problems)
        layout.addLayout(body, 1)
        self.reload()

    def keyPressEvent(self, event) -> None:
        # Escape from anywhere on the page (tables pass it up) goes back to the list.
        if event.key() == Qt.Key_Escape:
            self.back.emit()
            return
        super().keyPressEvent(event)

    def reload(self) -> None:
        ctx, case_id = self.ctx, self.case_id
        ctx.tasks.run(lambda: ctx.services.queries.detail(ctx.actor, case_id), writes=False,
                      on_done=self._show, on_error=self._failed)

    def _failed(self, exc: BaseException, details: str) -> None:
        if shiboken6.isValid(self):
            self.title.setText("无法打开该事项")
            show_error(self, exc, details)

    def _show(self, d: CaseDetail) -> None:
        if not shiboken6.isValid(self):
            return
        self.detail = d
        today = self.ctx.services.clock.today()
        r = d.row
        self.title.setText(f"{r.number}    查询码 {d.query_code}    {r.parties}")
        f = self.fields
        f["status"].setText(r.status_label + (f"；{due_text(r.next_due, r.urgency, today, r.provisional)}"
                                              if r.next_due else ""))
        f["received"].setText(f"{r.received_at:%Y-%m-%d %H:%M}，{r.channel}")
        f["category"].setText(r.category)
        f["people"].setText(f"{r.people_count}人" + ("（集体访）" if r.is_group else ""))
        f["request"].setText(r.request)
        f["facts"].setText(d.facts or "—")
        f["reasons"].setText(d.reasons or "—")
        f["unit"].setText(d.concerned_unit or "—")
        f["repeat"].setText(f"是，初件 {d.repeat_of_number}" if d.repeat_of_number else "否（初件）")

        self.parties.setRowCount(len(d.parties))
        for i, p in enumerate(d.parties):
            for j, v in enumerate((p.name, "代表人" if p.is_representative else "信访人", p.sex or "", p.id_number or "",
                                   p.phone or "", p.address or "")):
                self.parties.setItem(i, j, QTableWidgetItem(v))
        self.parties.resizeColumnsToContents()

        self.deadlines.setRowCount(len(d.deadlines))
        for i, dl in enumerate(d.deadlines):
            if dl.met_on:
                state = f"已于{dl.met_on:%Y-%m-%d}完成" + ("（逾期）" if dl.met_on > dl.due else "")
            elif dl.lapsed:
                state = "未使用，已届满"
            elif not dl.office and dl.urgency == "red":
                state = "已届满"
            else:
                days = (dl.due - today).days
                mark = {"green": "●", "amber": "▲", "red": "■"}.get(dl.urgency or "", "")
                state = f"{mark} " + (f"超期{-days}天" if days < 0 else "今天到期" if days == 0 else f"剩{days}天")
            items = [dl.label, f"{dl.start:%Y-%m-%d}", f"{dl.due:%Y-%m-%d}" + ("（暂定）" if dl.provisional else ""), state]
            for j, v in enumerate(items):
                item = QTableWidgetItem(v)
                if dl.urgency and dl.office and not dl.met_on and j == 3:
                    item.setBackground(URGENCY_BACKGROUND[dl.urgency])
                    item.setForeground(URGENCY_FOREGROUND[dl.urgency])
                if dl.provisional:
                    item.setToolTip("该年放假安排尚未公布，期限按周末和固定节日暂定；管理员载入当年安排后自动重算。")
                self.deadlines.setItem(i, j, item)
        self.deadlines.resizeColumnsToContents()
        self.deadlines.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)

        self.timeline.setRowCount(len(d.timeline))
        for i, t in enumerate(d.timeline):
            for j, v in enumerate((f"{t.occurred_at:%Y-%m-%d %H:%M}", t.label, t.summary, t.actor)):
                self.timeline.setItem(i, j, QTableWidgetItem(v))
        self.timeline.resizeColumnsToContents()
        self.timeline.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.timeline.resizeRowsToContents()
        self.problems.setText("\n".join("注意：" + p for p in d.problems))
        self.problems.setVisible(bool(d.problems))
