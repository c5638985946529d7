"""The 调解 and 接访 forms take the number a clerk says (1252, 2026-1252, the full number) through a
picker: the one case it names is chosen, several are listed to choose from with the keyboard."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt

from tests.conftest import make_registration
from tests.gui.test_board_gui import choose
from tests.gui.test_login_and_case import commit_text


@pytest.fixture
def cases(services, clerk):
    """Case 1 of 2024 and of 2025 (nothing yet this year, 2026), and case 1 of 2026 registered later."""
    a = services.cases.register(clerk, make_registration(received_at=datetime(2024, 12, 30, 9)))
    b = services.cases.register(clerk, make_registration(received_at=datetime(2025, 12, 30, 9)))
    return a.number, b.number


def type_and_enter(qtbot, picker, text: str) -> None:
    picker.entry.clear()
    qtbot.keyClicks(picker.entry, text)
    qtbot.keyClick(picker.entry, Qt.Key_Return)


def test_a_short_number_in_the_mediation_form_names_its_case(qtbot, app_ctx, services, clerk, cases):
    from xinfang_desktop.gui.pages.mediation import MediationPage
    from xinfang_desktop.services.mediation import MediationService

    old, older = cases[1], cases[0]
    page = MediationPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    form = page.add()
    picker = form.editor("case")
    type_and_enter(qtbot, picker, "2025-1")
    assert form.isVisible()                                  # Enter looked up; it did not submit the form
    assert picker.text() == old and "✓ " + old in picker.status.text()
    # "1": two cases end so and neither is this year's: both are listed, nothing is guessed
    type_and_enter(qtbot, picker, "1")
    assert picker.list.isVisible() and picker.list.count() == 2
    assert "对应2件事项" in picker.status.text()
    qtbot.keyClick(picker.entry, Qt.Key_Down)                # to the candidates, newest first
    qtbot.keyClick(picker.list, Qt.Key_Down)
    qtbot.keyClick(picker.list, Qt.Key_Return)
    assert picker.text() == older and not picker.list.isVisible()
    commit_text(form.editor("place"), "镇调解室")
    commit_text(form.editor("mediators"), "陈调解")
    commit_text(form.editor("parties"), "欧阳娜娜")
    commit_text(form.editor("discussion"), "双方同意再次协商")
    choose(form.editor("outcome"), "none")
    form.accept()
    assert not form.isVisible()
    assert [s.case_number for s in services.get(MediationService).recent(10)] == [older]


def test_an_unknown_number_is_said_and_this_years_case_comes_first(qtbot, app_ctx, services, clerk, cases):
    from xinfang_desktop.gui.pages.mediation import MediationPage

    page = MediationPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    form = page.add()
    picker = form.editor("case")
    type_and_enter(qtbot, picker, "9")
    assert "找不到“9”对应的事项" in picker.status.text() and not picker.list.isVisible()
    new = services.cases.register(clerk, make_registration())          # case 1 of 2026, this unit's
    type_and_enter(qtbot, picker, "1")
    assert picker.text() == new.number and not picker.list.isVisible()
    type_and_enter(qtbot, picker, new.number)                            # the full number still works
    assert picker.text() == new.number


def test_the_reception_form_takes_several_cases_by_short_number(qtbot, app_ctx, services, clerk, cases):
    from xinfang_desktop.gui.pages.reception import ReceptionPage
    from xinfang_desktop.services.reception import ReceptionService

    page = ReceptionPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    form = page.add()
    picker = form.editor("cases")
    type_and_enter(qtbot, picker, "2024-1")
    type_and_enter(qtbot, picker, "2025-01")
    assert picker.text() == f"{cases[0]}、{cases[1]}"
    commit_text(form.editor("leader"), "李镇长")
    commit_text(form.editor("place"), "镇信访接待大厅")
    form.accept()
    assert not form.isVisible()
    assert sorted(services.get(ReceptionService).entries(limit=5)[0].case_numbers) == sorted(cases)
