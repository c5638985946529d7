"""同步密钥登记表: the paper form one unit hands the other, so the fingerprint of the key file it
receives can be checked by eye (SYNC.md, Keys). Text in groups of four and a QR code of the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from . import DocumentKind, register_document
from .fonts import get_fonts
from .layout import LEADING, TEXT_W, Raw, RenderedDocument, Styles, Writer, build, fmt_date, signature_block
from .notices import _QR  # the receipt's vector QR code, reused so both print the same way

ROLE_LABELS = {"township": "乡镇（街道）信访工作机构", "city": "市信访局"}


@dataclass(frozen=True)
class EnrolmentDetails:
    unit_code: str
    unit_name: str
    role: str                          # township / city
    signing_fingerprint: str           # 64 upper-case hex
    encryption_fingerprint: str | None
    created: str                       # YYYY-MM-DD, the keys' date
    qr_payload: str                    # xinfang-enrol:1:<unit>:<signing fingerprint>


def _groups(fp: str) -> str:
    return " ".join(fp[i:i + 4] for i in range(0, len(fp), 4))


def _two_lines(label: str, fp: str) -> list:
    """64 hex digits as two lines of eight groups: easy to read aloud over the phone."""
    g = _groups(fp).split(" ")
    return [(label, " ".join(g[:8])), Raw("<br/>"), (label, " ".join(g[8:]))]


def render_enrolment(_case, details: EnrolmentDetails, *, redacted: bool = False,
                     issued_on: date | None = None) -> RenderedDocument:
    """The form. ``_case`` is unused (the registry passes a case to every document)."""
    fonts = get_fonts()
    w, st = Writer(fonts, redacted), Styles(fonts)
    issued_on = issued_on or date.today()
    title = "同步密钥登记表"
    mono = ParagraphStyle("fp", parent=st.cell, fontName=fonts.body, fontSize=13, leading=19, rightIndent=0)
    story = [w.title(title, st.title)]
    story.append(w.p("本表用于乡镇与市信访局之间交换U盘同步数据前核对密钥。接收方导入对方的登记文件时，"
                     "须逐组核对下列密钥核对码（或扫描二维码），完全一致方可登记；不一致的，不得登记，"
                     "并当面或电话与对方核实。", st.body))
    story.append(Spacer(1, LEADING * 0.3))
    rows = [
        [w.p("单位名称", st.cell_label), w.p([("单位名称", details.unit_name)], st.cell)],
        [w.p("单位代码", st.cell_label), w.p([("单位代码", details.unit_code)], st.cell_code)],
        [w.p("单位类别", st.cell_label), w.p(ROLE_LABELS.get(details.role, details.role), st.cell)],
        [w.p("密钥生成日期", st.cell_label), w.p(fmt_date(date.fromisoformat(details.created)), st.cell)],
        [w.p("密钥核对码", st.cell_label), w.p(_two_lines("密钥核对码", details.signing_fingerprint), mono)],
    ]
    if details.encryption_fingerprint:
        rows.append([w.p("加密密钥核对码", st.cell_label),
                     w.p(_two_lines("加密密钥核对码", details.encryption_fingerprint), mono)])
    label_w = 32 * mm
    table = Table(rows, colWidths=[label_w, TEXT_W - label_w], style=TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    story.append(table)
    story.append(Spacer(1, LEADING * 0.3))
    qr_size = 36 * mm
    qr_box = Table([[_QR(details.qr_payload, qr_size),
                     [w.p("二维码内容为单位代码和密钥核对码，可用扫码枪读入登记界面的“密钥核对码”栏核对。", st.cell),
                      Spacer(1, LEADING * 0.6),
                      w.p("接收方核对人签字：＿＿＿＿＿＿＿＿＿＿", st.cell),
                      Spacer(1, LEADING * 0.4),
                      w.p("核对日期：＿＿＿＿年＿＿月＿＿日", st.cell)]]],
                   colWidths=[qr_size + 8 * mm, TEXT_W - qr_size - 8 * mm],
                   style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(signature_block(w, st, details.unit_name, issued_on, [qr_box]))
    return build(title, story, w, author=details.unit_name, subject=details.unit_code)


def details_from_identity(identity) -> EnrolmentDetails:
    """From a :class:`xinfang_desktop.sync.keys.PublicIdentity` (duck-typed: documents do not import sync)."""
    return EnrolmentDetails(unit_code=identity.unit_code, unit_name=identity.unit_name, role=identity.role,
                            signing_fingerprint=identity.signing_fingerprint,
                            encryption_fingerprint=identity.encryption_fingerprint, created=identity.created,
                            qr_payload=identity.qr_payload)


register_document(DocumentKind("enrolment", "同步密钥登记表", EnrolmentDetails, render_enrolment))
