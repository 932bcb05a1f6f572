"""The social image that link previews and schema:image show: drawn from the event's facts."""

from io import BytesIO

from PIL import Image

from publisher.represent.social_image import ACCENT, HEIGHT, INK, PAPER, WIDTH, social_image


def colours(png: bytes) -> dict[tuple, int]:
    image = Image.open(BytesIO(png)).convert("RGB")
    return {colour: count for count, colour in image.getcolors(maxcolors=WIDTH * HEIGHT)}


def test_the_image_is_a_1200_by_675_png_on_white_paper():
    png = social_image("MIEJSCA OTWARTE", "16–17 listopada 2017", "Warszawa, Białołęka")
    image = Image.open(BytesIO(png))
    assert image.format == "PNG" and image.size == (1200, 675)
    found = colours(png)
    assert max(found, key=found.get) == PAPER


def test_the_title_and_place_are_in_ink_and_the_dates_and_bar_in_the_accent_colour():
    found = colours(social_image("MIEJSCA OTWARTE", "16–17 listopada 2017", "Warszawa"))
    assert found.get(ACCENT, 0) >= WIDTH * 24  # the bar along the top, and the dates
    assert found.get(INK, 0) > 1000
    without_dates = colours(social_image("MIEJSCA OTWARTE", "", "Warszawa"))
    assert without_dates[ACCENT] < found[ACCENT]


def test_longer_text_draws_more_and_the_same_facts_give_the_same_bytes():
    short = social_image("A", "1", "B")
    assert short == social_image("A", "1", "B")
    assert colours(social_image("A much longer title of an event", "1", "B"))[PAPER] < colours(short)[PAPER]


def test_antialiased_edges_blend_each_text_into_its_own_ink_only():
    def blends(ink):
        return {tuple(round(p + (i - p) * level / 15) for p, i in zip(PAPER, ink)) for level in range(16)}

    only_dates = colours(social_image("", "16–17 listopada 2017", ""))
    assert set(only_dates) <= blends(ACCENT) and len(only_dates) > 8  # smooth edges, never in INK
    only_title = colours(social_image("MIEJSCA OTWARTE", "", "Warszawa"))
    assert set(only_title) - {ACCENT} <= blends(INK) and len(set(only_title) & blends(INK)) > 8


def test_a_long_title_gives_way_so_that_the_dates_and_place_stay_on_the_image():
    title = "A very long title of an event that keeps going and going over many words " * 3
    dates = "od poniedziałku 16 listopada 2017 r. do wtorku 17 listopada 2017 r., dwa dni obrad"
    place = "Biblioteka i dom kultury, ulica z bardzo długą nazwą 66, Warszawa, dzielnica Białołęka"
    image = Image.open(BytesIO(social_image(title, dates, place))).convert("RGB")
    bottom = image.crop((0, HEIGHT - 30, WIDTH, HEIGHT))
    assert bottom.getcolors() == [(WIDTH * 30, PAPER)]  # nothing cut off at the bottom edge
    place_rows = image.crop((0, 520, WIDTH, HEIGHT - 30)).getcolors(maxcolors=WIDTH * HEIGHT)
    assert dict((colour, count) for count, colour in place_rows).get(INK, 0) > 500  # its last line is drawn
