"""HTTP content negotiation on Accept (RFC 9110 §12.5.1), in one tested function.

For each offered type the most specific matching media range gives its q-value; q=0 rules a
type out; among equal q-values the server's order of preference wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What counts as a q-value; anything else (nan, inf, words) counts as 1, as in negotiate.js.
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int | None:
        """How precisely this range matches `media_type` (2 exact, 1 type/*, 0 */*), or None."""
        wanted_type, _, wanted_subtype = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != wanted_type:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == wanted_subtype else None


def parse_accept(header: str | None) -> list[MediaRange]:
    """Media ranges of an Accept header; malformed parts are skipped, a bad q counts as 1."""
    ranges = []
    for part in (header or "").split(","):
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
    aliases = aliases or {}
    best, best_q = None, 0.0
    for media_type in offered:
        names = [media_type] + [alias for alias, target in aliases.items() if target == media_type]
        q = _quality(ranges, names)
        if q > best_q:
            best, best_q = media_type, q
    return best


def _quality(ranges: list[MediaRange], names: list[str]) -> float:
    """q of the most specific range matching the type (ties: the higher q).

    names[0] is the offered type; the others are aliases, which count only when named exactly:
    `application/*` must not reach Turtle through `application/x-turtle`.
    """
    best_specificity, q = -1, 0.0
    for index, name in enumerate(names):
        for media_range in ranges:
            specificity = media_range.specificity(name)
            if specificity is None or (index > 0 and specificity < 2):
                continue
            if specificity > best_specificity or (specificity == best_specificity and media_range.q > q):
                best_specificity, q = specificity, media_range.q
    return q
