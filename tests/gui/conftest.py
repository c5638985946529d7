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
def two_cases(services, clerk):
    from xinfang_desktop.domain.petition import PetitionerInput

    a = services.cases.register(clerk, make_registration())
    b = services.cases.register(clerk, make_registration(
        petitioners=[PetitionerInput(name="张伟", phone="13700000000")], request="反映道路施工影响出行",
        category_code="0301"))
    return a, b
