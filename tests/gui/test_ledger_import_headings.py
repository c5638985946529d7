"""导入台账 with the column headings real township ledgers use (来访形式, 反映人, 身份证号码, 反映问题…):
the columns are mapped before anything is checked, the mapping is shown, the rows import, and a row
that fails says which row and why."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook
from PySide6.QtCore import Qt

from xinfang_desktop.domain.idcard import check_character
from xinfang_desktop.store.models import Case

HEADINGS = ["序号", "来访日期", "来访形式", "反映人", "联系电话", "身份证号码", "家庭住址", "反映问题", "问题类别",
            "被反映单位", "办理情况"]


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


def ledger_rows() -> list[list]:
    return [
        [1, datetime(2026, 3, 5), "个访", "陈秀英", "13805981234", id_number("35088119650312002"),
         "永福镇李庄村3组", "反映2025年在本镇建筑工地务工被拖欠工资8600元", "拖欠工资", "福建某建筑公司", "已转镇劳动保障所"],
        [2, "2026年4月12日", "来信", "林国华", "0597-7531234", "", "永福镇西山村",
         "反映村道硬化后排水沟堵塞，雨天积水进屋", "村务管理", "西山村委会", ""],
        [3, "2026.06.20", "集体访", "郑美玲", "13905970001", id_number("35088119780101003"),
         "永福镇东洋村", "反映土地征收补偿款未按协议发放", "土地征收", "镇征迁办", "正在核实"],
    ]


def write(path, rows, headings=HEADINGS):
    wb = Workbook()
    ws = wb.active
    ws.append(["永福镇2026年信访事项登记台账"])       # a title line above the headings, as ledgers have
    ws.append(headings)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def open_dialog(qtbot, app_ctx, path):
    from xinfang_desktop.gui.ledger_import import LedgerImportDialog

    dlg = LedgerImportDialog(app_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.open_file(path)
    return dlg


def shown_mapping(dlg) -> dict[str, str]:
    """What the mapping step shows: each ledger column and the field chosen for it."""
    return {dlg.mapping.item(i, 0).text(): dlg.mapping.cellWidget(i, 1).currentText()
            for i in range(dlg.mapping.rowCount())}


def test_a_realistic_ledger_is_mapped_shown_and_imported_whole(qtbot, app_ctx, tmp_path):
    dlg = open_dialog(qtbot, app_ctx, write(tmp_path / "永福镇台账.xlsx", ledger_rows()))
    assert dlg.steps.currentIndex() == 0          # the mapping is shown before any row is checked
    mapping = shown_mapping(dlg)
    assert mapping["来访日期"] == "收到日期（必填）" and mapping["来访形式"] == "信访形式（必填）"
    assert mapping["反映人"] == "姓名（必填）" and mapping["反映问题"] == "反映问题（必填）"
    assert mapping["联系电话"] == "联系电话" and mapping["身份证号码"] == "身份证号"
    assert mapping["问题类别"] == "问题类别（必填）" and mapping["被反映单位"] == "被反映单位"
    assert mapping["序号"] == "— 不导入 —"
    assert "已按列名自动对应" in dlg.summary.text()
    qtbot.mouseClick(dlg.check_button, Qt.LeftButton)
    assert dlg.plan.count("ok") == 3, [r.summary for r in dlg.plan.rows]
    assert dlg.import_button.text().startswith("导入3行")
    qtbot.mouseClick(dlg.import_button, Qt.LeftButton)
    assert "已导入3行" in dlg.summary.text()
    channels = sorted(c.channel for c in Case.select())
    assert channels == ["letter", "visit", "visit"]


def test_each_failing_row_is_named_with_its_reason(qtbot, app_ctx, tmp_path):
    rows = ledger_rows()
    rows[0][5] = "350881196503120021"              # a wrong check character
    rows[2][2] = "其他"                             # no channel a petition can come by
    dlg = open_dialog(qtbot, app_ctx, write(tmp_path / "台账.xlsx", rows))
    qtbot.mouseClick(dlg.check_button, Qt.LeftButton)
    shown = {dlg.rows.item(i, 0).text(): (dlg.rows.item(i, 1).text(), dlg.rows.item(i, 4).text())
             for i in range(dlg.rows.rowCount())}
    # row numbers as the spreadsheet shows them: the title line and the headings come first
    assert shown["4"][0] == "可导入"
    assert shown["3"][0] == "有问题" and "身份证" in shown["3"][1]
    assert shown["5"][0] == "有问题" and "信访形式“其他”无法识别" in shown["5"][1]
    assert "可导入1行" in dlg.summary.text() and "有问题2行" in dlg.summary.text()
    qtbot.mouseClick(dlg.import_button, Qt.LeftButton)
    assert Case.select().count() == 1 and "台账.未导入.xlsx" in dlg.summary.text()


def test_a_missing_column_is_named_where_the_clerk_chooses_it(qtbot, app_ctx, tmp_path):
    headings = [h if h != "来访形式" else "备注" for h in HEADINGS]
    dlg = open_dialog(qtbot, app_ctx, write(tmp_path / "台账.xlsx", ledger_rows(), headings))
    assert "还没有列对应这些必填字段：信访形式" in dlg.summary.text()
    assert "“导入为”一栏" in dlg.summary.text() and "列对应”中" not in dlg.summary.text()
    assert dlg.mapping.horizontalHeaderItem(1).text() == "导入为"
    combo = dlg.mapping.cellWidget(headings.index("备注"), 1)
    combo.setCurrentIndex(combo.findData("channel"))      # the clerk picks the field for the column
    assert "已按列名自动对应" in dlg.summary.text()
