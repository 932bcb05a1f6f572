"""Example queries shown on the query page, from site/queries/*.rq (titles in pl and en).

Each file starts with `# pl: title` and `# en: title` comment lines, separated by a blank line:
SPARQLWrapper's comment stripping misses the second of two adjacent comment lines, and would
then read words in it (like "address") as update keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from publisher.config import PROJECT_ROOT

QUERIES = PROJECT_ROOT / "site" / "queries"


@dataclass(frozen=True)
class Example:
    key: str
    titles: dict
    text: str

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or next(iter(self.titles.values()), self.key)


@lru_cache(maxsize=1)
def examples() -> tuple[Example, ...]:
    found = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        titles = {}
        for line in text.splitlines():
            if line.startswith("# ") and ":" in line[:6]:
                lang, _, title = line[2:].partition(":")
                titles[lang.strip()] = title.strip()
        key = path.stem.split("-", 1)[-1]
        found.append(Example(key, titles, text))
    return tuple(found)


def example(key: str) -> Example | None:
    return next((e for e in examples() if e.key == key), None)
