"""Print preview of a rendered document: its pages as images, zoom, print, save as PDF, redact.

Pages are rasterised with pdfium off the UI thread. Printing paints the same page images at the
printer's resolution on the whole sheet (full-page mode), so the GB/T 9704 margins of the PDF are
the margins on paper. A character no font can print is named, by field, in a banner and again
before printing or saving, because reportlab would leave a blank where it stands.

The printer and the dialogs that ask the user are module-level functions (`make_printer`,
`ask_printer`, `ask_save_path`, `confirm_missing`): they are outside the product, and tests replace them.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pypdfium2 as pdfium
from PySide6.QtCore import QMarginsF, QRect, QStandardPaths, Qt
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ..documents import RenderedDocument
from ..domain.errors import XinfangError
from ..services.document_files import save_file
from .errors import show_error
from .tasks import OTHER, TaskRunner

if TYPE_CHECKING:
    from .context import AppContext

ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
SCREEN_DPI = 96.0          # 100% shows A4 at its real size on a common monitor
PRINT_DPI_CAP = 300        # sharp on paper; a 600 dpi A4 page image would take 140 MB

_pdfium_lock = threading.Lock()   # pdfium is not thread-safe; the read pool has two threads


# -- rasterising and printing (no widgets: these run in a worker) -------------------------------

def _image(page: "pdfium.PdfPage", dpi: float) -> QImage:
    bitmap = page.render(scale=dpi / 72.0, prefer_bgrx=True)
    try:
        # BGRx bytes are QImage.Format_RGB32 on a little-endian machine; copy() owns the memory.
        return QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format_RGB32).copy()
    finally:
        bitmap.close()


def rasterise(pdf: bytes, dpi: float) -> list[QImage]:
    """Every page of `pdf` as an image at `dpi`."""
    with _pdfium_lock:
        doc = pdfium.PdfDocument(pdf)
        try:
            return [_image(doc[i], dpi) for i in range(len(doc))]
        finally:
            doc.close()


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paint each page of `pdf` on the whole sheet of `printer`; returns the number of pages."""
    printer.setFullPage(True)
    printer.setPageSize(QPageSize(QPageSize.A4))
    printer.setPageOrientation(QPageLayout.Portrait)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Millimeter)
    dpi = min(printer.resolution(), PRINT_DPI_CAP)
    painter = QPainter()
    if not painter.begin(printer):
        raise XinfangError("无法开始打印：打印机没有响应。请检查打印机是否开机、连接正常，或先保存为PDF。")
    try:
        with _pdfium_lock:
            doc = pdfium.PdfDocument(pdf)
            try:
                count = len(doc)
                for i in range(count):
                    if i and not printer.newPage():
                        raise XinfangError(f"打印第{i + 1}页时打印机出错，请检查打印机后重新打印。")
                    image = _image(doc[i], dpi)
                    target = printer.pageLayout().fullRectPixels(printer.resolution())
                    painter.drawImage(QRect(0, 0, target.width(), target.height()), image)
            finally:
                doc.close()
    finally:
        painter.end()
    return count


# -- the parts outside the product (tests replace these) ---------------------------------------

def make_printer() -> QPrinter:
    return QPrinter(QPrinter.HighResolution)


def ask_printer(parent: QWidget, printer: QPrinter) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("打印")
    return dialog.exec() == QDialog.Accepted


def ask_save_path(parent: QWidget, title: str, suggested: str) -> str | None:
    folder = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation) or str(Path.home())
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / suggested), "PDF 文件 (*.pdf)")
    if path and not path.lower().endswith(".pdf"):
        path += ".pdf"
    return path or None


def confirm_missing(parent: QWidget, rendered: RenderedDocument, action: str) -> bool:
    box = QMessageBox(QMessageBox.Warning, "字库缺字",
                      f"以下文字在字库中找不到，{action}后会是空白：\n\n" + "\n".join(missing_items(rendered))
                      + f"\n\n{action}后请在空白处手写补充。仍要{action}吗？", parent=parent)
    go = box.addButton(f"仍然{action}(&Y)", QMessageBox.AcceptRole)
    box.addButton("取消(&N)", QMessageBox.RejectRole)
    box.exec()
    return box.clickedButton() is go


def missing_items(rendered: RenderedDocument) -> list[str]:
    """Each missing character by field, with its code point: the screen font often lacks it too."""
    return [f"{m.field}：{m.char}（U+{ord(m.char):04X}）" for m in rendered.missing]


def missing_text(rendered: RenderedDocument) -> str:
    return ("字库缺字：以下文字打印出来会是空白，请打印后手写补充——" + "；".join(missing_items(rendered))
            if rendered.missing else "")


# -- the dialog -------------------------------------------------------------------------------

class PrintPreviewDialog(QDialog):
    """Shows `rendered`; `rerender(redacted)` (run through the tasks) renders it again for 脱敏."""

    def __init__(self, parent: QWidget | None, rendered: RenderedDocument, *, file_name: str,
                 tasks: TaskRunner | None = None, rerender: Callable[[bool], RenderedDocument] | None = None,
                 redacted: bool = False, can_unredact: bool = True):
        super().__init__(parent)
        self.rendered = rendered
        self.file_name = file_name
        self.tasks = tasks or TaskRunner(parent=self)
        self._rerender = rerender
        self._can_unredact = can_unredact
        self.zoom = 1.0
        self.images: list[QImage] = []
        self.saved_path: Path | None = None
        self.printed_pages = 0
        self._generation = 0       # a newer rasterisation supersedes an older one still running

        self.print_button = QPushButton("打印(&P)…")
        self.print_button.setToolTip("Ctrl+P")
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton("保存为PDF(&S)…")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(self.save_pdf)
        self.redacted_box = QCheckBox("脱敏(&D)：隐去身份证号码和电话")
        self.redacted_box.setChecked(redacted)
        self.redacted_box.setEnabled(rerender is not None and can_unredact)
        if not can_unredact:
            self.redacted_box.setToolTip("您的角色只能打印脱敏的文书")
        self.redacted_box.toggled.connect(self.set_redacted)
        self.zoom_box = QComboBox()
        for z in ZOOMS:
            self.zoom_box.addItem(f"{round(z * 100)}%", z)
        self.zoom_box.setCurrentIndex(ZOOMS.index(1.0))
        self.zoom_box.currentIndexChanged.connect(lambda i: self.set_zoom(ZOOMS[i]))
        zoom_label = QLabel("缩放(&Z)：")
        zoom_label.setBuddy(self.zoom_box)
        close_button = QPushButton("关闭")
        close_button.setToolTip("Esc")
        close_button.clicked.connect(self.reject)
        close_button.setAutoDefault(False)

        bar = QHBoxLayout()
        for w in (self.print_button, self.save_button, self.redacted_box):
            bar.addWidget(w)
        bar.addSpacing(16)
        bar.addWidget(zoom_label)
        bar.addWidget(self.zoom_box)
        bar.addStretch(1)
        bar.addWidget(close_button)

        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("background: #fbd5d5; color: #9b1111; padding: 6px; font-weight: bold;")
        self.status = QLabel()

        self.pages_box = QWidget()
        self.pages_box.setStyleSheet("background: #8a8f96;")
        self.pages_layout = QVBoxLayout(self.pages_box)
        self.pages_layout.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.pages_layout.setSpacing(14)
        self.page_labels: list[QLabel] = []
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.pages_box)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignHCenter)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.warning)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.status)

        QShortcut(QKeySequence.Print, self, activated=self.print_document)
        QShortcut(QKeySequence.Save, self, activated=self.save_pdf)
        QShortcut(QKeySequence.ZoomIn, self, activated=lambda: self._step_zoom(1))
        QShortcut(QKeySequence("Ctrl+="), self, activated=lambda: self._step_zoom(1))
        QShortcut(QKeySequence.ZoomOut, self, activated=lambda: self._step_zoom(-1))
        self.resize(900, 860)
        self._show_rendered()

    # -- showing -------------------------------------------------------------------------
    def _show_rendered(self) -> None:
        r = self.rendered
        self.setWindowTitle(f"打印预览 — {r.title}{'（脱敏）' if self.redacted else ''}")
        self.warning.setText(missing_text(r))
        self.warning.setVisible(bool(r.missing))
        self._rasterise()

    def _rasterise(self) -> None:
        self._generation += 1
        generation, pdf = self._generation, self.rendered.pdf
        dpi = SCREEN_DPI * self.zoom * self.devicePixelRatioF()
        self.status.setText("正在生成预览…")
        self.tasks.run(lambda: rasterise(pdf, dpi), writes=False,
                       on_done=lambda images: self._show_pages(generation, images),
                       on_error=self._failed, owner=self)

    def _show_pages(self, generation: int, images: list[QImage]) -> None:
        if generation != self._generation:
            return
        self.images = images
        while len(self.page_labels) > len(images):
            self.page_labels.pop().deleteLater()
        while len(self.page_labels) < len(images):
            label = QLabel()
            label.setStyleSheet("background: white; border: 1px solid #555;")
            self.pages_layout.addWidget(label)
            self.page_labels.append(label)
        ratio = self.devicePixelRatioF()
        for label, image in zip(self.page_labels, images):
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            label.setPixmap(pixmap)
            label.setFixedSize(pixmap.deviceIndependentSize().toSize())
        self.status.setText(f"{self.rendered.title}：共{len(images)}页"
                            + ("，已脱敏" if self.redacted else "") + "。Ctrl+P 打印，Ctrl+S 保存为PDF，Esc 关闭。")

    def _failed(self, exc: BaseException, details: str) -> None:
        self._busy(False)
        self.status.setText("操作没有完成。")
        show_error(self, exc, details)

    def _busy(self, busy: bool) -> None:
        for w in (self.print_button, self.save_button):
            w.setEnabled(not busy)
        self.redacted_box.setEnabled(not busy and self._rerender is not None and self._can_unredact)

    # -- zoom ----------------------------------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        if zoom != self.zoom:
            self.zoom = zoom
            if self.zoom_box.currentData() != zoom:
                self.zoom_box.setCurrentIndex(ZOOMS.index(zoom))
            self._rasterise()

    def _step_zoom(self, step: int) -> None:
        i = min(len(ZOOMS) - 1, max(0, ZOOMS.index(self.zoom) + step))
        self.set_zoom(ZOOMS[i])

    # -- redaction -----------------------------------------------------------------------
    @property
    def redacted(self) -> bool:
        return self.redacted_box.isChecked()

    def set_redacted(self, redacted: bool) -> None:
        if self._rerender is None:
            return
        if self.redacted_box.isChecked() != redacted:
            self.redacted_box.setChecked(redacted)     # comes back here through toggled
            return
        rerender = self._rerender
        self._busy(True)
        self.status.setText("正在重新生成文书…")
        self.tasks.run(lambda: rerender(redacted), writes=True, changes=OTHER, on_done=self._rerendered, on_error=self._failed, owner=self)

    def _rerendered(self, rendered: RenderedDocument) -> None:
        self.rendered = rendered
        self._busy(False)
        self._show_rendered()

    def output_name(self) -> str:
        stem = self.file_name[:-4] if self.file_name.lower().endswith(".pdf") else self.file_name
        return f"{stem}{'（脱敏）' if self.redacted else ''}.pdf"

    # -- printing and saving -------------------------------------------------------------
    def print_document(self) -> None:
        if not self.print_button.isEnabled():
            return
        if self.rendered.missing and not confirm_missing(self, self.rendered, "打印"):
            return
        printer = make_printer()
        printer.setDocName(self.rendered.title)
        if not ask_printer(self, printer):
            return
        pdf = self.rendered.pdf
        self._busy(True)
        self.status.setText("正在送往打印机…")
        self.tasks.run(lambda: print_pdf(pdf, printer), writes=False, on_done=self._printed, on_error=self._failed, owner=self)

    def _printed(self, pages: int) -> None:
        self.printed_pages = pages
        self._busy(False)
        self.status.setText(f"已送往打印机：{self.rendered.title}，共{pages}页。")

    def save_pdf(self) -> None:
        if not self.save_button.isEnabled():
            return
        if self.rendered.missing and not confirm_missing(self, self.rendered, "保存"):
            return
        path = ask_save_path(self, f"保存{self.rendered.title}", self.output_name())
        if not path:
            return
        pdf = self.rendered.pdf
        self._busy(True)
        self.status.setText("正在保存…")
        self.tasks.run(lambda: save_file(path, pdf), writes=False, on_done=self._saved, on_error=self._failed, owner=self)

    def _saved(self, path: Path) -> None:
        self.saved_path = path
        self._busy(False)
        self.status.setText(f"已保存：{path}")


def show_document(parent: QWidget | None, rendered: RenderedDocument, *, file_name: str,
                  tasks: TaskRunner | None = None, rerender: Callable[[bool], RenderedDocument] | None = None,
                  redacted: bool = False, can_unredact: bool = True) -> PrintPreviewDialog:
    """Open the preview (window-modal, not blocking) and return it."""
    dialog = PrintPreviewDialog(parent, rendered, file_name=file_name, tasks=tasks, rerender=rerender,
                                redacted=redacted, can_unredact=can_unredact)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
    return dialog


def document_file_name(number: str, title: str) -> str:
    # Characters Windows refuses in a file name (a title may one day hold a slash) become hyphens.
    return re.sub(r'[\\/:*?"<>|／]', "-", f"{number}-{title}") + ".pdf"


def print_case_document(parent: QWidget, ctx: "AppContext", case_ref: str, name: str, *,
                        redacted: bool | None = None,
                        on_shown: Callable[[PrintPreviewDialog], None] | None = None) -> None:
    """Render document `name` of the case numbered `case_ref` in the background, then open its preview.

    A role that may not see full ID numbers gets the redacted version, and cannot switch it off."""
    from ..services.permissions import Permission
    from ..services.printing import PrintService

    printer = ctx.services.get(PrintService)
    actor = ctx.actor
    can_unredact = actor.can(Permission.REVEAL_PERSONAL)
    start_redacted = (not can_unredact) if redacted is None else (redacted or not can_unredact)

    def rerender(r: bool) -> RenderedDocument:
        return printer.render(actor, case_ref, name, redacted=r)

    def shown(rendered: RenderedDocument) -> None:
        dialog = show_document(parent, rendered, file_name=document_file_name(case_ref, rendered.title),
                               tasks=ctx.tasks, rerender=rerender, redacted=start_redacted,
                               can_unredact=can_unredact)
        if on_shown:
            on_shown(dialog)

    def failed(exc: BaseException, details: str) -> None:
        show_error(parent, exc, details)

    def render() -> None:
        ctx.tasks.run(lambda: rerender(start_redacted), writes=True, changes=OTHER, on_done=shown, on_error=failed, owner=parent)

    if name == "receipt":      # its first print signs the 核验码 (issue 17): the key first, if needed
        from .receipt_verify import with_receipt_key

        with_receipt_key(parent, ctx, case_ref, render)
    else:
        render()
