"""台账 import under the person rule of registration (issue 13): a row whose ID number is registered
(or given by an earlier row of the file) with another name never renames that person; it is reported
with both names and held back, or imported as a person of its own without the ID number; a row that
differs only in phone or address is imported for the registered person, whose details are kept."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from tests.conftest import make_registration
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.services.ledger import LedgerService, read_table
from xinfang_desktop.store.models import Case, CaseParty, Person

ID = "11010519491231002X"
OTHER = "350881198001011237"
HEADERS = ["姓名", "身份证号码", "联系电话", "住址", "信访日期", "信访方式", "反映问题", "问题类别"]
ROWS = [
    ["孙七", ID, "13900001111", None, "2024-03-05", "来访", "检举村干部侵占补偿款", "检举控告"],        # 2: ≠ 赵六
    ["赵六", ID, "13900002222", "永福镇溪南路1号", "2024-04-01", "来访", "反映道路损坏", "交通运输"],   # 3: other phone
    ["黄阿妹", OTHER, None, None, "2024-05-06", "来信", "反映低保评定不公", "社会救助"],               # 4: new
    ["黄阿妹", OTHER, "13700000002", None, "2024-06-01", "来信", "要求重新评定低保", "社会救助"],      # 5: fills
    ["黄小妹", OTHER, None, None, "2024-07-01", "来信", "反映低保", "社会救助"],                      # 6: ≠ row 4
]


@pytest.fixture
def ledger_file(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in ROWS:
        ws.append(r)
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    return path


@pytest.fixture
def zhao(services, admin):
    services.cases.register(admin, make_registration(category_code="1501", request="检举村干部侵占集体土地补偿款",
                                                     petitioners=[PetitionerInput(name="赵六", id_number=ID,
                                                                                  phone="13812345678")]))
    return Person.get(Person.name == "赵六")


def test_a_row_with_a_registered_id_and_another_name_is_held_back_with_both_names_30_3(services, admin, zhao,
                                                                                       ledger_file, tmp_path):
    """第三十条第三款: an old ledger's row cannot put another name on the accuser's record."""
    ledger = services.get(LedgerService)
    table = read_table(ledger_file)
    plan = ledger.dry_run(admin, table)
    status = {r.row_number: (r.status, r.person) for r in plan.rows}
    assert status == {2: ("conflict", None), 3: ("ok", "kept"), 4: ("ok", None), 5: ("ok", None),
                      6: ("conflict", None)}
    by_row = {r.row_number: r for r in plan.rows}
    assert "已登记为“赵六”" in by_row[2].summary and "孙七" in by_row[2].summary
    assert "第4行为“黄阿妹”" in by_row[6].summary and "黄小妹" in by_row[6].summary
    assert "138****5678" in by_row[3].note and "139****2222" in by_row[3].note
    result = ledger.run_import(admin, table, rejects_path=tmp_path / "未导入.xlsx")
    assert (result.imported, result.conflicts, result.separated, result.kept) == (3, 2, 0, 1)
    again = Person.get_by_id(zhao.id)
    assert (again.name, again.phone, again.address, again.version) == ("赵六", "13812345678", None, 1)
    huang = Person.get(Person.id_number == OTHER)
    assert (huang.name, huang.phone, huang.version) == ("黄阿妹", "13700000002", 2)
    from xinfang_desktop.store.models_person import PersonRevision

    [fill] = PersonRevision.select()
    assert (fill.person_id, fill.kind, fill.source, fill.before, fill.after) == (
        huang.id, "fill", "ledger", {"phone": None}, {"phone": "13700000002"})
    assert Person.select().count() == 2 and Case.select().count() == 4
    from openpyxl import load_workbook

    rejected = [[c.value for c in row] for row in load_workbook(result.rejects_file).active.iter_rows(min_row=2)]
    assert [r[0] for r in rejected] == [2, 6] and "赵六" in rejected[0][1]


def test_the_separate_policy_imports_such_rows_as_persons_of_their_own(services, admin, zhao, ledger_file):
    ledger = services.get(LedgerService)
    table = read_table(ledger_file)
    result = ledger.run_import(admin, table, person_conflicts="separate")
    assert (result.imported, result.conflicts, result.separated, result.kept) == (5, 0, 2, 1)
    assert Person.get_by_id(zhao.id).name == "赵六"
    sun, xiao = Person.get(Person.name == "孙七"), Person.get(Person.name == "黄小妹")
    assert sun.id_number is None and xiao.id_number is None
    assert [p.name for p, _ in services.cases.find_earlier(id_number=ID)] == ["赵六"]
    number = Case.select().join(CaseParty).where(CaseParty.person == sun).get().number
    [note] = services.queries.detail(admin, number).parties[0].history
    assert note.kind == "separate" and "赵六" in note.text and note.source == "ledger"


def test_bulk_import_writes_what_registering_each_row_with_the_same_choices_wrote(tmp_path, clock, ledger_file):
    """The bulk writer and registration apply one person rule (history entries included)."""
    from tests.services.test_ledger_bulk import dump, open_office

    table = read_table(ledger_file)
    dumps = []
    for name in ("one-by-one", "bulk"):
        svc, admin = open_office(tmp_path / name, clock)     # 欧阳娜娜 registered with ID before
        try:
            ledger = svc.get(LedgerService)
            if name == "bulk":
                ledger.run_import(admin, table, person_conflicts="separate")
            else:
                for row in ledger.dry_run(admin, table, person_conflicts="separate").valid:
                    svc.cases.register(admin, row.registration, from_ledger=True)
        finally:
            svc.close()
        dumps.append(dump(tmp_path / name / "xinfang.sqlite3"))
    for part in ("case", "person", "case_party", "counts"):
        assert dumps[0][part] == dumps[1][part], part
    # 孙七 and 赵六 (欧阳娜娜's ID), 黄小妹 (黄阿妹's) apart; 黄阿妹's phone filled
    assert dumps[1]["counts"]["person_revision"] == 4
