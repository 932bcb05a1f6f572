"""Content negotiation rules, as a client sees them (RFC 9110 §12.5.1)."""

import pytest

from publisher.negotiate import choose, parse_accept

OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
ALIASES = {"application/json": "application/ld+json", "application/x-turtle": "text/turtle"}


@pytest.mark.parametrize("accept, expected", [
    (None, "text/html"),
    ("", "text/html"),
    ("*/*", "text/html"),
    ("application/*", "application/ld+json"),
    ("application/x-turtle", "text/turtle"),
    ("application/json;q=0.9, text/turtle;q=0.8", "application/ld+json"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("text/*, text/html;q=0", "text/turtle"),
    ("image/png", None),
    ("text/turtle;q=0", None),
    ("text/turtle; q=abc", "text/turtle"),
    ("garbage, ,;;, text/turtle", "text/turtle"),
    ("*/turtle", "text/html"),  # an invalid range is ignored, leaving none: server's choice
])
def test_choose(accept, expected):
    assert choose(accept, OFFERED, ALIASES) == expected


def test_q_values_are_clamped_and_parameters_ignored():
    [only] = parse_accept('text/turtle;charset=utf-8;q=7')
    assert (only.type, only.subtype, only.q) == ("text", "turtle", 1.0)
