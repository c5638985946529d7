"""Widgets of the intake form: a searchable picker (categories, townships, villages by name,
pinyin or initials), one petitioner row, the side panel of matching people, and field marking."""

from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QToolButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from ..domain.divisions import DivisionTable
from ..domain.person_identity import PersonChoice
from ..services.intake import PersonMatch

FORM_STYLE = """
QLineEdit, QPlainTextEdit { border: 1px solid #9e9e9e; border-radius: 2px; padding: 3px; background: white; }
QLineEdit:focus, QPlainTextEdit:focus { border: 2px solid #1565c0; background: #fffde7; }
QSpinBox:focus, QDateTimeEdit:focus, QComboBox:focus { background: #fffde7; }
QCheckBox:focus { background: #fffde7; border: 1px dashed #1565c0; }
QPushButton:focus { border: 2px solid #1565c0; }
*[invalid="true"] { border: 2px solid #c62828; background: #fff1f1; }
QLabel[role="error"] { color: #b71c1c; }
QLabel[role="hint"] { color: #555555; }
"""


def char_width(widget: QWidget, chars: float) -> int:
    """A width of `chars` CJK characters in the widget's font, so columns grow with the font."""
    return int(QFontMetrics(widget.font()).horizontalAdvance("中") * chars) + 12


def set_invalid(widget: QWidget, invalid: bool) -> None:
    # Never read the property back here: QObject.property() of an unset name returns a None whose
    # reference PySide mishandles (it crashes after a few thousand calls).
    if getattr(widget, "_xf_invalid", None) is invalid:
        return
    widget._xf_invalid = invalid
    widget.setProperty("invalid", invalid)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def error_label() -> QLabel:
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error_text(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


class SearchPicker(QWidget):
    """A line edit that searches as the clerk types and shows the hits in a list under it.

    Up/Down move in the list, Enter or Tab takes the highlighted hit; the chosen value is `code`.
    The list is a frameless window that never takes focus, so typing stays in the line edit."""

    changed = Signal(object)     # the new code, or None

    def __init__(self, search: Callable[[str], list[tuple[str, str]]], label_of: Callable[[str], str],
                 placeholder: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.search = search
        self.label_of = label_of
        self.code: str | None = None
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.popup = QListWidget()
        self.popup.setWindowFlags(Qt.ToolTip | Qt.FramelessWindowHint)
        self.popup.setFocusPolicy(Qt.NoFocus)
        self.popup.setSelectionMode(QAbstractItemView.SingleSelection)
        self.popup.itemClicked.connect(lambda item: self._take(item))
        self.edit.textEdited.connect(self._search)
        self.edit.installEventFilter(self)
        self.destroyed.connect(self.popup.deleteLater)

    def set_code(self, code: str | None) -> None:
        self.code = code or None
        self.edit.setText(self.label_of(code) if code else "")
        self.popup.hide()

    def _search(self, text: str) -> None:
        if self.code is not None:
            self.code = None
            self.changed.emit(None)
        self.popup.clear()
        hits = self.search(text) if text.strip() else []
        for code, label in hits[:12]:
            item = QListWidgetItem(label)
            item.setData(Qt.UserRole, code)
            self.popup.addItem(item)
        if not hits:
            self.popup.hide()
            return
        self.popup.setCurrentRow(0)
        self._place_popup()

    def _place_popup(self) -> None:
        rows = min(self.popup.count(), 8)
        height = self.popup.sizeHintForRow(0) * rows + 6
        width = max(self.edit.width(), char_width(self.edit, 16))
        self.popup.setFixedSize(width, height)
        self.popup.move(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        self.popup.show()

    def hits(self) -> list[str]:
        return [self.popup.item(i).text() for i in range(self.popup.count())] if self.popup.isVisible() else []

    def take_highlighted(self) -> None:
        """The hit highlighted in the open list becomes the value (Enter, or leaving the field)."""
        if self.popup.isVisible():
            self._take(self.popup.currentItem())

    def _take(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        code = item.data(Qt.UserRole)
        self.set_code(code)
        self.changed.emit(code)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.edit:
            if event.type() == QEvent.KeyPress and self.popup.isVisible():
                key = event.key()
                if key in (Qt.Key_Down, Qt.Key_Up):
                    row = self.popup.currentRow() + (1 if key == Qt.Key_Down else -1)
                    self.popup.setCurrentRow(max(0, min(self.popup.count() - 1, row)))
                    return True
                if key in (Qt.Key_Return, Qt.Key_Enter):
                    self._take(self.popup.currentItem())
                    return True
                if key == Qt.Key_Escape:
                    self.popup.hide()
                    return True
            elif event.type() == QEvent.FocusOut:
                # Leaving with a highlighted hit takes it, as an input method does.
                if self.popup.isVisible() and self.code is None:
                    self._take(self.popup.currentItem())
                self.popup.hide()
        return super().eventFilter(obj, event)


def division_search(divisions: DivisionTable, kinds: tuple[str, ...],
                    within: Callable[[], str | None] = lambda: None) -> Callable[[str], list[tuple[str, str]]]:
    def search(text: str) -> list[tuple[str, str]]:
        parent = within()
        out = []
        for d in divisions.search(text):
            if d.kind in kinds and (parent is None or d.parent_code == parent):
                town = divisions.get(d.parent_code).name if parent is None and d.kind in ("村", "社区") else ""
                out.append((d.code, f"{d.name}{'（' + town + '）' if town else ''}"))
        return out

    return search


# The first line of a petitioner row, in characters of the form's font: the header uses the same widths.
# The place (township, village, address) and 代表人 take the second line, so the address has room for
# "漳平市永福镇李庄村三组12号" at 1280 pixels wide.
COLUMNS = (("no", "", 1), ("name", "姓名(&M)", 10), ("id_number", "身份证号(&I)", 10), ("sex", "性别(&H)", 6),
           ("born", "出生日期", 5.5), ("phone", "电话(&D)", 7.5), ("gap", "", 0), ("remove", "", 1))
# The second line: (key, label, width in characters; 0 stretches).
PLACE_COLUMNS = (("township", "乡镇(&X)", 5), ("village", "村(社区)(&V)", 6), ("address", "住址(&Z)", 0))
# 性别 by hand (GB/T 2261.1 codes as the keys that pick it): a digit picks it, as in 信访形式.
SEX_CHOICES = (("0 未说明", None), ("1 男", "男"), ("2 女", "女"))


class PetitionerRow(QWidget):
    """One petitioner: name, ID number (sex and birth date read from it), sex by hand when there is no
    ID number, phone, township, village, address, representative. `person_id` is set when the clerk
    filled in a known person; `on_conflict` holds the clerk's choice when these details conflicted
    with a registered person's, until the row is edited again (a choice is never applied to details
    the clerk did not see in the comparison)."""

    edited = Signal()
    lookup = Signal()            # name, ID number or phone typed: look for this person
    left_field = Signal(str)     # a field lost focus: validate it
    remove_requested = Signal()

    def __init__(self, divisions: DivisionTable, default_township: str | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.divisions = divisions
        self.person_id: str | None = None
        self.on_conflict: PersonChoice | None = None
        self._born: tuple[str | None, date | str | None, bool] = (None, None, False)
        self._hand_sex: str | None = None      # the sex the clerk chose, kept while an ID number decides
        self.number = QLabel()
        self.name = QLineEdit()
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(20)
        self.sex = QComboBox()
        for text, value in SEX_CHOICES:
            self.sex.addItem(text, value)
        self.sex.setToolTip("没有身份证号码时选择：按 1 为男，按 2 为女，按 0 为未说明；有身份证号码时按号码显示")
        self.born = QLabel()
        self.born.setProperty("role", "hint")
        self.phone = QLineEdit()
        self.township = SearchPicker(division_search(divisions, ("镇", "乡", "街道")), self._label, "拼音或名称")
        self.village = SearchPicker(division_search(divisions, ("村", "社区"), lambda: self.township.code),
                                    self._label, "拼音或名称")
        self.address = QLineEdit()
        self.address.setPlaceholderText("如：李庄村三组12号")
        self.rep = QCheckBox("代表人")      # Space ticks it
        self.rep.setToolTip("代表人（空格键勾选）")
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("删除这名信访人（Ctrl+Shift+Delete）")
        self.remove.setFocusPolicy(Qt.NoFocus)
        self.remove.clicked.connect(lambda: self.remove_requested.emit())
        self.errors = error_label()
        # Said when an ID number typed later decides another sex than the one chosen by hand.
        self.sex_note = QLabel()
        self.sex_note.setStyleSheet("color: #7a4b00;")
        self.sex_note.setWordWrap(True)
        self.sex_note.hide()
        self.fields: dict[str, QWidget] = {
            "name": self.name, "id_number": self.id_number, "sex": self.sex, "phone": self.phone,
            "township": self.township.edit, "village": self.village.edit, "address": self.address}
        for w in self.fields.values():
            set_invalid(w, False)

        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(3)
        widgets = {"no": self.number, "name": self.name, "id_number": self.id_number, "sex": self.sex,
                   "born": self.born, "phone": self.phone, "remove": self.remove}
        for key, _label, chars in COLUMNS:
            if key == "gap":
                line.addStretch(1)
                continue
            w = widgets[key]
            w.setFixedWidth(char_width(self, chars))
            line.addWidget(w)
        place = QHBoxLayout()
        place.setContentsMargins(0, 0, 0, 0)
        place.setSpacing(3)
        place.addSpacing(char_width(self, 1) + 3)
        self.place_labels: dict[str, QLabel] = {}
        for key, text, chars in PLACE_COLUMNS:
            w = self.fields[key]
            label = QLabel(text)
            label.setBuddy(w)
            self.place_labels[key] = label
            place.addWidget(label)
            target = {"township": self.township, "village": self.village}.get(key, w)
            if chars:
                target.setFixedWidth(char_width(self, chars))
                place.addWidget(target)
                place.addSpacing(8)
            else:
                place.addWidget(target, 1)
        place.addSpacing(8)
        place.addWidget(self.rep)
        place.addSpacing(char_width(self, 1) + 3)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 6)
        box.setSpacing(2)
        box.addLayout(line)
        box.addLayout(place)
        box.addWidget(self.sex_note)
        box.addWidget(self.errors)

        if default_township:
            self.township.set_code(default_township)
        for w in (self.name, self.id_number, self.phone, self.address):
            w.textEdited.connect(lambda _t: self.edited.emit())
            w.installEventFilter(self)
        for w in (self.name, self.id_number, self.phone):
            w.textEdited.connect(lambda _t: self.lookup.emit())
        self.name.textEdited.connect(lambda _t: self._unlink())
        self.id_number.textEdited.connect(lambda _t: self._unlink())
        self.sex.activated.connect(self._sex_chosen)
        self.id_number.textChanged.connect(self._id_changed)
        self.township.changed.connect(self._township_changed)
        self.village.changed.connect(self._village_changed)
        self.rep.toggled.connect(lambda _on: self.edited.emit())
        for w in (self.name, self.id_number, self.phone, self.address):
            w.textEdited.connect(self._forget_choice)
        self.sex.activated.connect(self._forget_choice)
        self.township.changed.connect(self._forget_choice)
        self.village.changed.connect(self._forget_choice)

    def set_first(self, first: bool) -> None:
        """Only the first row's place labels and 代表人 carry Alt letters (the header's reach it too)."""
        for key, text, _chars in PLACE_COLUMNS:
            self.place_labels[key].setText(text if first else text.split("(&")[0])
        self.rep.setText("代表人(&E)" if first else "代表人")

    def _forget_choice(self, *_args) -> None:
        self.on_conflict = None

    def _sex_chosen(self, index: int) -> None:
        self._hand_sex = self.sex.itemData(index)
        self.sex_note.hide()
        self.edited.emit()

    def _id_changed(self, text: str) -> None:
        # An ID number being typed decides the sex: the choice is skipped by Tab until the box is empty.
        if text.strip():
            self.sex.setEnabled(False)
        elif not self.sex.isEnabled():
            self._set_sex(self._hand_sex)
            self.sex.setEnabled(True)
            self.sex_note.hide()

    def hand_sex(self) -> str | None:
        """The sex to register: the one chosen by hand, only when no ID number is given (a given
        number decides, and is checked on its own)."""
        return None if self.id_number.text().strip() else self._hand_sex

    def _label(self, code: str) -> str:
        return self.divisions.get(code).name if code in self.divisions else code

    def _township_changed(self, code) -> None:
        if self.village.code and (code is None or self.divisions.get(self.village.code).parent_code != code):
            self.village.set_code(None)
        self.edited.emit()

    def _village_changed(self, code) -> None:
        if code and self.township.code is None:
            self.township.set_code(self.divisions.get(code).parent_code)
        self.edited.emit()

    def _unlink(self) -> None:
        # A different name or ID number is a different person than the one filled in.
        if self.person_id is not None:
            self.person_id = None
            sex, birth, from_id = self._born
            self.show_born(sex, birth, from_id=from_id)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.FocusOut:
            for key, w in self.fields.items():
                if w is obj:
                    self.left_field.emit(key)
        return super().eventFilter(obj, event)

    def show_born(self, sex: str | None, birth: date | str | None, *, from_id: bool = False) -> None:
        """The birth date (and "已关联档案"); `from_id`: `sex` is read from a valid ID number, which decides
        it (the choice is shown and cannot be changed); otherwise the clerk may choose."""
        self._born = (sex, birth, from_id)
        text = str(birth) if birth else ""
        if self.person_id:
            text = (text + " " if text else "") + "已关联档案"
        self.born.setText(text)
        if from_id:
            hand = self._hand_sex
            if hand is not None and sex is not None and hand != sex:
                self.sex_note.setText(f"身份证号码显示为{sex}，性别已按身份证号码改为{sex}（原选{hand}），请向信访人核实。")
                self.sex_note.show()
            self._set_sex(sex)
            self.sex.setEnabled(False)
        else:
            if sex is not None and not self.id_number.text().strip():
                self._hand_sex = sex          # a known person filled in: the registered sex
            self._set_sex(self._hand_sex)
            if not self.id_number.text().strip():
                self.sex.setEnabled(True)
                self.sex_note.hide()

    def _set_sex(self, sex: str | None) -> None:
        self.sex.setCurrentIndex(max(0, self.sex.findData(sex)))

    def tab_chain(self) -> list[QWidget]:
        return [self.name, self.id_number, self.sex, self.phone, self.township.edit, self.village.edit,
                self.address, self.rep]

    def state(self) -> dict:
        return {"name": self.name.text(), "id_number": self.id_number.text(), "sex": self._hand_sex,
                "phone": self.phone.text(), "township_code": self.township.code, "village_code": self.village.code,
                "address": self.address.text(), "is_representative": self.rep.isChecked(),
                "person_id": self.person_id}

    def is_empty(self) -> bool:
        return not any(w.text().strip() for w in (self.name, self.id_number, self.phone, self.address)) \
            and not self.rep.isChecked() and self.person_id is None and self._hand_sex is None

    def set_state(self, s: dict) -> None:
        self.name.setText(s.get("name") or "")
        self.id_number.setText(s.get("id_number") or "")
        self._hand_sex = s.get("sex") if s.get("sex") in ("男", "女") else None
        self._set_sex(self._hand_sex)
        self.sex.setEnabled(not self.id_number.text().strip())
        self.sex_note.hide()
        self.phone.setText(s.get("phone") or "")
        self.township.set_code(s.get("township_code") if s.get("township_code") in self.divisions else None)
        self.village.set_code(s.get("village_code") if s.get("village_code") in self.divisions else None)
        self.address.setText(s.get("address") or "")
        self.rep.setChecked(bool(s.get("is_representative")))
        self.person_id = s.get("person_id") or None
        self.on_conflict = None


def row_header(parent: QWidget) -> tuple[QWidget, dict[str, QLabel]]:
    header = QWidget(parent)
    line = QHBoxLayout(header)
    line.setContentsMargins(0, 0, 0, 0)
    line.setSpacing(3)
    labels: dict[str, QLabel] = {}
    for key, text, chars in COLUMNS:
        if key == "gap":
            line.addStretch(1)
            continue
        label = QLabel(text)
        label.setProperty("role", "hint")
        labels[key] = label
        label.setFixedWidth(char_width(parent, chars))
        line.addWidget(label)
    return header, labels


class MatchPanel(QWidget):
    """People who may be this petitioner, with their earlier matters (side panel of the form)."""

    fill_person = Signal(str)             # person id
    link_repeat = Signal(str, str)        # case id, case number

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        title = QLabel("相同人员和以往事项（F4）")
        title.setStyleSheet("font-weight: bold;")
        self.status = QLabel("输入姓名、身份证号或电话后，这里显示可能是同一人的记录和他（她）以往的事项。")
        self.status.setWordWrap(True)
        self.status.setProperty("role", "hint")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setIndentation(14)
        self.tree.itemActivated.connect(self._activated)
        self.tree.installEventFilter(self)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.fill_button = QPushButton("填入信访人(&J)")
        self.link_button = QPushButton("关联为重件(&L)")
        self.fill_button.clicked.connect(self._fill)
        self.link_button.clicked.connect(self._link)
        buttons = QVBoxLayout()          # one above the other: the panel is narrow on a 1280-wide screen
        buttons.addWidget(self.fill_button)
        buttons.addWidget(self.link_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        hint = QLabel("↑↓ 选择，回车：人员则填入，事项则关联为重件")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self._current_changed(None, None)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # The tree claims Alt+letter for its type-to-search; leave those to the mnemonics (Alt+J, Alt+L, …).
        if obj is self.tree and event.type() == QEvent.ShortcutOverride and event.modifiers() & Qt.AltModifier:
            event.ignore()
            return True
        return super().eventFilter(obj, event)

    def show_matches(self, matches: list[PersonMatch]) -> None:
        self.tree.clear()
        if not matches:
            self.status.setText("没有找到相同的人员记录：按初信初访登记。")
        else:
            repeats = sum(m.case_count for m in matches)
            self.status.setText(f"找到 {len(matches)} 名可能相同的人员，共 {repeats} 件以往事项。"
                                "同一人反映同一事项的，请关联为重件。")
        for m in matches:
            ids = "  ".join(x for x in (m.id_number, m.phone) if x)
            open_count = sum(1 for c in m.cases if c.is_open)
            head = f"{m.name}  {m.place}".strip()
            tail = f"{m.case_count}件" + (f"（{open_count}件在办）" if open_count else "") if m.case_count \
                else "无以往事项"
            lines = [head, ids, tail, f"{'、'.join(m.matched_on)}相同"]
            person = QTreeWidgetItem(["\n".join(x for x in lines if x)])
            person.setData(0, Qt.UserRole, ("person", m.person_id))
            font = person.font(0)
            font.setBold(True)
            person.setFont(0, font)
            for c in m.cases:
                request = c.request if len(c.request) <= 15 else c.request[:14] + "…"
                leaf = c.category.split("/")[-1]
                item = QTreeWidgetItem([f"{c.number}\n{c.received_on:%Y-%m-%d} {c.status} · {leaf}\n{request}"])
                item.setData(0, Qt.UserRole, ("case", c.id, c.number))
                item.setToolTip(0, c.request)
                person.addChild(item)
            self.tree.addTopLevelItem(person)
            person.setExpanded(True)
        if matches:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def searching(self) -> None:
        self.status.setText("正在查找…")

    def clear(self) -> None:
        self.tree.clear()
        self.status.setText("输入姓名、身份证号或电话后，这里显示可能是同一人的记录和他（她）以往的事项。")

    def items(self) -> list[QTreeWidgetItem]:
        out = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            out.append(top)
            out.extend(top.child(j) for j in range(top.childCount()))
        return out

    def _current_changed(self, item, _prev) -> None:
        kind = item.data(0, Qt.UserRole)[0] if item is not None else None
        self.fill_button.setEnabled(kind in ("person", "case"))
        self.link_button.setEnabled(kind == "case")

    def _person_of(self, item: QTreeWidgetItem) -> str:
        top = item if item.parent() is None else item.parent()
        return top.data(0, Qt.UserRole)[1]

    def _fill(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.fill_person.emit(self._person_of(item))

    def _link(self) -> None:
        item = self.tree.currentItem()
        if item is not None and item.data(0, Qt.UserRole)[0] == "case":
            _kind, case_id, number = item.data(0, Qt.UserRole)
            self.link_repeat.emit(case_id, number)

    def _activated(self, item: QTreeWidgetItem, _col: int) -> None:
        if item.data(0, Qt.UserRole)[0] == "case":
            self._link()
        else:
            self._fill()
