"""A deterministic synthetic city calendar, for scale tests and benchmarks — never real data.

Every name says it is synthetic, and every resource's dct:source is <synthetic>, a resource
that says so. Written as Turtle text (not through rdflib) so 100,000 events take seconds.
Beside it, a site description (publisher.site) names the site after the synthetic city, so
pages, catalog and feed built from it never wear the real event's name.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

TOPICS = [("sąsiedztwo", "neighbourhood"), ("biblioteki", "libraries"), ("kultura", "culture"),
          ("ekologia", "ecology"), ("seniorzy", "seniors"), ("młodzież", "young people"),
          ("rzemiosło", "crafts"), ("muzyka", "music"), ("ogrody", "gardens"), ("historia", "history")]
ROLES = """
<role/content-partner> a skos:Concept ;
    skos:prefLabel "partner merytoryczny"@pl , "content partner"@en .
<role/moderator> a skos:Concept ;
    skos:prefLabel "moderacja"@pl , "moderator"@en .
"""
HEADER = """# SYNTHETIC DATA — a generated city calendar for scale tests. Not facts about real events.
# publisher synth --events {events} --seed {seed}
@prefix schema: <http://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<synthetic> a schema:Dataset ;
    schema:name "Dane syntetyczne: wygenerowany kalendarz miejski"@pl , "Synthetic data: a generated city calendar"@en ;
    schema:description "Wygenerowane do testów wydajności; nie opisują prawdziwych wydarzeń."@pl ,
                       "Generated for performance tests; they describe no real events."@en ;
    dct:source <synthetic> .
"""


CITY = ("Miasto Syntetyczne", "Synthetic City")
SITE = """# SYNTHETIC — the site description of a generated city calendar (publisher.site).
# publisher synth --events {events} --seed {seed}
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix schema: <http://schema.org/> .
@prefix void: <http://rdfs.org/ns/void#> .

<> a schema:WebSite ;
    schema:name "{pl}"@pl , "{en}"@en ;
    schema:inLanguage "pl" ;
    schema:availableLanguage "pl" , "en" ;
    schema:about <dataset> .

<dataset> a void:Dataset ;
    dct:title "{pl} — syntetyczny kalendarz wydarzeń ({events} wydarzeń, ziarno {seed})"@pl ,
              "{en} — a synthetic calendar of events ({events} events, seed {seed})"@en ;
    dct:description "Wygenerowane do testów wydajności; nie opisują prawdziwych wydarzeń."@pl ,
                    "Generated for performance tests; they describe no real events."@en ;
    dct:publisher <publisher> ;
    dct:license <http://publications.europa.eu/resource/authority/licence/CC0> .

<publisher> a foaf:Agent ;
    foaf:name "publisher synth (generator danych syntetycznych)"@pl ,
              "publisher synth (the synthetic data generator)"@en .

<catalog> dct:title "Katalog danych: {pl}"@pl , "Data catalogue: {en}"@en ;
    dct:description "Katalog syntetycznych danych powiązanych: {pl} (DCAT-AP 3.0)."@pl ,
                    "Catalogue of the synthetic linked data of {en} (DCAT-AP 3.0)."@en .
"""


def synthetic_site(events: int, seed: int) -> str:
    return SITE.format(events=events, seed=seed, pl=CITY[0], en=CITY[1])


def site_path(data: Path) -> Path:
    """Where the site description of a synthetic calendar is: city-….ttl → city-….site.ttl."""
    return data.with_suffix(".site.ttl")


def _pair(prop: str, pl: str, en: str) -> str:
    return f'{prop} "{pl}"@pl , "{en}"@en'


def synthetic_calendar(events: int, seed: int) -> str:
    rng = random.Random(seed)
    venues, organisations, people = max(5, events // 20), max(5, events // 10), max(5, events // 5)
    out = [HEADER.format(events=events, seed=seed), ROLES]
    for v in range(venues):
        accessible = rng.random() < 0.7
        out.append(f"""<place/synth-venue-{v}> a schema:Place ;
    {_pair("schema:name", f"Syntetyczne miejsce {v}", f"Synthetic venue {v}")} ;
    schema:address <place/synth-venue-{v}/address> ;
    schema:amenityFeature <place/synth-venue-{v}/step-free-access> ;
    dct:source <synthetic> .
<place/synth-venue-{v}/address> a schema:PostalAddress ;
    {_pair("schema:name", f"Adres syntetyczny {v}", f"Synthetic address {v}")} ;
    schema:streetAddress "ul. Syntetyczna {v + 1}" ;
    {_pair("schema:addressLocality", "Warszawa", "Warsaw")} ;
    schema:addressCountry "PL" ;
    dct:source <synthetic> .
<place/synth-venue-{v}/step-free-access> a schema:LocationFeatureSpecification ;
    {_pair("schema:name", "Dostęp bez barier (syntetyczny)", "Step-free access (synthetic)")} ;
    {_pair("schema:description", "Dane syntetyczne.", "Synthetic data.")} ;
    schema:value {"true" if accessible else "false"} ;
    dct:source <synthetic> .
""")
    for o in range(organisations):
        out.append(f"""<organization/synth-{o}> a schema:Organization ;
    {_pair("schema:name", f"Syntetyczna organizacja {o}", f"Synthetic organisation {o}")} ;
    dct:source <synthetic> .
""")
    for p in range(people):
        out.append(f"""<person/synth-{p}> a schema:Person ;
    schema:name "Osoba Syntetyczna {p}" ;
    {_pair("schema:description", "Osoba syntetyczna.", "A synthetic person.")} ;
    dct:source <synthetic> .
""")
    first = date(2018, 1, 1)
    for e in range(events):
        pl_topic, en_topic = TOPICS[rng.randrange(len(TOPICS))]
        start = first + timedelta(days=rng.randrange(3650))
        end = start + timedelta(days=rng.randrange(3))
        venue, organiser, partner = rng.randrange(venues), rng.randrange(organisations), rng.randrange(organisations)
        mode = rng.choice(["Offline", "Mixed"])
        status = rng.choices(["EventScheduled", "EventCancelled", "EventPostponed"], [90, 5, 5])[0]
        languages = '"pl" , "pso"' if rng.random() < 0.3 else '"pl"'
        iri = f"event/synth-{e:06d}"
        parts = rng.randrange(1, 4)
        part_iris = " , ".join(f"<{iri}/part-{k}>" for k in range(parts))
        out.append(f"""<{iri}> a schema:Event ;
    {_pair("schema:name", f"Syntetyczne wydarzenie {e}: {pl_topic}", f"Synthetic event {e}: {en_topic}")} ;
    {_pair("schema:description", f"Wygenerowane wydarzenie o temacie: {pl_topic}.", f"A generated event about {en_topic}.")} ;
    schema:startDate "{start.isoformat()}"^^xsd:date ;
    schema:endDate "{end.isoformat()}"^^xsd:date ;
    schema:eventStatus schema:{status} ;
    schema:eventAttendanceMode schema:{mode}EventAttendanceMode ;
    schema:location <place/synth-venue-{venue}> ;
    schema:inLanguage {languages} ;
    schema:organizer <organization/synth-{organiser}> ;
    schema:contributor <{iri}/role/content-partner> ;
    schema:subEvent {part_iris} ;
    dct:source <synthetic> .
<{iri}/role/content-partner> a schema:Role ;
    schema:contributor <organization/synth-{partner}> ;
    {_pair("schema:roleName", "partner merytoryczny", "content partner")} ;
    dct:type <role/content-partner> ;
    dct:source <synthetic> .
""")
        for k in range(parts):
            person = rng.randrange(people)
            out.append(f"""<{iri}/part-{k}> a schema:Event ;
    {_pair("schema:name", f"Część {k + 1} wydarzenia {e}", f"Part {k + 1} of event {e}")} ;
    {_pair("schema:description", "Syntetyczna część programu.", "A synthetic programme part.")} ;
    schema:superEvent <{iri}> ;
    schema:location <place/synth-venue-{venue}> ;
    schema:performer <person/synth-{person}> ;
    dct:source <synthetic> .
""")
    return "\n".join(out)


def write_synthetic(events: int, seed: int, out: Path, data_dir: Path) -> Path:
    """Writes the calendar to `out`, its site description beside it (`site_path`); refuses any
    path in the published data folder."""
    target = out.resolve()
    if target == data_dir.resolve() or data_dir.resolve() in target.parents:
        raise ValueError(f"{out} is inside {data_dir}: synthetic data must never be published with the real data")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(synthetic_calendar(events, seed), encoding="utf-8")
    site_path(target).write_text(synthetic_site(events, seed), encoding="utf-8")
    return target
