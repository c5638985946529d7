"""按村（社区） on the 统计 page of a township: the clerk clicks to the village tabs, exports the tables and
prints the report, and every one of them says the same figures, adding up to the township's."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import Qt

from tests.services.test_statistics_villages import build_villages


@pytest.fixture
def page(qtbot, app_ctx, clerk, handler, services):
    from xinfang_desktop.gui.pages.stats import StatsPage

    build_villages(services, clerk, handler)
    p = StatsPage(app_ctx)
    qtbot.addWidget(p)
    p.resize(1280, 900)
    p.show()
    qtbot.waitExposed(p, timeout=30_000)
    return p


def _october(page, qtbot):
    page.kind.setCurrentIndex(0)          # 月度
    page.year.setValue(2026)
    page.month.setValue(10)
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.stats is not None and page.stats.period.label == "2026年10月", timeout=30_000)


def _click_tab(page, qtbot, text):
    """Click the tab named `text`, pressing the bar's right arrow first while it is out of view."""
    from PySide6.QtWidgets import QToolButton

    bar = page.tabs.tabBar()
    i = next(i for i in range(page.tabs.count()) if page.tabs.tabText(i) == text)
    arrows = [b for b in bar.findChildren(QToolButton) if b.arrowType() == Qt.RightArrow]
    for _ in range(page.tabs.count()):
        if bar.rect().contains(bar.tabRect(i).center()) or not arrows:
            break
        qtbot.mouseClick(arrows[0], Qt.LeftButton)
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(i).center())
    assert page.tabs.currentIndex() == i
    return page.tabs.currentWidget()


def _cells(w):
    return [[w.item(i, j).text() for j in range(w.columnCount())] for i in range(w.rowCount())]


def test_the_clerk_clicks_to_the_villages_and_they_add_up_to_the_township(page, qtbot):
    _october(page, qtbot)
    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    # beside the townships' tab, the villages'; beside 办理情况, each village's
    at = tabs.index("乡镇（街道）")
    assert tabs[at + 1:at + 3] == ["村（社区）", "各村（社区）信访形式（批次）"]
    assert tabs[tabs.index("办理情况") + 1] == "各村（社区）办理情况"

    counts = _cells(_click_tab(page, qtbot, "村（社区）"))
    rows = {r[0]: r[1:3] for r in counts}
    assert rows["李庄村"] == ["2", "3"] and rows["福里村"] == ["1", "1"] and rows["紫阳村"] == ["0", "0"]
    assert rows["溪南镇东湖村"] == ["1", "1"] and rows["未填村（社区）"] == ["7", "14"]
    assert counts[-1][:3] == ["合计", "11", "19"]
    assert sum(int(r[1]) for r in counts[:-1]) == 11 == page.stats.total.batches

    channels = _click_tab(page, qtbot, "各村（社区）信访形式（批次）")
    headers = [channels.horizontalHeaderItem(j).text() for j in range(channels.columnCount())]
    assert headers == ["村（社区）", "走访", "来信", "来电", "传真", "网上", "合计"]
    by_channel = {r[0]: r[1:] for r in _cells(channels)}
    assert by_channel["李庄村"] == ["1", "1", "0", "0", "0", "2"]
    assert by_channel["合计"] == ["5", "3", "2", "0", "1", "11"]        # the township's 按信访形式

    workflow = _click_tab(page, qtbot, "各村（社区）办理情况")
    headers = [workflow.horizontalHeaderItem(j).text() for j in range(workflow.columnCount())]
    assert headers == ["村（社区）", "登记总数", "受理数", "已出具处理意见", "已结案", "超期未办",
                       "及时受理率", "按期办结率", "满意率"]
    rows = {r[0]: r[1:] for r in _cells(workflow)}
    assert rows["李庄村"] == ["2", "2", "1", "1", "1", "50.0%", "100.0%", "—"]
    assert rows["福里村"][:4] == ["1", "0", "0", "1"]
    # 合计 is the township's own figures and rates, as the cards show them
    w, rates = page.stats.workflow, {r.key: r.text for r in page.stats.rates}
    assert rows["合计"] == [str(w.received), str(w.accepted), str(w.replied), str(w.closed), str(w.overdue),
                          rates["timely_acceptance"], rates["on_time_closure"], rates["satisfaction"]]
    assert rows["合计"][5] == page.rate_cards["timely_acceptance"].value.text()
    for j in range(5):
        assert sum(int(r[j]) for k, r in rows.items() if k != "合计") == int(rows["合计"][j])


def test_the_export_and_the_report_carry_the_villages(page, qtbot, tmp_path, monkeypatch, receipts):
    from PySide6.QtWidgets import QFileDialog

    _october(page, qtbot)
    shown = _cells(page.tables["各村（社区）办理情况"])
    target = tmp_path / "统计.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "统计表已导出" in page.status.text(), timeout=30_000)
    wb = load_workbook(target)
    ws = wb["按村（社区）"]
    values = [r for r in ws.iter_rows(values_only=True)]
    assert values[0][:3] == ("村（社区）", "批次", "人次")
    li = next(r for r in values if r[0] == "李庄村")
    assert li[1:3] == (2, 3)                              # numbers, not text
    total = next(r for r in values if r[0] == "合计")
    assert total[1:3] == (11, 19)
    assert sum(r[1] for r in values[1:values.index(total)]) == 11
    ws = wb["各村（社区）办理情况"]
    got = [list(r) for r in ws.iter_rows(min_row=2, max_row=len(shown) + 1, values_only=True)]
    assert [r[0] for r in got] == [r[0] for r in shown]
    assert [r[1:6] for r in got] == [[int(x) for x in r[1:6]] for r in shown]
    li = next(r for r in got if r[0] == "李庄村")
    assert li[6] == pytest.approx(0.5) and li[7] == pytest.approx(1.0) and li[8] == "—"

    qtbot.mouseClick(page.report_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(receipts) == 1, timeout=60_000)
    rendered, _name = receipts[0]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    compact = "".join(text.split())
    assert "按村（社区）：本期登记的事项按第一信访人所在的村（社区）分列" in compact
    assert "各村（社区）办理情况" in compact and "各村（社区）登记批次" in compact
    assert "李庄村" in compact and "溪南镇东湖村" in compact and "未填村（社区）" in compact
    assert "李大山" not in compact and "李小河" not in compact     # figures only: no petitioner is named
