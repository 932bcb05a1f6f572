"""sitemap.xml (sitemaps.org 0.9) with hreflang alternates, and robots.txt naming it."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from publisher.i18n import LANGUAGES


def sitemap(pages: list[dict[str, str]], modified: datetime) -> bytes:
    """`pages` maps language → URL for each page; every language version is listed with all."""
    lastmod = modified.date().isoformat()
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for versions in pages:
        alternates = "".join(f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(url)}/>'
                             for lang, url in versions.items())
        alternates += f'<xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(versions[LANGUAGES[0]])}/>'
        for url in versions.values():
            out.append(f"<url><loc>{escape(url)}</loc><lastmod>{lastmod}</lastmod>{alternates}</url>")
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")


def robots(base_url: str) -> bytes:
    # Query URLs are for people and programs, not crawlers: each would run a query.
    return (f"User-agent: *\nAllow: /\nDisallow: /sparql?\nDisallow: /en/sparql?\n\n"
            f"Sitemap: {base_url}sitemap.xml\n").encode("utf-8")
