"""What an incremental `build` renders again, and the record it keeps between builds.

While a resource's documents are rendered, every read of the data is noted (`Reads`): the
subjects it read (a blank node counts as the subject whose description holds it) and the
objects whose incoming links it looked up. After the build, each of those gets a digest (of the
subject's description, of the links to the object), and the record of which resource read what
and wrote which files is kept in OUT/build-state.json. The next build with the same code and
settings compares the digests with the data it has now and renders again only the resources
that are new or read something that changed; every file it writes is compared with the one on
disk first, so what did not change is not touched, and a file no resource writes any more is
deleted. Anything else (another version of the code, other settings, other removed or merged
resources) renders everything again, still writing only the files that differ.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from publisher.config import PROJECT_ROOT, Settings
from publisher.event_kinds import as_of
from publisher.history import State, description_digest, file_modified, history_key
from publisher.load import data_files

STATE_FILE = "build-state.json"
STATE_VERSION = 2
EVERYTHING = "*"  # a read of no subject and no object: the resource depends on all the data
# What renders the documents besides the data: a new version of any renders everything again.
RENDERING_PACKAGES = ("rdflib", "pyoxigraph", "Pillow", "Jinja2", "Babel", "icalendar", "pyld")
VALIDATING_PACKAGES = ("pyshacl",)  # besides rdflib and pyoxigraph: a new version checks again


def term_key(term) -> str:
    """A subject or object as a string that survives JSON: IRIs as <…>, literals as JSON."""
    if isinstance(term, URIRef):
        return f"<{term}"
    return json.dumps([str(term), term.language, str(term.datatype) if term.datatype else None])


def _key_term(key: str):
    if key.startswith("<"):
        return URIRef(key[1:])
    value, language, datatype = json.loads(key)
    return Literal(value, lang=language, datatype=URIRef(datatype) if datatype else None)


class Reads:
    """Notes what rendering reads from `graph` (rdflib's memory store: every lookup of a Graph
    goes through its store's `triples`). Installed in a forked renderer, never in the parent."""

    def __init__(self, graph: Graph):
        self.subjects: set[str] = set()
        self.objects: set[str] = set()
        self.everything = False
        self.owners: dict[BNode, URIRef] = {}  # a blank node → the subject whose description holds it
        store = graph.store
        lookup = store.triples

        def triples(pattern, context=None):
            subject, _predicate, obj = pattern
            if subject is not None:
                owner = self.owners.get(subject) if isinstance(subject, BNode) else subject
                if owner is None:
                    self.everything = True
                else:
                    self.subjects.add(term_key(owner))
                for found in lookup(pattern, context):
                    if owner is not None and isinstance(found[0][2], BNode):
                        self.owners[found[0][2]] = owner
                    yield found
                return
            if obj is None:
                self.everything = True
            elif isinstance(obj, BNode):  # the links to a blank node are in its owner's description
                owner = self.owners.get(obj)
                if owner is None:
                    self.everything = True
                else:
                    self.subjects.add(term_key(owner))
            else:
                self.objects.add(term_key(obj))
            yield from lookup(pattern, context)

        store.triples = triples

    def start(self) -> None:
        self.subjects, self.objects, self.everything = set(), set(), False

    def keys(self) -> tuple[list[str], list[str], bool]:
        return sorted(self.subjects), sorted(self.objects), self.everything


def links_digest(graph: Graph, obj) -> str:
    """The digest of every link to `obj` (blank nodes' labels left out)."""
    lines = sorted(f"{'_:' if isinstance(s, BNode) else s.n3()} {p.n3()}" for s, p in graph.subject_predicates(obj))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def key_digest(graph: Graph, key: str, descriptions: State | None = None) -> str:
    """A subject key's description digest ("s" + term), an object key's links digest ("o" + term).
    `descriptions`: the resources' description digests already known (publisher.history.states)."""
    term = _key_term(key[1:])
    if key[0] == "o":
        digest = links_digest(graph, term)
    else:
        known = descriptions.get(term) if descriptions is not None else None
        digest = known[0] if known is not None else description_digest(graph, term)
    return digest[:16]  # 64 bits: a collision in one build's few hundred thousand keys is out of reach


def _files_digest(paths) -> hashlib._Hash:
    digest = hashlib.sha256()
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root] if root.exists() else []
        for path in files:
            if "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes())
    return digest


def _code_digest(settings: Settings) -> hashlib._Hash:
    """The code and templates, the packages that render, the settings and site description."""
    description = settings.site_description
    digest = _files_digest([PROJECT_ROOT / "publisher", PROJECT_ROOT / "site", description,
                            description.parent / "translations"])
    digest.update(json.dumps([STATE_VERSION, sys.version, _versions(RENDERING_PACKAGES), repr(settings)]).encode())
    return digest


def _versions(packages: tuple[str, ...]) -> list[str]:
    found = []
    for package in packages:
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            found.append(package)
    return found


def context_key(settings: Settings, snapshot) -> str:
    """What every document depends on besides its own reads: the code and settings
    (`_code_digest`), the home event (every page links it), the data files, the removed and
    merged resources and each subject's graph name. Another key renders everything again."""
    digest = _code_digest(settings)
    lifecycle = snapshot.lifecycle
    digest.update(json.dumps([str(snapshot.home),
                              sorted(map(str, snapshot.part_datasets)), sorted(map(str, lifecycle.gone)),
                              sorted((str(a), str(b)) for a, b in lifecycle.moved.items()),
                              sorted((str(a), str(b)) for a, b in snapshot.graph_names.items())]).encode())
    return digest.hexdigest()


@dataclass
class Unit:
    """What is rendered together and read together: one page of a resource's documents (in
    every format and language), or an event's calendars."""
    files: list[str]
    keys: list[str]
    everything: bool

    def stale(self, changed: set[str]) -> bool:
        return (self.everything and bool(changed)) or not changed.isdisjoint(self.keys)

    def saved(self, index: dict[str, int]) -> list:
        return [self.files, [index[k] for k in self.keys], self.everything]

    @classmethod
    def loaded(cls, raw: list, keys: list[str]) -> "Unit":
        return cls(raw[0], [keys[i] for i in raw[1]], raw[2])


@dataclass
class Record:
    """One resource's last render: each page of its documents (a much-linked venue has
    hundreds, and one changed event is named on one of them), its calendars, and the day its
    page was for."""
    pages: list[Unit]
    calendars: Unit
    last_day: str | None  # an event's last day (publisher.event_kinds.as_of), ISO
    as_of: str | None

    def current(self, today: date) -> bool:
        """Whether its pages are those of `today` (an upcoming event's page changes daily)."""
        if self.last_day is None:
            return True
        day = as_of(date.fromisoformat(self.last_day), today)
        return (day.isoformat() if day else None) == self.as_of

    def units(self) -> list[Unit]:
        return [*self.pages, self.calendars]


@dataclass
class BuildState:
    context: str
    modified: str  # the data's modification time: calendars carry it (DTSTAMP)
    digests: dict[str, str] = field(default_factory=dict)  # key → digest at that build
    resources: dict[str, Record] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)  # every file not of a resource
    # The change feed's full archives written, by number: the digest of what each was rendered from.
    archives: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path, context: str) -> "BuildState | None":
        """The last build's record in `out`; None when there is none or it was built otherwise."""
        path = out / STATE_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if raw.get("context") != context:
            return None
        keys = raw["keys"]
        resources = {iri: Record(pages=[Unit.loaded(u, keys) for u in r[0]], calendars=Unit.loaded(r[1], keys),
                                 last_day=r[2], as_of=r[3]) for iri, r in raw["resources"].items()}
        return cls(context=context, modified=raw["modified"], digests=dict(zip(keys, raw["digests"])),
                   resources=resources, others=raw["others"],
                   archives={int(number): digest for number, digest in raw["archives"].items()})

    def save(self, out: Path) -> None:
        keys = sorted(self.digests)
        index = {key: n for n, key in enumerate(keys)}
        resources = {iri: [[u.saved(index) for u in r.pages], r.calendars.saved(index), r.last_day, r.as_of]
                     for iri, r in sorted(self.resources.items())}
        path = out / STATE_FILE
        body = json.dumps({"context": self.context, "modified": self.modified, "keys": keys,
                           "digests": [self.digests[k] for k in keys], "resources": resources,
                           "others": self.others, "archives": self.archives}, separators=(",", ":")).encode()
        if path.exists() and path.read_bytes() == body:
            return  # a build that changed nothing writes nothing
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(body)
        os.replace(temporary, path)  # a build stopped half-way leaves the last whole record

    def files(self) -> set[str]:
        """Every file this build wrote: the resources' and the others."""
        return {*self.others, *(name for record in self.resources.values() for unit in record.units()
                                for name in unit.files)}

    def changed_keys(self, graph: Graph, descriptions: State | None) -> set[str]:
        """The keys whose digest differs in `graph` (the new data) from the last build's."""
        changed = set()
        for key, digest in self.digests.items():
            now = key_digest(graph, key, descriptions)
            if now != digest:
                changed.add(key)
            self.digests[key] = now
        return changed


INPUTS_FILE = "build-inputs.json"


@dataclass(frozen=True)
class Inputs:
    """Digests of what a build reads, taken before it reads it. `checked`: what validation
    depends on (the data files' names and bytes, the shapes, the code, packages and settings);
    `whole`: what the export depends on besides the day (those, and the data's dates and
    history, where nginx listens, the export's folder). Kept in OUT beside the build's record
    once the export is whole, removed before a build writes anything: a build stopped half-way
    is never taken for a finished one."""
    checked: str
    whole: str

    @classmethod
    def of(cls, settings: Settings, public: Path, listen: str) -> "Inputs":
        files = data_files(settings.data_paths)
        digest = _code_digest(settings)
        for path in files:  # every byte: a file edited, added or removed is validated again
            try:
                body = path.read_bytes()
            except OSError:
                body = None  # the build then says why it cannot read it
            digest.update(json.dumps([str(path.resolve()), len(body) if body is not None else None]).encode())
            digest.update(body or b"")
        digest.update(_files_digest([settings.shapes_path]).digest())
        digest.update(json.dumps(_versions(VALIDATING_PACKAGES)).encode())
        checked = digest.hexdigest()
        present = [path for path in files if path.is_file()]
        dates = sorted((str(path), when.isoformat()) for path, when in file_modified(present).items())
        whole = hashlib.sha256(json.dumps([checked, dates, history_key(settings.data_paths), listen,
                                           str(public.resolve())]).encode()).hexdigest()
        return cls(checked, whole)

    @staticmethod
    def last(out: Path) -> dict:
        """What the last whole build recorded: its inputs, the last day its pages are for
        (`until`: None, any day) and how many resources it wrote; {} if none."""
        try:
            return json.loads((out / INPUTS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def unchanged(self, out: Path, today: date) -> int | None:
        """The resources of the last build when its export is exactly what this one would write."""
        last = self.last(out)
        if last.get("whole") != self.whole or (last["until"] is not None and today.isoformat() > last["until"]):
            return None
        return last["resources"] if (out / "public").is_dir() else None

    def validated(self, out: Path) -> bool:
        """Whether the last whole build validated these very bytes with the same shapes and code."""
        return self.last(out).get("checked") == self.checked

    def save(self, out: Path, state: "BuildState") -> None:
        # An upcoming event's page is rendered for the day of the build (publisher.event_kinds.as_of).
        days = [r.as_of for r in state.resources.values() if r.last_day and r.as_of and r.as_of <= r.last_day]
        (out / INPUTS_FILE).write_text(json.dumps({"checked": self.checked, "whole": self.whole,
                                                   "until": min(days, default=None),
                                                   "resources": len(state.resources)}), encoding="utf-8")

    @staticmethod
    def forget(out: Path) -> None:
        (out / INPUTS_FILE).unlink(missing_ok=True)


@dataclass(frozen=True)
class Work:
    """What to render of one resource: `pages` of its documents (None: every page; beyond
    `known` pages, the last build had none, so those are rendered too), its calendars or not."""
    iri: str
    pages: tuple[int, ...] | None
    known: int
    calendars: bool


def to_render(state: BuildState | None, resources: list[str], rendering, modified: str,
              today: date) -> tuple[list[Work], list[str]]:
    """What to render again, and the resources whose calendars only need the data's new time
    (their DTSTAMP; publisher.represent.calendar.restamp). The publication's own documents are
    rendered every time: they are few and read no data."""
    if state is None:
        return [Work(iri, None, 0, True) for iri in resources], []
    changed = state.changed_keys(rendering.snapshot.graph, rendering.snapshot.described)
    work, stamp_only = [], []
    for iri in resources:
        record = state.resources.get(iri)
        if record is None or not record.current(today) or rendering.of_the_publication(URIRef(iri)):
            work.append(Work(iri, None, 0, True))
            continue
        pages = tuple(n for n, unit in enumerate(record.pages, 1) if unit.stale(changed))
        calendars = bool(record.calendars.files) and record.calendars.stale(changed)
        if pages or calendars:
            work.append(Work(iri, pages, len(record.pages), calendars))
        if record.calendars.files and not calendars and modified != state.modified:
            stamp_only.append(iri)
    return work, stamp_only
