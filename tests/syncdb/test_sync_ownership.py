"""The ownership rule (store/ownership.py) at the city's importer: a township writes only its own matters,
and a matter handed to it by 交办, within what the assignment allows. Real bundles, real crypto.

For every table whose rows hang on another row, a correctly signed bundle of 永福镇 carrying one of its
own rows re-pointed at 双洋镇's row is refused whole, naming the table, the row and the owning unit, and
nothing of it is applied."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from xinfang_desktop.services.mediation import MediationService, Mediator, SessionInput
from xinfang_desktop.services.queries import CaseFilter

from .conftest import CITY, TOWNS, data_dump, forge, write_out
from .test_sync_entries import _person_of, _records, fill_township

YONGFU, SHUANGYANG = TOWNS[0], TOWNS[2]


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def two_towns_at_city(offices, tmp_path):
    """Both townships hold every kind of record; 双洋镇's are at the city already."""
    a, b, city = offices[YONGFU], offices[SHUANGYANG], offices[CITY]
    made_a = fill_township(a, tmp_path / "a")
    made_b = fill_township(b, tmp_path / "b")
    b.export()
    [r] = city.import_(write_out(b, tmp_path / "stick-b"))
    assert r.outcome == "applied", r.message
    return a, b, city, made_a, made_b


def _one(office, tag: str, **where) -> dict:
    return next(r for r in _records(office, tag) if all(r[k] == v for k, v in where.items()))


# (table, column re-pointed, the 双洋镇 parent it is re-pointed at)
def _targets(b, made_b) -> dict[str, tuple[str, str]]:
    case_b = made_b["case1"].id
    return {
        "case_party": ("case_id", case_b),
        "case_event": ("case_id", case_b),
        "attachment": ("case_id", case_b),
        "leader_assignment": ("case_id", case_b),
        "colour_override": ("case_id", case_b),
        "hardship_flag": ("person_id", made_b["person"]),
        "hardship_referral": ("flag_id", _records(b, "hardship_flag")[0]["id"]),
        "reception": ("case_ids", [case_b]),
        "mediation_session": ("case_id", case_b),
    }


@pytest.mark.parametrize("table", ["case_party", "case_event", "attachment", "leader_assignment", "colour_override",
                                   "hardship_flag", "hardship_referral", "reception", "mediation_session"])
def test_a_township_row_hung_on_another_townships_row_refuses_the_bundle(two_towns_at_city, tmp_path, unit_keys,
                                                                         table):
    a, b, city, _made_a, made_b = two_towns_at_city
    column, target = _targets(b, made_b)[table]
    own = _records(a, "person", "case", "case_party", "case_event")
    row = dict(_records(a, table)[0], id=new_id())
    row[column] = target
    path = tmp_path / f"{table}.xfb"
    path.write_bytes(forge(unit_keys, YONGFU, CITY, seq=1, prev="genesis", records=own + [row]))
    before = data_dump(city)
    [r] = city.import_([path])
    assert r.outcome == "rejected", r.message
    assert f"（{table}）" in r.message and row["id"] in r.message and SHUANGYANG in r.message
    assert "双洋镇" in r.message and "整个包已拒绝" in r.message
    assert data_dump(city) == before            # not even 永福镇's own cases went in


def test_the_reviewers_forgery_does_not_close_another_townships_case(two_towns_at_city, tmp_path, unit_keys):
    """永福镇's own events re-pointed at a 双洋镇 case would have turned it 已办结 at the city."""
    a, b, city, made_a, made_b = two_towns_at_city
    case_a = made_a["case1"].id
    a.sync                                   # bind 永福镇's database
    for kind, data in (("routed", {"route": "direct", "unit": "永福镇"}),
                       ("replied", {"outcome": "supported", "text": "支持", "basis": "依据", "delivered_on": "2026-11-02"}),
                       ("closed", {})):
        a.svc.cases.act(a.admin, case_a, kind, data)
    events = [dict(e, case_id=made_b["case1"].id) for e in _records(a, "case_event")
              if e["case_id"] == case_a and e["kind"] != "registered"]
    path = tmp_path / "forged.xfb"
    path.write_bytes(forge(unit_keys, YONGFU, CITY, seq=1, prev="genesis", records=events))
    [r] = city.import_([path])
    assert r.outcome == "rejected" and "case_event" in r.message
    city.sync
    assert city.svc.queries.detail(city.admin, made_b["case1"].id).row.status == "registered"


def test_corrections_may_only_name_the_writers_own_entries(two_towns_at_city, tmp_path, unit_keys):
    a, b, city, made_a, _made_b = two_towns_at_city
    own = _records(a, "person", "case", "case_party", "case_event")
    session_b = _records(b, "mediation_session")[0]["id"]
    fix = dict(_records(a, "mediation_session")[0], id=new_id(), corrects=session_b)
    path = tmp_path / "corrects.xfb"
    path.write_bytes(forge(unit_keys, YONGFU, CITY, seq=1, prev="genesis", records=own + [fix]))
    [r] = city.import_([path])
    assert r.outcome == "rejected" and "mediation_session" in r.message and SHUANGYANG in r.message

    event_b = _one(b, "case_event", kind="registered")["id"]
    note = dict(_one(a, "case_event", case_id=made_a["case1"].id, kind="registered"), id=new_id(), kind="note",
                data={"text": "更正"}, corrects=event_b)
    path = tmp_path / "corrects-event.xfb"
    path.write_bytes(forge(unit_keys, YONGFU, CITY, seq=1, prev="genesis", records=own + [note]))
    [r] = city.import_([path])
    assert r.outcome == "rejected" and "case_event" in r.message and SHUANGYANG in r.message


def test_a_township_sends_no_instruction(two_towns_at_city, tmp_path, unit_keys):
    a, _b, city, _made_a, made_b = two_towns_at_city
    bogus = {"t": "instruction", "id": new_id(), "unit_code": YONGFU, "version": 1,
             "updated_at": "2026-11-02 09:30:00", "to_unit": SHUANGYANG, "kind": "supervise",
             "case_id": made_b["case1"].id, "case_number": made_b["case1"].number, "text": "乡镇督办乡镇",
             "deadline": None, "created_by": "admin", "created_at": "2026-11-02 09:30:00"}
    path = tmp_path / "instr.xfb"
    path.write_bytes(forge(unit_keys, YONGFU, CITY, seq=1, prev="genesis", records=[bogus]))
    before = data_dump(city)
    [r] = city.import_([path])
    assert r.outcome == "rejected" and "instruction" in r.message and "只能由市局" in r.message
    assert data_dump(city) == before


# --------------------------------------------------------------------------- what 交办 allows


def _assigned_down(city, town, tmp_path):
    """A matter the city registered and handed to ``town`` by 交办, delivered to the township."""
    ref = city.register(name="欧阳娜娜", request="反映村道塌方无人修复")
    city.sync.assign(city.admin, ref.id, town.code, date(2026, 11, 20), "请于期限内核实处理并报结")
    city.export()
    rows = [r for r in city.sync.pending_copies() if r.recipient == town.code]
    [r] = town.import_(write_out(city, tmp_path / "down", rows))
    assert r.outcome == "applied", r.message
    return ref


def test_the_assignee_handles_the_assigned_matter_and_the_city_sees_it(offices, tmp_path):
    city, town = offices[CITY], offices[YONGFU]
    ref = _assigned_down(city, town, tmp_path)
    town.sync
    town.svc.cases.act(town.admin, ref.id, "routed", {"route": "direct", "unit": "永福镇"})
    town.svc.get(MediationService).add(town.admin, SessionInput(
        case_ref=ref.id, held_on="2026-11-02", place="镇调解室", kind="people",
        mediators=[Mediator("李调解", "人民调解员")], parties=["欧阳娜娜"], discussion="双方陈述", outcome="none"))
    town.export()
    [r] = city.import_(write_out(town, tmp_path / "up"))
    assert r.outcome == "applied" and r.quarantined_records == 0, r.message
    city.sync
    assert city.svc.queries.page(CaseFilter(statuses=("handling",)))[0].number == ref.number
    assert len(city.svc.get(MediationService).of_case(ref.id)) == 1


@pytest.mark.parametrize("what", ["refused", "registered", "case_party"])
def test_the_assignee_may_not_refuse_reregister_or_add_parties(offices, tmp_path, unit_keys, what):
    city, town = offices[CITY], offices[YONGFU]
    ref = _assigned_down(city, town, tmp_path)
    if what == "case_party":
        row = dict(_records(city, "case_party")[0], id=new_id(), unit_code=YONGFU)
    else:
        row = dict(_one(city, "case_event", case_id=ref.id, kind="registered"), id=new_id(), unit_code=YONGFU,
                   kind=what, data={"kind": "not_accepted", "ground": "不属于受理范围", "article": "第十九条"}
                   if what == "refused" else {"channel": "visit"})
    path = tmp_path / "bad.xfb"
    path.write_bytes(forge(unit_keys, YONGFU, CITY, seq=1, prev="genesis", records=[row]))
    before = data_dump(city)
    [r] = city.import_([path])
    assert r.outcome == "rejected" and f"（{what if what == 'case_party' else 'case_event'}）" in r.message
    assert CITY in r.message
    assert data_dump(city) == before


# --------------------------------------------------------------------------- the services apply the same rule


@pytest.fixture
def township_case_at_city(offices, tmp_path):
    city, town = offices[CITY], offices[YONGFU]
    ref = town.register(name="张三")
    town.export()
    [r] = city.import_(write_out(town, tmp_path / "up"))
    assert r.outcome == "applied"
    city.sync
    return city, town, ref


def test_the_city_cannot_act_on_a_townships_matter(township_case_at_city):
    from xinfang_desktop.domain.errors import NotAllowed

    city, _town, ref = township_case_at_city
    before = data_dump(city)
    with pytest.raises(NotAllowed) as info:
        city.svc.cases.act(city.admin, ref.number, "routed", {"route": "direct", "unit": "市局"})
    # which unit owns it, and what the city can do instead
    assert "永福镇信访办（350881102000）" in info.value.message and "督办" in info.value.message
    assert "xinfang sync supervise" in info.value.message
    assert data_dump(city) == before
    detail = city.svc.queries.detail(city.admin, ref.number)
    assert detail.allowed == [] and "永福镇" in (detail.not_writable or "")
    # 督办 is what travels, and is accepted
    city.sync.supervise(city.admin, ref.number, "请加快办理")


def test_the_city_cannot_add_attention_records_to_a_townships_matter(township_case_at_city, tmp_path):
    from xinfang_desktop.domain.errors import NotAllowed
    from xinfang_desktop.domain.board import Colour
    from xinfang_desktop.services.attachments import AttachmentService
    from xinfang_desktop.services.attention import HardshipService, OwnershipService
    from xinfang_desktop.services.board import BoardService
    from xinfang_desktop.services.reception import ReceptionService

    from .test_sync_entries import scan

    city, _town, ref = township_case_at_city
    s, a = city.svc, city.admin
    person = _person_of(city, ref.id)
    attempts = {
        "包案": lambda: s.get(OwnershipService).assign(a, ref.id, "admin", "约谈", date(2026, 12, 31)),
        "调解": lambda: s.get(MediationService).add(a, SessionInput(
            case_ref=ref.id, held_on="2026-11-02", place="市局", kind="people",
            mediators=[Mediator("李调解", "人民调解员")], parties=["张三"], discussion="谈", outcome="none")),
        "急难": lambda: s.get(HardshipService).flag(a, person, "medical", "住院", case_ref=ref.id),
        "接访": lambda: s.get(ReceptionService).add(a, leader="王局长", held_on="2026-11-02", place="市局",
                                                  kind="open_door", batches=1, persons=1, cases=[ref.number]),
        "附件": lambda: s.get(AttachmentService).attach(a, ref.id, [scan(tmp_path, "信.png", b"x" * 100)]),
        "看板": lambda: s.get(BoardService).override(a, ref.id, Colour.GREEN, "已经化解，情况平稳"),
    }
    before = data_dump(city)
    for what, attempt in attempts.items():
        with pytest.raises(NotAllowed) as info:
            attempt()
        assert "永福镇信访办" in info.value.message, what
    assert data_dump(city) == before


def test_a_township_cannot_act_on_a_city_matter_not_handed_to_it(offices, tmp_path):
    from xinfang_desktop.domain.errors import NotAllowed

    city, town, other = offices[CITY], offices[YONGFU], offices[TOWNS[1]]
    ref = _assigned_down(city, town, tmp_path)
    # the same bundle, were it to reach another township, gives that one no right to act
    town.sync
    town.svc.cases.act(town.admin, ref.id, "routed", {"route": "direct", "unit": "永福镇"})
    with pytest.raises(NotAllowed) as info:
        town.svc.cases.act(town.admin, ref.id, "refused", {"ground": "being_handled"})
    assert "漳平市信访局" in info.value.message
    assert other  # 新桥镇 holds no such case at all


def test_city_event_add_on_a_township_case_exits_non_zero_and_changes_nothing(township_case_at_city):
    from tests.clirun import xinfang

    city, _town, ref = township_case_at_city
    before = data_dump(city)
    r = xinfang("--data-dir", city.svc.data_dir, "event", "add", ref.number, "route", "--route", "direct",
                "--unit", "市局", env={"XINFANG_PASSWORD": "admin-pass-1"})
    assert r.returncode != 0 and "永福镇信访办" in r.stderr and "Traceback" not in r.stderr
    assert data_dump(city) == before
