"""One case: its parties (masked), due dates and timeline, and one button per action allowed now.

Loaded in the background. The action buttons come from the case-action registry (the workflow's
own are in workflow_actions); 打印文书 lists every document, with the reason when one cannot be
printed yet; 显示 reveals a party's full ID number and phone, an audited action offered only to
roles that may see them.

When another desk records on the case while it is on the screen (the change watcher, change_watch.py), the
page does not change under the clerk's eyes: a line says so, with a button that reads it again. Every action
started here passes the events shown (CaseDetail.seen_events): one on a case with any other event, another
desk's or one that came by sync, is refused by the service (StaleCase, services/cases.py), the dialog says what
was done, and this line offers the reload. After this desk's own action the buttons stay disabled until the
page is read again, so a quick second action carries the events it added, and is not refused as stale.
"""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QMenu, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget)

from ...domain.glossary import RECEIVED_DATE
from ...domain.urgency import Urgency
from ...services.permissions import Permission
from ...services.office import OfficeService
from ...services.printing import DOCUMENT_LABELS, DOCUMENT_NAMES, PrintService
from ...services.queries import CaseDetail
from ..case_actions import actions_for
from ..context import AppContext
from ..errors import show_error
from ..flow_layout import flow_widget
from ..print_preview import PrintPreviewDialog, print_case_document
from ..style import URGENCY_BACKGROUND, URGENCY_FOREGROUND, due_text
from ..tasks import CASES, OTHER
from ..tables import read_only_table

ELSEWHERE = "此事项已在其他工作台更新，这里显示的是打开时的情况。"

ID_COLUMN, PHONE_COLUMN, REVEAL_COLUMN = 3, 4, 6


def party_notes(d: CaseDetail, names: dict[str, str] | None = None) -> list[str]:
    """One line per note on a party: another record with the same ID number, and the person's history
    (who did it by the person's name, `names`: login name → 姓名)."""
    names = names or {}
    lines = []
    for p in d.parties:
        if p.shares_id_with:
            lines.append(f"{p.name}：同一身份证号码另有登记（不是同一条记录，未合并）——{'、'.join(p.shares_id_with)}")
        for h in p.history:
            lines.append(f"{p.name}：{h.at:%Y-%m-%d} {h.label}（{names.get(h.actor, h.actor)}）{h.text}")
    return lines


def status_html(status: str, due: str, urgency: str | None) -> str:
    """The status, and the next due date in its deadline colour (the mark and the words say it too)."""
    if not due:
        return html.escape(status)
    if urgency:
        colour = URGENCY_FOREGROUND[Urgency(urgency)].name()
        due_part = f"<span style='color: {colour}; font-weight: bold;'>{html.escape(due)}</span>"
    else:
        due_part = html.escape(due)
    return f"{html.escape(status)}；{due_part}"


class CaseViewPage(QWidget):
    back = Signal()

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.detail: CaseDetail | None = None
        self.documents: dict[str, str | None] = {}      # document name -> why it cannot be printed
        self.names: dict[str, str] = {}                  # login name -> the person's name, for 经办人
        self.action_buttons: dict[str, QPushButton] = {}
        self.preview: PrintPreviewDialog | None = None

        self.setFocusPolicy(Qt.StrongFocus)       # opened, it takes the keyboard: Esc goes back
        self.back_button = QPushButton("← 返回（Esc）")
        self.back_button.clicked.connect(self.back.emit)
        self.title = QLabel("正在打开…")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)

        # The buttons wrap to a second line: an administrator's dozen would make the window wider than the screen.
        actions_holder, self.actions_row = flow_widget()
        self.no_actions = QLabel()
        self.no_actions.setWordWrap(True)
        self.no_actions.setStyleSheet("color: #666;")
        self.print_button = QPushButton("打印文书(&P)")
        self.print_menu = QMenu(self.print_button)
        self.print_button.setMenu(self.print_menu)
        actions_box = QHBoxLayout()
        actions_box.addWidget(actions_holder, 1)
        actions_box.addWidget(self.no_actions)
        actions_box.addWidget(self.print_button, 0, Qt.AlignTop)

        self.summary = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in (("status", "状态"), ("received", RECEIVED_DATE), ("entered", "录入"), ("matter", "事项类型"),
                           ("category", "问题类别"), ("people", "人数"),
                           ("request", "诉求"), ("facts", "事实"), ("reasons", "理由"), ("unit", "被反映单位"),
                           ("repeat", "重件")):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            if key == "status":
                value.setTextFormat(Qt.RichText)      # the due date in its deadline colour
            self.fields[key] = value
            self.summary.addRow(f"{label}：", value)
        summary_box = QGroupBox("事项")
        summary_box.setLayout(self.summary)

        self.can_reveal = ctx.actor.can(Permission.REVEAL_PERSONAL)
        self.parties = read_only_table(["姓名", "身份", "性别", "身份证号码", "电话", "住址"]
                                       + (["完整号码"] if self.can_reveal else []), wrap=True)
        self.parties.horizontalHeader().setStretchLastSection(not self.can_reveal)
        parties_box = QGroupBox("信访人（身份证号码和电话已隐去部分数字）")
        # A person's history (fills, corrections, registered apart) and other records holding the same
        # ID number: said here, under the parties, never merged into them.
        self.party_notes = QLabel()
        self.party_notes.setWordWrap(True)
        self.party_notes.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.party_notes.setStyleSheet("color: #5d4200;")
        self.party_notes.hide()
        parties_layout = QVBoxLayout(parties_box)
        parties_layout.addWidget(self.parties)
        parties_layout.addWidget(self.party_notes)

        # The statutory label (期限) and the event's text (内容) take a wide window's room, not the last column.
        self.deadlines = read_only_table(["期限", "起算日", "届满日", "情况"], wrap=True, stretch_last=False)
        # A narrow window wraps the long statutory labels onto two lines instead of cutting them.
        self.deadlines.horizontalHeader().sectionResized.connect(
            lambda *_: self.deadlines.resizeRowsToContents())
        deadlines_box = QGroupBox("期限")
        QVBoxLayout(deadlines_box).addWidget(self.deadlines)

        self.timeline = read_only_table(["时间", "操作", "内容", "经办人"], wrap=True, stretch_last=False)
        timeline_box = QGroupBox("办理过程")
        QVBoxLayout(timeline_box).addWidget(self.timeline)

        self.problems = QLabel()
        self.problems.setStyleSheet("color: #9b1111;")
        self.problems.setWordWrap(True)

        # another desk's change to this case: said, not shown until the clerk asks (change_watch.py)
        self.elsewhere = QWidget()
        self.elsewhere.setStyleSheet("QWidget#elsewhere { background: #fff6cc; border: 1px solid #c9a800;"
                                     " border-radius: 4px; }")
        self.elsewhere.setObjectName("elsewhere")
        self.elsewhere_text = QLabel(ELSEWHERE)
        self.elsewhere_button = QPushButton("重新载入（F5）")
        self.elsewhere_button.setToolTip("读取该事项的最新情况（其他工作台的办理记录）")
        self.elsewhere_button.clicked.connect(self.reload)
        line = QHBoxLayout(self.elsewhere)
        line.setContentsMargins(8, 4, 8, 4)
        line.addWidget(self.elsewhere_text)
        line.addWidget(self.elsewhere_button)     # beside the words, where the eye is, not at the far edge
        line.addStretch(1)
        self.elsewhere.hide()
        QShortcut(QKeySequence.Refresh, self, activated=self.reload)
        self._loading = False
        self._checking = False
        ctx.tasks.changed_elsewhere.connect(self._changed_elsewhere)

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
        layout.addLayout(actions_box)
        layout.addWidget(self.elsewhere)
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

        def load() -> tuple[CaseDetail, dict[str, str | None], dict[str, str]]:
            detail = ctx.services.queries.detail(ctx.actor, case_id)
            # the office's names and review bodies, which the action forms offer (read here, not on the UI thread)
            detail = replace(detail, office=ctx.services.get(OfficeService).settings())
            return (detail, ctx.services.get(PrintService).available(detail.row.number),
                    ctx.services.auth.display_names())

        self._loading = True
        ctx.tasks.run(load, writes=False, on_done=self._loaded, on_error=self._failed, owner=self)

    def _changed_elsewhere(self, what: str) -> None:
        """Another desk committed something: is it this case? One small read; the page itself stays as it is."""
        if what != CASES or not self.isVisible() or self._loading or self._checking or self.detail is None:
            return
        self._checking = True
        ctx, case_id, shown = self.ctx, self.detail.row.id, self.detail.revision

        def checked(now: tuple) -> None:
            self._checking = False
            if now != shown and self.detail is not None and self.detail.revision == shown:
                self.elsewhere.show()

        def failed(*_args) -> None:
            self._checking = False        # the watcher's line says what is wrong; no box for a check

        ctx.tasks.run(lambda: ctx.services.queries.revision(case_id), writes=False, on_done=checked,
                      on_error=failed, owner=self)

    def _loaded(self, result: tuple[CaseDetail, dict[str, str | None], dict[str, str]]) -> None:
        self._loading = False
        self.elsewhere.hide()
        self.documents, self.names = result[1], result[2]
        self._show(result[0])
        self._show_actions(result[0])

    # -- actions and documents -----------------------------------------------------------
    def _show_actions(self, d: CaseDetail) -> None:
        while self.actions_row.count():
            item = self.actions_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.action_buttons = {}
        actor = self.ctx.actor
        for action in actions_for(d, actor):
            button = QPushButton(action.label)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, a=action: a.run(self, self.ctx, self.detail, self.acted))
            self.actions_row.addWidget(button)
            self.action_buttons[action.key] = button
        self.no_actions.setText(d.not_writable if d.not_writable and not d.allowed else
                                "" if self.action_buttons else
                                "当前没有可进行的办理操作" if d.allowed else "该事项已办结，没有可进行的办理操作")
        self.print_menu.clear()
        can_print = actor.can(Permission.PRINT)
        for name in DOCUMENT_NAMES:
            why = self.documents.get(name)
            label = DOCUMENT_LABELS[name] + (f"（{why}）" if why else "")
            act = self.print_menu.addAction(label, lambda n=name: self.print_document(n))
            act.setEnabled(can_print and why is None)
        self.print_button.setEnabled(can_print)

    def acted(self) -> None:
        """This desk's action was saved: read the case again. Until then the buttons are off, so the next
        action is not sent with the last event from before this one (and refused as someone else's)."""
        for button in self.action_buttons.values():
            button.setEnabled(False)
        self.reload()

    def changed_since_opened(self) -> None:
        """An action was refused as stale (the dialog says what): offer to read the case again."""
        self.elsewhere.show()

    def print_document(self, name: str) -> None:
        if self.detail is not None:
            print_case_document(self, self.ctx, self.detail.row.number, name, on_shown=self.preview_opened)

    def preview_opened(self, dialog: PrintPreviewDialog) -> None:
        self.preview = dialog

    def reveal(self, row: int) -> None:
        """Show one party's full ID number and phone; each value shown is an audit entry."""
        if self.detail is None:
            return
        party = self.detail.parties[row]
        ctx = self.ctx
        wanted = [w for w, v in (("id_number", party.id_number), ("phone", party.phone)) if v]

        def fetch() -> dict[str, str]:
            return {w: ctx.services.queries.reveal(ctx.actor, party.person_id, w) for w in wanted}

        def shown(values: dict[str, str]) -> None:
            for what, column in (("id_number", ID_COLUMN), ("phone", PHONE_COLUMN)):
                if what in values:
                    self.parties.setItem(row, column, QTableWidgetItem(values[what]))
            button = self.parties.cellWidget(row, REVEAL_COLUMN)
            if button is not None:
                button.setText("已显示")
                button.setEnabled(False)
            self.parties.resizeColumnsToContents()

        ctx.tasks.run(fetch, writes=True, changes=OTHER, on_done=shown, on_error=self._action_failed, owner=self)

    def _action_failed(self, exc: BaseException, details: str) -> None:
        show_error(self, exc, details)

    def _failed(self, exc: BaseException, details: str) -> None:
        self._loading = False
        self.title.setText("无法打开该事项")
        show_error(self, exc, details)

    def _show(self, d: CaseDetail) -> None:
        self.detail = d
        today = self.ctx.services.clock.today()
        r = d.row
        self.title.setText(f"{r.number}    查询码 {d.query_code}    {r.parties}")
        f = self.fields
        f["status"].setText(status_html(r.status_label, due_text(r.next_due, r.urgency, today, r.provisional)
                                        if r.next_due else "", r.urgency))
        f["received"].setText(f"{r.received_at:%Y-%m-%d %H:%M}，{r.channel}")
        # The entry time beside the received date: a matter entered days later is 补录, and says so.
        entered = f"{d.entered_at:%Y-%m-%d %H:%M}" if d.entered_at else "—"
        if d.state.entered_late:
            entered += "　补录：登记或受理告知晚于收到日期录入，不计为及时受理"
        f["entered"].setText(entered)
        f["entered"].setStyleSheet("color: #9b1111;" if d.state.entered_late else "")
        f["matter"].setText(d.state.matter.label + ("；姓名或住址不清，免予书面告知" if d.state.notice_exempt else ""))
        f["category"].setText(r.category)
        crowd = "（集体访）" if r.is_group else ("（联名）" if r.people_count >= 5 else "")
        f["people"].setText(f"{r.people_count}人{crowd}")
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
            if self.can_reveal:
                self.parties.setItem(i, REVEAL_COLUMN, QTableWidgetItem(""))
                if p.id_number or p.phone:
                    button = QPushButton("显示")
                    button.setToolTip("显示完整的身份证号码和电话（会记入操作日志）")
                    button.clicked.connect(lambda _=False, row=i: self.reveal(row))
                    self.parties.setCellWidget(i, REVEAL_COLUMN, button)
        self.parties.resizeColumnsToContents()
        if self.can_reveal:
            # 住址 takes what is left and wraps: at 1280 wide the 显示 button after it was off the table's edge.
            self.parties.horizontalHeader().setSectionResizeMode(REVEAL_COLUMN - 1, QHeaderView.Stretch)
            self.parties.resizeRowsToContents()
        notes = party_notes(d, self.names)
        self.party_notes.setText("\n".join(notes))
        self.party_notes.setVisible(bool(notes))

        self.deadlines.setRowCount(len(d.deadlines))
        for i, dl in enumerate(d.deadlines):
            if dl.met_on:
                state = f"已于{dl.met_on:%Y-%m-%d}完成" + ("（逾期）" if dl.met_on > dl.due else "")
            elif dl.lapsed:
                state = "未使用，已届满"
            elif not dl.office and dl.urgency == Urgency.RED:
                state = "已届满"
            else:
                days = (dl.due - today).days
                mark = Urgency(dl.urgency).symbol if dl.urgency else ""
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
        self.deadlines.resizeRowsToContents()

        self.timeline.setRowCount(len(d.timeline))
        for i, t in enumerate(d.timeline):
            for j, v in enumerate((f"{t.occurred_at:%Y-%m-%d %H:%M}", t.label, t.summary,
                                     self.names.get(t.actor, t.actor))):
                self.timeline.setItem(i, j, QTableWidgetItem(v))
        self.timeline.resizeColumnsToContents()
        self.timeline.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.timeline.resizeRowsToContents()
        self.problems.setText("\n".join("注意：" + p for p in d.problems))
        self.problems.setVisible(bool(d.problems))
