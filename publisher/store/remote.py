"""A remote triple store behind the app: SPARQL 1.1 Protocol for queries, Graph Store Protocol for data.

The app's workers hold no state of their own: the data is loaded into the store once, workers
read their copy from it, and every query goes to it. Results are parsed and written again by
the same writers as the embedded engine, so the limits hold and the bytes are the same.
Tested against Oxigraph server; Fuseki and Virtuoso speak the same protocols (see docs/serving.md).
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from publisher.formats import NTRIPLES, SPARQL_JSON
from publisher.sparql import QueryError, is_graph_form, timed_out
from publisher.sparql.formats import not_acceptable
from publisher.sparql.guard import judge
from publisher.sparql.pool import Answer
from publisher.sparql.results import TooLarge, TooManyResults, write_boolean, write_solutions, write_triples
from publisher.sparql.worker import Job


class StoreError(Exception):
    """The store could not be reached (status None) or refused a request (its HTTP status)."""

    def __init__(self, message: str, status: int | None = None, detail: str = ""):
        super().__init__(message)
        self.status, self.detail = status, detail


def default_graph_store(query_url: str) -> str:
    """Oxigraph serves queries at /query and the Graph Store Protocol at /store."""
    return query_url[: -len("/query")] + "/store" if query_url.endswith("/query") else query_url


class RemoteStore:
    def __init__(self, query_url: str, graph_store_url: str | None = None, timeout: float = 10.0):
        self.query_url = query_url
        self.graph_store_url = graph_store_url or default_graph_store(query_url)
        self.timeout = timeout

    def _default_graph_url(self) -> str:
        separator = "&" if "?" in self.graph_store_url else "?"
        return f"{self.graph_store_url}{separator}default"

    def _send(self, request: urllib.request.Request, timeout: float) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:2000]
            raise StoreError(f"the store answered {error.code}: {detail}", error.code, detail) from None
        except (urllib.error.URLError, ConnectionError) as error:
            raise StoreError(f"the store at {request.full_url} cannot be reached: {error}") from None

    def replace_default_graph(self, ntriples: bytes) -> None:
        """Graph Store Protocol PUT: the store's default graph becomes exactly this data."""
        request = urllib.request.Request(self._default_graph_url(), data=ntriples, method="PUT",
                                         headers={"Content-Type": NTRIPLES.media_type})
        self._send(request, timeout=max(self.timeout, 300))

    def default_graph(self) -> bytes:
        request = urllib.request.Request(self._default_graph_url(), headers={"Accept": NTRIPLES.media_type})
        return self._send(request, timeout=max(self.timeout, 300))

    def run(self, job: Job) -> Answer:
        """The same contract as the embedded pool: the form and result bytes, or QueryError.

        The guard's parse runs here, in the serving thread (there is no worker process): the
        endpoint's bound on concurrent SPARQL requests is what limits its cost."""
        form = job.form or judge(job.query)[0]
        format_key = job.format_for(form)
        if format_key is None:
            raise QueryError(406, not_acceptable(form))
        return Answer(form, self._run(job, form, format_key))

    def _run(self, job: Job, form: str, format_key: str) -> bytes:
        accept = (NTRIPLES if is_graph_form(form) else SPARQL_JSON).media_type
        body = urllib.parse.urlencode({"query": job.query}).encode("utf-8")
        request = urllib.request.Request(self.query_url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            raw = self._send(request, timeout=self.timeout)
        except StoreError as error:
            if error.status == 400:  # the store's parser refused the query
                raise QueryError(400, f"Query syntax error: {error.detail.strip()}") from None
            if error.status is None and "timed out" in str(error).lower():
                raise timed_out(self.timeout) from None
            if error.status in (500, 503) and "timeout" in error.detail.lower():
                raise timed_out(self.timeout) from None
            raise QueryError(502, f"The store failed on this query: {error}") from None
        except (socket.timeout, TimeoutError):
            raise timed_out(self.timeout) from None
        try:
            if is_graph_form(form):
                triples = (quad.triple for quad in ox.parse(raw, format=ox.RdfFormat.N_TRIPLES))
                return write_triples(triples, format_key, job.max_rows, job.prefixes, job.max_bytes)
            results = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
            if isinstance(results, ox.QueryBoolean):
                return write_boolean(bool(results), format_key)
            return write_solutions(results, format_key, job.max_rows, job.max_bytes)
        except (TooManyResults, TooLarge) as error:
            raise QueryError(400, str(error)) from None

    def close(self) -> None:
        """Nothing to stop: the store lives on its own."""
