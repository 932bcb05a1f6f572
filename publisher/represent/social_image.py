"""The 1200×675 social image (OpenGraph, Twitter, schema:image), drawn from the facts.

16:9, one of the three ratios Google's Event documentation lists for `image` (1.91:1, the
usual OpenGraph size, is none of them); link previews show 16:9 whole or crop its edges.

One image an event, not one a language: its text (the event's name, dates, place and status)
is written in the site's default language, and every language's page points to it. The
picture is what link previews show beside the page's own title and description, which are
in the reader's language; an image per language doubled the export's costliest document
(a third of a 10,000-event build's CPU) for text most readers see only as a thumbnail.

Pillow draws it; text uses DejaVu (Debian fonts-dejavu-core: full Polish coverage) when present,
else Pillow's bundled font.

The image has two inks on white paper and is drawn straight as palette indices: text drawn with
grey level SHADES - 1 on black antialiases through levels 0..SHADES - 1, which are the palette's
blends of paper into INK; the band of the dates is then moved to the entries that blend into
ACCENT. PNG-encoding a palette image takes ~2 ms where the RGB image took ~13 ms, which matters
for an export with an image per event (16 levels of antialiasing look as smooth
as 256).
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 675
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


def _shortened(draw: ImageDraw.ImageDraw, lines: list[str], most: int, font, width: int) -> list[str]:
    """At most `most` lines; a cut title ends in an ellipsis (the page and alt text have it whole)."""
    if len(lines) <= most:
        return lines
    last = lines[most - 1]
    while " " in last and draw.textlength(last + " …", font=font) > width:
        last = last.rsplit(" ", 1)[0]
    return lines[:most - 1] + [last + " …"]


TOP, BOTTOM, TITLE_LINE, GAP, DETAIL_LINE = 96, 40, 80, 24, 52  # px; 52 holds a 40 px line's descenders
_TO_ACCENT = [SHADES + level if level else 0 for level in range(256)]  # an ink shade → the same accent shade


def social_image(title: str, dates: str, place: str) -> bytes:
    canvas = Image.new("L", (WIDTH, HEIGHT), 0)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([0, 0, WIDTH, 24], fill=2 * SHADES - 1)  # the bar, in full accent
    margin = 72
    width = WIDTH - 2 * margin
    title_font, detail_font = _font(True, 64), _font(False, 40)
    details = [(_wrap(draw, dates, detail_font, width)[:2], True), (_wrap(draw, place, detail_font, width)[:2], False)]
    # The title gives way to the dates and place: all of them stay above the bottom margin.
    room = HEIGHT - BOTTOM - TOP - GAP - DETAIL_LINE * sum(len(lines) for lines, _ in details)
    y = TOP
    for line in _shortened(draw, _wrap(draw, title, title_font, width), min(4, room // TITLE_LINE), title_font, width):
        draw.text((margin, y), line, font=title_font, fill=SHADES - 1)
        y += TITLE_LINE
    y += GAP
    for lines, accent in details:
        top = y
        for line in lines:
            draw.text((margin, y), line, font=detail_font, fill=SHADES - 1)
            y += DETAIL_LINE
        if accent and y > top:
            band = (0, top, WIDTH, y)
            canvas.paste(canvas.crop(band).point(_TO_ACCENT), band)
    canvas.putpalette(_palette())  # the grey levels are the palette's indices: now a "P" image
    out = BytesIO()
    # Level 1 takes two thirds of level 6's time for files ~15 % larger; optimize=True costs
    # ~40 ms an image for a few kB: too slow for an export of thousands.
    canvas.save(out, format="PNG", compress_level=1)
    return out.getvalue()
