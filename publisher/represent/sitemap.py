"""sitemap.xml (sitemaps.org 0.9) with hreflang alternates, and robots.txt naming it.

A sitemap file holds at most 50,000 URLs (the protocol's limit; crawlers refuse a larger one),
and every language version of a page is a URL. A publication with more pages has a sitemap
index at /sitemap.xml naming /sitemap-1.xml, /sitemap-2.xml, …, each with whole pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from publisher.addresses import ROUTES, Urls

URLS_PER_SITEMAP = 50_000


def pages_per_sitemap(languages: int) -> int:
    return URLS_PER_SITEMAP // languages


def sitemap_count(pages: int, languages: int) -> int:
    """How many sitemap files `pages` pages (all their `languages` versions) need."""
    return max(1, -(-pages // pages_per_sitemap(languages)))


def sitemap_name(number: int) -> str:
    return ROUTES["sitemap_part"].fill({"number": number}) if number else ROUTES["sitemap"].path


def sitemap_index(urls: Urls, count: int, modified: datetime) -> bytes:
    lastmod = modified.date().isoformat()
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    out += [f"<sitemap><loc>{escape(urls.at(sitemap_name(number)))}</loc><lastmod>{lastmod}</lastmod></sitemap>"
            for number in range(1, count + 1)]
    out.append("</sitemapindex>")
    return ("\n".join(out) + "\n").encode("utf-8")


def sitemap(pages: Iterable[dict[str, str]], modified: datetime) -> bytes:
    """`pages` maps language → URL for each page, the default language first (x-default); every
    language version is listed with all."""
    lastmod = modified.date().isoformat()
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for versions in pages:
        alternates = "".join(f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(url)}/>'
                             for lang, url in versions.items())
        alternates += f'<xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(next(iter(versions.values())))}/>'
        for url in versions.values():
            out.append(f"<url><loc>{escape(url)}</loc><lastmod>{lastmod}</lastmod>{alternates}</url>")
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")


def robots(urls: Urls) -> bytes:
    # Query URLs are for people and programs, not crawlers: each would run a query.
    # The path as the host sees it: below the base URL's own path, if it has one.
    disallowed = "".join(f"Disallow: {urlsplit(urls.site('sparql', lang)).path}?\n" for lang in urls.languages)
    return f"User-agent: *\nAllow: /\n{disallowed}\nSitemap: {urls.site('sitemap')}\n".encode("utf-8")
