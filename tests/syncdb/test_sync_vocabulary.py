"""The 同步 page speaks the glossary's words (domain/glossary.py): at a township restored from backup and
at the city, with its dialogs open, nothing it shows uses a retired word (纪元, 签名公钥指纹, 隔离的记录…)
or Latin letters other than file types, units and keys."""

from __future__ import annotations

import re

import pytest

from tests.gui.visible_text import latin_words, texts
from xinfang_desktop.domain.glossary import retired_in

from .conftest import CITY, TOWNS, write_out
from .gui_helpers import sync_page

pytest.importorskip("PySide6")

# A 密钥核对码 is a code (groups of four hexadecimal digits), not words: its letters are allowed.
KEY_GROUP = re.compile(r"(?<![0-9A-Za-z])[0-9A-F]{4}(?![0-9A-Za-z])")


def problems(widget) -> list[str]:
    out = []
    for where, text in texts(widget):
        out += [f"{where}: “{text[:60]}” uses {word}" for word in retired_in(text)]
        latin = latin_words(KEY_GROUP.sub("", text))
        if latin:
            out.append(f"{where}: “{text[:60]}” has Latin {latin}")
    return sorted(set(out))


def dialogs(page) -> list:
    from xinfang_desktop.gui.pages.sync import EnrolDialog
    from xinfang_desktop.gui.sync_admin import FreezeDialog, RotateDialog, StartEpochDialog

    return [EnrolDialog(page), FreezeDialog("永福镇信访办", page), RotateDialog(page), StartEpochDialog(1, page)]


def test_a_restored_township_and_the_city_see_plain_words_on_the_sync_page(qtbot, offices, tmp_path):
    from xinfang_desktop.services.backup import BackupService

    town, city = offices[TOWNS[0]], offices[CITY]
    town.register()
    town.sync
    info = town.svc.get(BackupService).backup(town.admin, to=tmp_path / "backups")
    city.import_(write_out(town, tmp_path / "s1", town.export()))
    city.sync.authorise_epoch(city.admin, town.code, 2)
    town.sync
    town.svc.get(BackupService).restore(town.admin, info.path)
    town.sync.init_keys(town.admin, "passphrase-1")     # a key file, so the page shows its 密钥核对码

    page = sync_page(qtbot, town)
    page.show()
    assert not page.epoch_banner.isHidden()           # the restore banner is among what is read
    assert "轮编号" in page.unit_label.text() and "密钥核对码" in page.key_label.text()
    found = problems(page) + [p for d in dialogs(page) for p in problems(d)]
    assert not found, "\n".join(found)

    cpage = sync_page(qtbot, city)
    cpage.show()
    cpage.select_peer(town.code)
    assert "已授权第 2 轮编号" in cpage.registry.item(cpage.registry.currentRow(), 10).text()
    assert cpage.tabs.tabText(2) == "暂未导入的记录"
    found = problems(cpage)
    assert not found, "\n".join(found)
