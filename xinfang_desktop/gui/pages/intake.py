"""登记: a keyboard-first intake form. Save (Ctrl+S) registers the petition and opens the receipt.

Every field has an Alt mnemonic and the Tab order follows the screen. Fields are checked with the
domain's own rules as the clerk leaves them, and all at once on save. The form is kept as a draft
while the clerk types, and offered back after a crash. A side panel shows people who may be this
petitioner, with their earlier matters, to fill the person in or link a repeat petition (重件).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QDateTime, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QCheckBox, QComboBox, QDateTimeEdit, QFileDialog,
                               QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea, QSpinBox,
                               QVBoxLayout, QWidget)

from ...documents import RenderedDocument
from ...domain.errors import InvalidInput
from ...domain.idcard import parse_id_number
from ...domain.matters import MATTER_CHOICES, default_matter, matter_code
from ...domain.person_identity import ConflictRow, PersonChoice, PersonConflict
from ...domain.petition import (MAX_PEOPLE, Channel, FieldErrors, PetitionerInput, RegistrationInput, is_group,
                                is_joint)
from ...domain.phones import parse_phone
from ...services.attachments import CheckedFile, check_file, human_size
from ...services.cases import CaseRef
from ...services.drafts import Draft, DraftService
from ...services.intake import IntakeService, PersonMatch
from ...services.permissions import Permission
from ...services.printing import PrintService
from .. import print_preview, receipt_verify
from ..context import AppContext
from ..errors import show_error
from ..intake_widgets import (FORM_STYLE, MatchPanel, PetitionerRow, SearchPicker, error_label, row_header,
                              set_invalid, show_error_text)
from ..person_conflict import PersonConflictDialog
from ..tasks import OTHER

PAGE_KEY = "intake"
DRAFT_DELAY_MS = 800       # save the draft this long after the last keystroke
LOOKUP_DELAY_MS = 300      # look people up this long after the last keystroke
DRAFT_VERSION = 1
# The time a petition came, named by how it came (a walk-in is not 收件); lists and the case say 收到日期.
RECEIVED_LABELS = {Channel.VISIT: "来访时间(&T)", Channel.LETTER: "收信时间(&T)", Channel.PHONE: "来电时间(&T)",
                   Channel.FAX: "收到时间(&T)", Channel.ONLINE: "收到时间(&T)"}
TOP_FIELDS = ("channel", "received_at", "people_count", "category_code", "concerned_unit", "request", "facts",
              "reasons", "attachments", "petitioners", "representatives", "repeat_of", "matter")


def create(ctx: AppContext, window) -> QWidget:
    page = IntakePage(ctx)
    if hasattr(window, "open_case"):
        page.open_case.connect(window.open_case)

    def offer() -> None:
        if shiboken6.isValid(window) and hasattr(window, "show_page"):
            window.show_page(PAGE_KEY)

    # A draft left by a crash or power cut: show this page so the clerk sees the offer.
    page.draft_offered.connect(lambda: QTimer.singleShot(0, offer))
    if page.offered_draft is not None:
        QTimer.singleShot(0, offer)
    return page


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class IntakePage(QWidget):
    saved = Signal(object)            # CaseRef
    open_case = Signal(str)           # case id: 打开该事项 on the saved banner
    draft_saved = Signal(object)      # datetime
    draft_offered = Signal()
    receipt_ready = Signal(object)    # RenderedDocument

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.services = ctx.services
        self.intake = ctx.services.get(IntakeService)
        self.drafts = ctx.services.get(DraftService)
        self.default_township = self.intake.office_township()
        self.saved_case: CaseRef | None = None
        self.last_receipt: RenderedDocument | None = None
        self.offered_draft: Draft | None = None
        self.rows: list[PetitionerRow] = []
        self.attachments: list[CheckedFile] = []
        self.repeat_of: tuple[str, str] | None = None     # (case id, number)
        self.person_matches: list[PersonMatch] = []
        self._loading = False
        self._touched: set[str] = set()
        self._count_manual = False
        self._current_row = 0
        self._lookup_seq = 0
        self._has_draft = False
        self._saving = False
        # A save refused for conflicting person details: the rows still to decide, and the form's rows
        # of the registration's petitioners at that moment.
        self._conflicts: list[ConflictRow] = []
        self._conflict_rows: list[int] = []
        self._conflict_place: Callable[[str], str] = str
        self.conflict_dialog: PersonConflictDialog | None = None
        self.setStyleSheet(FORM_STYLE)

        self._build()
        self._shortcuts()
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS, timeout=self._save_draft)
        self._lookup_timer = QTimer(self, singleShot=True, interval=LOOKUP_DELAY_MS, timeout=self.lookup_now)
        self.clear_form()
        actor = ctx.actor
        if not actor.can(Permission.REGISTER):
            # A role that may not register sees the form but cannot fill it (and keeps no draft).
            self.summary.setText(f"{actor.display_name}（{actor.role.label}）没有登记信访事项的权限；"
                                 "请由登记员或承办人登记，或联系管理员。")
            self.summary.show()
            self.scroll.widget().setEnabled(False)
            for b in (self.save_button, self.new_button):
                b.setEnabled(False)
            return
        self.ctx.tasks.run(lambda: self.drafts.load(actor), writes=False, on_done=self._got_draft,
                           on_error=lambda *_: None, owner=self)

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        # Banners: a draft to restore, and the case just saved.
        self.draft_banner = QFrame()
        self.draft_banner.setStyleSheet("QFrame { background: #fff3cd; border: 1px solid #e0b000; }")
        self.draft_text = QLabel()
        self.draft_text.setWordWrap(True)
        self.restore_button = QPushButton("恢复草稿(&R)")
        self.discard_button = QPushButton("丢弃草稿(&G)")
        self.restore_button.clicked.connect(self.restore_offered_draft)
        self.discard_button.clicked.connect(self.discard_offered_draft)
        banner = QHBoxLayout(self.draft_banner)
        banner.addWidget(self.draft_text, 1)
        banner.addWidget(self.restore_button)
        banner.addWidget(self.discard_button)
        self.draft_banner.hide()

        self.saved_text = QLabel()
        self.saved_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.saved_text.setWordWrap(True)
        self.saved_text.setStyleSheet("color: #1d5e2c; font-size: 15pt; font-weight: bold;")
        self.open_saved = QPushButton("打开该事项(&O)")
        self.open_saved.setFocusPolicy(Qt.ClickFocus)      # Tab stays in the form for the next petitioner
        self.open_saved.clicked.connect(self._open_saved)
        self.saved_banner = QFrame()
        self.saved_banner.setObjectName("savedBanner")
        self.saved_banner.setStyleSheet("QFrame#savedBanner { background: #dff3e4; border: 1px solid #7cb98a; }")
        saved_line = QHBoxLayout(self.saved_banner)
        saved_line.addWidget(self.saved_text, 1)
        saved_line.addWidget(self.open_saved, 0, Qt.AlignVCenter)
        self.saved_banner.hide()

        self.summary = error_label()     # "请改正以下N处" on a refused save

        # Channel, time received, and the repeat link.
        self.channel = QComboBox()
        for i, ch in enumerate(Channel, 1):
            self.channel.addItem(f"{i} {ch.label}", ch.value)   # a digit picks it from the keyboard
        self.received = QDateTimeEdit()
        self.received.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.received.setCalendarPopup(False)
        self.received.setButtonSymbols(QDateTimeEdit.NoButtons)   # keyboard: type digits, ↑↓ change a part
        self.repeat_label = QLabel()
        self.repeat_label.setStyleSheet("color: #7a4b00; font-weight: bold;")
        self.unlink_button = QPushButton("取消关联(&U)")
        self.unlink_button.clicked.connect(lambda: self.set_repeat(None))
        self.unlink_button.setFocusPolicy(Qt.ClickFocus)
        top = QHBoxLayout()
        top.addWidget(_label("信访形式(&F)", self.channel))
        top.addWidget(self.channel)
        top.addSpacing(16)
        self.received_label = _label(RECEIVED_LABELS[Channel.VISIT], self.received)
        top.addWidget(self.received_label)
        top.addWidget(self.received)
        top.addSpacing(16)
        top.addWidget(self.repeat_label)
        top.addWidget(self.unlink_button)
        top.addStretch(1)
        self.errors: dict[str, QLabel] = {k: error_label() for k in TOP_FIELDS}
        top_errors = QHBoxLayout()
        for k in ("channel", "received_at", "repeat_of"):
            top_errors.addWidget(self.errors[k])
        top_errors.addStretch(1)

        # Petitioners.
        self.people_box = QGroupBox("信访人")
        header, self.header_labels = row_header(self)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(2)
        self.add_button = QPushButton("＋ 添加信访人（Ctrl+Enter）")
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        # Ctrl+Enter (on its face) adds a petitioner: Tab does not stop here on every walk-in.
        self.add_button.setFocusPolicy(Qt.ClickFocus)
        self.group_hint = QLabel()
        self.group_hint.setProperty("role", "hint")
        add_line = QHBoxLayout()
        add_line.addWidget(self.add_button)
        add_line.addWidget(self.group_hint, 1)
        people = QVBoxLayout(self.people_box)
        people.addWidget(header)
        people.addLayout(self.rows_layout)
        people.addLayout(add_line)
        people.addWidget(self.errors["petitioners"])
        people.addWidget(self.errors["representatives"])

        # The matter.
        self.people_count = QSpinBox()
        self.people_count.setRange(1, MAX_PEOPLE)
        self.people_count.setButtonSymbols(QSpinBox.NoButtons)
        self.people_count.setFixedWidth(self.people_count.fontMetrics().horizontalAdvance("0") * 6 + 16)
        self.people_count.lineEdit().textEdited.connect(self._count_edited)
        self.people_count.valueChanged.connect(self._changed)
        self.category = SearchPicker(self._search_categories, self.services.categories.label,
                                     "名称、拼音或首字母，如 tq 拖欠工资")
        # The kind of matter (第二十九、三十、三十一条): the category suggests it, the clerk confirms it.
        self.matter = QComboBox()
        for value, label in MATTER_CHOICES:
            self.matter.addItem(label, value)
        self.matter.setToolTip("建议意见类研究答复；检举控告类转送纪检监察等机关；申诉求决类第一至五项导入诉讼、"
                               "仲裁、复议等法定程序，第六项出具信访处理意见书")
        self.matter.activated.connect(self._matter_chosen)
        self._matter_manual = False
        self.notice_exempt = QCheckBox("姓名或住址不清，免予书面告知(&B)")
        self.notice_exempt.setToolTip("来信等未写明姓名（名称）或住址，无法书面告知的（第二十三条第二款）")
        self.concerned_unit = QLineEdit()
        self.concerned_unit.setPlaceholderText("如：某某公司、某某村委会")
        self.request = QPlainTextEdit()
        self.facts = QPlainTextEdit()
        self.reasons = QPlainTextEdit()
        for edit, height in ((self.request, 3), (self.facts, 4), (self.reasons, 3)):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * height + 14)
            edit.textChanged.connect(self._changed)
        self.request.setPlaceholderText("信访人要求解决的问题（必填）")
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.addWidget(_label("人数(&N)", self.people_count), 0, 0)
        grid.addWidget(self.people_count, 0, 1)
        grid.addWidget(_label("问题类别(&K)", self.category.edit), 0, 2)
        grid.addWidget(self.category, 0, 3)
        grid.addWidget(_label("被反映单位(&W)", self.concerned_unit), 0, 4)
        grid.addWidget(self.concerned_unit, 0, 5)
        grid.addWidget(self.errors["people_count"], 1, 1)
        grid.addWidget(self.errors["category_code"], 1, 3)
        grid.addWidget(self.errors["concerned_unit"], 1, 5)
        grid.addWidget(_label("事项类型(&L)", self.matter), 2, 2)
        grid.addWidget(self.matter, 2, 3)
        grid.addWidget(self.notice_exempt, 2, 4, 1, 2)
        grid.addWidget(self.errors["matter"], 3, 3)
        grid.setColumnStretch(3, 2)
        grid.setColumnStretch(5, 2)
        for row, (key, text, edit) in enumerate((("request", "诉求(&Q)", self.request),
                                                 ("facts", "事实(&S)", self.facts),
                                                 ("reasons", "理由(&Y)", self.reasons)), start=2):
            label = _label(text, edit)
            label.setAlignment(Qt.AlignRight | Qt.AlignTop)
            grid.addWidget(label, row * 2, 0)
            grid.addWidget(edit, row * 2, 1, 1, 5)
            grid.addWidget(self.errors[key], row * 2 + 1, 1, 1, 5)

        # Attachments.
        self.attach_button = QPushButton("添加附件(&A)…")
        self.attach_button.clicked.connect(self._pick_attachments)
        self.attach_list = QListWidget()
        self.attach_list.setFixedHeight(self.attach_list.fontMetrics().lineSpacing() * 3 + 10)
        self.attach_list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.attach_list.installEventFilter(self)
        attach_hint = QLabel("扫描的信件或照片：JPG、PNG、PDF、TIF，每个不超过 20 MB。选中后按 Delete 移除。")
        attach_hint.setProperty("role", "hint")
        attach = QGridLayout()
        attach.addWidget(self.attach_button, 0, 0, Qt.AlignTop)
        attach.addWidget(self.attach_list, 0, 1)
        attach.addWidget(attach_hint, 1, 1)
        attach.addWidget(self.errors["attachments"], 2, 1)
        attach.setColumnStretch(1, 1)

        form = QWidget()
        body = QVBoxLayout(form)
        body.addLayout(top)
        body.addLayout(top_errors)
        body.addWidget(self.people_box)
        body.addLayout(grid)
        body.addLayout(attach)
        body.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.scroll.setWidget(form)
        # The form never narrower than its rows (its right edge would be cut off: no sideways scrolling);
        # the side panel gives way instead.
        self.scroll.setMinimumWidth(form.minimumSizeHint().width() + self.scroll.verticalScrollBar().sizeHint().width())

        self.matches = MatchPanel()
        # Narrower on a 1280-wide screen, so the petitioner row keeps room for a long name and the address.
        self.matches.setMinimumWidth(190)
        self.matches.setMaximumWidth(240)
        self.matches.fill_person.connect(self.fill_person)
        self.matches.link_repeat.connect(lambda cid, number: self.set_repeat((cid, number)))

        # Buttons and the keys that do the same.
        self.save_button = QPushButton("保存并打印告知书（Ctrl+S）")
        self.save_button.setStyleSheet("font-weight: bold; padding: 6px 14px;")
        self.save_button.clicked.connect(self.save)
        self.print_button = QPushButton("重打告知书（Ctrl+P）")
        self.print_button.clicked.connect(self.print_receipt)
        self.print_button.setEnabled(False)
        self.new_button = QPushButton("新登记（Ctrl+N）")
        self.new_button.clicked.connect(self.new_form)
        for b in (self.print_button, self.new_button):
            b.setFocusPolicy(Qt.ClickFocus)
        self.draft_status = QLabel()
        self.draft_status.setProperty("role", "hint")
        keys = QLabel("Alt+带下划线的字母 跳到该项 · Tab 下一项 · Ctrl+Enter 添加信访人 · "
                      "Ctrl+Shift+Delete 删除当前信访人 · F4 查看相同人员")
        keys.setProperty("role", "hint")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.new_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.draft_status, 1)

        middle = QHBoxLayout()
        middle.addWidget(self.scroll, 1)
        middle.addWidget(self.matches)
        outer = QVBoxLayout(self)
        outer.addWidget(self.draft_banner)
        outer.addWidget(self.saved_banner)
        outer.addWidget(self.summary)
        outer.addLayout(middle, 1)
        outer.addLayout(buttons)
        outer.addWidget(keys)

        self.channel.currentIndexChanged.connect(self._changed)
        self.received.dateTimeChanged.connect(self._changed)
        self.category.changed.connect(self._changed)
        self.category.changed.connect(self._category_chosen)
        self.category.edit.textEdited.connect(self._changed)
        self.channel.currentIndexChanged.connect(self._update_group)
        self.channel.currentIndexChanged.connect(self._name_received)
        self.concerned_unit.textEdited.connect(self._changed)
        self.top_widgets: dict[str, QWidget] = {
            "channel": self.channel, "received_at": self.received, "people_count": self.people_count,
            "category_code": self.category.edit, "concerned_unit": self.concerned_unit, "request": self.request,
            "facts": self.facts, "reasons": self.reasons, "attachments": self.attach_list, "matter": self.matter}
        self._key_of = {w: key for key, w in self.top_widgets.items()}
        for w in self.top_widgets.values():
            set_invalid(w, False)
            w.installEventFilter(self)

    def _shortcuts(self) -> None:
        def key(seq: str, fn) -> None:
            QShortcut(QKeySequence(seq), self, activated=fn, context=Qt.WidgetWithChildrenShortcut)

        key("Ctrl+S", self.save)
        key("Ctrl+P", self.print_receipt)
        key("Ctrl+N", self.new_form)
        key("Ctrl+Return", lambda: self.add_row(focus=True))
        key("Ctrl+Enter", lambda: self.add_row(focus=True))
        key("Ctrl+Shift+Delete", self.remove_current_row)
        key("F4", self._focus_matches)

    def _search_categories(self, text: str) -> list[tuple[str, str]]:
        return [(c.code, f"{c.code}  {self.services.categories.label(c.code)}")
                for c in self.services.categories.search(text)]

    # -- rows ------------------------------------------------------------------------------
    def add_row(self, focus: bool = False, state: dict | None = None) -> PetitionerRow:
        row = PetitionerRow(self.services.divisions, self.default_township)
        if state:
            row.set_state(state)
        row.edited.connect(self._changed)
        row.edited.connect(self._update_group)
        row.lookup.connect(lambda r=row: self._schedule_lookup(r))
        row.left_field.connect(lambda key, r=row: self._guarded(self._left_row_field, r, key))
        row.remove_requested.connect(lambda r=row: self.remove_row(r))
        for w in row.tab_chain():
            w.installEventFilter(self)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        row.show()          # before the tab order is set: Qt skips a widget not yet shown
        self._renumber()
        if not self._loading:
            self._changed()
        if focus:
            self._current_row = len(self.rows) - 1
            row.name.setFocus()
            QTimer.singleShot(0, lambda: shiboken6.isValid(row) and self.scroll.ensureWidgetVisible(row))
        return row

    def remove_row(self, row: PetitionerRow) -> None:
        if len(self.rows) == 1:
            row.set_state({"township_code": self.default_township})
            row.show_born(None, None)
        else:
            index = self.rows.index(row)
            self.rows.remove(row)
            self.rows_layout.removeWidget(row)
            row.deleteLater()
            self._current_row = min(index, len(self.rows) - 1)
            self.rows[self._current_row].name.setFocus()
        self._renumber()
        self._changed()

    def remove_current_row(self) -> None:
        if self.rows:
            self.remove_row(self.rows[min(self._current_row, len(self.rows) - 1)])

    def _renumber(self) -> None:
        for i, row in enumerate(self.rows):
            row.number.setText(str(i + 1))
            row.remove.setEnabled(len(self.rows) > 1 or not row.is_empty())
        # Header mnemonics reach the first petitioner's fields.
        if self.rows:
            first = self.rows[0]
            for key, w in (("name", first.name), ("id_number", first.id_number), ("sex", first.sex),
                           ("phone", first.phone)):
                self.header_labels[key].setBuddy(w)
            for i, row in enumerate(self.rows):
                row.set_first(i == 0)
        self._update_group()
        self._tab_order()

    def _tab_order(self) -> None:
        chain: list[QWidget] = [self.channel, self.received]
        for row in self.rows:
            chain.extend(row.tab_chain())
        # The kind of matter follows the category; it is reached after the texts, for the rare correction.
        chain += [self.people_count, self.category.edit, self.concerned_unit, self.request,
                  self.facts, self.reasons, self.matter, self.notice_exempt, self.attach_button, self.attach_list,
                  self.save_button]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _update_group(self) -> None:
        listed = [r for r in self.rows if not r.is_empty()]
        if not self._count_manual and not self._loading:
            self.people_count.blockSignals(True)
            self.people_count.setValue(max(1, len(listed)))
            self.people_count.blockSignals(False)
        count = self.people_count.value()
        reps = sum(1 for r in self.rows if r.rep.isChecked())
        text = f"共 {count} 人" + (f"，代表人 {reps} 名" if reps else "")
        channel = self.channel.currentData() or Channel.VISIT.value
        if is_group(count, channel):
            text += " · 集体访（5人以上走访）：最多推选5名代表人"
        elif is_joint(count, channel):
            text += " · 联名信访（5人以上联名，不是集体访）"
        self.group_hint.setText(text)

    def _count_edited(self, _text: str) -> None:
        self._count_manual = True

    # -- the kind of matter ---------------------------------------------------------------
    def _category_chosen(self, *_args) -> None:
        """The category suggests the kind of matter until the clerk picks one."""
        if self._matter_manual or self._loading:
            return
        code = self.category.code
        suggested = default_matter(self.services.categories.suggested_matter(code) if code else None)
        self.matter.setCurrentIndex(max(0, self.matter.findData(matter_code(suggested))))

    def _matter_chosen(self, _index: int) -> None:
        self._matter_manual = True
        self._changed()

    # -- form state ------------------------------------------------------------------------
    def form_state(self) -> dict[str, Any]:
        return {
            "v": DRAFT_VERSION,
            "channel": self.channel.currentData(),
            "received_at": self._received().isoformat(timespec="minutes"),
            "petitioners": [r.state() for r in self.rows],
            "people_count": self.people_count.value() if self._count_manual else None,
            "category_code": self.category.code,
            "category_text": self.category.edit.text(),
            "concerned_unit": self.concerned_unit.text(),
            "request": self.request.toPlainText(),
            "facts": self.facts.toPlainText(),
            "reasons": self.reasons.toPlainText(),
            "repeat_of": list(self.repeat_of) if self.repeat_of else None,
            "attachments": [str(a.path) for a in self.attachments],
            "matter": self.matter.currentData() if self._matter_manual else None,
            "notice_exempt": self.notice_exempt.isChecked(),
        }

    def is_blank(self) -> bool:
        return (all(r.is_empty() for r in self.rows) and not self.category.edit.text().strip()
                and not any(w.toPlainText().strip() for w in (self.request, self.facts, self.reasons))
                and not self.concerned_unit.text().strip() and not self.attachments and self.repeat_of is None)

    def set_form_state(self, s: dict[str, Any]) -> None:
        self._loading = True
        try:
            self._clear_widgets()
            index = self.channel.findData(s.get("channel"))
            self.channel.setCurrentIndex(max(0, index))
            try:
                at = datetime.fromisoformat(s["received_at"])
                self.received.setDateTime(QDateTime(at))
            except (KeyError, TypeError, ValueError):
                pass
            for p in (s.get("petitioners") or [{}]):
                row = self.add_row(state=p if isinstance(p, dict) else {})
                self._show_born(row)
            if s.get("people_count"):
                self._count_manual = True
                self.people_count.setValue(int(s["people_count"]))
            code = s.get("category_code")
            if code and code in self.services.categories:
                self.category.set_code(code)
            else:
                self.category.edit.setText(s.get("category_text") or "")
            self.concerned_unit.setText(s.get("concerned_unit") or "")
            self.request.setPlainText(s.get("request") or "")
            self.facts.setPlainText(s.get("facts") or "")
            self.reasons.setPlainText(s.get("reasons") or "")
            rep = s.get("repeat_of")
            self.set_repeat(tuple(rep) if rep else None)
            self._loading = False
            self._category_chosen()
            self._loading = True
            if s.get("matter") and self.matter.findData(s["matter"]) >= 0:
                self.matter.setCurrentIndex(self.matter.findData(s["matter"]))
                self._matter_manual = True
            self.notice_exempt.setChecked(bool(s.get("notice_exempt")))
            for path in s.get("attachments") or []:
                try:
                    self._add_checked(check_file(path))
                except InvalidInput as exc:
                    show_error_text(self.errors["attachments"], exc.message)
        finally:
            self._loading = False
        self._update_group()

    def _clear_widgets(self) -> None:
        for row in self.rows:
            self.rows_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        self._current_row = 0
        self._count_manual = False
        self._touched.clear()
        self.channel.setCurrentIndex(0)
        self.received.setDateTime(QDateTime(self.services.clock.now()))
        self.category.set_code(None)
        self._matter_manual = False
        self.matter.setCurrentIndex(max(0, self.matter.findData("claim6")))
        self.notice_exempt.setChecked(False)
        for w in (self.concerned_unit,):
            w.clear()
        for w in (self.request, self.facts, self.reasons):
            w.clear()
        self.attachments = []
        self.attach_list.clear()
        self.repeat_of = None
        self._show_repeat()
        self.matches.clear()
        self._show_errors({}, everything=True)

    def clear_form(self) -> None:
        self._loading = True
        try:
            self._clear_widgets()
            self.add_row()
            # Focus moves while loading: leaving 诉求 (Ctrl+S pressed there) must not check the fresh form.
            self.rows[0].name.setFocus()
        finally:
            self._loading = False
        self._touched.clear()
        self._update_group()

    def new_form(self) -> None:
        """Ctrl+N: an empty form for the next petitioner (the unsaved one is dropped with its draft, once
        the clerk agrees when something was typed)."""
        if not self.is_blank() and not self.confirm_discard():
            return
        self._draft_timer.stop()
        self.clear_form()
        self.saved_banner.hide()
        self._discard_draft()

    def confirm_discard(self) -> bool:
        """Asked before a form with text is dropped: 继续填写 is the default (Enter, Esc)."""
        box = QMessageBox(QMessageBox.Question, "放弃这份登记？",
                          "登记表中已填写的内容还没有保存。放弃后将清空登记表，草稿也一并删除。", parent=self)
        drop = box.addButton("放弃并新登记(&D)", QMessageBox.DestructiveRole)
        keep = box.addButton("继续填写(&C)", QMessageBox.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        focused = QApplication.focusWidget()
        box.exec()
        if box.clickedButton() is drop:
            return True
        if focused is not None and shiboken6.isValid(focused):
            focused.setFocus()          # back where the clerk was typing
        return False

    def _open_saved(self) -> None:
        if self.saved_case is not None:
            self.open_case.emit(self.saved_case.id)

    def _name_received(self, *_args) -> None:
        """The time received, named by how the petition came: 来访时间, 收信时间, 来电时间."""
        channel = Channel(self.channel.currentData() or Channel.VISIT.value)
        self.received_label.setText(RECEIVED_LABELS[channel])

    # -- registration ----------------------------------------------------------------------
    def _received(self) -> datetime:
        return self.received.dateTime().toPython().replace(second=0, microsecond=0)

    def registration(self) -> tuple[RegistrationInput, list[int]]:
        """The form as a RegistrationInput, and for each listed petitioner its row on screen
        (blank rows are left out: an extra Ctrl+Enter does not block the save)."""
        listed = [i for i, r in enumerate(self.rows) if not r.is_empty()] or [0]
        people = []
        for i in listed:
            s = self.rows[i].state()
            people.append(PetitionerInput(
                name=s["name"], id_number=s["id_number"] or None, sex=self.rows[i].hand_sex(),
                phone=s["phone"] or None,
                address=s["address"] or None, township_code=s["township_code"], village_code=s["village_code"],
                is_representative=s["is_representative"], person_id=s["person_id"],
                on_conflict=self.rows[i].on_conflict))
        reg = RegistrationInput(
            channel=self.channel.currentData(), received_at=self._received(), petitioners=people,
            category_code=self.category.code or "", request=self.request.toPlainText(),
            facts=self.facts.toPlainText() or None, reasons=self.reasons.toPlainText() or None,
            people_count=self.people_count.value(), concerned_unit=self.concerned_unit.text() or None,
            repeat_of=self.repeat_of[1] if self.repeat_of else None, matter=self.matter.currentData(),
            notice_exempt=self.notice_exempt.isChecked())
        return reg, listed

    def check(self) -> dict[str, str]:
        """Every problem of the form, keyed by field, in the keys of the form (rows as on screen)."""
        reg, listed = self.registration()
        errors: dict[str, str] = {}
        try:
            self.services.cases.validate(reg)
        except FieldErrors as exc:
            for key, message in exc.errors.items():
                if key.startswith("petitioners["):
                    index, rest = key[len("petitioners["):].split("]", 1)
                    key = f"row{listed[int(index)]}{rest}"
                errors[key] = message
        # The domain reports a petitioner's first fault; each field is checked too, so all are marked.
        for i in listed:
            row = self.rows[i]
            for field, rule in (("id_number", lambda t: parse_id_number(t, today=self.services.clock.today())),
                                ("phone", parse_phone)):
                text = row.fields[field].text()
                if text.strip() and f"row{i}.{field}" not in errors:
                    try:
                        rule(text)
                    except InvalidInput as exc:
                        errors[f"row{i}.{field}"] = exc.message
        if self.category.code is None and self.category.edit.text().strip():
            errors["category_code"] = "请从列表中选择问题类别（输入名称或拼音后按回车）"
        return errors

    def save(self) -> None:
        if self._saving or not self.save_button.isEnabled():
            return
        self._touched.update(self._all_keys())
        errors = self.check()
        if errors:
            self._show_errors(errors, everything=True)
            self._focus_first_error(errors)
            return
        reg, _ = self.registration()
        paths = [a.path for a in self.attachments]
        self._saving = True
        self._draft_timer.stop()
        self.save_button.setEnabled(False)
        self.draft_status.setText("正在保存…")
        self.ctx.tasks.run(lambda: self.intake.register(self.ctx.actor, reg, paths),
                           on_done=self._saved, on_error=self._save_failed, writes=True, owner=self)

    def _saved(self, ref: CaseRef) -> None:
        self._saving = False
        self._has_draft = False
        self.save_button.setEnabled(True)
        self.saved_case = ref
        self.print_button.setEnabled(True)
        self.saved_text.setText(f"已登记&emsp;事项编号 {ref.number}&emsp;&emsp;查询码 {ref.query_code}<br>"
                                  "<span style='font-size: 11pt; font-weight: normal;'>受理告知书上印有事项编号和查询码，"
                                  "信访人凭此查询办理进度。</span>")
        self.saved_banner.show()
        self.summary.hide()
        self.clear_form()
        self.draft_status.setText("已保存，可登记下一位")
        self.saved.emit(ref)
        self.print_receipt()

    def _save_failed(self, exc: BaseException, details: str) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.draft_status.setText("未保存")
        if isinstance(exc, PersonConflict):
            self._ask_person(exc)
        elif isinstance(exc, FieldErrors):
            errors = {}
            _reg, listed = self.registration()
            for key, message in exc.errors.items():
                if key.startswith("petitioners["):
                    index, rest = key[len("petitioners["):].split("]", 1)
                    key = f"row{listed[int(index)]}{rest}"
                errors[key.split("[")[0] if key.startswith("attachments") else key] = message
            self._show_errors(errors, everything=True)
            self._focus_first_error(errors)
        else:
            show_error(self, exc, details)

    # -- a petitioner's details conflict with a registered person's -------------------------
    def _ask_person(self, exc: PersonConflict) -> None:
        """Ask the clerk, one conflicting petitioner at a time, then save again with the choices."""
        _reg, listed = self.registration()
        self._conflicts = list(exc.rows)
        self._conflict_rows = listed
        self._conflict_place = exc.place
        self.draft_status.setText("未保存：信访人信息与已登记的不一致，请选择处理方式")
        self._next_conflict()

    def _next_conflict(self) -> None:
        if not self._conflicts:
            self.save()
            return
        row = self._conflicts[0]
        dialog = PersonConflictDialog(row, self._conflict_place, self)
        dialog.decided.connect(lambda choice, r=row: self._person_decided(r, choice))
        self.conflict_dialog = dialog
        dialog.open()

    def _person_decided(self, conflict: ConflictRow, choice: PersonChoice | None) -> None:
        if self.conflict_dialog is not None:
            self.conflict_dialog.deleteLater()
            self.conflict_dialog = None
        if not self._alive():
            return
        index = self._conflict_rows[conflict.index] if conflict.index < len(self._conflict_rows) else 0
        row = self.rows[min(index, len(self.rows) - 1)]
        if choice is None:
            # 取消: the form stays as typed; nothing was written, no choice is kept.
            self._conflicts = []
            for r in self.rows:
                r.on_conflict = None
            row.name.setFocus()          # first: leaving a field re-marks the form's errors
            show_error_text(row.errors, conflict.heading().rstrip("：")
                            + "。请向信访人核实，再按 Ctrl+S 保存并选择处理方式。")
            self.summary.setText("未保存：信访人信息与已登记的不一致，已取消。核实后再按 Ctrl+S 保存。")
            self.summary.show()
            self.draft_status.setText("未保存")
            return
        row.on_conflict = choice
        self._conflicts.pop(0)
        self._next_conflict()

    def print_receipt(self) -> None:
        """Ctrl+P: the receipt of the case just saved, in the print preview."""
        ref = self.saved_case
        if ref is None:
            self.draft_status.setText("还没有保存的登记，先按 Ctrl+S 保存")
            return
        actor = self.ctx.actor
        redacted = not actor.can(Permission.REVEAL_PERSONAL)
        # Rendering writes the audit entry of the print, so it goes through the write lane. The first print
        # signs the receipt's 核验码 (issue 17): the key is asked for first when it is not unlocked yet.
        receipt_verify.with_receipt_key(self, self.ctx, ref.number, lambda: self.ctx.tasks.run(
            lambda: self.services.get(PrintService).render(actor, ref.number, "receipt", redacted=redacted),
            on_done=lambda doc: self._show_receipt(ref, doc), on_error=self._failed, writes=True,
            changes=OTHER, owner=self))

    def _show_receipt(self, ref: CaseRef, rendered: RenderedDocument) -> None:
        self.last_receipt = rendered
        self.receipt_ready.emit(rendered)
        actor = self.ctx.actor
        printer = self.services.get(PrintService)
        can_unredact = actor.can(Permission.REVEAL_PERSONAL)
        # The preview re-renders through the write lane when the clerk ticks 脱敏 (the print is audited).
        print_preview.show_document(self, rendered, file_name=f"受理告知书-{ref.number}.pdf", tasks=self.ctx.tasks,
                                    rerender=lambda redacted: printer.render(actor, ref.number, "receipt",
                                                                             redacted=redacted),
                                    redacted=not can_unredact, can_unredact=can_unredact)

    def _failed(self, exc: BaseException, details: str) -> None:
        show_error(self, exc, details)

    # -- errors ----------------------------------------------------------------------------
    def _all_keys(self) -> set[str]:
        keys = set(TOP_FIELDS)
        for i in range(len(self.rows)):
            keys.update(f"row{i}.{k}" for k in ("name", "id_number", "phone", "address"))
        return keys

    def _show_errors(self, errors: dict[str, str], *, everything: bool = False) -> None:
        shown = {k: v for k, v in errors.items() if everything or k in self._touched}
        for key, label in self.errors.items():
            show_error_text(label, shown.get(key))
            w = self.top_widgets.get(key)
            if w is not None:
                set_invalid(w, key in shown)
        for i, row in enumerate(self.rows):
            texts = []
            for field, w in row.fields.items():
                message = shown.get(f"row{i}.{field}")
                set_invalid(w, message is not None)
                if message:
                    texts.append(message)
            show_error_text(row.errors, "；".join(t.rstrip("。") for t in texts))
        if everything and shown:
            self.summary.setText(f"有 {len(shown)} 处需要改正，已用红框标出，改正后再按 Ctrl+S 保存。")
            self.summary.show()
        elif not shown:
            self.summary.hide()

    def _focus_first_error(self, errors: dict[str, str]) -> None:
        order = ["channel", "received_at", "repeat_of"]
        for i in range(len(self.rows)):
            order += [f"row{i}.{k}" for k in ("name", "id_number", "sex", "phone", "address")]
        order += ["petitioners", "representatives", "people_count", "category_code", "concerned_unit", "request",
                  "facts", "reasons", "attachments"]
        for key in order:
            if key in errors:
                if key.startswith("row"):
                    i, field = key[3:].split(".")
                    w = self.rows[int(i)].fields[field]
                elif key in ("petitioners", "representatives"):
                    w = self.rows[0].name
                else:
                    w = self.top_widgets.get(key, self.rows[0].name)
                w.setFocus()
                if isinstance(w, QWidget) and w.parentWidget() is not None:
                    self.scroll.ensureWidgetVisible(w)
                return

    def _left_row_field(self, row: PetitionerRow, field: str) -> None:
        if not self._alive() or not shiboken6.isValid(row.rep) or row not in self.rows or self._loading:
            return
        i = self.rows.index(row)
        if field == "id_number":
            self._show_born(row)
        elif field == "phone" and row.phone.text().strip():
            try:
                row.phone.setText(parse_phone(row.phone.text()).number)
            except InvalidInput:
                pass
        if field in ("name", "id_number", "phone", "address") and not row.is_empty():
            self._touched.add(f"row{i}.{field}")
            self._show_errors(self.check(), everything=self.summary.isVisible())

    def _show_born(self, row: PetitionerRow, known: PetitionerInput | None = None) -> None:
        """Sex and birth date read from a valid ID number (which then decides the sex); without one, the
        sex chosen by hand, or `known`'s (a registered person filled in)."""
        text = row.id_number.text().strip()
        card = None
        if text:
            try:
                card = parse_id_number(text, today=self.services.clock.today())
            except InvalidInput:
                card = None
        if card is None:
            row.show_born(known.sex if known else None, known.birth_date if known else None)
            return
        row.id_number.setText(card.number)
        row.show_born(card.sex, card.birth_date, from_id=True)

    def _guarded(self, fn, *args) -> None:
        # Focus-out events still arrive while the window is torn down, child by child.
        try:
            fn(*args)
        except RuntimeError:
            if self._alive():
                raise

    def _alive(self) -> bool:
        # Focus moves while the window is torn down; the widgets may be gone before this object.
        return shiboken6.isValid(self) and shiboken6.isValid(self.category.edit) and shiboken6.isValid(self.reasons)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self._alive():
            return False
        t = event.type()
        if t == QEvent.FocusIn:
            for i, row in enumerate(self.rows):
                if obj in row.tab_chain():
                    self._current_row = i
                    break
        elif t == QEvent.FocusOut and obj in self._key_of and not self._loading:
            key = self._key_of[obj]
            self._touched.add(key)
            errors = self.check()
            self._show_errors(errors, everything=self.summary.isVisible())
        elif (t == QEvent.KeyPress and event.key() in (Qt.Key_Return, Qt.Key_Enter)
              and not event.modifiers() & ~Qt.KeypadModifier and self._enter_advances(obj)):
            # Enter takes a search list's highlighted hit, then moves on like Tab.
            pickers = [self.category] + [p for row in self.rows for p in (row.township, row.village)]
            picker = next((p for p in pickers if p.edit is obj), None)
            if picker is not None:
                picker.take_highlighted()
            QApplication.sendEvent(obj, QKeyEvent(QEvent.KeyPress, Qt.Key_Tab, Qt.NoModifier))
            return True
        elif t == QEvent.KeyPress and obj is self.attach_list and event.key() in (Qt.Key_Delete, Qt.Key_Backspace):
            self._remove_attachment(self.attach_list.currentRow())
            return True
        return super().eventFilter(obj, event)

    def _enter_advances(self, obj: QObject) -> bool:
        """Enter moves to the next field in one-line fields; in 诉求/事实/理由 it starts a new line."""
        if obj in (self.request, self.facts, self.reasons, self.attach_list):
            return False
        return obj in self._key_of or any(obj in row.tab_chain() for row in self.rows)

    def hideEvent(self, event) -> None:
        # Leaving the page keeps the form as typed; its draft is written now, not after the typing pause.
        if self._draft_timer.isActive():
            self.save_draft_now()
        super().hideEvent(event)

    # -- drafts ----------------------------------------------------------------------------
    def _changed(self, *_args) -> None:
        if self._loading or self._saving or not self.ctx.actor.can(Permission.REGISTER):
            return
        if self.offered_draft is None:
            self._draft_timer.start()

    def _save_draft(self) -> None:
        if self._saving or self.offered_draft is not None:
            return
        if self.is_blank():
            self._discard_draft()
            return
        data = self.form_state()
        self.ctx.tasks.run(lambda: self.drafts.save(self.ctx.actor, data), on_done=self._draft_done,
                           on_error=self._draft_failed, writes=True, changes=OTHER, owner=self)

    def save_draft_now(self) -> None:
        self._draft_timer.stop()
        self._save_draft()

    def _draft_done(self, at: datetime) -> None:
        self._has_draft = True
        self.draft_status.setText(f"草稿已自动保存 {at:%H:%M:%S}")
        self.draft_saved.emit(at)

    def _draft_failed(self, exc: BaseException, _details: str) -> None:
        self.draft_status.setText("草稿未能保存：" + getattr(exc, "message", "磁盘或数据库错误"))

    def _discard_draft(self) -> None:
        if self._has_draft:
            self._has_draft = False
            self.ctx.tasks.run(lambda: self.drafts.discard(self.ctx.actor), on_error=lambda *_: None, writes=True,
                               changes=OTHER, owner=self)

    def _got_draft(self, draft: Draft | None) -> None:
        if draft is None or draft.data.get("v") != DRAFT_VERSION:
            return
        self.offered_draft = draft
        self._has_draft = True
        people = [p.get("name") for p in draft.data.get("petitioners") or [] if p.get("name")]
        who = (people[0] + (f"等{len(people)}人" if len(people) > 1 else "")) if people else "未填姓名"
        self.draft_text.setText(f"发现 {draft.saved_at:%Y-%m-%d %H:%M} 未保存的登记草稿（{who}），"
                                "可能是程序意外关闭或停电造成的。要恢复吗？恢复或丢弃之前，新输入的内容不会自动保存。")
        self.draft_banner.show()
        self.draft_offered.emit()

    def restore_offered_draft(self) -> None:
        draft = self.offered_draft
        if draft is None:
            return
        self.offered_draft = None
        self.draft_banner.hide()
        self.set_form_state(draft.data)
        self.draft_status.setText(f"已恢复 {draft.saved_at:%H:%M:%S} 的草稿")
        self.rows[0].name.setFocus()

    def discard_offered_draft(self) -> None:
        self.offered_draft = None
        self.draft_banner.hide()
        self._discard_draft()
        if not self.is_blank():
            self._changed()      # what the clerk typed meanwhile becomes the draft
        self.rows[0].name.setFocus()

    # -- people and repeats ----------------------------------------------------------------
    def _schedule_lookup(self, row: PetitionerRow) -> None:
        if row in self.rows:
            self._current_row = self.rows.index(row)
            self._lookup_timer.start()

    def lookup_now(self) -> None:
        if not self.rows:
            return
        row = self.rows[min(self._current_row, len(self.rows) - 1)]
        name, idn, phone = row.name.text(), row.id_number.text(), row.phone.text()
        if not any(x.strip() for x in (name, idn, phone)):
            self.matches.clear()
            return
        self._lookup_seq += 1
        seq = self._lookup_seq
        self.matches.searching()
        actor = self.ctx.actor
        self.ctx.tasks.run(lambda: self.intake.people_like(actor, name=name, id_number=idn, phone=phone),
                           writes=False, on_done=lambda found: self._got_matches(seq, found),
                           on_error=self._failed, owner=self)

    def _got_matches(self, seq: int, found: list[PersonMatch]) -> None:
        if seq != self._lookup_seq:
            return      # an older search answered after a newer one was asked
        self.person_matches = found
        self.matches.show_matches(found)

    def _focus_matches(self) -> None:
        self.matches.tree.setFocus()

    def fill_person(self, person_id: str) -> None:
        index = min(self._current_row, len(self.rows) - 1)
        actor = self.ctx.actor
        self.ctx.tasks.run(lambda: self.intake.person_for_form(actor, person_id),
                           on_done=lambda p: self._filled(index, p),
                           on_error=self._failed, writes=True, changes=OTHER, owner=self)

    def _filled(self, index: int, p: PetitionerInput) -> None:
        if index >= len(self.rows):
            return
        row = self.rows[index]
        row.set_state({"name": p.name, "id_number": p.id_number or row.id_number.text(),
                       "phone": p.phone or row.phone.text(), "township_code": p.township_code or row.township.code,
                       "village_code": p.village_code, "address": p.address or row.address.text(),
                       "is_representative": row.rep.isChecked(), "person_id": p.person_id})
        self._show_born(row, p)
        self._show_errors(self.check())
        self._changed()
        row.phone.setFocus()

    def set_repeat(self, repeat: tuple[str, str] | None) -> None:
        self.repeat_of = repeat
        self._show_repeat()
        self._changed()

    def _show_repeat(self) -> None:
        if self.repeat_of:
            self.repeat_label.setText(f"重件：关联初件 {self.repeat_of[1]}")
        self.repeat_label.setVisible(self.repeat_of is not None)
        self.unlink_button.setVisible(self.repeat_of is not None)
        show_error_text(self.errors["repeat_of"], None)

    # -- attachments -----------------------------------------------------------------------
    def _pick_attachments(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "选择扫描件或照片", "",
                                                "扫描件和照片 (*.jpg *.jpeg *.png *.pdf *.tif *.tiff)")
        if paths:
            self.add_attachments(paths)

    def add_attachments(self, paths: list[str | Path]) -> None:
        """Check the files off the UI thread (they may sit on a slow USB stick), then list them."""
        def check_all():
            ok, refused = [], []
            for p in paths:
                try:
                    ok.append(check_file(p))
                except InvalidInput as exc:
                    refused.append(exc.message)
            return ok, refused

        self.ctx.tasks.run(check_all, writes=False, on_done=self._checked_attachments, owner=self)

    def _checked_attachments(self, result: tuple[list[CheckedFile], list[str]]) -> None:
        ok, refused = result
        for f in ok:
            self._add_checked(f)
        show_error_text(self.errors["attachments"], "；".join(t.rstrip("。") for t in refused) or None)
        set_invalid(self.attach_list, bool(refused))
        self._changed()

    def _add_checked(self, f: CheckedFile) -> None:
        if any(a.path == f.path for a in self.attachments):
            return
        self.attachments.append(f)
        item = QListWidgetItem(f"{f.name}　（{f.kind.upper()}，{human_size(f.size)}）")
        item.setToolTip(str(f.path))
        self.attach_list.addItem(item)

    def _remove_attachment(self, index: int) -> None:
        if 0 <= index < len(self.attachments):
            del self.attachments[index]
            self.attach_list.takeItem(index)
            self._changed()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.rows and not self.focusWidget():
            self.rows[0].name.setFocus()
