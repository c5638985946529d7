"""The tables of a statistics report as plain data (pure): the one model that the page, the PDF,
the xlsx and the JSON all render, so a cell can never say one thing on paper and another on screen.

Each cell carries its value (a number, for the spreadsheet and the JSON) and its text (how the page
and the PDF print it); both are made here, once. A column of a year earlier adds up to the earlier
total like any other: its rows are the union of this period's and last year's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .statistics import (FIGURES, RATE_DEFS, Breakdown, Count, RateInputs, Row, Statistics, WorkflowFigures, change,
                         change_cell, percent, rates, share)

# The words every table shares, printed as notes under them.
COUNT_NOTE = "批次：信访事项件数（集体访计1批）；人次：信访人数之和。合计由各行相加得出；占比、同比均按批次计算。"
WORDS_NOTE = ("“登记”计本期登记的全部事项，“受理”不含不予受理、不再受理的事项；“办结”指在办理期限内出具书面处理意见"
              "（第三十四条），事项办理完毕归档称“结案”。比率只计期限已满或已有结果的事项，尚在期限内的不计入。")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"          # text / count / share / change / rate: how it is aligned and formatted


@dataclass(frozen=True)
class Cell:
    value: Any                  # int, float, str or None: what the spreadsheet and the JSON hold
    text: str                   # what the page and the PDF print


@dataclass(frozen=True)
class TableRow:
    key: str
    cells: tuple[Cell, ...]
    kind: str = "item"          # item / subtotal / total

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]

    @property
    def values(self) -> list[Any]:
        return [c.value for c in self.cells]


@dataclass(frozen=True)
class StatTable:
    key: str                    # by_channel, workflow, rates … (the JSON's name for it)
    title: str                  # the caption, the sheet's name, the tab
    columns: tuple[Column, ...]
    rows: tuple[TableRow, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def row(self, key: str) -> TableRow:
        return next(r for r in self.rows if r.key == key)

    def as_json(self) -> dict:
        return {"key": self.key, "title": self.title,
                "columns": [{"key": c.key, "header": c.header} for c in self.columns],
                "rows": [{"key": r.key, "kind": r.kind, "values": r.values, "texts": r.texts} for r in self.rows]}


def _text(value: str) -> Cell:
    return Cell(value, value)


def _count(n: int) -> Cell:
    return Cell(n, str(n))


def _share(part: int, whole: int) -> Cell:
    v = share(part, whole)
    return Cell(v, percent(v))


def _change(now: int, before: int) -> Cell:
    return Cell(change(now, before), change_cell(now, before))


# -- tables of counts (批次 / 人次) ----------------------------------------------------------------------
def count_table(key: str, b: Breakdown, before: Breakdown | None, *, omit_empty: bool = False,
                label_header: str = "项目") -> StatTable:
    """项目 | 批次 | 人次 | 占比 | (上年同期批次 | 上年同期人次 | 同比): the rows, a subtotal after each group's
    members, the total. With `omit_empty`, a row that is zero in both years is left out (it adds
    nothing to any column)."""
    columns = [Column("label", label_header), Column("batches", "批次", "count"), Column("people", "人次", "count"),
               Column("share", "占比", "share")]
    if before is not None:
        columns += [Column("earlier_batches", "上年同期批次", "count"), Column("earlier_people", "上年同期人次", "count"),
                    Column("change", "同比", "change")]
    rows = list(b.rows)
    if before is not None:       # a row only last year has is still a row, or its column would not add up
        known = {r.key for r in rows}
        rows += [Row(r.key, r.label, Count()) for r in before.rows if r.key not in known]
    if omit_empty:
        rows = [r for r in rows if r.count.batches or r.count.people
                or (before is not None and (before.get(r.key).batches or before.get(r.key).people))]
    total = b.total

    def line(key: str, label: str, now: Count, prev: Count | None, kind: str) -> TableRow:
        cells = [_text(label), _count(now.batches), _count(now.people), _share(now.batches, total.batches)]
        if prev is not None:
            cells += [_count(prev.batches), _count(prev.people), _change(now.batches, prev.batches)]
        return TableRow(key, tuple(cells), kind)

    def prev_of(keys) -> Count | None:
        if before is None:
            return None
        out = Count()
        for k in keys:
            out = out + before.get(k)
        return out

    out: list[TableRow] = []
    grouped = {k for g in b.groups for k in g.members}
    for g in b.groups:
        members = [r for r in rows if r.key in g.members]
        out += [line(r.key, r.label, r.count, prev_of([r.key]), "item") for r in members]
        out.append(line(g.key, g.label, b.subtotal(g), prev_of(g.members), "subtotal"))
    out += [line(r.key, r.label, r.count, prev_of([r.key]), "item") for r in rows if r.key not in grouped]
    out.append(line("total", "合计", total, before.total if before is not None else None, "total"))
    return StatTable(key, b.title, tuple(columns), tuple(out))


def _earlier(s: Statistics, b: Breakdown) -> Breakdown | None:
    e = s.earlier
    if e is None:
        return None
    return next((x for x in [*e.breakdowns(), e.receptions] if x.title == b.title), None)


# -- what happened to the matters, and the rates --------------------------------------------------------
def figures_table(key: str, title: str, rows: list[tuple[str, str, int, str]]) -> StatTable:
    """项目 | 件数 | 口径: figures, each with what it counts (domain/statistics.figure_rows)."""
    return StatTable(key, title, (Column("label", "项目"), Column("count", "件数", "count"), Column("definition", "口径")),
                     tuple(TableRow(k, (_text(label), _count(value), _text(what))) for k, label, value, what in rows))


def workflow_table(s: Statistics) -> StatTable:
    return figures_table("workflow", "办理情况", s.workflow.rows())


def rates_table(s: Statistics) -> StatTable:
    rows = tuple(TableRow(r.key, (_text(r.name), Cell(r.value, r.text), _count(r.numerator), _count(r.denominator),
                                  _text(r.formula.split(" = ", 1)[1])))
                 for r in s.rates)
    return StatTable("rates", "主要比率", (Column("name", "比率"), Column("value", "数值", "rate"),
                                       Column("numerator", "分子", "count"), Column("denominator", "分母", "count"),
                                       Column("formula", "公式")), rows)


def rate_terms_table(s: Statistics) -> StatTable:
    """Every term of every rate with its count and what it counts: the arithmetic can be redone by hand."""
    rows = []
    for d in RATE_DEFS:
        # the rows of 分母 add up to the denominator, those of 分子 to the numerator
        for k in dict.fromkeys((*d.numerator, *d.denominator, *d.not_counted)):
            if k in d.not_counted:
                role = "不计入"
            else:
                role = "、".join(name for name, keys in (("分子", d.numerator), ("分母", d.denominator)) if k in keys)
            f = FIGURES[k]
            rows.append(TableRow(f"{d.key}.{k}", (_text(d.name), _text(f.label), _count(getattr(s.rate_inputs, k)),
                                                  _text(role), _text(f.definition))))
    return StatTable("rate_terms", "比率的计算项及口径",
                     (Column("rate", "比率"), Column("term", "计算项"), Column("count", "件数", "count"),
                      Column("role", "计入"), Column("definition", "口径")), tuple(rows))


def months_table(s: Statistics) -> StatTable:
    rows = [TableRow(r.key, (_text(r.label), _count(r.count.batches), _count(r.count.people))) for r in s.months.rows]
    t = s.months.total
    rows.append(TableRow("total", (_text("合计"), _count(t.batches), _count(t.people)), "total"))
    return StatTable("months", s.months.title, (Column("label", "月份"), Column("batches", "批次", "count"),
                                                Column("people", "人次", "count")), tuple(rows))


# -- the report --------------------------------------------------------------------------------------------
COUNT_TABLES = (("by_channel", False), ("by_category", False), ("by_subcategory", True), ("by_township", False),
                ("by_repeat", False), ("by_group", False))


def report_tables(s: Statistics) -> list[StatTable]:
    """Every table of the report, in its order; the PDF prints these, the xlsx has a sheet for each
    (and one for the months), the JSON lists them, the page shows them."""
    tables = [count_table(key, getattr(s, key), _earlier(s, getattr(s, key)), omit_empty=omit)
              for key, omit in COUNT_TABLES]
    if s.by_village is not None:        # beside the townships: the same matters by village
        at = next(i for i, t in enumerate(tables) if t.key == "by_township") + 1
        tables[at:at] = village_tables(s)
    tables.append(workflow_table(s))
    if s.by_village is not None:        # beside 办理情况: each village's
        tables.append(village_workflow_table(s))
    tables += [rates_table(s), rate_terms_table(s),
               count_table("receptions", s.receptions, _earlier(s, s.receptions), label_header="方式")]
    if s.resolution is not None:
        tables.append(resolution_table(s))
    return tables


# -- 按村（社区）: the same figures, by the village of the matters ------------------------------------------
VILLAGE_HEADER = "村（社区）"
VILLAGE_NOTE = ("按村（社区）：本期登记的事项按第一信访人所在的村（社区）分列，未填村（社区）的另列一行；"
                "各项数字和比率的口径与全表相同，各行相加等于合计。")
VILLAGE_TABLES = ("by_village", "village_channels", "village_workflow")
# the figures of 办理情况 and the rates each village's row shows: the report's own (FIGURES, RATE_DEFS)
VILLAGE_WORKFLOW = ("received", "accepted", "replied", "closed", "overdue")
VILLAGE_RATES = ("timely_acceptance", "on_time_closure", "satisfaction")


def village_tables(s: Statistics) -> list[StatTable]:
    """The matters by village (批次, 人次, 同比) and each village's matters by channel, shown beside the
    townships; what happened to them, with the rates, is village_workflow_table beside 办理情况. Every row
    of a column adds up to its 合计, and 合计 is the whole report's figure."""
    assert s.by_village is not None
    e = s.earlier
    before = e.by_village if e is not None else None
    counts = count_table("by_village", s.by_village, before, label_header=VILLAGE_HEADER)
    return [counts, village_channel_table(s)]


def village_channel_table(s: Statistics) -> StatTable:
    """村（社区） | 走访 | 书信 | … | 合计, in 批次: the channels of the report's 按信访形式 table."""
    channels = s.by_channel.rows
    columns = (Column("label", VILLAGE_HEADER), *(Column(r.key, r.label, "count") for r in channels),
               Column("total", "合计", "count"))
    rows = [TableRow(v.key, (_text(v.label), *(_count(v.by_channel.get(r.key).batches) for r in channels),
                             _count(v.total.batches)))
            for v in s.villages]
    rows.append(TableRow("total", (_text("合计"), *(_count(r.count.batches) for r in channels),
                                   _count(s.total.batches)), "total"))
    return StatTable("village_channels", "各村（社区）按信访形式（批次）", columns, tuple(rows))


def village_workflow_table(s: Statistics) -> StatTable:
    """村（社区） | 登记总数 | 受理数 | … | 及时受理率 | …: each village's matters followed to the statistics
    date, and its rates over them, by the definitions of 办理情况 and 主要比率; 合计 is the report's own row."""
    defs = {d.key: d for d in RATE_DEFS}
    columns = (Column("label", VILLAGE_HEADER), *(Column(k, FIGURES[k].label, "count") for k in VILLAGE_WORKFLOW),
               *(Column(k, defs[k].name, "rate") for k in VILLAGE_RATES))

    def line(key: str, label: str, wf: WorkflowFigures, inputs: RateInputs, kind: str) -> TableRow:
        by_key = {r.key: r for r in rates(inputs)}
        return TableRow(key, (_text(label), *(_count(getattr(wf, k)) for k in VILLAGE_WORKFLOW),
                              *(Cell(by_key[k].value, by_key[k].text) for k in VILLAGE_RATES)), kind)

    rows = [line(v.key, v.label, v.workflow, v.rate_inputs, "item") for v in s.villages]
    rows.append(line("total", "合计", s.workflow, s.rate_inputs, "total"))
    return StatTable("village_workflow", "各村（社区）办理情况", columns, tuple(rows))


def resolution_table(s: Statistics) -> StatTable:
    """信访评理 and the 积案 register: each figure with what it counts (domain/statistics_resolution.py)."""
    assert s.resolution is not None
    return figures_table("resolution", "信访评理和积案化解", s.resolution.rows())
