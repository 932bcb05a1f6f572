"""HTML pages rendered from the graph with Jinja2 (autoescape on) and gettext UI strings."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import Graph, URIRef

from publisher.config import PROJECT_ROOT
from publisher.formats import HTML, RDF_DOCUMENT_FORMATS, TURTLE
from publisher.i18n import Languages, babel_locale
from publisher.represent.event_view import EventPage, EventPageBuilder, with_notice
from publisher.represent.series_view import build_series_page, editions_of
from publisher.represent.structured_data import eligible, event_structured_data, script_json, series_structured_data
from publisher.represent.tombstone_view import tombstone
from publisher.addresses import Urls, paged
from publisher.represent.resource_view import PageView, ViewBuilder
from publisher.represent.social_image import HEIGHT, WIDTH
from publisher.site import Site

TEMPLATES = PROJECT_ROOT / "site" / "templates"


@lru_cache(maxsize=None)
def environment(lang: str, languages: Languages) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() of the file each render
    )
    env.install_gettext_translations(languages.translations(lang), newstyle=True)
    return env


def site_links(urls: Urls, lang: str) -> dict:
    """Links every page carries to the publication's own documents (VoID, catalog, SPARQL)."""
    dataset, catalog = urls.dataset, urls.catalog
    return {
        "dataset_url": urls.page(dataset, lang),
        "catalog_url": urls.page(catalog, lang),
        "dataset_doc": urls.document(dataset, TURTLE),
        "catalog_doc": urls.document(catalog, TURTLE),
        "sparql_url": urls.query(lang),
        "changes_url": urls.changes(lang),
    }


def language_links(urls: Urls, translations: dict[str, str]) -> dict:
    """The page in every language of the site (hreflang links, the language switcher; the default
    language's is x-default), each language's name in itself and its locale (Open Graph)."""
    return {"translations": translations, "default_language": urls.languages.default,
            "language_names": {other: urls.languages.name(other) for other in urls.languages},
            "locales": {other: babel_locale(other) for other in urls.languages}}


def site_identity(site: Site, lang: str) -> dict:
    """What every page says of the site itself: its name (header, titles) and logo."""
    return {"site_name": site.name(lang), "site_logo": site.logo}


def _common(iri: URIRef, urls: Urls, lang: str, site: Site) -> dict:
    return {
        "lang": lang,
        "canonical": urls.page(iri, lang),
        **language_links(urls, {other: urls.page(iri, other) for other in urls.languages}),
        "formats": [(fmt, urls.document(iri, fmt)) for fmt in RDF_DOCUMENT_FORMATS],
        "html_format": HTML,
        **site_links(urls, lang),
        **site_identity(site, lang),
        "home_url": urls.page(urls.home, lang) if urls.home else urls.base,
        "static": urls.static,
        "describe_url": urls.describe_query(iri, lang),
    }


DESCRIPTION_LENGTH = 300  # characters of a meta description; search engines show about 160


def shortened(text: str, most: int = DESCRIPTION_LENGTH) -> str:
    """`text` cut at a word, with an ellipsis, to at most `most` characters."""
    text = " ".join(text.split())
    if len(text) <= most:
        return text
    return text[:most - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def page_description(view: PageView) -> str:
    """A page's meta description: the resource's own description, else what the page says first
    (its kind, name and first facts), so no two pages of different resources read the same."""
    if view.summary:
        return shortened(view.summary)
    said = [fact for fact in view.facts if fact.property != "dct:source"][:3]  # sources: a list of URLs
    facts = "; ".join(f"{fact.label}: {', '.join(v.text for v in fact.values[:3])}" for fact in said)
    return shortened(f"{view.kind}: {view.title}." + (f" {facts}." if facts else ""))


def render_page(document: Graph, iri: URIRef, urls: Urls, lang: str, site: Site,
                page: int = 1, pages: int = 1, whole: Graph | None = None) -> bytes:
    context = _common(iri, urls, lang, site)
    context["page"] = ViewBuilder(document, urls, lang, whole).build(iri)
    context["description"] = page_description(context["page"])
    own = urls.page(iri, lang)
    context["paging"] = {
        "page": page, "pages": pages,
        "previous": paged(own, page - 1) if page > 1 else None,
        "next": paged(own, page + 1) if page < pages else None,
    }
    if page > 1:
        context["canonical"] = paged(own, page)
    return environment(lang, urls.languages).get_template("resource.html").render(context).encode("utf-8")


def image_alt(event: EventPage) -> str:
    return " — ".join(part for part in (event.name, with_notice(event.notice, event.dates), event.place) if part)


def render_event_page(graph: Graph, iri: URIRef, urls: Urls, lang: str, site: Site,
                      today: date | None = None) -> bytes:
    """The main event's page as of `today`: rendered from the whole graph, with its structured data."""
    event = EventPageBuilder(graph, urls, lang).build(iri, today)
    context = _common(iri, urls, lang, site)
    image_url = urls.social_image(iri)
    data = event_structured_data(graph, iri, lang, urls.page(iri, lang), image_url)
    summary = shortened(event.tagline or event.description or event.name)
    context.update(
        event=event,
        title=f"{event.notice}: {event.name}" if event.notice else event.name,
        # A cancelled or postponed event says so first, wherever it is shown (results, previews).
        summary=f"{event.notice}: {summary}" if event.notice else summary,
        image={"url": image_url, "width": WIDTH, "height": HEIGHT, "alt": image_alt(event)},
        calendar_url=urls.localized(iri, "ics", lang),
        # Google reports an Event without its required facts as an error: none, rather than that.
        structured_data=script_json(data) if eligible(data) else None,
    )
    return environment(lang, urls.languages).get_template("event.html").render(context).encode("utf-8")


def render_series_page(graph: Graph, iri: URIRef, urls: Urls, lang: str, site: Site) -> bytes:
    """A series: its editions in date order, each linking to its own page."""
    context = _common(iri, urls, lang, site)
    context["series"] = build_series_page(graph, iri, urls, lang)
    context["description"] = shortened(context["series"].description or context["series"].name)
    context["structured_data"] = script_json(series_structured_data(
        graph, iri, editions_of(graph, iri), lang, urls.page(iri, lang), lambda e: urls.page(e, lang)))
    return environment(lang, urls.languages).get_template("series.html").render(context).encode("utf-8")


def render_tombstone_page(graph: Graph, iri: URIRef, urls: Urls, lang: str, site: Site) -> bytes:
    """The 410 page of a removed resource: when, why, and what replaced it."""
    context = _common(iri, urls, lang, site)
    context["tombstone"] = tombstone(graph, iri, urls, lang)
    return environment(lang, urls.languages).get_template("gone.html").render(context).encode("utf-8")


def render_error_page(urls: Urls, lang: str, status: int, title: str, detail: str) -> bytes:
    context = {"lang": lang, "status": status, "title": title, "detail": detail,
               "home_url": urls.in_language("", lang), "static": urls.static}
    return environment(lang, urls.languages).get_template("error.html").render(context).encode("utf-8")
