"""性别 given by hand when there is no ID number (issue 15): kept on the person, shown in the case,
printed on the 登记表; an ID number decides the sex and a different one beside it is refused; on a
known person a different sex is a conflict the clerk decides, an empty one is filled."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import make_registration
from tests.services.test_printing import text_of
from xinfang_desktop.domain.errors import InvalidInput
from xinfang_desktop.domain.idcard import parse_sex
from xinfang_desktop.domain.person_identity import PersonChoice, PersonConflict
from xinfang_desktop.domain.petition import FieldErrors, PetitionerInput, validate_petitioner
from xinfang_desktop.services.printing import PrintService
from xinfang_desktop.store.models import Person
from xinfang_desktop.store.models_person import PersonRevision

TODAY = date(2026, 11, 2)


def test_parse_sex_takes_the_words_and_codes_and_refuses_others():
    assert [parse_sex(t) for t in ("男", " 女 ", "男性", "1", "2", "未说明", "", None, "9")] == \
        ["男", "女", "男", "男", "女", None, None, None, None]
    with pytest.raises(InvalidInput) as exc:
        parse_sex("M")
    assert exc.value.field == "sex" and "男、女或未说明" in exc.value.message


def test_without_an_id_number_the_sex_by_hand_is_kept_and_with_one_the_number_decides():
    assert validate_petitioner(PetitionerInput(name="王芳", sex="女"), today=TODAY).sex == "女"
    assert validate_petitioner(PetitionerInput(name="王芳", id_number="11010519491231002X"), today=TODAY).sex == "女"
    assert validate_petitioner(PetitionerInput(name="王芳", id_number="11010519491231002X", sex="女"),
                               today=TODAY).sex == "女"
    with pytest.raises(InvalidInput) as exc:
        validate_petitioner(PetitionerInput(name="王芳", id_number="11010519491231002X", sex="男"), today=TODAY)
    assert exc.value.field == "sex" and "身份证号码显示为女" in exc.value.message


def test_a_different_sex_beside_the_id_number_is_refused_before_anything_is_written(services, clerk):
    before = (Person.select().count(),)
    reg = make_registration(petitioners=[PetitionerInput(name="欧阳娜娜", id_number="11010519491231002X", sex="男")])
    with pytest.raises(FieldErrors) as exc:
        services.cases.register(clerk, reg)
    assert "petitioners[0].sex" in exc.value.errors
    assert (Person.select().count(),) == before


def test_sex_by_hand_is_stored_shown_in_the_case_and_printed_on_the_register_form(services, clerk):
    ref = services.cases.register(clerk, make_registration(
        petitioners=[PetitionerInput(name="李秀英", phone="13912345678", sex="女", address="李庄村三组12号")]))
    person = Person.get(Person.name == "李秀英")
    assert (person.sex, person.id_number, person.birth_date) == ("女", None, None)
    [party] = services.queries.detail(clerk, ref.number).parties
    assert party.sex == "女"
    text = text_of(services.get(PrintService).render(clerk, ref.number, "register").pdf)
    assert "李秀英" in text and "女" in text.split("李秀英", 1)[1][:6]


def test_on_a_known_person_an_empty_sex_is_filled_and_a_different_one_is_a_conflict(services, clerk):
    services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name="李秀英", phone="13912345678")]))
    person = Person.get(Person.name == "李秀英")
    assert person.sex is None
    services.cases.register(clerk, make_registration(
        petitioners=[PetitionerInput(name="李秀英", person_id=person.id, sex="女")]))
    person = Person.get_by_id(person.id)
    assert person.sex == "女"
    fill = PersonRevision.select().where(PersonRevision.person == person.id).order_by(PersonRevision.at).get()
    assert fill.kind == "fill" and fill.after == {"sex": "女"}

    reg = make_registration(petitioners=[PetitionerInput(name="李秀英", person_id=person.id, sex="男")])
    with pytest.raises(PersonConflict) as exc:
        services.cases.register(clerk, reg)
    assert "性别" in exc.value.message and "已登记：" in exc.value.message
    assert Person.get_by_id(person.id).sex == "女"
    from dataclasses import replace

    reg = replace(reg, petitioners=[replace(reg.petitioners[0], on_conflict=PersonChoice.CORRECT)])
    services.cases.register(clerk, reg)
    assert Person.get_by_id(person.id).sex == "男"
