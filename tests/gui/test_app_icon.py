"""One icon everywhere: the window, the exe and the installer (Windows), the desktop entry (Linux)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from xinfang_desktop.paths import resource

ICONS = resource("icons")
ICO_SIZES = {16, 24, 32, 48, 64, 128, 256}


def test_every_size_is_drawn():
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        with Image.open(ICONS / f"xinfang-{size}.png") as png:
            assert png.size == (size, size) and png.mode == "RGBA"
            # a transparent corner (rounded square) and an opaque middle
            assert png.getpixel((0, 0))[3] < 32 and png.getpixel((size // 2, size // 2))[3] == 255


def test_the_windows_icon_holds_the_sizes_explorer_and_the_taskbar_ask_for():
    with Image.open(ICONS / "xinfang.ico") as ico:
        assert {w for w, _h in ico.info["sizes"]} == ICO_SIZES


def test_the_window_carries_the_icon(qapp):
    from xinfang_desktop.gui.app import make_app

    app = make_app(["xinfang-desktop"])
    sizes = {s.width() for s in app.windowIcon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
    assert app.desktopFileName() == "xinfang-desktop"


def test_the_builds_use_it():
    root = Path(__file__).resolve().parents[2]
    spec = (root / "installer" / "xinfang.spec").read_text(encoding="utf-8")
    iss = (root / "installer" / "xinfang.iss").read_text(encoding="utf-8")
    assert spec.count("icon=ICON") == 2 and '"xinfang.ico"' in spec
    assert "SetupIconFile=..\\xinfang_desktop\\resources\\icons\\xinfang.ico" in iss
