"""The 1200×630 social image (OpenGraph, Twitter, schema:image), drawn from the facts.

Pillow draws it; text uses DejaVu (Debian fonts-dejavu-core: full Polish coverage) when present,
else Pillow's bundled font.

The image has two inks on white paper and is drawn straight as palette indices: text drawn with
grey level SHADES - 1 on black antialiases through levels 0..SHADES - 1, which are the palette's
blends of paper into INK; the band of the dates is then moved to the entries that blend into
ACCENT. PNG-encoding a palette image takes ~2 ms where the RGB image took ~13 ms, which matters
for an export with an image per event and language (16 levels of antialiasing look as smooth
as 256).
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

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
    canvas = Image.new("L", (WIDTH, HEIGHT), 0)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([0, 0, WIDTH, 24], fill=2 * SHADES - 1)  # the bar, in full accent
    margin, y = 72, 96
    title_font = _font(True, 64)
    for line in _wrap(draw, title, title_font, WIDTH - 2 * margin)[:4]:
        draw.text((margin, y), line, font=title_font, fill=SHADES - 1)
        y += 80
    y += 24
    detail_font = _font(False, 40)
    for text, accent in ((dates, True), (place, False)):
        top = y
        for line in _wrap(draw, text, detail_font, WIDTH - 2 * margin)[:2]:
            draw.text((margin, y), line, font=detail_font, fill=SHADES - 1)
            y += 52
        if accent and y > top:  # 52 px a line holds a 40 px line's descenders
            band = (0, top, WIDTH, y)
            canvas.paste(canvas.crop(band).point([SHADES + level if level else 0 for level in range(256)]), band)
    canvas.putpalette(_palette())  # the grey levels are the palette's indices: now a "P" image
    out = BytesIO()
    # Level 1 takes two thirds of level 6's time for files ~15 % larger; optimize=True costs
    # ~40 ms an image for a few kB: too slow for an export of thousands.
    canvas.save(out, format="PNG", compress_level=1)
    return out.getvalue()
