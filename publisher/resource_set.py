"""The IRIs a snapshot serves, kept small: every serving worker asks "is this a resource?" on
each request, and at 100,000 events the 445,000 IRIs as Python strings took ~70 MB a worker.

The data's IRIs are held as sorted 64-bit digests (~3.5 MB there); the few IRIs of the VoID
and catalog graphs and the exclusions as they are. A wrong "yes" needs two IRIs of the data to
share 64 bits of BLAKE2b (odds ~10⁻¹⁴ a request); the full list, for the sitemap and the static
export, is read again from the data when asked for.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from hashlib import blake2b

from rdflib import URIRef


def digest(iri: str) -> int:
    return int.from_bytes(blake2b(iri.encode("utf-8"), digest_size=8).digest(), "little")


def digests(iris: Iterable[str]) -> array:
    """The sorted digests of `iris`: compact to keep and to hand from one process to another."""
    return array("Q", sorted({digest(iri) for iri in iris}))


class ResourceSet:
    """(the data's IRIs ∪ `extra`) − `excluded`, the data's given as `digests(...)`; `listing`
    names the data's IRIs again, each once, when they are enumerated."""

    def __init__(self, data: array, extra: Iterable[URIRef], excluded: Iterable[URIRef],
                 listing: Callable[[], Iterable[URIRef]]):
        self._data = data
        self._excluded = frozenset(excluded)
        self._extra = frozenset(extra) - self._excluded
        self._listing = listing
        extra_only = sum(1 for iri in self._extra if not self._in_data(iri))
        excluded_data = sum(1 for iri in self._excluded if self._in_data(iri))
        self._length = len(data) + extra_only - excluded_data

    def _in_data(self, iri: str) -> bool:
        value = digest(iri)
        i = bisect_left(self._data, value)
        return i < len(self._data) and self._data[i] == value

    def __contains__(self, iri: object) -> bool:
        if not isinstance(iri, str) or iri in self._excluded:
            return False
        return iri in self._extra or self._in_data(iri)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[URIRef]:
        yield from self._extra
        for iri in self._listing():
            if iri not in self._extra and iri not in self._excluded:
                yield iri
