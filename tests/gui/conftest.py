from __future__ import annotations

import pytest

from tests.conftest import make_registration


@pytest.fixture
def tasks(qtbot):
    from xinfang_desktop.gui.tasks import TaskRunner

    return TaskRunner(inline=True)


@pytest.fixture
def app_ctx(services, admin, tasks):
    from xinfang_desktop.gui.context import AppContext

    return AppContext(services, tasks, admin)


@pytest.fixture
def receipts(monkeypatch):
    """The print preview (the printer) is replaced: what would be shown is kept."""
    shown = []
    from xinfang_desktop.gui import print_preview

    monkeypatch.setattr(print_preview, "show_document",
                        lambda parent, rendered, *, file_name, **_kw: shown.append((rendered, file_name)))
    return shown


@pytest.fixture
def intake_page(qtbot, app_ctx):
    """The 登记 page shown, its first name box focused, as a clerk finds it."""
    from xinfang_desktop.gui.pages.intake import IntakePage

    p = IntakePage(app_ctx)
    qtbot.addWidget(p)
    p.resize(1200, 780)
    p.show()
    qtbot.waitExposed(p, timeout=30_000)
    p.activateWindow()
    qtbot.waitUntil(lambda: p.rows[0].name.hasFocus(), timeout=30_000)
    return p


@pytest.fixture
def two_cases(services, clerk):
    from xinfang_desktop.domain.petition import PetitionerInput

    a = services.cases.register(clerk, make_registration())
    b = services.cases.register(clerk, make_registration(
        petitioners=[PetitionerInput(name="张伟", phone="13700000000")], request="反映道路施工影响出行",
        category_code="0301"))
    return a, b


@pytest.fixture(autouse=True)
def _no_failure_inside_a_dialog():
    """What tests/gui/modal.py caught inside a dialog's own event loop fails the test here."""
    from tests.gui.modal import FAILURES

    FAILURES.clear()
    yield
    assert not FAILURES, FAILURES[0]
