"""The 统计 page and the 台账导入 dialog, driven as a clerk would."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt

from xinfang_desktop.store.models import Case
from tests.conftest import make_registration
from tests.services.stats_data import build_october


@pytest.fixture
def page(qtbot, app_ctx, clerk, handler, services):
    from xinfang_desktop.gui.pages.stats import StatsPage

    build_october(services, clerk, handler)
    p = StatsPage(app_ctx)
    qtbot.addWidget(p)
    p.resize(1280, 900)
    p.show()
    qtbot.waitExposed(p, timeout=30_000)
    return p


def test_october_shows_cards_charts_and_tables_beside_a_year_earlier(page, qtbot):
    page.kind.setCurrentIndex(0)          # 月度
    page.year.setValue(2026)
    page.month.setValue(10)
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    assert page.stats is not None and page.stats.period.label == "2026年10月"
    assert page.cards["total"].value.text() == "7 批"
    assert "14 人次" in page.cards["total"].note.text() and "上年同期1批" in page.cards["total"].note.text()
    assert page.rate_cards["timely_acceptance"].value.text() == "83.3%"
    assert page.rate_cards["timely_acceptance"].note.text().startswith("5 ÷ 6")
    assert ("及时受理率 = 按期告知数 ÷ (按期告知数 + 超期告知数 + 超期未告知数 + 补录数)"
            in page.rate_cards["timely_acceptance"].toolTip())
    bars = {b.label: (b.value, b.earlier) for b in page.category_chart.bars}
    assert bars["劳动和社会保障"] == (4, 1) and bars["城乡建设"] == (2, 0)
    assert page.month_chart.labels[-1] == "10月" and page.month_chart.series[0][1][-1] == 7
    channel = page.tables["按信访形式"]
    last = channel.rowCount() - 1
    assert [channel.item(last, j).text() for j in range(3)] == ["合计", "7", "14"]
    rates = page.tables["主要比率"]
    assert rates.item(1, 0).text() == "按期办结率" and rates.item(1, 2).text() == "2" and rates.item(1, 3).text() == "4"


def test_a_township_scope_and_a_quarter(page, qtbot):
    page.scope_codes = ("350881103000",)
    page.kind.setCurrentIndex(1)           # 季度
    page.year.setValue(2026)
    page.quarter.setValue(4)
    page.refresh()
    assert page.stats.total.batches == 1 and page.heading.text().startswith("溪南镇")
    assert [b.label for b in page.township_chart.bars] == ["溪南镇"]


def test_the_export_writes_the_tables_the_page_shows(page, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "统计.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.year.setValue(2026)
    page.month.setValue(10)
    page.refresh()
    page.export_button.click()
    ws = load_workbook(target)["按问题类别（一级）"]
    totals = [r for r in ws.iter_rows(values_only=True) if r[0] == "合计"]
    assert totals[0][1:3] == (7, 14)
    assert "统计表已导出" in page.status.text()


def test_import_wizard_guesses_the_mapping_checks_then_imports(qtbot, app_ctx, services, tmp_path):
    from xinfang_desktop.gui.ledger_import import LedgerImportDialog

    wb = Workbook()
    ws = wb.active
    ws.append(["来访人", "日期", "方式", "反映内容", "类别", "备注"])
    ws.append(["陈秀英", "2024-03-05", "来访", "要求追讨拖欠工资", "欠薪", ""])
    ws.append(["林建国", "2024-02-30", "电话", "反映道路损坏", "交通运输", ""])
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    dlg = LedgerImportDialog(app_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.open_file(path)
    assert [c.currentData() for c in dlg.combos] == ["name", "received_at", "channel", "request", "category", None]
    dlg.combos[2].setCurrentIndex(0)      # the clerk drops the channel by mistake…
    dlg.check_button.click()
    assert dlg.plan is None and Case.select().count() == 0    # …and is told which field is missing
    dlg.combos[2].setCurrentIndex(dlg.combos[2].findData("channel"))
    dlg.check_button.click()
    assert dlg.steps.currentIndex() == 1 and Case.select().count() == 0
    assert dlg.rows.item(0, 1).text() == "可导入" and "不存在" in dlg.rows.item(1, 4).text()
    assert dlg.import_button.text().startswith("导入1行")
    dlg.import_button.click()
    assert Case.select().count() == 1 and dlg.imported
    assert "已导入1行" in dlg.summary.text() and "未导入" in dlg.summary.text()
    assert (tmp_path / "台账.未导入.xlsx").exists()


def test_the_page_shows_the_reports_tables_cell_by_cell_with_the_four_doors_subtotal(page, qtbot, services, clerk):
    """The page's tables are the report's (domain.statistics_tables): the same cells as the PDF and the
    xlsx, 登记 and 受理 apart, and 四门四访 with its subtotal beside 接访日."""
    from xinfang_desktop.domain.statistics_tables import report_tables
    from xinfang_desktop.services.reception import ReceptionService

    log = services.get(ReceptionService)
    for day, kind, batches, persons in (("2026-10-09", "开门接访", 3, 5), ("2026-10-21", "接访日", 4, 9)):
        log.add(clerk, leader="王镇长", held_on=day, place="镇信访接待室", kind=kind, batches=batches, persons=persons)
    page.kind.setCurrentIndex(0)
    page.year.setValue(2026)
    page.month.setValue(10)
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    tables = report_tables(page.stats)
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [t.title.replace("按", "") for t in tables]
    for t in tables:
        w = page.tables[t.title]
        assert [w.horizontalHeaderItem(j).text() for j in range(w.columnCount())] == t.headers
        assert [[w.item(i, j).text() for j in range(w.columnCount())] for i in range(w.rowCount())] == [
            r.texts for r in t.rows], t.title
    recept = page.tables["领导接访"]
    labels = [recept.item(i, 0).text() for i in range(recept.rowCount())]
    assert labels[-3:] == ["四门四访小计", "接访日", "合计"] and recept.item(labels.index("四门四访小计"), 1).text() == "3"
    assert recept.item(labels.index("四门四访小计"), 0).font().bold()
    card = page.cards["total"]
    assert card.caption.text() == "登记信访事项" and "受理6批，不予受理或不再受理1批" in card.note.text()
    assert "比较对象为上年同期（2025年10月）" in page.status.text()


def test_a_month_under_way_is_compared_with_the_same_days_a_year_earlier(page, qtbot, services, clerk):
    """Today is 2 November: November 2026 so far against 1–2 November 2025, and the page says so."""
    for day in (1, 20):
        services.cases.register(clerk, make_registration(received_at=datetime(2025, 11, day, 9)))
    page.kind.setCurrentIndex(0)
    page.year.setValue(2026)
    page.month.setValue(11)
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    assert page.stats.earlier.total.batches == 1                    # 20 November 2025 is not compared
    assert "上年同期（2025年11月1日至2日），本期尚未结束" in page.status.text()
    assert "上年同期1批" in page.cards["total"].note.text()
    # the long comparison sentence wraps: the page fits a narrow window (the test font is small), no sideways scrolling
    from PySide6.QtWidgets import QScrollArea
    page.resize(900, 800)
    scroll = page.findChild(QScrollArea)
    qtbot.waitUntil(lambda: scroll.viewport().width() <= 900)
    assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width()
    assert not scroll.horizontalScrollBar().isVisible()
