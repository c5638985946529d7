"""信访工作统计报告: the monthly, quarterly and yearly report (GB/T 9704 page) with the tables,
charts (bars by category and township, a line over months) and the definition of every rate.

Charts are reportlab.graphics drawings (vector, fonts embedded), not pictures, so they print
sharp and their labels go through the same glyph check as the text.
"""

from __future__ import annotations

from datetime import date

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from ..domain.statistics import Breakdown, Statistics, change_text
from ..domain.statistics_tables import COUNT_NOTE, VILLAGE_NOTE, WORDS_NOTE, StatTable, report_tables
from .fonts import get_fonts, markup
from .layout import LEADING, TEXT_W, Styles, Writer, build, fmt_date, signature_block

BAR = colors.HexColor("#2f6db5")
BAR_EARLIER = colors.HexColor("#b7c9e2")
LINE = colors.HexColor("#c0392b")
CHART_FONT_SIZE = 9


def _grid(header_rows: int = 1, extra=()) -> TableStyle:
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), get_fonts().body),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.whitesmoke),
        *extra,
    ])


class _Report:
    def __init__(self, s: Statistics, office: str, redacted: bool):
        self.stats = s
        self.office = office
        fonts = get_fonts()
        self.fonts = fonts
        self.w = Writer(fonts, redacted)
        self.st = Styles(fonts)
        self.caption = ParagraphStyle("caption", parent=self.st.note, alignment=TA_CENTER, fontName=fonts.heading,
                                      spaceBefore=6, spaceAfter=4)
        self.small = ParagraphStyle("small", parent=self.st.note, fontSize=10.5, leading=16)
        # the statistics tables in 五号 (10.5 pt), definitions smaller: a year's 80 categories in two pages
        self.t_cell = ParagraphStyle("t_cell", parent=self.st.cell, fontSize=10.5, leading=14)
        self.t_num = ParagraphStyle("t_num", parent=self.t_cell, alignment=TA_RIGHT, rightIndent=0)
        self.t_head = ParagraphStyle("t_head", parent=self.st.cell_label, fontSize=10.5, leading=13)
        self.small_cell = ParagraphStyle("small_cell", parent=self.st.cell, fontSize=9.5, leading=13)
        self.table_no = 0
        self.figure_no = 0

    # -- pieces ------------------------------------------------------------------------------------
    def caption_for(self, kind: str, title: str):
        if kind == "表":
            self.table_no += 1
            n = self.table_no
        else:
            self.figure_no += 1
            n = self.figure_no
        return self.w.p(f"{kind}{n}  {title}", self.caption)

    # the columns of each kind of table, in millimetres (scaled to the text block)
    WIDTHS = {"count": [48, 13, 14, 15, 17, 17, 23], "workflow": [36, 14, 100], "rates": [24, 17, 14, 14, 87],
              "rate_terms": [24, 30, 13, 24, 65], "resolution": [36, 14, 100]}
    # tables whose first column (this wide) names a place and the others are figures of equal width
    EVEN = {"village_channels": 36, "village_workflow": 36}

    def stat_table(self, t: StatTable) -> list[Flowable]:
        """A table of the report exactly as the model has it (domain.statistics_tables): the same cells
        as the page, the xlsx and the JSON. Subtotal and total rows are set in the heading font."""
        w, head = self.w, self.t_head
        styles = {"text": self.t_cell, "count": self.t_num, "share": self.t_num, "change": self.t_num,
                  "rate": self.t_num}
        long_text = {"definition", "formula"}
        data = [[w.p(h, head) for h in t.headers]]
        for r in t.rows:
            line = []
            for col, cell in zip(t.columns, r.cells):
                style = self.small_cell if col.key in long_text else styles[col.kind]
                if r.kind != "item" and col.kind == "text":
                    style = head
                line.append(w.p([(col.header, cell.text)], style))
            data.append(line)
        if t.key in self.EVEN:
            # the name, then columns of figures side by side (channels, or figures and rates), alike
            widths = [self.EVEN[t.key]] + [(156 - self.EVEN[t.key]) / (len(t.columns) - 1)] * (len(t.columns) - 1)
        else:
            widths = self.WIDTHS.get(t.key) or self.WIDTHS["count"]
        widths = widths[:len(t.columns)]
        scale = TEXT_W / sum(widths)
        shaded = [("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor("#eef3fa"))
                  for i, r in enumerate(t.rows) if r.kind == "subtotal"]
        caption = self.caption_for("表", t.title)
        table = Table(data, colWidths=[x * scale for x in widths], repeatRows=1, style=_grid(extra=shaded))
        if len(data) <= (9 if any(c.key in long_text for c in t.columns) else 26):
            # a table of counts up to about a page is kept whole: never a total alone overleaf
            return [KeepTogether([caption, table])]
        # A long table may split (its header repeats); it starts only where a few rows fit under the caption.
        return [CondPageBreak(45 * mm), caption, table]

    def _earlier(self, b: Breakdown) -> Breakdown | None:
        e = self.stats.earlier
        if e is None:
            return None
        return next((x for x in [*e.breakdowns(), e.receptions] if x.title == b.title), None)

    def _label(self, text: str) -> str:
        """A chart label in a font that has its characters (charts take plain strings)."""
        _, missing = markup(text, self.fonts.chain(self.fonts.body))
        for ch in missing:
            self.w._missing[("图表标签", ch)] = None
        return text

    def _value_axis(self, axis, top: float) -> None:
        """From 0 to a round maximum above `top` in five steps, gridded, labelled in the body font."""
        axis.valueMin = 0
        axis.valueMax = _nice_max(top)
        axis.valueStep = _nice_max(top) / 5
        axis.labels.fontName = self.fonts.body
        axis.labels.fontSize = CHART_FONT_SIZE
        axis.visibleGrid = True
        axis.gridStrokeColor = colors.HexColor("#dddddd")

    def bar_chart(self, b: Breakdown, title: str, *, max_rows: int = 16) -> list[Flowable]:
        rows = sorted((r for r in b.rows if r.count.batches), key=lambda r: -r.count.batches)[:max_rows]
        if not rows:
            return []
        rows.reverse()                       # the largest at the top of a horizontal chart
        before = self._earlier(b)
        bar_h = 7 if before is None else 5
        h = len(rows) * (bar_h * (2 if before is not None else 1) + 6) + 30
        d = Drawing(TEXT_W, h)
        chart = HorizontalBarChart()
        chart.x, chart.y = 40 * mm, 18
        chart.width, chart.height = TEXT_W - 52 * mm, h - 30
        series = [[r.count.batches for r in rows]]
        if before is not None:
            series.insert(0, [before.get(r.key).batches for r in rows])
        chart.data = series
        chart.bars[0].fillColor = BAR_EARLIER if before is not None else BAR
        if before is not None:
            chart.bars[1].fillColor = BAR
        chart.bars.strokeColor = None
        chart.barWidth = bar_h
        chart.groupSpacing = 6
        chart.barSpacing = 0
        chart.categoryAxis.categoryNames = [self._label(r.label.split("/")[-1][:12]) for r in rows]
        chart.categoryAxis.labels.fontName = self.fonts.body
        chart.categoryAxis.labels.fontSize = CHART_FONT_SIZE
        chart.categoryAxis.labels.dx = -3
        chart.categoryAxis.labels.textAnchor = "end"
        chart.categoryAxis.labels.boxAnchor = "e"
        self._value_axis(chart.valueAxis, max(max(x) for x in series))
        chart.barLabelFormat = "%d"
        chart.barLabels.fontName = self.fonts.body
        chart.barLabels.fontSize = CHART_FONT_SIZE - 1
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 2
        d.add(chart)
        if before is not None:
            self._legend(d, h - 8)
        return [KeepTogether([self.caption_for("图", title), d])]

    def _legend(self, d: Drawing, y: float) -> None:
        from reportlab.graphics.shapes import Rect
        x = TEXT_W - 58 * mm
        for color, text in ((BAR, "本期"), (BAR_EARLIER, "上年同期")):
            d.add(Rect(x, y - 1, 8, 7, fillColor=color, strokeColor=None))
            d.add(String(x + 11, y, self._label(text), fontName=self.fonts.body, fontSize=CHART_FONT_SIZE))
            x += 26 * mm

    def line_chart(self, b: Breakdown) -> list[Flowable]:
        if not b.rows:
            return []
        h = 62 * mm
        d = Drawing(TEXT_W, h)
        chart = HorizontalLineChart()
        chart.x, chart.y = 14 * mm, 22
        chart.width, chart.height = TEXT_W - 20 * mm, h - 40
        chart.data = [[r.count.batches for r in b.rows], [r.count.people for r in b.rows]]
        chart.lines[0].strokeColor = BAR
        chart.lines[0].strokeWidth = 1.8
        chart.lines[1].strokeColor = LINE
        chart.lines[1].strokeWidth = 1.2
        chart.lines[1].strokeDashArray = (3, 2)
        labels = [f"{int(r.key[5:])}月" if r.key[5:] != "01" and i else f"{r.key[:4]}年{int(r.key[5:])}月"
                  for i, r in enumerate(b.rows)]
        chart.categoryAxis.categoryNames = [self._label(x) for x in labels]
        chart.categoryAxis.labels.fontName = self.fonts.body
        chart.categoryAxis.labels.fontSize = CHART_FONT_SIZE - (1 if len(labels) > 12 else 0)
        chart.categoryAxis.labels.angle = 30 if len(labels) > 12 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 12 else "n"
        self._value_axis(chart.valueAxis, max(max(x) for x in chart.data))
        chart.lineLabelFormat = "%d"
        chart.lineLabels.fontName = self.fonts.body
        chart.lineLabels.fontSize = CHART_FONT_SIZE - 1
        chart.lineLabels.dy = 4
        d.add(chart)
        from reportlab.graphics.shapes import Line
        x = TEXT_W - 60 * mm
        for color, text, dash in ((BAR, "批次", None), (LINE, "人次", (3, 2))):
            d.add(Line(x, h - 6, x + 14, h - 6, strokeColor=color, strokeWidth=1.6, strokeDashArray=dash))
            d.add(String(x + 17, h - 9, self._label(text), fontName=self.fonts.body, fontSize=CHART_FONT_SIZE))
            x += 28 * mm
        return [KeepTogether([self.caption_for("图", f"逐月登记情况（{b.rows[0].label}至{b.rows[-1].label}）"), d])]

    # -- the whole report --------------------------------------------------------------------------
    def summary(self) -> str:
        s = self.stats
        total, wf = s.total, s.workflow
        text = (f"本期共登记信访事项{total.batches}批{total.people}人次，其中受理{wf.accepted}批，"
                f"不予受理或不再受理{wf.refused}批")
        if s.earlier is not None:
            e = s.earlier.total
            text += f"。{s.earlier_label}登记{e.batches}批{e.people}人次"
            if e.batches:
                text += f"，批次{change_text(total.batches, e.batches)}、人次{change_text(total.people, e.people)}"
        text += "。"
        channels = [r for r in s.by_channel.rows if r.count.batches]
        if channels:
            text += "按信访形式，" + "，".join(f"{r.label}{r.count.batches}批{r.count.people}人次" for r in channels) + "。"
        rep, grp, joint = s.by_repeat.get("repeat"), s.by_group.get("group"), s.by_group.get("joint")
        text += f"重件{rep.batches}批，集体访{grp.batches}批{grp.people}人次，联名信访{joint.batches}批{joint.people}人次。"
        tops = sorted((r for r in s.by_category.rows if r.count.batches), key=lambda r: -r.count.batches)[:3]
        if tops:
            text += "反映较多的问题是" + "、".join(f"{r.label}（{r.count.batches}批）" for r in tops) + "。"
        return text

    def story(self, issued_on: date) -> list[Flowable]:
        s, w, st = self.stats, self.w, self.st
        title = f"{s.scope_label}信访工作统计{s.period.report_title}"
        out: list[Flowable] = [w.title([("统计范围", title)], st.title),
                               w.p([f"（{s.period.label}，统计日{fmt_date(s.as_of)}）"],
                                   ParagraphStyle("sub", parent=st.flush, alignment=TA_CENTER)),
                               Spacer(1, LEADING * 0.4)]
        tables = {t.key: t for t in report_tables(s)}
        out += [w.p("一、总体情况", st.heading), w.p(self.summary(), st.body)]
        if s.earlier is not None and s.comparison != s.earlier_label:
            out.append(w.p(f"注：{s.comparison}。", self.small))
        out += self.stat_table(tables["by_channel"])
        out += self.stat_table(tables["by_category"])
        out += self.bar_chart(s.by_category, "问题类别（一级，批次）")
        out += self.stat_table(tables["by_subcategory"])
        out += self.stat_table(tables["by_township"])
        out += self.bar_chart(s.by_township, "各乡镇（街道）登记批次")
        if "by_village" in tables:
            # the note says how the villages are counted: never apart from their first table
            out.append(KeepTogether([w.p(VILLAGE_NOTE, self.small), *self.stat_table(tables["by_village"])]))
            out += self.bar_chart(s.by_village, "各村（社区）登记批次")
            out += self.stat_table(tables["village_channels"])
        out += self.stat_table(tables["by_repeat"]) + self.stat_table(tables["by_group"])
        out += self.line_chart(s.months)
        out += [CondPageBreak(60 * mm), Spacer(1, LEADING * 0.5), w.p("二、办理情况", st.heading),
                w.p("本期登记的事项截至统计日的办理情况。", self.small)]
        out += self.stat_table(tables["workflow"])
        if "village_workflow" in tables:
            out += self.stat_table(tables["village_workflow"])
        out += [CondPageBreak(60 * mm), Spacer(1, LEADING * 0.5), w.p("三、主要比率及其口径", st.heading)]
        out += self.stat_table(tables["rates"])
        for r in s.rates:
            out.append(w.p([r.formula, "：", r.worked, "。"], self.small))
        out += self.stat_table(tables["rate_terms"])
        out.append(w.p(WORDS_NOTE, self.small))
        # never the heading alone at the foot of a page
        out.append(KeepTogether([Spacer(1, LEADING * 0.5), w.p("四、领导接访", st.heading),
                                 *self.stat_table(tables["receptions"])]))
        if "resolution" in tables:
            out.append(KeepTogether([Spacer(1, LEADING * 0.5), w.p("五、信访评理和积案化解", st.heading),
                                     *self.stat_table(tables["resolution"])]))
        out.append(w.p("说明：" + COUNT_NOTE + "各项数字由系统根据登记和办理记录自动统计，非人工填报。", self.small))
        out.append(signature_block(w, st, self.office, issued_on))
        return out


def _nice_max(value: int) -> float:
    """A round axis maximum at or above `value`, divisible into 5 steps."""
    if value <= 5:
        return 5
    import math
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value and (top / 5) == int(top / 5):
            return top
    return 10 * magnitude


def render_statistics_report(stats: Statistics, *, office: str | None = None, redacted: bool = False,
                             issued_on: date | None = None):
    """The report of `stats` (with `stats.earlier` for the comparison with a year earlier)."""
    office = office or stats.scope_label
    r = _Report(stats, office, redacted)
    story = r.story(issued_on or stats.as_of)
    title = f"{stats.scope_label}信访工作统计{stats.period.report_title}（{stats.period.label}）"
    return build(title, story, r.w, author=office, subject=stats.period.label)


def _register() -> None:
    from . import DOCUMENTS, DocumentKind, register_document

    if "statistics_report" not in DOCUMENTS:
        register_document(DocumentKind("statistics_report", "信访工作统计报告", None, render_statistics_report))


_register()
