"""The data's history: which resources were created, changed, removed or merged, and when.

Derived from the git history of the data files (docs/portals.md, "Change feed"): each
commit that touched them is a version, and uncommitted edits are one more version dated by the
files' modification time. Consecutive versions are compared resource by resource (the digest
of every triple about it). Data outside a git work tree has one version: its files as they are.
"""

from __future__ import annotations

import hashlib
import subprocess
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef

from publisher.labels import label_literals
from publisher.lifecycle import lifecycle

CREATED, UPDATED, DELETED, MOVED = "created", "updated", "deleted", "moved"


@dataclass(frozen=True)
class Change:
    iri: URIRef
    kind: str
    when: datetime
    digest: str
    # The resource's names in the version that made the change: what the feed calls it, so an
    # archived feed document does not change when the resource is renamed later.
    names: tuple[Literal, ...] = ()

    @property
    def id(self) -> str:
        """Stable across rebuilds: the same change of the same resource has the same id."""
        key = f"{self.iri} {self.kind} {self.digest} {self.when.isoformat()}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


State = dict[URIRef, tuple[str, str]]  # IRI → (digest, "live" | DELETED | MOVED)


def description_digest(graph: Graph, subject) -> str:
    """The digest of every triple about `subject`, following blank nodes (their labels left
    out: they differ from one parse to the next)."""
    lines, stack, seen = [], [subject], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for _s, p, o in graph.triples((node, None, None)):
            lines.append(f"{p.n3()} {'_:' if isinstance(o, BNode) else o.n3()}")
            if isinstance(o, BNode):
                stack.append(o)
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def states(graph: Graph, base_url: str) -> State:
    """Every local subject with the digest of its description and whether it is still live."""
    ended = lifecycle(graph, base_url)
    result: State = {}
    for subject in set(graph.subjects()):
        if not (isinstance(subject, URIRef) and str(subject).startswith(base_url)):
            continue
        digest = description_digest(graph, subject)
        status = MOVED if subject in ended.moved else DELETED if subject in ended.gone else "live"
        result[subject] = (digest, status)
    return result


def differences(before: State, after: State, when: datetime) -> list[Change]:
    changes = []
    for iri, (digest, status) in after.items():
        old = before.get(iri)
        if status != "live":
            if old is None or old[1] != status:
                changes.append(Change(iri, status, when, digest))
        elif old is None or old[1] != "live":
            changes.append(Change(iri, CREATED, when, digest))
        elif old[0] != digest:
            changes.append(Change(iri, UPDATED, when, digest))
    for iri, (_digest, status) in before.items():
        if iri not in after and status == "live":  # deleted without a tombstone: 404 from now on
            changes.append(Change(iri, DELETED, when, ""))
    return changes


def _git(root: Path, *args: str, text: bool = True):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=text, timeout=120)


def git_root(paths) -> Path | None:
    first = Path(paths[0]).resolve()
    try:
        found = _git(first if first.is_dir() else first.parent, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return None  # no git on this machine
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def _committed_versions(root: Path, relative: list[str], base_url: str):
    """(time, graph) of every commit that touched the data, oldest first."""
    log = _git(root, "log", "--reverse", "--format=%H %cI", "--", *relative)
    for line in log.stdout.splitlines():
        commit, stamp = line.split(" ", 1)
        names = _git(root, "ls-tree", "-r", "--name-only", commit, "--", *relative).stdout.splitlines()
        graph = Graph()
        for name in names:
            if name.endswith(".ttl"):
                blob = _git(root, "show", f"{commit}:{name}", text=False).stdout
                try:
                    graph.parse(data=blob, format="turtle", publicID=base_url)
                except Exception:  # noqa: BLE001 — a version that did not parse was never published
                    graph = None
                    break
        if graph is not None:
            yield datetime.fromisoformat(stamp).astimezone(timezone.utc), graph


def _in_git(paths) -> tuple[Path, list[str]] | None:
    """The work tree that holds every data path, and the paths relative to it; None if none does."""
    root = git_root(paths)
    if root is not None and all(Path(p).resolve().is_relative_to(root) for p in paths):
        return root, [str(Path(p).resolve().relative_to(root)) for p in paths]
    return None


def history_key(paths) -> str:
    """Which commits touched the data (their ids and times, newest first): the same key, the same
    committed versions that `history` reads; empty outside git."""
    found = _in_git(paths)
    return _git(found[0], "log", "--format=%H %cI", "--", *found[1]).stdout if found else ""


def history(paths, current: Graph, base_url: str, modified: datetime, now: State | None = None) -> list[Change]:
    """Every change, newest first. `current` is the data being served (valid), dated `modified`;
    `now`: its states, when the caller has them."""
    changes: list[Change] = []
    before: State = {}
    when = None

    def compare(graph: Graph, state: State, at: datetime) -> None:
        changes.extend(replace(change, names=label_literals(graph, change.iri))
                       for change in differences(before, state, at))

    found = _in_git(paths)
    if found is not None:
        for when, graph in _committed_versions(*found, base_url):
            state = states(graph, base_url)
            compare(graph, state, when)
            before = state
    now = states(current, base_url) if now is None else now
    if when is None or before != now:  # uncommitted edits, or no git history
        compare(current, now, max(modified, when) if when else modified)
    return sorted(changes, key=lambda c: (c.when, str(c.iri)), reverse=True)


def file_modified(files: list[Path]) -> dict[Path, datetime]:
    """When each data file last changed: its last commit, or its mtime if edited since (or not in git)."""
    result = {f: datetime.fromtimestamp(f.stat().st_mtime, tz=timezone.utc) for f in files}
    root = git_root(files) if files else None
    if root is None or not all(f.resolve().is_relative_to(root) for f in files):
        return result
    names = ("-c", "core.quotePath=false")  # file names as they are, not octal-quoted: they must match
    dirty = set(_git(root, *names, "status", "--porcelain", "--untracked-files=all", "--",
                     *map(str, files)).stdout.splitlines())
    dirty_paths = {(root / line[3:]).resolve() for line in dirty}
    # One pass over the log, newest commit first: a file's first appearance is its last change.
    last: dict[Path, datetime] = {}
    stamp = None
    for line in _git(root, *names, "log", "--format=%x00%cI", "--name-only", "--", *map(str, files)).stdout.splitlines():
        if line.startswith("\0"):
            stamp = datetime.fromisoformat(line[1:]).astimezone(timezone.utc)
        elif line:
            last.setdefault((root / line).resolve(), stamp)
    for f in files:
        if f.resolve() not in dirty_paths and f.resolve() in last:
            result[f] = last[f.resolve()]
    return result


def data_modified(files: list[Path]) -> datetime:
    """When the data last changed: the newest of its files' times (file_modified)."""
    return max(file_modified(files).values())
