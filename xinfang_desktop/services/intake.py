"""Intake: who this petitioner may already be, and registering a petition with its attachments.

The side panel of the intake form asks `people_like()` as the clerk types a name, an ID number
or a phone: prefixes of the ID and phone, whole or leading characters of the name. Matches come
with their earlier matters so the clerk can link a repeat petition (重件) or fill the person in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Sequence

from ..domain import workflow as wf
from ..domain.errors import InvalidInput, NotFound
from ..domain.idcard import mask_id_number, normalize_id_text
from ..domain.petition import CHANNEL_LABELS, Channel, FieldErrors, PetitionerInput, RegistrationInput
from ..domain.phones import mask_phone
from ..store import search
from ..store.models import Case, CaseParty, Person
from .attachments import AttachmentService, check_file
from .audit import audit
from .cases import CaseRef
from .drafts import DraftService
from .permissions import Actor, Permission, require

MIN_ID_PREFIX = 6        # the area code: fewer digits match half the county
MIN_PHONE_PREFIX = 7
MAX_MATCHES = 15   # people offered in the 相同人员 panel
MAX_CASES_EACH = 8
PINYIN_CASES = 200       # cases taken from the search index for pinyin letters typed as a name
_HIGH = "\U0010ffff"


@dataclass(frozen=True)
class EarlierCase:
    id: str
    number: str
    received_on: date
    channel: str
    category: str
    status: str
    request: str
    is_open: bool


@dataclass(frozen=True)
class PersonMatch:
    person_id: str
    name: str
    id_number: str | None        # masked: the clerk sees who it is without a full number on screen
    phone: str | None            # masked
    place: str
    matched_on: tuple[str, ...]  # "身份证号" / "电话" / "姓名"
    cases: tuple[EarlierCase, ...]
    case_count: int


def _prefix(field, text: str):
    """field starts with text, as a range so the column's index is used (LIKE would scan)."""
    return (field >= text) & (field < text + _HIGH)


class IntakeService:
    def __init__(self, services):
        self.services = services

    @property
    def drafts(self) -> DraftService:
        return self.services.get(DraftService)

    @property
    def attachments(self) -> AttachmentService:
        return self.services.get(AttachmentService)

    # -- who is this -------------------------------------------------------------------
    def people_like(self, actor: Actor, *, name: str | None = None, id_number: str | None = None,
                    phone: str | None = None, limit: int = MAX_MATCHES) -> list[PersonMatch]:
        require(actor, Permission.VIEW)
        found: dict[str, tuple[Person, set[str]]] = {}

        def add(query, why: str) -> None:
            for p in query.limit(limit):
                found.setdefault(p.id, (p, set()))[1].add(why)

        idn = normalize_id_text(id_number or "")
        if len(idn) >= MIN_ID_PREFIX:
            add(Person.select().where(_prefix(Person.id_number, idn)), "身份证号" if len(idn) == 18 else "身份证号前几位")
        digits = "".join(c for c in (phone or "") if c.isdigit())
        if len(digits) >= MIN_PHONE_PREFIX:
            add(Person.select().where(_prefix(Person.phone, digits)), "电话" if len(digits) >= 11 else "电话前几位")
        nm = "".join((name or "").split())
        if len(nm) >= 2 and nm.isascii() and nm.isalpha():
            for person in self._people_by_pinyin(nm.lower(), limit):
                found.setdefault(person.id, (person, set()))[1].add("姓名拼音")
            nm = ""                      # letters are not a name to look up, nor to match with a phone
        elif len(nm) >= 2:
            add(Person.select().where(_prefix(Person.name, nm)), "姓名")
        # The rule of the case service (same ID, or same name and phone) never misses what it finds.
        if idn or (nm and digits):
            for person, _cases in self.services.cases.find_earlier(name=nm or None, id_number=idn or None,
                                                                   phone=digits or None, limit=limit):
                why = "身份证号" if idn and person.id_number == idn else "姓名和电话"
                found.setdefault(person.id, (person, set()))[1].add(why)
        order = {"身份证号": 0, "身份证号前几位": 1, "电话": 1, "电话前几位": 1, "姓名和电话": 1, "姓名": 2,
                 "姓名拼音": 2}
        ranked = sorted(found.values(), key=lambda pw: (min(order[w] for w in pw[1]) - len(pw[1]), pw[0].name))
        ranked = ranked[:limit]
        cases = self._cases_of([p.id for p, _ in ranked])
        return [self._match(p, why, cases.get(p.id, [])) for p, why in ranked]

    def _people_by_pinyin(self, letters: str, limit: int) -> list[Person]:
        """People whose name reads `letters` (initials `whl`, or the start of the full pinyin `wangh…`).
        The pinyin is in the case search index (store/search.py), not on the person: the index finds the
        cases, and each of their parties is kept when their own name reads so (a case's other parties
        share its tokens)."""
        sids = search.search_sids(self.services.db, letters, limit=PINYIN_CASES)
        if not sids:
            return []
        people = (Person.select(Person).join(CaseParty).join(Case).where(Case.sid.in_(sids))
                  .order_by(Case.sid.desc()).distinct())
        out: list[Person] = []
        for p in people:
            full, initials = search.name_pinyin(p.name)
            readings = initials + full
            if any(r == letters for r in readings) or (len(letters) > 2 and any(r.startswith(letters)
                                                                                for r in readings)):
                out.append(p)
                if len(out) >= limit:
                    break
        return out

    def _cases_of(self, person_ids: list[str]) -> dict[str, list[EarlierCase]]:
        """Every case of these people, newest first, in one query (the panel asks on each keystroke)."""
        if not person_ids:
            return {}
        open_statuses = {s.value for s in wf.OPEN_STATUSES}
        rows = (CaseParty.select(CaseParty.person, Case.id, Case.number, Case.received_at, Case.channel,
                                 Case.category_code, Case.status, Case.request)
                .join(Case).where(CaseParty.person.in_(person_ids))
                .order_by(Case.received_at.desc()).tuples())
        out: dict[str, list[EarlierCase]] = {}
        labels = self.services.categories.label
        for person_id, cid, number, received, channel, category, status, request in rows:
            if isinstance(received, str):
                received = datetime.fromisoformat(received)
            out.setdefault(person_id, []).append(EarlierCase(
                id=cid, number=number, received_on=received.date(), channel=CHANNEL_LABELS[Channel(channel)],
                category=labels(category), status=wf.Status(status).label, request=request,
                is_open=status in open_statuses))
        return out

    def _match(self, p: Person, why: set[str], cases: list[EarlierCase]) -> PersonMatch:
        if "姓名和电话" in why:
            why = why - {"姓名", "电话", "电话前几位"}
        if "身份证号" in why:
            why = why - {"身份证号前几位"}
        divisions = self.services.divisions
        place = ""
        for code in (p.village_code, p.township_code):
            if code and code in divisions:
                d = divisions.get(code)
                town = divisions.get(d.parent_code).name if d.parent_code and d.kind in ("村", "社区") else ""
                place = town + d.name
                break
        return PersonMatch(person_id=p.id, name=p.name,
                           id_number=mask_id_number(p.id_number) if p.id_number else None,
                           phone=mask_phone(p.phone) if p.phone else None, place=place,
                           matched_on=tuple(sorted(why)), cases=tuple(cases[:MAX_CASES_EACH]),
                           case_count=len(cases))

    def person_for_form(self, actor: Actor, person_id: str) -> PetitionerInput:
        """A known person, to fill a petitioner row. Full ID number and phone only for a role that may
        see them, and that view is audited; otherwise the row keeps the link and the clerk sees masks."""
        require(actor, Permission.VIEW)
        p = Person.get_or_none(Person.id == person_id)
        if p is None:
            raise NotFound("找不到该信访人记录，可能已被删除，请重新查找。")
        full = actor.can(Permission.REVEAL_PERSONAL)
        if full and (p.id_number or p.phone):
            with self.services.db.atomic():
                audit(actor, "personal.reveal.intake", p.id, {"name": p.name}, at=self.services.clock.now())
        return PetitionerInput(name=p.name, id_number=p.id_number if full else None, phone=p.phone if full else None,
                               address=p.address, township_code=p.township_code, village_code=p.village_code,
                               person_id=p.id, sex=p.sex, birth_date=p.birth_date)

    # -- registering -------------------------------------------------------------------
    def register(self, actor: Actor, reg: RegistrationInput, attachments: Sequence[Path | str] = ()) -> CaseRef:
        """Register the petition, link its attachments and drop the clerk's draft, all or nothing.

        Every field and every file is checked first; the files are copied before the transaction (a
        20 MB scan should not hold the write lock) and removed again if the transaction fails."""
        require(actor, Permission.REGISTER)
        errors: dict[str, str] = {}
        try:
            reg = self.services.cases.validate(reg)
        except FieldErrors as exc:
            errors.update(exc.errors)
        checked = []
        for i, path in enumerate(attachments):
            try:
                checked.append(check_file(path))
            except InvalidInput as exc:
                errors.setdefault(f"attachments[{i}]", exc.message)
        if reg.repeat_of and "repeat_of" not in errors:
            if not Case.select().where((Case.number == reg.repeat_of) | (Case.id == reg.repeat_of)).exists():
                errors["repeat_of"] = "所关联的初件事项不存在，请重新选择或取消关联。"
        if errors:
            raise FieldErrors(errors)
        stored = self.attachments.store_files(checked)

        def with_case(case: Case) -> None:
            # Written with the case, in its transaction (only writes: services/cases.py register).
            if stored:
                self.attachments.link(actor, case, stored, new_case=True)
            self.drafts.drop(actor)

        try:
            ref = self.services.cases.register(actor, reg, with_rows=with_case)
        except BaseException:
            self.attachments.remove_created(stored)
            raise
        return ref

    def office_township(self) -> str | None:
        """The township of this office, the default for a petitioner's township."""
        code = self.services.unit_code
        divisions = self.services.divisions
        if code in divisions and divisions.get(code).kind in ("镇", "乡", "街道"):
            return code
        return None
