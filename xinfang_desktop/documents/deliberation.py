"""评理意见: the reasoned view a 信访评理 panel gave on a contested matter, on one page.

Same page and checked text as the notices (GB/T 9704 layout, missing glyphs reported by field): the
session in a small table (matter, when and where, the panel by name and role, who attended, whether the
petitioner accepted the view), then the parties' statements in brief and the panel's view, then lines
for the panel's signatures and the office's seal. No ID numbers, addresses or phones: the view is read
out in public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.enums import TA_CENTER
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from xinfang_desktop.domain.errors import InvalidInput

from . import DocumentKind, register_document
from .fonts import get_fonts
from .layout import LEADING, TABLE_LEADING, TABLE_SIZE, TEXT_W, RenderedDocument, Styles, Writer, build, fmt_date, keep_last, title_block
from .model import DocCase

TITLE = "信访评理意见"


@dataclass(frozen=True)
class DeliberationDetails:
    held_on: date
    place: str
    panel: tuple[str, ...]                # "张三（老党员）"
    attendees: tuple[str, ...]
    statements: str                       # 各方陈述（摘要）
    view: str                             # 评理意见
    accepted: bool                        # 信访人是否接受

    def __post_init__(self):
        if not self.panel:
            raise InvalidInput("评理意见须列明评理团成员", field="panel")
        if not (self.view or "").strip():
            raise InvalidInput("评理意见须写明评理团的意见", field="view")


def _session_table(w: Writer, st: Styles, case: DocCase, d: DeliberationDetails) -> Table:
    rows = [
        [w.p("评理事项", st.cell_label), w.p([("评理事项", case.request)], st.cell)],
        [w.p("时间地点", st.cell_label), w.p([fmt_date(d.held_on) + "，", ("评理地点", d.place)], st.cell)],
        [w.p("评理团", st.cell_label), w.p([("评理团", "、".join(d.panel))], st.cell)],
        [w.p("到场人员", st.cell_label), w.p([("到场人员", "、".join(d.attendees))], st.cell)],
    ]
    if case.concerned_unit:
        rows.append([w.p("被反映单位", st.cell_label), w.p([("被反映单位", case.concerned_unit)], st.cell)])
    rows.append([w.p("信访人意见", st.cell_label),
                 w.p("接受评理意见" if d.accepted else "未接受评理意见", st.cell)])
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), w.fonts.body),
        ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ])
    return Table(rows, colWidths=[30 * mm, TEXT_W - 30 * mm], style=style)


def _closing(w: Writer, st: Styles, office: str, issued_on: date) -> Table:
    """The panel's signature lines at the left, the office and the date at the right (the seal covers
    them): side by side, so the page keeps room for the text."""
    right = ParagraphStyle("closing_right", parent=st.flush, alignment=TA_CENTER)
    return Table([[w.p("评理团成员（签名）：", st.cell), w.p([("发文机关", office)], right)],
                  ["", w.p([("成文日期", fmt_date(issued_on))], right)]],
                 colWidths=[TEXT_W / 2, TEXT_W / 2], rowHeights=[10 * mm, 10 * mm],
                 style=TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                   ("LINEBELOW", (0, 1), (0, 1), 0.5, colors.black),
                                   ("RIGHTPADDING", (0, 0), (0, -1), 8 * mm)]))


def render_deliberation(case: DocCase, details: DeliberationDetails, *, redacted: bool = False,
                        issued_on: date | None = None) -> RenderedDocument:
    """One page: statements and a view too long for the official body size are set in the tables' size."""
    rendered = _render(case, details, redacted, issued_on, compact=False)
    return rendered if rendered.pages == 1 else _render(case, details, redacted, issued_on, compact=True)


def _render(case: DocCase, details: DeliberationDetails, redacted: bool, issued_on: date | None, *,
            compact: bool) -> RenderedDocument:
    fonts = get_fonts()
    w, st = Writer(fonts, redacted), Styles(fonts)
    if compact:
        st.body = ParagraphStyle("body_compact", parent=st.body, fontSize=TABLE_SIZE, leading=TABLE_LEADING,
                                 firstLineIndent=2 * TABLE_SIZE)
        st.heading = ParagraphStyle("heading_compact", parent=st.heading, fontSize=TABLE_SIZE + 2,
                                    leading=TABLE_LEADING + 4, firstLineIndent=2 * TABLE_SIZE)
    d = details
    issued_on = issued_on or d.held_on
    story: list[Flowable] = title_block(w, st, TITLE, case.number)
    story.append(_session_table(w, st, case, d))
    story.append(Spacer(1, LEADING * 0.3))
    story.append(w.p("一、各方陈述", st.heading))
    story += w.paras("各方陈述", d.statements, st.body)
    story.append(w.p("二、评理意见", st.heading))
    story += w.paras("评理意见", d.view, st.body)
    if not compact:       # a long text keeps the page by leaving out the customary note
        story.append(Spacer(1, LEADING * 0.2))
        story.append(w.p("说明：本意见由评理团根据各方陈述和有关政策法规公开评议作出，供信访人和有关单位参考；"
                         "信访人仍有异议的，可依法通过其他途径解决。", st.note))
    story.append(KeepTogether([*keep_last(story, 1), Spacer(1, LEADING * 0.3),
                               _closing(w, st, case.office_name, issued_on)]))
    return build(TITLE, story, w, author=case.office_name, subject=case.number)


register_document(DocumentKind("deliberation", "信访评理意见", DeliberationDetails, render_deliberation))
