"""The 统计 page drawn for a person to read: each bar's value at the end of its own bar, the month
labels of the two lines apart, the 比率 tables one line a row, the scope dialog whole, and a wait on
an export or report shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from xinfang_desktop.gui.charts import EARLIER, NOW, PEOPLE, Bar, BarChart, LineChart


def test_each_value_sits_at_the_end_of_its_own_bar(qtbot):
    chart = BarChart("问题类别（一级，批次）")
    qtbot.addWidget(chart)
    chart.resize(520, 200)
    # this period smaller than a year earlier, and the reverse: each number still labels its own bar
    chart.set_bars([Bar("民政与应急", 0, 3), Bar("劳动和社会保障", 5, 8), Bar("其他", 6, 2)])
    chart.show()
    chart.grab()
    marks = chart.value_marks
    assert [m[0] for m in marks] == ["6", "2", "5", "8", "0", "3"]
    for _text, bar, label in marks:
        assert abs(label.left() - (bar.right() + 4)) <= 1                   # just after its own bar's end
        assert bar.top() - 2 <= label.center().y() <= bar.bottom() + 2       # beside it, not the other bar
    for (_, _, a), (_, _, b) in zip(marks, marks[1:]):
        assert not a.intersects(b)


def test_the_two_lines_labels_do_not_overlap(qtbot):
    chart = LineChart("逐月登记")
    qtbot.addWidget(chart)
    chart.resize(900, 260)
    batches = [14, 20, 13, 18, 10, 12, 21, 18, 22, 18, 2]
    people = [15, 98, 13, 29, 12, 24, 25, 20, 68, 23, 2]          # close or equal to the batches in most months
    chart.set_data([f"{m}月" for m in range(1, 12)], [("批次", batches, NOW), ("人次", people, PEOPLE)])
    chart.show()
    chart.grab()
    by_month: dict[int, list] = {}
    for _series, month, rect in chart.point_marks:
        by_month.setdefault(month, []).append(rect)
    assert len(chart.point_marks) == 22
    for month, rects in by_month.items():
        assert not rects[0].intersects(rects[1]), month
    assert EARLIER != NOW


def test_rate_tables_rows_fit_their_text_and_the_scope_dialog_shows_every_township(qtbot, app_ctx, clerk, handler,
                                                                                   services):
    from tests.services.stats_data import build_october
    from xinfang_desktop.gui.pages.stats import ScopeDialog, StatsPage

    build_october(services, clerk, handler)
    page = StatsPage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1160, 760)
    page.show()
    qtbot.waitExposed(page)
    page.kind.setCurrentIndex(0)
    page.year.setValue(2026)
    page.month.setValue(10)
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    for title in ("主要比率", "比率的计算项及口径"):
        table = page.tables[title]
        page.tabs.setCurrentWidget(table)
        QApplication.processEvents()
        line = table.fontMetrics().height()
        heights = [table.rowHeight(r) for r in range(table.rowCount())]
        assert max(heights) <= 3 * line + 12, (title, heights)          # wrapped at the shown width
        assert sum(heights) < table.viewport().height() or len(heights) > 5
    dialog = ScopeDialog(page.townships, (), page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    rows = dialog.list
    last = rows.visualItemRect(rows.item(rows.count() - 1))
    assert rows.count() >= 16 and last.bottom() <= rows.viewport().height()     # nothing cut off


def test_a_report_shows_that_it_is_being_made(qtbot, app_ctx, clerk, handler, services, monkeypatch):
    from tests.services.stats_data import build_october
    from xinfang_desktop.documents import report
    from xinfang_desktop.gui import print_preview
    from xinfang_desktop.gui.pages.stats import StatsPage

    build_october(services, clerk, handler)
    page = StatsPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.mouseClick(page.run_button, Qt.LeftButton)
    seen = []
    real = report.render_statistics_report

    def render(*args, **kwargs):
        seen.append((page.busy.isVisible(), page.report_button.text(), page.report_button.isEnabled()))
        return real(*args, **kwargs)

    monkeypatch.setattr(report, "render_statistics_report", render)
    monkeypatch.setattr(print_preview, "show_document", lambda *a, **k: None)
    qtbot.mouseClick(page.report_button, Qt.LeftButton)
    assert seen == [(True, "正在生成报告…", False)]
    assert not page.busy.isVisible() and page.report_button.text() == "生成报告(&R)…"
