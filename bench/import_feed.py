"""How long `publisher import ical` takes on a city-sized feed: a generated feed of N events
(default 10,000: 200 venues, 50 organisers, a tenth cancelled, every event a TZID time), imported
into an empty folder, then again (nothing changes), then with one event gone (one tombstone).

    .venv/bin/python bench/import_feed.py [--events 10000] [--cap 900]

Prints the machine and the three timings as JSON. The feed is synthetic, labelled so in every
event, and written with the icalendar library; the site description is the test city's, which
requires Polish only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from common import ROOT, describe, machine, timed

SITE = ROOT / "tests" / "fixtures" / "import" / "site-pl.ttl"


def feed(events: int, skip: int | None = None) -> bytes:
    from icalendar import Calendar, Event, vCalAddress

    warsaw = ZoneInfo("Europe/Warsaw")
    calendar = Calendar()
    calendar.add("prodid", "-//publisher bench//synthetic feed//PL")
    calendar.add("version", "2.0")
    first = datetime(2027, 1, 4, 9, 0, tzinfo=warsaw)
    for n in range(events):
        if n == skip:
            continue
        item = Event()
        item.add("uid", f"bench-{n}@synthetic.example")
        item.add("dtstamp", datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("UTC")))
        start = first + timedelta(hours=7 * n)
        item.add("dtstart", start)
        item.add("dtend", start + timedelta(hours=2))
        item.add("summary", f"Wydarzenie syntetyczne {n}")
        item.add("description", f"Syntetyczne wydarzenie numer {n} do pomiaru czasu importu.")
        item.add("location", f"Dom Kultury Syntetyczny {n % 200}, ul. Testowa {n % 200 + 1}, 00-{n % 200:03d} Warszawa")
        item.add("status", "CANCELLED" if n % 10 == 9 else "CONFIRMED")
        item.add("categories", ["synthetic", f"kategoria-{n % 7}"])
        organizer = vCalAddress(f"mailto:org{n % 50}@synthetic.example")
        organizer.params["cn"] = f"Organizator syntetyczny {n % 50}"
        item["organizer"] = organizer
        calendar.add_component(item)
    return calendar.to_ical()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--cap", type=float, default=900, help="Seconds an import may take before it is stopped.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        source = work / "feed.ics"
        source.write_bytes(feed(args.events))
        command = [sys.executable, "-m", "publisher", "import", "ical", str(source), "--into", str(work / "data" / "city"),
                   "--source-url", "https://synthetic.example/feed.ics", "--from", "2027-01-01",
                   "--site-description", str(SITE)]
        results = {"machine": describe(machine()), "events": args.events,
                   "feed_mib": round(source.stat().st_size / 2**20, 1)}
        results["first import"] = timed(command, args.cap)
        results["same feed again"] = timed(command, args.cap)
        source.write_bytes(feed(args.events, skip=args.events // 2))
        results["one event removed"] = timed(command, args.cap)
        results["files"] = sum(1 for _ in (work / "data" / "city").rglob("*.ttl"))
        print(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
