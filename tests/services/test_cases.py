from datetime import datetime, timedelta

import pytest

from tests.conftest import make_registration
from xinfang_desktop.domain.errors import InvalidInput, NotAllowed, PermissionDenied
from xinfang_desktop.domain.petition import FieldErrors, PetitionerInput
from xinfang_desktop.domain.workflow import EventKind
from xinfang_desktop.services.queries import CaseFilter
from xinfang_desktop.store.models import AuditEntry, Case, CaseEvent, Person


def counts():
    return Case.select().count(), Person.select().count(), CaseEvent.select().count(), AuditEntry.select().count()


def test_register_gives_number_query_code_and_route_deadline(services, clerk):
    ref = services.cases.register(clerk, make_registration())
    assert ref.number == "350881102-2026-00001"
    assert len(ref.query_code) == 8
    detail = services.queries.detail(clerk, ref.number)
    assert detail.row.status_label == "待处理"
    assert detail.row.next_due.isoformat() == "2026-11-17"
    assert detail.parties[0].id_number == "110105********002X"   # masked on screen
    assert detail.parties[0].sex == "女"
    assert [t.kind for t in detail.timeline] == ["registered"]
    assert AuditEntry.select().where(AuditEntry.action == "case.register").count() == 1


def test_numbers_are_never_reused(services, clerk):
    a = services.cases.register(clerk, make_registration())
    b = services.cases.register(clerk, make_registration())
    assert (a.number, b.number) == ("350881102-2026-00001", "350881102-2026-00002")


def test_same_id_number_links_to_the_same_person(services, clerk):
    services.cases.register(clerk, make_registration())
    # Another phone for the same person is corrected by the clerk's choice, never silently
    # (tests/services/test_person_identity.py has the rule itself).
    services.cases.register(clerk, make_registration(petitioners=[
        PetitionerInput(name="欧阳娜娜", id_number="11010519491231002x", phone="13900001111", on_conflict="correct")]))
    assert Person.select().count() == 1
    assert Person.get().phone == "13900001111"
    found = services.cases.find_earlier(id_number="11010519491231002X")
    assert len(found) == 1 and len(found[0][1]) == 2


def test_repeat_links_the_earlier_case(services, clerk):
    first = services.cases.register(clerk, make_registration())
    second = services.cases.register(clerk, make_registration(repeat_of=first.number))
    assert services.queries.detail(clerk, second.number).repeat_of_number == first.number


@pytest.mark.parametrize("overrides,field", [
    ({"petitioners": [PetitionerInput(name="张三", id_number="110105194912310021")]}, "petitioners[0].id_number"),
    ({"petitioners": [PetitionerInput(name="张三", phone="12345")]}, "petitioners[0].phone"),
    ({"petitioners": [PetitionerInput(name="")]}, "petitioners[0].name"),
    ({"request": "   "}, "request"),
    ({"request": "诉求\x07"}, "request"),
    ({"facts": "事" * 100_000}, "facts"),
    ({"received_at": datetime(2026, 12, 25, 9)}, "received_at"),
    ({"category_code": "9999"}, "category_code"),
    ({"channel": "飞鸽"}, "channel"),
    ({"people_count": 3, "petitioners": [PetitionerInput(name=f"甲{i}", is_representative=True) for i in "一二"]},
     "representatives"),
    ({"people_count": 10, "petitioners": [PetitionerInput(name=f"代表{c}", is_representative=True)
                                         for c in "甲乙丙丁戊己"]}, "representatives"),
])
def test_bad_input_is_refused_and_nothing_written(services, clerk, overrides, field):
    before = counts()
    with pytest.raises(FieldErrors) as err:
        services.cases.register(clerk, make_registration(**overrides))
    assert field in err.value.errors
    assert err.value.errors[field]          # a Chinese reason for that field
    assert counts() == before


def test_group_visit(services, clerk):
    people = [PetitionerInput(name=n, is_representative=i < 2) for i, n in enumerate("赵一 钱二 孙三 李四 周五 吴六".split())]
    ref = services.cases.register(clerk, make_registration(petitioners=people, people_count=6))
    d = services.queries.detail(clerk, ref.number)
    assert d.row.is_group and d.row.parties == "赵一等6人"
    assert [p.is_representative for p in d.parties] == [True, True, False, False, False, False]


def test_workflow_actions_through_the_service(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration())
    clock.advance(days=2)
    services.cases.act(clerk, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
    services.cases.act(clerk, ref.number, EventKind.NOTIFIED, {})
    clock.advance(days=20)
    state = services.cases.act(handler, ref.number, EventKind.EXTENDED,
                               {"days": 30, "reason": "需现场核查", "approver": "镇长"})
    assert state.extended
    with pytest.raises(NotAllowed, match="不能再次延期"):
        services.cases.act(handler, ref.number, EventKind.EXTENDED, {"days": 5, "reason": "再延", "approver": "镇长"})
    clock.advance(days=10)
    services.cases.act(handler, ref.number, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "支持", "text": "责成企业支付工资"})
    with pytest.raises(PermissionDenied, match="没有“办结”的权限"):
        services.cases.act(clerk, ref.number, EventKind.CLOSED, {})
    services.cases.act(handler, ref.number, EventKind.CLOSED, {"summary": "已支付"})
    d = services.queries.detail(clerk, ref.number)
    assert d.row.status_label == "已办结"
    assert [t.kind for t in d.timeline] == ["registered", "routed", "notified", "extended", "replied", "closed"]
    assert AuditEntry.select().where(AuditEntry.action.startswith("case.")).count() == 6


def test_refused_action_writes_nothing(services, clerk, handler):
    ref = services.cases.register(clerk, make_registration())
    before = counts()
    with pytest.raises(NotAllowed):
        services.cases.act(handler, ref.number, EventKind.REPLIED, {"basis": "《保障农民工工资支付条例》第三条", "outcome": "支持", "text": "x"})
    with pytest.raises(InvalidInput):
        services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "assign", "unit": "市人社局"})
    assert counts() == before


def test_overdue_and_due_within_filters(services, clerk, clock):
    a = services.cases.register(clerk, make_registration())
    clock.advance(days=20)
    services.cases.register(clerk, make_registration(received_at=clock.now() - timedelta(hours=1)))
    overdue = services.queries.page(CaseFilter(overdue=True))
    assert [r.number for r in overdue] == [a.number]
    assert overdue[0].urgency == "red"
    soon = services.queries.page(CaseFilter(due_within=15))
    assert len(soon) == 1 and soon[0].urgency == "green"


def test_search_by_name_pinyin_id_phone_number_and_code(services, clerk):
    ref = services.cases.register(clerk, make_registration())
    services.cases.register(clerk, make_registration(petitioners=[PetitionerInput(name="张伟", phone="13700000000")],
                                                     request="反映道路施工影响出行"))
    for q in ("欧阳娜娜", "娜娜", "欧阳", "oynn", "ouyang", "11010519491231002X", "13812345678",
              ref.number, ref.query_code.lower(), "拖欠"):
        hits = services.queries.search(q)
        assert [h.number for h in hits] == [ref.number], q
    assert services.queries.search("zw")[0].parties == "张伟"
    assert services.queries.search("王五") == []


def test_reveal_is_audited(services, clerk):
    ref = services.cases.register(clerk, make_registration())
    person = services.queries.detail(clerk, ref.number).parties[0].person_id
    assert services.queries.reveal(clerk, person, "id_number") == "11010519491231002X"
    entry = AuditEntry.get(AuditEntry.action == "personal.reveal.id_number")
    assert entry.actor == "clerk1" and entry.target == person


def test_login_locks_after_five_failures(services, admin, clock):
    from xinfang_desktop.services.auth import LoginFailed

    for _ in range(4):
        with pytest.raises(LoginFailed, match="用户名或密码错误"):
            services.auth.login("admin", "wrong")
    with pytest.raises(LoginFailed, match="锁定15分钟"):
        services.auth.login("admin", "wrong")
    with pytest.raises(LoginFailed, match="已锁定"):
        services.auth.login("admin", "admin-pass-1")
    clock.advance(minutes=16)
    assert services.auth.login("admin", "admin-pass-1").name == "admin"


def _messages(services, name: str) -> list[str]:
    from xinfang_desktop.services.auth import LoginFailed

    out = []
    for _ in range(6):
        with pytest.raises(LoginFailed) as info:
            services.auth.login(name, "wrong-password")
        out.append(info.value.message)
    return out


def test_login_messages_do_not_tell_which_names_exist(services, admin, clock):
    """The same words for an unknown name and a wrong password, at every try; the tries left appear
    only when the name is close to locking (at 2 left), for either."""
    known, unknown = _messages(services, "admin"), _messages(services, "nobody")
    assert known == unknown
    assert known[:2] == ["用户名或密码错误"] * 2
    assert "再错2次" in known[2] and "再错1次" in known[3]
    assert "锁定15分钟" in known[4] and "已锁定" in known[5]


def test_calendar_load_recomputes_open_deadlines(services, admin, clerk, clock):
    clock.at = datetime(2026, 12, 20, 10)
    ref = services.cases.register(clerk, make_registration(received_at=datetime(2026, 12, 20, 9)))
    d = services.queries.detail(clerk, ref.number)
    assert d.row.provisional and d.row.next_due.isoformat() == "2027-01-04"
    # An official 2027 schedule that makes 4 January a holiday too.
    text = "2027-01-01 休 元旦\n2027-01-04 休\n2027-02-06 班\n"
    year, changed = services.calendar.load_year(admin, text, services.cases.recompute_open)
    assert (year, changed) == (2027, 1)
    d = services.queries.detail(clerk, ref.number)
    assert not d.row.provisional and d.row.next_due.isoformat() == "2027-01-05"


def test_check_finds_and_repairs_a_stale_cache(services, clerk):
    from xinfang_desktop.services.check import run_check

    ref = services.cases.register(clerk, make_registration())
    Case.update(status="closed").where(Case.number == ref.number).execute()
    report = run_check(services.db, services.calendar.calendar)
    assert report.mismatched == [ref.number] and not report.ok
    run_check(services.db, services.calendar.calendar, repair=True)
    assert run_check(services.db, services.calendar.calendar).ok


def test_quick_successive_actions_keep_their_order(services, clerk, handler):
    ref = services.cases.register(clerk, make_registration())
    # Three actions in the same clock second: none is refused, the timeline keeps their order.
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct"})
    services.cases.act(handler, ref.number, EventKind.NOTIFIED, {})
    services.cases.act(handler, ref.number, EventKind.EXTENDED, {"days": 10, "reason": "需核查", "approver": "镇长"})
    kinds = [t.kind for t in services.queries.detail(clerk, ref.number).timeline]
    assert kinds == ["registered", "routed", "notified", "extended"]


def test_an_explicit_date_before_the_last_action_is_refused(services, clerk, handler, clock):
    ref = services.cases.register(clerk, make_registration())
    clock.advance(days=3)
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct"})
    with pytest.raises(InvalidInput, match="早于该事项最后一次办理记录"):
        services.cases.act(handler, ref.number, EventKind.NOTIFIED, {}, at=clock.now() - timedelta(days=1))
