"""The 1200×630 social image (OpenGraph, Twitter, schema:image), drawn from the facts.

Pillow draws it; text uses DejaVu (Debian fonts-dejavu-core: full Polish coverage) when present,
else Pillow's bundled font.

The image has two inks on white paper. Each ink is drawn as a grey-level mask and the two are
written as one palette image with SHADES levels of each ink: PNG-encoding a palette image takes
~2 ms where the RGB image took ~13 ms, which mattered for an export with an image per event and
language (the antialiasing keeps 16 levels, which the eye does not tell from 256).
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
INK, PAPER, ACCENT = (26, 26, 26), (255, 255, 255), (11, 83, 148)
SHADES = 16  # palette entries per ink: 0 is paper, SHADES - 1 the full ink


@lru_cache(maxsize=4)  # loading a font file costs more than drawing a line with it
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return ImageFont.truetype(str(directory / name), size)
    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _palette() -> list[int]:
    """Entries 0..SHADES-1 blend paper into INK, SHADES..2*SHADES-1 paper into ACCENT."""
    entries = []
    for ink in (INK, ACCENT):
        for level in range(SHADES):
            weight = level / (SHADES - 1)
            entries += [round(p + (i - p) * weight) for p, i in zip(PAPER, ink)]
    return entries


def social_image(title: str, dates: str, place: str) -> bytes:
    ink, accent = Image.new("L", (WIDTH, HEIGHT), 0), Image.new("L", (WIDTH, HEIGHT), 0)
    draw_ink, draw_accent = ImageDraw.Draw(ink), ImageDraw.Draw(accent)
    draw_accent.rectangle([0, 0, WIDTH, 24], fill=255)
    margin, y = 72, 96
    title_font = _font(True, 64)
    for line in _wrap(draw_ink, title, title_font, WIDTH - 2 * margin)[:4]:
        draw_ink.text((margin, y), line, font=title_font, fill=255)
        y += 80
    y += 24
    detail_font = _font(False, 40)
    for text, draw in ((dates, draw_accent), (place, draw_ink)):
        for line in _wrap(draw, text, detail_font, WIDTH - 2 * margin)[:2]:
            draw.text((margin, y), line, font=detail_font, fill=255)
            y += 52
    # Mask levels to palette indices; the inks never overlap, so the larger index is the pixel's.
    step = 256 // SHADES
    ink_index = ink.point([level // step for level in range(256)])
    accent_index = accent.point([SHADES + level // step if level >= step else 0 for level in range(256)])
    image = Image.frombytes("P", (WIDTH, HEIGHT), ImageChops.lighter(ink_index, accent_index).tobytes())
    image.putpalette(_palette())
    out = BytesIO()
    # Level 1 takes two thirds of level 6's time for files ~15 % larger; optimize=True costs
    # ~40 ms an image for a few kB: too slow for an export of thousands.
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()
