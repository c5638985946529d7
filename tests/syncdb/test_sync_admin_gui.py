"""The 同步 page's administration with real widgets (offscreen): the city freezes and unfreezes a township
from its 乡镇登记册, revokes one, authorises a new batch; a township rotates its keys with the real key
store; a township restored from backup sees the banner and starts the new batch from it.
Set XINFANG_SCREENSHOTS to a folder to keep PNGs of the page for a look."""

from __future__ import annotations


import pytest

from tests.conftest import CHEAP_SCRYPT

from .gui_helpers import shot, sync_page
from .conftest import CITY, TOWNS, write_out

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

PASSPHRASE = "passphrase-1"


def _registry_row(page, code: str) -> list[str]:
    row = next(i for i, p in enumerate(page.peer_rows) if p.unit_code == code)
    return [page.registry.item(row, c).text() for c in range(page.registry.columnCount())]


def test_the_city_freezes_and_unfreezes_a_township_from_its_registry(qtbot, offices, tmp_path):
    town, city = offices[TOWNS[0]], offices[CITY]
    town.register()
    bundles = write_out(town, tmp_path / "s1", town.export())
    page = sync_page(qtbot, city)
    actions = page.registry_actions
    assert not actions.isHidden() and page.tabs.tabText(1) == "乡镇登记册"
    assert not any(b.isEnabled() for b in actions.buttons())          # nothing selected yet
    page.select_peer(TOWNS[0])
    assert actions.freeze_button.isEnabled() and not actions.unfreeze_button.isEnabled()

    asked = []
    page.ask_freeze_reason = lambda peer: asked.append(peer.unit_name) or "编号冲突，待电话核实"
    actions.freeze_button.click()
    assert asked == ["永福镇信访办"]
    assert _registry_row(page, TOWNS[0])[-1] == "已冻结：编号冲突，待电话核实"
    assert "已冻结永福镇信访办" in page.message.text()
    assert page.selected_peer().unit_code == TOWNS[0]                 # the selection survives the refresh
    assert actions.unfreeze_button.isEnabled() and not actions.freeze_button.isEnabled()
    page.tabs.setCurrentIndex(1)
    shot(page, "registry-frozen")
    [refused] = city.import_(bundles)
    assert refused.outcome == "rejected" and "冻结" in refused.message

    actions.unfreeze_button.click()
    assert _registry_row(page, TOWNS[0])[-1] == "正常"
    assert actions.freeze_button.isEnabled() and not actions.unfreeze_button.isEnabled()
    [applied] = city.import_(bundles)
    assert applied.outcome == "applied"

    # Cancelling the reason dialog changes nothing.
    page.ask_freeze_reason = lambda peer: None
    actions.freeze_button.click()
    assert _registry_row(page, TOWNS[0])[-1] == "正常"


def test_revoke_asks_what_it_means_and_authorise_a_new_batch(qtbot, offices, tmp_path):
    from xinfang_desktop.gui.sync_admin import revoke_text

    city = offices[CITY]
    page = sync_page(qtbot, city)
    actions = page.registry_actions
    page.select_peer(TOWNS[1])
    shown = []
    page.confirm_revoke = lambda peer: shown.append(revoke_text(peer)) and False
    actions.revoke_button.click()
    assert "不再导入" in shown[0] and "重新登记" in shown[0]
    assert _registry_row(page, TOWNS[1])[-1] == "正常"                  # 取消: still enrolled
    page.confirm_revoke = lambda peer: True
    actions.revoke_button.click()
    assert _registry_row(page, TOWNS[1])[-1] == "已吊销"
    assert not any(b.isEnabled() for b in actions.buttons()) and "已吊销" in actions.note.text()

    page.select_peer(TOWNS[2])
    page.ask_authorised_epoch = lambda peer: peer.head_epoch + 1
    actions.authorise_button.click()
    assert "已授权双洋镇信访办开始第 2 轮编号" in page.message.text() and "开始新一轮编号" in page.message.text()
    city.sync
    assert city.sync.peer(TOWNS[2]).allowed_epoch == 2
    assert _registry_row(page, TOWNS[2])[-1] == "正常（已授权第 2 轮编号，待对方开始）"


def test_a_clerk_sees_the_registry_but_cannot_act_on_it(qtbot, offices):
    city = offices[CITY]
    city.sync
    from xinfang_desktop.services.permissions import Role

    clerk = city.svc.auth.add_user(city.admin, "clerk1", Role.CLERK, "clerk-pass-1", "李登记")
    page = sync_page(qtbot, city, actor=clerk)
    page.select_peer(TOWNS[0])
    assert not any(b.isEnabled() for b in page.registry_actions.buttons())
    assert "只有管理员" in page.registry_actions.note.text()
    assert not page.rotate_button.isEnabled()


def test_a_township_rotates_its_keys_from_the_page(qtbot, offices, tmp_path, unit_keys):
    from xinfang_desktop.sync.keys import FileKeyStore

    town, city = offices[TOWNS[0]], offices[CITY]
    town.sync.keys_dir.mkdir(parents=True, exist_ok=True)
    FileKeyStore.create(town.sync.key_path, unit_keys[town.code], PASSPHRASE, scrypt_log_n=CHEAP_SCRYPT)
    page = sync_page(qtbot, town)
    assert page.registry_actions.isHidden()                 # the township's registry lists only the city
    assert not page.rotate_button.isHidden() and page.rotate_button.isEnabled()
    old_fp = unit_keys[town.code].public().signing_fingerprint

    page.ask_rotation = lambda: None                          # 取消
    page.rotate_button.click()
    assert town.sync.public_identity().signing_fingerprint == old_fp

    from xinfang_desktop.gui.sync_admin import Rotation
    page.ask_rotation = lambda: Rotation("wrong-passphrase", "new-passphrase-2")
    page.rotate_button.click()
    assert "口令" in page.message.text() and town.sync.public_identity().signing_fingerprint == old_fp

    page.ask_rotation = lambda: Rotation(PASSPHRASE, "new-passphrase-2")
    page.rotate_button.click()
    new_fp = town.sync.public_identity().signing_fingerprint
    assert new_fp != old_fp and "已更换密钥" in page.message.text() and "随下次导出" in page.message.text()
    assert page.ring is None                                 # the next export asks for the new passphrase
    shot(page, "rotated")
    # The new passphrase opens the new keys and the replaced ones (bundles still on their way).
    ring = town.sync.unlock("new-passphrase-2")
    assert ring.current.public().signing_fingerprint == new_fp
    assert [k.public().signing_fingerprint for k in ring.previous] == [old_fp]
    rotation = [r for r in town.sync.pending_copies() if r.kind == "key-rotation"]
    [result] = city.import_(write_out(town, tmp_path / "s1", rotation))
    assert result.outcome == "applied"
    city.sync
    assert city.sync.peer(town.code).fingerprint == new_fp


def test_the_dialogs_refuse_what_would_fail(qtbot):
    from tests.gui.test_login_and_case import commit_text
    from xinfang_desktop.gui.sync_admin import FreezeDialog, RotateDialog

    dialog = FreezeDialog("永福镇信访办")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()
    assert dialog.isVisible() and "请填写冻结原因" in dialog.error.text()
    commit_text(dialog.reason, "待核实")
    dialog.accept()
    assert not dialog.isVisible() and dialog.result() == 1

    rotate = RotateDialog()
    qtbot.addWidget(rotate)
    rotate.current.setText("passphrase-1")
    rotate.new.setText("new-passphrase-2")
    rotate.again.setText("new-passphrase-3")
    assert rotate.problem() == "两次输入的新口令不一致，请重新输入。"
    rotate.new.setText("short")
    assert "至少需要 8 个字符" in rotate.problem()
    rotate.new.setText("new-passphrase-3")
    assert rotate.problem() is None

    from xinfang_desktop.gui.sync_admin import EpochStart, StartEpochDialog

    start = StartEpochDialog(1)
    qtbot.addWidget(start)
    start.epoch.setValue(1)                                     # below the next epoch: not offered
    assert start.value() == EpochStart(2, None)
    start.last_number.setText(" 350881102-2026-00017 ")
    assert start.value() == EpochStart(2, "350881102-2026-00017")


def test_a_restored_township_sees_the_banner_and_starts_the_new_batch(qtbot, offices, tmp_path):
    from xinfang_desktop.services.backup import BackupService

    town, city = offices[TOWNS[0]], offices[CITY]
    town.register()
    town.sync
    info = town.svc.get(BackupService).backup(town.admin, to=tmp_path / "backups")
    city.import_(write_out(town, tmp_path / "s1", town.export()))
    town.sync
    town.svc.get(BackupService).restore(town.admin, info.path)
    page = sync_page(qtbot, town)
    banner = page.epoch_banner
    assert not banner.isHidden() and "已从备份恢复" in banner.title.text() and "通常为 2" in banner.text.text()
    assert page.reminder.isHidden()
    shot(page, "restored-banner")
    qtbot.mouseClick(page.export_button, Qt.LeftButton)   # pressed, not called
    page.set_folder(tmp_path / "stick")
    (tmp_path / "stick").mkdir()
    qtbot.mouseClick(page.export_button, Qt.LeftButton)   # pressed, not called
    assert "开始新一轮编号" in page.message.text() and not list((tmp_path / "stick").iterdir())

    city.sync.authorise_epoch(city.admin, town.code, 2)
    town.sync                                               # the page works on the township's database again
    from xinfang_desktop.gui.sync_admin import EpochStart

    page.ask_start_epoch = lambda current: EpochStart(current + 1, None)
    banner.button.click()
    assert banner.isHidden() and "已开始第 2 轮编号" in page.message.text()
    assert "第 2 轮编号" in page.unit_label.text()
    qtbot.mouseClick(page.export_button, Qt.LeftButton)   # pressed, not called
    files = sorted(p.name for p in (tmp_path / "stick").iterdir())
    assert files == [f"{town.code}_2_00000001.xfb"]
    [result] = city.import_([tmp_path / "stick" / files[0]])
    assert result.outcome == "applied", result.message
