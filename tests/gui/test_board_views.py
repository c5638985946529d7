"""The board page shows matters; the toggle 「按人员查看」 regroups them by person, for finding a person's
matters, and back. Printing is by matter whichever grouping is on screen."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtCore import Qt

from tests.conftest import make_registration
from xinfang_desktop.domain.board import Colour
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.domain.workflow import EventKind


def group_visit(services, clerk, handler):
    ref = services.cases.register(clerk, make_registration(
        people_count=6, category_code="0201", request="要求补足土地征收补偿款",
        petitioners=[PetitionerInput(name="张三", phone="13700000009", township_code="350881102000",
                                     village_code="350881102202", is_representative=True),
                     PetitionerInput(name="李四", phone="13700000001", township_code="350881102000"),
                     PetitionerInput(name="王五", phone="13700000002", township_code="350881102000")]))
    services.cases.act(handler, ref.number, EventKind.ROUTED, {"route": "direct", "unit": "镇国土所"})
    return ref


def test_clicking_the_person_toggle_shows_the_grouping_by_person(qtbot, app_ctx, services, clerk, handler,
                                                                 monkeypatch):
    """DOMAIN.md "The attention board": a group matter is one card naming its petitioners (第二十条); the
    grouping by person stays available on screen for finding a person's matters, never on paper."""
    from xinfang_desktop.gui.pages.board import BoardPage

    ref = group_visit(services, clerk, handler)
    page = BoardPage(app_ctx)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    red = page.columns[Colour.RED]
    assert page.by_matter.isChecked() and not page.by_person.isChecked()
    assert red.header.text() == "▲红　1件" and page.count_label.text().endswith("按事项　共1件")
    text = red.model.index(0).data()
    assert ref.number in text and "张三、李四、王五等6人：要求补足土地征收补偿款" in text
    assert "集体访事项（6人）尚未办结" in text and "福里村" not in text

    qtbot.mouseClick(page.by_person, Qt.LeftButton)
    assert page.by_person.isChecked() and not page.by_matter.isChecked()
    assert red.header.text() == "▲红　3人" and page.count_label.text().endswith("按人员　共3人")
    assert sorted(c.name for c in page.visible_cards(Colour.RED)) == ["张三", "李四", "王五"]
    assert any("永福镇福里村" in red.model.index(i).data() for i in range(3))   # the place, on screen only

    shown = {}
    monkeypatch.setattr("xinfang_desktop.gui.print_preview.show_document",
                        lambda parent, rendered, file_name, **kw: shown.update(rendered=rendered))
    qtbot.mouseClick(page.print_button, Qt.LeftButton)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(shown["rendered"].pdf)).pages)
    assert "需领导关注的信访事项" in text and "福里村" not in text and "共1件" in text

    qtbot.mouseClick(page.by_matter, Qt.LeftButton)
    assert red.header.text() == "▲红　1件" and [c.number for c in page.visible_cards(Colour.RED)] == [ref.number]
