"""The import's summary for people, in the language of `--lang`."""

from __future__ import annotations

from publisher.i18n import translations
from publisher.importing.model import Refusal
from publisher.importing.writer import Summary


def _line(refusal: Refusal, gettext) -> str:
    uid = f"UID {refusal.uid}  " if refusal.uid else ""
    return f"    {refusal.where}  {uid}{gettext(refusal.message) % refusal.params}"


def _position(refusal: Refusal) -> tuple:
    """In the order of the source: file, then line."""
    file, _, line = refusal.where.rpartition(":")
    return (file, int(line)) if line.isdigit() else (refusal.where, 0)


def summary_text(summary: Summary, lang: str) -> str:
    _ = translations(lang).gettext
    lines = []
    if summary.report is not None and summary.report.problems:
        lines.append(_("validation: %(warning)d warnings, %(info)d notes (publisher validate lists them)")
                     % {"warning": summary.report.count("warning"), "info": summary.report.count("info")})
    for title, found in ((_("Warnings"), summary.warnings), (_("Refused"), summary.refused)):
        if found:
            lines.append(f"{title}:")
            lines.extend(_line(refusal, _) for refusal in sorted(found, key=_position))
    lines.append(_("created: %(created)d, changed: %(changed)d, unchanged: %(unchanged)d, removed: %(removed)d, "
                   "refused: %(refused)d") % {"created": len(summary.created), "changed": len(summary.changed),
                                              "unchanged": summary.unchanged, "removed": len(summary.removed),
                                              "refused": len(summary.refused)})
    return "\n".join(lines)
