"""The command line: thin wrappers that call the modules doing the work."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from publisher.config import (DEFAULT_DATA, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SHAPES, DEFAULT_SITE_DESCRIPTION,
                              Handover, Settings, default_base_url, normalise_base_url)
from publisher.i18n import N_, shipped_languages, translations
from publisher.load import DataError, load_stored
from publisher.validate import load_shapes, validate

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
EXIT_NOT_SERVING = 1  # serve: the address cannot be listened on
REPORT_LANGUAGES = shipped_languages()


def data_options(command):
    """The options every command that publishes the data shares."""
    for option in reversed([
        click.option("--data", "data_paths", multiple=True, type=click.Path(path_type=Path),
                     help="Data file or folder (repeatable; default: data/)."),
        click.option("--shapes", "shapes_path", type=click.Path(path_type=Path), default=DEFAULT_SHAPES,
                     show_default=True, help="SHACL shapes file or folder."),
        click.option("--site-description", type=click.Path(path_type=Path), default=DEFAULT_SITE_DESCRIPTION,
                     show_default=True, help="The site's name, publisher, licence and languages (Turtle)."),
        click.option("--license", "license_url", default=None,
                     help="Licence of the dataset, as an IRI (default: the site description's; review it)."),
        click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="pl", show_default=True,
                     help="Language of the validation report if the data is refused."),
    ]):
        command = option(command)
    return command


def refuse_bad_data(action):
    """Runs `action`; bad data ends the command with its report and exit status 2 or 1."""
    from publisher.preparing import Refused, unless_refused

    def run(lang: str):
        outcome = unless_refused(action, lang)
        if not isinstance(outcome, Refused):
            return outcome
        click.echo(outcome.text, err=True)
        if outcome.unreadable:
            sys.exit(EXIT_UNREADABLE)
        click.echo(translations(lang).gettext("Refused: the data does not conform."), err=True)
        sys.exit(EXIT_INVALID)
    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Publish the event data as linked open data."""


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--shapes", "shapes_path", type=click.Path(path_type=Path), default=DEFAULT_SHAPES,
              show_default=True, help="SHACL shapes file or folder.")
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="pl", show_default=True,
              help="Language of the report.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for machines.")
@click.option("--base-url", default=None, help="Base URL for relative IRIs (default: the serve default).")
@click.option("--site-description", type=click.Path(path_type=Path), default=DEFAULT_SITE_DESCRIPTION,
              show_default=True, help="The site description, whose languages names and descriptions need.")
def validate_command(files, shapes_path, lang, output, base_url, site_description) -> None:
    """Check data files (default: data/) against the SHACL shapes.

    Exit status: 0 conforms, 1 violations found, 2 a file cannot be read or parsed.
    """
    from publisher.site import required_languages

    base = normalise_base_url(base_url or default_base_url())
    try:
        data = load_stored(list(files) or [DEFAULT_DATA], base)
        shapes = load_shapes(shapes_path, required_languages(site_description, base))
    except DataError as error:
        _report_unreadable(error, output)
        sys.exit(EXIT_UNREADABLE)
    report = validate(data, shapes, lang=lang, processes=os.cpu_count() or 1)
    click.echo(report.to_json() if output == "json" else report.to_text(lang))
    sys.exit(EXIT_OK if report.conforms else EXIT_INVALID)


def _report_unreadable(error: DataError, output: str) -> None:
    if output == "json":
        import json

        click.echo(json.dumps({"conforms": False, "error": {
            "file": str(error.path), "line": error.line, "column": error.column, "message": error.message,
        }}, ensure_ascii=False, indent=2))
    else:
        click.echo(str(error), err=True)


@main.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to listen on.")
@click.option("--base-url", default=None,
              help="Base URL of the IRIs (default: http://HOST:PORT/, so IRIs dereference here).")
@data_options
@click.option("--query-timeout", default=10.0, show_default=True, type=float,
              help="Seconds a SPARQL query may run before it is stopped.")
@click.option("--max-result-rows", default=10000, show_default=True, type=int,
              help="Most rows (or triples) a SPARQL result may have.")
@click.option("--query-workers", default=2, show_default=True, type=int,
              help="SPARQL worker processes per server worker, started with it.")
@click.option("--query-workers-max", default=6, show_default=True, type=int,
              help="SPARQL worker processes per server worker, started on demand under load.")
@click.option("--query-cpu", type=click.FloatRange(min=0), default=None,
              help="Cores the SPARQL workers may use together, a hard bound (Linux cgroup v1 cpu controller; "
                   "0: none). Where no group can be made the server says why and runs without.  "
                   "[default: half the cores]")
@click.option("--max-result-bytes", default=16 * 1024 * 1024, show_default=True, type=int,
              help="Largest SPARQL result, in bytes as written; a larger one is refused (400).")
@click.option("--result-cache-mb", default=64, show_default=True, type=int,
              help="MiB of SPARQL results kept per server worker to answer repeated queries (0: off).")
@click.option("--store", "store_url", default=None,
              help="A remote SPARQL 1.1 store's query URL (e.g. Oxigraph's http://host:7878/query): "
                   "the data is loaded into it, and every query runs there.")
@click.option("--graph-store", "graph_store_url", default=None,
              help="The store's Graph Store Protocol URL (default: Oxigraph's …/store, Virtuoso's "
                   "…/sparql-graph-crud-auth).")
@click.option("--store-engine", type=click.Choice(["oxigraph", "virtuoso"]), default="oxigraph", show_default=True,
              help="The remote store's engine, where engines answer differently (oxigraph: also any store that "
                   "follows the SPARQL 1.1 protocols to the letter, such as Fuseki).")
@click.option("--reload-interval", default=2.0, show_default=True, type=float,
              help="Seconds between looks at the data files; a valid change is served, an invalid one "
                   "is logged and the last valid data keeps serving (0: off).")
@click.option("--catalog-page-size", default=100, show_default=True, type=int,
              help="Datasets a page of the catalog lists (Hydra paging beyond).")
@click.option("--workers", default=2, show_default=True, type=int, help="Worker processes.")
@click.option("--threads", default=32, show_default=True, type=int, help="Threads per worker.")
@click.option("--sparql-requests", type=int, default=None,
              help="SPARQL requests a worker handles at once, each holding a thread; more get 503 at once, "
                   "so pages keep the other threads.  [default: a third of --threads]")
def serve_command(host, port, base_url, data_paths, shapes_path, site_description, license_url, query_timeout,
                  max_result_rows, query_workers, query_workers_max, query_cpu, max_result_bytes, result_cache_mb, store_url,
                  graph_store_url, store_engine, reload_interval, catalog_page_size, workers, threads, sparql_requests,
                  lang) -> None:
    """Validate the data, then serve it as linked data (HTML pages, RDF documents, dumps, SPARQL)."""
    from dataclasses import replace

    from publisher.load import fingerprint, release_freed_memory
    from publisher.server import PortClaim, PortUnavailable, run
    from publisher.site import read_site
    from publisher.preparing import check_data

    try:
        claim = PortClaim(host, port)
    except PortUnavailable as refused:
        click.echo(f"Not serving: {refused}", err=True)
        sys.exit(EXIT_NOT_SERVING)

    if base_url is None and host in ("0.0.0.0", "::"):
        click.echo(f"Note: listening on {host}; pass --base-url with the public address, "
                   "or IRIs will not dereference from other machines.", err=True)
    settings = Settings(base_url=base_url or default_base_url(host, port),
                        data_paths=tuple(data_paths) or (DEFAULT_DATA,),
                        shapes_path=shapes_path, site_description=site_description, license=license_url,
                        query_timeout=query_timeout, max_result_rows=max_result_rows, query_workers=query_workers,
                        query_workers_max=query_workers_max, max_result_bytes=max_result_bytes,
                        result_cache_mb=result_cache_mb, sparql_requests=sparql_requests or max(1, threads // 3),
                        reload_interval=reload_interval, catalog_page_size=catalog_page_size)
    # Only validate here: the workers build their own stores, and must not inherit one by fork.
    # They load the files just validated without validating them again (same fingerprint).
    handover = Handover(validated=fingerprint(settings.data_paths))
    # The workers read the site description: a broken one is refused here, before they start.
    refuse_bad_data(lambda: read_site(settings.site_description, settings.base_url, settings.license))(lang)
    data = refuse_bad_data(lambda: check_data(settings, lang=lang, processes=os.cpu_count() or 1))(lang)
    if store_url:
        settings = _load_into_store(replace(settings, store_url=store_url, graph_store_url=graph_store_url,
                                            store_engine=store_engine), data)
    files = f"{len(data.files)} file" + ("s" if len(data.files) != 1 else "")
    click.echo(f"Serving {data.triple_count()} triples from {files} at {settings.base_url} (Ctrl+C stops).", err=True)
    del data  # the workers read the files themselves: what validating them took goes back
    release_freed_memory()
    run(settings, _bound_queries(handover, query_cpu), host, port, workers, threads, claim)


def _bound_queries(handover, cores: float | None):
    """The handover with the query workers' CPU bound, if one can be made; an explicit bound that
    cannot be made stops the server, the default one is only noted as missing."""
    from dataclasses import replace

    from publisher.sparql.cpu_bound import CpuGroup, Unavailable, default_cores

    if cores == 0:
        return handover
    try:
        group = CpuGroup.create(cores or default_cores())
    except Unavailable as missing:
        if cores is not None:
            click.echo(f"Not serving: --query-cpu {cores:g} cannot be applied: {missing}.", err=True)
            sys.exit(EXIT_NOT_SERVING)
        click.echo(f"Note: the SPARQL workers' CPU is not bounded ({missing}); they run at a lower priority.",
                   err=True)
        return handover
    cores = group.cores()
    click.echo(f"SPARQL workers may use {cores:g} {'core' if cores == 1 else 'cores'} together ({group.path}).",
               err=True)
    return replace(handover, query_cgroup=str(group.path))


@main.command("build")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--base-url", required=True, help="Base URL the export will be served at (its IRIs).")
@data_options
@click.option("--sparql-endpoint", default=None,
              help="An external SPARQL endpoint to name in VoID, the catalog and pages (default: none).")
@click.option("--listen", default=None, help="nginx listen address (default: the base URL's port).")
@click.option("--catalog-page-size", default=100, show_default=True, type=int,
              help="Datasets a page of the catalog lists (Hydra paging beyond).")
@click.option("--watch", is_flag=True,
              help="Build again whenever the data changes (Ctrl+C stops); refused data keeps the last good output.")
def build_command(out, base_url, data_paths, shapes_path, site_description, license_url, sparql_endpoint, listen,
                  catalog_page_size, lang, watch) -> None:
    """Write every representation of every resource into OUT, with an nginx config that negotiates.
    Into the output of an earlier build, only what changed is written."""
    import os as _os
    from urllib.parse import urlsplit

    from publisher.export.build import build, watch_data

    settings = Settings(base_url=base_url, data_paths=tuple(data_paths) or (DEFAULT_DATA,),
                        shapes_path=shapes_path, site_description=site_description, license=license_url,
                        serve_sparql=False,
                        external_sparql=sparql_endpoint, catalog_page_size=catalog_page_size)
    parts = urlsplit(settings.base_url)
    listen = listen or str(parts.port or (443 if parts.scheme == "https" else 80))
    progress = sys.stderr.isatty() and not _os.environ.get("CI")

    def built(outcome, seconds: float) -> None:
        if outcome.reused:
            kept = (": nothing changed since the last build (data files, their history, settings, code), "
                    "so nothing was validated or rendered again")
        else:
            kept = "" if outcome.validated else " (the data files' bytes are the last build's: not validated again)"
        click.echo(f"Wrote {outcome.written} files for {outcome.resources} resources to {out}/public in "
                   f"{seconds:.1f} s{kept}; nginx config in {out}/nginx (nginx -p {out}/nginx -c nginx.conf).",
                   err=True)

    if watch:
        from publisher.preparing import Refused

        def report(outcome, seconds: float) -> None:
            if isinstance(outcome, Refused):
                click.echo(outcome.text, err=True)
                click.echo(translations(lang).gettext("Refused: the data does not conform.") +
                           f" {out}/public is left as it was; waiting for the data to change.", err=True)
            else:
                built(outcome, seconds)

        click.echo(f"Watching {', '.join(map(str, settings.data_paths))} (Ctrl+C stops).", err=True)
        try:
            watch_data(settings, lambda: build(settings, out, listen, progress, lang), lang, report)
        except KeyboardInterrupt:
            return
        return
    started = time.monotonic()
    built(refuse_bad_data(lambda: build(settings, out, listen, progress, lang))(lang), time.monotonic() - started)


@main.command("synth")
@click.option("--events", default=1000, show_default=True, type=int, help="How many events.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed: the same seed, the same file.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output file (default: synthetic/city-EVENTS-seed-SEED.ttl), its site description beside it "
                   "(….site.ttl). Never inside data/.")
def synth_command(events, seed, out) -> None:
    """Generate a deterministic synthetic city calendar (labelled synthetic) for scale tests,
    and a site description that names the site after the synthetic city."""
    from publisher.synth import site_path, write_synthetic

    out = out or Path("synthetic") / f"city-{events}-seed-{seed}.ttl"
    try:
        path = write_synthetic(events, seed, out, DEFAULT_DATA)
    except ValueError as error:
        click.echo(f"Refused: {error}", err=True)
        sys.exit(EXIT_UNREADABLE)
    click.echo(f"Wrote {events} synthetic events to {path}, its site description to {site_path(path)}", err=True)


def _load_into_store(settings, data):
    """Put the validated data into the remote store (Graph Store Protocol) before workers start."""
    from dataclasses import replace

    from publisher.preparing import publish_to_store
    from publisher.store.remote import RemoteStore, StoreError

    try:
        publish_to_store(settings, data)
    except StoreError as error:
        click.echo(f"Not serving: {error}", err=True)
        sys.exit(EXIT_UNREADABLE)
    graph_store_url = RemoteStore.from_settings(settings).graph_store_url
    click.echo(f"Loaded {data.triple_count()} triples into {graph_store_url}", err=True)
    return replace(settings, graph_store_url=graph_store_url)


@main.group("import")
def import_group() -> None:
    """Import events from an iCalendar feed or a CSV file into a folder of their own."""


def import_options(command):
    """The options both imports share."""
    for option in reversed([
        click.option("--into", type=click.Path(path_type=Path), required=True,
                     help="The folder the imported events are kept in (one file an event), e.g. data/city/."),
        click.option("--source-url", default=None,
                     help="The public http(s) address of the source, named as every fact's dct:source "
                          "(default: SOURCE when it is a URL)."),
        click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="pl", show_default=True,
                     help="Language of the source's text, and of the summary."),
        click.option("--force", is_flag=True, help="Overwrite files in --into not written by an import of this "
                                                   "source, or edited since."),
        click.option("--base-url", default=None, help="Base URL for relative IRIs (default: the serve default)."),
        click.option("--shapes", "shapes_path", type=click.Path(path_type=Path), default=DEFAULT_SHAPES,
                     show_default=True, help="SHACL shapes the imported data must conform to."),
        click.option("--site-description", type=click.Path(path_type=Path), default=DEFAULT_SITE_DESCRIPTION,
                     show_default=True, help="The site description, whose languages names and descriptions need."),
    ]):
        command = option(command)
    return command


@import_group.command("ical")
@click.argument("source")
@import_options
@click.option("--from", "window_start", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day of the window recurring events are expanded in (default: today).")
@click.option("--days", default=365, show_default=True, type=int, help="Length of that window, in days.")
@click.option("--max-size", default=20, show_default=True, type=int, help="Largest feed accepted, in MB.")
def import_ical_command(source, into, source_url, lang, force, base_url, shapes_path, site_description,
                        window_start, days, max_size) -> None:
    """Import an iCalendar feed (a file or an http(s) URL): one event a VEVENT, one a recurring
    event's occurrence inside the window.

    Exit status: 0 imported, 1 imported but some events refused, 2 nothing imported."""
    from datetime import date, timedelta

    from publisher.importing.ical import read_ical, read_source

    start = window_start.date() if window_start else date.today()
    _run_import(lambda: read_ical(read_source(source, max_size * 2**20), source, lang,
                                  (start, start + timedelta(days=days))),
                source, into, source_url, lang, force, base_url, shapes_path, site_description, start)


@import_group.command("csv")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--metadata", type=click.Path(path_type=Path), required=True,
              help="The CSVW metadata (JSON) that maps the columns to schema.org (template in docs/).")
@import_options
def import_csv_command(file, metadata, into, source_url, lang, force, base_url, shapes_path,
                       site_description) -> None:
    """Import a CSV file whose columns a CSVW metadata document describes: one event a row.

    Exit status: 0 imported, 1 imported but some rows refused, 2 nothing imported."""
    from publisher.importing.csvw import read_csv

    _run_import(lambda: read_csv(file, metadata, lang), str(file), into, source_url, lang, force, base_url,
                shapes_path, site_description, None)


def _run_import(read, source, into, source_url, lang, force, base_url, shapes_path, site_description,
                keep_before) -> None:
    from datetime import date

    from publisher.importing.model import WEB_IRI
    from publisher.importing.report import summary_text
    from publisher.importing.writer import ImportRefused, write_import
    from publisher.site import required_languages

    _ = translations(lang).gettext
    source_url = source_url or source
    base = normalise_base_url(base_url or default_base_url())

    def progress(done: int, total: int) -> None:
        click.echo(_("%(done)d of %(total)d events") % {"done": done, "total": total}, err=True)

    try:
        if not WEB_IRI.match(source_url):
            raise ImportRefused(N_("give --source-url, the public http(s) address of %(source)s: every imported "
                                  "fact names its source"), source=source)
        shapes = load_shapes(shapes_path, required_languages(site_description, base))
        events, refused = read()
        summary = write_import(events, refused, into, source_url, today=date.today(), base_url=base,
                               shapes=shapes, lang=lang, force=force, keep_before=keep_before, progress=progress)
    except DataError as error:
        _report_unreadable(error, "text")
        sys.exit(EXIT_UNREADABLE)
    except ImportRefused as refused:
        if refused.report is not None:
            click.echo(refused.report.to_text(lang), err=True)
        click.echo(_("Not imported: %s") % (_(refused.message) % refused.params), err=True)
        sys.exit(EXIT_UNREADABLE)
    click.echo(summary_text(summary, lang))
    sys.exit(EXIT_INVALID if summary.refused else EXIT_OK)
