"""会议纪要: the minutes of a 跟踪督办会, 推进会, 信访工作联席会议 or 专题会/研判会 (issue 19) on one page — who met,
the matters discussed and, for each, the tasks handed to units with their deadlines.

The notices' page and checked text (GB/T 9704 layout, missing glyphs reported by field); the matters and
tasks in one table in 小四 so that a month's meeting fits on one page. Matters are named by number and
request only (no petitioners' names): the minutes go to the units concerned and carry no ID numbers, phones or addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from .fonts import get_fonts
from .layout import LEADING, TEXT_W, RenderedDocument, Styles, Writer, build, fmt_date, keep_last, signature_block

REQUEST_CHARS = 18          # a matter's request, shortened in the table (two lines with its number)
TABLE_FONT = 10.5           # 五号: eight matters and their tasks fit under the heading on one page
TABLE_LEADING = 15


@dataclass(frozen=True)
class MinutesTask:
    unit: str
    what: str
    due_on: date


@dataclass(frozen=True)
class MinutesMatter:
    number: str
    parties: str
    request: str
    summary: str
    tasks: tuple[MinutesTask, ...]


@dataclass(frozen=True)
class MinutesDetails:
    kind: str                 # 跟踪督办会 / 推进会 / 信访工作联席会议 / 专题会／研判会
    held_on: date
    issue: int                # 第N期 of its kind in the office's year
    topic: str
    place: str
    chair: str
    units: tuple[str, ...]
    office: str               # the office that held it (落款)
    matters: tuple[MinutesMatter, ...]
    notes: str = ""


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _due(day: date, held_on: date) -> str:
    return f"{day.month}月{day.day}日" if day.year == held_on.year else f"{day.year}年{day.month}月{day.day}日"


def _matters_table(w: Writer, st: Styles, d: MinutesDetails) -> Table:
    cell = ParagraphStyle("minutes_cell", parent=st.cell, fontSize=TABLE_FONT, leading=TABLE_LEADING)
    label = ParagraphStyle("minutes_label", parent=st.cell_label, fontSize=TABLE_FONT, leading=TABLE_LEADING)
    center = ParagraphStyle("minutes_center", parent=st.cell_center, fontSize=TABLE_FONT, leading=TABLE_LEADING)
    rows = [[w.p("序号", label), w.p("研究事项", label), w.p("议定任务", label), w.p("责任单位", label),
             w.p("完成时限", label)]]
    spans = []
    for i, m in enumerate(d.matters, 1):
        first = len(rows)
        said = [(f"事项{i}研究情况", f"。{m.summary}")] if m.summary else []
        matter = w.p([(f"事项{i}编号", m.number), " ", (f"事项{i}诉求", _short(m.request, REQUEST_CHARS)), *said], cell)
        tasks = m.tasks or (None,)
        for j, t in enumerate(tasks, 1):
            if t is None:
                cells = [w.p("（未议定任务）", cell), "", ""]
            else:
                cells = [w.p([(f"事项{i}任务{j}", t.what)], cell), w.p([(f"事项{i}任务{j}责任单位", t.unit)], cell),
                         w.p(_due(t.due_on, d.held_on), center)]
            rows.append([w.p(str(i), center) if j == 1 else "", matter if j == 1 else "", *cells])
        if len(tasks) > 1:
            spans += [("SPAN", (0, first), (0, len(rows) - 1)), ("SPAN", (1, first), (1, len(rows) - 1))]
    widths = [10 * mm, 57 * mm, 44 * mm, 26 * mm]
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), w.fonts.body),
        ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *spans,
    ])
    return Table(rows, colWidths=[*widths, TEXT_W - sum(widths)], style=style, repeatRows=1)


def render_minutes(d: MinutesDetails) -> RenderedDocument:
    fonts = get_fonts()
    w, st = Writer(fonts, False), Styles(fonts)
    title = f"{d.kind}纪要"
    story: list[Flowable] = [w.title(title, st.title),
                             w.p([f"（{d.held_on.year}年第{d.issue}期）"], st.docno_center_last)]
    # Two lines of facts: when and where; who chaired and which units came (the subject of a 专题会 between).
    lines = [[("时间", fmt_date(d.held_on)), ("地点", d.place)], [("议题", d.topic)],
             [("主持", d.chair), ("参会单位", "、".join(d.units))]]
    for line in lines:
        parts: list = []
        for label, value in line:
            if value:
                parts += ["，" if parts else "", f"{label}：", (label, value)]
        if parts:
            story.append(w.p(parts, st.note))
    story.append(Spacer(1, LEADING * 0.2))
    intro = ParagraphStyle("minutes_intro", parent=st.note, firstLineIndent=2 * st.note.fontSize)
    n_tasks = sum(len(m.tasks) for m in d.matters)
    story.append(w.p(f"会议研究了{len(d.matters)}件信访事项，议定任务{n_tasks}项，纪要如下。各责任单位按时限办理，"
                     "办理结果报信访工作机构；逾期未完成的，提交下次会议督办。", intro))
    story.append(Spacer(1, LEADING * 0.2))
    story.append(_matters_table(w, st, d))
    if d.notes.strip():
        story.append(Spacer(1, LEADING * 0.2))
        story += w.paras("其他事项", d.notes, st.note, lead=["其他事项："])
    # The seal is kept with the last lines of text (the notes), never alone on a page; a table is not split for it.
    story.append(signature_block(w, st, d.office, d.held_on, keep_last(story) if d.notes.strip() else ()))
    return build(title, story, w, author=d.office, subject=f"{d.kind} {d.held_on:%Y-%m-%d}")
