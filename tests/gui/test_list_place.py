"""A table read again keeps the clerk's place by the rows' keys (gui/list_place.py): the same record stays
selected when rows come in above it, none is selected when it went, and the rows on the screen stay put."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableWidgetItem

from xinfang_desktop.gui import list_place
from xinfang_desktop.gui.tables import read_only_table


def fill(table, keys: list[str]) -> None:
    table.setRowCount(len(keys))
    for i, k in enumerate(keys):
        table.setItem(i, 0, QTableWidgetItem(k))


@pytest.fixture
def table(qtbot):
    t = read_only_table(["记录"], single=True)
    qtbot.addWidget(t)
    t.resize(300, 300)
    t.show()
    qtbot.waitExposed(t, timeout=30_000)
    return t


def test_rows_that_come_in_above_move_neither_the_selection_nor_the_view(table):
    keys = [f"r{i}" for i in range(100)]
    fill(table, keys)
    table.verticalScrollBar().setValue(40)
    table.selectRow(45)
    y = table.rowViewportPosition(45)
    place = list_place.remember(table, keys)
    keys = ["new1", "new2", "new3"] + keys          # another desk's three, at the top
    fill(table, keys)
    list_place.restore(table, place, keys)
    assert table.currentItem().text() == "r45" and table.selectionModel().selectedRows()[0].row() == 48
    assert table.rowViewportPosition(48) == y


def test_a_record_that_went_leaves_nothing_selected(table):
    keys = [f"r{i}" for i in range(20)]
    fill(table, keys)
    table.selectRow(5)
    place = list_place.remember(table, keys)
    keys = keys[:5] + keys[6:]                        # r5 went (another filter, another desk)
    fill(table, keys)
    list_place.restore(table, place, keys)
    assert table.selectionModel().selectedRows() == []   # not r6, which now sits in its row
