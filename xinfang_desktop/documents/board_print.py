"""The matters needing a leader (the attention board) on A4 landscape, for the leaders' meeting:
one ruled table per colour, each headed by its shape, colour word and letter (readable in black
and white and by people who cannot tell red from green); a row per matter with its number,
category and request in brief, its petitioners as the matter's parties, every reason for the
colour, who owns it, the next step and its date.

Laid out by matter, never by person, and with no ID numbers, addresses or villages: the printout
says which grievances need a leader, it must never read as a list of people to watch (DOMAIN.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Mapping

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from xinfang_desktop.domain.board import Colour

from . import DocumentKind, register_document
from .fonts import get_fonts, missing_glyphs
from .layout import Raw, RenderedDocument, Styles, Writer, fmt_date

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 15 * mm
TEXT_W = PAGE_W - 2 * MARGIN
SIZE = 10
LEAD = 13.5

# Light tints: the shape and the words carry the meaning; the tint only helps at a glance.
TITLE = "需领导关注的信访事项"

TINT = {Colour.RED: colors.HexColor("#f9d6d6"), Colour.ORANGE: colors.HexColor("#fde2c4"),
        Colour.YELLOW: colors.HexColor("#fff3b8"), Colour.GREEN: colors.HexColor("#d9f0dc")}


@dataclass(frozen=True)
class BoardPrintCard:
    """One matter on the printout: only what a leader needs to act on it."""

    colour: Colour
    number: str                       # the matter's case number
    category: str                     # 「劳动和社会保障/劳动关系」
    request: str                      # the request in brief
    parties: str                      # 「张三等6人」: the petitioners, as the matter's parties
    petitions: tuple[str, ...]        # its other petitions on the board: "350881102-2026-00017（待处理）"
    reasons: tuple[str, ...]
    owner: str                        # 「李镇长（包案）」 or the unit handling it
    next_step: str | None
    next_date: date | None
    override: str | None = None       # a leader's written adjustment, as the card shows it


@dataclass(frozen=True)
class BoardPrintDetails:
    office_name: str
    on: date
    cards: tuple[BoardPrintCard, ...]
    filters: str = ""                  # "乡镇：永福镇；颜色：红A", empty for the whole board
    meanings: Mapping[Colour, str] | None = None   # each colour under the rules in force (default: the defaults)


class _Doc(BaseDocTemplate):
    def __init__(self, buf, font: str, heading: str, **kw):
        super().__init__(buf, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN + 6 * mm, initialFontName=font, **kw)
        frame = Frame(MARGIN, MARGIN + 6 * mm, TEXT_W, PAGE_H - 2 * MARGIN - 6 * mm, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._furniture)])
        self._font = font
        self._heading = heading

    def _furniture(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(self._font, 9)
        canvas.drawString(MARGIN, MARGIN, self._heading)
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN, f"第 {canvas.getPageNumber()} 页")
        canvas.restoreState()


def render_board(details: BoardPrintDetails, *, redacted: bool = True, issued_on: date | None = None) -> RenderedDocument:
    """`redacted` is accepted for the registry's signature; the board never prints a full ID."""
    fonts = get_fonts()
    w, st = Writer(fonts, True), Styles(fonts)
    cell = ParagraphStyle("bcell", parent=st.cell, fontSize=SIZE, leading=LEAD, rightIndent=SIZE * 0.6)
    code = ParagraphStyle("bcode", parent=cell, rightIndent=0)
    head = ParagraphStyle("bhead", parent=st.cell_label, fontSize=SIZE, leading=LEAD)
    title_style = ParagraphStyle("btitle", parent=st.title, fontSize=18, leading=26, spaceAfter=4)
    band = ParagraphStyle("bband", parent=st.cell_label, fontSize=12, leading=16, alignment=0)
    d = details
    title = TITLE
    story: list[Flowable] = [w.title(title, title_style)]
    counts = {c: sum(1 for k in d.cards if k.colour == c) for c in Colour}
    line = "；".join(f"{c.title} {counts[c]}件" for c in Colour)
    story.append(w.p([("单位", d.office_name), f"　{fmt_date(d.on)}　四色看板，共{len(d.cards)}件：{line}"]
                     + (["　筛选：", ("筛选条件", d.filters)] if d.filters else []),
                     ParagraphStyle("bsub", parent=cell, alignment=1)))
    story.append(w.p("颜色按《信访工作条例》期限和事项事实依公开规则生成，反映诉求的紧急程度，用于推动化解，不用于限制信访人。",
                     ParagraphStyle("bnote", parent=cell, alignment=1, fontSize=9, leading=12)))
    story.append(Spacer(1, 3 * mm))
    widths = [11 * mm, 40 * mm, 50 * mm, 28 * mm, 0, 32 * mm, 40 * mm]
    widths[4] = TEXT_W - sum(widths)
    headers = ["序号", "事项编号", "类别及诉求", "信访人", "颜色原因", "责任领导／承办", "下一步及日期"]
    cols = len(headers)
    for colour in Colour:
        group = [k for k in d.cards if k.colour == colour]
        meaning = (d.meanings or {}).get(colour) or colour.meaning
        rows: list[list] = [[w.p(f"{colour.title}　{counts[colour]}件　{meaning}", band)] + [""] * (cols - 1),
                            [w.p(h, head) for h in headers]]
        for i, k in enumerate(group, 1):
            reasons = [("原因", r) for r in k.reasons]
            parts: list = []
            for j, r in enumerate(reasons):
                parts += (["<br/>"] if j else []) + [f"{j + 1}．" if len(reasons) > 1 else "", r]
            if k.override:
                parts += ["<br/>", "领导调整：", ("领导调整", k.override)]
            step = ([("下一步", k.next_step or "")] + (["<br/>", fmt_date(k.next_date)] if k.next_date else []))
            number = [("事项编号", k.number)]
            if k.petitions:
                number += [Raw("<br/>"), f"另有信访{len(k.petitions)}件："]
                for m in k.petitions:
                    number += [Raw("<br/>"), ("事项", m)]
            rows.append([
                w.p(f"{i}", cell), w.p(number, code),
                w.p([("类别", k.category), Raw("<br/>"), ("诉求", k.request)], cell),
                w.p([("信访人", k.parties)], cell),
                Paragraph(w.m([_raw(p) for p in parts]), cell), w.p([("责任", k.owner)], cell),
                Paragraph(w.m([_raw(p) for p in step]), cell)])
        if not group:
            rows.append([w.p("（无）", cell)] + [""] * (cols - 1))
        style = TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), fonts.body),
            ("GRID", (0, 1), (-1, -1), 0.5, colors.black),
            ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
            ("SPAN", (0, 0), (-1, 0)),
            ("BACKGROUND", (0, 0), (-1, 0), TINT[colour]),
            ("BACKGROUND", (0, 1), (-1, 1), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *([("SPAN", (0, 2), (-1, 2))] if not group else []),
        ])
        story.append(Table(rows, colWidths=widths, style=style, repeatRows=2))
        story.append(Spacer(1, 4 * mm))
    buf = io.BytesIO()
    footer_font = next((f for f in fonts.chain(fonts.body) if not missing_glyphs("第页0123456789", f)), fonts.body)
    doc = _Doc(buf, footer_font, f"{d.office_name}  {title}（四色看板）  {fmt_date(d.on)}", title=title,
               author=d.office_name, creator="信访工作平台")
    from .layout import _render_lock  # reportlab keeps global state: one build at a time, as layout.build

    with _render_lock:
        doc.build(story)
        pages = doc.page
    return RenderedDocument(title=title, pdf=buf.getvalue(), missing=w.missing, pages=pages)


def _raw(part):
    # "<br/>" is a tag this module writes itself; everything else goes through the glyph check.
    return Raw(part) if part == "<br/>" else part


def _br(parts: list) -> list:
    out: list = []
    for i, p in enumerate(parts):
        if i:
            out.append(Raw("<br/>"))
        out.append(p)
    return out


def _render_registered(details: BoardPrintDetails, **options) -> RenderedDocument:
    return render_board(details, **{k: v for k, v in options.items() if k in ("redacted", "issued_on")})


register_document(DocumentKind("board", "需领导关注的信访事项（四色看板，A4横向）", None, _render_registered))
