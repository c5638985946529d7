"""Fonts: registration, coverage checks and the fallback chain."""

from __future__ import annotations

import threading

import pytest

from xinfang_desktop.documents import fonts as fontmod
from xinfang_desktop.documents.fonts import (
    SHIPPED_SANS,
    SHIPPED_SERIF,
    covering_font,
    get_fonts,
    markup,
    missing_glyphs,
)

NOWHERE = "𪚥"  # U+2A6A5, CJK Ext. B: in none of the shipped fonts
SANS_ONLY = "㵘"  # U+3D58, CJK Ext. A: in Droid Sans Fallback, not in UMing


def test_get_fonts_is_registered_once_and_thread_safe():
    results = []
    threads = [threading.Thread(target=lambda: results.append(get_fonts())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r is results[0] for r in results)
    f = results[0]
    assert f.body and f.title and f.heading
    assert SHIPPED_SERIF in f.fallbacks and SHIPPED_SANS in f.fallbacks


def test_shipped_fonts_have_the_rare_name_characters(fonts):
    for ch in "䶮堃喆玥昇𠈌":
        assert covering_font(ch, fonts.chain(fonts.body)) is not None, ch


def test_missing_glyphs_uses_the_cmap_and_ignores_whitespace(fonts):
    assert missing_glyphs("张 三\n\t李四　", SHIPPED_SERIF) == []
    assert missing_glyphs(f"林{SANS_ONLY}{NOWHERE}{SANS_ONLY}", SHIPPED_SERIF) == [SANS_ONLY, NOWHERE]
    # Droid Sans Fallback has no Latin letters or digits and no Ext. B
    assert missing_glyphs("A1𠈌", SHIPPED_SANS) == ["A", "1", "𠈌"]


def test_missing_glyphs_unknown_font():
    with pytest.raises(KeyError):
        missing_glyphs("张", "No-Such-Font")


def test_markup_switches_runs_to_the_fallback_and_reports_what_no_font_has(fonts):
    text, missing = markup(f"林{SANS_ONLY}{SANS_ONLY}<&>{NOWHERE}", (SHIPPED_SERIF, SHIPPED_SANS))
    assert f'<font name="{SHIPPED_SANS}">{SANS_ONLY}{SANS_ONLY}</font>' in text
    assert "&lt;&amp;&gt;" in text
    assert NOWHERE in text  # kept in the text layer, not dropped
    assert missing == [NOWHERE]


def test_markup_sans_title_falls_back_to_serif_for_digits(fonts):
    text, missing = markup("第1页", (SHIPPED_SANS, SHIPPED_SERIF))
    assert f'<font name="{SHIPPED_SERIF}">1</font>' in text
    assert missing == []


def test_newlines_become_breaks(fonts):
    text, _ = markup("一\n二", (SHIPPED_SERIF,))
    assert text == "一<br/>二"


def test_windows_fonts_preferred_when_present(tmp_path, monkeypatch):
    """A Windows fonts folder is searched; a file that is not a usable TrueType font is skipped."""
    (tmp_path / "simfang.ttf").write_bytes(b"not a font")
    sources: list = []
    got = fontmod._first_available(fontmod._WINDOWS_BODY, [tmp_path], sources)
    assert got is None and sources == []



def test_windows_system_fonts_are_used_for_their_roles(tmp_path):
    droid = fontmod.resource("fonts", "DroidSansFallbackFull.ttf").read_bytes()
    (tmp_path / "simfang.ttf").write_bytes(droid)  # stand-ins: any TrueType font will do
    (tmp_path / "simhei.ttf").write_bytes(droid)
    fs = fontmod._register([tmp_path])
    assert (fs.body, fs.title, fs.heading) == ("XF-FangSong", "XF-SimHei", "XF-SimHei")
    assert fs.title_bold is False  # 黑体 is bold enough; 宋体 (no simsun.ttc here) would be emboldened
    assert fs.fallbacks[-2:] == (SHIPPED_SERIF, SHIPPED_SANS)
    assert ("XF-FangSong", "system font simfang.ttf") in fs.sources


def test_windows_songti_title_is_emboldened(tmp_path):
    droid = fontmod.resource("fonts", "DroidSansFallbackFull.ttf").read_bytes()
    (tmp_path / "simsun.ttc").write_bytes(droid)  # a stand-in for 宋体
    fs = fontmod._register([tmp_path])
    assert fs.title == "XF-SimSun" and fs.title_bold is True
    assert fs.body == SHIPPED_SERIF and fs.heading == SHIPPED_SANS  # no 仿宋 / 黑体 here
    assert fs.fallbacks == ("XF-SimSun", SHIPPED_SERIF, SHIPPED_SANS)
