"""The intake page, driven as a clerk drives it: by keyboard, Chinese through input-method commits."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from tests.conftest import make_registration
from xinfang_desktop.domain.idcard import check_character
from xinfang_desktop.store.models import Case, CaseParty, Person
from xinfang_desktop.store.models_intake import Attachment

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8


def idn(birth: str, seq: str) -> str:
    first = "350881" + birth + seq
    return first + check_character(first)


GROUP = [  # name, ID number, phone, representative
    ("欧阳娜娜", idn("19680312", "042"), "13812345678", True),
    ("张伟", idn("19700101", "013"), "13900000001", True),
    ("李秀英", idn("19751120", "026"), "13900000002", False),
    ("王芳", idn("19801231", "048"), "13900000003", False),
    ("陈建国", idn("19650505", "011"), "13900000004", False),
    ("刘洋", idn("19920229", "035"), "13900000005", False),
]


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


class Keyboard:
    """Sends keys to whatever has focus, as a clerk's keyboard does, and counts them."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.keys = 0
        self.chinese = 0

    @staticmethod
    def focus():
        w = QApplication.focusWidget()
        assert w is not None, "nothing has the keyboard focus"
        return w

    def key(self, key, modifier=Qt.NoModifier) -> None:
        self.qtbot.keyClick(self.focus(), key, modifier)
        self.keys += 1

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focus(), text)
        self.keys += len(text)

    def chinese_text(self, text: str) -> None:
        """An input method's commit: counted as characters (a pinyin IME needs ~2-3 keys each)."""
        ev = QInputMethodEvent()
        ev.setCommitString(text)
        QApplication.sendEvent(self.focus(), ev)
        self.chinese += len(text)


def save_minimal_form(kb: Keyboard, page) -> None:
    """The fewest fields a registration needs (name, category, request), then Ctrl+S."""
    kb.chinese_text("欧阳娜娜")
    page.category.set_code("0402")
    page.request.setFocus()
    kb.chinese_text("要求支付工资")
    kb.key(Qt.Key_S, Qt.ControlModifier)


@pytest.fixture
def page(intake_page):
    return intake_page


def test_group_visit_of_six_registered_by_keyboard_prints_the_receipt(qtbot, page, receipts, services):
    kb = Keyboard(qtbot)
    for i, (name, id_number, phone, rep) in enumerate(GROUP):
        assert kb.focus() is page.rows[i].name
        kb.chinese_text(name)
        kb.key(Qt.Key_Tab)
        kb.type(id_number)
        kb.key(Qt.Key_Tab)
        kb.type(phone)
        if i == 0:
            kb.key(Qt.Key_Tab)                  # township: this office's, filled in
            kb.key(Qt.Key_Tab)                  # village, by pinyin initials: 李庄村
            kb.type("lzc")
            kb.key(Qt.Key_Tab)
            kb.chinese_text("李庄村3组15号")      # address
        if rep:
            for _ in range(6):
                if kb.focus() is page.rows[i].rep:
                    break
                kb.key(Qt.Key_Tab)
            assert kb.focus() is page.rows[i].rep, i
            kb.key(Qt.Key_Space)
        if i < len(GROUP) - 1:
            kb.key(Qt.Key_Return, Qt.ControlModifier)
    first = page.rows[0]
    assert first.born.text() == "1968-03-12" and first.sex.currentData() == "女"  # read from the ID number
    assert page.rows[1].born.text() == "1970-01-01" and not page.rows[1].sex.isEnabled()
    assert first.village.code == "350881102201"
    assert page.people_count.value() == 6
    assert "代表人 2 名" in page.group_hint.text() and "集体访" in page.group_hint.text()

    kb.key(Qt.Key_K, Qt.AltModifier)               # 问题类别(&K)
    assert kb.focus() is page.category.edit
    kb.type("qx")                                   # 欠薪: initials of the short name
    assert page.category.hits()[0].startswith("0402")
    kb.key(Qt.Key_Return)
    assert page.category.code == "0402"
    kb.key(Qt.Key_W, Qt.AltModifier)               # 被反映单位(&W)
    kb.chinese_text("永福镇某建筑公司")
    kb.key(Qt.Key_Tab)
    assert kb.focus() is page.request
    kb.chinese_text("要求支付拖欠的工资共计十二万元")
    kb.key(Qt.Key_Tab)
    kb.chinese_text("六人在该公司工地务工，二〇二六年三月至八月的工资未发。")
    kb.key(Qt.Key_Tab)
    kb.chinese_text("有考勤记录和工友证言为证。")
    kb.key(Qt.Key_S, Qt.ControlModifier)

    ref = page.saved_case
    assert ref is not None
    assert ref.number in page.saved_text.text() and ref.query_code in page.saved_text.text()
    [(rendered, file_name)] = receipts
    assert file_name == f"受理告知书-{ref.number}.pdf"
    text = pdf_text(rendered.pdf)
    assert ref.number in text and ref.query_code in text
    assert "欧阳娜娜" in text and "张伟" in text and "等6人" in text      # addressed through the representatives
    case = Case.get(Case.number == ref.number)
    parties = list(CaseParty.select(CaseParty, Person).join(Person).where(CaseParty.case == case)
                   .order_by(CaseParty.position))
    assert [p.person.name for p in parties] == [g[0] for g in GROUP]
    assert [p.is_representative for p in parties] == [g[3] for g in GROUP]
    assert parties[0].person.village_code == "350881102201" and parties[0].person.address == "李庄村3组15号"
    assert (case.people_count, case.is_group, case.category_code, case.channel) == (6, True, "0402", "visit")
    # The form is empty again for the next petitioner, and Ctrl+P prints the receipt once more.
    assert page.is_blank() and len(page.rows) == 1 and page.rows[0].name.hasFocus()
    qtbot.keyClick(page.rows[0].name, Qt.Key_P, Qt.ControlModifier)
    assert len(receipts) == 2 and pdf_text(receipts[1][0].pdf).count(ref.query_code) >= 1
    # A walk-in group in well under two minutes: the keys a clerk presses, besides the Chinese text.
    print(f"\nkeyboard intake of 6 people: {kb.keys} keys + {kb.chinese} Chinese characters by input method")
    assert kb.keys <= 220


def test_an_invalid_form_is_marked_where_it_is_and_writes_nothing(qtbot, page, receipts, services):
    kb = Keyboard(qtbot)
    kb.chinese_text("欧阳娜娜2")
    kb.key(Qt.Key_Tab)
    kb.type("350881196803120421")       # wrong check character
    kb.key(Qt.Key_Tab)
    row = page.rows[0]
    # Checked as the clerk leaves the field, before any save.
    assert row.id_number.property("invalid") is True
    assert "校验位" in row.errors.text() and "不能含有数字" in row.errors.text()
    kb.type("1381234")
    kb.key(Qt.Key_Return, Qt.ControlModifier)
    page.rows[1].rep.setChecked(True)   # a representative for a two-person matter
    before = (Case.select().count(), Person.select().count())
    kb.key(Qt.Key_S, Qt.ControlModifier)
    assert page.saved_case is None and receipts == []
    assert (Case.select().count(), Person.select().count()) == before
    assert row.phone.property("invalid") is True and "11位" in row.errors.text()
    assert page.errors["request"].isVisible() and page.errors["request"].text() == "诉求不能为空"
    assert page.request.property("invalid") is True
    assert page.errors["category_code"].text() == "请选择问题类别"
    assert "第2名信访人" in page.rows[1].errors.text() or "代表人" in page.errors["representatives"].text()
    assert page.summary.isVisible() and "需要改正" in page.summary.text()
    assert row.name.hasFocus()                                    # the first fault, to fix at once
    # Fixing a field clears its mark as the clerk leaves it.
    row.name.selectAll()
    kb.chinese_text("欧阳娜娜")
    kb.key(Qt.Key_Tab)
    assert row.name.property("invalid") is False and "不能含有数字" not in row.errors.text()


def test_side_panel_finds_an_earlier_case_by_id_and_links_the_repeat(qtbot, page, receipts, services, clerk):
    first = services.cases.register(clerk, make_registration())
    people = Person.select().count()
    kb = Keyboard(qtbot)
    kb.key(Qt.Key_Tab)
    kb.type("110105194912")                          # part of the ID number is enough
    qtbot.waitUntil(lambda: len(page.matches.items()) == 2, timeout=30_000)
    person, case = page.matches.items()
    assert "欧阳娜娜" in person.text(0) and "110105********002X" in person.text(0) and "1件（1件在办）" in person.text(0)
    assert first.number in case.text(0) and "劳动关系" in case.text(0)
    kb.key(Qt.Key_F4)
    assert page.matches.tree.hasFocus()
    kb.key(Qt.Key_Down)                              # the earlier case
    kb.key(Qt.Key_Return)                            # links it as the first matter of a repeat
    assert page.repeat_of == (first.id, first.number)
    assert page.repeat_label.isVisible() and first.number in page.repeat_label.text()
    kb.key(Qt.Key_Up)
    kb.key(Qt.Key_J, Qt.AltModifier)                 # 填入信访人 (a button's mnemonic clicks it after a moment)
    row = page.rows[0]
    qtbot.waitUntil(lambda: row.person_id is not None, timeout=30_000)
    assert row.name.text() == "欧阳娜娜" and row.id_number.text() == "11010519491231002X"
    assert row.person_id is not None and "已关联档案" in row.born.text()
    page.category.set_code("0402")
    commit = QInputMethodEvent()
    commit.setCommitString("再次要求支付拖欠工资")
    page.request.setFocus()
    QApplication.sendEvent(page.request, commit)
    kb.key(Qt.Key_S, Qt.ControlModifier)
    case_row = Case.get(Case.number == page.saved_case.number)
    assert case_row.repeat_of == first.id
    assert Person.select().count() == people          # the same person, not a new record


def test_attachments_are_checked_listed_and_saved_with_the_case(qtbot, page, receipts, services, tmp_path):
    good = tmp_path / "来信.jpg"
    good.write_bytes(JPEG)
    fake = tmp_path / "照片.png"
    fake.write_bytes(b"MZ\x90\x00not a picture")
    page.add_attachments([good, fake, good])
    assert page.attach_list.count() == 1 and "来信.jpg" in page.attach_list.item(0).text()
    assert "照片.png" in page.errors["attachments"].text() and page.errors["attachments"].isVisible()
    kb = Keyboard(qtbot)
    save_minimal_form(kb, page)
    [row] = Attachment.select()
    assert row.file_name == "来信.jpg" and row.kind == "jpg" and row.case.number == page.saved_case.number
    from xinfang_desktop.store.files import FileStore

    assert FileStore(services.data_dir / "attachments", services.data_key).read(row.sha256) == JPEG


def test_draft_is_offered_on_the_next_start_and_restores_the_form(qtbot, app_ctx, page, receipts):
    from xinfang_desktop.gui.pages.intake import IntakePage

    kb = Keyboard(qtbot)
    kb.chinese_text("欧阳娜娜")
    kb.key(Qt.Key_Tab)
    kb.type("11010519491231002X")
    page.request.setFocus()
    kb.chinese_text("要求支付工资")
    with qtbot.waitSignal(page.draft_saved, timeout=30_000):
        pass
    typed = page.form_state()
    page.close()                                    # the next start of the program
    again = IntakePage(app_ctx)
    qtbot.addWidget(again)
    assert again.offered_draft is not None and not again.draft_banner.isHidden()
    assert "欧阳娜娜" in again.draft_text.text()
    assert again.is_blank()                         # nothing is put in the form unasked
    again.show()
    qtbot.waitExposed(again, timeout=30_000)
    again.activateWindow()
    qtbot.waitUntil(again.isActiveWindow, timeout=30_000)
    qtbot.keyClick(again.rows[0].name, Qt.Key_R, Qt.AltModifier)      # 恢复草稿(&R)
    qtbot.waitUntil(lambda: again.offered_draft is None, timeout=30_000)
    assert again.form_state() == typed
    # Ctrl+N drops the form and its draft, once the clerk agrees: a third start offers nothing.
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.modal import answer, click_button

    seen = answer(QMessageBox, click_button(qtbot, "放弃并新登记"))
    qtbot.keyClick(again.rows[0].name, Qt.Key_N, Qt.ControlModifier)
    assert seen == ["放弃这份登记？"] and again.is_blank()
    third = IntakePage(app_ctx)
    qtbot.addWidget(third)
    assert third.offered_draft is None and third.draft_banner.isHidden()


def test_draft_survives_kill_9_and_is_restored(tmp_path, services, admin):
    script = Path(__file__).with_name("intake_proc.py")
    data_dir = str(services.data_dir)
    services.close()          # the app runs in its own processes on the same data folder
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, str(script), data_dir, "type"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)
    try:
        line = ""
        while not line.startswith("DRAFT "):
            line = proc.stdout.readline()
            assert line, f"the app ended before saving a draft: {proc.stderr.read()}"
        typed = json.loads(line[len("DRAFT "):])
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert typed["petitioners"][0]["name"] == "欧阳娜娜" and typed["category_code"] == "0402"

    out = subprocess.run([sys.executable, str(script), data_dir, "check"], capture_output=True, text=True,
                         encoding="utf-8", env=env, timeout=60)
    lines = {ln.split(" ", 1)[0]: ln.split(" ", 1)[1] for ln in out.stdout.splitlines() if " " in ln}
    assert "OFFERED" in lines, out.stdout + out.stderr
    offered = json.loads(lines["OFFERED"])
    assert "欧阳娜娜等2人" in offered["banner"] and offered["blank"] is True
    assert json.loads(lines["STATE"]) == typed


def test_the_main_window_has_the_intake_page(qtbot, app_ctx):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.gui.pages.intake import IntakePage

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show_page("intake")
    assert isinstance(window.stack.currentWidget(), IntakePage)



def test_after_a_crash_the_main_window_opens_on_the_offered_draft(qtbot, app_ctx, services, admin):
    from xinfang_desktop.gui.main_window import MainWindow
    from xinfang_desktop.services.drafts import DraftService

    services.get(DraftService).save(admin, {"v": 1, "channel": "letter", "received_at": "2026-11-02T08:15",
                                            "petitioners": [{"name": "欧阳娜娜", "township_code": "350881102000"}],
                                            "request": "要求支付工资"})
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    page = window.pages["intake"]
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=30_000)
    assert not page.draft_banner.isHidden() and "2026-11-02" in page.draft_text.text()
    page.restore_button.click()
    assert page.rows[0].name.text() == "欧阳娜娜" and page.channel.currentData() == "letter"
    assert page.request.toPlainText() == "要求支付工资"
    assert page.received.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-02 08:15"


def test_a_role_that_may_not_register_cannot_fill_the_form(qtbot, services, admin, tasks):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.pages.intake import IntakePage
    from xinfang_desktop.services.permissions import Role

    leader = services.auth.add_user(admin, "lead1", Role.LEADER, "lead-pass-1", "赵领导")
    page = IntakePage(AppContext(services, tasks, leader))
    qtbot.addWidget(page)
    assert not page.save_button.isEnabled() and not page.rows[0].name.isEnabled()
    assert "没有登记信访事项的权限" in page.summary.text()


def test_rows_are_added_and_removed_by_keyboard_and_blank_rows_do_not_block_saving(qtbot, page, receipts):
    kb = Keyboard(qtbot)
    kb.chinese_text("欧阳娜娜")
    kb.key(Qt.Key_Return, Qt.ControlModifier)
    kb.chinese_text("张伟")
    kb.key(Qt.Key_Return, Qt.ControlModifier)
    kb.chinese_text("李秀英")
    assert [r.number.text() for r in page.rows] == ["1", "2", "3"] and page.people_count.value() == 3
    page.rows[1].name.setFocus()
    kb.key(Qt.Key_Delete, Qt.ControlModifier | Qt.ShiftModifier)     # removes 张伟, the row with the focus
    assert [r.name.text() for r in page.rows] == ["欧阳娜娜", "李秀英"]
    assert [r.number.text() for r in page.rows] == ["1", "2"] and page.people_count.value() == 2
    kb.key(Qt.Key_Return, Qt.ControlModifier)                         # an extra, blank row
    page.category.set_code("0402")
    page.request.setFocus()
    kb.chinese_text("要求支付工资")
    kb.key(Qt.Key_S, Qt.ControlModifier)
    assert page.saved_case is not None
    case = Case.get(Case.number == page.saved_case.number)
    assert case.parties_label == "欧阳娜娜等2人"


def test_saving_opens_the_print_preview_of_the_receipt(qtbot, page):
    from xinfang_desktop.gui.print_preview import PrintPreviewDialog

    kb = Keyboard(qtbot)
    save_minimal_form(kb, page)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in page.findChildren(PrintPreviewDialog)), timeout=30_000)
    [dialog] = [d for d in page.findChildren(PrintPreviewDialog) if d.isVisible()]
    assert "接收告知书" in dialog.windowTitle()
    dialog.close()


def test_case_view_lists_and_adds_attachments(qtbot, app_ctx, services, clerk, tmp_path):
    from xinfang_desktop.gui.case_actions import actions_for
    from xinfang_desktop.gui.intake_actions import AttachmentsDialog
    from xinfang_desktop.services.intake import IntakeService

    letter = tmp_path / "来信.jpg"
    letter.write_bytes(JPEG)
    ref = services.get(IntakeService).register(clerk, make_registration(), [letter])
    detail = services.queries.detail(app_ctx.actor, ref.number)
    [action] = [a for a in actions_for(detail, app_ctx.actor) if a.key == "intake.attachments"]
    host = QWidget()
    qtbot.addWidget(host)
    reloaded = []
    action.run(host, app_ctx, detail, lambda: reloaded.append(1))
    [dialog] = host.findChildren(AttachmentsDialog)
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text() == "来信.jpg"
    pdf = tmp_path / "回复.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    dialog.add_files([str(pdf), str(letter)])
    assert dialog.table.rowCount() == 2 and reloaded == [1]
    fake = tmp_path / "x.png"
    fake.write_bytes(b"not an image")
    dialog.add_files([str(fake)])
    assert "x.png" in dialog.message.text() and dialog.table.rowCount() == 2
