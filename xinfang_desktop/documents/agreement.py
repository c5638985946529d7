"""调解协议书 / 和解协议书: what the parties agreed at a mediation session, for their signatures.

Same page and checked text as the notices (GB/T 9704 layout, missing glyphs reported by field).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from xinfang_desktop.domain.errors import InvalidInput

from . import DocumentKind, register_document
from .fonts import get_fonts
from .layout import LEADING, TEXT_W, RenderedDocument, Styles, Writer, build, fmt_date, keep_last, title_block
from .model import DocCase

KINDS = ("调解协议书", "和解协议书")


@dataclass(frozen=True)
class AgreementDetails:
    kind: str                             # 调解协议书 / 和解协议书
    mediation_kind: str                   # 人民调解 / 行政调解 / 司法调解 / 访调对接
    held_on: date
    place: str
    mediators: tuple[str, ...]            # "张三（人民调解员）"
    parties: tuple[str, ...]              # those present who sign
    dispute: str                          # 纠纷的主要事实和争议事项
    terms: str                            # 达成的协议内容
    performance: str | None = None        # 履行方式和期限

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InvalidInput(f"协议书类别只能是{'、'.join(KINDS)}之一，收到：{self.kind}", field="kind")
        if not self.parties:
            raise InvalidInput("协议书须列明当事人", field="parties")
        if not (self.terms or "").strip():
            raise InvalidInput("协议书须写明协议内容", field="terms")


def _party_table(w: Writer, st: Styles, case: DocCase, d: AgreementDetails) -> Table:
    known = {p.name: p for p in case.petitioners}
    rows = [[w.p("当事人", st.cell_label), w.p("身份证号码", st.cell_label), w.p("住址", st.cell_label)]]
    for i, name in enumerate(d.parties):
        p = known.get(name)
        rows.append([w.p([(f"当事人{i + 1}姓名", name)], st.cell),
                     w.p([(f"当事人{i + 1}身份证号码", w.id_number(p.id_number) if p else "")], st.cell_code),
                     w.p([(f"当事人{i + 1}住址", (p.address or "") if p else "")], st.cell)])
    unit_row = None
    if case.concerned_unit:
        unit_row = len(rows)
        rows.append([w.p("被反映单位", st.cell_label), w.p([("被反映单位", case.concerned_unit)], st.cell), ""])
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), w.fonts.body),
        ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        *([("SPAN", (1, unit_row), (2, unit_row))] if unit_row is not None else []),
    ])
    return Table(rows, colWidths=[40 * mm, 52 * mm, TEXT_W - 92 * mm], style=style, repeatRows=1)


BLANK_DATE = "　　年　　月　　日"


def _signatures(w: Writer, st: Styles, d: AgreementDetails, office: str, issued_on: date,
                keep_with: list[Flowable]) -> Flowable:
    """Lines for each party and the mediators to sign and date by hand; the organisation's seal
    over its name. Kept on one page with the closing paragraph."""
    rows = []
    for i, name in enumerate(d.parties):
        rows.append([w.p(["当事人", (f"当事人{i + 1}姓名", name), "（签名、按指印）："], st.cell), "",
                     w.p(BLANK_DATE, st.cell)])
    if d.kind == KINDS[0]:
        rows.append([w.p("调解员（签名）：", st.cell), "", w.p(BLANK_DATE, st.cell)])
    rows.append([w.p(["调解组织（盖章）：" if d.kind == KINDS[0] else "见证单位（盖章）：", ("调解组织", office)], st.cell),
                 "", w.p([("日期", fmt_date(issued_on))], st.cell)])
    table = Table(rows, colWidths=[72 * mm, TEXT_W - 112 * mm, 40 * mm],
                  rowHeights=[13 * mm] * len(rows),
                  style=TableStyle([("FONTNAME", (0, 0), (-1, -1), w.fonts.body),
                                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                    ("LINEBELOW", (1, 0), (1, -2), 0.5, colors.black),
                                    ("SPAN", (0, -1), (1, -1))]))
    return KeepTogether([*keep_with, Spacer(1, LEADING * 0.3), table])


def render_agreement(case: DocCase, details: AgreementDetails, *, redacted: bool = False,
                     issued_on: date | None = None) -> RenderedDocument:
    fonts = get_fonts()
    w, st = Writer(fonts, redacted), Styles(fonts)
    d = details
    issued_on = issued_on or date.today()
    story: list[Flowable] = title_block(w, st, d.kind, case.number)
    story.append(_party_table(w, st, case, d))
    story.append(Spacer(1, LEADING * 0.4))
    story.append(w.p(["调解方式：", ("调解方式", d.mediation_kind), "。调解时间：", fmt_date(d.held_on),
                      "。调解地点：", ("调解地点", d.place), "。"], st.flush))
    story.append(w.p(["调解员：", ("调解员", "、".join(d.mediators)), "。"], st.flush))
    story.append(w.p("一、纠纷的主要事实和争议事项", st.heading))
    story += w.paras("争议事项", d.dispute, st.body)
    word = "调解" if d.kind == KINDS[0] else "协商"
    story.append(w.p(f"二、经{word}，各方自愿达成如下协议", st.heading))
    story += w.paras("协议内容", d.terms, st.body)
    story.append(w.p("三、履行方式和期限", st.heading))
    story += w.paras("履行方式", d.performance or "按上述协议内容履行。", st.body)
    story.append(w.p(f"本协议经各方当事人签名（按指印）{'、调解员签名并加盖调解组织印章' if d.kind == KINDS[0] else ''}"
                     f"后生效。本协议一式{len(d.parties) + 1}份，各方当事人及{'调解组织' if d.kind == KINDS[0] else '信访工作机构'}"
                     "各执一份。", st.body))
    story.append(_signatures(w, st, d, case.office_name, issued_on, keep_last(story)))
    return build(d.kind, story, w, author=case.office_name, subject=case.number)


register_document(DocumentKind("agreement", "调解协议书／和解协议书", AgreementDetails, render_agreement))
