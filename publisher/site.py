"""The site description: what the site is called, who publishes it, under which licence, in
which languages (site/dataset.ttl, or the file a deployment names with --site-description).

One Turtle file describes the publication, its IRIs relative to the base URL:
- `<>`, the web site itself: its short name per language (headers, page titles, the feed),
  an optional logo, its languages (the default first; each but English needs a gettext
  catalogue, publisher.i18n). Only this module reads it.
- `<dataset>` and its publisher: copied into VoID and the catalog.
- `<catalog>`: copied into the catalog.
Everything else takes the site's names from the `Site` read here, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from publisher.addresses import Urls
from publisher.i18n import SOURCE_LANGUAGE, TRANSLATIONS_DIR, Languages, catalogue, known_locale
from publisher.labels import label
from publisher.load import DataError, parse_file
from publisher.namespaces import DCT, PS, SCHEMA


@dataclass(frozen=True)
class Site:
    names: dict[str, str]  # short name per language
    descriptions: dict[str, str]  # the dataset's description per language
    publisher_names: dict[str, str]  # empty when no publisher is named
    licence: str  # an IRI
    logo: str | None
    languages: Languages  # the default first

    @property
    def default_language(self) -> str:
        return self.languages.default

    def name(self, lang: str) -> str:
        """The name in `lang`, else in the default language (for documents written in a
        language the site does not list, such as the English API description)."""
        return self.names.get(lang) or self.names[self.default_language]

    def description(self, lang: str) -> str:
        return self.descriptions.get(lang) or self.descriptions[self.default_language]

    def publisher_name(self, lang: str) -> str | None:
        return self.publisher_names.get(lang)


def read_site(path: Path, base_url: str, licence: str | None = None) -> tuple[Site, Graph]:
    """The site, and the triples about the dataset, its publisher and the catalog that the
    publication's own documents copy. `licence` (an IRI) overrides the description's.

    Raises DataError, naming what is missing, for a description the site cannot be built from."""
    graph = parse_file(path, base_url)
    urls = Urls(base_url)
    site, dataset, catalog = URIRef(base_url), urls.dataset, urls.catalog

    def missing(what: str) -> DataError:
        return DataError(path, f"the site description lacks {what}")

    languages = _languages(graph, site, path)
    codes = languages.codes
    publisher = graph.value(dataset, DCT.publisher)
    stated_licence = graph.value(dataset, DCT.license)
    if licence is None and not isinstance(stated_licence, URIRef):
        raise missing("the dataset's licence (dct:license <IRI> on <dataset>; or pass --license)")
    logo = graph.value(site, SCHEMA.logo)
    texts = {}
    for node, prop, what in ((site, SCHEMA.name, "the site's name (schema:name on <>)"),
                             (dataset, DCT.title, "the dataset's title (dct:title on <dataset>)"),
                             (dataset, DCT.description, "the dataset's description (dct:description on <dataset>)"),
                             (catalog, DCT.title, "the catalog's title (dct:title on <catalog>)"),
                             (catalog, DCT.description, "the catalog's description (dct:description on <catalog>)")):
        given = {o.language: str(o) for o in graph.objects(node, prop) if isinstance(o, Literal)}
        for lang in codes:
            if not given.get(lang, "").strip():
                raise missing(f"{what} in '{lang}'")
        texts[node, prop] = given
    described = Site(
        names={lang: texts[site, SCHEMA.name][lang] for lang in codes},
        descriptions={lang: texts[dataset, DCT.description][lang] for lang in codes},
        publisher_names={lang: name for lang in codes
                         if publisher is not None and (name := label(graph, publisher, lang))},
        licence=licence or str(stated_licence), logo=str(logo) if logo is not None else None, languages=languages)
    # The site's own node is for this module only; the licence is added where it is settled.
    graph.remove((site, None, None))
    graph.remove((dataset, DCT.license, None))
    return described, graph


def _languages(graph: Graph, site: URIRef, path: Path) -> Languages:
    """schema:inLanguage is the default (pages at the IRIs themselves), schema:availableLanguage
    every language. Each needs a locale (dates, numbers) and, but English, a gettext catalogue
    in translations/ beside the description or shipped with the publisher."""
    default = [str(o) for o in graph.objects(site, SCHEMA.inLanguage)]
    if len(default) != 1:
        raise DataError(path, f"the site's default language is {', '.join(default) or 'not stated'}: "
                              'state one, e.g. schema:inLanguage "pl", on <>')
    others = sorted({str(o) for o in graph.objects(site, SCHEMA.availableLanguage)} - set(default))
    # Beside the description first: a deployment may add or correct a language's strings.
    folders = tuple(dict.fromkeys((path.parent / "translations", TRANSLATIONS_DIR)))
    for lang in default + others:
        if not known_locale(lang):
            raise DataError(path, f"the site's language '{lang}' is not a language code known to Babel "
                                  "(its dates and numbers could not be written)")
        if lang != SOURCE_LANGUAGE and catalogue(lang, folders) is None:
            raise DataError(path, f"the site's language '{lang}' has no catalogue of translated strings: "
                                  f"add translations/{lang}/LC_MESSAGES/messages.po beside the site description")
    return Languages(tuple(default + others), folders)


def required_languages(path: Path, base_url: str) -> tuple[str, ...]:
    """The languages every name and description must be given in (`ps:requiredLanguage` on `<>`);
    by default all the site's languages. Missing text in another of its languages is a warning."""
    graph = parse_file(path, base_url)
    site = URIRef(base_url)
    languages = _languages(graph, site, path).codes
    stated = tuple(sorted(str(o) for o in graph.objects(site, PS.requiredLanguage)))
    if set(stated) - set(languages):
        raise DataError(path, f"a required language ({', '.join(sorted(set(stated) - set(languages)))}) is not "
                              "one of the site's languages (schema:inLanguage, schema:availableLanguage)")
    return stated or languages
