"""The 导入台账 dialog and the person rule (issue 13): a row whose ID number is registered under another
name is shown with both names and not imported, or, with the policy changed, imported as another person."""

from __future__ import annotations

from openpyxl import Workbook
from PySide6.QtCore import Qt

from tests.conftest import make_registration
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.store.models import Case, Person

ID = "11010519491231002X"


def test_rows_with_a_registered_id_and_another_name_are_shown_and_held_back_30_3(qtbot, app_ctx, services, clerk,
                                                                                 tmp_path):
    """第三十条第三款: importing an old ledger does not rename the accuser registered with this ID number."""
    from xinfang_desktop.gui.ledger_import import LedgerImportDialog

    services.cases.register(clerk, make_registration(category_code="1501", request="检举村干部侵占补偿款",
                                                     petitioners=[PetitionerInput(name="赵六", id_number=ID)]))
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "信访日期", "信访方式", "反映问题", "问题类别"])
    ws.append(["孙七", ID, "2024-03-05", "来访", "检举村干部", "检举控告"])
    ws.append(["李四", None, "2024-04-01", "来信", "反映道路损坏", "交通运输"])
    wb.save(tmp_path / "台账.xlsx")
    dlg = LedgerImportDialog(app_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.open_file(tmp_path / "台账.xlsx")
    qtbot.mouseClick(dlg.check_button, Qt.LeftButton)
    assert dlg.rows.item(0, 1).text() == "姓名与已登记的不一致"
    assert "赵六" in dlg.rows.item(0, 4).text() and "孙七" in dlg.rows.item(0, 4).text()
    assert "姓名不同的1行不会导入" in dlg.summary.text() and dlg.import_button.text().startswith("导入1行")
    assert dlg.person_policy.isVisible()

    dlg.person_policy.setFocus()
    qtbot.keyClick(dlg.person_policy, Qt.Key_Down)            # 按另一人导入: checked again at once
    assert dlg.person_policy.currentData() == "separate"
    assert dlg.rows.item(0, 1).text() == "可导入（按另一人）" and dlg.import_button.text().startswith("导入2行")
    qtbot.mouseClick(dlg.import_button, Qt.LeftButton)
    assert "已导入2行" in dlg.summary.text() and "1行姓名与已登记的不同，已按另一人登记" in dlg.summary.text()
    assert Case.select().count() == 3
    assert Person.get(Person.name == "赵六").id_number == ID
    assert Person.get(Person.name == "孙七").id_number is None
