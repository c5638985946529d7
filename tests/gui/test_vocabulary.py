"""One vocabulary (domain/glossary.py): every page of a township's and a city's window is walked for
what it shows a person, which must use no retired synonym and no Latin letters other than file
types, units, keys and the product's own codes."""

from __future__ import annotations

import random

import pytest

from tests.conftest import ADMIN_PASSWORD, new_services
from tests.gui.visible_text import latin_words, texts
from xinfang_desktop.domain.glossary import PRODUCT_NAME, retired_in

CITY = "350881000000"


def full_window(qtbot, services, actor):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.main_window import KEYS, MainWindow
    from xinfang_desktop.gui.tasks import TaskRunner

    window = MainWindow(AppContext(services, TaskRunner(inline=True), actor))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for key in KEYS:                      # every page, each shown once so it has loaded what it shows
        window.show_page(key)
    window.show_page("workbench")
    return window


def problems(window) -> list[str]:
    out = []
    for where, text in texts(window):
        for word in retired_in(text):
            out.append(f"{where}: “{text[:60]}” uses {word}")
        latin = latin_words(text)
        if latin:
            out.append(f"{where}: “{text[:60]}” has Latin {latin}")
    return sorted(set(out))


@pytest.fixture
def demo_township(services, admin):
    from xinfang_desktop.services import demo, demo_attention

    demo.generate(services, admin, 60, seed=3)
    demo_attention.generate(services, admin, random.Random(3))
    return services


def test_a_township_window_speaks_one_vocabulary(qtbot, demo_township, admin):
    window = full_window(qtbot, demo_township, admin)
    assert window.windowTitle().startswith(PRODUCT_NAME)
    found = problems(window)
    assert not found, "\n".join(found)


def test_a_city_window_speaks_one_vocabulary(qtbot, tmp_path, clock):
    services = new_services(tmp_path / "city", clock)
    try:
        admin = services.auth.initialize(CITY, "admin", ADMIN_PASSWORD, "周管理")
        window = full_window(qtbot, services, admin)
        assert window.windowTitle() == f"{PRODUCT_NAME} — 漳平市信访局"
        found = problems(window)
        assert not found, "\n".join(found)
        window.close()
    finally:
        services.close()
