"""A remote triple store behind the app: SPARQL 1.1 Protocol for queries, Graph Store Protocol for data.

The app's workers hold no state of their own: the data is loaded into the store (`publish`), workers
read their copy from it (`copy_into`), and every query goes to it. Results are parsed and written again by
the same writers as the embedded engine, so the limits hold and the bytes are the same.
Tested against Oxigraph server and OpenLink Virtuoso; where an engine answers differently, its
profile below (`Engine`) is the one place that adapts (docs/deployment.md lists the differences).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pyoxigraph as ox

from publisher.formats import NTRIPLES, SPARQL_JSON
from publisher.sparql import QueryError, is_graph_form, timed_out
from publisher.sparql.formats import not_acceptable
from publisher.sparql.pool import Answer, QueryPool
from publisher.sparql.results import TooLarge, TooManyResults, write_boolean, write_solutions, write_triples
from publisher.sparql.worker import Job

# Credentials for the Graph Store Protocol's writes (and reads, where the store protects them),
# from the environment so that they never show in a process list.
STORE_USER, STORE_PASSWORD = "PUBLISHER_STORE_USER", "PUBLISHER_STORE_PASSWORD"
STORE_TIMED_OUT = "The query was stopped at the store's own time limit, shorter than this endpoint's."
LOAD_CHUNK = 20_000  # triples a request when data is loaded (`RemoteStore._put`)
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_TIMED_OUT = re.compile(r"time ?out|timed out", re.IGNORECASE)


class StoreError(Exception):
    """The store could not be reached (status None) or refused a request (its HTTP status)."""

    def __init__(self, message: str, status: int | None = None, detail: str = ""):
        super().__init__(message)
        self.status, self.detail = status, detail


class Engine:
    """A store that follows SPARQL 1.1 Protocol and Graph Store Protocol to the letter: Oxigraph
    server (and Apache Jena Fuseki).

    How new data replaces the old without readers seeing half of it, on every engine: it goes
    into new graphs, and the publication's pointer (one triple) then names them (`publish`).
    The Graph Store Protocol does not say what a reader sees while a `PUT` replaces a graph, so
    the app never replaces a graph being read; and one SPARQL Update carrying all the data
    (the transactional way on an engine that has one) would hold it all in memory at once."""

    name = "oxigraph"
    short_copy_hint = rewrite_hint = ""

    def default_graph_store(self, query_url: str) -> str:
        """Oxigraph serves queries at /query and the Graph Store Protocol at /store."""
        return query_url[: -len("/query")] + "/store" if query_url.endswith("/query") else query_url

    def graph_parameter(self) -> str:
        """The Graph Store Protocol's parameter that names a graph."""
        return "graph"

    def query_limits(self, max_rows: int) -> dict[str, str]:
        """What a query request adds so that the store sends no more rows than the app may write."""
        return {}

    def check_complete(self, headers: Message) -> None:
        """Raises TimeoutError for a result the store stopped early."""

    def solutions(self, raw: bytes, form: str, headers: Message, max_rows: int) -> bytes:
        """The store's SPARQL JSON results, as pyoxigraph reads them; TooManyResults for a
        result the store cut."""
        return raw


class Virtuoso(Engine):
    """OpenLink Virtuoso 7, whose answers differ from the standards in these ways:

    - its default graph is the union of all graphs, its system graphs too, and a query that names
      only its default graphs (`default-graph-uri`) still reads every graph with GRAPH ?g: each
      query names an empty graph as its only named graph (on every engine, `_dataset`);
    - writes go to /sparql-graph-crud-auth, behind HTTP digest authentication;
    - when a result exceeds its ResultSetMaxRows (or the request's `maxrows`) it is cut without
      an error (only a header, the X-SPARQL-MaxRows, says so; nothing at all for a Graph Store
      Protocol GET: `check_copy`), and a query stopped by its "anytime" time-out answers partial
      results (the X-SQL-State header): neither may pass as a complete result;
    - it labels blank nodes `nodeID://b1`, which is no blank node label, and writes booleans in
      results as 1 and 0 (its N-Triples keep true and false);
    - it answers ASK with a one-row SELECT of `__ASK_RETVAL` (1 or 0), in every result format;
    - it stores some values in a form of its own (a duration as seconds, a decimal without its
      trailing zeros): `check_copy` refuses data that does not come back as it was loaded.
    """

    name = "virtuoso"
    short_copy_hint = " (Virtuoso cuts it at its ResultSetMaxRows: set that to at least the number of triples)"
    rewrite_hint = " (Virtuoso stores some values in a form of its own: docs/deployment.md)"

    def default_graph_store(self, query_url: str) -> str:
        return query_url[: -len("/sparql")] + "/sparql-graph-crud-auth" if query_url.endswith("/sparql") else query_url

    def graph_parameter(self) -> str:
        return "graph-uri"

    def query_limits(self, max_rows: int) -> dict[str, str]:
        # maxrows: one row past the app's limit is enough to refuse it, and Virtuoso then stops
        # writing (it does not apply it to CONSTRUCT and DESCRIBE).
        return {"maxrows": str(max_rows + 1)}

    def check_complete(self, headers: Message) -> None:
        if headers.get("X-SQL-State"):
            raise TimeoutError(headers["X-SQL-State"])

    def solutions(self, raw: bytes, form: str, headers: Message, max_rows: int) -> bytes:
        results = json.loads(raw)
        rows = results.get("results", {}).get("bindings", [])
        if headers.get("X-SPARQL-MaxRows") and len(rows) >= int(headers["X-SPARQL-MaxRows"]):
            raise TooManyResults(min(max_rows, len(rows) - 1), "rows")
        if form == "ASK" and "boolean" not in results:
            return json.dumps({"head": {}, "boolean": bool(rows) and rows[0]["__ASK_RETVAL"]["value"] != "0"}).encode()
        for row in rows:
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = re.sub(r"\W", "_", term["value"].removeprefix("nodeID://"))
                elif term.get("datatype") == _BOOLEAN:
                    term["value"] = {"1": "true", "0": "false"}.get(term["value"], term["value"])
        return json.dumps(results).encode()


ENGINES = {engine.name: engine for engine in (Engine(), Virtuoso())}


@dataclass(frozen=True)
class StoredFile:
    """A data file's share of the data (its part: publisher.file_datasets), as one graph in the store."""
    name: str  # the part's name, "editions/miejsca-otwarte-2021": the workers' copy has the file's name
    modified: float  # when the file last changed (its last commit), as a POSIX time
    graph: str | None  # None: the file describes no subject first, so holds no triples of its own


@dataclass(frozen=True)
class Publication:
    """What a store holds for one publication: a graph a data file, from one load, and the graphs
    of the load it replaced (kept for the workers still reading them; dropped at the next load)."""
    files: tuple[StoredFile, ...]
    replaced: tuple[str, ...] = ()

    @property
    def graphs(self) -> tuple[str, ...]:
        return tuple(f.graph for f in self.files if f.graph)

    def to_json(self) -> str:
        return json.dumps({"files": [[f.name, f.modified, f.graph] for f in self.files], "replaced": self.replaced})

    @classmethod
    def from_json(cls, text: str) -> Publication:
        found = json.loads(text)
        return cls(tuple(StoredFile(*f) for f in found["files"]), tuple(found["replaced"]))


# The pointer to a publication's graphs is one triple (never seen half-written), in a graph of its
# own that no query reads.
_POINTER = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"


class RemoteStore:
    def __init__(self, query_url: str, graph_store_url: str | None = None, timeout: float = 10.0,
                 engine: str = "oxigraph", publication: str = "", graphs: tuple[str, ...] = (),
                 load_chunk: int = LOAD_CHUNK):
        self.engine = ENGINES[engine]
        self.load_chunk = load_chunk
        self.query_url = query_url
        self.graph_store_url = graph_store_url or self.engine.default_graph_store(query_url)
        self.timeout = timeout
        # The graphs' names start with the publication's IRI (the base URL), so one store can
        # hold several publications.
        self.pointer = f"{publication}#publisher-store"
        self.graphs = graphs  # what queries read: the data of the load the worker's copy is from
        self._graph_store = urllib.request.build_opener(*_credentials(self.graph_store_url))
        self.parser: QueryPool | None = None  # where the guard parses: given by the serving app

    @classmethod
    def from_settings(cls, settings, graphs: tuple[str, ...] = ()) -> RemoteStore:
        """The store `serve --store` names, for the publication at the base URL."""
        return cls(settings.store_url, settings.graph_store_url, timeout=settings.query_timeout,
                   engine=settings.store_engine, publication=settings.base_url, graphs=graphs)

    def _graph_url(self, graph: str) -> str:
        separator = "&" if "?" in self.graph_store_url else "?"
        return f"{self.graph_store_url}{separator}{self.engine.graph_parameter()}={urllib.parse.quote(graph, safe='')}"

    def _send(self, request: urllib.request.Request, timeout: float, opener=None) -> tuple[bytes, Message]:
        try:
            with (opener or self._graph_store).open(request, timeout=timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:2000]
            hint = f" (set {STORE_USER} and {STORE_PASSWORD})" if error.code == 401 else ""
            raise StoreError(f"the store answered {error.code}{hint}: {detail}", error.code, detail) from None
        except (urllib.error.URLError, ConnectionError) as error:
            raise StoreError(f"the store at {request.full_url} cannot be reached: {error}") from None
        except TimeoutError:  # connected, but no answer in time (a slow load, a long query)
            raise StoreError(f"the store at {request.full_url} timed out: no answer within {timeout:g} s") from None

    def publish(self, files: list[tuple[str, float, bytes]]) -> Publication:
        """Load the data, (name, modified, N-Triples) a data file, into new graphs and check what
        the store gives back; only then point the publication at them. Readers see the last load
        or this one, never part of one; if the store fails, what it served stays."""
        self._authenticate()
        before = self.publication()
        for graph in before.replaced if before else ():  # two loads old: no worker reads them now
            self._drop(graph)
        load = secrets.token_hex(6)
        publication = Publication(tuple(StoredFile(name, modified, f"{self.pointer}-{load}-{n}" if ntriples else None)
                                        for n, (name, modified, ntriples) in enumerate(files)),
                                  replaced=before.graphs if before else ())
        try:
            for stored, (_name, _modified, ntriples) in zip(publication.files, files):
                if stored.graph:
                    self._put(stored.graph, ntriples)
            self.check_copy(b"".join(ntriples for *_, ntriples in files), publication)
        except StoreError:
            for graph in publication.graphs:
                self._drop(graph)
            raise
        pointer = ox.Triple(ox.NamedNode(self.pointer), ox.NamedNode(_POINTER), ox.Literal(publication.to_json()))
        self._put(self.pointer, ox.serialize([pointer], format=ox.RdfFormat.N_TRIPLES))
        return publication

    def _put(self, graph: str, ntriples: bytes) -> None:
        """The triples into a new graph, in requests of at most `load_chunk` triples (a PUT, then
        POSTs that add to it): one request of 428,000 triples in the store's order left Virtuoso
        waiting on its own locks with no answer in 300 s; in POSTs of 50,000 it took 7 s."""
        for n, chunk in enumerate(_chunks(ntriples, self.load_chunk)):
            request = urllib.request.Request(self._graph_url(graph), data=chunk, method="POST" if n else "PUT",
                                             headers={"Content-Type": NTRIPLES.media_type})
            self._send(request, timeout=max(self.timeout, 300))

    def _drop(self, graph: str) -> None:
        """Graph Store Protocol DELETE, for graphs no reader needs: one already gone is fine, and
        one the store keeps costs space, not correctness."""
        try:
            self._send(urllib.request.Request(self._graph_url(graph), method="DELETE"), timeout=max(self.timeout, 300))
        except StoreError:
            pass

    def _authenticate(self) -> None:
        """A bodiless request first, so that the store's challenge is answered before the data is
        sent: Virtuoso closes the connection with its 401, and a large PUT sent without
        credentials broke mid-upload (broken pipe)."""
        try:
            self._send(urllib.request.Request(self._graph_url(self.pointer), method="HEAD"), timeout=self.timeout)
        except StoreError as error:
            if error.status in (None, 401):
                raise

    def _get(self, graph: str) -> bytes:
        request = urllib.request.Request(self._graph_url(graph), headers={"Accept": NTRIPLES.media_type})
        return self._send(request, timeout=max(self.timeout, 300))[0]

    def publication(self) -> Publication | None:
        """What the store holds for the publication now, or None before its first load."""
        try:
            pointer = self._get(self.pointer)
        except StoreError as error:
            if error.status == 404:
                return None
            raise
        values = [quad.object.value for quad in ox.parse(pointer, format=ox.RdfFormat.N_TRIPLES)]
        return Publication.from_json(values[0]) if values else None

    def read(self, publication: Publication) -> bytes:
        """The publication's data as the store gives it back, as N-Triples."""
        return b"".join(self._get(graph) for graph in publication.graphs)

    def copy_into(self, folder: Path) -> Publication:
        """The publication's data as files in `folder`, one a data file, each under its data file's
        name and with its modification time, so that the workers make the same parts of it."""
        publication = self.publication()
        for _ in range(4):  # a store may show the pointer's graph empty for a moment while it is replaced
            if publication is not None:
                break
            time.sleep(0.5)
            publication = self.publication()
        if publication is None:
            raise StoreError(f"the store holds no data for {self.pointer.split('#')[0]}: "
                             "`serve --store` loads it at start")
        for stored in publication.files:
            # N-Triples is Turtle: the copy is read as a data file like any other.
            path = (folder / f"{stored.name}.ttl").resolve()
            if not path.is_relative_to(folder.resolve()):
                raise StoreError(f"the store names a data file outside the copy's folder: {stored.name!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(self._get(stored.graph) if stored.graph else b"")
            os.utime(path, (stored.modified, stored.modified))
        return publication

    def check_copy(self, ntriples: bytes, publication: Publication) -> None:
        """Raises StoreError unless the publication's graphs, read back as the workers read them,
        are the data loaded: a store may cut them, or rewrite values, without saying so."""
        loaded, found = _ground_triples(ntriples), _ground_triples(self.read(publication))
        if found[1] != loaded[1]:
            raise StoreError(f"the store gives back {found[1]} of the {loaded[1]} triples loaded"
                             f"{self.engine.short_copy_hint}")
        if found[2] != loaded[2]:
            raise StoreError(f"the store gives back {found[2]} blank nodes for the {loaded[2]} loaded")
        changed = sorted(loaded[0] - found[0])
        if changed:
            raise StoreError(f"the store changed {len(changed)} of the triples loaded, such as {changed[0]} "
                             f"(given back as {sorted(found[0] - loaded[0])[0]}){self.engine.rewrite_hint}")

    def run(self, job: Job) -> Answer:
        """The same contract as the embedded pool: the form and result bytes, or QueryError.

        The guard's parse runs in a query worker without a store (`parser`, given by the app),
        held to the time limit like a run: a query costly to parse (seconds for some 12 KB
        texts) is stopped there, never in a serving thread."""
        form = job.form or self.parser.judge(job)
        format_key = job.format_for(form)
        if format_key is None:
            raise QueryError(406, not_acceptable(form))
        return Answer(form, self._run(job, form, format_key))

    def _run(self, job: Job, form: str, format_key: str) -> bytes:
        accept = (NTRIPLES if is_graph_form(form) else SPARQL_JSON).media_type
        body = urllib.parse.urlencode([("query", job.query), *self._dataset(),
                                       *self.engine.query_limits(job.max_rows).items()]).encode("utf-8")
        request = urllib.request.Request(self.query_url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            raw, headers = self._send(request, timeout=self.timeout, opener=_ANONYMOUS)
        except StoreError as error:
            if error.status == 400:  # the store's parser refused the query (the first paragraph says why)
                raise QueryError(400, f"Query syntax error: {error.detail.strip().split(chr(10) * 2)[0]}") from None
            if error.status is None and "timed out" in str(error).lower():
                raise timed_out(self.timeout) from None
            if error.status in (500, 503) and _TIMED_OUT.search(error.detail):
                raise QueryError(503, STORE_TIMED_OUT) from None
            raise QueryError(502, f"The store failed on this query: {error}") from None
        try:
            self.engine.check_complete(headers)
            if is_graph_form(form):
                triples = (quad.triple for quad in ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))
                return write_triples(triples, format_key, job.max_rows, job.prefixes, job.max_bytes)
            raw = self.engine.solutions(raw, form, headers, job.max_rows)
            results = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
            if isinstance(results, ox.QueryBoolean):
                return write_boolean(bool(results), format_key)
            return write_solutions(results, format_key, job.max_rows, job.max_bytes)
        except (TooManyResults, TooLarge) as error:
            raise QueryError(400, str(error)) from None
        except TimeoutError:  # the store stopped it and answered what it had found so far
            raise QueryError(503, STORE_TIMED_OUT) from None

    def _dataset(self) -> list[tuple[str, str]]:
        """The query's dataset: the publication's data as its default graph and, as its only named
        graph, one that holds nothing (as on the embedded store, GRAPH ?g finds none; without
        it, Virtuoso's GRAPH ?g reads every graph in the store)."""
        return [*(("default-graph-uri", graph) for graph in self.graphs), ("named-graph-uri", f"{self.pointer}-none")]

    def close(self) -> None:
        """Stops the parsing workers; the store lives on its own."""
        if self.parser is not None:
            self.parser.close()


def _blank_nodes(quad: ox.Quad) -> list[ox.BlankNode]:
    """The triple's blank nodes: its subject, its object, both or none."""
    return [term for term in (quad.subject, quad.object) if isinstance(term, ox.BlankNode)]


def _ground_triples(ntriples: bytes) -> tuple[set[str], int, int]:
    """The triples without blank nodes, in one canonical writing, how many distinct triples in all
    (the data may hold a triple twice, from two files; a store holds it once), and how many blank
    nodes (a node whose triples were loaded in two requests would come back as two)."""
    ground, blank, nodes = set(), set(), set()
    for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        found = _blank_nodes(quad)
        (blank if found else ground).add(str(quad.triple))
        nodes.update(found)
    return ground, len(ground) + len(blank), len(nodes)


def _chunks(ntriples: bytes, size: int) -> Iterator[bytes]:
    """N-Triples as documents of at most `size` triples each (at least one document), sorted by
    subject, with all the triples that a blank node connects in one document: a label names the
    same node only within one document. Such a group larger than `size` goes whole."""
    ground, linked = [], {}  # linked: blank node -> the node that stands for its group
    blank = []

    def group(node: ox.BlankNode) -> ox.BlankNode:
        while linked.setdefault(node, node) != node:
            node = linked[node]
        return node

    for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        nodes = _blank_nodes(quad)
        if not nodes:
            ground.append(quad.triple)
            continue
        blank.append((nodes[0], quad.triple))
        if len(nodes) == 2:
            linked[group(nodes[1])] = group(nodes[0])
    groups: dict[ox.BlankNode, list[ox.Triple]] = {}
    for node, triple in blank:
        groups.setdefault(group(node), []).append(triple)
    ground.sort(key=lambda triple: triple.subject.value)
    pieces = [*([triple] for triple in ground), *groups.values()]
    chunk: list[ox.Triple] = []
    for piece in pieces:
        if chunk and len(chunk) + len(piece) > size:
            yield ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
            chunk = []
        chunk.extend(piece)
    if chunk or not pieces:
        yield ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)


# Queries never carry the credentials: the store's query user should be able to read only.
_ANONYMOUS = urllib.request.build_opener()


def _credentials(url: str) -> list:
    """urllib's handlers for Basic and Digest authentication (Fuseki's, Virtuoso's) with the
    credentials from the environment, or none."""
    user, password = os.environ.get(STORE_USER), os.environ.get(STORE_PASSWORD)
    if not user or password is None:
        return []
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password)
    return [urllib.request.HTTPBasicAuthHandler(passwords), _DigestInAdvance(passwords)]


class _DigestInAdvance(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that, once challenged, authenticates the next requests in advance
    (urllib's waits for a 401 each time, having sent the body already)."""

    challenge: dict | None = None

    def retry_http_digest_auth(self, req, auth):
        self.challenge = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(
            auth.split(" ", 1)[1])))
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req):
        if self.challenge and not req.has_header(self.auth_header):
            authorization = self.get_authorization(req, self.challenge)
            if authorization:
                req.add_unredirected_header(self.auth_header, f"Digest {authorization}")
        return req

    https_request = http_request
