"""Who a petitioner is: a registered person given again with other details.

An ID number already registered, given with another name (or another phone, address, township or
village), is a conflict the clerk decides; nothing on the registered person is overwritten unseen
(个人信息保护法第八条: personal information kept accurate; 第四十六条: corrected when it is wrong,
and only then). It happens when a relative brings the householder's card, and on a 检举控告 matter
it would put another name on the accusation (信访工作条例第三十条第三款). A field empty on the
registered person and given now overwrites nothing: it is filled, and recorded in the person's
history. Pure: compares two versions of a person and describes them, masked as on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

from .errors import InvalidInput
from .idcard import mask_id_number
from .phones import mask_phone

# The fields of a person a registration gives, in the order they are shown. Sex and birth date
# are read from the ID number and follow it; without an ID number the clerk may give the sex by hand.
IDENTITY_FIELDS = ("name", "id_number", "sex", "phone", "address", "township_code", "village_code")
FIELD_LABELS = {"name": "姓名", "id_number": "身份证号码", "sex": "性别", "phone": "电话", "address": "住址",
                "township_code": "乡镇（街道）", "village_code": "村（社区）"}
# Shown in every version even when equal: who it is. Places only when they differ.
ALWAYS_SHOWN = ("name", "id_number", "phone", "address")


@dataclass(frozen=True)
class PersonDetails:
    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    township_code: str | None = None
    village_code: str | None = None
    sex: str | None = None

    def value(self, field: str) -> str | None:
        return getattr(self, field) or None


@dataclass(frozen=True)
class Difference:
    """A field given with a value that the registered person does not have: a conflict where the
    registered person has another value, a fill where the field was empty."""

    field: str
    registered: str | None
    given: str

    @property
    def is_conflict(self) -> bool:
        return self.registered is not None

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.field]


def differences(registered: PersonDetails, given: PersonDetails) -> tuple[Difference, ...]:
    """What `given` says that `registered` does not; an empty given field never erases a value."""
    out = []
    for field in IDENTITY_FIELDS:
        new, old = given.value(field), registered.value(field)
        if new is not None and new != old:
            out.append(Difference(field, old, new))
    return tuple(out)


class PersonChoice(str, Enum):
    """What the clerk decided for a petitioner whose details conflict with the registered person's."""

    USE = "use"              # the case links the registered person; nothing on it changes
    CORRECT = "correct"      # the registered person takes the given details (old ones kept in its history)
    SEPARATE = "separate"    # another person: registered apart, without the ID number that is not theirs

    @property
    def label(self) -> str:
        return CHOICE_LABELS[self]

    @property
    def explanation(self) -> str:
        return CHOICE_EXPLANATIONS[self]

    @classmethod
    def parse(cls, text: "str | PersonChoice | None") -> "PersonChoice | None":
        if text is None or isinstance(text, PersonChoice):
            return text
        key = text.strip()
        if not key:
            return None
        for c in cls:
            if key in (c.value, c.label):
                return c
        raise InvalidInput(f"信访人信息不一致时的处理方式无效：{text!r}，应为 use（使用已登记的信访人）、"
                           "correct（更正已登记的信访人）或 separate（身份证属于他人，另行登记）", field="on_conflict")


CHOICE_LABELS = {PersonChoice.USE: "使用已登记的信访人", PersonChoice.CORRECT: "更正已登记的信访人",
                 PersonChoice.SEPARATE: "身份证属于他人，另行登记"}
CHOICE_EXPLANATIONS = {
    PersonChoice.USE: "本事项关联已登记的信访人，其登记信息不作任何修改（本次填写的不同信息不保存）",
    PersonChoice.CORRECT: "已登记的信访人改为本次填写的信息，原信息留存于该信访人的变更记录",
    PersonChoice.SEPARATE: "本信访人另行登记，不登记该身份证号码；在其变更记录中注明所出示的身份证属于已登记的另一信访人",
}


def shown_value(field: str, value: str | None, place: Callable[[str], str] = str, empty: str = "（无）") -> str:
    """A value as the screen and the command line show it: ID number and phone masked."""
    if not value:
        return empty
    if field == "id_number":
        return mask_id_number(value)
    if field == "phone":
        return mask_phone(value)
    if field in ("township_code", "village_code"):
        return place(value)
    return value


@dataclass(frozen=True)
class ConflictRow:
    """One petitioner of a registration whose details conflict with a registered person's."""

    index: int                               # the petitioner's position in the registration
    person_id: str
    registered: PersonDetails
    given: PersonDetails
    differences: tuple[Difference, ...]      # conflicts and fills, in field order
    matched_on: str = "id_number"            # "id_number": found by the ID number; "person": picked by the clerk
    cannot_correct: str | None = None        # why the registered person cannot be corrected here, if so
    petitioners: int = 1                     # how many petitioners the registration lists

    @property
    def conflicts(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.is_conflict)

    def fields_shown(self) -> tuple[str, ...]:
        differing = {d.field for d in self.differences}
        return tuple(f for f in IDENTITY_FIELDS if f in ALWAYS_SHOWN or f in differing)

    def version_text(self, details: PersonDetails, place: Callable[[str], str] = str, empty: str = "（无）") -> str:
        return "，".join(f"{FIELD_LABELS[f]} {shown_value(f, details.value(f), place, empty)}"
                        for f in self.fields_shown())

    def heading(self) -> str:
        who = f"第{self.index + 1}名信访人" if self.petitioners > 1 else "信访人"
        conflicting = "、".join(d.label for d in self.conflicts)
        if self.matched_on == "id_number":
            return (f"{who}的身份证号码 {shown_value('id_number', self.registered.id_number)} 已登记为"
                    f"“{self.registered.name}”，本次填写的{conflicting}与登记的不同：")
        return f"{who}与所选的已登记信访人“{self.registered.name}”的{conflicting}不同："

    def lines(self, place: Callable[[str], str] = str) -> list[str]:
        return [self.heading(),
                f"  已登记：{self.version_text(self.registered, place)}",
                f"  本次填写：{self.version_text(self.given, place, '（未填）')}"]


class PersonConflict(InvalidInput):
    """Registration refused before anything is written: some petitioners' details conflict with a
    registered person's. Carries both versions per petitioner, for the window and the command line
    to show; the registration is submitted again with a PersonChoice for each of them."""

    def __init__(self, rows: list[ConflictRow], place: Callable[[str], str] = str):
        self.rows = list(rows)
        self.place = place
        super().__init__("\n".join(self.details()) + "\n" + CONFLICT_ADVICE,
                         field=f"petitioners[{self.rows[0].index}].id_number")

    def details(self) -> list[str]:
        """The two versions of every conflicting petitioner, one line each, without the advice."""
        out: list[str] = []
        for row in self.rows:
            out += row.lines(self.place)
        return out


CONFLICT_ADVICE = ("未登记任何内容。请向信访人核实后选择：使用已登记的信访人（不修改其信息）、"
                   "更正已登记的信访人（原信息留存于变更记录），或身份证属于他人（本信访人另行登记，不登记该身份证号码）。")


@dataclass(frozen=True)
class Settlement:
    """What registering a petitioner does to the person records."""

    action: str                              # "new", "link", "update" or "separate"
    changes: tuple[Difference, ...] = ()     # "update": the fields the registered person takes
    revision: str | None = None              # the history entry it leaves: "fill", "correct" or "separate"


def settle(registered: PersonDetails | None, given: PersonDetails, choice: PersonChoice | None, *,
           writable: bool = True) -> Settlement:
    """The one rule, for the registration and the ledger import alike. `registered`: the person the
    petitioner was matched to (None: a new person). A conflict needs a choice (the caller refuses
    without one); the choice is not consulted otherwise. Without a conflict, a field the registered
    person lacks is filled where this unit may write it."""
    if registered is None:
        return Settlement("new")
    diffs = differences(registered, given)
    if any(d.is_conflict for d in diffs):
        if choice is None:
            raise ValueError("a conflict needs the clerk's choice")
        if choice is PersonChoice.SEPARATE:
            return Settlement("separate", revision="separate")
        if choice is PersonChoice.CORRECT:
            return Settlement("update", diffs, "correct")
        return Settlement("link")
    if diffs and writable:
        return Settlement("update", diffs, "fill")
    return Settlement("link")
