"""The print preview: pages shown as images, zoom, save as PDF, print (printer replaced), 脱敏, missing glyphs."""

from __future__ import annotations

import io
import re

import pytest
from PySide6.QtCore import Qt
from pypdf import PdfReader

from tests.conftest import make_registration
from xinfang_desktop.domain.petition import PetitionerInput
from xinfang_desktop.gui import print_preview
from xinfang_desktop.services.printing import PrintService


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


class FakePrinting:
    """Stands in for the printer and the system print dialog: a real QPrinter writing a PDF file."""

    def __init__(self, tmp_path, monkeypatch, accept: bool = True):
        from PySide6.QtPrintSupport import QPrinter

        self.out = tmp_path / "printed.pdf"
        self.asked = 0
        self.accept = accept

        def make():
            printer = QPrinter(QPrinter.HighResolution)
            printer.setOutputFormat(QPrinter.PdfFormat)
            printer.setOutputFileName(str(self.out))
            printer.setResolution(150)       # keeps the test fast; the cap is what a real printer meets
            return printer

        def ask(parent, printer):
            self.asked += 1
            return self.accept

        monkeypatch.setattr(print_preview, "make_printer", make)
        monkeypatch.setattr(print_preview, "ask_printer", ask)


@pytest.fixture
def receipt(services, clerk):
    ref = services.cases.register(clerk, make_registration())
    return ref, services.get(PrintService).render(clerk, ref.number, "receipt")


@pytest.fixture
def parent(qtbot):
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def open_preview(qtbot, parent, app_ctx, ref, rendered, **kw):
    printer = app_ctx.services.get(PrintService)
    dialog = print_preview.show_document(
        parent, rendered, file_name=f"{ref.number}-受理告知书.pdf", tasks=app_ctx.tasks,
        rerender=lambda r: printer.render(app_ctx.actor, ref.number, "receipt", redacted=r), **kw)
    qtbot.waitExposed(dialog, timeout=30_000)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=30_000)
    return dialog


def test_pages_are_shown_and_zoom_enlarges_them(qtbot, parent, app_ctx, receipt):
    ref, rendered = receipt
    dialog = open_preview(qtbot, parent, app_ctx, ref, rendered)
    assert len(dialog.page_labels) == rendered.pages >= 1
    page = dialog.images[0]
    assert 780 <= page.width() / dialog.devicePixelRatioF() <= 800          # A4 at 96 dpi is 794 px wide
    dark = sum(1 for x in range(0, page.width(), 7) for y in range(0, page.height(), 7)
               if page.pixelColor(x, y).lightness() < 128)
    assert dark > 50                                                         # text was drawn, not a blank page
    assert "共1页" in dialog.status.text() or f"共{rendered.pages}页" in dialog.status.text()
    assert not dialog.warning.isVisible()
    width = dialog.page_labels[0].width()
    qtbot.keyClick(dialog, Qt.Key_Plus, Qt.ControlModifier)
    assert dialog.zoom == 1.25 and dialog.page_labels[0].width() > width * 1.2
    dialog.zoom_box.setCurrentIndex(0)
    assert dialog.zoom == 0.5 and dialog.page_labels[0].width() < width * 0.6


def test_save_as_pdf_writes_the_whole_file_and_nothing_else(qtbot, parent, app_ctx, receipt, tmp_path, monkeypatch):
    ref, rendered = receipt
    out_dir = tmp_path / "u盘"
    out_dir.mkdir()
    asked = []
    monkeypatch.setattr(print_preview, "ask_save_path",
                        lambda parent, title, name: asked.append(name) or str(out_dir / name))
    dialog = open_preview(qtbot, parent, app_ctx, ref, rendered)
    qtbot.keyClick(dialog, Qt.Key_S, Qt.ControlModifier)
    assert asked == [f"{ref.number}-受理告知书.pdf"]
    saved = out_dir / asked[0]
    assert dialog.saved_path == saved and str(saved) in dialog.status.text()
    text = text_of(saved.read_bytes())
    assert ref.number in text and ref.query_code in text and "欧阳娜娜" in text
    assert [p.name for p in out_dir.iterdir()] == [saved.name]               # no temporary file left


def test_save_into_a_missing_folder_says_so(qtbot, parent, app_ctx, receipt, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    ref, rendered = receipt
    monkeypatch.setattr(print_preview, "ask_save_path", lambda *a: str(tmp_path / "gone" / "x.pdf"))
    dialog = open_preview(qtbot, parent, app_ctx, ref, rendered)
    dialog.save_button.click()
    box = dialog.findChild(QMessageBox)
    assert box is not None and "保存位置不存在" in box.text()
    assert dialog.saved_path is None and dialog.save_button.isEnabled()


def test_print_paints_every_page_on_the_printer(qtbot, parent, app_ctx, receipt, tmp_path, monkeypatch):
    ref, rendered = receipt
    fake = FakePrinting(tmp_path, monkeypatch)
    dialog = open_preview(qtbot, parent, app_ctx, ref, rendered)
    qtbot.keyClick(dialog, Qt.Key_P, Qt.ControlModifier)
    assert fake.asked == 1 and dialog.printed_pages == rendered.pages
    printed = PdfReader(str(fake.out))
    assert len(printed.pages) == rendered.pages
    box = printed.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2   # A4, whole sheet
    assert "已送往打印机" in dialog.status.text()


def test_cancelled_print_dialog_prints_nothing(qtbot, parent, app_ctx, receipt, tmp_path, monkeypatch):
    ref, rendered = receipt
    fake = FakePrinting(tmp_path, monkeypatch, accept=False)
    dialog = open_preview(qtbot, parent, app_ctx, ref, rendered)
    dialog.print_button.click()
    assert fake.asked == 1 and dialog.printed_pages == 0 and not fake.out.exists()


def test_redacted_toggle_rerenders_and_is_audited(qtbot, parent, app_ctx, receipt, tmp_path, monkeypatch):
    from xinfang_desktop.store.models import AuditEntry

    ref, rendered = receipt
    monkeypatch.setattr(print_preview, "ask_save_path", lambda parent, title, name: str(tmp_path / name))
    register = app_ctx.services.get(PrintService).render(app_ctx.actor, ref.number, "register")
    dialog = open_preview(qtbot, parent, app_ctx, ref, register)
    before = AuditEntry.select().where(AuditEntry.action == "document.print").count()
    qtbot.keyClick(dialog.redacted_box, Qt.Key_Space)
    assert dialog.redacted and "脱敏" in dialog.windowTitle()
    assert AuditEntry.select().where(AuditEntry.action == "document.print").count() == before + 1
    dialog.save_pdf()
    assert dialog.saved_path.name.endswith("（脱敏）.pdf")
    text = text_of(dialog.saved_path.read_bytes())
    assert "欧阳娜娜" in text and "11010519491231002X" not in text and "13812345678" not in text


def test_missing_characters_are_named_before_printing(qtbot, parent, app_ctx, services, clerk, tmp_path, monkeypatch):
    ref = services.cases.register(clerk, make_registration(
        petitioners=[PetitionerInput(name="林𪚥", phone="13900001111")]))
    rendered = services.get(PrintService).render(clerk, ref.number, "receipt")
    assert rendered.missing
    fake = FakePrinting(tmp_path, monkeypatch)
    answers = [False, True]
    seen = []
    monkeypatch.setattr(print_preview, "confirm_missing",
                        lambda parent, r, action: seen.append((action, r.warnings())) or answers.pop(0))
    dialog = open_preview(qtbot, parent, app_ctx, ref, rendered)
    assert not dialog.warning.isHidden()
    assert "𪚥（U+2A6A5）" in dialog.warning.text() and "姓名" in dialog.warning.text()
    dialog.print_document()                       # the clerk says no: nothing goes to the printer
    assert fake.asked == 0
    dialog.print_document()                       # and then yes
    assert fake.asked == 1 and dialog.printed_pages == rendered.pages
    assert seen[0][0] == "打印" and any("𪚥" in w for w in seen[0][1])


def test_a_leader_only_sees_the_redacted_version(qtbot, parent, services, admin, tasks, clerk):
    from xinfang_desktop.gui.context import AppContext
    from xinfang_desktop.gui.print_preview import PrintPreviewDialog, print_case_document
    from xinfang_desktop.services.permissions import Role
    leader = services.auth.add_user(admin, "leader1", Role.LEADER, "leader-pass-1", "陈镇长")
    ref = services.cases.register(clerk, make_registration())
    ctx = AppContext(services, tasks, leader)
    shown = []
    print_case_document(parent, ctx, ref.number, "register", on_shown=shown.append)
    dialog = shown[0]
    assert isinstance(dialog, PrintPreviewDialog)
    assert dialog.redacted and not dialog.redacted_box.isEnabled()
    assert "11010519491231002X" not in text_of(dialog.rendered.pdf)


def test_without_a_runner_pages_are_rendered_in_the_background(qtbot, parent, receipt):
    """Callers that pass no task runner get one of the dialog's own: real worker threads."""
    ref, rendered = receipt
    dialog = print_preview.show_document(parent, rendered, file_name="x.pdf")
    assert not dialog.tasks.inline
    qtbot.waitUntil(lambda: len(dialog.images) == rendered.pages, timeout=30_000)
    assert not dialog.page_labels[0].pixmap().isNull()
    assert not dialog.redacted_box.isEnabled()          # nothing to re-render with
