"""The README and the manual in docs/: links that lead somewhere, every CLI option documented,
and a README a newcomer reads in two minutes that starts with the two commands."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from publisher.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
TWO_COMMANDS = ("python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/python -m publisher serve\n"
                "bash scripts/test.sh\n")

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text outside code: a link-like string in a code sample is not a link."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped except '-' and '_', spaces → '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = text.replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading's anchor; GitHub numbers repeated ones (x, x-1, x-2)."""
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def relative_links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page.read_text(encoding="utf-8")))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)]  # http:, mailto:, …


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in relative_links(page):
        path, _, fragment = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no file {file.relative_to(ROOT) if file.is_relative_to(ROOT) else file}")
        elif fragment and (file.suffix != ".md" or fragment not in anchors(file)):
            broken.append(f"{target}: no heading #{fragment} in {file.name}")
    return broken


def test_the_manual_has_pages():
    # Without pages the checks below would pass on nothing.
    assert len(PAGES) > 5 and all(relative_links(page) for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_leads_to_an_existing_file_and_heading(page):
    assert broken_links(page) == []


def test_links_are_checked_against_files_and_headings(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## Start the `serve` command, quickly!\n", encoding="utf-8")
    page.write_text("# Page\n\n[ok](other.md#start-the-serve-command-quickly) [self](#page) "
                    "[gone](missing.md) [bad](other.md#nowhere) `[code](not-a-link.md)` "
                    "[web](https://example.org/x)\n", encoding="utf-8")
    assert broken_links(page) == [f"missing.md: no file {(tmp_path / 'missing.md')}",
                                  "other.md#nowhere: no heading #nowhere in other.md"]


def cli_options() -> dict[str, set[str]]:
    """Each command of the click group (and the group itself) with its long options."""
    options: dict[str, set[str]] = {}

    def walk(command: click.Command, name: str, ctx: click.Context) -> None:
        options[name] = {opt for param in command.get_params(ctx) if isinstance(param, click.Option)
                         for opt in param.opts + param.secondary_opts if opt.startswith("--")}
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                child = command.get_command(ctx, sub)
                walk(child, f"{name} {sub}", click.Context(child, info_name=sub, parent=ctx))

    walk(main, "publisher", click.Context(main, info_name="publisher"))
    return options


def test_every_option_of_every_command_is_in_the_manual():
    manual = "\n".join(page.read_text(encoding="utf-8") for page in sorted(DOCS.glob("*.md")))
    options = cli_options()
    assert {"publisher validate", "publisher serve", "publisher build", "publisher synth"} <= set(options)
    missing = sorted(f"{command} {option}" for command, opts in options.items() for option in opts
                     if not re.search(re.escape(option) + r"(?![\w-])", manual))
    assert missing == [], "document these in docs/ as `--option`"


def test_every_page_of_the_manual_is_linked_from_the_readme():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in relative_links(README)}
    assert [page.name for page in sorted(DOCS.glob("*.md")) if page.name != "README.md" and page not in linked] == []


def test_the_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines: move the detail to docs/"


def test_the_readme_starts_with_the_two_commands():
    first_block = FENCE.search(README.read_text(encoding="utf-8")).group(0)
    assert first_block == "```sh\n" + TWO_COMMANDS + "```"
