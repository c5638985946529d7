"""CJK fonts for printed documents: which ones, registered once, and which characters they lack.

On Windows the system fonts of an office PC are preferred when present (仿宋 for the body,
方正小标宋 or else 宋体 emboldened for titles, 黑体 for headings, 宋体 and 宋体-ExtB as
fallbacks; looked up in ``%WINDIR%\\Fonts`` and the user's own fonts folder); everywhere the
fonts shipped in ``resources/fonts`` are registered too and used as the last fallbacks:

* AR PL UMing CN (``uming.ttc``, face 0): a serif 明体, TrueType outlines, Arphic Public License;
  it also covers 1,790 characters of CJK Extension B. Used for the body and, emboldened, for
  titles (小标宋-like).
* Droid Sans Fallback Full (``DroidSansFallbackFull.ttf``): a sans (黑体-like) face, Apache-2.0;
  it covers about 8,000 CJK characters (mostly Extension A) that UMing lacks, but no Latin.
  Used for headings and table labels (黑体-like).

reportlab silently drops a character that the font lacks. So text is never handed to reportlab
directly: :func:`markup` escapes it, switches every run of characters the primary font lacks to
the first fallback font that has them (``<font name=...>``), and returns the characters that no
font has, so that the document can report them by field.

Registration is lazy, happens once per process and is guarded by a lock.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from xinfang_desktop.paths import resource

__all__ = [
    "FontSet",
    "get_fonts",
    "missing_glyphs",
    "covering_font",
    "markup",
    "SHIPPED_SERIF",
    "SHIPPED_SANS",
]

# Names under which the shipped fonts are registered with reportlab.
SHIPPED_SERIF = "XF-UMingCN"
SHIPPED_SANS = "XF-DroidSansFallback"

_SHIPPED = (
    # (reportlab name, file in resources/fonts, face index in a collection)
    (SHIPPED_SERIF, "uming.ttc", 0),
    (SHIPPED_SANS, "DroidSansFallbackFull.ttf", 0),
)

# Windows system fonts, by role, best first: (reportlab name, file names, face index).
_WINDOWS_BODY = (
    # 仿宋_GB2312, common on government PCs
    ("XF-FangSongGB2312", ("FS_GB2312.ttf", "仿宋_GB2312.ttf"), 0),
    ("XF-FangSong", ("simfang.ttf",), 0),  # 仿宋
)
# Titles: 方正小标宋 when installed; else 宋体 emboldened (小标宋-like, as the shipped serif is);
# else 黑体. The names in _REGULAR_TITLES are regular weights that the documents embolden.
_WINDOWS_TITLE = (
    ("XF-FZXiaoBiaoSong", ("FZXBSJW.TTF", "方正小标宋简体.ttf"), 0),  # 方正小标宋简体, when installed
    ("XF-SimSun", ("simsun.ttc",), 0),  # 宋体
    ("XF-SimHei", ("simhei.ttf",), 0),  # 黑体
)
_REGULAR_TITLES = {"XF-SimSun", SHIPPED_SERIF}
_WINDOWS_HEADING = (("XF-SimHei", ("simhei.ttf",), 0),)
_WINDOWS_FALLBACK = (
    ("XF-SimSun", ("simsun.ttc",), 0),  # 宋体
    ("XF-SimSunExtB", ("simsunb.ttf",), 0),  # 宋体-ExtB: CJK Extension B
)


@dataclass(frozen=True)
class FontSet:
    """The reportlab font names a document uses.

    ``body`` for running text, ``title`` for the document title, ``heading`` for section headings
    (一、二、…) and table labels; ``title_bold`` says the title face is a regular weight that the
    documents embolden (a 小标宋 title is bold); ``fallbacks`` are tried in order for any character the chosen font
    lacks. ``sources`` describes where each font came from (for an About box or a log line).
    """

    body: str
    title: str
    heading: str
    fallbacks: tuple[str, ...]
    title_bold: bool = False  # the title face is a regular weight: embolden it when drawing
    sources: tuple[tuple[str, str], ...] = ()

    def chain(self, primary: str) -> tuple[str, ...]:
        """``primary`` followed by the fallbacks, without repeats."""
        return (primary, *(f for f in self.fallbacks if f != primary))


def _to_unicode_cmap(fontname, subset):
    """reportlab's ToUnicode CMap writes a code point beyond U+FFFF (CJK Ext. B, e.g. 𠈌) as 5 hex
    digits, which PDF readers reject, so such a character cannot be searched or copied. The same
    CMap with those written as UTF-16BE surrogate pairs, as the PDF specification asks."""

    def utf16(v: int) -> str:
        if v <= 0xFFFF:
            return "%04X" % v
        v -= 0x10000
        return "%04X%04X" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))

    return "\n".join([
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname,
        "/Ordering (%s)" % fontname,
        "/Supplement 0",
        ">> def",
        "/CMapName /%s def" % fontname,
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
        "%d beginbfchar" % len(subset),
        *["<%02X> <%s>" % (i, utf16(v)) for i, v in enumerate(subset)],
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ])


ttfonts.makeToUnicodeCMap = _to_unicode_cmap

_lock = threading.Lock()
_fonts: FontSet | None = None
_cmaps: dict[str, dict[int, int]] = {}


def get_fonts() -> FontSet:
    """Register the fonts (first call only; thread-safe) and return the set in use."""
    global _fonts
    fonts = _fonts
    if fonts is not None:
        return fonts
    with _lock:
        if _fonts is None:
            _fonts = _register(_windows_font_dirs() if sys.platform == "win32" else ())
        return _fonts


def _windows_font_dirs() -> list[Path]:
    dirs = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:  # fonts installed for the current user only (Windows 10 1809 and later)
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def _try_register(name: str, path: Path, index: int) -> bool:
    if name in _cmaps:
        return True
    try:
        font = TTFont(name, str(path), subfontIndex=index)
    except (TTFError, OSError, ValueError, KeyError, IndexError, AssertionError):
        # CFF outlines, no embedding permission, damaged file: not usable, try the next one.
        return False
    pdfmetrics.registerFont(font)
    _cmaps[name] = font.face.charToGlyph
    return True


def _first_available(candidates, dirs: Sequence[Path], sources: list) -> str | None:
    for name, files, index in candidates:
        for d in dirs:
            for fname in files:
                path = d / fname
                if path.is_file() and _try_register(name, path, index):
                    sources.append((name, f"system font {fname}"))
                    return name
    return None


def _register(system_dirs: Sequence[Path]) -> FontSet:
    sources: list[tuple[str, str]] = []
    for name, fname, index in _SHIPPED:
        path = resource("fonts", fname)
        if not _try_register(name, path, index):
            raise RuntimeError(f"shipped font resources/fonts/{fname} cannot be loaded")
        sources.append((name, f"shipped font {fname}"))

    body = title = heading = None
    fallbacks: list[str] = []
    if system_dirs:
        body = _first_available(_WINDOWS_BODY, system_dirs, sources)
        title = _first_available(_WINDOWS_TITLE, system_dirs, sources)
        heading = _first_available(_WINDOWS_HEADING, system_dirs, sources)
        for cand in _WINDOWS_FALLBACK:
            got = _first_available((cand,), system_dirs, sources)
            if got:
                fallbacks.append(got)
    # The shipped serif has Latin, digits and CJK punctuation; the shipped sans has more CJK.
    fallbacks += [SHIPPED_SERIF, SHIPPED_SANS]
    return FontSet(
        body=body or SHIPPED_SERIF,
        title=title or SHIPPED_SERIF,
        heading=heading or SHIPPED_SANS,
        title_bold=(title or SHIPPED_SERIF) in _REGULAR_TITLES,
        fallbacks=tuple(fallbacks),
        sources=tuple(dict.fromkeys(sources)),
    )


def _cmap(font_name: str) -> dict[int, int]:
    cmap = _cmaps.get(font_name)
    if cmap is None:
        font = pdfmetrics.getFont(font_name)  # raises KeyError for an unknown name
        face = getattr(font, "face", None)
        if face is None or not hasattr(face, "charToGlyph"):
            raise ValueError(f"{font_name} is not a TrueType font")
        cmap = _cmaps[font_name] = face.charToGlyph
    return cmap


def missing_glyphs(text: str, font_name: str) -> list[str]:
    """The distinct characters of ``text`` that ``font_name`` has no glyph for, in order of first
    appearance. Whitespace (spaces, tabs, newlines) is ignored."""
    cmap = _cmap(font_name)
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in seen and not ch.isspace() and ord(ch) not in cmap:
            seen[ch] = None
    return list(seen)


def covering_font(ch: str, fonts: Iterable[str]) -> str | None:
    """The first of ``fonts`` that has a glyph for ``ch``, or None."""
    code = ord(ch)
    for name in fonts:
        if code in _cmap(name):
            return name
    return None


def markup(text: str, chain: Sequence[str]) -> tuple[str, list[str]]:
    """Paragraph markup for ``text`` set in ``chain[0]``, with ``<font name=...>`` runs for the
    characters only a fallback (``chain[1:]``) has, and line breaks as ``<br/>``.

    Returns ``(markup, missing)``: ``missing`` lists the distinct characters no font of the chain
    has (they stay in the text, so nothing is lost from the text layer, but print as blanks or
    boxes and must be reported).
    """
    primary = chain[0]
    cmaps = [_cmap(n) for n in chain]
    first = cmaps[0]
    out: list[str] = []
    missing: dict[str, None] = {}
    run: list[str] = []
    run_font = primary

    def flush():
        if run:
            s = escape("".join(run)).replace("\n", "<br/>")
            out.append(s if run_font == primary else f'<font name="{run_font}">{s}</font>')
            run.clear()

    for ch in text:
        code = ord(ch)
        if code in first or ch.isspace():
            font = primary
        else:
            font = primary
            for name, cmap in zip(chain[1:], cmaps[1:]):
                if code in cmap:
                    font = name
                    break
            else:
                missing[ch] = None
        if font != run_font:
            flush()
            run_font = font
        run.append(ch)
    flush()
    return "".join(out), list(missing)
