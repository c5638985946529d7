"""Draw the program icon: xinfang_desktop/resources/icons/xinfang-<size>.png and the multi-size xinfang.ico.

    .venv/bin/python scripts/make_icons.py

A red rounded square with a white letter sheet and the character 访, drawn at 1024 px and scaled
down for each size (Pillow comes with reportlab). The character is taken from the bundled Droid
Sans Fallback font (Apache 2.0, xinfang_desktop/resources/fonts/). Run it again after changing the drawing; the
outputs are committed so a build needs no drawing step."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "xinfang_desktop" / "resources" / "icons"
FONT = ROOT / "xinfang_desktop" / "resources" / "fonts" / "DroidSansFallbackFull.ttf"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)   # what Windows asks for: lists, taskbar, Explorer, 程序和功能
BIG = 1024
RED_TOP, RED_BOTTOM = (214, 48, 39), (153, 27, 27)
GOLD = (246, 196, 70)


def _gradient_square() -> Image.Image:
    """The red rounded square, lit from the top."""
    fill = Image.new("RGBA", (BIG, BIG))
    draw = ImageDraw.Draw(fill)
    for y in range(BIG):
        t = y / (BIG - 1)
        draw.line([(0, y), (BIG, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(RED_TOP, RED_BOTTOM)))
    mask = Image.new("L", (BIG, BIG), 0)
    margin = BIG * 0.04
    ImageDraw.Draw(mask).rounded_rectangle([margin, margin, BIG - margin, BIG - margin], radius=BIG * 0.2, fill=255)
    out = Image.new("RGBA", (BIG, BIG), (0, 0, 0, 0))
    out.paste(fill, (0, 0), mask)
    return out


def draw(detail: bool = True) -> Image.Image:
    """The icon at 1024 px. Without `detail` (16 and 24 px) only the sheet and a bold 访 remain."""
    img = _gradient_square()
    draw = ImageDraw.Draw(img)
    # the letter sheet, with its folded corner in gold
    left, top, right, bottom = BIG * 0.2, BIG * 0.16, BIG * 0.8, BIG * 0.84
    fold = BIG * 0.14
    draw.polygon([(left, top), (right - fold, top), (right, top + fold), (right, bottom), (left, bottom)],
                 fill=(255, 255, 255))
    draw.polygon([(right - fold, top), (right - fold, top + fold), (right, top + fold)], fill=GOLD)
    # the character, emboldened with a stroke of its own colour so it survives scaling down
    size = BIG * (0.42 if detail else 0.56)
    font = ImageFont.truetype(str(FONT), int(size))
    stroke = int(BIG * (0.012 if detail else 0.03))
    cx, cy = (left + right) / 2, (top + bottom) / 2 - (BIG * 0.06 if detail else 0)
    draw.text((cx, cy), "访", font=font, fill=RED_BOTTOM, anchor="mm", stroke_width=stroke, stroke_fill=RED_BOTTOM)
    if detail:
        # two ruled lines under it: a written petition
        for i, y in enumerate((bottom - BIG * 0.115, bottom - BIG * 0.07)):
            x0, x1 = left + BIG * 0.08, right - BIG * (0.08 if i == 0 else 0.2)
            draw.rounded_rectangle([x0, y - BIG * 0.012, x1, y + BIG * 0.012], radius=BIG * 0.012, fill=GOLD)
    return img


def render(size: int) -> Image.Image:
    return draw(detail=size >= 32).resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    images = {size: render(size) for size in sorted(set(PNG_SIZES) | set(ICO_SIZES))}
    for size in PNG_SIZES:
        images[size].save(OUT / f"xinfang-{size}.png", optimize=True)
    # Pillow writes one entry per size from the largest image; give it each drawn size instead
    largest = images[max(ICO_SIZES)]
    largest.save(OUT / "xinfang.ico", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    print(f"icons written to {OUT.relative_to(ROOT)}: {', '.join(map(str, PNG_SIZES))} px and xinfang.ico")


if __name__ == "__main__":
    main()
