"""A long column of the board: the cards on screen show at once (painted, not a blank list), the
header counts everyone, and scrolling to the end brings the next cards."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from tests.conftest import make_registration
from xinfang_desktop.domain.board import Colour
from xinfang_desktop.domain.petition import PetitionerInput

NAMES = "一二三四五六七八九十伟芳娜敏"
PEOPLE = len(NAMES)


def inked(page, column) -> int:
    """Dark pixels in the top of a column's list: card text, which a blank list has none of."""
    image = page.grab().toImage()
    viewport = column.view.viewport()
    origin = viewport.mapTo(page, QPoint(0, 0))
    return sum(image.pixelColor(origin.x() + x, origin.y() + y).lightness() < 200
               for x in range(8, viewport.width() - 8, 5) for y in range(8, 150, 5))


def test_a_long_column_shows_its_first_cards_at_once_and_more_on_scrolling(qtbot, app_ctx, services, clerk,
                                                                            monkeypatch):
    from xinfang_desktop.gui.pages.board import BoardPage, CardModel

    monkeypatch.setattr(CardModel, "PAGE", 4)
    for i in range(PEOPLE):
        services.cases.register(clerk, make_registration(
            petitioners=[PetitionerInput(name=f"张{NAMES[i]}", phone=f"1370000{i:04d}")]))
    page = BoardPage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page, timeout=30_000)
    yellow = page.columns[Colour.YELLOW]
    assert yellow.header.text() == f"●黄　{PEOPLE}件"
    assert len(page.visible_cards(Colour.YELLOW)) == PEOPLE
    # The first cards are laid out and painted without waiting for the rest of the column.
    qtbot.waitUntil(lambda: yellow.view.indexAt(QPoint(10, 10)).isValid(), timeout=30_000)
    assert yellow.model.rowCount() < PEOPLE
    assert inked(page, yellow) > 50 and inked(page, page.columns[Colour.RED]) == 0
    first = yellow.view.indexAt(QPoint(10, 10))
    assert "张" in first.data() and "按期推进" in first.data()
    # Scrolling to the end asks for more, until the whole column is there.
    bar = yellow.view.verticalScrollBar()

    def scrolled_to_the_end() -> bool:
        bar.setValue(bar.maximum())             # as a person drags to the end, again after each page arrives
        return yellow.model.rowCount() == PEOPLE

    qtbot.waitUntil(scrolled_to_the_end, timeout=30_000)
    assert yellow.model.rowCount() == PEOPLE
    yellow.view.scrollToBottom()
    bottom = QPoint(10, yellow.view.viewport().height() - 10)
    qtbot.waitUntil(lambda: yellow.view.indexAt(bottom).row() == PEOPLE - 1, timeout=30_000)
    last = yellow.view.indexAt(bottom)
    assert last.isValid() and last.row() == PEOPLE - 1
    assert last.data() == yellow.model.index(PEOPLE - 1).data()
