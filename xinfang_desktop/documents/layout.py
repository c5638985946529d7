"""Page layout shared by the documents: GB/T 9704-2012 page, styles, checked text, the result.

Every piece of text a document prints goes through :class:`Writer`, which escapes it, switches
characters the primary font lacks to a fallback font, and records by field the characters that
no font has. So a :class:`RenderedDocument` always says what would not print.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
import reportlab.lib.textsplit as _rltextsplit
import reportlab.platypus.paragraph as _rlpara
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
)

from xinfang_desktop.domain.idcard import mask_id_number
from xinfang_desktop.domain.phones import mask_phone

from .fonts import FontSet, markup, missing_glyphs

# --- GB/T 9704-2012 geometry -------------------------------------------------------------------
PAGE_W, PAGE_H = A4
MARGIN_TOP = 37 * mm  # 天头
MARGIN_LEFT = 28 * mm  # 订口
TEXT_W = 156 * mm  # 版心宽
TEXT_H = 225 * mm  # 版心高
MARGIN_BOTTOM = PAGE_H - MARGIN_TOP - TEXT_H  # 35 mm

TITLE_SIZE = 22  # 二号
BODY_SIZE = 15.75  # 三号 (16 pt); 15.75 pt puts exactly 28 characters in the 156 mm line
LEADING = 28.95  # 22 lines in the 225 mm block
PAGE_NUMBER_SIZE = 14  # 四号
TABLE_SIZE = 12  # 小四, for forms
TABLE_LEADING = 18

_render_lock = threading.Lock()

# Chinese line-breaking (避头): reportlab's list of characters that cannot start a line lacks the
# full-width comma, colon, semicolon, question and exclamation marks, closing book-title marks and
# quotes. Such a character is hung in the margin at the end of the previous line instead.
_CANNOT_START_EXTRA = "，：；？！》〉”’…％·"
for _mod in (_rlpara, _rltextsplit):  # single-font paragraphs wrap in textsplit, mixed in paragraph
    _mod.ALL_CANNOT_START += "".join(c for c in _CANNOT_START_EXTRA if c not in _mod.ALL_CANNOT_START)


# --- results -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MissingGlyph:
    """A character no available font can print, and the field it is in."""

    field: str
    char: str

    def __str__(self) -> str:
        return f"{self.field}：{self.char}"


@dataclass(frozen=True)
class RenderedDocument:
    """A rendered document. ``missing`` is empty when every character prints; otherwise the GUI
    must warn before printing, e.g. ``"信访人1姓名：𠈌"`` (``str()`` of each item)."""

    title: str
    pdf: bytes
    missing: tuple[MissingGlyph, ...]
    pages: int

    @property
    def ok(self) -> bool:
        return not self.missing

    def warnings(self) -> list[str]:
        return [str(m) for m in self.missing]


# --- text formatting ---------------------------------------------------------------------------
def fmt_date(d: date | datetime | None) -> str:
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def fmt_datetime(d: datetime) -> str:
    return f"{fmt_date(d)}{d.hour}时{d.minute:02d}分"


CHANNEL_WORDS = {"走访": "走访", "来信": "书信", "来电": "电话", "传真": "传真", "网上": "网上信访"}


def channel_words(channel: str) -> str:
    return CHANNEL_WORDS.get(channel, channel)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str | None) -> str:
    """Normalise newlines and drop control characters (they cannot be printed or put in XML)."""
    if not text:
        return ""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def paragraphs_of(text: str | None) -> list[str]:
    return [p.strip() for p in clean(text).split("\n") if p.strip()]


# --- styles --------------------------------------------------------------------------------------
class Styles:
    def __init__(self, fonts: FontSet):
        f = fonts
        base = dict(wordWrap="CJK", allowWidows=1, allowOrphans=1)
        self.title = ParagraphStyle(
            "title", fontName=f.title, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.5,
            alignment=TA_CENTER, spaceAfter=LEADING * 0.6, **base)
        self.body = ParagraphStyle(
            "body", fontName=f.body, fontSize=BODY_SIZE, leading=LEADING,
            firstLineIndent=2 * BODY_SIZE, alignment=TA_JUSTIFY, **base)
        self.flush = ParagraphStyle("flush", parent=self.body, firstLineIndent=0)
        self.right = ParagraphStyle("right", parent=self.flush, alignment=TA_RIGHT)
        self.docno = ParagraphStyle("docno", parent=self.right, spaceAfter=LEADING * 0.4)
        self.docno_center = ParagraphStyle("docno_center", parent=self.flush, alignment=TA_CENTER)
        self.docno_center_last = ParagraphStyle("docno_center_last", parent=self.docno_center,
                                                spaceAfter=LEADING * 0.4)
        self.heading = ParagraphStyle(
            "heading", parent=self.body, fontName=f.heading)  # 一级标题: 黑体, indented 2 chars
        self.note = ParagraphStyle(
            "note", parent=self.flush, fontSize=TABLE_SIZE, leading=TABLE_LEADING)
        # rightIndent: room for a punctuation mark hung at the end of a line (避头), so that it
        # stays inside the cell's rules.
        self.cell = ParagraphStyle(
            "cell", fontName=f.body, fontSize=TABLE_SIZE, leading=TABLE_LEADING,
            alignment=TA_LEFT, rightIndent=TABLE_SIZE * 0.6, **base)
        self.cell_label = ParagraphStyle(
            "cell_label", parent=self.cell, fontName=f.heading, alignment=TA_CENTER, rightIndent=0)
        self.cell_code = ParagraphStyle("cell_code", parent=self.cell, rightIndent=0)  # ID, phone
        self.cell_center = ParagraphStyle("cell_center", parent=self.cell, alignment=TA_CENTER,
                                          rightIndent=0)
        self.code = ParagraphStyle(
            "code", fontName=f.body, fontSize=24, leading=30, alignment=TA_LEFT, **base)


class BoldParagraph(Paragraph):
    """A paragraph drawn with filled and stroked outlines: a bold face made from a regular one
    (the shipped serif has no bold; a 小标宋 title is bold)."""

    stroke_width = 0.55

    def draw(self):
        c = self.canv
        c.saveState()
        c.setLineWidth(self.stroke_width)
        c.setStrokeColor(colors.black)
        c._code.append("2 Tr")  # text render mode: fill then stroke (persists until restore)
        super().draw()
        c._code.append("0 Tr")
        c.restoreState()


def chunked(paras: Sequence[Paragraph], width: float, max_lines: int = 8) -> list[Paragraph]:
    """Split paragraphs at line boundaries into pieces of at most ``max_lines`` lines, so a table
    cell of long text can be broken into rows that split cleanly across pages."""
    out: list[Paragraph] = []
    for p in paras:
        height = max_lines * p.style.leading + 0.5
        cur = p
        while True:
            parts = cur.split(width, height)
            if len(parts) < 2:
                out.append(cur)
                break
            out.append(parts[0])
            cur = parts[1]
    return out


# --- the writer ----------------------------------------------------------------------------------
class Raw(str):
    """Paragraph markup (a tag) passed through as is; only for tags the code writes itself."""


Part = str | tuple[str, str | None]


class Writer:
    """Turns text into checked Paragraph markup. A part is either fixed text (a ``str``) or a
    ``(field label, value)`` pair; the label names the field in a missing-glyph report."""

    def __init__(self, fonts: FontSet, redacted: bool):
        self.fonts = fonts
        self.redacted = redacted
        self._missing: dict[tuple[str, str], None] = {}

    @property
    def missing(self) -> tuple[MissingGlyph, ...]:
        return tuple(MissingGlyph(f, c) for f, c in self._missing)

    def m(self, parts: Iterable[Part] | Part, font: str | None = None) -> str:
        if isinstance(parts, (str, tuple)):
            parts = [parts]
        chain = self.fonts.chain(font or self.fonts.body)
        out = []
        for part in parts:
            if isinstance(part, Raw):
                out.append(part)
                continue
            if isinstance(part, tuple):
                label, value = part
            else:
                label, value = "版式文字", part
            text, missing = markup(clean(value), chain)
            for ch in missing:
                self._missing[(label, ch)] = None
            if font and font != self.fonts.body and text:
                # Paragraph styles carry the font; an explicit font tag keeps mixed parts right.
                text = f'<font name="{font}">{text}</font>'
            out.append(text)
        return "".join(out)

    def p(self, parts: Iterable[Part] | Part, style: ParagraphStyle) -> Paragraph:
        return Paragraph(self.m(parts, style.fontName), style)

    def title(self, parts: Iterable[Part] | Part, style: ParagraphStyle) -> Paragraph:
        cls = BoldParagraph if self.fonts.title_bold else Paragraph
        return cls(self.m(parts, style.fontName), style)

    def paras(self, label: str, text: str | None, style: ParagraphStyle,
              lead: Sequence[Part] = ()) -> list[Paragraph]:
        """One Paragraph per line of ``text``; ``lead`` (e.g. a bold label) goes before the first."""
        lines = paragraphs_of(text)
        if not lines:
            return [self.p([*lead], style)] if lead else []
        out = [self.p([*lead, (label, lines[0])], style)]
        out += [self.p([(label, line)], style) for line in lines[1:]]
        return out

    def id_number(self, value: str | None) -> str:
        if not value:
            return ""
        return mask_id_number(value) if self.redacted else value

    def phone(self, value: str | None) -> str:
        if not value:
            return ""
        return mask_phone(value) if self.redacted else value


# --- page furniture ------------------------------------------------------------------------------
def _page_number(canvas, doc, font: str):
    n = canvas.getPageNumber()
    text = f"— {n} —"
    canvas.saveState()
    canvas.setFont(font, PAGE_NUMBER_SIZE)
    y = MARGIN_BOTTOM - 7 * mm - PAGE_NUMBER_SIZE * 0.8  # 一字线 7 mm below the text block
    if n % 2:  # odd pages right, even pages left, one character in (GB/T 9704 7.5)
        canvas.drawRightString(MARGIN_LEFT + TEXT_W - PAGE_NUMBER_SIZE, y, text)
    else:
        canvas.drawString(MARGIN_LEFT + PAGE_NUMBER_SIZE, y, text)
    canvas.restoreState()


class _Doc(BaseDocTemplate):
    def __init__(self, buf, fonts: FontSet, **kw):
        super().__init__(
            buf, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=PAGE_W - MARGIN_LEFT - TEXT_W,
            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
            initialFontName=fonts.body,  # not Helvetica, which would be an unembedded font
            **kw)
        frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, TEXT_W, TEXT_H, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        # The page number in the body face, or the first fallback with the dash and the digits.
        number_font = next((f for f in fonts.chain(fonts.body)
                            if not missing_glyphs("—0123456789", f)), fonts.body)
        self.addPageTemplates([PageTemplate(
            "page", [frame], onPage=lambda c, d: _page_number(c, d, number_font))])


def build(title: str, story: list[Flowable], writer: Writer, *, author: str,
          subject: str = "") -> RenderedDocument:
    buf = io.BytesIO()
    with _render_lock:  # reportlab keeps some global state; one build at a time is safest
        doc = _Doc(buf, writer.fonts, title=title, author=author, subject=subject,
                   creator="信访工作平台", producer="信访工作平台 (reportlab)",
                   lang="zh-CN")
        doc.build(story)
        pages = doc.page
    return RenderedDocument(title=title, pdf=buf.getvalue(), missing=writer.missing, pages=pages)


# --- common blocks -------------------------------------------------------------------------------
def title_block(w: Writer, st: Styles, title: str, number: str | None, doc_no: str | None = None) -> list[Flowable]:
    """The title, the 文号 centred under it (when the document has one), the case number at the right
    (None: the document shows it elsewhere)."""
    out: list[Flowable] = [w.title(title, st.title)]
    if doc_no:
        out.append(w.p([("文号", doc_no)], st.docno_center if number else st.docno_center_last))
    if number:
        out.append(w.p(["事项编号：", ("事项编号", number)], st.docno))
    return out


def signature_block(w: Writer, st: Styles, office: str, issued_on: date,
                    keep_with: Sequence[Flowable] = ()) -> Flowable:
    """Issuing office centred over the date, the date four characters from the right edge
    (GB/T 9704 7.3.5.1), a blank line above: the seal, red and pressed by hand, covers the name
    and the date. Kept on one page with ``keep_with`` (the end of the text) so that the seal
    never sits alone on a page."""
    date_text = fmt_date(issued_on)
    indent_r = 4 * BODY_SIZE
    center = TEXT_W - indent_r - stringWidth(date_text, st.flush.fontName, BODY_SIZE) / 2
    office_w = stringWidth(office, st.flush.fontName, BODY_SIZE)
    left = max(0.0, min(center - office_w / 2, TEXT_W - office_w - 1))
    office_style = ParagraphStyle("office", parent=st.flush, leftIndent=left)
    date_style = ParagraphStyle("date", parent=st.flush, alignment=TA_RIGHT, rightIndent=indent_r)
    return KeepTogether([
        *keep_with,
        Spacer(1, LEADING),
        w.p([("发文机关", office)], office_style),
        w.p([("成文日期", date_text)], date_style),
    ])


def addressee(case, w: Writer) -> list[Part]:
    """「张三：」, or 「张三、李四等6人：」 for a group addressed through its representatives."""
    people = list(case.representatives) or list(case.petitioners)
    if not people:
        return ["信访人："]
    parts: list[Part] = []
    for i, p in enumerate(people):
        if i:
            parts.append("、")
        parts.append((_party_label(p, i, len(people)) + "姓名", p.name))
    if case.people_count > len(people):
        parts.append(f"等{case.people_count}人")
    parts.append("：")
    return parts


def _party_label(p, i: int, n: int) -> str:
    role = p.role or "信访人"
    return f"{role}{i + 1}" if n > 1 else role


def you(case) -> str:
    return "你们" if case.people_count > 1 else "你"


def keep_last(story: list[Flowable], n: int = 1) -> list[Flowable]:
    """Remove and return the last ``n`` flowables (to keep them with the signature)."""
    tail = story[-n:]
    del story[-n:]
    return tail


__all__ = [
    "MissingGlyph",
    "RenderedDocument",
    "Writer",
    "Raw",
    "Styles",
    "build",
    "fmt_date",
    "fmt_datetime",
    "channel_words",
    "title_block",
    "signature_block",
    "addressee",
    "you",
    "keep_last",
    "chunked",
    "paragraphs_of",
    "BoldParagraph",
]
