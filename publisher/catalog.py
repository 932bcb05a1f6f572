"""The DCAT-AP 3.0 catalog that open-data portals harvest (CKAN with ckanext-dcat, data.europa.eu).

One document holds the whole catalog: the catalog, the dataset, every distribution (each with
its own IRI: blank-node distributions collapse in ckanext-dcat), the SPARQL data service, and
the type and label of every controlled-vocabulary term used, so the official shapes can check
ranges without downloading the EU vocabularies.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, SKOS, XSD

from publisher.addresses import Urls
from publisher.dumps import DumpFile
from publisher.labels import label
from publisher.file_datasets import Part
from publisher.namespaces import DCT, PROV, SCHEMA, new_graph
from publisher.site import Site

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
# EU data themes that fit an event about community places; labels from the EU vocabulary.
THEMES = {"SOCI": ("Ludność i społeczeństwo", "Population and society"),
          "EDUC": ("Edukacja, kultura i sport", "Education, culture and sport"),
          "REGI": ("Regiony i miasta", "Regions and cities")}
LANGUAGES = {"POL": ("polski", "Polish"), "ENG": ("angielski", "English")}
# ADMS licence types of the licences a deployer is likely to choose.
ATTRIBUTION = ("http://purl.org/adms/licencetype/Attribution", "uznanie autorstwa", "attribution")
LICENCE_TYPES = {f"{EU}licence/CC_BY_4_0": ATTRIBUTION, "https://creativecommons.org/licenses/by/4.0/": ATTRIBUTION,
                 f"{EU}licence/CC0": ("http://purl.org/adms/licencetype/PublicDomain", "domena publiczna",
                                      "public domain")}


def _both(graph: Graph, node, prop, pl: str, en: str) -> None:
    graph.add((node, prop, Literal(pl, lang="pl")))
    graph.add((node, prop, Literal(en, lang="en")))


def _typed(graph: Graph, node, cls, label: str | None = None) -> URIRef:
    graph.add((node, RDF.type, cls))
    if label:
        graph.add((node, RDFS.label, Literal(label)))
    return node


def part_iri(base_url: str, part: Part) -> URIRef:
    return Urls(base_url).iri("file_dataset", name=part.name)


def build_catalog(data: Graph, description: Graph, base_url: str, site: Site, modified: datetime,
                  dumps: dict[str, DumpFile], home: URIRef | None, sparql_endpoint: str | None,
                  parts: list[Part] = (), page_of=None) -> Graph:
    """The whole catalog; `parts` (one a data file) become datasets of their own, part of the
    whole, with their landing pages from `page_of(iri)`. `description`: what the site
    description says about the dataset, its publisher and the catalog (publisher.site)."""
    urls = Urls(base_url)
    catalog, dataset = urls.catalog, urls.dataset
    at = lambda name: URIRef(f"{catalog}#{name}")  # noqa: E731  nodes described only here
    g = new_graph()
    for prefix, namespace in (("dcat", DCAT), ("dcatap", DCATAP), ("spdx", SPDX), ("vcard", VCARD), ("foaf", FOAF),
                              ("prov", PROV)):
        g.bind(prefix, namespace)
    stamp = Literal(modified.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    issued = description.value(dataset, DCT.issued) or stamp
    licence = _typed(g, URIRef(site.licence), DCT.LicenseDocument)
    if site.licence in LICENCE_TYPES:
        kind, pl, en = LICENCE_TYPES[site.licence]
        g.add((licence, DCT.type, _typed(g, URIRef(kind), SKOS.Concept)))
        _both(g, URIRef(kind), SKOS.prefLabel, pl, en)
    available = _typed(g, URIRef(f"{EU}planned-availability/AVAILABLE"), SKOS.Concept)
    _both(g, available, SKOS.prefLabel, "dostępne", "available")
    homepage = _typed(g, URIRef(base_url), FOAF.Document)
    languages = [_typed(g, URIRef(f"{EU}language/{code}"), DCT.LinguisticSystem) for code in LANGUAGES]
    for code, (pl, en) in LANGUAGES.items():
        _both(g, URIRef(f"{EU}language/{code}"), SKOS.prefLabel, pl, en)
    poland = _typed(g, URIRef(f"{EU}country/POL"), DCT.Location)
    _both(g, poland, SKOS.prefLabel, "Polska", "Poland")

    # The publisher is whoever deploys: the site description names it (docs/portals.md, "Publisher").
    publisher = description.value(dataset, DCT.publisher)
    sources = sorted(o for o in description.objects(dataset, DCT.source) if isinstance(o, URIRef))
    g += description
    # VoID's type and its plain dct:source stay in VoID (see _add_provenance).
    g.remove((dataset, RDF.type, None))
    g.remove((dataset, DCT.source, None))
    if publisher is not None:
        g.add((publisher, RDF.type, FOAF.Agent))

    g.add((catalog, RDF.type, DCAT.Catalog))  # its title and description: from the site description
    for node in (catalog, dataset):
        if publisher is not None:
            g.add((node, DCT.publisher, publisher))
        g.add((node, DCT.license, licence))
        g.add((node, DCT.issued, issued))
        g.add((node, DCT.modified, stamp))
        g.add((node, DCT.spatial, poland))
        for language in languages:
            g.add((node, DCT.language, language))
    g.add((catalog, FOAF.homepage, homepage))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, RDFS.seeAlso, urls.iri("void")))
    scheme = _typed(g, URIRef(f"{EU}data-theme"), SKOS.ConceptScheme)
    _both(g, scheme, DCT.title, "Dziedziny danych UE", "EU data themes")
    g.add((catalog, DCAT.themeTaxonomy, scheme))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCT.identifier, Literal(str(dataset))))
    g.add((dataset, DCAT.landingPage, homepage))
    themes = []
    for code, (pl, en) in THEMES.items():
        theme = _typed(g, URIRef(f"{EU}data-theme/{code}"), SKOS.Concept)
        _both(g, theme, SKOS.prefLabel, pl, en)
        g.add((theme, SKOS.inScheme, scheme))
        themes.append(theme)
    keywords = sorted(data.objects(None, SCHEMA.keywords), key=str)
    period = _add_temporal(g, data, None, at("period"))
    # A contact point the site description states, else the one the data gives.
    contact = description.value(dataset, DCAT.contactPoint) or _add_contact(g, data, at("contact"), site)
    _add_provenance(g, data, dataset, sources, at)
    for theme in themes:
        g.add((dataset, DCAT.theme, theme))
    for keyword in keywords:
        g.add((dataset, DCAT.keyword, keyword))
    if period is not None:
        g.add((dataset, DCT.temporal, period))
    if contact is not None:
        g.add((dataset, DCAT.contactPoint, contact))
    schema_org = _typed(g, URIRef("http://schema.org/"), DCT.Standard)
    g.add((schema_org, DCT.title, Literal("schema.org")))

    for dump in dumps.values():
        _add_distribution(g, dataset, at(f"distribution-{dump.name}"), dump, base_url, licence, schema_org, stamp,
                          available, WHOLE_DUMP)
    shared = dict(site=site, publisher=publisher, licence=licence, issued=issued, poland=poland, languages=languages,
                  themes=themes, contact=contact, standard=schema_org, available=available)
    for part in parts:
        _add_part(g, data, catalog, dataset, part, base_url, at, page_of, **shared)
    _add_feed(g, dataset, at("distribution-changes"), urls.iri("changes"), licence, stamp, available)
    if sparql_endpoint:
        service = _add_service(g, catalog, dataset, at, URIRef(sparql_endpoint), licence, stamp, available)
        for theme in themes:
            g.add((service, DCAT.theme, theme))
        g.add((service, DCAT.keyword, Literal("SPARQL")))
        if contact is not None:
            g.add((service, DCAT.contactPoint, contact))
        if publisher is not None:
            g.add((service, DCT.publisher, publisher))
    return g


def _add_part(g: Graph, data: Graph, catalog, whole, part: Part, base_url: str, at, page_of, *, site, publisher,
              licence, issued, poland, languages, themes, contact, standard, available) -> None:
    """A data file as a dataset: what it is about, when it last changed, its own downloads."""
    node = part_iri(base_url, part)
    stamp = Literal(part.modified.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    g.add((catalog, DCAT.dataset, node))
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCT.identifier, Literal(str(node))))
    g.add((node, DCT.isPartOf, whole))
    names = {lang: [label(data, m, lang) or str(m) for m in part.main] for lang in ("pl", "en")}
    _both(g, node, DCT.title, f"{site.name('pl')} — dane: {names['pl'][0] if part.main else part.name}",
          f"{site.name('en')} — data: {names['en'][0] if part.main else part.name}")
    _both(g, node, DCT.description,
          f"Plik danych {part.name}.ttl" + (f" o: {'; '.join(names['pl'])}." if part.main else "."),
          f"The data file {part.name}.ttl" + (f" about: {'; '.join(names['en'])}." if part.main else "."))
    if publisher is not None:
        g.add((node, DCT.publisher, publisher))
    for prop, value in ((DCT.license, licence), (DCT.issued, issued), (DCT.modified, stamp), (DCT.spatial, poland)):
        g.add((node, prop, value))
    for language in languages:
        g.add((node, DCT.language, language))
    for theme in themes:
        g.add((node, DCAT.theme, theme))
    if contact is not None:
        g.add((node, DCAT.contactPoint, contact))
    if part.main and page_of is not None:
        g.add((node, DCAT.landingPage, _typed(g, URIRef(page_of(part.main[0])), FOAF.Document)))
    # A series spans the time of its editions (which name it as their superEvent).
    subjects = set(part.main) | {e for m in part.main for e in data.subjects(SCHEMA.superEvent, m)}
    keywords = {k for m in part.main for k in data.objects(m, SCHEMA.keywords)}
    keywords |= {Literal(name, lang=lang) for lang, labels in names.items() for name in labels}
    for keyword in sorted(keywords, key=lambda k: (k.language or "", str(k))):
        g.add((node, DCAT.keyword, keyword))
    period = _add_temporal(g, data, subjects, at(f"period-{part.name}"))
    if period is not None:
        g.add((node, DCT.temporal, period))
    for dump in part.dumps:
        _add_distribution(g, node, at(f"distribution-{dump.name}"), dump, base_url, licence, standard, stamp,
                          available, PART_FILE)


def _add_temporal(g: Graph, data: Graph, subjects, period: URIRef) -> URIRef | None:
    """The time the data is about: from the earliest start to the latest end of its events
    (of `subjects` only, when given)."""
    # Dates and date-times (with their own offsets) compare as the days they fall on.
    starts = [_day(o.toPython()) for s, o in data.subject_objects(SCHEMA.startDate) if subjects is None or s in subjects]
    ends = [_day(o.toPython()) for s, o in data.subject_objects(SCHEMA.endDate)
            if subjects is None or s in subjects] or starts
    starts, ends = [d for d in starts if d is not None], [d for d in ends if d is not None]
    if not starts or not ends:
        return None
    g.add((period, RDF.type, DCT.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(min(starts), datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal(max(ends), datatype=XSD.date)))
    return period


def _day(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None


def _add_contact(g: Graph, data: Graph, contact: URIRef, site: Site) -> URIRef | None:
    """The contact point the data gives (the seed's phone and e-mail), as a vCard named after
    its owner, else the site."""
    point = next(iter(sorted(data.subjects(RDF.type, SCHEMA.ContactPoint))), None)
    if point is None:
        return None
    # Shapes check rdf:type without subclass inference, so the vCard class is stated too.
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))
    owner = next(iter(data.subjects(SCHEMA.contactPoint, point)), None)
    name = next((o for o in data.objects(owner, SCHEMA.name) if o.language == site.default_language), None) if owner else None
    g.add((contact, VCARD.fn, Literal(str(name) if name else site.name(site.default_language))))
    phone = data.value(point, SCHEMA.telephone)
    if phone is not None:
        g.add((contact, VCARD.hasTelephone, URIRef("tel:" + "".join(c for c in str(phone) if c in "+0123456789"))))
    email = data.value(point, SCHEMA.email)
    if email is not None:
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    return contact


def _add_provenance(g: Graph, data: Graph, dataset: URIRef, sources: list[URIRef], at) -> None:
    """Where the facts come from: the website the site description names as the dataset's
    dct:source (the seed's event website) and every other cited page.

    Not dct:source: DCAT-AP 3 requires its value to be a dcat:Dataset, and ckanext-dcat makes
    every dcat:Dataset a portal dataset, so the website would appear as a second dataset.
    """
    statement = at("provenance")
    g.add((statement, RDF.type, DCT.ProvenanceStatement))
    if sources:
        websites = ", ".join(sources)
        _both(g, statement, RDFS.label,
              f"Fakty pochodzą ze strony wydarzenia {websites} i z innych publicznych stron, "
              "wskazanych przy każdym zasobie (dct:source).",
              f"The facts come from the event website {websites} and other public pages, "
              "each named on the resource it describes (dct:source).")
    else:
        _both(g, statement, RDFS.label, "Fakty pochodzą ze stron wskazanych przy każdym zasobie (dct:source).",
              "The facts come from the pages named on each resource (dct:source).")
    g.add((dataset, DCT.provenance, statement))
    for source in sorted({o for o in data.objects(None, DCT.source) if isinstance(o, URIRef)}, key=str):
        g.add((dataset, PROV.wasDerivedFrom, source))


# Titles and descriptions of a distribution (pl, en), filled with the format's name.
WHOLE_DUMP = (("Zrzut całego grafu: {}", "Whole-graph dump: {}"),
              ("Wszystkie trójki zbioru w formacie {}.", "Every triple of the dataset as {}."))
PART_FILE = (("Plik danych: {}", "Data file: {}"),
             ("Trójki tego pliku danych w formacie {}.", "The triples of this data file as {}."))


def _distribution(g: Graph, dataset, node, titles: tuple[str, str], descriptions: tuple[str, str], access: URIRef,
                  licence, stamp, available) -> None:
    """What every distribution of the catalog states: its titles, where to get it, licence, date."""
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((dataset, DCAT.distribution, node))
    _both(g, node, DCT.title, *titles)
    _both(g, node, DCT.description, *descriptions)
    g.add((node, DCAT.accessURL, access))
    g.add((node, DCT.license, licence))
    g.add((node, DCT.modified, stamp))
    g.add((node, DCATAP.availability, available))


def _file_type(g: Graph, node, media_type: str, file_type: str, label: str) -> None:
    """Its IANA media type and its EU file type (with the label the shapes check ranges by)."""
    g.add((node, DCAT.mediaType, _typed(g, URIRef(IANA + media_type), DCT.MediaType)))
    fmt = _typed(g, URIRef(f"{EU}file-type/{file_type}"), DCT.MediaTypeOrExtent)
    g.add((fmt, SKOS.prefLabel, Literal(label)))
    g.add((node, DCT["format"], fmt))


def _add_distribution(g: Graph, dataset, node, dump: DumpFile, base_url: str, licence, standard, stamp,
                      available, texts) -> None:
    url = Urls(base_url).at(dump.name)
    kind = dump.format.label + (" (gzip)" if dump.compressed else "")
    (title_pl, title_en), (text_pl, text_en) = texts
    _distribution(g, dataset, node, (title_pl.format(kind), title_en.format(kind)),
                  (text_pl.format(kind), text_en.format(kind)), url, licence, stamp, available)
    g.add((node, DCAT.downloadURL, url))
    _file_type(g, node, dump.format.media_type, dump.format.file_type, dump.format.label)
    if dump.compressed:
        g.add((node, DCAT.compressFormat, _typed(g, URIRef(IANA + "application/gzip"), DCT.MediaType)))
    g.add((node, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    checksum = URIRef(f"{node}-sha256")
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    g.add((node, SPDX.checksum, checksum))
    g.add((node, DCT.conformsTo, standard))


def _add_feed(g: Graph, dataset, node, feed: URIRef, licence, stamp, available) -> None:
    """The change feed as a distribution: portals and apps that re-harvest read what changed."""
    _distribution(g, dataset, node, ("Kanał zmian (Atom)", "Change feed (Atom)"),
                  ("Zasoby dodane, zmienione i usunięte, z datami zmian (RFC 4287).",
                   "Resources created, changed and removed, with when (RFC 4287)."), feed, licence, stamp, available)
    _file_type(g, node, "application/atom+xml", "ATOM", "Atom Feed")


def _add_service(g: Graph, catalog, dataset, at, endpoint: URIRef, licence, stamp, available) -> URIRef:
    service = at("sparql-service")
    g.add((service, RDF.type, DCAT.DataService))
    _both(g, service, DCT.title, "Punkt dostępowy SPARQL", "SPARQL endpoint")
    _both(g, service, DCT.description, "Zapytania SPARQL 1.1 (tylko odczyt) o dane zbioru.",
          "Read-only SPARQL 1.1 queries over the dataset.")
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCT.license, licence))
    protocol = _typed(g, URIRef("https://www.w3.org/TR/sparql11-protocol/"), DCT.Standard)
    g.add((protocol, DCT.title, Literal("SPARQL 1.1 Protocol")))
    g.add((service, DCT.conformsTo, protocol))
    g.add((catalog, DCAT.service, service))
    distribution = at("distribution-sparql")
    _distribution(g, dataset, distribution, ("Dostęp przez SPARQL", "Access through SPARQL"),
                  ("Zbiór dostępny przez punkt dostępowy SPARQL.", "The dataset through the SPARQL endpoint."),
                  endpoint, licence, stamp, available)
    g.add((distribution, DCAT.accessService, service))
    return service


HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


def changed_since(datasets: list[tuple[datetime, URIRef]], since: datetime | None) -> list[URIRef]:
    """The datasets changed at or after `since` (all without it), newest change first."""
    return [iri for when, iri in sorted(datasets, key=lambda d: (-d[0].timestamp(), str(d[1])))
            if since is None or when >= since]


def catalog_view(full: Graph, base_url: str, datasets: list[tuple[datetime, URIRef]], page: int, size: int,
                 since: datetime | None = None) -> Graph:
    """One page of the catalog, newest change first, of the datasets changed at or after `since`.

    Paged with Hydra as ckanext-dcat reads and writes it (hydra:PartialCollectionView with
    hydra:next …), and filtered like its `modified_since` parameter.
    """
    catalog = Urls(base_url).catalog
    chosen = changed_since(datasets, since)
    pages = max(1, -(-len(chosen) // size))
    shown = set(chosen[(page - 1) * size:page * size])
    g = new_graph()
    g.bind("hydra", HYDRA)
    for prefix, namespace in full.namespaces():
        g.bind(prefix, namespace, replace=False)
    dropped = {iri for _when, iri in datasets} - shown
    dropped |= {d for iri in dropped for prop in (DCAT.distribution, DCT.temporal) for d in full.objects(iri, prop)}
    dropped |= {c for d in list(dropped) for c in full.objects(d, SPDX.checksum)}
    for triple in full:
        if triple[0] not in dropped and not (triple[1] == DCAT.dataset and triple[2] in dropped):
            g.add(triple)

    def url(number: int) -> URIRef:
        query = [f"modified_since={quote(since.isoformat())}"] if since is not None else []
        return URIRef(f"{catalog}?" + "&".join(query + [f"page={number}"]))

    view = url(page)
    g.add((catalog, HYDRA.totalItems, Literal(len(chosen))))
    g.add((catalog, HYDRA.view, view))
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    g.add((view, HYDRA.itemsPerPage, Literal(size)))
    g.add((view, HYDRA.first, url(1)))
    g.add((view, HYDRA.last, url(pages)))
    if page > 1:
        g.add((view, HYDRA.previous, url(page - 1)))
    if page < pages:
        g.add((view, HYDRA.next, url(page + 1)))
    return g
