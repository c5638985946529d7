"""调解 and 评理 at 1280×800: the long columns (调解员, 评理团, 地点) wrap, so the stretched one (到场当事人,
评理团) keeps a readable width and the last column is on the table — it read 姜… behind a scroll bar."""

from __future__ import annotations

import random

import pytest


@pytest.fixture
def program_font():
    from PySide6.QtWidgets import QApplication

    from xinfang_desktop.gui.style import apply_fonts

    apply_fonts(QApplication.instance(), 1.0)     # the text size the program starts with, not Qt's 9 points
    yield
    apply_fonts(QApplication.instance(), 1.0)


@pytest.fixture
def demo_sessions(services, admin):
    from xinfang_desktop.services import demo, demo_attention, demo_resolution

    demo.generate(services, admin, 300, seed=3)
    demo_attention.generate(services, admin, random.Random(3))
    demo_resolution.generate(services, admin, random.Random(3))
    return services


@pytest.mark.parametrize("module, name", [("mediation", "MediationPage"), ("deliberation", "DeliberationPage")])
def test_the_session_logs_fit_a_1280_window(qtbot, program_font, app_ctx, demo_sessions, module, name):
    import importlib

    page = getattr(importlib.import_module(f"xinfang_desktop.gui.pages.{module}"), name)(app_ctx)
    qtbot.addWidget(page)
    page.resize(1160, 700)                      # the page's share of a 1280×800 window
    page.show()
    qtbot.waitExposed(page)
    table = page.table
    assert table.rowCount() > 0
    last = table.columnCount() - 1
    qtbot.waitUntil(lambda: table.columnViewportPosition(last) + table.columnWidth(last) <= table.viewport().width(),
                    timeout=30_000)
    assert table.columnWidth(page.STRETCH) >= 100
    assert all(table.columnWidth(c) <= page.widest() for c in range(table.columnCount()) if c != page.STRETCH)
