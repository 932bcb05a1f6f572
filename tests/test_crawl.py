"""A crawler walks every page of the sitemap, as a search engine would, on the real data and on
the small synthetic city, from the app and from nginx over the export.

Every page: 200, compressed when asked, a title unique in its language, a meta description, a
canonical link to itself and its hreflang alternates; every link on it answers 2xx or 3xx; its
Event JSON-LD has what Google requires and says nothing the page does not show. Nu checks
every page of the real data and a sample of the city's. axe (WCAG 2.2 AA) and a reflow check run
in Chromium at 320 and 1280 px on one page of each kind in each language (the full walk would
take many minutes: a kind is a path's first segment and depth, so every template and data
shape is met).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import pytest
import requests

from nu import assert_valid_html

TIMEOUT = 30


@dataclass
class Page:
    url: str  # as the sitemap names it (the IRI side)
    lang: str
    title: str
    description: str | None
    canonical: str | None
    alternates: dict[str, str]
    links: set[str]
    events: list[dict]
    text: str
    html: bytes = field(repr=False)


def sitemap_pages(fetch_base: str, iri_base: str) -> list[str]:
    index = requests.get(fetch_base + "sitemap.xml", timeout=TIMEOUT).text
    files = re.findall(r"<loc>([^<]+\.xml)</loc>", index) if "<sitemapindex" in index else []
    bodies = [requests.get(f.replace(iri_base, fetch_base), timeout=TIMEOUT).text for f in files] or [index]
    return sorted({loc for body in bodies for loc in re.findall(r"<loc>([^<]+)</loc>", body)})


def where(url: str, fetch_base: str, iri_base: str, app: str | None) -> str:
    """Where to ask for `url`: the export names the app's query page, which nginx passes to the
    app in production (docs/static-export.md); here the test asks the app itself."""
    path = url[len(iri_base):]
    return (app or fetch_base) + path if re.fullmatch(r"(en/)?sparql([?].*)?", path) else fetch_base + path


def read_page(url: str, fetch_base: str, iri_base: str, app: str | None = None) -> Page:
    response = requests.get(where(url, fetch_base, iri_base, app), timeout=TIMEOUT,
                            headers={"Accept": "text/html", "Accept-Encoding": "gzip"})
    assert response.status_code == 200, url
    assert response.headers.get("Content-Encoding") == "gzip", (url, "not compressed when asked")
    tree = lxml.html.fromstring(response.content)
    head = tree.find("head")
    meta = head.xpath('meta[@name="description"]/@content')
    canonical = head.xpath('link[@rel="canonical"]/@href')
    alternates = {link.get("hreflang"): link.get("href") for link in head.xpath('link[@rel="alternate"][@hreflang]')}
    links = {re.sub(r"#.*", "", href) for href in tree.xpath("//a/@href | //link/@href | //img/@src | //form/@action")}
    events = []
    for block in tree.xpath('//script[@type="application/ld+json"]/text()'):
        data = json.loads(block)
        events += [data] if data.get("@type") == "Event" else []
    for script in tree.xpath("//script | //style | //head"):
        script.drop_tree()
    return Page(url, tree.get("lang"), _title(response.content),
                meta[0] if meta else None, canonical[0] if canonical else None, alternates,
                {link for link in links if link}, events, " ".join(tree.text_content().split()), response.content)


def _title(body: bytes) -> str:
    found = re.search(rb"<title>(.*?)</title>", body, re.S)
    return lxml.html.fromstring(found.group(1).decode("utf-8")).text_content().strip() if found and found.group(1).strip() else ""


def crawl(fetch_base: str, iri_base: str, app: str | None) -> list[Page]:
    urls = sitemap_pages(fetch_base, iri_base)
    assert len(urls) > 100
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda url: read_page(url, fetch_base, iri_base, app), urls))


def shown(page: Page, value: str) -> bool:
    return " ".join(str(value).split()) in page.text


def event_problems(page: Page) -> list[str]:
    """What Google requires of an Event, and each marked-up name and description on the page."""
    problems = []
    for event in page.events:
        locations = event.get("location")
        locations = locations if isinstance(locations, list) else [locations] if locations else []
        if not (event.get("name") and event.get("startDate") and locations):
            problems.append(f"{page.url}: name, startDate and location are required")
        for place in locations:
            if "address" not in place and not (place["@type"] == "VirtualLocation" and "url" in place):
                problems.append(f"{page.url}: {place.get('@id')} has neither an address nor a url")
        named = [event] + locations + event.get("organizer", []) + event.get("performer", [])
        named += [feature for place in locations for feature in place.get("amenityFeature", [])]
        for role in event.get("contributor", []) + event.get("sponsor", []):
            named += [role.get("contributor") or role.get("sponsor")]
        for item in named:
            if not shown(page, item["name"]):
                problems.append(f"{page.url}: marked up but not shown: {item['name']!r}")
        if event.get("description") and not shown(page, event["description"]):
            problems.append(f"{page.url}: its description is marked up but not shown")
    return problems


def check_site(fetch_base: str, iri_base: str, app: str | None = None) -> list[Page]:
    pages = crawl(fetch_base, iri_base, app)
    problems = []
    for lang in {page.lang for page in pages}:
        titles = Counter(page.title for page in pages if page.lang == lang)
        problems += [f"{count} pages titled {title!r} ({lang})" for title, count in titles.items() if count > 1]
    for page in pages:
        if not page.title or not page.description:
            problems.append(f"{page.url}: no title or meta description")
        if page.canonical != page.url:
            problems.append(f"{page.url}: canonical {page.canonical}")
        if {"pl", "en", "x-default"} - set(page.alternates) or page.alternates.get(page.lang) != page.url:
            problems.append(f"{page.url}: hreflang {page.alternates}")
        problems += event_problems(page)
    local = sorted({link for page in pages for link in page.links if link.startswith(iri_base)})

    def status(link: str) -> tuple[str, int]:
        response = requests.get(where(link, fetch_base, iri_base, app), timeout=TIMEOUT, allow_redirects=False,
                                headers={"Accept": "text/html"}, stream=True)
        response.close()
        return link, response.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        problems += [f"link {link}: {code}" for link, code in pool.map(status, local) if code >= 400]
    assert problems == [], "\n".join(problems[:40])
    assert sum(len(page.events) for page in pages) >= 1 and len(local) > 100
    return pages


def nu_check(pages: list[Page], folder: Path, sample: int | None = None) -> None:
    chosen = pages if sample is None else random.Random(1).sample(pages, sample)
    files = []
    for number, page in enumerate(chosen):
        files.append(folder / f"page-{number}.html")
        files[-1].write_bytes(page.html)
    assert_valid_html(files)


@pytest.fixture(scope="module")
def real_pages(server):
    return check_site(server, server)


def test_every_page_of_the_real_data_passes_the_crawler(real_pages):
    assert {page.lang for page in real_pages} == {"pl", "en"}
    assert any(page.events for page in real_pages)


@pytest.mark.slow  # Java
def test_every_page_of_the_real_data_passes_the_nu_checker(real_pages, tmp_path):
    nu_check(real_pages, tmp_path)


@pytest.mark.slow  # builds the export and starts nginx
@pytest.mark.parametrize("side", ["app", "nginx"])
def test_every_page_of_the_synthetic_city_passes_the_crawler_and_a_sample_the_nu_checker(small_city, side, tmp_path):
    pages = check_site(small_city.app if side == "app" else small_city.base, small_city.base, small_city.app)
    assert sum(1 for page in pages if page.events) > 20  # the synthetic events are marked up
    nu_check(pages, tmp_path, sample=60)


def one_of_each_kind(urls: list[str], base: str) -> list[str]:
    """A page per kind: its language, first path segment and depth (synth-… numbers ignored)."""
    kinds = {}
    for url in urls:
        path = url[len(base):]
        lang, rest = (path[:3], path[3:]) if path.startswith("en/") else ("", path)
        segments = [s for s in rest.split("/") if s]
        kinds.setdefault((lang, segments[0] if segments else "", len(segments)), url)
    return sorted(kinds.values())


def axe_and_overflow(browser, urls: list[str], width: int) -> dict:
    """axe's WCAG 2.2 AA violations and any horizontal overflow of each page, at `width`: one
    browser tab for all (the pages run no script, so `load` is when they are whole)."""
    from browser_tools import AXE, require

    axe = require(AXE, "axe-core").read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    problems = {}
    for url in urls:
        assert page.goto(url, wait_until="load").status == 200, url
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.add_script_tag(content=axe)
        result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})""")
        assert len(result["passes"]) > 5, url  # axe really ran
        found = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        found += [("horizontal overflow", overflow)] if overflow > 0 else []
        if found:
            problems[url] = found
    context.close()
    return problems


@pytest.mark.slow  # starts Chromium
@pytest.mark.parametrize("width", [320, 1280])
def test_one_page_of_each_kind_has_no_axe_violation_nor_overflow(browser, server, width):
    urls = one_of_each_kind(sitemap_pages(server, server), server)
    assert len(urls) >= 20
    problems = axe_and_overflow(browser, urls, width)
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.slow  # builds the export, starts nginx and Chromium
@pytest.mark.parametrize("width", [320, 1280])
def test_one_synthetic_page_of_each_kind_has_no_axe_violation_nor_overflow(browser, small_city, width):
    base = small_city.base
    urls = [where(url, base, base, small_city.app) for url in one_of_each_kind(sitemap_pages(base, base), base)]
    problems = axe_and_overflow(browser, urls, width)
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)
