"""A leader's colour override travels with its matter (colour_override.case_id); an override of an earlier
version, on a person and without case_id, still imports; the ownership rule holds for both."""

from __future__ import annotations

import uuid

from xinfang_desktop.domain.board import Colour
from xinfang_desktop.services.board import BoardService

from .conftest import CITY, TOWNS, forge, write_out
from .test_sync_entries import _person_of, _records, rows


def _earlier_override(town, person_id: str, **extra) -> dict:
    """A colour_override record as a version before matters wrote it: on a person, no case_id field."""
    return {"t": "colour_override", "id": str(uuid.uuid4()), "unit_code": town.code, "version": 1,
            "updated_at": "2026-11-02 09:30:00", "person_id": person_id, "colour": "B", "base_colour": "C",
            "reason": "已与信访人面谈，情况平稳", "set_by": "admin", "set_by_display": "王管理",
            "set_at": "2026-11-02 09:30:00", "withdrawn_at": None, **extra}


def test_a_matter_override_arrives_at_the_city_on_its_matter(town, city, tmp_path):
    town.sync
    case = town.register(name="张三")
    card = town.svc.get(BoardService).override(town.admin, case.number, Colour.RED, "欠薪涉及子女学费，需领导协调")
    assert card.colour == Colour.RED
    town.export()
    [r] = city.import_(write_out(town, tmp_path / "stick"))
    assert r.outcome == "applied" and r.quarantined_records == 0, r.message
    assert rows(city.db_file, "colour_override") == rows(town.db_file, "colour_override")
    city.sync
    at_city = city.svc.get(BoardService).matter_card(city.admin, case.id)
    assert at_city.colour == Colour.RED and at_city.grade.override.reason == "欠薪涉及子女学费，需领导协调"


def test_an_earlier_versions_override_on_a_person_still_imports(town, city, tmp_path, unit_keys):
    """Old bundles without colour_override.case_id import: the override stays on its person and applies on the
    grouping by person; a record naming neither a matter nor a person is quarantined."""
    town.sync
    case = town.register(name="张三")
    person = _person_of(town, case.id)
    old = _earlier_override(town, person)
    assert "case_id" not in old
    broken = dict(_earlier_override(town, person), person_id=None)
    path = tmp_path / "old.xfb"
    path.write_bytes(forge(unit_keys, town.code, CITY, seq=1, prev="genesis",
                           records=_records(town, "person", "case", "case_party", "case_event") + [old, broken]))
    [r] = city.import_([path])
    assert r.outcome == "applied" and r.quarantined_records == 1, r.message
    reasons = {q.record_id: q.reason for q in city.sync.quarantined_records()}
    assert "应指向一个信访事项" in reasons[broken["id"]]
    [row] = rows(city.db_file, "colour_override")
    city.sync
    from xinfang_desktop.store.models_attention import ColourOverride

    got = ColourOverride.get_by_id(old["id"])
    assert (got.person_id, got.case_id, got.colour) == (person, None, "B") and row
    board = city.svc.get(BoardService)
    [by_person] = board.board(city.admin, view="person").cards
    assert by_person.colour == Colour.ORANGE and "按人员调整" in by_person.override_text()
    assert board.matter_card(city.admin, case.id).colour == Colour.YELLOW


def test_an_earlier_override_on_another_townships_person_refuses_the_bundle(offices, town, city, tmp_path, unit_keys):
    other = offices[TOWNS[1]]
    other.sync
    theirs = other.register(name="李四")
    other.export()
    assert city.import_(write_out(other, tmp_path / "o"))[0].outcome == "applied"
    town.sync
    own = _records(town, "person", "case", "case_party", "case_event")
    path = tmp_path / "stolen.xfb"
    path.write_bytes(forge(unit_keys, town.code, CITY, seq=1, prev="genesis",
                           records=own + [_earlier_override(town, _person_of(other, theirs.id))]))
    [r] = city.import_([path])
    assert r.outcome == "rejected" and "（colour_override）" in r.message and "新桥镇" in r.message
