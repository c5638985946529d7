"""The same ID number registered by two townships (issue 13): at the city both person records arrive
and stay two records, each as its township wrote it; the city's view says that they share the number;
a later change of one never touches the other; the city cannot correct a township's person."""

from __future__ import annotations

import pytest

from xinfang_desktop.domain.errors import NotAllowed
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.store.models import Person

from .conftest import CITY, TOWNS, write_out

ID = "11010519491231002X"


def person(name: str, township: str, **kw) -> list[PetitionerInput]:
    return [PetitionerInput(name=name, id_number=ID, township_code=township, **kw)]


def test_two_townships_persons_with_one_id_stay_two_records_at_the_city_30_3(offices, tmp_path):
    """第三十条第三款: the city merging or overwriting would put one township's accuser's name on the other's."""
    yongfu, xinqiao, city = offices[TOWNS[0]], offices[TOWNS[1]], offices[CITY]
    accused = yongfu.register(category_code="1501", request="检举村干部侵占集体土地补偿款",
                              petitioners=person("赵六", yongfu.code, phone="13812345678"))
    wages = xinqiao.register(petitioners=person("孙七", xinqiao.code, phone="13900001111"))
    for town in (yongfu, xinqiao):
        town.export()
        [result] = city.import_(write_out(town, tmp_path / town.code))
        assert result.outcome == "applied", result.message
    city.sync                                                        # bind the city's database
    rows = {p.unit_code: (p.name, p.phone, p.version) for p in Person.select().where(Person.id_number == ID)}
    assert rows == {yongfu.code: ("赵六", "13812345678", 1), xinqiao.code: ("孙七", "13900001111", 1)}
    shown = city.svc.queries.detail(city.admin, accused.number).parties
    assert [p.name for p in shown] == ["赵六"] and shown[0].shares_id_with == ("孙七（新桥镇信访办）",)
    shown = city.svc.queries.detail(city.admin, wages.number).parties
    assert [p.name for p in shown] == ["孙七"] and shown[0].shares_id_with == ("赵六（永福镇信访办）",)

    # 新桥镇 corrects its own person; the bundle changes that record only.
    xinqiao.register(request="再次要求支付工资",
                     petitioners=person("孙七", xinqiao.code, phone="13700002222", on_conflict="correct"))
    xinqiao.export()
    results = city.import_(write_out(xinqiao, tmp_path / "again"))   # the first bundle again (not yet acknowledged)
    assert [r.outcome for r in results] == ["already", "applied"], [r.message for r in results]
    city.sync
    rows = {p.unit_code: (p.name, p.phone, p.version) for p in Person.select().where(Person.id_number == ID)}
    assert rows == {yongfu.code: ("赵六", "13812345678", 1), xinqiao.code: ("孙七", "13700002222", 2)}


def test_the_city_links_a_townships_person_but_cannot_correct_it(offices, tmp_path):
    yongfu, city = offices[TOWNS[0]], offices[CITY]
    yongfu.register(petitioners=person("赵六", yongfu.code, phone="13812345678"))
    yongfu.export()
    city.import_(write_out(yongfu, tmp_path / "up"))
    city.sync
    zhao = Person.get(Person.id_number == ID)
    from xinfang_desktop.domain.person_identity import PersonConflict

    picked = [PetitionerInput(name="赵六", id_number=ID, phone="13900001111", person_id=zhao.id)]
    with pytest.raises(PersonConflict) as refused:
        city.register(petitioners=picked)
    [row] = refused.value.rows
    assert row.cannot_correct and "永福镇信访办" in row.cannot_correct
    with pytest.raises(NotAllowed, match="只能由该单位更正"):
        city.register(petitioners=[PetitionerInput(name="赵六", id_number=ID, phone="13900001111", person_id=zhao.id,
                                                   on_conflict="correct")])
    ref = city.register(petitioners=[PetitionerInput(name="赵六", id_number=ID, phone="13900001111", person_id=zhao.id,
                                                     on_conflict="use")])
    city.sync
    assert [p.name for p in city.svc.queries.detail(city.admin, ref.number).parties] == ["赵六"]
    assert Person.get_by_id(zhao.id).phone == "13812345678"
