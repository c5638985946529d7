"""A petition as registered: channels, petitioners, group rules (第十七、十九、二十条) and the
checks a registration must pass before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import Enum

from .errors import InvalidInput
from .idcard import parse_id_number, parse_sex
from .matters import Matter, parse_matter
from .person_identity import PersonChoice
from .phones import parse_phone
from .text import clean_name, clean_text

GROUP_SIZE = 5            # five or more people visiting together on one matter make a group visit (集体访)
MAX_REPRESENTATIVES = 5   # 第二十条
MAX_PEOPLE = 10_000
EARLIEST_RECEIVED = date(2000, 1, 1)


class Channel(str, Enum):
    VISIT = "visit"
    LETTER = "letter"
    PHONE = "phone"
    FAX = "fax"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> "Channel":
        key = (text or "").strip()
        for ch, names in CHANNEL_NAMES.items():
            if key == ch.value or key in names:
                return ch
        raise InvalidInput(f"信访形式无效：{text!r}，应为走访、来信、来电、传真或网上", field="channel")


CHANNEL_LABELS = {Channel.VISIT: "走访", Channel.LETTER: "来信", Channel.PHONE: "来电",
                  Channel.FAX: "传真", Channel.ONLINE: "网上"}
# The words real registers use for the same channel.
CHANNEL_NAMES = {
    Channel.VISIT: ("走访", "来访", "上访", "接访"),
    Channel.LETTER: ("来信", "书信", "信件"),
    Channel.PHONE: ("来电", "电话"),
    Channel.FAX: ("传真",),
    Channel.ONLINE: ("网上", "网信", "网上信访", "网络"),
}


@dataclass(frozen=True)
class PetitionerInput:
    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    township_code: str | None = None
    village_code: str | None = None
    is_representative: bool = False
    person_id: str | None = None        # an existing person the clerk picked
    sex: str | None = None              # given by hand without an ID number; read from a valid one
    birth_date: date | None = None
    # What to do when these details conflict with the registered person's (domain/person_identity.py);
    # None: the registration is refused with both versions, for the clerk to decide.
    on_conflict: PersonChoice | str | None = None


@dataclass(frozen=True)
class RegistrationInput:
    channel: str
    received_at: datetime
    petitioners: list[PetitionerInput]
    category_code: str
    request: str
    facts: str | None = None
    reasons: str | None = None
    people_count: int | None = None     # None: the number of petitioners listed
    concerned_unit: str | None = None
    repeat_of: str | None = None        # case number or id of the earlier matter (重件)
    # The kind of matter (第二十九、三十、三十一条): a value or label, and 第三十一条's item for 申诉求决.
    # None: the kind the category suggests. After validation a domain.matters.Matter.
    matter: "str | Matter | None" = None
    claim_item: int | None = None
    notice_exempt: bool = False         # name or address unclear: no written notice (第二十三条第二款)


class FieldErrors(InvalidInput):
    """Every problem of a form at once, each by field, so the form can mark them where they are."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("请改正以下内容：" + "；".join(self.errors.values()), field=next(iter(self.errors), None))


def validate_petitioner(p: PetitionerInput, *, today: date, prefix: str = "") -> PetitionerInput:
    name = clean_name(p.name, label=f"{prefix}姓名", field="name")
    sex, birth = parse_sex(p.sex), p.birth_date
    id_number = None
    if p.id_number and p.id_number.strip():
        card = parse_id_number(p.id_number, today=today)
        if sex is not None and sex != card.sex:
            # The ID number decides; a different sex given beside it is a mistake in one of them.
            raise InvalidInput(f"{prefix}性别填的是{sex}，身份证号码显示为{card.sex}；请核对身份证号码，"
                               "或不填性别（按身份证号码）。", field="sex")
        id_number, sex, birth = card.number, card.sex, card.birth_date
    phone = parse_phone(p.phone).number if p.phone and p.phone.strip() else None
    address = clean_text(p.address, label=f"{prefix}住址", field="address", required=False, limit=200,
                         multiline=False)
    choice = PersonChoice.parse(p.on_conflict)
    return replace(p, name=name, id_number=id_number, phone=phone, address=address, sex=sex, birth_date=birth,
                   on_conflict=choice)


def validate_registration(reg: RegistrationInput, *, now: datetime, category_exists) -> RegistrationInput:
    """Normalise a registration or raise FieldErrors naming every field at fault."""
    errors: dict[str, str] = {}

    def attempt(key: str, fn):
        try:
            return fn()
        except InvalidInput as exc:
            errors.setdefault(key, exc.message)
            return None

    channel = attempt("channel", lambda: Channel.parse(reg.channel))
    received = reg.received_at
    if not isinstance(received, datetime):
        errors["received_at"] = "收到日期无效"
    elif received > now + timedelta(minutes=10):
        errors["received_at"] = f"收到日期（{received:%Y-%m-%d %H:%M}）晚于当前时间，请核对"
    elif received.date() < EARLIEST_RECEIVED:
        errors["received_at"] = f"收到日期过早（{received:%Y-%m-%d}），请核对"
    people: list[PetitionerInput] = []
    if not reg.petitioners:
        errors["petitioners"] = "至少登记一名信访人"
    seen_ids: set[str] = set()
    for i, p in enumerate(reg.petitioners):
        prefix = f"第{i + 1}名信访人" if len(reg.petitioners) > 1 else ""
        try:
            v = validate_petitioner(p, today=now.date(), prefix=prefix)
        except InvalidInput as exc:
            errors.setdefault(f"petitioners[{i}].{exc.field or 'name'}", f"{prefix}{exc.message}" if prefix and
                              not exc.message.startswith(prefix) else exc.message)
            continue
        if v.id_number:
            if v.id_number in seen_ids:
                errors[f"petitioners[{i}].id_number"] = f"{prefix}身份证号码与前面的信访人重复"
            seen_ids.add(v.id_number)
        people.append(v)
    count = reg.people_count if reg.people_count is not None else len(reg.petitioners)
    if not isinstance(count, int) or count < 1:
        errors["people_count"] = "人数应为正整数"
    elif count > MAX_PEOPLE:
        errors["people_count"] = f"人数过大（{count}），请核对"
    elif count < len(reg.petitioners):
        errors["people_count"] = f"人数（{count}）少于登记的信访人数（{len(reg.petitioners)}）"
    reps = sum(1 for p in reg.petitioners if p.is_representative)
    if reps > MAX_REPRESENTATIVES:
        errors["representatives"] = f"代表人最多{MAX_REPRESENTATIVES}名（第二十条），现有{reps}名"
    elif reps and isinstance(count, int) and count < GROUP_SIZE:
        errors["representatives"] = f"{GROUP_SIZE}人以上的集体访才推选代表人（第二十条第三款）"
    category = (reg.category_code or "").strip()
    if not category:
        errors["category_code"] = "请选择问题类别"
    elif not category_exists(category):
        errors["category_code"] = f"问题类别代码无效：{category}"
    request = attempt("request", lambda: clean_text(reg.request, label="诉求", field="request", limit=2000))
    facts = attempt("facts", lambda: clean_text(reg.facts, label="事实", field="facts", required=False,
                                                limit=20000))
    reasons = attempt("reasons", lambda: clean_text(reg.reasons, label="理由", field="reasons", required=False,
                                                    limit=20000))
    unit = attempt("concerned_unit", lambda: clean_text(reg.concerned_unit, label="被反映单位",
                                                        field="concerned_unit", required=False, limit=200,
                                                        multiline=False))
    matter = reg.matter
    if isinstance(matter, str) and matter.strip():
        matter = attempt("matter", lambda: parse_matter(reg.matter, reg.claim_item))  # type: ignore[arg-type]
    elif not isinstance(matter, Matter):
        matter = None
    if errors:
        raise FieldErrors(errors)
    assert channel is not None
    return replace(reg, channel=channel.value, petitioners=people, category_code=category, request=request,
                   facts=facts, reasons=reasons, people_count=count, concerned_unit=unit, matter=matter,
                   notice_exempt=bool(reg.notice_exempt))


def is_group(people_count: int, channel: str = Channel.VISIT.value) -> bool:
    """A group visit (集体访): five or more people *visiting* on one matter. Letters, calls and online
    petitions signed by many are joint petitions (联名信), not group visits."""
    return channel == Channel.VISIT.value and people_count >= GROUP_SIZE


def is_joint(people_count: int, channel: str) -> bool:
    """A joint letter (联名信): a written petition signed by five or more people."""
    return channel != Channel.VISIT.value and people_count >= GROUP_SIZE
