"""Person identity changes are explicit (issue 13): a registered ID number given with another name or
other details is a conflict the clerk decides — use the registered person, correct it (audited, the
old values kept in its history), or register the petitioner apart without the ID — and nothing is
ever overwritten silently."""

from __future__ import annotations

import pytest

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import InvalidInput, NotFound
from xinfang_desktop.domain.petition import FieldErrors, PetitionerInput
from xinfang_desktop.store.models import AuditEntry, Case, CaseParty, Person

# The names this feature adds are imported inside the tests, so that on a program without it each
# test fails on its own rule rather than the whole file on an import.

ID = "11010519491231002X"
ACCUSATION = "1501"          # 纪检监察/检举控告 (categories.json: "accusation": true)


def zhao(**kw) -> PetitionerInput:
    fields = dict(name="赵六", id_number=ID, phone="13812345678", address="永福镇李庄村3组15号",
                  township_code="350881102000")
    fields.update(kw)
    return PetitionerInput(**fields)


def sun(**kw) -> PetitionerInput:
    """A relative who brought 赵六's card: the same ID number, another name and phone."""
    fields = dict(name="孙七", id_number=ID, phone="13900001111")
    fields.update(kw)
    return PetitionerInput(**fields)


def accusation(petitioner: PetitionerInput, request: str = "检举村干部侵占集体土地补偿款"):
    return make_registration(category_code=ACCUSATION, petitioners=[petitioner], request=request)


def snapshot() -> tuple:
    return (Case.select().count(), CaseParty.select().count(), AuditEntry.select().count(),
            [(p.name, p.id_number, p.phone, p.address, p.version)
             for p in Person.select().order_by(Person.created_at, Person.name)])


def revisions() -> int:
    from xinfang_desktop.store.models_person import PersonRevision

    return PersonRevision.select().count()


def person_conflict() -> type:
    from xinfang_desktop.domain.person_identity import PersonConflict

    return PersonConflict


def names_on(services, actor, number: str) -> list[str]:
    return [p.name for p in services.queries.detail(actor, number).parties]


def test_accusers_identity_is_not_replaced_by_another_name_on_the_same_id_30_3(services, clerk):
    """第三十条第三款 (an accuser's identity is protected): 赵六 accuses; 孙七 comes with 赵六's card.
    Registering 孙七 is refused before anything is written, naming both versions, and the
    accusation still names 赵六 (个人信息保护法第八条: no silent overwrite of personal information)."""
    first = services.cases.register(clerk, accusation(zhao()))
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        services.cases.register(clerk, accusation(sun(), "检举村干部违规发放低保"))
    assert isinstance(refused.value, person_conflict())
    assert snapshot() == before and revisions() == 0      # nothing written: no case, no person change, no audit
    [row] = refused.value.rows
    assert (row.index, row.registered.name, row.given.name) == (0, "赵六", "孙七")
    assert [d.field for d in row.conflicts] == ["name", "phone"]
    message = refused.value.message
    assert "赵六" in message and "孙七" in message and "110105********002X" in message
    assert "138****5678" in message and "139****1111" in message
    assert ID not in message and "13812345678" not in message       # masked as on screen
    assert names_on(services, clerk, first.number) == ["赵六"]


def test_use_links_the_registered_person_and_changes_nothing(services, clerk):
    first = services.cases.register(clerk, accusation(zhao()))
    person = Person.get()
    second = services.cases.register(clerk, accusation(sun(on_conflict="use"), "再次检举"))
    assert Person.select().count() == 1
    again = Person.get()
    assert (again.name, again.phone, again.version, again.updated_at) == ("赵六", "13812345678", 1, person.updated_at)
    assert names_on(services, clerk, second.number) == names_on(services, clerk, first.number) == ["赵六"]
    assert services.queries.detail(clerk, first.number).parties[0].history == ()


def test_correcting_is_audited_and_keeps_the_old_values_in_the_history_pipl_46(services, clerk):
    """个人信息保护法第四十六条: a registered person's details are corrected on the clerk's decision,
    the correction is audited, and the values it replaced stay in the person's history."""
    from xinfang_desktop.store.models_person import PersonRevision

    first = services.cases.register(clerk, accusation(zhao()))
    second = services.cases.register(clerk, accusation(sun(on_conflict="correct"), "再次检举"))
    person = Person.get()
    assert Person.select().count() == 1
    assert (person.name, person.phone, person.address, person.version) == ("孙七", "13900001111", "永福镇李庄村3组15号", 2)
    [rev] = PersonRevision.select()
    assert (rev.kind, rev.person_id, rev.case_id, rev.actor, rev.source) == (
        "correct", person.id, Case.get(Case.number == second.number).id, "clerk1", "intake")
    assert rev.before == {"name": "赵六", "phone": "13812345678"}
    assert rev.after == {"name": "孙七", "phone": "13900001111"}
    [entry] = AuditEntry.select().where(AuditEntry.action == "person.correct")
    assert entry.target == person.id and entry.detail["fields"] == ["name", "phone"]
    # Every case of the person shows the change, masked as the rest of the screen.
    [h] = services.queries.detail(clerk, first.number).parties[0].history
    assert h.label == "更正" and h.case_number == second.number
    assert h.text == "姓名 赵六→孙七；电话 138****5678→139****1111"


def test_an_id_card_of_someone_else_registers_the_petitioner_apart_without_it(services, clerk):
    from xinfang_desktop.store.models_person import PersonRevision

    first = services.cases.register(clerk, accusation(zhao()))
    second = services.cases.register(clerk, accusation(sun(on_conflict="separate"), "检举村干部违规发放低保"))
    zhao_row = Person.get(Person.name == "赵六")
    sun_row = Person.get(Person.name == "孙七")
    assert (zhao_row.id_number, zhao_row.phone, zhao_row.version) == (ID, "13812345678", 1)   # untouched
    assert (sun_row.id_number, sun_row.sex, sun_row.birth_date, sun_row.phone) == (None, None, None, "13900001111")
    assert names_on(services, clerk, first.number) == ["赵六"]
    assert names_on(services, clerk, second.number) == ["孙七"]
    [rev] = PersonRevision.select()
    assert (rev.kind, rev.person_id, rev.other_person_id) == ("separate", sun_row.id, zhao_row.id)
    assert AuditEntry.select().where(AuditEntry.action == "person.separate").count() == 1
    [note] = services.queries.detail(clerk, second.number).parties[0].history
    assert "110105********002X" in note.text and "赵六" in note.text and "未登记该身份证号码" in note.text
    [other] = services.queries.detail(clerk, first.number).parties[0].history
    assert "孙七" in other.text and "未作修改" in other.text
    # The card's owner keeps the ID number: a later registration with it finds 赵六, not 孙七.
    assert [p.name for p, _cases in services.cases.find_earlier(id_number=ID)] == ["赵六"]


def test_filling_an_empty_field_is_no_conflict_but_is_in_the_history_pipl_8(services, clerk):
    """个人信息保护法第八条 (accurate and complete): a field the registered person lacked is filled
    without asking (nothing is overwritten), and the filling is recorded."""
    from xinfang_desktop.store.models_person import PersonRevision

    services.cases.register(clerk, make_registration(petitioners=[zhao(phone=None, address=None)]))
    ref = services.cases.register(clerk, make_registration(petitioners=[zhao(township_code=None)]))
    person = Person.get()
    assert (person.phone, person.address, person.version) == ("13812345678", "永福镇李庄村3组15号", 2)
    [rev] = PersonRevision.select()
    assert rev.kind == "fill" and rev.before == {"phone": None, "address": None}
    assert rev.after == {"phone": "13812345678", "address": "永福镇李庄村3组15号"}
    assert AuditEntry.select().where(AuditEntry.action == "person.correct").count() == 0
    [h] = services.queries.detail(clerk, ref.number).parties[0].history
    assert h.label == "补充" and h.text == "电话 （无）→138****5678；住址 （无）→永福镇李庄村3组15号"
    # The same details again change nothing and add no history.
    services.cases.register(clerk, make_registration(petitioners=[zhao()]))
    assert Person.get().version == 2 and PersonRevision.select().count() == 1


def test_other_details_conflict_too_and_every_conflicting_row_is_named(services, clerk):
    services.cases.register(clerk, make_registration(petitioners=[zhao()]))
    other = "350881196803120421"[:-1]
    from xinfang_desktop.domain.idcard import check_character

    other += check_character(other)
    services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name="钱八", id_number=other,
                                                                                  address="永福镇西洋村")]))
    before = snapshot()
    PersonConflict = person_conflict()
    reg = make_registration(people_count=3, petitioners=[
        PetitionerInput(name="李四", phone="13700000000"),
        zhao(address="永福镇李庄村5组"),                                  # same name, another address
        PetitionerInput(name="钱八", id_number=other, township_code="350881101000")])   # place filled: no conflict
    with pytest.raises(PersonConflict) as refused:
        services.cases.register(clerk, reg)
    assert snapshot() == before
    [row] = refused.value.rows
    assert row.index == 1 and [d.field for d in row.conflicts] == ["address"]
    assert "第2名信访人" in refused.value.message and "永福镇李庄村3组15号" in refused.value.message
    # Choosing for the conflicting row is enough; the others need no choice.
    rows = list(reg.petitioners)
    rows[1] = zhao(address="永福镇李庄村5组", on_conflict="use")
    ref = services.cases.register(clerk, make_registration(people_count=3, petitioners=rows))
    assert names_on(services, clerk, ref.number) == ["李四", "赵六", "钱八"]
    assert Person.get(Person.name == "赵六").address == "永福镇李庄村3组15号"
    assert Person.get(Person.name == "钱八").township_code == "350881101000"


def test_a_person_picked_in_the_side_panel_is_no_conflict(services, clerk):
    from xinfang_desktop.services.intake import IntakeService

    services.cases.register(clerk, accusation(zhao()))
    picked = services.get(IntakeService).person_for_form(clerk, Person.get().id)
    ref = services.cases.register(clerk, accusation(picked, "再次检举"))
    assert names_on(services, clerk, ref.number) == ["赵六"] and Person.get().version == 1


def test_a_picked_person_given_another_registered_persons_id_is_refused(services, clerk):
    services.cases.register(clerk, make_registration(petitioners=[zhao()]))
    services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name="李四", phone="13700000000")]))
    li = Person.get(Person.name == "李四")
    before = snapshot()
    with pytest.raises(FieldErrors) as refused:
        services.cases.register(clerk, make_registration(petitioners=[
            PetitionerInput(name="李四", id_number=ID, person_id=li.id)]))
    assert "赵六" in refused.value.errors["petitioners[0].id_number"]
    assert snapshot() == before
    with pytest.raises(NotFound):
        services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name="李四", person_id="nobody")]))


def test_a_conflict_leaves_no_attachment_behind(services, clerk, tmp_path):
    from xinfang_desktop.services.intake import IntakeService
    from xinfang_desktop.store.models_intake import Attachment

    PersonConflict = person_conflict()
    services.cases.register(clerk, accusation(zhao()))
    letter = tmp_path / "检举信.jpg"
    letter.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    store = services.data_dir / "attachments"
    files_before = sorted(p.name for p in store.rglob("*") if p.is_file()) if store.exists() else []
    with pytest.raises(PersonConflict):
        services.get(IntakeService).register(clerk, accusation(sun()), [letter])
    assert Attachment.select().count() == 0 and Case.select().count() == 1
    assert (sorted(p.name for p in store.rglob("*") if p.is_file()) if store.exists() else []) == files_before
