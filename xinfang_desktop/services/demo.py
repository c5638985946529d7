"""Realistic demo data: the 16 townships, every category, valid ID numbers, names with rare
characters, group visits, repeats, timelines in every state, some overdue.

Each timeline is simulated through the same workflow rules (`why_not`, `validate_event_data`,
`fold`) the services use; rows are written with executemany in large transactions so that a
million cases can be built for the benchmarks.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable

from ..domain import workflow as wf
from ..domain.categories import CategoryTable
from ..domain.divisions import DivisionTable
from ..domain.idcard import check_character
from ..domain.numbers import QUERY_ALPHABET, format_case_number
from ..domain.matters import Matter, MatterType, default_matter
from ..domain.petition import Channel, is_group
from ..domain.workflow import Event, EventKind, Route
from ..store import search
from ..store.locks import sids_taken
from ..store.db import PRAGMAS
from ..store.models import Case, CaseCounter
from .audit import audit
from .cases import apply_state, parties_label
from .clock import Clock
from .office import OfficeService
from .permissions import Actor, Permission, require

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
            "向汤温邬")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "令狐")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强文辉海燕小红春梅玉兰金凤德明福生"
         "荣华永福水生火旺木林石根土金来发添丁阿妹")
RARE = ("䶮", "堃", "喆", "玥", "昇", "旻", "珺", "彧", "犇", "淼", "垚", "燚", "赟", "祎", "昪", "琤", "暐", "菂")
STREETS = ("中山路", "解放路", "和平路", "人民路", "胜利街", "新华街", "溪南路", "菁城路")
AREAS = ("350881", "350881", "350881", "350881", "350802", "350821", "350822", "350111", "350203", "441302")

REQUESTS = {
    "01": ["要求落实土地承包经营权", "反映村集体土地被他人占用", "要求兑现林地承包款", "反映农资补贴未发放到位"],
    "02": ["反映征地补偿标准过低", "要求确认宅基地使用权", "反映非法占用耕地建房", "要求处理山林权属纠纷"],
    "03": ["反映房屋征收补偿不合理", "反映小区物业管理混乱", "要求处理违章建筑", "反映道路施工影响出行"],
    "04": ["要求追讨拖欠的工资", "反映用人单位未缴纳社保", "要求认定工伤并给予赔偿", "反映养老金计发有误"],
    "05": ["反映医疗纠纷要求赔偿", "反映村卫生室服务不规范", "要求报销医疗费用"],
    "06": ["反映子女入学困难", "反映学校乱收费", "要求落实民办教师待遇"],
    "07": ["申请最低生活保障", "反映低保评定不公", "要求给予临时救助", "反映灾后重建补助未到位"],
    "08": ["反映邻里纠纷长期未解决", "要求执行法院判决", "反映治安问题"],
    "09": ["反映养殖场污染水源", "反映工厂噪声扰民", "反映垃圾焚烧污染空气"],
    "10": ["反映企业改制遗留问题", "要求退还集资款"],
    "11": ["反映农村公路损毁", "要求增开公交线路"],
    "12": ["反映商品质量问题", "反映食品安全问题"],
    "13": ["反映政务服务效率低", "对办事流程提出建议"],
    "14": ["要求落实退役军人待遇", "反映招聘考试不公"],
    "15": ["检举村干部侵占集体资金", "检举工作人员吃拿卡要"],
    "16": ["咨询政策", "其他诉求"],
}
FACTS = ("{place}{name}等人于{year}年起多次向村委会反映，至今未得到答复。",
         "据信访人陈述，相关单位曾答应于{year}年底前解决，但一直未落实。",
         "信访人称其家庭生活困难，此事对其生产生活造成较大影响。")
UNITS = ("市自然资源局", "市人社局", "市住建局", "市卫健局", "市教育局", "市民政局", "市生态环境局", "镇农业农村办",
         "镇综治中心", "镇社会事务办")


@dataclass
class DemoResult:
    cases: int
    persons: int
    events: int
    seconds: float


class _Gen:
    def __init__(self, rng: random.Random, today: date, categories: CategoryTable, divisions: DivisionTable):
        self.rng = rng
        self.today = today
        self.leaves = [c for c in categories.all() if c.parent_code is not None]
        self.townships = divisions.townships()
        self.villages = {t.code: divisions.villages(t.code) or [t] for t in self.townships}

    def name(self) -> str:
        r = self.rng
        surname = r.choice(COMPOUND_SURNAMES) if r.random() < 0.03 else r.choice(SURNAMES)
        given_len = 1 if r.random() < 0.35 else 2
        given = "".join(r.choice(RARE) if r.random() < 0.04 else r.choice(GIVEN) for _ in range(given_len))
        return surname + given

    def id_number(self, birth: date, male: bool) -> str:
        seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
        seq = seq % 1000
        first17 = f"{self.rng.choice(AREAS)}{birth:%Y%m%d}{seq:03d}"
        return first17 + check_character(first17)

    def phone(self) -> str:
        r = self.rng
        if r.random() < 0.1:
            return f"0597-{r.randrange(7000000, 7999999)}"
        return f"1{r.choice('3456789')}{r.randrange(0, 10**9):09d}"

    def query_code(self) -> str:
        return "".join(self.rng.choice(QUERY_ALPHABET) for _ in range(8))

    def received(self, days_back: int) -> datetime:
        d = self.today - timedelta(days=self.rng.randrange(0, days_back))
        t = time(self.rng.randrange(8, 17), self.rng.randrange(0, 60))
        return datetime.combine(d, t)


_validated: dict[tuple, dict] = {}
_json_cache: dict[int, str] = {}      # id of a dict in _validated -> its JSON (they live as long)


BASES = ("《福建省信访条例》及相关政策规定", "《中华人民共和国土地管理法》第四十八条",
         "《保障农民工工资支付条例》第三条", "《社会救助暂行办法》第九条", "《中华人民共和国劳动合同法》第三十条")


def _demo_matter(rng: random.Random, suggested: str | None) -> Matter:
    """The kind a clerk would confirm: mostly the category's suggestion, some matters of another legal
    procedure (诉访分离) whatever the category."""
    if suggested in ("accusation", "suggestion") or (suggested or "").startswith("claim"):
        return default_matter(suggested)
    if rng.random() < 0.07:
        return Matter(MatterType.CLAIM, rng.choice([1, 2, 4, 5]))
    return Matter(MatterType.CLAIM, 6)


def _simulate(rng: random.Random, received: datetime, today: date, cal, channel: str, *,
              matter: Matter, number: Callable[[str, int], str], late_days: int = 3
              ) -> tuple[list[tuple[Event, datetime]], wf.CaseState]:
    """A plausible timeline from registration to wherever this case has got to by today, each event
    with the moment it was entered (a few matters are entered days late: 补录)."""
    entered = received
    if rng.random() < 0.02:
        entered = received + timedelta(days=rng.randint(late_days + 1, 20))
    now_limit = datetime.combine(today, time(17, 30))
    entered = min(entered, now_limit)

    def late(at: datetime) -> bool:
        return (max(at, entered).date() - at.date()).days > late_days

    reg = {"channel": channel, **matter.as_data(), "doc_no": {"receipt": number("receipt", received.year)}}
    exempt = channel == "letter" and rng.random() < 0.03
    if exempt:
        reg["notice_exempt"] = True
    if late(received):
        reg["late"] = True
    events = [(Event(_uuid(rng), EventKind.REGISTERED, received, reg), max(received, entered))]
    folder = wf.Folder(cal)
    folder.add(events[0][0])
    t = received

    def step(days_lo: int, days_hi: int) -> datetime | None:
        nonlocal t
        days = rng.randint(days_lo, days_hi)
        if days:
            nt = datetime.combine(t.date() + timedelta(days=days), time(rng.randint(8, 17), rng.randrange(60)))
        else:
            nt = t + timedelta(minutes=rng.randint(5, 90))
        if nt > now_limit:
            return None
        t = nt
        return nt

    def add(kind: EventKind, data: dict, docs: tuple[str, ...] = ()) -> bool:
        if folder.why_not(kind, t.date(), data) is not None:
            return False
        key = (kind, tuple(sorted(data.items())), matter)
        clean = _validated.get(key)
        if clean is None:   # demo texts repeat: validate each distinct one once
            clean = _validated[key] = wf.validate_event_data(kind, data, folder.state(), t.date(), cal)
            _json_cache[id(clean)] = json.dumps(clean, ensure_ascii=False, sort_keys=True)
        if docs or late(t):
            clean = dict(clean)
            if docs:
                clean["doc_no"] = {d: number(d, t.year) for d in docs}
            if late(t):
                clean["late"] = True
        e = Event(_uuid(rng), kind, t, clean)
        events.append((e, max(t, entered)))
        return folder.add(e)

    def notify() -> None:
        if not exempt and step(0, 4):
            add(EventKind.NOTIFIED, {"method": rng.choice(["书面", "邮寄"])}, ("notice",))

    # Route: usually within the 15 days, sometimes late (overdue cases), sometimes not yet.
    slow = rng.random() < 0.06
    if not (step(16, 25) if slow else step(0, 12)):
        return events, folder.state()
    if matter.type == MatterType.ACCUSATION:
        # Forwarded to 纪检监察 (第二十二条第二款、第三十条); the accuser is told where it went.
        add(EventKind.ROUTED, {"route": "transfer", "unit": "市纪委监委", "notified": not exempt},
            ("transfer", "notice") if not exempt else ("transfer",))
        return events, folder.state()
    if matter.leads_out:
        court = {1: "人民法院", 2: "劳动人事争议仲裁委员会", 3: "党组织", 4: "行政复议机关", 5: "公安机关"}[matter.item or 1]
        add(EventKind.ROUTED, {"route": "other", "unit": court}, ("notice",))
        if step(0, 10):
            add(EventKind.CLOSED, {"summary": "已告知通过法定途径解决"})
        return events, folder.state()
    r = rng.random()
    if r < 0.02:
        add(EventKind.REFUSED, {"ground": "after_recheck", "instead": "可通过法律途径依法维护权益"}, ("refusal",))
        if step(0, 5):
            add(EventKind.CLOSED, {"summary": "已书面告知不再受理"})
        return events, folder.state()
    if r < 0.5:
        add(EventKind.ROUTED, {"route": "direct", "unit": "镇信访办"})
        notify()
    elif r < 0.75:
        add(EventKind.ROUTED, {"route": "transfer", "unit": rng.choice(UNITS), "notified": not exempt},
            ("transfer", "notice") if not exempt else ("transfer",))
        return events, folder.state()
    else:
        deadline = (t.date() + timedelta(days=rng.choice([30, 45, 60]))).isoformat()
        add(EventKind.ROUTED, {"route": "assign", "unit": rng.choice(UNITS), "deadline": deadline}, ("assign",))
        notify()
    # Handling: most replied in time; some extended; some still open or overdue.
    if rng.random() < 0.12 and step(20, 50):
        add(EventKind.EXTENDED, {"days": rng.choice([15, 30]), "reason": "情况复杂，需进一步调查核实",
                                 "approver": "镇长"}, ("extension",))
    if rng.random() < 0.1:
        return events, folder.state()  # still handling (perhaps overdue by now)
    if not step(10, 55):
        return events, folder.state()
    if matter.answers:
        outcome = rng.choices(["adopted", "partly", "not_adopted"], [3, 4, 3])[0]
        add(EventKind.REPLIED, {"outcome": outcome, "text": "经研究论证，答复如下……"}, ("answer",))
    else:
        outcome = rng.choices(["supported", "explained", "rejected"], [5, 4, 2])[0]
        delivered = (t.date() + timedelta(days=rng.randint(0, 5))).isoformat()
        add(EventKind.REPLIED, {"outcome": outcome, "text": "经调查核实，依据有关政策规定作出如下处理意见……",
                                "basis": rng.choice(BASES), "review_body": "漳平市人民政府",
                                "delivered_on": delivered if rng.random() < 0.7 else None}, ("decision",))
    if matter.has_review and rng.random() < 0.08 and step(5, 25):
        # At a township a 复查 is a record of the petitioner's request to the superior (第三十五条).
        if add(EventKind.REVIEW_REQUESTED, {"reason": "对处理意见不服", "body": "漳平市人民政府"}) and step(10, 28):
            disposition = rng.choices(["uphold", "change"], [8, 2])[0]
            add(EventKind.REVIEW_DECIDED, {"disposition": disposition, "text": "复查意见",
                                           "outcome": None if disposition == "uphold" else "supported",
                                           "body": "漳平市人民政府"})
            if rng.random() < 0.3 and step(5, 25):
                if add(EventKind.RECHECK_REQUESTED, {"reason": "对复查意见不服", "body": "龙岩市人民政府"}) and step(10, 28):
                    add(EventKind.RECHECK_DECIDED, {"disposition": "uphold", "text": "维持复查意见"})
        return events, folder.state()
    if rng.random() < 0.75 and step(3, 20):
        add(EventKind.FOLLOWED_UP, {"method": rng.choice(["phone", "visit"]),
                                    "rating": rng.choices(["satisfied", "basically", "dissatisfied"], [6, 3, 1])[0],
                                    "notes": "信访人对处理结果表示理解"})
        if rng.random() < 0.85 and step(0, 10):
            add(EventKind.CLOSED, {"summary": "已办结"})
    return events, folder.state()


def generate(services, actor: Actor, cases: int, seed: int = 1, days_back: int = 540,
             progress: Callable[[float, str], None] | None = None, chunk: int = 5000) -> DemoResult:
    """Add `cases` demo cases to this unit's database."""
    import time as _time

    require(actor, Permission.MANAGE_SETTINGS)
    started = _time.perf_counter()
    rng = random.Random(seed)
    clock: Clock = services.clock
    today = clock.today()
    cal = services.calendar.calendar()
    gen = _Gen(rng, today, services.categories, services.divisions)
    db = services.db
    conn = db.connection()
    unit = actor.unit_code
    categories = services.categories
    now = clock.now()
    now_s = now.isoformat(sep=" ")
    n_persons = n_events = 0
    known: list[tuple[str, str, str | None, str | None]] = []   # (person id, name, phone, township) for repeats
    last_case_of: dict[str, str] = {}

    # A large page cache while bulk-inserting: index pages of a million rows stay in memory.
    db.execute_sql("PRAGMA cache_size = -262144")
    with db.atomic():
        base_sid = (db.execute_sql("SELECT MAX(sid) FROM \"case\"").fetchone()[0] or 0)
        counters: dict[int, int] = {r.year: r.last for r in CaseCounter.select().where(CaseCounter.unit_code == unit)}
        doc_counters: dict[tuple[str, int], int] = {
            (d, y): last for d, y, last in db.execute_sql(
                "SELECT document, year, last FROM doc_counter WHERE unit_code = ?", (unit,)).fetchall()}
    office = services.get(OfficeService).settings()
    late_days = office.late_entry_days

    def doc_number(document: str, year: int) -> str:
        seq = doc_counters[(document, year)] = doc_counters.get((document, year), 0) + 1
        return office.number(document, year, seq)

    received_list = sorted(gen.received(days_back) for _ in range(cases))
    done = 0
    while done < cases:
        batch = received_list[done:done + chunk]
        persons_rows, case_rows, party_rows, event_rows, fts_rows = [], [], [], [], []
        for received in batch:
            done += 1
            sid = base_sid + done
            # Every category appears at least once when there are enough cases.
            cat = gen.leaves[done - 1] if done <= len(gen.leaves) and cases >= len(gen.leaves) else rng.choice(gen.leaves)
            top = cat.parent_code or cat.code
            township = rng.choice(gen.townships)
            village = rng.choice(gen.villages[township.code])
            group = rng.random() < 0.06
            people_count = rng.randint(5, 40) if group else (2 if rng.random() < 0.08 else 1)
            n_listed = min(people_count, rng.randint(2, 6)) if group else people_count
            petitioners = []
            repeat_of = None
            if known and rng.random() < 0.1:
                pid, name, phone, township_code = known[rng.randrange(len(known))]
                petitioners.append((pid, name, None, phone))
                repeat_of = last_case_of.get(pid)
                n_listed = max(0, n_listed - 1)
            for _ in range(n_listed):
                birth = date(rng.randint(1940, 2002), rng.randint(1, 12), rng.randint(1, 28))
                male = rng.random() < 0.55
                name = gen.name()
                idn = gen.id_number(birth, male) if rng.random() < 0.85 else None
                phone = gen.phone() if rng.random() < 0.9 else None
                pid = _uuid(rng)
                address = f"{township.name}{village.name if village.code != township.code else ''}" + \
                          (f"{rng.choice(STREETS)}{rng.randint(1, 200)}号" if rng.random() < 0.5 else f"{rng.randint(1, 30)}组")
                persons_rows.append((pid, unit, 1, now_s, name, idn, phone, ("男" if male else "女") if idn else None,
                                     birth.isoformat() if idn else None, township.code, village.code, address, now_s))
                petitioners.append((pid, name, idn, phone))
                if rng.random() < 0.3:
                    known.append((pid, name, phone, township.code))
            year = received.year
            counters[year] = counters.get(year, 0) + 1
            number = format_case_number(unit, year, counters[year])
            qcode = gen.query_code()
            case_id = _uuid(rng)
            channel = rng.choices(list(Channel), [55, 15, 15, 3, 12])[0]
            request = rng.choice(REQUESTS.get(top, REQUESTS["16"]))
            facts = rng.choice(FACTS).format(place=township.name, name=petitioners[0][1], year=received.year - rng.randint(0, 5))
            events, state = _simulate(rng, received, today, cal, channel.value,
                                      matter=_demo_matter(rng, categories.suggested_matter(cat.code)),
                                      number=doc_number, late_days=late_days)
            case = Case(status="registered")
            apply_state(case, state, unit)
            owner = None
            for e, _ in events:
                if e.kind == EventKind.ROUTED and e.data.get("route") == Route.DIRECT.value:
                    owner = e.data.get("unit")
            names = [p[1] for p in petitioners]
            case_rows.append((case_id, unit, len(events), now_s, sid, number, qcode, channel.value,
                              received.isoformat(sep=" "), cat.code, request, facts, None, people_count,
                              int(is_group(people_count, channel.value)), rng.choice(UNITS) if rng.random() < 0.4 else None,
                              township.code, repeat_of, actor.name, events[0][1].isoformat(sep=" "), owner, case.status,
                              _day(case.next_due), _day(case.next_due_start), case.next_due_key,
                              int(case.provisional), parties_label(names, people_count),
                              case.stat_flags, _day(case.stat_limit), _day(case.stat_reply), _day(case.decided_on),
                              _day(case.followed_on), _day(case.stat_accept), case.review_standing,
                              case.handling_unit))
            reps = set(range(min(len(petitioners), rng.randint(1, 5)))) if group else set()
            for i, p in enumerate(petitioners):
                party_rows.append((_uuid(rng), unit, 1, now_s, case_id, p[0], "petitioner", int(i in reps), i))
            for e, entered in events:
                event_rows.append((e.id, case_id, unit, e.kind.value, e.occurred_at.isoformat(sep=" "),
                                   entered.isoformat(sep=" "), actor.name, _json(e.data), None))
            fts_rows.append((sid, search.document_tokens(search.SearchDoc(
                names=names, id_numbers=[p[2] for p in petitioners if p[2]],
                phones=[p[3] for p in petitioners if p[3]], case_number=number, query_code=qcode, request=request))))
            for p in petitioners:
                last_case_of[p[0]] = case_id
        with db.atomic():
            conn.executemany(
                "INSERT INTO person (id, unit_code, version, updated_at, name, id_number, phone, sex, birth_date,"
                " township_code, village_code, address, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                persons_rows)
            conn.executemany(
                "INSERT INTO \"case\" (id, unit_code, version, updated_at, sid, number, query_code, channel, received_at,"
                " category_code, request, facts, reasons, people_count, is_group, concerned_unit, township_code,"
                " repeat_of, created_by, created_at, owner_name, status, next_due, next_due_start, next_due_key,"
                " provisional, parties_label, stat_flags, stat_limit, stat_reply, decided_on, followed_on, stat_accept,"
                " review_standing, handling_unit)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                case_rows)
            conn.executemany(
                "INSERT INTO case_party (id, unit_code, version, updated_at, case_id, person_id, role,"
                " is_representative, position) VALUES (?,?,?,?,?,?,?,?,?)",
                party_rows)
            conn.executemany(
                "INSERT INTO case_event (id, case_id, unit_code, kind, occurred_at, recorded_at, actor, data, corrects)"
                " VALUES (?,?,?,?,?,?,?,?,?)", event_rows)
            search.index_rows(db, fts_rows)
            sids_taken(db)
            for year, last in counters.items():
                db.execute_sql("INSERT INTO case_counter (unit_code, year, last) VALUES (?, ?, ?) "
                               "ON CONFLICT (unit_code, year) DO UPDATE SET last = excluded.last", (unit, year, last))
            conn.executemany("INSERT INTO doc_counter (unit_code, document, year, last) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (unit_code, document, year) DO UPDATE SET last = excluded.last",
                             [(unit, d, y, last) for (d, y), last in doc_counters.items()])
        n_persons += len(persons_rows)
        n_events += len(event_rows)
        if progress:
            progress(done / cases, f"已生成 {done}/{cases} 件")
    db.execute_sql(f"PRAGMA cache_size = {PRAGMAS['cache_size']}")
    from . import demo_attention  # the board's demo data: 包案, hardship, mediation, receptions

    demo_attention.generate(services, actor, random.Random(seed + 4))
    from . import demo_resolution  # 信访评理 sessions and the 积案 register

    demo_resolution.generate(services, actor, random.Random(seed + 5))

    from . import demo_meetings  # the 会议 page's demo data: a 跟踪督办会 and its tasks

    demo_meetings.generate(services, actor, random.Random(seed + 6))
    with db.atomic():
        audit(actor, "demo.generate", None, {"cases": cases, "seed": seed}, at=now)
    return DemoResult(cases=cases, persons=n_persons, events=n_events, seconds=_time.perf_counter() - started)


def _json(data) -> str:
    # The validated dicts are shared objects (see _validated), so their encoding can be too.
    got = _json_cache.get(id(data))
    return got if got is not None else json.dumps(dict(data), ensure_ascii=False, sort_keys=True)


def _uuid(rng: random.Random) -> str:
    # A version-4 UUID from the seeded generator, so demo data is reproducible.
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None
