"""The clerk decides when a petitioner's details conflict with a registered person's.

Shown by the intake page when saving is refused with a PersonConflict: both versions side by side
(ID number and phone masked, the differing fields marked), and the three choices as buttons, each
saying what it does; 取消 returns to the form as typed. Opened window-modal without blocking
(`open()`), the answer comes back through `decided`.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QGridLayout, QHeaderView, QLabel, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..domain.person_identity import FIELD_LABELS, ConflictRow, PersonChoice, shown_value

DIFFERENT = QColor("#fff1c2")


class PersonConflictDialog(QDialog):
    decided = Signal(object)          # PersonChoice, or None when cancelled

    def __init__(self, row: ConflictRow, place: Callable[[str], str], parent: QWidget | None = None):
        super().__init__(parent)
        self.row = row
        self.choice: PersonChoice | None = None
        self.setWindowTitle("信访人信息与已登记的不一致")
        self.setWindowModality(Qt.WindowModal)

        self.heading = heading = QLabel(row.heading().rstrip("："))
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: bold;")
        hint = QLabel("下表黄色的项目两边不同。请向信访人核实后选择一种处理方式；未作选择前不会登记任何内容。")
        hint.setWordWrap(True)

        fields = row.fields_shown()
        differing = {d.field for d in row.differences}
        self.table = QTableWidget(len(fields), 2)
        self.table.setHorizontalHeaderLabels(["已登记的信访人", "本次填写"])
        self.table.setVerticalHeaderLabels([FIELD_LABELS[f] for f in fields])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.setFocusPolicy(Qt.NoFocus)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setWordWrap(True)
        for i, field in enumerate(fields):
            for j, (details, empty) in enumerate(((row.registered, "（无）"), (row.given, "（未填）"))):
                item = QTableWidgetItem(shown_value(field, details.value(field), place, empty))
                if field in differing:
                    item.setBackground(QBrush(DIFFERENT))
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, j, item)
        self.table.resizeRowsToContents()
        self.table.setMinimumHeight(self.table.verticalHeader().length() + self.table.horizontalHeader().height() + 6)

        self.buttons: dict[PersonChoice, QPushButton] = {}
        choices = QGridLayout()
        texts = {PersonChoice.USE: "使用已登记的信访人(&U)", PersonChoice.CORRECT: "更正已登记的信访人(&G)",
                 PersonChoice.SEPARATE: "身份证属于他人，另行登记(&L)"}
        for i, choice in enumerate(PersonChoice):
            button = QPushButton(texts[choice])
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, c=choice: self._choose(c))
            explain = QLabel(choice.explanation)
            explain.setWordWrap(True)
            explain.setProperty("role", "hint")
            choices.addWidget(button, i, 0)
            choices.addWidget(explain, i, 1)
            self.buttons[choice] = button
        choices.setColumnStretch(1, 1)
        if row.cannot_correct:
            self.buttons[PersonChoice.CORRECT].setEnabled(False)
            self.buttons[PersonChoice.CORRECT].setToolTip(row.cannot_correct)
        self.cancel_button = QPushButton("取消，返回修改(&Q)")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addWidget(self.table)
        layout.addLayout(choices)
        if row.cannot_correct:
            why = QLabel(row.cannot_correct)
            why.setWordWrap(True)
            why.setProperty("role", "hint")
            layout.addWidget(why)
        layout.addWidget(self.cancel_button, 0, Qt.AlignRight)
        self.resize(640, self.sizeHint().height())
        # Nothing is chosen by a stray Enter: the focus starts on 取消, each choice is a deliberate key or click.
        self.cancel_button.setFocus()
        self.finished.connect(lambda _result: self.decided.emit(self.choice))

    def _choose(self, choice: PersonChoice) -> None:
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        self.choice = None
        super().reject()
