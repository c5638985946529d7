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
    assert rows(city, "colour_override") == rows(town, "colour_override")
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
    [row] = rows(city, "colour_override")
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


def _reviewed_at_the_township(town, name: str, review: dict):
    """A matter the township decided (不予支持) whose petitioner asked the superior for a 复查; the
    township records the request and, when it hears of it, the superior's result."""
    from xinfang_desktop.domain.workflow import EventKind

    ref = town.register(name=name)
    town.svc.cases.act(town.admin, ref.id, EventKind.ROUTED,
                       {"route": "direct", "unit": "镇劳动保障所", "notified": True})
    town.svc.cases.act(town.admin, ref.id, EventKind.REPLIED,
                       {"outcome": "不予支持", "text": "缺乏依据", "basis": "《劳动合同法》第三十条"})
    town.svc.cases.act(town.admin, ref.id, EventKind.REVIEW_REQUESTED, {"reason": "不服"})
    if review:
        town.svc.cases.act(town.admin, ref.id, EventKind.REVIEW_DECIDED, review)
    return ref


def _cached(office, case_id: str) -> tuple:
    return office.svc.db.execute_sql('SELECT review_standing, handling_unit FROM "case" WHERE id = ?',
                                     (case_id,)).fetchone()


def test_an_imported_matter_has_its_review_standing_and_handling_unit_at_the_city(town, city, tmp_path):
    """第三十五条 at the city too: the review standing and the handling unit are local columns, never in a
    bundle, so the import computes them from the matter's events. A review that supported the petitioner
    is not "仍有争议" on the city's board; one that upheld a 不予支持, or one not yet decided, is."""
    town.sync
    won = _reviewed_at_the_township(town, "张三", {"disposition": "revoke", "outcome": "支持", "text": "应予支持"})
    lost = _reviewed_at_the_township(town, "李四", {"disposition": "uphold", "text": "维持原处理意见"})
    waiting = _reviewed_at_the_township(town, "王五", {})
    expected = {won.id: ("review:supported", "镇劳动保障所"), lost.id: ("review:rejected", "镇劳动保障所"),
                waiting.id: ("review:pending", "镇劳动保障所")}
    assert {cid: _cached(town, cid) for cid in expected} == expected
    town.export()
    [r] = city.import_(write_out(town, tmp_path / "up"))
    assert r.outcome == "applied" and r.quarantined_records == 0, r.message
    city.sync
    assert {cid: _cached(city, cid) for cid in expected} == expected
    board = city.svc.get(BoardService)
    supported = board.matter_card(city.admin, won.id)
    assert supported.colour == Colour.GREEN and not [t for t in supported.reason_texts() if "争议" in t]
    assert board.matter_card(city.admin, lost.id).reason_texts() == [
        "已复查（不予支持），信访人对处理意见仍有争议，待回访"]
    pending = board.matter_card(city.admin, waiting.id)
    assert pending.colour == Colour.ORANGE and "复查中，信访人对处理意见仍有争议" in pending.reason_texts()
    assert supported.owner_text() == "镇劳动保障所（承办）"


def test_the_citys_review_comes_back_to_the_township_board(offices, tmp_path):
    """The city, as the superior (第三十五条), decides the 复查 of a township's matter; when the result comes
    back, the import refolds the township's case and its board stops calling the matter disputed."""
    from xinfang_desktop.domain.workflow import EventKind

    city, town = offices[CITY], offices[TOWNS[0]]
    town.sync
    ref = _reviewed_at_the_township(town, "张三", {})
    town.sync
    assert town.svc.get(BoardService).matter_card(town.admin, ref.id).colour == Colour.ORANGE
    town.export()
    assert city.import_(write_out(town, tmp_path / "up"))[0].outcome == "applied"
    city.sync
    city.svc.cases.act(city.admin, ref.id, EventKind.REVIEW_REQUESTED, {"reason": "不服"})
    city.svc.cases.act(city.admin, ref.id, EventKind.REVIEW_DECIDED,
                       {"disposition": "change", "outcome": "支持", "text": "经复查，应予支持"})
    city.export()
    down = [row for row in city.sync.pending_copies() if row.recipient == town.code]
    [r] = town.import_(write_out(city, tmp_path / "down", down))
    assert r.outcome == "applied", r.message
    town.sync
    assert _cached(town, ref.id) == ("review:supported", "镇劳动保障所")
    card = town.svc.get(BoardService).matter_card(town.admin, ref.id)
    assert card.colour == Colour.GREEN and not [t for t in card.reason_texts() if "争议" in t]
