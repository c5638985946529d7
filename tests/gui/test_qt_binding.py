"""The Qt binding must not leak or steal references: on Python 3.11 a binding that drops a
reference to None on every void call (PySide6 6.12.0 does) aborts a long-running window."""

from __future__ import annotations

import sys

import pytest


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on (PEP 683)")
def test_void_calls_keep_the_reference_count_of_none(qtbot):
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("信访")
        label.update()
    assert abs(sys.getrefcount(None) - before) < 100
