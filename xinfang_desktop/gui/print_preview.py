"""Print preview of a rendered document: print it, or save it as PDF.

Minimal first version (save as PDF only); the full preview with page images and printing
replaces the body of `show_document`, keeping its signature.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ..documents import RenderedDocument


def show_document(parent: QWidget | None, rendered: RenderedDocument, *, file_name: str) -> None:
    if rendered.missing:
        QMessageBox.warning(parent, "字库缺字", "以下文字在字库中找不到，打印时会显示为空白，请手写补充：\n"
                            + "\n".join(str(m) for m in rendered.missing))
    path, _ = QFileDialog.getSaveFileName(parent, f"保存{rendered.title}", file_name, "PDF 文件 (*.pdf)")
    if path:
        with open(path, "wb") as fh:
            fh.write(rendered.pdf)
