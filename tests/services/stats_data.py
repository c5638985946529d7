"""A small constructed data set whose every figure was counted by hand (see the table in
`build_october`). The clock of the tests stands at 2026-11-02 09:30."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import make_registration

T102, T103, T104 = "350881102000", "350881103000", "350881104000"


def _person(name, township, id_number=None):
    from xinfang_desktop.domain.petition import PetitionerInput

    return PetitionerInput(name=name, id_number=id_number, township_code=township)


def build_october(services, clerk, handler) -> dict[str, str]:
    """Seven matters received in October 2026, one in September, one in October 2025.

    | case | channel | category | township | people | notes |
    |---|---|---|---|---|---|
    | A | 走访 | 0401 | 永福 | 1 | routed 10-09, replied 10-20 (on time), rated 满意, closed |
    | B | 来信 | 0301 | 溪南 | 6 (group) | routed 10-30: later than the 15-day limit (10-26) |
    | C | 来电 | 0401 | 永福 | 1 | repeat of A; refused 10-13, closed |
    | D | 网上 | 0701 | 和平 | 1 | assigned 10-16 with limit 10-25, extended 5 days to 10-30, no reply: overdue |
    | G | 走访 | 03 | — | 3 | not routed yet (limit 11-04 not passed) |
    | H | 走访 | 0401 | 永福 | 1 | assigned 10-05 with limit 10-10, replied 10-15: late |
    | I | 来信 | 0402 | 永福 | 1 | received, routed, replied, closed on 10-01; review requested 10-20 |
    """
    cases = services.cases
    dt = datetime
    clock = services.clock
    now = clock.at

    # Each matter is entered when it happens, as an office does: none is a back-dated entry (补录).
    def reg(key, **kw):
        clock.at = kw["received_at"] + timedelta(minutes=5)
        return key, cases.register(clerk, make_registration(**kw)).number

    def act(actor, number, kind, data, *, at):
        clock.at = at
        cases.act(actor, number, kind, data, at=at)

    refs = dict([
        reg("A", channel="走访", category_code="0401", received_at=dt(2026, 10, 8, 9, 0),
            petitioners=[_person("欧阳娜娜", T102, "11010519491231002X")]),
        reg("B", channel="来信", category_code="0301", received_at=dt(2026, 10, 10, 9, 0), people_count=6,
            petitioners=[_person("张伟", T103)]),
        reg("G", channel="走访", category_code="03", received_at=dt(2026, 10, 20, 9, 0), people_count=3,
            petitioners=[_person("李强", None)]),
        reg("H", channel="来访", category_code="0401", received_at=dt(2026, 10, 3, 9, 0),
            petitioners=[_person("赵敏", T102)]),
        reg("I", channel="书信", category_code="0402", received_at=dt(2026, 10, 1, 8, 0),
            petitioners=[_person("孙丽", T102)]),
        reg("E", channel="走访", category_code="0401", received_at=dt(2026, 9, 30, 9, 0),
            petitioners=[_person("周杰", T102)]),
        reg("F", channel="走访", category_code="0401", received_at=dt(2025, 10, 5, 9, 0),
            petitioners=[_person("吴军", T102)]),
    ])
    refs.update(dict([
        reg("C", channel="电话", category_code="0401", received_at=dt(2026, 10, 12, 9, 0), repeat_of=refs["A"],
            petitioners=[_person("欧阳娜娜", T102, "11010519491231002X")]),
        reg("D", channel="网信", category_code="0701", received_at=dt(2026, 10, 15, 9, 0),
            petitioners=[_person("郑洋", T104)]),
    ]))
    reply = {"basis": "《保障农民工工资支付条例》第三条", "outcome": "supported", "text": "经核实，支持信访人的请求"}
    act(handler, refs["A"], "routed", {"route": "direct", "unit": "镇信访办", "notified": True}, at=dt(2026, 10, 9, 10, 0))
    act(handler, refs["A"], "replied", reply, at=dt(2026, 10, 20, 10, 0))
    act(handler, refs["A"], "followed_up", {"method": "phone", "rating": "satisfied"}, at=dt(2026, 10, 22, 10, 0))
    act(handler, refs["A"], "closed", {}, at=dt(2026, 10, 23, 10, 0))
    act(handler, refs["B"], "routed", {"route": "transfer", "unit": "市住建局", "notified": True}, at=dt(2026, 10, 30, 10, 0))
    act(handler, refs["C"], "refused", {"ground": "being_handled", "details": "该事项已由漳平市人民法院受理"},
        at=dt(2026, 10, 13, 10, 0))
    act(handler, refs["C"], "closed", {}, at=dt(2026, 10, 14, 10, 0))
    act(handler, refs["D"], "routed", {"route": "assign", "unit": "市民政局", "deadline": "2026-10-25", "notified": True},
        at=dt(2026, 10, 16, 10, 0))
    act(handler, refs["D"], "extended", {"days": 5, "reason": "需要调查", "approver": "镇长"}, at=dt(2026, 10, 20, 10, 0))
    act(handler, refs["H"], "routed", {"route": "assign", "unit": "镇社会事务办", "deadline": "2026-10-10", "notified": True},
        at=dt(2026, 10, 5, 10, 0))
    act(handler, refs["H"], "replied", reply, at=dt(2026, 10, 15, 10, 0))
    act(handler, refs["I"], "routed", {"route": "direct", "notified": True}, at=dt(2026, 10, 1, 9, 0))
    act(handler, refs["I"], "replied", reply, at=dt(2026, 10, 1, 10, 0))
    act(handler, refs["I"], "closed", {}, at=dt(2026, 10, 1, 11, 0))
    act(handler, refs["I"], "review_requested", {"reason": "不服"}, at=dt(2026, 10, 20, 10, 0))
    clock.at = now
    return refs
