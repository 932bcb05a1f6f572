"""The command line: thin wrappers that call the modules doing the work."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from publisher.config import DEFAULT_DATA, DEFAULT_SHAPES, default_base_url, normalise_base_url
from publisher.load import DataError, load
from publisher.validate import load_shapes, validate

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Publish the event data as linked open data."""


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--shapes", "shapes_path", type=click.Path(path_type=Path), default=DEFAULT_SHAPES,
              show_default=True, help="SHACL shapes file or folder.")
@click.option("--lang", type=click.Choice(["pl", "en"]), default="pl", show_default=True,
              help="Language of the report.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for machines.")
@click.option("--base-url", default=None, help="Base URL for relative IRIs (default: the serve default).")
def validate_command(files, shapes_path, lang, output, base_url) -> None:
    """Check data files (default: data/) against the SHACL shapes.

    Exit status: 0 conforms, 1 violations found, 2 a file cannot be read or parsed.
    """
    base = normalise_base_url(base_url or default_base_url())
    try:
        data = load(list(files) or [DEFAULT_DATA], base)
        shapes = load_shapes(shapes_path)
    except DataError as error:
        _report_unreadable(error, output)
        sys.exit(EXIT_UNREADABLE)
    report = validate(data, shapes, lang=lang)
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
