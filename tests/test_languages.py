"""The site's languages are data: a site description that lists a third language (Ukrainian,
with a small catalogue of its own beside the description) gets every page, the feed, the
sitemap and the static export in it, with no change to the code; untranslated strings fall
back to English. A site may also have English as its default, with Polish under /pl/."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import ROOT, run_cli
from servers import publisher_server

EVENT = "event/miejsca-otwarte-2017"  # the home page's event: its pages' versions are the home pages
EDITION = "event/miejsca-otwarte-2021"
UKRAINIAN = {
    "Skip to content": "Перейти до змісту",
    "About the event": "Про подію",
    "SPARQL query": "Запит SPARQL",
    "Changes to the data: %(site)s": "Зміни в даних: %(site)s",
}
DESCRIBED_IN_UKRAINIAN = """
<> schema:name "MIEJSCA OTWARTE"@uk .
<dataset> dct:title "MIEJSCA OTWARTE — відкриті дані про конференцію"@uk ;
    dct:description "Конференція MIEJSCA OTWARTE як відкриті дані schema.org."@uk .
<catalog> dct:title "Каталог даних: MIEJSCA OTWARTE"@uk ;
    dct:description "Каталог відкритих даних про конференцію MIEJSCA OTWARTE (DCAT-AP 3.0)."@uk .
"""
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"


def site_description(folder, default: str, languages: str, extra: str = ""):
    """The shipped site description with another default language or list of languages."""
    text = (ROOT / "site" / "dataset.ttl").read_text(encoding="utf-8")
    text = text.replace('schema:inLanguage "pl" ;', f'schema:inLanguage "{default}" ;')
    text = text.replace('schema:availableLanguage "pl" , "en" ;', f"schema:availableLanguage {languages} ;")
    path = folder / "site.ttl"
    path.write_text(text + extra, encoding="utf-8")
    return path


def write_catalogue(folder, lang: str, messages: dict[str, str]) -> None:
    po = folder / "translations" / lang / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    entries = "".join(f'\nmsgid "{source}"\nmsgstr "{translated}"\n' for source, translated in messages.items())
    po.write_text(f'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
                  + entries, encoding="utf-8")


@pytest.fixture(scope="module")
def three_languages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("three")
    write_catalogue(folder, "uk", UKRAINIAN)
    return site_description(folder, "pl", '"pl" , "en" , "uk"', DESCRIBED_IN_UKRAINIAN)


@pytest.fixture(scope="module")
def served(three_languages):
    with publisher_server("--site-description", str(three_languages), "--workers", "1") as base:
        yield base


def page(base: str, path: str) -> str:
    response = requests.get(base + path, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, path
    return response.text


def hreflangs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_ukrainian_pages_are_served_under_uk_in_ukrainian(served):
    home, event = page(served, "uk/"), page(served, f"uk/{EVENT}")
    for html in (home, event):
        assert '<html lang="uk">' in html
        assert "Перейти до змісту" in html and ">Про подію<" in html
        # Not in the tiny catalogue: gettext falls back to the English message id.
        assert "This page is generated from linked open data." in html
    assert "листопада 2017" in event  # dates in the Ukrainian locale (Babel)
    # The data has no Ukrainian names: the site's default language's, not just any.
    assert "<h1>MIEJSCA OTWARTE. Przestrzeń spotkań sąsiedzkich" in event
    assert "Białołęcki Ośrodek Kultury" in event and "Białołęka Cultural Centre" not in event
    assert "<title>Запит SPARQL — MIEJSCA OTWARTE</title>" in page(served, "uk/sparql")


def test_every_page_links_its_versions_in_all_three_languages(served):
    for lang, prefix in (("pl", ""), ("en", "en/"), ("uk", "uk/")):
        for path in ("", EDITION, "catalog", "sparql"):
            html = page(served, prefix + path)
            assert hreflangs(html) == {"pl": served + path, "en": served + "en/" + path,
                                       "uk": served + "uk/" + path, "x-default": served + path}, prefix + path
            switcher = re.search(r'<ul class="languages">(.*?)</ul>', html, re.S).group(1)
            assert re.findall(r'<a href="[^"]+"[^>]* lang="([a-z]+)">', switcher) == ["pl", "en", "uk"]
            assert "українська" in switcher and "polski" in switcher and "English" in switcher
            assert f'<a href="{served + prefix + path}" aria-current="page" lang="{lang}">' in switcher


def test_the_sitemap_lists_every_page_in_three_languages(served):
    sitemap = ET.fromstring(requests.get(served + "sitemap.xml", timeout=30).content)
    entries = sitemap.findall(f"{SITEMAP}url")
    locations = {entry.find(f"{SITEMAP}loc").text for entry in entries}
    assert {served, served + "en/", served + "uk/", served + EDITION, served + "uk/" + EDITION} <= locations
    for entry in entries:
        langs = [link.get("hreflang") for link in entry.findall(f"{XHTML}link")]
        assert langs == ["pl", "en", "uk", "x-default"]
    assert "Disallow: /uk/sparql?" in requests.get(served + "robots.txt", timeout=30).text


def test_the_feed_is_in_ukrainian_under_uk(served):
    response = requests.get(served + "uk/changes.atom", timeout=30)
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "uk"
    assert feed.find(f"{ATOM}title").text == "Зміни в даних: MIEJSCA OTWARTE"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == served + "uk/changes.atom"
    assert feed.find(f"{ATOM}id").text == served + "changes.atom"  # one feed, whatever its language


def test_a_language_the_site_does_not_list_is_no_prefix(served):
    assert requests.get(served + f"de/{EVENT}", timeout=30).status_code == 404
    assert requests.get(served + "uk", allow_redirects=False, timeout=30).headers["Location"] == served + "uk/"


@pytest.mark.slow  # a build
def test_the_static_export_has_the_third_language(three_languages, tmp_path):
    built = run_cli("build", "--base-url", "http://127.0.0.1:8000/", "--site-description", str(three_languages),
                    str(tmp_path))
    assert built.returncode == 0, built.stderr
    public = tmp_path / "public"
    for path in ("uk/index.html", f"uk/{EVENT}.html", f"uk/{EVENT}.ics", "uk/changes.atom", "_errors/uk/404.html"):
        assert (public / path).exists(), path
    assert '<html lang="uk">' in (public / "uk" / f"{EVENT}.html").read_text(encoding="utf-8")
    server = (tmp_path / "nginx" / "server.conf").read_text(encoding="utf-8")
    assert "location /uk/ {" in server and "location = /uk/changes.atom {" in server
    assert 'var OTHER_LANGS = ["en", "uk"];' in (tmp_path / "nginx" / "negotiate.js").read_text(encoding="utf-8")


def test_a_language_without_a_catalogue_is_refused_clearly(tmp_path):
    site = site_description(tmp_path, "pl", '"pl" , "en" , "uk"', DESCRIBED_IN_UKRAINIAN)
    checked = run_cli("build", "--base-url", "http://127.0.0.1:8000/", "--site-description", str(site),
                      str(tmp_path / "out"))
    assert checked.returncode != 0
    assert "'uk' has no catalogue of translated strings" in checked.stderr + checked.stdout


@pytest.mark.slow  # a real serve of its own
def test_english_may_be_the_default_with_polish_under_pl(tmp_path):
    site = site_description(tmp_path, "en", '"en" , "pl"')
    with publisher_server("--site-description", str(site), "--workers", "1") as base:
        home, polish = page(base, ""), page(base, "pl/" + EDITION)
        assert '<html lang="en">' in home and "Skip to content" in home
        assert '<html lang="pl">' in polish and "Przejdź do treści" in polish
        assert hreflangs(polish) == {"en": base + EDITION, "pl": base + "pl/" + EDITION, "x-default": base + EDITION}
        assert requests.get(base + "en/" + EVENT, timeout=30).status_code == 404
        data = requests.get(base + EVENT, headers={"Accept": "text/turtle"}, timeout=30)
        assert data.status_code == 200 and data.headers["Content-Type"].startswith("text/turtle")
        assert requests.get(base + "pl/changes.atom", timeout=30).status_code == 200
