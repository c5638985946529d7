"""The invariants of SYNC.md: records present iff their ledger row is; re-import changes nothing; any
arrival order gives the same database; three townships and a city through rounds delivered late,
twice and out of order end equal to in-order delivery."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path


from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.services.attachments import AttachmentService
from xinfang_desktop.services.mediation import MediationService, Mediator, SessionInput
from xinfang_desktop.services.sync.inbox_checks import peer_key
from xinfang_desktop.store.models_sync import SyncPeer
from xinfang_desktop.sync.bundle import open_bundle, parse_bundle, verify_bundle

from .conftest import CITY, TOWNS, check_ok, dump, write_out

NAMES = ["张三", "李四", "王五", "赵六", "欧阳娜娜", "单雄信", "曾国藩", "陈静", "林芳", "黄磊"]


def play_rounds(offices, folder: Path, rounds: int = 3) -> list[Path]:
    """Each township registers, acts and exports each round; the city acks between rounds."""
    rng = random.Random(7)
    files: list[Path] = []
    refs: dict[str, list] = {t: [] for t in TOWNS}
    city = offices[CITY]
    for r in range(rounds):
        for t in TOWNS:
            o = offices[t]
            for _ in range(2):
                refs[t].append(o.register(name=rng.choice(NAMES), received_at=datetime(2026, 10, 20 + r, 9, 0)))
            # an action on an earlier case, and a petitioner who comes back (person row updated)
            o.svc.cases.act(o.admin, refs[t][0].id, "note", {"text": f"第{r + 1}轮电话联系"})
            # a scan and a mediation session travel too (files by hash, sessions append-only)
            scan = folder / "scans" / t / f"r{r}.png"
            scan.parent.mkdir(parents=True, exist_ok=True)
            scan.write_bytes(b"\x89PNG\r\n\x1a\n" + rng.randbytes(200))
            o.svc.get(AttachmentService).attach(o.admin, refs[t][0].id, [scan])
            o.svc.get(MediationService).add(o.admin, SessionInput(
                case_ref=refs[t][-1].id, held_on="2026-11-02", place="镇调解室", kind="people",
                mediators=[Mediator("李调解")], parties=[rng.choice(NAMES)], discussion=f"第{r + 1}轮调解",
                outcome="none"))
            o.register(name="回访人", received_at=datetime(2026, 10, 25, 9, 0),
                       petitioners=[PetitionerInput(name="回访人", id_number="11010519491231002X",
                                                    phone=f"1381234567{r}", township_code=t,
                                                    on_conflict="correct")])   # a new phone each round
            rows = o.export()
            files += write_out(o, folder / f"r{r}", rows)
        # the city imports in order and acks, so later township bundles carry last_received
        city.import_([f for f in files if f.parent.name == f"r{r}"])
        check_ok(city)                                   # the city's check passes after every step
        city.export()
        for t in TOWNS:
            offices[t].import_(write_out(city, folder / f"ack{r}" / t, [x for x in city.sync.pending_copies()
                                                                    if x.recipient == t]))
            check_ok(offices[t])
    return files


def records_by_bundle(office, files: list[Path], keys) -> dict[str, set[str]]:
    """bundle id -> ids of the records it carries (opened with the city's key, as the importer does)."""
    out = {}
    office.sync
    for f in files:
        parsed = parse_bundle(f.read_bytes())
        peer = SyncPeer.get(SyncPeer.unit_code == parsed.header.sender.unit)
        contents = open_bundle(verify_bundle(parsed, peer_key(peer), sender_unit=peer.unit_code),
                               keys[CITY].encryption_identity)
        out[parsed.bundle_id] = {r["id"] for r in contents.records}
    return out


def check_iff(office, carried: dict[str, set[str]]) -> None:
    """Every record of an applied bundle is in the database, and none of a bundle not applied (new ids only)."""
    db = office.svc.db
    applied = {r[0] for r in db.execute_sql("SELECT bundle_id FROM sync_inbox WHERE state = 'applied'").fetchall()}
    present = set()
    for table in ("person", "case", "case_party", "case_event", "attachment", "mediation_session"):
        present |= {r[0] for r in db.execute_sql(f'SELECT id FROM "{table}"').fetchall()}
    first_seen: dict[str, str] = {}
    for bid, ids in carried.items():
        for rid in ids:
            first_seen.setdefault(rid, bid)
    for bid, ids in carried.items():
        if bid in applied:
            assert ids <= present, f"bundle {bid[:8]} applied but records missing"
    for rid, bid in first_seen.items():
        holders = {b for b, ids in carried.items() if rid in ids}
        if not holders & applied:
            assert rid not in present, f"record {rid} present though no bundle carrying it is applied"


def test_three_townships_and_a_city_any_delivery_gives_the_in_order_database(offices, tmp_path, new_city, unit_keys):
    # A second city with the same keys and enrolments receives the same bundles shuffled, late and twice.
    files = play_rounds(offices, tmp_path / "stick")
    reference = dump(offices[CITY])
    assert len(reference["case"]) == 3 * 3 * 3 and len(reference["ledger"]) == 9
    carried = records_by_bundle(offices[CITY], files, unit_keys)
    for seed in (1, 2):
        late = new_city(tmp_path / f"late{seed}")
        rng = random.Random(seed)
        deliveries = files + rng.sample(files, 4)           # some handed in twice
        rng.shuffle(deliveries)
        batches = [deliveries[i:i + 3] for i in range(0, len(deliveries), 3)]   # carried in several trips
        for batch in batches:
            results = late.import_(batch)
            assert all(r.outcome in ("applied", "already", "parked") for r in results), [r.message for r in results]
            check_iff(late, carried)
            check_ok(late)
        assert dump(late) == reference
        before = dump(late)
        late.import_(files)                                  # re-importing everything changes nothing
        assert dump(late) == before
        late.svc.close()


def test_reimporting_anything_changes_nothing(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    paths = []
    for name in ("张三", "李四"):
        town.register(name=name)
        paths += write_out(town, tmp_path / name, town.export())
    city.import_(paths)
    before = dump(city)
    for order in (paths, list(reversed(paths)), paths + paths):
        results = city.import_(order)
        assert {r.outcome for r in results} == {"already"}
        assert dump(city) == before


def test_updates_take_the_higher_version_whatever_the_order(offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register(name="张三")
    p1 = write_out(town, tmp_path / "a", town.export())
    town.svc.cases.act(town.admin, ref.id, "routed", {"route": "direct", "unit": "县人社局"})
    p2 = write_out(town, tmp_path / "b", town.export())
    city.import_(p2 + p1)                                  # the newer bundle first: parked, then both apply
    town_row = town.svc.db.execute_sql('SELECT version, status, owner_name FROM "case"').fetchone()
    city.sync
    city_row = city.svc.db.execute_sql('SELECT version, status, owner_name FROM "case"').fetchone()
    assert city_row == town_row and city_row[1] == "handling"


def _figures(office, period) -> dict:
    from xinfang_desktop.domain.statistics import Scope
    from xinfang_desktop.services.statistics import StatisticsService, statistics_json

    office.sync
    return statistics_json(office.svc.get(StatisticsService).compute(office.admin, period, Scope(), compare=False))


def test_the_citys_statistics_are_the_sum_of_its_townships_own(offices, tmp_path):
    """Figure by figure: the totals and every table, the workflow counts, each rate's numerator and
    denominator. Each township also acts on its matters (routes, replies, refusals, extensions, closes,
    reviews), so every workflow figure is exercised."""
    from xinfang_desktop.domain.statistics import custom
    from xinfang_desktop.services.demo import generate

    city = offices[CITY]
    for i, t in enumerate(TOWNS):
        o = offices[t]
        o.sync
        generate(o.svc, o.admin, 60, seed=10 + i)
        o.export()
        [r] = city.import_(write_out(o, tmp_path / t))
        assert r.outcome == "applied" and r.quarantined_records == 0, r.message
        check_ok(city)
    period = custom(datetime(2020, 1, 1).date(), datetime(2026, 12, 31).date())
    towns = [_figures(offices[t], period) for t in TOWNS]
    at_city = _figures(city, period)
    assert towns[0]["workflow"]["routed"] and towns[0]["workflow"]["replied"]      # not a test of zeros
    wrong = []
    for part in ("total", "workflow"):
        for key, value in at_city[part].items():
            if isinstance(value, (int, float)) and value != sum(t[part][key] for t in towns):
                wrong.append(f"{part}.{key}: {value} != {[t[part][key] for t in towns]}")
    for table in ("by_channel", "by_category", "by_repeat", "by_group", "months"):
        city_rows = {r["key"]: (r["batches"], r["people"]) for r in at_city[table]["rows"]}
        for key in {r["key"] for t in towns for r in t[table]["rows"]} | set(city_rows):
            summed = tuple(sum(r[f] for t in towns for r in t[table]["rows"] if r["key"] == key)
                           for f in ("batches", "people"))
            if city_rows.get(key, (0, 0)) != summed:
                wrong.append(f"{table}.{key}: {city_rows.get(key)} != {summed}")
    for rate in at_city["rates"]:
        for term in ("numerator", "denominator"):
            summed = sum(next(r for r in t["rates"] if r["key"] == rate["key"])[term] for t in towns)
            if rate[term] != summed:
                wrong.append(f"rate {rate['key']}.{term}: {rate[term]} != {summed}")
    assert not wrong, wrong
