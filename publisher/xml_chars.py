"""The characters XML 1.0 can carry, and a way to show the others.

XML 1.0 (5th ed.), production Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
[#x10000-#x10FFFF]. HTML, RDF/XML, the Atom feed and SPARQL XML results are ill-formed with
anything else: C0 controls but tab, LF and CR; U+FFFE and U+FFFF; and lone surrogate halves,
which Turtle's `\\uD800` escape yields in rdflib and which cannot even be encoded as UTF-8.
(Other noncharacters such as U+FDD0 are only discouraged by XML, not forbidden: allowed here.)
"""

from __future__ import annotations

import re

NOT_XML_CHAR = re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# The same class in the syntax of Rust's regex crate, for SPARQL REGEX in pyoxigraph.
NOT_XML_CHAR_RUST = r"[^\t\n\r\x{20}-\x{D7FF}\x{E000}-\x{FFFD}\x{10000}-\x{10FFFF}]"


def visible(text: str) -> str:
    """`text` with each character XML cannot carry written as its escape: printable anywhere."""
    return NOT_XML_CHAR.sub(lambda found: f"\\u{ord(found.group()):04X}", text)
