"""A pick list for the unit a matter goes to (接收单位, 承办单位): the units this office has routed to
before, then the usual ones of a township, offered as the clerk types or opens the list (▾ or Down),
and still free text for a unit never used."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCompleter, QLineEdit

from ..services.listing import ListingService
from .context import AppContext

# The units a township office routes to most, before it has a history of its own.
COMMON_UNITS = ("镇综治中心", "镇司法所", "镇劳动保障所", "镇自然资源所", "镇村镇建设办", "镇农业农村办",
                "镇社会事务办", "镇派出所", "市人社局", "市自然资源局", "市住建局", "市市场监管局",
                "市信访局", "纪检监察机关", "人民法院")


def choices(past: list[str]) -> list[str]:
    """Past units first (as this office wrote them), then the usual ones not among them."""
    seen = dict.fromkeys(u.strip() for u in past if u and u.strip())
    return list(seen) + [u for u in COMMON_UNITS if u not in seen]


def attach_unit_choices(line: QLineEdit, ctx: AppContext) -> QCompleter:
    """Give `line` the pick list; the office's past units are read off the UI thread."""
    model = QStringListModel(list(COMMON_UNITS), line)
    completer = QCompleter(model, line)
    completer.setCaseSensitivity(Qt.CaseInsensitive)
    completer.setFilterMode(Qt.MatchContains)
    completer.setMaxVisibleItems(12)
    line.setCompleter(completer)
    open_list = QAction("▾", line)
    open_list.setToolTip("常用单位和以往的接收单位")
    open_list.triggered.connect(lambda: show_all(line))
    line.addAction(open_list, QLineEdit.TrailingPosition)
    line.unit_list_action = open_list

    def loaded(past: list[str]) -> None:
        model.setStringList(choices(past))

    actor = ctx.actor
    ctx.tasks.run(lambda: ctx.services.get(ListingService).route_units(actor), writes=False, on_done=loaded,
                  owner=line)
    return completer


def show_all(line: QLineEdit) -> None:
    """The whole list, whatever is typed."""
    completer = line.completer()
    completer.setCompletionPrefix("")
    completer.complete()
