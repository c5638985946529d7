"""A list read again stays as the clerk left it (gui/refresh.py: after a write here or on another desk).

The rows are known by a key (a case's id, an entry's id), not by their place: when another desk's new case
comes in above them, the selected case stays selected, not the row that now holds another one (a correction
or an action would go to the wrong record), and the rows on the screen stay where they were. `remember`
before the rows are replaced, `restore` after, with each time the keys of the rows in their order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView, QTableView


@dataclass(frozen=True)
class Place:
    selected: str | None          # the key of the current (selected) row
    anchor: str | None            # the row kept in place: the selected one when on the screen, else the top one
    row: int                      # the anchor's row
    y: int                        # where the anchor's top was in the viewport
    value: int                    # the scroll bar's value


def remember(table: QTableView, keys: Sequence[str | None]) -> Place:
    current = table.currentIndex()
    row = current.row() if current.isValid() and table.selectionModel().isRowSelected(current.row()) else -1
    selected = keys[row] if 0 <= row < len(keys) else None
    first, last = table.rowAt(0), table.rowAt(table.viewport().height() - 1)
    if selected is not None and first <= row and (last < 0 or row <= last):
        anchor_row = row
    else:
        anchor_row = first
    anchor = keys[anchor_row] if 0 <= anchor_row < len(keys) else None
    y = table.rowViewportPosition(anchor_row) if anchor is not None else 0
    return Place(selected, anchor, anchor_row, y, table.verticalScrollBar().value())


def restore(table: QTableView, place: Place, keys: Sequence[str | None]) -> None:
    """Select the remembered row again (or nothing, when it is gone) and scroll its anchor back in place."""
    where = {k: i for i, k in enumerate(keys) if k is not None}
    table.doItemsLayout()             # the scroll bar's range for the new rows, before it is set
    selection = table.selectionModel()
    if place.selected in where:
        selection.setCurrentIndex(table.model().index(where[place.selected], 0),
                                  QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
    elif place.selected is not None:
        selection.clearSelection()    # its record went (another filter, another desk): select no other one
    bar = table.verticalScrollBar()
    if place.anchor not in where:
        bar.setValue(place.value)
        return
    row = where[place.anchor]
    if table.verticalScrollMode() == QAbstractItemView.ScrollPerItem:
        bar.setValue(max(0, place.value + row - place.row))     # the value is the top row's
    else:
        bar.setValue(bar.value() + table.rowViewportPosition(row) - place.y)
