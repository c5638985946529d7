"""Qt's own dialogs and buttons in Chinese: the file dialog (查找范围, 文件类型, 文件夹), the standard
buttons and the context menus.

The PySide6 wheel ships ``qt_zh_CN.qm`` (and, in some builds, ``qtbase_zh_CN.qm``); every catalogue
that exists is loaded, so a build without one still gets the other. On top of them a few words are
put in the glossary's terms (domain/glossary.py): Qt's catalogue says 体积 for a file's size."""

from __future__ import annotations

import locale
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QSize, QTranslator
from PySide6.QtWidgets import QApplication, QFileDialog, QHeaderView, QTreeView, QWidget

CATALOGUES = ("qt", "qtbase")
# (context, source text) -> the window's word, where Qt's catalogue uses another.
# Qt 6 renamed a few strings of the file dialog that its catalogue still has under the old names.
OWN_WORDS = {
    ("QFileSystemModel", "Size"): "大小",
    ("QFileDialog", "Size"): "大小",
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QAbstractFileIconProvider", "Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Drive"): "驱动器",
    ("QAbstractFileIconProvider", "File Folder"): "文件夹",
    ("QAbstractFileIconProvider", "Computer"): "计算机",
    ("QAbstractFileIconProvider", "File"): "文件",
}


CHINESE_TIME = "zh_CN.UTF-8"


@contextmanager
def chinese_system_dates() -> Iterator[None]:
    """Around the making of the QApplication: Qt's own file dialog writes its 修改日期 column in the
    *system* locale (QFileSystemModel asks QLocale.system(), not the default that install_qt_chinese
    sets), and on Linux Qt reads that once, from LC_ALL / LC_TIME / LANG, while the application is made.
    A machine set to C or English showed "6 12 2026"; with LC_TIME in Chinese it shows 2026/12/6.
    The environment is put back afterwards (programs started from the window see the user's own), and
    so is the C library's locale, which Qt set from it (a Chinese locale need not be installed)."""
    if not sys.platform.startswith("linux") or _time_locale().startswith("zh"):
        yield
        return
    saved = {name: os.environ.get(name) for name in ("LC_ALL", "LC_TIME", "LANG")}
    if saved["LC_ALL"]:                      # LC_ALL overrides LC_TIME: its value moves to LANG meanwhile
        os.environ["LANG"] = os.environ.pop("LC_ALL")
    os.environ["LC_TIME"] = CHINESE_TIME
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        try:
            locale.setlocale(locale.LC_ALL, "")
        except locale.Error:
            pass


def _time_locale() -> str:
    return os.environ.get("LC_ALL") or os.environ.get("LC_TIME") or os.environ.get("LANG") or "C"


class OwnWords(QTranslator):
    """The glossary's words for the few Qt strings whose catalogue word is not the window's."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        # None (a null string) lets Qt ask the next catalogue; "" would be taken as the translation.
        return OWN_WORDS.get((context, source))

    def isEmpty(self) -> bool:
        return False


def translations_folder() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.TranslationsPath))


def install_qt_chinese(app: QCoreApplication, folder: Path | None = None) -> list[QTranslator]:
    """Install every Chinese Qt catalogue found in `folder` (Qt's own by default), then the glossary's
    own words; the translators installed (a catalogue's file is its filePath())."""
    folder = folder or translations_folder()
    locale = QLocale(QLocale.Chinese, QLocale.China)
    QLocale.setDefault(locale)       # dates and sizes in Qt's views written the Chinese way
    installed: list[QTranslator] = []
    for name in CATALOGUES:
        translator = QTranslator(app)
        if translator.load(locale, name, "_", str(folder)):
            app.installTranslator(translator)
            installed.append(translator)
    own = OwnWords(app)
    app.installTranslator(own)       # installed last, so asked first
    installed.append(own)
    if isinstance(app, QApplication) and app.property("xinfang_file_dialog_fit") is None:
        app.setProperty("xinfang_file_dialog_fit", True)
        FileDialogFit(app)
    return installed


# Qt's own file dialog opens at about 620×430 with a 修改日期 column that cut "2026/12/6 23:28" down to
# "2026/1…": the dialog is made roomier and the column as wide as a date, once, when it first takes the
# keyboard (the static getOpenFileName & co. give no other hold on it).
FILE_DIALOG_SIZE = QSize(900, 560)
DATE_COLUMN = 3
WIDEST_DATE = "2026/12/31 23:59"


class FileDialogFit(QObject):
    """Sizes each of Qt's own file dialogs (not a native one: it has no tree view) when it first gets focus."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        dialog = new.window() if new is not None else None
        if isinstance(dialog, QFileDialog) and not dialog.property("xinfang_fitted"):
            dialog.setProperty("xinfang_fitted", True)
            fit_file_dialog(dialog)


def fit_file_dialog(dialog: QFileDialog) -> None:
    view = dialog.findChild(QTreeView, "treeView")
    if view is None:
        return
    screen = dialog.screen().availableGeometry() if dialog.screen() else None
    width, height = FILE_DIALOG_SIZE.width(), FILE_DIALOG_SIZE.height()
    if screen is not None:
        width, height = min(width, screen.width() - 40), min(height, screen.height() - 60)
    if dialog.width() < width or dialog.height() < height:
        dialog.resize(max(dialog.width(), width), max(dialog.height(), height))
        if screen is not None:
            frame = dialog.frameGeometry()
            frame.moveCenter(screen.center() if dialog.parentWidget() is None
                             else dialog.parentWidget().window().frameGeometry().center())
            dialog.move(frame.topLeft())
    header: QHeaderView = view.header()
    wanted = view.fontMetrics().horizontalAdvance(WIDEST_DATE) + 24
    if header.count() > DATE_COLUMN and header.sectionSize(DATE_COLUMN) < wanted:
        header.resizeSection(DATE_COLUMN, wanted)
