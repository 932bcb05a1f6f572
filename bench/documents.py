"""Where a build's CPU goes: each kind of document, timed on a sample of the resources.

    python bench/documents.py CALENDAR.ttl EVERY   # prints JSON

The calendar is validated and prepared as `build` does (its rdflib copy, the collector frozen);
then every EVERY-th resource (sorted) has each of its documents rendered once, as the build
renders them, in this one process: its description, each RDF format, the HTML page in each
language, and for a main event its calendar in each language and its social image. Page 1 only:
the few resources with several pages of incoming links have more.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from publisher.config import Settings
from publisher.formats import RDF_DOCUMENT_FORMATS
from publisher.preparing import build_snapshot
from publisher.rendering import Rendering


def main(calendar: Path, every: int) -> dict:
    settings = Settings(data_paths=(calendar,), serve_sparql=False)  # the base synth's IRIs assume
    snapshot = build_snapshot(settings, processes=os.cpu_count() or 1, in_memory=True)
    try:
        rendering = Rendering(snapshot)
        resources = sorted(snapshot.resources)
        sample = resources[::every]
        gc.freeze()
        spent: dict[str, float] = defaultdict(float)

        def timed(kind: str, render, *args) -> None:
            started = time.perf_counter()
            render(*args)
            spent[kind] += time.perf_counter() - started

        for iri in sample:
            timed("description", rendering.describe, iri, 1)  # the key the renderers look it up by
            for fmt in RDF_DOCUMENT_FORMATS:
                timed(fmt.label, rendering.document, iri, fmt)
            for lang in snapshot.site.languages:
                timed("HTML", rendering.html, iri, lang)
            if snapshot.is_main_event(iri):
                for lang in snapshot.site.languages:
                    timed("calendar", rendering.calendar, iri, lang)
                timed("social image", rendering.image, iri)
        return {"resources": len(resources), "sampled": len(sample), "every": every,
                "ms_per_resource": {kind: round(seconds / len(sample) * 1000, 3) for kind, seconds in spent.items()}}
    finally:
        snapshot.discard()


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]))))
