"""Statistics from the records (no Qt): counts, workflow figures and rates for a period and a scope.

Every figure is computed from the case rows and their events; none is typed. They are read from
case_fact (store/models_facts.py): one narrow row per case, clustered by the day received, that
triggers keep in step with the case row, whose facts are derived from the fold of its events.
Counts come from one GROUP BY over the matters received in the period (a "cube" of channel ×
category × township × 初/重件 × 个人/集体, numbered in stat_dim), and every table is a sum over that
same cube, so all tables have the same total. Workflow figures and rates follow the same matters
(a cohort) to the statistics date, from one GROUP BY over their fact bits.

On a township's database the same figures can be had by village (按村（社区）): a matter's village is
that of its first petitioner (the one whose township is the matter's, services/cases.py), read with
one GROUP BY over the same facts, and folded by the same code as the whole, so the villages' rows add
up to the township's figures.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from datetime import date, timedelta
from typing import Iterable

from ..domain import statistics as st
from ..domain import statistics_tables as tables
from ..domain.petition import CHANNEL_LABELS, Channel
from ..domain.errors import InvalidInput
from ..domain.statistics import (Breakdown, Count, Period, PlaceFigures, RateInputs, Row, Scope,
                                 Statistics, WorkflowFigures)
from .permissions import Actor, Permission, require

UNKNOWN_TOWNSHIP = "未填乡镇"
UNKNOWN_VILLAGE = "未填村（社区）"
# The village of a matter (alias c for the case row): its first petitioner's, '' when none was recorded.
_VILLAGE_OF_CASE = ("COALESCE((SELECT p.village_code FROM case_party cp JOIN person p ON p.id = cp.person_id "
                    "WHERE cp.case_id = c.id AND cp.role = 'petitioner' ORDER BY cp.position, cp.id LIMIT 1), '')")
_GROUP_KEYS = {0: "single", 1: "group", 2: "joint"}     # stat_dim.grp (store/models_facts._GRP)
# The cohort's six counts per group, in the order of their parameters (today ×3, the rating window's start,
# today ×2); "x < today" is "the limit x has passed by the statistics date" (the day itself still counts).
# COUNT(CASE WHEN c THEN 1 END), not SUM(c): both engines count it natively, where PostgreSQL's SUM(boolean)
# (store/pg_schema.create_functions) runs a SQL function per row and condition, 18-20 times slower
# (a year of 100,000 matters: 2.3 s against 0.13 s; benchmarks/pg_scale.py import).
_COHORT_COUNTS = ", ".join(f"COUNT(CASE WHEN {c} THEN 1 END)" for c in (
    "f.next_due < ?", "f.open_limit < ?", "f.open_limit >= ?", "f.replied_on < ?", "f.accept_limit < ?",
    "f.accept_limit >= ?"))


class StatisticsService:
    def __init__(self, services):
        self.services = services
        self.db = services.db
        self._dim_cache: dict[int, tuple] = {}     # stat_dim rows by id (see _dims)

    # -- public ---------------------------------------------------------------------------------
    def compute(self, actor: Actor, period: Period, scope: Scope = Scope(), *, compare: bool = True,
                trend_months: int = 12, by_village: bool = False) -> Statistics:
        """Statistics of `period` in `scope`; with `compare`, also the same period a year earlier
        (`.earlier`). The month line covers the period, or the `trend_months` months up to its end
        when the period is shorter. With `by_village` (a township's database only), also the matters
        and their figures by village (`.by_village`, `.villages`)."""
        require(actor, Permission.VIEW)
        if by_village and not self.villages_apply():
            raise InvalidInput("按村（社区）统计只适用于乡镇（街道）的数据库；市级请按乡镇（街道）统计。", field="by_village")
        out = self._compute(period, scope, trend_months, by_village)
        if compare:
            # the same days a year earlier: a period still under way is compared up to the same day
            out.earlier = self._compute(period.year_earlier(out.as_of), scope, trend_months, by_village)
            if by_village:
                # a village with matters only a year earlier is a row of both years (its 同比 is -100%)
                out.by_village, out.villages = _with_places(out.villages, out.earlier.villages)
                out.earlier.by_village, out.earlier.villages = _with_places(out.earlier.villages, out.villages)
        return out

    def villages_apply(self) -> bool:
        """Whether this database is a township's, whose figures can be had by village."""
        return self.services.auth.unit().kind == "township"

    def scope_label(self, scope: Scope) -> str:
        if scope.everything:
            unit = self.services.auth.unit()
            divisions = self.services.divisions
            place = divisions.get(unit.code).name if unit.code in divisions else unit.name   # 永福镇, not 永福镇信访办
            return f"{place}（全市）" if unit.kind == "city" else place
        return "、".join(self._place_name(c) for c in scope.codes)

    # -- the pieces -------------------------------------------------------------------------------
    def _compute(self, period: Period, scope: Scope, trend_months: int, by_village: bool = False) -> Statistics:
        gc_was_on = gc.isenabled()
        gc.disable()        # tens of thousands of small tuples: no collector passes over them mid-way
        try:
            out = self._compute_now(period, scope, trend_months)
            if by_village:
                out.by_village, out.villages = self._villages(period, scope, out.as_of)
            return out
        finally:
            if gc_was_on:
                gc.enable()

    def _compute_now(self, period: Period, scope: Scope, trend_months: int) -> Statistics:
        in_scope, params = self._scope(scope)
        dims = self._dims()
        cells = []
        # Each numbered combination in turn, its matters of the period read from the (dim, day)
        # index: groups come out in order, so nothing is sorted, whatever the period's length.
        for dim, n, p in self.db.execute_sql(
                "SELECT d.id, COUNT(*), SUM(f.people) FROM stat_dim d JOIN case_fact f INDEXED BY case_fact_dim "
                f"ON f.dim = d.id AND f.day >= ? AND f.day <= ? {'WHERE ' + in_scope if in_scope else ''} "
                "GROUP BY d.id", [period.start.isoformat(), period.end.isoformat(), *params]):
            _unit, town, ch, cat, rep, grp = dims[dim]
            cells.append((ch, cat, town, bool(rep), int(grp), n, int(p or 0)))
        as_of = self.services.clock.today()
        workflow, inputs = self._cohort(period.start, period.end, scope, as_of,
                                        repeats=sum(c[5] for c in cells if c[3]))
        return Statistics(
            period=period, scope=scope, scope_label=self.scope_label(scope), as_of=as_of,
            by_channel=self._by_channel(cells), by_category=self._by_category(cells, top=True),
            by_subcategory=self._by_category(cells, top=False), by_township=self._by_township(cells, scope),
            by_repeat=_fixed("初件／重件", cells, lambda c: "repeat" if c[3] else "first",
                             [("first", "初件（初信初访）"), ("repeat", "重件（重复信访）")]),
            by_group=_fixed("个人／集体", cells, lambda c: _GROUP_KEYS[c[4]],
                            [("single", "个人（4人以下）"), ("group", "集体访（5人以上走访）"),
                             ("joint", "联名信访（5人以上联名来信、来电、网上）")]),
            months=self._months(period, scope, trend_months),
            workflow=workflow, rate_inputs=inputs, rates=st.rates(inputs), receptions=self._receptions(period, scope),
            resolution=self._resolution(period, scope, as_of))

    def _dims(self) -> dict[int, tuple]:
        """stat_dim by id: (unit, township or '', channel, category, 重件, 集体). Rows are only ever
        added, so the cache reads the new ones."""
        cache = self._dim_cache
        last = max(cache, default=0)
        for row in self.db.execute_sql("SELECT id, unit, town, channel, category, rep, grp FROM stat_dim WHERE id > ?",
                                       (last,)):
            cache[row[0]] = row[1:]
        return cache

    def _receptions(self, period: Period, scope: Scope) -> Breakdown:
        """Leaders' receptions by kind, from the reception log: the four kinds of 四门四访 with their
        subtotal, then the others (接访日 …)."""
        from .reception import ReceptionKind

        where = "held_on >= ? AND held_on <= ?"
        params: list = [period.start.isoformat(), period.end.isoformat()]
        if scope.codes:
            where += f" AND unit_code IN ({', '.join('?' for _ in scope.codes)})"
            params += list(scope.codes)
        got = {kind: Count(int(b or 0), int(p or 0)) for kind, b, p in self.db.execute_sql(
            f"SELECT kind, SUM(batches), SUM(persons) FROM reception WHERE {where} GROUP BY kind", params).fetchall()}
        rows = [Row(k.value, k.label, got.pop(k.value, Count())) for k in ReceptionKind]
        rows += [Row(k, k, v) for k, v in sorted(got.items())]
        return Breakdown("领导接访", tuple(rows), (st.FOUR_DOORS,))

    def _resolution(self, period: Period, scope: Scope, as_of: date):
        """信访评理 and the 积案 register over the period (domain/statistics_resolution.py): the matters of
        the scope (their township, else the unit that registered them), as the case statistics count them."""
        from ..domain.statistics_resolution import EntryFact, SessionFact, resolution_figures

        where, params = "", []
        if scope.codes:
            marks = ", ".join("?" for _ in scope.codes)
            where = (f' AND c.id IN (SELECT id FROM "case" WHERE township_code IN ({marks}) '
                     f"OR (COALESCE(township_code, '') = '' AND unit_code IN ({marks})))")
            params = list(scope.codes) * 2
        sessions = [SessionFact(cid, date.fromisoformat(str(held)[:10]), bool(acc)) for cid, held, acc in self.db.execute_sql(
            "SELECT c.id, s.held_on, s.accepted FROM deliberation_session s JOIN \"case\" c ON c.id = s.case_id "
            "WHERE NOT EXISTS (SELECT 1 FROM deliberation_session n WHERE n.corrects = s.id)" + where, params)]
        entries = [EntryFact(cid, date.fromisoformat(str(d)[:10]), date.fromisoformat(str(o)[:10]) if o else None)
                   for cid, d, o in self.db.execute_sql(
                       "SELECT c.id, b.decided_on, b.outcome_on FROM backlog_entry b JOIN \"case\" c ON c.id = b.case_id "
                       "WHERE 1 = 1" + where, params)]
        closed = {}
        asked = sorted({x.case_id for x in sessions})
        for i in range(0, len(asked), 500):
            part = asked[i:i + 500]
            for cid, at in self.db.execute_sql(
                    "SELECT case_id, MAX(occurred_at) FROM case_event WHERE kind = 'closed' AND case_id IN "
                    f"({', '.join('?' for _ in part)}) GROUP BY case_id", part):
                closed[cid] = date.fromisoformat(str(at)[:10])
        return resolution_figures(period.start, period.end, as_of, sessions, entries, closed)

    def _scope(self, scope: Scope) -> tuple[str, list]:
        """The combinations of stat_dim (alias d) in `scope`: a matter belongs to its township, or,
        recorded without one, to the office that registered it. Empty for everything."""
        if not scope.codes:
            return "", []
        marks = ", ".join("?" for _ in scope.codes)
        return f"(d.town IN ({marks}) OR (d.town = '' AND d.unit IN ({marks})))", list(scope.codes) * 2

    def _facts_in(self, start: date, end: date, scope: Scope) -> tuple[str, list]:
        """Condition on case_fact (alias f): received from `start` to `end`, in `scope`."""
        in_scope, params = self._scope(scope)
        where = "f.day >= ? AND f.day <= ?"
        if in_scope:
            where += f" AND f.dim IN (SELECT d.id FROM stat_dim d WHERE {in_scope})"
        return where, [start.isoformat(), end.isoformat(), *params]

    def _by_channel(self, cells) -> Breakdown:
        sums = _sum_by(cells, lambda c: c[0])
        rows = [Row(ch.value, CHANNEL_LABELS[ch], sums.pop(ch.value, Count())) for ch in Channel]
        rows += [Row(k, k, v) for k, v in sorted(sums.items())]     # a channel this version does not know
        return Breakdown("按信访形式", tuple(rows))

    def _by_category(self, cells, *, top: bool) -> Breakdown:
        cats = self.services.categories
        if top:
            sums = _sum_by(cells, lambda c: c[1][:2])
            rows = [Row(c.code, c.name, sums.pop(c.code, Count())) for c in cats.top_level()]
            rows += [Row(k, f"{k}（分类表中没有）", v) for k, v in sorted(sums.items())]
            return Breakdown("按问题类别（一级）", tuple(rows))
        sums = _sum_by(cells, lambda c: c[1])
        rows = []
        for code in sorted(sums):
            label = cats.label(code) if code in cats else f"{code}（分类表中没有）"
            if code in cats and cats.get(code).parent_code is None:
                label += "（未细分）"
            rows.append(Row(code, label, sums[code]))
        return Breakdown("按问题类别（二级）", tuple(rows))

    def _by_township(self, cells, scope: Scope) -> Breakdown:
        sums = _sum_by(cells, lambda c: c[2])
        for code in scope.codes:
            if code in self.services.divisions and code[-3:] == "000" and not code.endswith("000000"):
                sums.setdefault(code, Count())
        keys = sorted((k for k in sums if k), key=str) + ([""] if "" in sums else [])
        rows = [Row(k, self._place_name(k) if k else UNKNOWN_TOWNSHIP, sums[k]) for k in keys]
        return Breakdown("按乡镇（街道）", tuple(rows))

    def _place_name(self, code: str) -> str:
        divisions = self.services.divisions
        if code in divisions:
            return divisions.get(code).name
        from ..store.models import Unit
        unit = Unit.get_or_none(Unit.code == code)
        return unit.name if unit else code

    def _months(self, period: Period, scope: Scope, trend_months: int) -> Breakdown:
        months = period.months()
        if len(months) < 3:
            y, m = period.end.year, period.end.month
            months = []
            for _ in range(trend_months):
                months.append((y, m))
                y, m = (y - 1, 12) if m == 1 else (y, m - 1)
            months.reverse()
        as_of = self.services.clock.today()
        months = [ym for ym in months if ym <= (as_of.year, as_of.month)] or months[:1]   # no future months
        first, last = months[0], months[-1]
        start = date(first[0], first[1], 1)
        end = st.month(last[0], last[1]).end
        where, params = self._facts_in(start, end, scope)
        got: dict[str, Count] = defaultdict(Count)
        # by day, in the table's own order (no sort), then summed by month here
        for day, n, p in self.db.execute_sql(
                f"SELECT f.day, COUNT(*), SUM(f.people) FROM case_fact f WHERE {where} GROUP BY f.day", params):
            got[day[:7]] += Count(n, int(p or 0))
        def label(y: int, m: int) -> str:
            # The month still under way says so, or its low figure reads as a fall.
            partial = (y, m) == (as_of.year, as_of.month) and as_of < st.month(y, m).end
            return f"{y}年{m}月" + (f"（至{as_of.day}日）" if partial else "")

        rows = tuple(Row(f"{y:04d}-{m:02d}", label(y, m), got.get(f"{y:04d}-{m:02d}", Count())) for y, m in months)
        return Breakdown("逐月登记", rows)

    def _cohort(self, start: date, end: date, scope: Scope, as_of: date, *,
                repeats: int) -> tuple[WorkflowFigures, RateInputs]:
        """Follow the matters received from `start` to `end` to `as_of`, from their facts (derived
        from each case's events by domain.statistics.stat_facts): the matters of each value of the
        fact bits in turn, read from the (flags, day) index, with the three figures that depend on
        the statistics date summed per value."""
        today = as_of.isoformat()
        window_start = (as_of - timedelta(days=st.RATING_WINDOW_DAYS)).isoformat()
        in_scope, params = self._scope(scope)
        rows = self.db.execute_sql(
            f"SELECT b.flags, COUNT(*), {_COHORT_COUNTS} "
            "FROM stat_flag b JOIN case_fact f INDEXED BY case_fact_flags ON f.flags = b.flags "
            "AND f.day >= ? AND f.day <= ? "
            + (f"AND f.dim IN (SELECT d.id FROM stat_dim d WHERE {in_scope}) " if in_scope else "")
            + "GROUP BY b.flags",
            [today, today, today, window_start, today, today, start.isoformat(), end.isoformat(), *params]).fetchall()
        return _fold_cohort(rows, repeats)

    # -- by village ---------------------------------------------------------------------------------
    def _villages(self, period: Period, scope: Scope, as_of: date) -> tuple[Breakdown, tuple[PlaceFigures, ...]]:
        """The matters of the period by village, and each village's figures: one GROUP BY over the facts
        the whole is counted from (village × combination × fact bits, with the same sums as _cohort),
        each village's share folded by the same code as the whole's."""
        today = as_of.isoformat()
        window_start = (as_of - timedelta(days=st.RATING_WINDOW_DAYS)).isoformat()
        where, params = self._facts_in(period.start, period.end, scope)
        dims = self._dims()
        cells: dict[str, list] = defaultdict(list)
        cohort: dict[str, list] = defaultdict(list)
        for village, dim, flags, count, people, *sums in self.db.execute_sql(
                f"SELECT {_VILLAGE_OF_CASE}, f.dim, f.flags, COUNT(*), SUM(f.people), {_COHORT_COUNTS} "
                'FROM case_fact f JOIN "case" c ON c.sid = f.sid '
                f"WHERE {where} GROUP BY 1, 2, 3",
                [today, today, today, window_start, today, today, *params]):
            _unit, town, ch, cat, rep, grp = dims[dim]
            cells[village].append((ch, cat, town, bool(rep), int(grp), count, int(people or 0)))
            cohort[village].append((flags, count, *sums))
        for code in self._villages_of_scope(scope):     # every village of the townships, even without matters
            cells.setdefault(code, [])
        places = []
        townships = self._townships_of_scope(scope)
        for key in _place_order(cells):
            workflow, inputs = _fold_cohort(cohort.get(key, []), repeats=sum(c[5] for c in cells[key] if c[3]))
            places.append(PlaceFigures(key, self._village_name(key, townships) if key else UNKNOWN_VILLAGE,
                                       self._by_channel(cells[key]), workflow, inputs))
        return _village_breakdown(places)

    def _townships_of_scope(self, scope: Scope) -> list[str]:
        """The townships whose villages a breakdown lists: those of the scope, or this office's."""
        divisions = self.services.divisions
        codes = scope.codes or (self.services.auth.unit_code(),)
        return [c for c in codes if c in divisions and divisions.get(c).kind in ("镇", "乡", "街道")]

    def _villages_of_scope(self, scope: Scope) -> list[str]:
        """Every village of those townships (by the division table), listed even when it has no matter."""
        return [v.code for t in self._townships_of_scope(scope) for v in self.services.divisions.villages(t)]

    def _village_name(self, code: str, townships: list[str]) -> str:
        """李庄村; 溪南镇东湖村 for a village of another township; the code itself when the division table
        does not have it (no name is made up)."""
        divisions = self.services.divisions
        if code not in divisions:
            return f"{code}（区划表中没有）"
        d = divisions.get(code)
        if d.parent_code and d.parent_code not in townships and d.parent_code in divisions:
            return divisions.get(d.parent_code).name + d.name
        return d.name


def _place_order(keys) -> list[str]:
    """Division codes in order, the matters with none ('') last."""
    return sorted(k for k in keys if k) + ([""] if "" in keys else [])


def _village_breakdown(places) -> tuple[Breakdown, tuple[PlaceFigures, ...]]:
    return Breakdown("按村（社区）", tuple(Row(p.key, p.label, p.total) for p in places)), tuple(places)


def _with_places(places: tuple[PlaceFigures, ...], others: tuple[PlaceFigures, ...]):
    """`places` with a row of nothing for each place only `others` has, in the order of the codes."""
    have = {p.key: p for p in places}
    for o in others:
        if o.key not in have:
            workflow, inputs = _fold_cohort([], repeats=0)
            have[o.key] = PlaceFigures(o.key, o.label, Breakdown(o.by_channel.title, tuple(
                Row(r.key, r.label, Count()) for r in o.by_channel.rows)), workflow, inputs)
    return _village_breakdown([have[k] for k in _place_order(have)])


def _fold_cohort(rows, repeats: int) -> tuple[WorkflowFigures, RateInputs]:
    """The workflow figures and the rates' terms of a cohort, from its rows: (fact bits, matters, then
    how many of them are past their next deadline, past their handling limit, within it, replied before
    the rating window, past their 15 days, within them). Every figure is a sum over the rows, so rows
    may repeat a value of the bits, and the figures of parts add up to those of the whole."""
    n: dict[int, int] = defaultdict(int)       # cases per bit
    received = overdue = open_late = open_in_limit = unrated_late = unrated_in_window = 0
    undecided_late = undecided_in_window = decided_late = late_entries = 0
    ratings = {name: 0 for name in st.RATING_CODES}
    for flags, count, past_due, past_limit, within_limit, replied_before_window, past_accept, within_accept in rows:
        received += count
        overdue += past_due or 0
        open_late += past_limit or 0
        open_in_limit += within_limit or 0
        # the 15 days: still open (its limit kept), or decided on time, late, or entered late (补录)
        undecided_late += past_accept or 0
        undecided_in_window += within_accept or 0
        decided = count - (past_accept or 0) - (within_accept or 0)
        if not flags & st.TIMELY:
            if flags & st.LATE_ENTRY:
                late_entries += decided
            else:
                decided_late += decided
        for bit in (st.TIMELY, st.ROUTED, st.REDIRECTED, st.REFUSED, st.EXTENDED, st.REVIEWED,
                    st.REPLIED, st.CLOSED, st.ON_TIME, st.LATE, st.TRANSFERRED, st.NOTICE_EXEMPT):
            if flags & bit:
                n[bit] += count
        rating = (flags >> st.RATING_SHIFT) & 3
        if rating:
            ratings[st.RATING_NAMES[rating]] += count
        elif flags & st.REPLIED:
            unrated_late += replied_before_window or 0
            unrated_in_window += count - (replied_before_window or 0)
    workflow = WorkflowFigures(received=received, routed=n[st.ROUTED], refused=n[st.REFUSED],
                               redirected=n[st.REDIRECTED], replied=n[st.REPLIED], closed=n[st.CLOSED],
                               extended=n[st.EXTENDED], reviewed=n[st.REVIEWED], overdue=overdue,
                               transferred=n[st.TRANSFERRED], notice_exempt=n[st.NOTICE_EXEMPT])
    inputs = RateInputs(received=received, accepted_in_time=n[st.TIMELY], decided_late=decided_late,
                        late_entries=late_entries,
                        undecided_past_window=undecided_late, undecided_in_window=undecided_in_window,
                        closed_on_time=n[st.ON_TIME], closed_late=n[st.LATE], open_past_due=open_late,
                        open_in_limit=open_in_limit, rated=sum(ratings.values()),
                        unrated_past_window=unrated_late, unrated_in_window=unrated_in_window,
                        satisfied=ratings["satisfied"], basically=ratings["basically"],
                        dissatisfied=ratings["dissatisfied"], repeats=repeats)
    return workflow, inputs


def _sum_by(cells, key) -> dict[str, Count]:
    batches: dict[str, int] = defaultdict(int)
    people: dict[str, int] = defaultdict(int)
    for c in cells:
        k = key(c)
        batches[k] += c[5]
        people[k] += c[6]
    return {k: Count(b, people[k]) for k, b in batches.items()}


def _fixed(title: str, cells, key, labels: Iterable[tuple[str, str]]) -> Breakdown:
    sums = _sum_by(cells, key)
    return Breakdown(title, tuple(Row(k, label, sums.get(k, Count())) for k, label in labels))



# -- spreadsheets and JSON: both written from the report's tables (domain.statistics_tables) ---------
def statistics_notes(s: Statistics) -> list[str]:
    """The lines under every sheet: what was counted, when, and against what."""
    head = f"统计期间：{s.period.label}；范围：{s.scope_label}；统计日：{s.as_of:%Y-%m-%d}"
    if s.earlier is not None:
        head += f"；比较对象：{s.comparison}"
    return [head, tables.COUNT_NOTE, tables.WORDS_NOTE]


def statistics_sheets(s: Statistics):
    """Every table of the report as a sheet, cell for cell (numbers as numbers), and the months."""
    from ..documents.xlsx import Sheet

    notes = statistics_notes(s)
    widths = {"rates": {4: 62}, "rate_terms": {4: 70}, "workflow": {2: 60}, "resolution": {2: 60}}
    sheets = []
    for t in [*tables.report_tables(s), tables.months_table(s)]:
        rows = [[c.text if c.value is None else c.value for c in r.cells] for r in t.rows]
        extra = [f"{r.formula}：{r.worked}" for r in s.rates] if t.key == "rates" else []
        if t.key in tables.VILLAGE_TABLES:
            extra.append(tables.VILLAGE_NOTE)
        sheets.append(Sheet(t.title, t.headers, rows, widths=widths.get(t.key, {}), notes=[*notes, *extra]))
    return sheets


def statistics_json(s: Statistics) -> dict:
    """Plain data for `xinfang stats --format json`: every table with its total, every rate with
    its formula and terms, and the report's tables cell by cell (`tables`)."""
    def table(b: Breakdown) -> dict:
        out = {"title": b.title,
               "rows": [{"key": r.key, "label": r.label, "batches": r.count.batches, "people": r.count.people}
                        for r in b.rows],
               "total": {"batches": b.total.batches, "people": b.total.people}}
        if b.groups:
            out["subtotals"] = [{"key": g.key, "label": g.label, "members": list(g.members),
                                 "batches": b.subtotal(g).batches, "people": b.subtotal(g).people} for g in b.groups]
        return out

    out = {
        "period": {"kind": s.period.kind, "from": s.period.start.isoformat(), "to": s.period.end.isoformat(),
                   "label": s.period.label},
        "scope": {"codes": list(s.scope.codes), "label": s.scope_label},
        "as_of": s.as_of.isoformat(),
        "total": {"batches": s.total.batches, "people": s.total.people},
        "by_channel": table(s.by_channel), "by_category": table(s.by_category),
        "by_subcategory": table(s.by_subcategory), "by_township": table(s.by_township),
        "by_repeat": table(s.by_repeat), "by_group": table(s.by_group), "months": table(s.months),
        "workflow": st.figure_values(s.workflow.rows()),
        "rates": [{"key": r.key, "name": r.name, "value": r.value, "numerator": r.numerator,
                   "denominator": r.denominator, "formula": r.formula, "definition": r.definition,
                   "parts": dict(r.parts), "not_counted": dict(r.not_counted)} for r in s.rates],
        "rate_terms": {k: getattr(s.rate_inputs, k) for k in st.FIGURES if hasattr(s.rate_inputs, k)},
        "figures": {k: {"label": f.label, "definition": f.definition} for k, f in st.FIGURES.items()},
        "receptions": table(s.receptions),
        "resolution": st.figure_values(s.resolution.rows()) if s.resolution else {},
        "tables": [t.as_json() for t in [*tables.report_tables(s), tables.months_table(s)]],
    }
    if s.by_village is not None:
        out["by_village"] = table(s.by_village)
    if s.earlier is not None:
        e = s.earlier
        out["year_earlier"] = {"from": e.period.start.isoformat(), "to": e.period.end.isoformat(),
                               "label": e.period.label, "whole": e.period.whole,
                               "total": {"batches": e.total.batches, "people": e.total.people},
                               "by_channel": table(e.by_channel), "by_category": table(e.by_category)}
    return out
