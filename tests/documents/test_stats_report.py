"""The statistics report (PDF) read back with pypdf: the hand-counted figures, the rate
definitions, the charts' labels, the A4 page."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from xinfang_desktop.documents import DOCUMENTS
from xinfang_desktop.documents.report import render_statistics_report
from xinfang_desktop.domain import statistics as st
from xinfang_desktop.services.statistics import StatisticsService
from tests.services.stats_data import build_october


def _text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def test_the_monthly_report_prints_the_counted_figures_and_how_each_rate_is_computed(services, admin, clerk,
                                                                                   handler):
    build_october(services, clerk, handler)
    s = services.get(StatisticsService).compute(admin, st.month(2026, 10))
    doc = render_statistics_report(s, office="永福镇信访办")
    assert doc.ok and doc.pages >= 2 and "statistics_report" in DOCUMENTS
    text = _text(doc.pdf)
    assert "永福镇信访工作统计月报" in text and "2026年10月" in text
    assert "本期共登记信访事项7批14人次，其中受理6批，不予受理或不再受理1批。上年同期（2025年10月）登记1批1人次" in text
    assert "重件1批，集体访0批0人次，联名信访1批6人次" in text
    # the matters whose handling here ended with 转送 (第二十二、二十三条) and those owed no notice (第二十三条第二款)
    assert "已转送1已转送有权处理的机关" in text and "住址不清免予告知1" in text
    for rate in s.rates:
        assert rate.formula.replace(" ", "") in text      # every formula is printed…
        assert rate.worked.replace(" ", "") in text       # …with its numerator and denominator
    assert "5÷6=83.3%" in text and "2÷4=50.0%" in text
    # each term of a rate in its own row: the rate, the term, its count, how it counts, what it counts
    assert "按期办结率按期办结2分子、分母" in text and "及时受理率告知期内待告知1不计入" in text
    assert "图1" in text and "问题类别（一级，批次）" in text and "逐月登记情况" in text
    page = PdfReader(io.BytesIO(doc.pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_quarter_and_year_reports_are_named_for_their_period(services, admin, clerk, handler):
    build_october(services, clerk, handler)
    svc = services.get(StatisticsService)
    q = render_statistics_report(svc.compute(admin, st.quarter(2026, 4)))
    assert "统计季报" in _text(q.pdf) and "2026年第4季度" in q.title
    y = render_statistics_report(svc.compute(admin, st.year(2026), compare=False))
    text = _text(y.pdf)
    assert "统计年报" in text and "上年同期" not in text.split("二、办理情况")[0]
    span = render_statistics_report(svc.compute(admin, st.custom(date(2026, 10, 1), date(2026, 10, 20))))
    assert "信访工作统计报告" in span.title and "统计统计" not in span.title + _text(span.pdf)
