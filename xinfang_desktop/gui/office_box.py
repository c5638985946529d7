"""设置 → 本单位: the names documents are signed with, the review bodies named in review rights, the
文号 prefix of each kind of document, and after how many days an entry is 补录 (services/office.py).

Read and saved through ctx.tasks; only a user who may change settings can edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import InvalidInput, XinfangError
from ..services.office import NUMBERED_DOCUMENTS, OfficeService, OfficeSettings
from ..services.permissions import Permission
from .context import AppContext
from .errors import show_error
from .message_line import MessageLine
from .tasks import OTHER

NAME_FIELDS = (
    ("office_name", "信访工作机构(&O)", "承办、登记和告知的机构，如 漳平市永福镇信访办公室"),
    ("organ_name", "作出决定的机关(&G)", "处理意见书等文书的落款，如 漳平市永福镇人民政府"),
    ("review_body", "复查机关(&Q)", "本机关的上一级机关，写入处理意见书的复查权利（第三十五条）"),
    ("recheck_body", "复核机关(&H)", "复查机关的上一级机关（第三十六条）；可不填"),
    ("phone", "联系电话(&P)", "印在告知书上，可不填"),
)


class OfficeBox(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__("本单位（文书落款、复查复核机关、文号）", parent)
        self.ctx = ctx
        editable = ctx.actor.can(Permission.MANAGE_SETTINGS)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name, label, hint in NAME_FIELDS:
            edit = QLineEdit()
            edit.setPlaceholderText(hint)
            edit.setReadOnly(not editable)
            edit.setMaximumWidth(640)           # a unit's name, not the width of a 1920 screen
            self.fields[name] = edit
            text = QLabel(label + "：")
            text.setBuddy(edit)
            form.addRow(text, edit)
        self.late_days = QSpinBox()
        self.late_days.setRange(1, 60)
        self.late_days.setSuffix(" 日")
        self.late_days.setEnabled(editable)
        self.late_days.setMaximumWidth(120)
        late = QLabel("补录天数(&U)：")
        late.setBuddy(self.late_days)
        form.addRow(late, self.late_days)
        form.addRow("", _hint("收到日期早于录入日超过该天数的，事项标为“补录”，不计入及时受理（第三十九、四十条）"))

        self.prefixes: dict[str, QLineEdit] = {}
        grid = QGridLayout()
        for i, (doc, (_mark, label)) in enumerate(NUMBERED_DOCUMENTS.items()):
            edit = QLineEdit()
            edit.setReadOnly(not editable)
            edit.setMaximumWidth(120)
            self.prefixes[doc] = edit
            # Each box right after its document's name, then a gap before the next name: with the names'
            # columns stretched, a wide window put each box beside the next document's name.
            grid.addWidget(QLabel(label), i // 3, (i % 3) * 3)
            grid.addWidget(edit, i // 3, (i % 3) * 3 + 1)
        for gap in (2, 5):
            grid.setColumnMinimumWidth(gap, 32)
        grid.setColumnStretch(9, 1)
        numbers = QGroupBox("文号前缀（如“永信告”，文号为 永信告〔2026〕12号，每年每种文书分别编号）")
        numbers.setLayout(grid)

        self.save = QPushButton("保存本单位设置(&V)")
        self.save.setEnabled(editable)
        self.save.clicked.connect(self.save_settings)
        self.message = MessageLine()
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save, 0, Qt.AlignRight)     # its own width, with or without a message
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(numbers)
        layout.addLayout(bottom)

    def refresh(self) -> None:
        service = self.ctx.services.get(OfficeService)
        self.ctx.tasks.run(service.settings, writes=False, on_done=self._show, on_error=self._failed, owner=self)

    def _show(self, s: OfficeSettings) -> None:
        for name, edit in self.fields.items():
            edit.setText(getattr(s, name) or "")
        self.late_days.setValue(s.late_entry_days)
        for doc, edit in self.prefixes.items():
            edit.setText(s.prefix(doc))

    def values(self) -> dict:
        return {**{name: edit.text().strip() for name, edit in self.fields.items()},
                "late_entry_days": self.late_days.value(),
                "prefixes": {doc: edit.text().strip() for doc, edit in self.prefixes.items()}}

    def save_settings(self) -> None:
        service, actor, values = self.ctx.services.get(OfficeService), self.ctx.actor, self.values()
        self.save.setEnabled(False)
        self.ctx.tasks.run(lambda: service.save(actor, **values), on_done=self._saved, on_error=self._failed,
                           writes=True, changes=OTHER, owner=self)

    def _saved(self, s: OfficeSettings) -> None:
        self.save.setEnabled(True)
        self.message.setStyleSheet("color: #1d5e2c;")
        self.message.setText("本单位设置已保存，此后出具的文书按新设置落款和编号。")
        self._show(s)

    def _failed(self, exc: BaseException, details: str) -> None:
        self.save.setEnabled(self.ctx.actor.can(Permission.MANAGE_SETTINGS))
        if isinstance(exc, (InvalidInput, XinfangError)):
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText(exc.message)
        else:
            show_error(self, exc, details)


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #666;")
    return label
