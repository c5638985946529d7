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
    | G | 走访 | 03 | — | 3 | not routed yet (limit 11-04 not passed); address unclear: no notice owed |
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
            notice_exempt=True, petitioners=[_person("李强", None)]),
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


def build_windows(services, clerk, handler) -> dict[str, str]:
    """Eleven matters received in October 2026, chosen around the end of each window on the
    statistics date 2026-11-02 (the clock of the tests). Every figure counted by hand:

    | case | registered | what happened | 15-day limit | 及时受理率 | 按期办结率 | 参评率 |
    |---|---|---|---|---|---|---|
    | K1 | 10-15 | nothing | 10-30 | 超期未告知 | — | — |
    | K2 | 10-16 | nothing | 11-02 (10-31 is a Saturday) | not counted: its last day is today | — | — |
    | K3 | 10-11 | direct 10-26 | 10-26 | 按期告知 (on the last day) | in limit, not counted | — |
    | K4 | 10-12 | direct 10-28 | 10-27 | 超期告知 | in limit, not counted | — |
    | K5 | 10-13 | refused 10-14 | 10-28 | 按期告知; not 受理 | — | — |
    | K6 | 10-09 | assigned 10-10 to 10-20, replied 10-20, rated 基本满意 | 10-26 | 按期告知 | 按期办结 (last day) | 参评 |
    | K7 | 10-09 | assigned 10-10 to 10-20, replied 10-21, rated 不满意 | 10-26 | 按期告知 | 超期办结 | 参评 |
    | K8 | 10-09 | assigned 10-10 to 11-01, no reply | 10-26 | 按期告知 | 超期未办结 | — |
    | K9 | 10-09 | assigned 10-10 to 11-02, no reply | 10-26 | 按期告知 | in limit (its last day is today) | — |
    | K10 | 10-02 | direct and replied 10-02, not rated | 10-19 | 按期告知 | 按期办结 | 逾期未评 (31 days) |
    | K11 | 10-03 | direct and replied 10-03, not rated | 10-19 | 按期告知 | 按期办结 | not counted (30 days) |

    登记 11, 受理 10; 及时受理率 8 ÷ (8 + 1 + 1) = 80.0%, K2 left out; 按期办结率 3 ÷ (3 + 1 + 1) = 60.0%,
    K3 K4 K9 left out; 参评率 2 ÷ (2 + 1) = 66.7%, K11 left out; 满意率 1 ÷ 2 = 50.0%; 超期未办 2 (K1, K8).
    """
    from xinfang_desktop.domain.petition import PetitionerInput

    dt = datetime
    cases, clock = services.cases, services.clock
    now = clock.at

    def act(actor, number, kind, data, *, at):     # entered when it happens: nothing is 补录
        clock.at = at
        cases.act(actor, number, kind, data, at=at)

    refs: dict[str, str] = {}
    for (key, day), name in zip((("K1", 15), ("K2", 16), ("K3", 11), ("K4", 12), ("K5", 13), ("K6", 9), ("K7", 9),
                                 ("K8", 9), ("K9", 9), ("K10", 2), ("K11", 3)),
                                ("赵甲", "钱乙", "孙丙", "李丁", "周戊", "吴己", "郑庚", "王辛", "冯壬", "陈癸", "褚子")):
        clock.at = dt(2026, 10, day, 9, 5)
        refs[key] = cases.register(clerk, make_registration(
            received_at=dt(2026, 10, day, 9, 0), petitioners=[PetitionerInput(name=name, township_code=T102)])).number
    reply = {"basis": "《保障农民工工资支付条例》第三条", "outcome": "supported", "text": "经核实，支持信访人的请求"}
    direct = {"route": "direct", "unit": "镇信访办", "notified": True}
    act(handler, refs["K3"], "routed", direct, at=dt(2026, 10, 26, 16, 0))
    act(handler, refs["K4"], "routed", direct, at=dt(2026, 10, 28, 10, 0))
    act(handler, refs["K5"], "refused", {"ground": "being_handled", "details": "该事项已由上级机关受理"},
        at=dt(2026, 10, 14, 10, 0))
    for key, limit in (("K6", "2026-10-20"), ("K7", "2026-10-20"), ("K8", "2026-11-01"), ("K9", "2026-11-02")):
        act(handler, refs[key], "routed", {"route": "assign", "unit": "镇社会事务办", "deadline": limit,
                                           "notified": True}, at=dt(2026, 10, 10, 10, 0))
    act(handler, refs["K6"], "replied", reply, at=dt(2026, 10, 20, 16, 0))
    act(handler, refs["K7"], "replied", reply, at=dt(2026, 10, 21, 10, 0))
    act(handler, refs["K6"], "followed_up", {"method": "phone", "rating": "basically"}, at=dt(2026, 10, 22, 10, 0))
    act(handler, refs["K7"], "followed_up", {"method": "phone", "rating": "dissatisfied"}, at=dt(2026, 10, 23, 10, 0))
    for key, day in (("K10", 2), ("K11", 3)):
        act(handler, refs[key], "routed", direct, at=dt(2026, 10, day, 10, 0))
        act(handler, refs[key], "replied", reply, at=dt(2026, 10, day, 11, 0))
    clock.at = now
    return refs
