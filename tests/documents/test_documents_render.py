"""Every document renders to a PDF that reads back with the right content."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from xinfang_desktop.documents import (
    ACCUSATION_NOTICE,
    DOCUMENTS,
    DocumentKind,
    ReceiptDetails,
    RoutingDetails,
    notices,
    qr_payload,
    register_document,
    render,
    render_decision,
    render_receipt,
    render_register,
    render_transfer,
)
from xinfang_desktop.documents.fonts import SHIPPED_SANS, FontSet
from xinfang_desktop.documents.samples import sample_case

NAMES = ["register", "receipt", "notice", "refusal", "transfer", "extension", "decision", "answer", "review",
         "followup", "report"]


def test_registry_has_every_document():
    assert list(DOCUMENTS)[:len(NAMES)] == NAMES
    with pytest.raises(ValueError):
        register_document(DocumentKind("receipt", "x", None, render_register))
    with pytest.raises(TypeError):
        render("receipt", sample_case(), None)


@pytest.mark.parametrize("name", NAMES)
def test_renders_a_readable_pdf(name, case, details, text_of):
    doc = render(name, case, details[name], issued_on=case.received_at.date())
    assert doc.pdf.startswith(b"%PDF-")
    assert doc.missing == ()
    reader = PdfReader(io.BytesIO(doc.pdf))
    assert len(reader.pages) == doc.pages >= 1
    text = text_of(doc.pdf)
    assert re.sub(r"\s+", "", doc.title) in text
    assert case.number in text
    assert "2026年11月20日" in text  # Arabic-numeral dates
    # the representatives (or, on the register and transfer, every petitioner) by name
    people = case.petitioners if name in ("register", "transfer") else case.representatives
    for p in people:
        assert p.name in text, p.name
    # no character silently lost: the rare ones are there, including the Ext. B 𠈌
    if name in ("register", "transfer"):
        assert "林𠈌㵘" in text


@pytest.mark.parametrize("name", NAMES)
def test_fonts_are_embedded(name, case, details):
    doc = render(name, case, details[name])
    reader = PdfReader(io.BytesIO(doc.pdf))
    seen = 0
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            seen += 1
            assert font["/Subtype"] in ("/TrueType", "/Type0"), font["/BaseFont"]
            desc = font["/FontDescriptor"] if "/FontDescriptor" in font else None
            assert desc is not None and "/FontFile2" in desc, font["/BaseFont"]
    assert seen


def test_receipt_shows_query_code_and_qr(case, details, text_of):
    doc = render_receipt(case, details["receipt"])
    text = text_of(doc.pdf)
    assert case.query_code in text
    assert "2026年12月7日前书面告知" in text
    assert "请求镇政府督促某茶叶加工厂支付拖欠我们6人的工资共计81000元" in text
    assert qr_payload(case) == "XF:350881102-2026-00017:ABCD2345"
    assert doc.pages == 1


def test_receipt_qr_does_not_overlap_text(case, details, fonts):
    """No line of text on the receipt reaches into the QR code's square."""
    from collections import defaultdict

    from reportlab.pdfbase.pdfmetrics import stringWidth

    captured = {}
    orig = notices._QR.draw

    def spy(self):
        x0, y0 = self.canv.absolutePosition(0, 0)
        x1, y1 = self.canv.absolutePosition(self.size, self.size)
        captured["qr"] = (x0, y0, x1, y1)
        return orig(self)

    notices._QR.draw = spy
    try:
        doc = render_receipt(case, details["receipt"])
    finally:
        notices._QR.draw = orig
    qx0, qy0, qx1, qy1 = captured["qr"]
    assert 300 < qx0 < qx1 < 530 and qy1 - qy0 > 70  # about 28 mm, inside the text block

    lines = defaultdict(float)  # (x, baseline y, size) -> width of the text on that line

    def visit(text, cm, tm, font, size):
        if text.strip():
            key = (tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], size)
            lines[key] += stringWidth(text.strip(), fonts.body, size)

    PdfReader(io.BytesIO(doc.pdf)).pages[0].extract_text(visitor_text=visit)
    near = [(x, y, w) for (x, y, size), w in lines.items() if qy0 - size < y < qy1 + size]
    assert near  # the query block's own lines sit beside the QR code
    for x, y, w in near:
        assert x + w <= qx0 or x >= qx1, (x, y, w, captured["qr"])


def test_decision_states_review_rights(case, details, text_of):
    doc = render_decision(case, details["decision"])
    text = text_of(doc.pdf)
    assert "对本处理意见不服的，可以自收到本意见书之日起30日内向漳平市人民政府请求复查" in text
    assert "第三十五条" in text and "第三十二条第一款第一项" in text and "予以支持" in text


@pytest.mark.parametrize("outcome,verdict,item", [
    ("解释说明", "作出解释说明", "第二项"), ("不予支持", "不予支持", "第三项")])
def test_decision_outcomes(case, details, text_of, outcome, verdict, item):
    from dataclasses import replace
    text = text_of(render_decision(case, replace(details["decision"], outcome=outcome)).pdf)
    assert verdict in text and f"第三十二条第一款{item}" in text


def test_refusal_and_transfer_titles_follow_kind(case, details, text_of):
    from dataclasses import replace
    again = replace(details["refusal"], kind="不再受理", article="《信访工作条例》第三十六条第三款")
    text = text_of(render("refusal", case, again).pdf)
    assert "不再受理告知书" in text and "第三十六条第三款" in text
    transfer = RoutingDetails(kind="转送", receiving_unit="漳平市人力资源和社会保障局")
    doc = render_transfer(case, transfer)
    assert doc.title == "信访事项转送单" and "信访事项转送单" in text_of(doc.pdf)


def test_accusation_transfer_leaves_the_complainant_out(case, details, text_of):
    from dataclasses import replace
    acc = replace(case, is_accusation=True, people_count=1, is_group=False,
                  petitioners=case.petitioners[:1], representatives=())
    doc = render_transfer(acc, details["transfer"])
    text = text_of(doc.pdf)
    p = acc.petitioners[0]
    for secret in (p.name, p.id_number, p.phone, p.address, p.id_number[-4:] + "，"):
        assert secret not in text, secret
    assert ACCUSATION_NOTICE in text and "第三十条" in text
    reader = PdfReader(io.BytesIO(doc.pdf))
    assert p.name not in str(reader.metadata)
    assert not any(m.field.startswith("信访人") for m in doc.missing)


@pytest.mark.parametrize("name", NAMES)
def test_redacted_has_no_full_id_number_or_phone(name, case, details, text_of):
    text = text_of(render(name, case, details[name], redacted=True).pdf)
    for p in case.petitioners:
        if p.id_number:
            assert p.id_number not in text
        if p.phone:
            assert p.phone not in text
    if name in ("register", "transfer"):
        assert "350881********3019" in text and "138****1234" in text
    plain = text_of(render(name, case, details[name]).pdf)
    if name in ("register", "transfer"):
        assert case.petitioners[0].id_number in plain


def test_a_character_no_font_has_is_reported_by_field(case, details):
    people = list(case.petitioners)
    people[5] = people[5].__class__(**{**people[5].__dict__, "name": "林𪚥"})
    odd = sample_case(petitioners=people, request="请求𪚥解决")
    doc = render_register(odd)
    assert [str(m) for m in doc.missing] == ["信访人6姓名：𪚥", "信访请求：𪚥"]
    assert doc.warnings() == ["信访人6姓名：𪚥", "信访请求：𪚥"] and not doc.ok
    assert doc.pdf.startswith(b"%PDF-")  # still rendered; the caller decides


def test_ext_b_name_reported_when_the_fonts_lack_it(monkeypatch, fonts, case, details):
    """With only Droid Sans Fallback (no Ext. B), 𠈌 is reported by field, not dropped silently."""
    sans_only = FontSet(body=SHIPPED_SANS, title=SHIPPED_SANS, heading=SHIPPED_SANS,
                        fallbacks=(SHIPPED_SANS,))
    monkeypatch.setattr(notices, "get_fonts", lambda: sans_only)
    from dataclasses import replace
    rep = replace(case.petitioners[5], role="代表人")
    doc = render_receipt(sample_case(representatives=[rep]), details["receipt"])
    assert "代表人姓名：𠈌" in doc.warnings()
    assert "代表人姓名：林" not in doc.warnings() and "代表人姓名：㵘" not in doc.warnings()


def test_fallback_font_prints_what_the_body_font_lacks(case, details, text_of):
    doc = render_register(case)
    assert doc.missing == ()
    assert "林𠈌㵘" in text_of(doc.pdf)
    reader = PdfReader(io.BytesIO(doc.pdf))
    fonts = {str(f.get_object()["/BaseFont"]) for pg in reader.pages
             for f in pg["/Resources"]["/Font"].values()}
    assert any("DroidSansFallback" in f for f in fonts) and any("UMing" in f for f in fonts)


def test_markup_characters_and_control_characters_are_printed_safely(text_of):
    case = sample_case(request="<b>要求</b> & “赔偿”\x07\r\n第二行", concerned_unit=None,
                       representatives=(), petitioners=())
    for name in NAMES:
        doc = render(name, case, __import__(
            "xinfang_desktop.documents.samples", fromlist=["x"]).sample_details()[name])
        if name == "extension":  # the extension notice does not repeat the request
            continue
        text = text_of(doc.pdf)
        assert "<b>要求</b>&“赔偿”" in text, name
        assert "第二行" in text


def test_long_facts_flow_onto_further_pages_with_all_text(details, text_of):
    base = "拖欠工资情况说明：张三于二〇二五年在茶厂务工共计一百二十天，工资未付。"
    facts = (base * (20000 // len(base) + 1))[:20000]
    facts = facts[:9000] + "\n" + facts[9000:]
    case = sample_case(facts=facts)
    for name in ("decision", "register", "transfer"):
        doc = render(name, case, details[name])
        assert doc.pages >= 3, name
        text = text_of(doc.pdf)
        assert re.sub(r"\s+", "", facts) in text, name


def test_receipt_warm_render_is_fast(case, details):
    import time

    render_receipt(case, details["receipt"])
    times = []
    for _ in range(5):
        t = time.perf_counter()
        render_receipt(case, details["receipt"])
        times.append(time.perf_counter() - t)
    assert min(times) < 0.25  # ~20 ms on a developer machine; generous for slow CI


def test_receipt_details_type_checked():
    with pytest.raises(TypeError):
        render("receipt", sample_case(), RoutingDetails(kind="转送", receiving_unit="x"))
    assert ReceiptDetails



def test_gb_t_9704_geometry(case, details, fonts):
    """A4; 28 characters of 三号 per 156 mm line, 22 lines per 225 mm block; text starts at the
    28 mm binding margin, below the 37 mm top margin; the page number sits under the block."""
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from xinfang_desktop.documents import layout

    assert stringWidth("国" * 28, fonts.body, layout.BODY_SIZE) <= layout.TEXT_W
    assert stringWidth("国" * 29, fonts.body, layout.BODY_SIZE) > layout.TEXT_W
    assert 22 * layout.LEADING <= layout.TEXT_H < 23 * layout.LEADING
    doc = render("refusal", case, details["refusal"])
    page = PdfReader(io.BytesIO(doc.pdf)).pages[0]
    assert [round(float(v)) for v in page.mediabox] == [0, 0, 595, 842]
    pos = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            pos.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    body = [p for p in pos if "—" not in p[2]]
    assert min(x for x, _, _ in body) == pytest.approx(28 * mm, abs=0.5)
    assert max(y for _, y, _ in body) <= layout.PAGE_H - 37 * mm
    assert min(y for _, y, _ in body) >= layout.MARGIN_BOTTOM
    number = [p for p in pos if p[2].startswith("—")]
    assert number and number[0][1] < layout.MARGIN_BOTTOM - 7 * mm
