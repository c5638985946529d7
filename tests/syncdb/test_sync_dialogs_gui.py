"""The 同步 page's dialogs and 交办 on the one field-form dialog, each opened by the button the user presses and
answered with the mouse and keys: a refusal is shown beside the field it is about, in Chinese, the dialog
stays open and nothing is written; what passes goes on as before (freeze, keys made, rotation, enrolment,
an instruction saved)."""

from __future__ import annotations

import pytest

from tests.conftest import CHEAP_SCRYPT
from tests.gui.modal import FAILURES, answer
from tests.gui.test_login_and_case import commit_text

from .conftest import CITY, TOWNS, make_office
from .gui_helpers import sync_page

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLineEdit  # noqa: E402

PASSPHRASE = "passphrase-1"


@pytest.fixture(autouse=True)
def _no_failure_in_a_dialog():
    FAILURES.clear()
    yield
    no_failure()


def no_failure() -> None:
    """An assertion that failed inside a dialog's modal loop (kept by tests.gui.modal) fails the test here."""
    if FAILURES:
        failure = FAILURES[0]
        FAILURES.clear()
        raise failure


@pytest.fixture
def fresh_town(tmp_path, unit_keys):
    office = make_office(tmp_path / "fresh", TOWNS[0], unit_keys)
    yield office
    office.svc.close()


def press_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)


def refused_beside(dialog, name: str, words: str) -> bool:
    """The refusal stands under its own field, that field is marked, the others are not, the dialog is open."""
    row = dialog.rows[name]
    others = [r for n, r in dialog.rows.items() if n != name]
    return (dialog.isVisible() and words in row.error.text() and not row.error.isHidden()
            and "border" in row.editor.styleSheet()
            and all(r.error.isHidden() and not r.editor.styleSheet() for r in others)
            and dialog.message.isHidden())


def test_freeze_asks_for_its_reason_beside_the_field(qtbot, offices):
    from xinfang_desktop.gui.sync_admin import FreezeDialog

    city = offices[CITY]
    page = sync_page(qtbot, city)
    page.show()
    page.select_peer(TOWNS[0])
    states = []

    def fill(dialog: FreezeDialog) -> None:
        assert dialog.windowTitle() == "冻结永福镇信访办的同步"
        assert dialog.rows["reason"].label.text() == "冻结原因："
        assert [b.text() for b in dialog.buttons.buttons()] == ["冻结", "取消"]
        assert dialog.focusWidget() is dialog.reason                              # typing starts there
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "reason", "请填写冻结原因，解冻时据此核对。")
        states.append(page.registry.item(page.registry.currentRow(), 10).text())     # nothing written yet
        commit_text(dialog.reason, "编号冲突，待电话核实")
        qtbot.keyClick(dialog.reason, Qt.Key_Return)                               # Enter freezes

    answer(FreezeDialog, fill)
    qtbot.mouseClick(page.registry_actions.freeze_button, Qt.LeftButton)
    no_failure()
    assert states == ["正常"]
    assert city.sync.peer(TOWNS[0]).frozen and "已冻结永福镇信访办" in page.message.text()


def test_new_keys_want_the_passphrase_twice_the_same(qtbot, fresh_town):
    from xinfang_desktop.gui.sync_admin import NewPassphraseDialog

    fresh_town.svc.scrypt_log_n = CHEAP_SCRYPT
    page = sync_page(qtbot, fresh_town)
    page.show()

    def fill(dialog: NewPassphraseDialog) -> None:
        first, again = dialog.editor("passphrase"), dialog.editor("again")
        assert first.echoMode() == QLineEdit.Password and again.echoMode() == QLineEdit.Password
        assert dialog.rows["passphrase"].label.text() == "设置同步密钥口令（至少8位，请牢记）："
        qtbot.keyClicks(first, "short")
        qtbot.keyClicks(again, "short")
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "passphrase", "密钥口令至少需要 8 个字符")
        first.clear()
        qtbot.keyClicks(first, "new-passphrase-1")
        again.clear()
        qtbot.keyClicks(again, "new-passphrase-2")
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "again", "两次输入的口令不一致，请重新设置。")
        assert not fresh_town.sync.has_keys()                                       # nothing written
        again.clear()
        qtbot.keyClicks(again, "new-passphrase-1 ")                                 # a space is a character
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "again", "两次输入的口令不一致")
        again.clear()
        qtbot.keyClicks(again, "new-passphrase-1")
        press_ok(qtbot, dialog)

    answer(NewPassphraseDialog, fill)
    qtbot.mouseClick(page.init_keys, Qt.LeftButton)
    no_failure()
    assert "已生成本单位同步密钥" in page.message.text()
    fresh_town.sync.unlock("new-passphrase-1")                                     # the passphrase typed, as typed


def test_unlocking_asks_for_the_passphrase_and_refuses_none(qtbot, fresh_town, tmp_path):
    from xinfang_desktop.gui.form_dialog import SecretDialog

    fresh_town.sync.init_keys(fresh_town.admin, PASSPHRASE)
    page = sync_page(qtbot, fresh_town)
    page.show()
    page.ring = None

    def fill(dialog: SecretDialog) -> None:
        assert dialog.windowTitle() == "密钥口令"
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "secret", "请输入本单位的同步密钥口令。")
        qtbot.keyClicks(dialog.editor("secret"), PASSPHRASE)
        qtbot.keyClick(dialog.editor("secret"), Qt.Key_Return)

    seen = answer(SecretDialog, fill)
    page.with_keys(lambda ring: None)
    no_failure()
    assert seen == ["密钥口令"] and page.ring is not None


def test_rotation_refuses_beside_the_field_and_writes_nothing(qtbot, offices, unit_keys):
    from xinfang_desktop.gui.sync_admin import RotateDialog
    from xinfang_desktop.sync.keys import FileKeyStore

    town = offices[TOWNS[0]]
    town.sync.keys_dir.mkdir(parents=True, exist_ok=True)
    FileKeyStore.create(town.sync.key_path, unit_keys[town.code], PASSPHRASE, scrypt_log_n=CHEAP_SCRYPT)
    old_fp = unit_keys[town.code].public().signing_fingerprint
    page = sync_page(qtbot, town)
    page.show()

    def fill(dialog: RotateDialog) -> None:
        assert [dialog.rows[n].label.text() for n in ("current", "new", "again")] == [
            "当前口令：", "新口令：", "再次输入新口令："]
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "current", "请输入当前的密钥口令。")
        qtbot.keyClicks(dialog.current, PASSPHRASE)
        qtbot.keyClicks(dialog.new, "new-passphrase-2")
        qtbot.keyClicks(dialog.again, "new-passphrase-3")
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "again", "两次输入的新口令不一致，请重新输入。")
        qtbot.mouseClick(dialog.buttons.buttons()[1], Qt.LeftButton)             # 取消

    answer(RotateDialog, fill)
    qtbot.mouseClick(page.rotate_button, Qt.LeftButton)
    no_failure()
    assert town.sync.public_identity().signing_fingerprint == old_fp


def test_enrolment_wants_its_file_and_code(qtbot, offices, tmp_path):
    from xinfang_desktop.gui.pages.sync import EnrolDialog
    from xinfang_desktop.sync.keys import export_public, generate_keys

    city = offices[CITY]
    newcomer = generate_keys("350881199000", "新设乡镇", "township", encryption=True)
    enrolment = tmp_path / "enrol.json"
    enrolment.write_bytes(export_public(newcomer))
    page = sync_page(qtbot, city)
    page.show()

    def fill(dialog: EnrolDialog) -> None:
        assert dialog.editor("file").browse_button.text() == "浏览(&B)…"
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "file", "请选择对方导出的登记文件。")
        dialog.file_edit.setText(str(enrolment))
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "fingerprint", "请输入纸质登记表上的密钥核对码。")
        commit_text(dialog.fingerprint, f"xinfang-enrol:1:350881199000:{newcomer.public().signing_fingerprint}")
        press_ok(qtbot, dialog)

    answer(EnrolDialog, fill)
    qtbot.mouseClick(page.enrol_button, Qt.LeftButton)
    no_failure()
    assert "已登记 新设乡镇" in page.message.text()


def test_the_authorised_round_is_at_least_the_next(qtbot, offices):
    from xinfang_desktop.gui.sync_admin import AuthoriseEpochDialog

    city = offices[CITY]
    page = sync_page(qtbot, city)
    page.show()
    page.select_peer(TOWNS[2])

    def fill(dialog: AuthoriseEpochDialog) -> None:
        assert dialog.rows["epoch"].label.text() == "授权的轮次（当前为第 1 轮）："
        assert dialog.epoch.value() == 2 and dialog.epoch.minimum() == 2
        qtbot.keyClick(dialog.epoch, Qt.Key_Up)
        press_ok(qtbot, dialog)

    answer(AuthoriseEpochDialog, fill)
    qtbot.mouseClick(page.registry_actions.authorise_button, Qt.LeftButton)
    no_failure()
    assert city.sync.peer(TOWNS[2]).allowed_epoch == 3


def test_an_instruction_refused_by_the_service_stays_in_its_dialog(qtbot, offices):
    from xinfang_desktop.gui import sync_actions
    from xinfang_desktop.gui.case_actions import actions_for
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.tasks import TaskRunner

    city = offices[CITY]
    city.sync
    ref = city.register(name="赵六")
    detail = city.svc.queries.detail(city.admin, ref.id)
    action = next(a for a in actions_for(detail, city.admin) if a.key == "sync.assign")
    ctx = AppContext(city.svc, TaskRunner(inline=True), city.admin)
    parent = sync_actions.QWidget()
    qtbot.addWidget(parent)
    done = []

    def fill(dialog: sync_actions.InstructionDialog) -> None:
        assert dialog.windowTitle() == "交办"
        assert [dialog.rows[n].label.text() for n in ("to_unit", "deadline", "text")] == [
            "接收乡镇：", "办理期限：", "内容："]
        assert [b.text() for b in dialog.buttons.buttons()] == ["交办", "取消"]
        dialog.township.setCurrentIndex(dialog.township.findData(TOWNS[1]))
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "text", "内容不能为空")
        commit_text(dialog.text, "请于期限内核实处理并报结")
        dialog.deadline.setDate(dialog.deadline.date().addDays(-20))               # before today
        press_ok(qtbot, dialog)
        assert refused_beside(dialog, "deadline", "不早于今天的办理期限")
        assert done == [] and not city.sync.instructions(city.admin)                # nothing written
        dialog.deadline.setDate(dialog.deadline.date().addDays(30))
        press_ok(qtbot, dialog)

    answer(sync_actions.InstructionDialog, fill)
    action.run(parent, ctx, detail, lambda: done.append(True))
    no_failure()
    assert done == [True]
    [sent] = city.sync.instructions(city.admin)
    assert (sent.kind, sent.to_unit, sent.case_id, sent.text) == ("assign", TOWNS[1], ref.id, "请于期限内核实处理并报结")
