"""The 同步 page with real widgets (offscreen), the printed enrolment form read back with pypdf, and the
removable-drive finder. Set XINFANG_SCREENSHOTS to a folder to keep PNGs of the page for a look."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from .gui_helpers import shot, sync_page
from .conftest import CITY, NAMES, TOWNS, write_out

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402


@pytest.fixture(scope="session")
def key_cache(tmp_path_factory, unit_keys) -> Path:
    """Key store files made once per session, copied into each office."""
    from xinfang_desktop.sync.keys import FileKeyStore

    from tests.conftest import CHEAP_SCRYPT

    folder = tmp_path_factory.mktemp("keycache")
    for code in (CITY, TOWNS[0]):
        FileKeyStore.create(folder / f"{code}.json", unit_keys[code], "passphrase-1", scrypt_log_n=CHEAP_SCRYPT)
    return folder


def _key_file(office, key_cache: Path) -> None:
    target = office.sync.key_path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(key_cache / f"{office.code}.json", target)


def test_township_exports_to_the_stick_and_the_city_imports_from_it(qtbot, offices, tmp_path, unit_keys, key_cache):
    town, city = offices[TOWNS[0]], offices[CITY]
    _key_file(town, key_cache)
    _key_file(city, key_cache)
    town.register(name="欧阳娜娜")
    town.register(name="张三")
    page = sync_page(qtbot, town)
    assert page.reminder.isVisibleTo(page) and "从未导出" in page.reminder.text()
    assert "密钥核对码" in page.key_label.text()
    stick = tmp_path / "stick"
    stick.mkdir()
    page.set_folder(stick)
    qtbot.mouseClick(page.export_button, Qt.LeftButton)   # pressed, not called
    assert "已复制 1 个同步包" in page.message.text()
    [bundle] = stick.glob("*.xfb")
    assert bundle.name == f"{town.code}_1_00000001.xfb"
    assert not page.reminder.isVisibleTo(page)
    assert page.bundles.item(0, 5).text() == "已复制到U盘"
    shot(page, "sync-township")

    cpage = sync_page(qtbot, city)
    assert cpage.tabs.tabText(1) == "乡镇登记册"
    names = {cpage.registry.item(r, 0).text() for r in range(cpage.registry.rowCount())}
    assert names == {NAMES[t] for t in TOWNS}
    cpage.set_folder(stick)
    qtbot.mouseClick(cpage.import_button, Qt.LeftButton)
    assert "已导入" in cpage.message.text()
    assert cpage.bundles.item(0, 0).text() == "收到" and cpage.bundles.item(0, 5).text() == "已导入"
    row = next(r for r in range(cpage.registry.rowCount()) if cpage.registry.item(r, 1).text() == town.code)
    assert cpage.registry.item(row, 3).text() == "第1轮 第1号" and cpage.registry.item(row, 8).text() == "2"
    cpage.tabs.setCurrentIndex(1)
    shot(cpage, "sync-city-registry")
    # a second import of the same stick reports it plainly and changes nothing
    qtbot.mouseClick(cpage.import_button, Qt.LeftButton)
    assert "已导入过" in cpage.message.text()


def test_import_progress_and_cancel(qtbot, offices, tmp_path, key_cache, unit_keys):
    town, city = offices[TOWNS[0]], offices[CITY]
    for name in ("张三", "李四", "王五"):
        town.register(name=name)
        town.export()
    files = write_out(town, tmp_path / "stick")
    cpage = sync_page(qtbot, city)
    seen = []

    def progress(fraction, text):
        seen.append(text)
        if len(seen) == 1:
            cpage._cancel()                          # the clerk presses 取消 while the 1st file is read

    cpage._progress = progress
    cpage.import_from_stick(files)
    outcomes = [line for line in cpage.message.text().splitlines()]
    assert any("已取消" in line for line in outcomes)
    assert city.sync.peer(town.code).head_seq == 1      # stopped between bundles, never inside one
    assert any("正在导入" in t for t in seen)


def test_enrolment_with_a_wrong_fingerprint_is_refused_on_the_page(qtbot, offices, tmp_path, unit_keys, key_cache):
    from xinfang_desktop.sync.keys import export_public, generate_keys

    city = offices[CITY]
    stranger = generate_keys("350881999000", "冒名乡镇", "township", encryption=True)
    f = tmp_path / "enrol.json"
    f.write_bytes(export_public(stranger))
    page = sync_page(qtbot, city)
    before = page.registry.rowCount()
    page.enrol(f, unit_keys[TOWNS[0]].public().signing_fingerprint)
    assert "不一致" in page.message.text()
    assert page.registry.rowCount() == before


def test_the_printed_enrolment_form_carries_the_fingerprint_and_a_qr_code(qtbot, offices, unit_keys, key_cache,
                                                                          tmp_path):
    from pypdf import PdfReader

    from xinfang_desktop.sync.keys import format_fingerprint

    town = offices[TOWNS[0]]
    _key_file(town, key_cache)
    page = sync_page(qtbot, town)
    doc = page.enrolment_document()
    assert doc.pages == 1 and not doc.missing
    text = PdfReader(io.BytesIO(doc.pdf)).pages[0].extract_text()
    groups = format_fingerprint(unit_keys[town.code].public().signing_fingerprint).split()
    squeezed = text.replace(" ", "").replace("\n", "")
    assert "同步密钥登记表" in squeezed and "永福镇信访办" in squeezed and town.code in squeezed
    assert "".join(groups) in squeezed                     # all 16 groups, in order
    if os.environ.get("XINFANG_SCREENSHOTS"):
        (Path(os.environ["XINFANG_SCREENSHOTS"]) / "enrolment.pdf").write_bytes(doc.pdf)


def test_removable_drives_on_linux_mount_points(tmp_path):
    import sys

    from xinfang_desktop.sync.drives import removable_drives

    media = tmp_path / "media"
    stick = media / "clerk" / "KINGSTON"
    stick.mkdir(parents=True)
    (media / "clerk" / "not-mounted").mkdir()
    found = removable_drives((media, tmp_path / "run-media"), is_mount=lambda p: p == stick)
    if sys.platform.startswith("linux"):
        assert [d.path for d in found] == [stick] and "KINGSTON" in found[0].label
    else:
        assert isinstance(found, list)


def test_case_view_buttons_for_the_city_and_the_sync_state(qtbot, offices, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QLabel, QMessageBox

    from xinfang_desktop.gui import sync_actions
    from xinfang_desktop.gui.case_actions import actions_for
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.tasks import TaskRunner

    town, city = offices[TOWNS[0]], offices[CITY]
    ref = town.register()
    town.sync
    detail = town.svc.queries.detail(town.admin, ref.id)
    keys = [a.key for a in actions_for(detail, town.admin)]
    assert "sync.state" in keys and "sync.assign" not in keys and "sync.supervise" not in keys
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    parent = QLabel()
    qtbot.addWidget(parent)
    ctx = AppContext(town.svc, TaskRunner(inline=True), town.admin)
    sync_actions._show_state(parent, ctx, detail, lambda: None)
    assert "仅在本机" in shown[-1]
    town.export()
    sync_actions._show_state(parent, ctx, detail, lambda: None)
    assert "待对方确认" in shown[-1]
    city.import_(write_out(town, tmp_path / "up"))
    city.sync
    cdetail = city.svc.queries.detail(city.admin, ref.id)
    ckeys = [a.key for a in actions_for(cdetail, city.admin)]
    assert "sync.supervise" in ckeys and "sync.assign" not in ckeys      # a township's case: 督办 only
    # ... and none of the township's handling, nor 包案, 调解 or 急难 (the ownership rule): the page says why
    assert not {"workflow.routed", "workflow.note", "attention.assign", "attention.mediation",
                "attention.hardship"} & set(ckeys), ckeys
    from xinfang_desktop.gui.pages.case_view import CaseViewPage

    view = CaseViewPage(AppContext(city.svc, TaskRunner(inline=True), city.admin), ref.id)
    qtbot.addWidget(view)
    assert "永福镇信访办" in view.no_actions.text() and "督办" in view.no_actions.text()
    # reading stays possible (the sync state, the attachments), writing is not offered
    assert set(view.action_buttons) <= {"sync.supervise", "sync.state", "intake.attachments"}, set(view.action_buttons)
    from xinfang_desktop.gui.intake_actions import AttachmentsDialog

    files = AttachmentsDialog(view, view.ctx, cdetail, lambda: None)
    qtbot.addWidget(files)
    assert not files.add_button.isEnabled() and "永福镇" in files.add_button.toolTip()
    own = city.svc.queries.detail(city.admin, city.register(name="赵六").id)
    assert "sync.assign" in [a.key for a in actions_for(own, city.admin)]
