"""The DCAT-AP 3.0 catalog that open-data portals harvest (CKAN with ckanext-dcat, data.europa.eu).

One document holds the whole catalog: the catalog, the dataset, every distribution (each with
its own IRI: blank-node distributions collapse in ckanext-dcat), the SPARQL data service, and
the type and label of every controlled-vocabulary term used, so the official shapes can check
ranges without downloading the EU vocabularies.
"""

from __future__ import annotations

from datetime import date, datetime

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, SKOS, XSD

from publisher.describe import new_graph
from publisher.dumps import DumpFile
from publisher.namespaces import DCT, PROV, SCHEMA

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPES = {"ttl": "RDF_TURTLE", "nt": "RDF_N_TRIPLES", "jsonld": "JSON_LD", "rdf": "RDF_XML"}
FILE_TYPE_LABELS = {"RDF_TURTLE": "Turtle", "RDF_N_TRIPLES": "N-Triples", "JSON_LD": "JSON-LD", "RDF_XML": "RDF/XML"}
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


def build_catalog(data: Graph, description: Graph, base_url: str, license: str, modified: datetime,
                  dumps: dict[str, DumpFile], home: URIRef | None, sparql_endpoint: str | None) -> Graph:
    catalog, dataset = URIRef(base_url + "catalog"), URIRef(base_url + "dataset")
    at = lambda name: URIRef(f"{catalog}#{name}")  # noqa: E731  nodes described only here
    g = new_graph()
    for prefix, namespace in (("dcat", DCAT), ("dcatap", DCATAP), ("spdx", SPDX), ("vcard", VCARD), ("foaf", FOAF),
                              ("prov", PROV)):
        g.bind(prefix, namespace)
    stamp = Literal(modified.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    issued = description.value(dataset, DCT.issued) or stamp
    licence = _typed(g, URIRef(license), DCT.LicenseDocument)
    if license in LICENCE_TYPES:
        kind, pl, en = LICENCE_TYPES[license]
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

    # The publisher is whoever deploys: site/dataset.ttl names it (see README).
    publisher = description.value(dataset, DCT.publisher)
    g += description
    # VoID's type and its plain dct:source stay in VoID (see _add_provenance).
    g.remove((dataset, RDF.type, None))
    g.remove((dataset, DCT.source, None))
    if publisher is not None:
        g.add((publisher, RDF.type, FOAF.Agent))

    g.add((catalog, RDF.type, DCAT.Catalog))
    _both(g, catalog, DCT.title, "Katalog danych: MIEJSCA OTWARTE", "Data catalogue: MIEJSCA OTWARTE")
    _both(g, catalog, DCT.description,
          "Katalog otwartych danych powiązanych o konferencji MIEJSCA OTWARTE (DCAT-AP 3.0).",
          "Catalogue of the linked open data about the MIEJSCA OTWARTE conference (DCAT-AP 3.0).")
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
    g.add((catalog, RDFS.seeAlso, URIRef(base_url + ".well-known/void")))
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
    period = _add_temporal(g, data, at("period"))
    contact = _add_contact(g, data, at("contact"))
    _add_provenance(g, data, dataset, at)
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
                          available)
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


def _add_temporal(g: Graph, data: Graph, period: URIRef) -> URIRef | None:
    """The time the data is about: from the earliest start to the latest end of its events."""
    starts = [o.toPython() for o in data.objects(None, SCHEMA.startDate)]
    ends = [o.toPython() for o in data.objects(None, SCHEMA.endDate)] or starts
    days = [d for d in starts + ends if isinstance(d, date)]
    if not days:
        return None
    g.add((period, RDF.type, DCT.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(min(starts), datatype=XSD.date)))
    g.add((period, DCAT.endDate, Literal(max(ends), datatype=XSD.date)))
    return period


def _add_contact(g: Graph, data: Graph, contact: URIRef) -> URIRef | None:
    """The contact point the data gives (the seed's phone and e-mail), as a vCard."""
    point = next(iter(sorted(data.subjects(RDF.type, SCHEMA.ContactPoint))), None)
    if point is None:
        return None
    # Shapes check rdf:type without subclass inference, so the vCard class is stated too.
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, RDF.type, VCARD.Kind))
    owner = next(iter(data.subjects(SCHEMA.contactPoint, point)), None)
    name = next((o for o in data.objects(owner, SCHEMA.name) if o.language == "pl"), None) if owner else None
    g.add((contact, VCARD.fn, Literal(str(name) if name else "MIEJSCA OTWARTE")))
    phone = data.value(point, SCHEMA.telephone)
    if phone is not None:
        g.add((contact, VCARD.hasTelephone, URIRef("tel:" + "".join(c for c in str(phone) if c in "+0123456789"))))
    email = data.value(point, SCHEMA.email)
    if email is not None:
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
    return contact


def _add_provenance(g: Graph, data: Graph, dataset: URIRef, at) -> None:
    """Where the facts come from: the event website (the seed) and every other cited page.

    Not dct:source: DCAT-AP 3 requires its value to be a dcat:Dataset, and ckanext-dcat makes
    every dcat:Dataset a portal dataset, so the website would appear as a second dataset.
    """
    statement = at("provenance")
    g.add((statement, RDF.type, DCT.ProvenanceStatement))
    _both(g, statement, RDFS.label,
          "Fakty pochodzą ze strony wydarzenia http://miejscaotwarte.pl/ i z innych publicznych stron, "
          "wskazanych przy każdym zasobie (dct:source).",
          "The facts come from the event website http://miejscaotwarte.pl/ and other public pages, "
          "each named on the resource it describes (dct:source).")
    g.add((dataset, DCT.provenance, statement))
    for source in sorted({o for o in data.objects(None, DCT.source) if isinstance(o, URIRef)}, key=str):
        g.add((dataset, PROV.wasDerivedFrom, source))


def _add_distribution(g: Graph, dataset, node, dump: DumpFile, base_url: str, licence, standard, stamp,
                      available) -> None:
    url = URIRef(base_url + dump.name)
    file_type = FILE_TYPES[dump.format.extension]
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((dataset, DCAT.distribution, node))
    packed = " (gzip)" if dump.compressed else ""
    _both(g, node, DCT.title, f"Zrzut całego grafu: {dump.format.label}{packed}",
          f"Whole-graph dump: {dump.format.label}{packed}")
    _both(g, node, DCT.description, f"Wszystkie trójki zbioru w formacie {dump.format.label}{packed}.",
          f"Every triple of the dataset as {dump.format.label}{packed}.")
    g.add((node, DCAT.accessURL, url))
    g.add((node, DCAT.downloadURL, url))
    media = _typed(g, URIRef(IANA + dump.format.media_type), DCT.MediaType)
    g.add((node, DCAT.mediaType, media))
    fmt = _typed(g, URIRef(f"{EU}file-type/{file_type}"), DCT.MediaTypeOrExtent)
    g.add((fmt, SKOS.prefLabel, Literal(FILE_TYPE_LABELS[file_type])))
    g.add((node, DCT["format"], fmt))
    if dump.compressed:
        g.add((node, DCAT.compressFormat, _typed(g, URIRef(IANA + "application/gzip"), DCT.MediaType)))
    g.add((node, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
    checksum = URIRef(f"{node}-sha256")
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    g.add((node, SPDX.checksum, checksum))
    g.add((node, DCT.license, licence))
    g.add((node, DCT.conformsTo, standard))
    g.add((node, DCT.modified, stamp))
    g.add((node, DCATAP.availability, available))


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
    g.add((distribution, RDF.type, DCAT.Distribution))
    _both(g, distribution, DCT.title, "Dostęp przez SPARQL", "Access through SPARQL")
    _both(g, distribution, DCT.description, "Zbiór dostępny przez punkt dostępowy SPARQL.",
          "The dataset through the SPARQL endpoint.")
    g.add((distribution, DCAT.accessURL, endpoint))
    g.add((distribution, DCAT.accessService, service))
    g.add((distribution, DCT.license, licence))
    g.add((distribution, DCT.modified, stamp))
    g.add((distribution, DCATAP.availability, available))
    g.add((dataset, DCAT.distribution, distribution))
    return service
