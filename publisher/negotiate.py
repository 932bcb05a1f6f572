"""HTTP content negotiation on Accept (RFC 9110 §12.5.1), in one tested function.

For each offered type the most specific matching media range gives its q-value; q=0 rules a
type out; among equal q-values the server's order of preference wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, wraps

# What counts as a q-value; anything else (nan, inf, words) counts as 1, as in negotiate.js.
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


# A cache of negotiation results keeps headers up to this long (as clients send them: a
# browser's Accept is ~100-200 bytes), so its keys hold at most CACHE_SIZE × this many bytes.
CACHED_HEADER_LENGTH = 512
CACHE_SIZE = 4096


def cached_for_short_headers(function):
    """`function` with an LRU cache of CACHE_SIZE results for arguments no longer than
    CACHED_HEADER_LENGTH; longer ones (a client's oddity or an attack) are worked out each time."""
    cached = lru_cache(maxsize=CACHE_SIZE)(function)

    @wraps(function)
    def lookup(*args):
        if any(isinstance(arg, str) and len(arg) > CACHED_HEADER_LENGTH for arg in args):
            return function(*args)
        return cached(*args)

    lookup.cache_info, lookup.cache_clear = cached.cache_info, cached.cache_clear
    return lookup


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an Accept header; malformed parts are skipped, a bad q counts as 1."""
    ranges = []
    for part in dict.fromkeys((header or "").split(",")):  # a part said twice says nothing new
        media, *params = [p.strip() for p in part.split(";")]
        media = media.lower()
        if "/" not in media:
            continue
        type_, _, subtype = media.partition("/")
        if not type_ or not subtype or (type_ == "*" and subtype != "*"):
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                value = value.strip()
                q = min(max(float(value), 0.0), 1.0) if _NUMBER.match(value) else 1.0
        ranges.append(MediaRange(type_, subtype, q))
    return ranges


def choose(accept: str | None, offered: list[str], aliases: dict[str, str] | None = None) -> str | None:
    """The offered media type the client prefers most, or None when none is acceptable.

    `offered` is in the server's order of preference. `aliases` maps a type a client may ask for
    to the offered type that serves it (application/json → application/ld+json).
    """
    if not accept or not accept.strip():
        return offered[0] if offered else None
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0] if offered else None
    accepted = _Accepted(ranges)
    aliases = aliases or {}
    best, best_q = None, 0.0
    for media_type in offered:
        names = [media_type] + [alias for alias, target in aliases.items() if target == media_type]
        q = accepted.quality(names)
        if q > best_q:
            best, best_q = media_type, q
    return best


class _Accepted:
    """The media ranges indexed by what they match, so that weighing an offered type costs the
    same however long the header is (each type looks up three keys, not every range)."""

    def __init__(self, ranges: list[MediaRange]):
        self.exact: dict[tuple[str, str], float] = {}
        self.by_type: dict[str, float] = {}
        self.anything: float | None = None
        for r in ranges:  # for equally specific ranges the higher q counts
            if r.type == "*":
                self.anything = max(r.q, self.anything if self.anything is not None else 0.0)
            elif r.subtype == "*":
                self.by_type[r.type] = max(r.q, self.by_type.get(r.type, 0.0))
            else:
                self.exact[r.type, r.subtype] = max(r.q, self.exact.get((r.type, r.subtype), 0.0))

    def quality(self, names: list[str]) -> float:
        """q of the most specific range matching the type (ties: the higher q).

        names[0] is the offered type; the others are aliases, which count only when named exactly:
        `application/*` must not reach Turtle through `application/x-turtle`.
        """
        found = []  # (specificity: 2 exact, 1 type/*, 0 */*; q)
        for index, name in enumerate(names):
            type_, _, subtype = name.partition("/")
            if (type_, subtype) in self.exact:
                found.append((2, self.exact[type_, subtype]))
            if index == 0 and type_ in self.by_type:
                found.append((1, self.by_type[type_]))
        if self.anything is not None:
            found.append((0, self.anything))
        return max(found)[1] if found else 0.0
