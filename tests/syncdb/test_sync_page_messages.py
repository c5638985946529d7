"""The 同步 page's messages, each reached by clicking its button: a success after a failure is not shown in
red, the busy text of key generation goes once the keys exist, and an export that cannot be made is
refused before the passphrase is asked."""

from __future__ import annotations

import pytest

from .conftest import CITY, TOWNS, make_office
from .gui_helpers import sync_page

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

RED = "9b1111"


@pytest.fixture
def fresh_town(tmp_path, unit_keys):
    """A township just set up: no sync keys yet, the city not enrolled."""
    office = make_office(tmp_path / "fresh", TOWNS[0], unit_keys)
    yield office
    office.svc.close()


def _fill_enrolment(path, fingerprint: str) -> None:
    """Answer the 登记对方单位 dialog once it is open (run from inside its modal loop)."""
    from tests.gui.test_login_and_case import commit_text
    from xinfang_desktop.gui.pages.sync import EnrolDialog

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, EnrolDialog)
        dialog.file_edit.setText(str(path))
        commit_text(dialog.fingerprint, fingerprint)
        dialog.accept()

    QTimer.singleShot(0, fill)


def test_a_success_after_a_failure_is_not_shown_in_red(qtbot, offices, tmp_path):
    from xinfang_desktop.sync.keys import export_public, generate_keys

    city = offices[CITY]
    newcomer = generate_keys("350881199000", "新设乡镇", "township", encryption=True)
    other = generate_keys("350881198000", "另一乡镇", "township", encryption=True)
    enrolment = tmp_path / "enrol.json"
    enrolment.write_bytes(export_public(newcomer))
    page = sync_page(qtbot, city)
    page.show()

    _fill_enrolment(enrolment, other.public().signing_fingerprint)     # the wrong paper form
    qtbot.mouseClick(page.enrol_button, Qt.LeftButton)
    assert "不一致" in page.message.text() and RED in page.message.styleSheet()

    _fill_enrolment(enrolment, newcomer.public().signing_fingerprint)
    qtbot.mouseClick(page.enrol_button, Qt.LeftButton)
    assert "已登记 新设乡镇" in page.message.text()
    assert RED not in page.message.styleSheet()


def test_the_busy_text_of_key_generation_goes_once_the_keys_exist(qtbot, fresh_town):
    page = sync_page(qtbot, fresh_town)
    page.show()
    assert page.init_keys.isVisible() and "还没有同步密钥" in page.key_label.text()
    page.ask_new_passphrase = lambda: "new-passphrase-1"
    qtbot.mouseClick(page.init_keys, Qt.LeftButton)
    assert "正在生成密钥" not in page.message.text()
    assert "已生成本单位同步密钥" in page.message.text() and "打印登记表" in page.message.text()
    assert "密钥核对码" in page.key_label.text() and not page.init_keys.isVisible()
    assert not page.busy_panel.busy()


def test_export_is_refused_before_the_passphrase_is_asked_when_the_city_is_not_enrolled(qtbot, fresh_town, tmp_path):
    fresh_town.sync.init_keys(fresh_town.admin, "passphrase-1")
    page = sync_page(qtbot, fresh_town)
    page.show()
    page.ring = None                                 # locked: an export would ask for the passphrase
    asked = []
    page.passphrase_prompt = lambda: asked.append(True) and None
    stick = tmp_path / "stick"
    stick.mkdir()
    page.set_folder(stick)
    qtbot.mouseClick(page.export_button, Qt.LeftButton)
    assert asked == []                               # nobody typed a passphrase for nothing
    assert "尚未登记市局的密钥" in page.message.text() and RED in page.message.styleSheet()
    assert not list(stick.iterdir()) and page.export_button.isEnabled()
