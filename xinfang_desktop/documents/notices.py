"""The documents a petition office prints, one ``render_<name>`` function each.

Every renderer takes the case, its per-document details, and keyword options ``redacted`` (mask ID
numbers and phones) and ``issued_on`` (the date printed at the bottom: the services pass the date of
the event the document records, so a reprint carries the same date), and returns a :class:`~.layout.RenderedDocument`. Renderers never raise for text they cannot print:
``result.missing`` lists, by field, the characters no available font has.

Articles cited are those of the 《信访工作条例》 (2022).
"""

from __future__ import annotations

from datetime import date

import qrcode
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..domain.receipt_statement import group_text
from ..domain import workflow as wf
from .fonts import get_fonts
from .layout import (
    LEADING,
    Raw,
    chunked,
    paragraphs_of,
    TEXT_W,
    RenderedDocument,
    Styles,
    Writer,
    addressee,
    build,
    channel_words,
    fmt_date,
    fmt_datetime,
    keep_last,
    signature_block,
    title_block,
    you,
)
from .model import (
    AnswerDetails,
    DecisionDetails,
    DocCase,
    DocParty,
    ExtensionDetails,
    FollowUpDetails,
    NoticeDetails,
    ReceiptDetails,
    RefusalDetails,
    ReportDetails,
    ReviewDetails,
    RoutingDetails,
)

__all__ = [
    "render_register",
    "render_receipt",
    "render_refusal",
    "render_transfer",
    "render_extension",
    "render_decision",
    "render_notice",
    "render_answer",
    "render_review",
    "render_followup",
    "render_report",
    "qr_payload",
    "ACCUSATION_NOTICE",
]

TIAOLI = "《信访工作条例》"
ACCUSATION_NOTICE = "检举控告人信息依规定不予提供"
_OUTCOME_ITEM = {"支持": ("第一项", "予以支持"),
                 "解释说明": ("第二项", "作出解释说明"),
                 "不予支持": ("第三项", "不予支持")}


def _setup(redacted: bool) -> tuple[Writer, Styles]:
    fonts = get_fonts()
    return Writer(fonts, redacted), Styles(fonts)


def _opening(case: DocCase, with_number: bool = True) -> list:
    """「2026年11月20日，你们以走访形式提出的信访事项（事项编号：…）」"""
    parts = [
        ("登记时间", fmt_date(case.received_at)),
        f"，{you(case)}以",
        ("信访形式", channel_words(case.channel)),
        "形式提出的信访事项",
    ]
    if with_number:
        parts += ["（事项编号：", ("事项编号", case.number), "）"]
    return parts


def _sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it already ends with closing punctuation)."""
    text = (text or "").rstrip()
    return text if not text or text[-1] in "。！？；…" else text + "。"


def _grid_style(extra=()) -> TableStyle:
    return TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), get_fonts().body),  # for empty cells: no Helvetica
        ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        *extra,
    ])


# --- ruled forms --------------------------------------------------------------------------------
LABEL_W = 24 * mm
CONTENT_W = TEXT_W - LABEL_W
_PAD = 4  # cell left/right padding, pt


def _text_table(w: Writer, st: Styles, groups) -> Table:
    """A two-column ruled table (label | content) for texts of any length.

    ``groups`` is a list of ``(label, content)`` where content is a text (paragraphs split on
    newlines) or a list of Paragraphs. Long content is cut at line boundaries into rows of at
    most 8 lines with no rule between them, so the table splits across pages between rows and
    reads as one cell."""
    rows: list[list] = []
    cmds = [
        ("FONTNAME", (0, 0), (-1, -1), w.fonts.body),
        ("BOX", (0, 0), (-1, -1), 0.75, colors.black),
        ("LINEAFTER", (0, 0), (0, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    for label, content in groups:
        paras = content if isinstance(content, list) else w.paras(label, content, st.cell)
        pieces = chunked(paras or [w.p("", st.cell)], CONTENT_W - 2 * _PAD)
        first = len(rows)
        for j, piece in enumerate(pieces):
            rows.append([w.p(label, st.cell_label) if j == 0 else "", piece])
        last = len(rows) - 1
        cmds += [
            ("LINEABOVE", (0, first), (-1, first), 0.75, colors.black),
            ("TOPPADDING", (0, first), (-1, first), 4),
            ("BOTTOMPADDING", (0, last), (-1, last), 6),
        ]
    return Table(rows, colWidths=[LABEL_W, CONTENT_W], style=TableStyle(cmds))


def _is_petitioner(rep: DocParty, case: DocCase) -> bool:
    return any(p.name == rep.name and (p.id_number or None) == (rep.id_number or None)
               for p in case.petitioners)


def _party_parts(w: Writer, p: DocParty, label: str, with_name: bool = True) -> list:
    parts: list = [(f"{label}姓名", p.name)] if with_name else []
    if p.sex:
        parts += ["，", (f"{label}性别", p.sex)]
    if p.id_number:
        parts += ["，身份证号码", (f"{label}身份证号码", w.id_number(p.id_number))]
    elif p.birth_date:
        parts += ["，出生日期", (f"{label}出生日期", fmt_date(p.birth_date))]
    if p.phone:
        parts += ["，电话", (f"{label}联系电话", w.phone(p.phone))]
    if p.address:
        parts += ["，住址", (f"{label}住址", p.address)]
    return parts


def _representatives(w: Writer, st: Styles, case: DocCase) -> list[Paragraph]:
    """One line per representative: the name (details too when not among the petitioners)."""
    reps = case.representatives
    out = []
    for i, r in enumerate(reps):
        label = f"代表人{i + 1}" if len(reps) > 1 else "代表人"
        if _is_petitioner(r, case):
            out.append(w.p([(f"{label}姓名", r.name), "（见信访人名单）"], st.cell))
        else:
            out.append(w.p(_party_parts(w, r, label), st.cell))
    return out


def _party_rows(w: Writer, st: Styles, people, role: str) -> list[list]:
    rows = []
    n = len(people)
    for i, p in enumerate(people):
        label = f"{role}{i + 1}" if n > 1 else role
        idcell = [(f"{label}身份证号码", w.id_number(p.id_number))] if p.id_number else (
            ["出生日期", (f"{label}出生日期", fmt_date(p.birth_date))] if p.birth_date else [])
        rows.append([
            w.p(str(i + 1), st.cell_center),
            w.p([(f"{label}姓名", p.name)], st.cell_center),
            w.p([(f"{label}性别", p.sex or "")], st.cell_center),
            w.p(idcell, st.cell_code),
            w.p([(f"{label}联系电话", w.phone(p.phone))], st.cell_code),
            w.p([(f"{label}住址", p.address or "")], st.cell),
        ])
    return rows


# --- 信访事项登记表 ---------------------------------------------------------------------------
def render_register(case: DocCase, *, redacted: bool = False,
                    issued_on: date | None = None) -> RenderedDocument:
    """信访事项登记表: the intake record, a ruled form that splits across pages between rows."""
    w, st = _setup(redacted)
    title = "信访事项登记表"
    L = st.cell_label
    story: list[Flowable] = [w.title(title, st.title)]

    kind = "集体访" if case.is_group else ("联名" if case.people_count >= 5 else "个人")
    basics = [
        [w.p("事项编号", L), w.p([("事项编号", case.number)], st.cell_code),
         w.p("登记时间", L), w.p([("登记时间", fmt_datetime(case.received_at))], st.cell)],
        [w.p("信访形式", L), w.p([("信访形式", case.channel)], st.cell),
         w.p("信访人数", L), w.p([f"{case.people_count}人（", ("是否集体访", kind), "）"], st.cell)],
        [w.p("检举控告", L), w.p("是" if case.is_accusation else "否", st.cell),
         w.p("登记人", L), w.p([("登记人", case.clerk)], st.cell)],
        [w.p("问题类别", L), w.p([("问题类别", case.category)], st.cell), "", ""],
        [w.p("被反映单位", L), w.p([("被反映单位", case.concerned_unit or "")], st.cell), "", ""],
    ]
    story.append(Table(basics, colWidths=[LABEL_W, 54 * mm, LABEL_W, 54 * mm],
                       style=_grid_style([("SPAN", (1, 3), (3, 3)), ("SPAN", (1, 4), (3, 4))])))

    party_cols = [12 * mm, 20 * mm, 12 * mm, 41 * mm, 27 * mm, 44 * mm]
    header = [w.p(h, L) for h in ("序号", "姓名", "性别", "身份证号码", "联系电话", "住址")]
    people = case.petitioners
    head = [w.p(f"信访人（{len(people)}人）", L), "", "", "", "", ""]
    rows = [head, header] + (_party_rows(w, st, people, "信访人") or [
        [w.p("（未登记信访人）", st.cell_center), "", "", "", "", ""]])
    extra = [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 1), colors.whitesmoke)]
    if not people:
        extra.append(("SPAN", (0, 2), (-1, 2)))
    story.append(Table(rows, colWidths=party_cols, repeatRows=2, style=_grid_style(extra)))

    groups: list = []
    if case.representatives:
        groups.append(("代表人", _representatives(w, st, case)))
    groups += [("信访请求", case.request), ("事实", case.facts), ("理由", case.reasons),
               ("登记单位", [w.p([("登记单位", case.office_name)], st.cell)])]
    story.append(_text_table(w, st, groups))
    return build(title, story, w, author=case.office_name, subject=case.number)


# --- 受理（接收）告知书 -------------------------------------------------------------------------
def qr_payload(case: DocCase) -> str:
    """The text the receipt's QR code holds: ``XF:<case number>:<query code>``."""
    return f"XF:{case.number}:{case.query_code}"


class _QR(Flowable):
    """A QR code (error correction M, quiet zone of 2 modules) drawn as vector rectangles.

    ``mask``: a fixed mask pattern instead of the one of least penalty. The receipt's signed statement (178
    characters, version 7) takes mask 0, the checkerboard: choosing among the eight costs 5 ms of pure
    Python per receipt there, and for that text — mostly signature bytes — every mask scores within about 20%
    of the best (measured over random statements), while a checkerboard breaks up the runs of its fixed
    fields. Readers decode any mask; tests read printed receipts with zbarimg."""

    def __init__(self, value: str, size: float, mask: int | None = None):
        super().__init__()
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=mask)
        qr.add_data(value)
        qr.make(fit=True)
        self.matrix = qr.get_matrix()
        self.value, self.size = value, size
        self.width = self.height = size

    def wrap(self, aw, ah):
        return self.size, self.size

    def draw(self):
        c = self.canv
        n = len(self.matrix)
        m = self.size / n
        path = c.beginPath()
        for r, row in enumerate(self.matrix):
            y = self.size - (r + 1) * m
            x = 0
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    path.rect(start * m, y, (x - start) * m, m)
                else:
                    x += 1
        c.saveState()
        c.setFillColor(colors.black)
        c.drawPath(path, stroke=0, fill=1)
        c.restoreState()


def render_receipt(case: DocCase, details: ReceiptDetails, *, redacted: bool = False,
                   issued_on: date | None = None) -> RenderedDocument:
    """信访事项接收告知书, handed to the petitioner at registration: the matter is registered; how it will
    be handled is decided within 15 days and told in writing (第二十二、二十三条)."""
    w, st = _setup(redacted)
    issued_on = issued_on or case.received_at.date()
    title = "信访事项接收告知书"
    # the case number is in the box with the query code below: not repeated under the title
    story: list[Flowable] = title_block(w, st, title, None, details.doc_no)
    story.append(w.p(addressee(case, w), st.flush))
    req = paragraphs_of(case.request)
    story.append(w.p([*_opening(case, with_number=False), "已收悉，本机关已于",
                      ("登记日期", fmt_date(case.received_at)), "登记接收。",
                      f"{you(case)}的主要请求是：", *[("信访请求", line) for line in req[:1]]], st.body))
    story += [w.p([("信访请求", line)], st.body) for line in req[1:]]
    # 第二十二、二十三条: within 15 days the matter is handled here, forwarded or assigned, or the petitioner
    # is told which legal procedure to use — and told so in writing (unless name or address is unclear).
    told = [] if case.notice_exempt else ["，并于", ("告知期限", fmt_date(details.time_limit)), "前书面告知",
                                          you(case), "处理途径和程序"]
    story.append(w.p([
        "根据", TIAOLI, f"第二十二条、第二十三条的规定，本机关将在{wf.ROUTE_DAYS}日内区分情况依法处理（受理办理，转送、交办"
        "有权处理的机关，或者告知通过法定途径解决）", *told, "。"], st.body))
    handling = paragraphs_of(details.handling)
    story += [w.p([("处理途径和程序", line)], st.body) for line in handling]
    limit: list = []
    if details.contact or case.office_phone:
        limit += ["联系人："] if details.contact else ["联系电话："]
        if details.contact:
            limit += [("联系人", details.contact)]
            if case.office_phone:
                limit += ["，电话"]
        if case.office_phone:
            limit += [("联系电话", case.office_phone)]
        limit += ["。"]
    if limit:
        story.append(w.p(limit, st.body))

    # The query block: case number and query code large, QR code at the right, in a ruled box.
    qr_size = 28 * mm
    left = [
        w.p(["事项编号：", ("事项编号", case.number)], st.cell),
        Spacer(1, 2),
        w.p([Raw(f'<font size="{st.cell.fontSize}">'), "查询码：", Raw("</font>"),
             ("查询码", case.query_code)], st.code),
        Spacer(1, 2),
        w.p(f"{you(case)}可凭事项编号和查询码查询办理进展和结果，请妥善保管本告知书"
            + ("（二维码和下方的核验码是本机关签发的受理凭证，可到上级信访部门核验真伪）。" if details.verification
               else "（二维码内容为事项编号和查询码）。"), st.cell),
    ]
    qr = (_QR(details.verification, qr_size, mask=0) if details.verification    # the signed statement
          else _QR(qr_payload(case), qr_size))
    rows = [[left, qr]]
    if details.verification:    # the same text as the QR code, to type where there is no scanner
        small = ParagraphStyle("verification", parent=st.cell, fontSize=9, leading=12)   # 小五: three lines
        rows.append([w.p(["核验码：", ("核验码", group_text(details.verification))], small), ""])
    box = Table(rows,
                colWidths=[TEXT_W - qr_size - 10 * mm, qr_size + 10 * mm],
                style=TableStyle([
                    *([("SPAN", (0, 1), (1, 1))] if len(rows) > 1 else []),
                    ("FONTNAME", (0, 0), (-1, -1), w.fonts.body),
                    ("BOX", (0, 0), (-1, -1), 0.75, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ALIGN", (1, 0), (1, 0), "CENTER"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]))
    story.append(Spacer(1, LEADING * 0.25))
    story.append(box)
    story.append(signature_block(w, st, case.office_name, issued_on, keep_last(story)))
    return build(title, story, w, author=case.office_name, subject=case.number)


# --- 办理途径告知书 (第二十三条) -------------------------------------------------------------------
_NOTICE_TITLES = {"登记": "信访事项告知书", "直接办理": "信访事项受理告知书", "转送": "信访事项转送告知书",
                  "交办": "信访事项交办告知书", "其他法定途径": "信访事项告知书"}
# 第三十一条第一至五项, as the notice tells the petitioner where the matter lies.
_CLAIM_ROUTES = {
    1: ("应当通过审判机关诉讼程序或者复议程序、检察机关刑事立案程序或者法律监督程序、公安机关法律程序处理",
        "按照法律法规规定的程序处理"),
    2: ("应当通过仲裁解决", "导入相应程序处理"),
    3: ("可以通过党员申诉、申请复审等解决", "导入相应程序处理"),
    4: ("可以通过行政复议、行政裁决、行政确认、行政许可、行政处罚等行政程序解决", "导入相应程序处理"),
    5: ("属于申请查处违法行为、履行保护人身权或者财产权等合法权益职责的事项", "由有关机关依法履行职责或者答复"),
}
_CHINESE_ITEM = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}


def notice_title(details: NoticeDetails) -> str:
    return _NOTICE_TITLES[details.route]


def render_notice(case: DocCase, details: NoticeDetails, *, redacted: bool = False,
                  issued_on: date | None = None) -> RenderedDocument:
    """The written notice of how the matter is handled (第二十三条): accepted (受理告知书), forwarded
    (转送告知书), assigned (交办告知书), or to be taken to another legal procedure (第三十一条第一至五项)."""
    w, st = _setup(redacted)
    issued_on = issued_on or date.today()
    title = notice_title(details)
    you_ = you(case)
    story: list[Flowable] = title_block(w, st, title, case.number, details.doc_no)
    story.append(w.p(addressee(case, w), st.flush))
    story.append(w.p([*_opening(case), "已收悉。"], st.body))
    story += w.paras("信访请求", case.request, st.body, lead=[f"{you_}的主要请求："])
    route, unit = details.route, details.unit or ""
    if route == "直接办理" and details.matter_kind == "suggestion":
        story.append(w.p(["经审查，该信访事项属于本机关职权范围，本机关已予受理。依照", TIAOLI,
                          "第二十九条的规定，本机关将对", you_, "提出的建议意见认真研究论证，并予以回复。"], st.body))
    elif route == "直接办理":
        story.append(w.p(["经审查，该信访事项属于本机关职权范围，本机关已予受理，将依照", TIAOLI,
                          "第三十一条第六项的规定，听取", you_, "陈述事实和理由，进行调查核实，并自受理之日起",
                          f"{details.handling_days}日内出具信访处理意见书（第三十四条）。情况复杂的，经本机关负责人批准，"
                          f"可以适当延长办理期限，延长不超过{wf.MAX_EXTENSION_DAYS}日，并告知", you_, "延期理由。"], st.body))
    elif route == "转送" and details.matter_kind == "accusation":
        story.append(w.p(["依照", TIAOLI, "第二十二条第二款、第三十条的规定，本机关已将", you_,
                          "反映的检举控告类信访事项转送", ("接收单位", unit),
                          "依规依纪依法处理，处理情况的告知按照有关规定执行。", you_,
                          "的检举、揭发材料以及有关情况，不会透露或者转给被检举、揭发的人员或者单位。"], st.body))
    elif route == "转送":
        story.append(w.p(["经审查，该信访事项属于", ("接收单位", unit), "的职权范围。依照", TIAOLI,
                          "第二十二条、第二十三条的规定，本机关已将该信访事项转送", ("接收单位", unit),
                          f"依法处理，该单位将自收到之日起{wf.NOTICE_DAYS}日内书面告知", you_, "接收情况以及处理途径和程序。"],
                         st.body))
    elif route == "交办":
        story.append(w.p(["依照", TIAOLI, "第二十二条第一款第三项的规定，本机关已将该信访事项交由",
                          ("承办单位", unit), "办理，要求其于", ("办理期限", fmt_date(details.deadline)),
                          "前办结并提交办结报告。办理结果将由承办单位书面答复", you_, "。"], st.body))
    elif route == "其他法定途径":
        item = details.claim_item
        if item in _CLAIM_ROUTES:
            what, how = _CLAIM_ROUTES[item]
            story.append(w.p(["经审查，", you_, "反映的事项", what, "，依照", TIAOLI,
                              f"第三十一条第{_CHINESE_ITEM[item]}项的规定，应当{how}。请", you_, "依法向",
                              ("其他法定途径", unit.rstrip("。")), "提出。"], st.body))
        else:
            story.append(w.p(["经审查，", you_, "反映的事项应当通过法定途径解决。依照", TIAOLI,
                              "第二十三条、第三十一条的规定，请", you_, "依法向", ("其他法定途径", unit.rstrip("。")),
                              "提出。"], st.body))
    if details.content:
        story += w.paras("告知内容", details.content, st.body)
    story.append(w.p("特此告知。", st.body))
    story.append(signature_block(w, st, case.office_name, issued_on, keep_last(story)))
    return build(title, story, w, author=case.office_name, subject=case.number)


def _handled_by(w: Writer, st: Styles, case: DocCase) -> Flowable:
    """「承办：漳平市永福镇信访办公室　联系电话：…」 under a decision signed by the deciding organ."""
    parts: list = ["承办：", ("承办单位", case.office_name)]
    if case.office_phone:
        parts += ["　联系电话：", ("联系电话", case.office_phone)]
    return w.p(parts, st.note)


def _sign(w: Writer, st: Styles, case: DocCase, issued_on: date, story: list[Flowable], n: int = 1) -> Flowable:
    """A decision is signed by the organ that decides it; the 信访办 is named as the handling office."""
    tail = keep_last(story, n)
    if case.organ_name and case.organ_name != case.office_name:
        tail.append(_handled_by(w, st, case))
    return signature_block(w, st, case.decider, issued_on, tail)


# --- 不予受理 / 不再受理告知书 -------------------------------------------------------------------
def render_refusal(case: DocCase, details: RefusalDetails, *, redacted: bool = False,
                   issued_on: date | None = None) -> RenderedDocument:
    """不予受理告知书 or 不再受理告知书 (title by ``details.kind``), with the ground and its article
    (第十九条第三款; 第三十六条第三款)."""
    w, st = _setup(redacted)
    issued_on = issued_on or date.today()
    title = f"{details.kind}告知书"
    story: list[Flowable] = title_block(w, st, title, case.number, details.doc_no)
    story.append(w.p(addressee(case, w), st.flush))
    story.append(w.p([*_opening(case), "已收悉。"], st.body))
    story += w.paras("信访请求", case.request, st.body, lead=[f"{you(case)}的主要请求："])
    found = ["经审查，", ("理由", details.ground.rstrip("。"))]
    if details.details:
        found += ["（", ("具体情况", details.details.rstrip("。")), "）"]
    story.append(w.p([*found, "。依照", ("依据", details.article), "的规定，本机关对该信访事项",
                      details.kind, "。"], st.body))
    if details.redirect_to:
        story.append(w.p([f"{you(case)}可以", ("告知去向", details.redirect_to.rstrip("。")), "。"], st.body))
    story.append(w.p("特此告知。", st.body))
    story.append(_sign(w, st, case, issued_on, story))
    return build(title, story, w, author=case.decider, subject=case.number)


# --- 转送单 / 交办单 ----------------------------------------------------------------------------
def render_transfer(case: DocCase, details: RoutingDetails, *, redacted: bool = False,
                    issued_on: date | None = None) -> RenderedDocument:
    """信访事项转送单 or 交办单 (title by ``details.kind``).

    For a 检举控告 matter the complainant's name, ID number, phone and address are left out
    entirely and the form says so (第三十条第三款)."""
    w, st = _setup(redacted)
    issued_on = issued_on or date.today()
    title = f"信访事项{details.kind}单"
    story: list[Flowable] = title_block(w, st, title, case.number, details.doc_no)
    story.append(w.p([("接收单位", details.receiving_unit), "："], st.flush))
    if details.kind == "转送" and case.is_accusation:
        story.append(w.p([
            "现将下列检举控告类信访事项转送你单位，请依照", TIAOLI,
            "第三十条的规定依规依纪依法接收、受理、办理和反馈，告知按照有关规定执行。"], st.body))
    elif details.kind == "转送":
        story.append(w.p([
            "现将下列信访事项转送你单位，请依照", TIAOLI,
            f"第二十三条的规定，自收到之日起{wf.NOTICE_DAYS}日内书面告知信访人接收情况以及处理途径和程序，"
            "并依规依法办理。"], st.body))
    else:
        story.append(w.p([
            "现将下列信访事项交由你单位办理，请依照", TIAOLI, "第二十二条第一款第三项的规定，于",
            ("办理期限", fmt_date(details.deadline)), "前办结，并将办理结果和办结报告报送本机关。"],
            st.body))
    if not case.is_accusation:
        story.append(w.p([f"不属于你单位职权范围的，请自收到之日起{wf.OBJECTION_WORKING_DAYS}个工作日内提出异议，详细说明理由"
                          "（第二十三条第三款）。"], st.body))
    if details.requirements:
        story += w.paras("办理要求", details.requirements, st.body)
    if case.is_accusation:
        story.append(w.p(["依照", TIAOLI, "第三十条第三款的规定，不得将检举、揭发材料以及有关情况"
                          "透露或者转给被检举、揭发的人员或者单位。"], st.body))

    L = st.cell_label
    rows = [
        [w.p("事项编号", L), w.p([("事项编号", case.number)], st.cell_code),
         w.p("登记时间", L), w.p([("登记时间", fmt_datetime(case.received_at))], st.cell)],
        [w.p("信访形式", L), w.p([("信访形式", case.channel)], st.cell),
         w.p("信访人数", L),
         w.p([f"{case.people_count}人", _crowd(case)], st.cell)],
        [w.p("办理期限", L), w.p([("办理期限", fmt_date(details.deadline) or "依规定")], st.cell),
         w.p("检举控告", L), w.p("是" if case.is_accusation else "否", st.cell)],
    ]
    story.append(Table(rows, colWidths=[LABEL_W, 54 * mm, LABEL_W, 54 * mm],
                       style=_grid_style()))
    groups: list = []
    if case.is_accusation:
        groups.append(("信访人", [w.p([ACCUSATION_NOTICE, "（", TIAOLI, "第三十条）。"], st.cell)]))
    else:
        n = len(case.petitioners)
        people = [w.p([f"{i + 1}. " if n > 1 else "",
                       *_party_parts(w, p, f"信访人{i + 1}" if n > 1 else "信访人")], st.cell)
                  for i, p in enumerate(case.petitioners)]
        groups.append(("信访人", people))
        if case.representatives:
            groups.append(("代表人", _representatives(w, st, case)))
    if case.matter:
        groups.append(("事项类型", case.matter))
    groups.append(("问题类别", case.category))
    if case.concerned_unit:
        groups.append(("被反映单位", case.concerned_unit))
    groups += [("信访请求", case.request), ("事实", case.facts), ("理由", case.reasons)]
    story.append(_text_table(w, st, groups))
    contact = ["联系人：", ("登记人", case.clerk)]
    if case.office_phone:
        contact += ["　联系电话：", ("联系电话", case.office_phone)]
    story.append(Spacer(1, 4))
    story.append(w.p(contact, st.note))
    story.append(signature_block(w, st, case.office_name, issued_on))
    return build(title, story, w, author=case.office_name, subject=case.number)


def _crowd(case: DocCase) -> str:
    if case.is_group:
        return "（集体访）"
    if case.people_count >= 5:
        return "（联名）"
    return ""


# --- 延期告知书 -------------------------------------------------------------------------------
def render_extension(case: DocCase, details: ExtensionDetails, *, redacted: bool = False,
                     issued_on: date | None = None) -> RenderedDocument:
    """延期告知书 (第三十四条): reason, new deadline, the approving head."""
    w, st = _setup(redacted)
    issued_on = issued_on or date.today()
    title = "延期办理告知书"
    story: list[Flowable] = title_block(w, st, title, case.number, details.doc_no)
    story.append(w.p(addressee(case, w), st.flush))
    story.append(w.p([*_opening(case), "，原定办理期限为",
                      ("原办理期限", fmt_date(details.original_deadline)), "。"], st.body))
    story.append(w.p(["因", ("延期理由", details.reason.rstrip("。")), "，经本机关负责人",
                      ("批准人", details.approver), "批准，依照", TIAOLI,
                      "第三十四条的规定，该信访事项的办理期限延长至",
                      ("延长后的期限", fmt_date(details.new_deadline)), "。"], st.body))
    story.append(w.p("特此告知。", st.body))
    story.append(_sign(w, st, case, issued_on, story))
    return build(title, story, w, author=case.decider, subject=case.number)


# --- 信访处理意见书 -------------------------------------------------------------------------------
def review_sentence(review_body: str, days: int = 30) -> str:
    return f"对本处理意见不服的，可以自收到本意见书之日起{days}日内向{review_body}请求复查。"


def render_decision(case: DocCase, details: DecisionDetails, *, redacted: bool = False,
                    issued_on: date | None = None) -> RenderedDocument:
    """信访处理意见书 (第三十一条第六项、第三十二条、第三十五条), signed by the deciding organ."""
    w, st = _setup(redacted)
    issued_on = issued_on or date.today()
    title = "信访处理意见书"
    item, verdict = _OUTCOME_ITEM[details.outcome]
    story: list[Flowable] = title_block(w, st, title, case.number, details.doc_no)
    story.append(w.p(addressee(case, w), st.flush))
    story.append(w.p([*_opening(case), "已收悉。本机关依照", TIAOLI,
                      "第三十一条第六项的规定，听取了", you(case),
                      "陈述的事实和理由，并进行了调查核实。现将处理意见告知如下："], st.body))
    n = iter("一二三四五六")
    story.append(w.p(f"{next(n)}、信访请求", st.heading))
    story += w.paras("信访请求", case.request, st.body)
    story.append(w.p(f"{next(n)}、事实和理由", st.heading))
    story += w.paras("事实", case.facts, st.body)
    story += w.paras("理由", case.reasons, st.body)
    if details.findings:
        story.append(w.p(f"{next(n)}、调查核实情况", st.heading))
        story += w.paras("调查核实情况", details.findings, st.body)
    story.append(w.p(f"{next(n)}、处理意见及依据", st.heading))
    story += w.paras("处理意见", details.decision, st.body)
    story += w.paras("法律法规依据", _sentence(details.legal_basis), st.body, lead=["依据："])
    story.append(w.p(["根据", TIAOLI, f"第三十二条第一款{item}的规定，本机关对{you(case)}的信访请求",
                      ("处理结果", verdict), "。"], st.body))
    story.append(w.p(f"{next(n)}、复查权利", st.heading))
    body = details.review_body or "本机关的上一级机关"
    story.append(w.p([f"{you(case)}对本处理意见不服的，可以自收到本意见书之日起", f"{details.review_days}日内向",
                      ("复查机关", body), "请求复查（", TIAOLI, "第三十五条）。"], st.body))
    story.append(_sign(w, st, case, issued_on, story, 2))
    return build(title, story, w, author=case.decider, subject=case.number)


# --- 建议意见答复书 (第二十九条) ---------------------------------------------------------------------
def render_answer(case: DocCase, details: AnswerDetails, *, redacted: bool = False,
                  issued_on: date | None = None) -> RenderedDocument:
    """The answer to a 建议意见 matter (第二十九条): studied, and adopted, partly adopted or not."""
    w, st = _setup(redacted)
    issued_on = issued_on or date.today()
    title = "信访事项答复意见书"
    story: list[Flowable] = title_block(w, st, title, case.number, details.doc_no)
    story.append(w.p(addressee(case, w), st.flush))
    story.append(w.p([*_opening(case), "已收悉。感谢", you(case), "对本地工作的关心。本机关依照", TIAOLI,
                      "第二十九条的规定，对", you(case), "提出的建议意见进行了研究论证，现答复如下："], st.body))
    story += w.paras("建议意见", case.request, st.body, lead=[f"{you(case)}的建议意见："])
    story += w.paras("答复意见", details.text, st.body)
    verdict = {"采纳": "予以采纳", "部分采纳": "予以部分采纳", "不采纳": "暂不采纳"}[details.answer]
    story.append(w.p(["经研究，对", you(case), "的建议意见", ("答复结果", verdict), "。"], st.body))
    story.append(w.p("特此答复。", st.body))
    story.append(_sign(w, st, case, issued_on, story))
    return build(title, story, w, author=case.decider, subject=case.number)


# --- 复查意见书 / 复核意见书 (第三十五、三十六条) ------------------------------------------------------
def render_review(case: DocCase, details: ReviewDetails, *, redacted: bool = False,
                  issued_on: date | None = None) -> RenderedDocument:
    """复查意见书 (第三十五条) or 复核意见书 (第三十六条), issued where this office decides it."""
    w, st = _setup(redacted)
    issued_on = issued_on or date.today()
    stage = details.stage
    title = f"信访事项{stage}意见书"
    article = "第三十五条" if stage == "复查" else "第三十六条"
    story: list[Flowable] = title_block(w, st, title, case.number, details.doc_no)
    story.append(w.p(addressee(case, w), st.flush))
    below = "复查意见" if stage == "复核" else "信访处理意见"
    story.append(w.p([you(case), "不服", ("原处理意见", details.decision_below), "，于",
                      ("请求日期", fmt_date(details.requested_on)), f"向本机关请求{stage}。本机关依照", TIAOLI,
                      f"{article}的规定进行了{stage}，现将{stage}意见告知如下："], st.body))
    story += w.paras("信访请求", case.request, st.body, lead=[f"{you(case)}的信访请求："])
    story += w.paras(f"{stage}意见", details.text, st.body)
    if details.basis:
        story += w.paras("依据", _sentence(details.basis), st.body, lead=["依据："])
    phrase = {"维持": f"维持原{below}", "变更": f"变更原{below}", "撤销": f"撤销原{below}"}[details.disposition]
    conclusion: list = ["本机关决定", (f"{stage}结论", phrase)]
    if details.outcome and details.disposition != "维持":
        conclusion += ["，对", you(case), "的信访请求", ("处理结果", _OUTCOME_ITEM[details.outcome][1])]
    story.append(w.p([*conclusion, "。"], st.body))
    if stage == "复核" and details.hearing_days:
        story.append(w.p(["本事项经过听证，听证所需", f"{details.hearing_days}日不计算在复核期限内（第三十六条第二款）。"],
                         st.body))
    if stage == "复查":
        body = details.next_body or "本机关的上一级机关"
        story.append(w.p([f"{you(case)}对本复查意见不服的，可以自收到本意见书之日起{wf.RECHECK_REQUEST_DAYS}日内向", ("复核机关", body),
                          "请求复核（", TIAOLI, "第三十六条第一款）。"], st.body))
    else:
        story.append(w.p([f"{you(case)}对复核意见不服，仍然以同一事实和理由提出投诉请求的，各级党委和政府信访部门和"
                          "其他机关、单位不再受理（", TIAOLI, "第三十六条第三款）。"], st.body))
    story.append(_sign(w, st, case, issued_on, story))
    return build(title, story, w, author=case.decider, subject=case.number)


# --- 回访记录 -----------------------------------------------------------------------------------
def render_followup(case: DocCase, details: FollowUpDetails, *, redacted: bool = False,
                    issued_on: date | None = None) -> RenderedDocument:
    """信访事项回访记录: the follow-up after the written reply, as recorded (an internal form)."""
    w, st = _setup(redacted)
    issued_on = issued_on or details.followed_on
    title = "信访事项回访记录"
    L = st.cell_label
    story: list[Flowable] = [w.title(title, st.title)]
    names = "、".join(p.name for p in case.petitioners) or "—"
    rows = [
        [w.p("事项编号", L), w.p([("事项编号", case.number)], st.cell_code),
         w.p("登记时间", L), w.p([("登记时间", fmt_date(case.received_at))], st.cell)],
        [w.p("信访人", L), w.p([("信访人", names)], st.cell),
         w.p("信访人数", L), w.p(f"{case.people_count}人", st.cell)],
        [w.p("答复日期", L), w.p([("答复日期", fmt_date(details.replied_on) or "—")], st.cell),
         w.p("处理结果", L), w.p([("处理结果", details.result or "—")], st.cell)],
        [w.p("回访日期", L), w.p([("回访日期", fmt_date(details.followed_on))], st.cell),
         w.p("回访方式", L), w.p([("回访方式", details.method)], st.cell)],
        [w.p("满意度", L), w.p([("满意度", details.rating or "未评价")], st.cell),
         w.p("回访人", L), w.p([("回访人", details.by)], st.cell)],
    ]
    story.append(Table(rows, colWidths=[LABEL_W, 54 * mm, LABEL_W, 54 * mm], style=_grid_style()))
    story.append(_text_table(w, st, [("信访请求", case.request), ("回访情况", details.notes or "")]))
    story.append(signature_block(w, st, case.office_name, issued_on))
    return build(title, story, w, author=case.office_name, subject=case.number)


# --- 办结报告 (第二十二条第一款第三项) -------------------------------------------------------------
def render_report(case: DocCase, details: ReportDetails, *, redacted: bool = False,
                  issued_on: date | None = None) -> RenderedDocument:
    """办结报告: the unit a matter was assigned to reports its result to the unit that assigned it."""
    w, st = _setup(redacted)
    issued_on = issued_on or details.replied_on
    title = "信访事项办结报告"
    story: list[Flowable] = title_block(w, st, title, case.number, details.doc_no)
    story.append(w.p([("报送单位", details.to_unit), "："], st.flush))
    assigned = ["你单位于", ("交办日期", fmt_date(details.assigned_on)), "交办的"] if details.assigned_on else ["你单位交办的"]
    story.append(w.p([*assigned, "信访事项（事项编号：", ("事项编号", case.number), "），本机关已于",
                      ("答复日期", fmt_date(details.replied_on)), "办结"]
                     + (["（办理期限：", ("办理期限", fmt_date(details.deadline)), "）"] if details.deadline else [])
                     + ["。依照", TIAOLI, "第二十二条第一款第三项的规定，现将办理结果报告如下："], st.body))
    L = st.cell_label
    rows = [
        [w.p("信访人", L), w.p([("信访人", "、".join(p.name for p in case.petitioners) or "—")], st.cell),
         w.p("问题类别", L), w.p([("问题类别", case.category)], st.cell)],
        [w.p("处理结果", L), w.p([("处理结果", details.result)], st.cell),
         w.p("送达日期", L), w.p([("送达日期", fmt_date(details.delivered_on) or "—")], st.cell)],
    ]
    story.append(Table(rows, colWidths=[LABEL_W, 54 * mm, LABEL_W, 54 * mm], style=_grid_style()))
    groups: list = [("信访请求", case.request), ("办理情况", details.text)]
    if details.followed:
        groups.append(("回访情况", details.followed))
    story.append(_text_table(w, st, groups))
    story.append(w.p("特此报告。", st.body))
    story.append(_sign(w, st, case, issued_on, story))
    return build(title, story, w, author=case.decider, subject=case.number)
