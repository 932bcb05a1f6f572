"""What publishing needs of the data beyond the SHACL shapes: every resource IRI under the base
URL must be a path of its own that the app and nginx both serve, every property must be
writable in RDF/XML, every text and IRI must consist of characters XML can carry, and every
IRI a page shows must be one it may link to. Found with a few whole-store queries; `validate`
reports each finding as a violation, in the editor's language, with the file and line to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef

from publisher.formats import DOCUMENT_FORMATS
from publisher.i18n import shipped_languages
from publisher.store.terms import to_oxigraph, to_rdflib
from publisher.represent.rdfxml import has_element_name
from publisher.addresses import LINK_SCHEMES, Urls, linkable, reserved_patterns, reserved_segments
from publisher.xml_chars import NOT_XML_CHAR, NOT_XML_CHAR_RUST, visible


def _messages(pl: str, en: str) -> tuple[Literal, Literal]:
    return Literal(pl, lang="pl"), Literal(en, lang="en")


NO_ELEMENT_NAME = _messages(
    "Tej właściwości nie da się zapisać w RDF/XML: jej IRI musi kończyć się nazwą "
    "(litera lub _, dalej litery, cyfry, _ . -), np. …/hasPart, a nie …/ ani …/123.",
    "This property cannot be written in RDF/XML: its IRI must end in a name "
    "(a letter or _, then letters, digits, _ . -), e.g. …/hasPart, not …/ or …/123.")
PERCENT = _messages(
    "Ten adres (IRI) pod bazowym adresem wydawcy zawiera kod procentowy (%…): przeglądarki i serwery "
    "dekodują go, zanim szukają strony, więc adres by nie działał. Wpisz sam znak (ł, ó…), a zamiast "
    "spacji łącznik.",
    "This IRI under the publisher's base URL contains a percent-escape (%…): browsers and servers decode "
    "it before they look the page up, so it would not work. Write the character itself (ł, ó…), and a "
    "hyphen for a space.")
QUERY = _messages(
    "Ten adres (IRI) pod bazowym adresem wydawcy ma zapytanie (?…): dokumenty zasobu to pliki nazwane "
    "jego ścieżką, a ?page= służy wydawcy do stronicowania. Usuń część od „?”.",
    "This IRI under the publisher's base URL has a query (?…): a resource's documents are files named "
    "by its path, and the publisher uses ?page= for paging. Remove the part from “?”.")
SLASH = _messages(
    "Ten adres (IRI) pod bazowym adresem wydawcy kończy się ukośnikiem: dokumenty zasobu to pliki "
    "nazwane jego ścieżką (…/x.ttl, …/x.html). Usuń końcowy „/”.",
    "This IRI under the publisher's base URL ends in a slash: a resource's documents are files named "
    "by its path (…/x.ttl, …/x.html). Remove the final “/”.")
RESERVED = _messages(
    "Pod tym adresem (IRI) wydawca udostępnia coś innego (strona główna, en/, static/, data/, dataset, "
    "catalog, sparql, zrzuty dump.*, mapy strony, changes.atom…). Wybierz inny, np. pod organization/, "
    "place/ albo event/.",
    "The publisher serves something else at this IRI (the home page, en/, static/, data/, dataset, "
    "catalog, sparql, the dump.* downloads, sitemaps, changes.atom…). Choose another, e.g. under "
    "organization/, place/ or event/.")
DOCUMENT = _messages(
    "Ten adres (IRI) to adres dokumentu innego zasobu (…/x.ttl to Turtle zasobu …/x, …/x.html jego "
    "strona): oba nie mogą mieć tego samego adresu. Wybierz inny, bez tego rozszerzenia.",
    "This IRI is the address of another resource's document (…/x.ttl is the Turtle of …/x, …/x.html "
    "its page): the two cannot share it. Choose another, without that extension.")

_SCHEMES = ", ".join(f"{scheme}:" for scheme in LINK_SCHEMES)
UNLINKABLE = _messages(
    f"Strony pokazują ten adres (IRI) jako link, a linkować można tylko adresy {_SCHEMES} (np. javascript: "
    "uruchomiłby kod w przeglądarce czytelnika). Podaj adres strony WWW albo usuń ten fakt.",
    f"Pages show this IRI as a link, and they link only to {_SCHEMES} addresses (javascript:, for one, would "
    "run code in the reader's browser). Give a web address, or remove the fact.")

# First path segments and whole paths the app and the export use themselves (publisher.web,
# publisher.export): a resource there would be hidden by them, or served differently by nginx.
# So is every language a site may have its pages in (under /{lang}/) from what ships.
RESERVED_SEGMENTS = (*shipped_languages(), *reserved_segments())
RESERVED_PATHS = ("", *reserved_patterns())  # regular expressions; "" is the home page
# A resource's documents and files are at its path plus one of these (publisher.export).
DOCUMENT_EXTENSIONS = (*(fmt.extension for fmt in DOCUMENT_FORMATS), "ics", "png")
# A path (and fragment) that the app or the export uses itself.
RESERVED_PATTERN = f"(({'|'.join(re.escape(s) for s in RESERVED_SEGMENTS)})(/|#|$)|({'|'.join(RESERVED_PATHS)})(#|$))"
_KINDS = ((PERCENT, r"[^#]*%"), (QUERY, r"[^#]*\?"), (SLASH, r"[^#]*/(#|$)"), (RESERVED, RESERVED_PATTERN),
          # only when that other resource exists: checked for each IRI the pattern finds
          (DOCUMENT, rf"[^#]*\.({'|'.join(DOCUMENT_EXTENSIONS)})(#|$)"))
_UNSERVABLE = "^(" + "|".join(f"({pattern})" for _, pattern in _KINDS) + ")"


@dataclass(frozen=True)
class Finding:
    focus: object  # rdflib terms, as validation reports them
    path: URIRef | None
    messages: tuple[Literal, Literal]
    value: object = None


def findings(store: ox.Store, base_url: str, graph: Graph | None = None) -> list[Finding]:
    """Everything in the data (a store whose default graph is the union of its graphs, as
    validation queries it) that could not be published. `graph`: the data as rdflib read it,
    when pyoxigraph could not (the store then holds a copy without the characters it refused)."""
    characters = _characters_in_graph(graph) if graph is not None else _characters_in_store(store)
    return characters + _unwritable_properties(store) + _unservable_iris(store, base_url) + _unlinkable_iris(store)


def _kinds(text: str) -> tuple[str, str]:
    """The characters of `text` XML cannot carry, described in Polish and in English."""
    pl, en = [], []
    for code in sorted({ord(c) for c in NOT_XML_CHAR.findall(text)}):
        if 0xD800 <= code <= 0xDFFF:
            pl.append(f"U+{code:04X} (połowa pary zastępczej UTF-16, nie znak)")
            en.append(f"U+{code:04X} (half of a UTF-16 surrogate pair, not a character)")
        elif code < 0x20:
            pl.append(f"U+{code:04X} (niedrukowalny znak sterujący)")
            en.append(f"U+{code:04X} (a non-printable control character)")
        else:
            pl.append(f"U+{code:04X} (kod, który nie jest znakiem)")
            en.append(f"U+{code:04X} (a noncharacter)")
    return ", ".join(pl), ", ".join(en)


def _bad_characters(text: str, in_iri: bool) -> tuple[Literal, Literal]:
    pl, en = _kinds(text)
    return _messages(
        f"{'Ten adres (IRI)' if in_iri else 'Ta wartość'} zawiera coś, czego XML nie dopuszcza: {pl}. Strony, "
        "RDF/XML, kanał Atom i wyniki SPARQL byłyby przez to uszkodzone; usuń to (w pliku zwykle sekwencja \\u…).",
        f"{'This IRI' if in_iri else 'This value'} contains what XML does not allow: {en}. The pages, RDF/XML, "
        "the Atom feed and SPARQL results would be broken by it; remove it (in the file, usually a \\u… escape).")


def _excerpt(text: str) -> Literal:
    """Where in a (perhaps long) text the first such character is, made printable."""
    start = NOT_XML_CHAR.search(text).start()
    before, after = max(0, start - 30), start + 30
    return Literal(("…" if before else "") + visible(text[before:after]) + ("…" if after < len(text) else ""))


def _characters_in_graph(graph: Graph) -> list[Finding]:
    """Terms with characters XML cannot carry, in literals and IRIs (rdflib reads them all)."""
    found = []
    for subject, predicate, obj in graph:
        if NOT_XML_CHAR.search(subject):
            found.append(Finding(subject, None, _bad_characters(subject, True)))
        if NOT_XML_CHAR.search(predicate):
            found.append(Finding(subject, predicate, _bad_characters(predicate, True)))
        if NOT_XML_CHAR.search(obj):
            found.append(Finding(subject, predicate, _bad_characters(obj, isinstance(obj, URIRef)), _excerpt(obj)))
    return sorted(set(found), key=lambda f: (str(f.focus), str(f.path), str(f.value)))


def _characters_in_store(store: ox.Store) -> list[Finding]:
    """Literals with characters XML cannot carry: pyoxigraph refuses them in IRIs (and cannot
    hold surrogate halves at all), so in a store only literals are left to check."""
    found = store.query(f"""SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o
        FILTER(isLiteral(?o) && REGEX(STR(?o), {_sparql_string(NOT_XML_CHAR_RUST)})) }}""",
        use_default_graph_as_union=True)
    return [Finding(to_rdflib(row["s"]), to_rdflib(row["p"]), _bad_characters(row["o"].value, False),
                    _excerpt(row["o"].value)) for row in found]


def _unwritable_properties(store: ox.Store) -> list[Finding]:
    """One finding a subject using a property RDF/XML cannot write (it writes properties as
    element names): the server would fail on its documents, the export stop."""
    found = store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    unwritable = sorted(p for p in (to_rdflib(row["p"]) for row in found) if not has_element_name(str(p)))
    return [Finding(subject, predicate, NO_ELEMENT_NAME) for predicate in unwritable
            for subject in sorted({to_rdflib(q.subject)
                                   for q in store.quads_for_pattern(None, to_oxigraph(predicate), None)})]


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unservable_iris(store: ox.Store, base_url: str) -> list[Finding]:
    """IRIs under the base URL that cannot be a resource's own path: reported where the IRI is
    described, or, if it never is, at each fact that links to it."""
    # One pass in Rust (~0.5 s at 10,000 events: the scan, not the pattern, is the cost).
    found = store.query(f"""SELECT DISTINCT ?n WHERE {{ {{ ?n ?p ?o }} UNION {{ ?s ?p ?n }}
        FILTER(isIRI(?n) && STRSTARTS(STR(?n), {_sparql_string(base_url)})
               && REGEX(SUBSTR(STR(?n), {len(base_url) + 1}), {_sparql_string(_UNSERVABLE)})) }}""",
        use_default_graph_as_union=True)
    results = []
    for iri in sorted(to_rdflib(row["n"]) for row in found):
        path = str(iri)[len(base_url):]
        messages = next((messages for messages, pattern in _KINDS if re.match(pattern, path)), None)
        if messages is None:  # the store's regular expressions and Python's differ here: not ours to guess
            continue
        if messages is DOCUMENT and not _is_node(store, Urls(base_url).at(path.split("#")[0].rsplit(".", 1)[0])):
            continue  # …/report.html is a fine IRI while there is no …/report
        if _described(store, iri):  # reported where it is described
            results.append(Finding(iri, None, messages))
            continue
        links = {(to_rdflib(q.subject), to_rdflib(q.predicate))
                 for q in store.quads_for_pattern(None, None, to_oxigraph(iri))}
        results += [Finding(subject, predicate, messages, iri) for subject, predicate in sorted(links)]
    return results


def _unlinkable_iris(store: ox.Store) -> list[Finding]:
    """IRIs whose scheme a page may not link to. Every IRI the data names but a type is shown
    as a link somewhere (an object on its subject's page, a subject among what links to the
    object), so all are checked; a case-sensitive filter in Rust, `linkable` decides."""
    allowed = _sparql_string(f"^({'|'.join(LINK_SCHEMES)}):")
    objects = store.query(f"""SELECT DISTINCT ?s ?p ?n WHERE {{ ?s ?p ?n
        FILTER(isIRI(?n) && ?p != <{RDF.type}> && !REGEX(STR(?n), {allowed})) }}""", use_default_graph_as_union=True)
    found = [Finding(to_rdflib(row["s"]), to_rdflib(row["p"]), UNLINKABLE, to_rdflib(row["n"]))
             for row in objects if not linkable(row["n"].value)]
    subjects = store.query(f"SELECT DISTINCT ?n WHERE {{ ?n ?p ?o FILTER(isIRI(?n) && !REGEX(STR(?n), {allowed})) }}",
                           use_default_graph_as_union=True)
    return found + [Finding(to_rdflib(row["n"]), None, UNLINKABLE) for row in subjects if not linkable(row["n"].value)]


def _described(store: ox.Store, iri: URIRef) -> bool:
    return next(store.quads_for_pattern(to_oxigraph(iri), None, None), None) is not None


def _is_node(store: ox.Store, iri: URIRef) -> bool:
    return _described(store, iri) or next(store.quads_for_pattern(None, None, to_oxigraph(iri)), None) is not None
