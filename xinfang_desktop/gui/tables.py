"""One way to make the read-only tables of the window: rows selected whole, no editing, no row numbers.

The options are the few ways the pages differ (how columns take the width, wrapping, one row at a
time), so that the same kind of table looks and behaves the same on every page.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget


def read_only_table(headers: list[str], *, single: bool = False, wrap: bool | None = None, fit: bool = False,
                    stretch_last: bool = True, stretch: int | None = None, alternate: bool = False) -> QTableWidget:
    """A table of `headers` that shows records and lets the user pick rows.

    single: one row at a time; wrap: set word wrapping (None keeps Qt's default); fit: columns as wide
    as their contents; stretch_last: the last column takes the rest of the width; stretch: this column
    takes it instead; alternate: alternating row colours (long tables of figures)."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    if single:
        t.setSelectionMode(QAbstractItemView.SingleSelection)
    if alternate:
        t.setAlternatingRowColors(True)
    header = t.horizontalHeader()
    if fit:
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.Stretch)
    elif stretch_last:
        header.setStretchLastSection(True)
    if wrap is not None:
        t.setWordWrap(wrap)
    return t
