"""The name and address boxes of the intake form hold realistic content at 1280×800 (issue 15): a
ten-character minority name, and an address as the clerk writes it with its village and group."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics

ADDRESS = "漳平市永福镇李庄村三组 12 号"
NAME = "阿卜杜热合曼·买买提"


def test_name_and_address_fit_in_the_main_window_at_1280_by_800(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_page("intake")
    page = window.pages["intake"]
    qtbot.waitExposed(window)
    row = page.rows[0]
    qtbot.waitUntil(lambda: row.address.width() > 0 and row.address.isVisible(), timeout=30_000)
    assert window.width() <= 1280
    for box, text in ((row.name, NAME), (row.address, ADDRESS)):
        needed = QFontMetrics(box.font()).horizontalAdvance(text) + 10      # and the box's padding
        assert box.width() >= needed, (text, box.width(), needed)
