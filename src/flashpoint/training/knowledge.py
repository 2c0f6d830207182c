"""What a user's ACLED export teaches beyond the sub-event type: its actors and its places.

Kept apart from the type learner (``train.py``): ``learn_knowledge`` reads the same rows and
``save_knowledge`` writes two plain JSON files into the model directory, read back at coding time
by ``flashpoint.extract.additions``.

- Actors: every named actor in actor1/actor2/assoc_actor_1/assoc_actor_2 with the inter code the
  export gives it, its country (the commonest country of its rows), and aliases: the forms of
  the name itself ("ACRONYM: Full Name" gives both; the period is dropped) and the acronyms or
  long forms the notes write next to a form ("the Sable Lions Brigade (SLB)"). State forces'
  regime periods ("Military Forces of X (2001-)") override the shipped ones. Generic patterns
  (Protesters (X), Civilians (X), Unidentified Armed Group (X), …) need no entry.
- Places: every location with its admin names, coordinates and geo_precision (the commonest
  coordinates when rows disagree).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import UsageError
from flashpoint.extract import actors
from flashpoint.extract.additions import ACTORS_FILE, ACTORS_FORMAT, PLACES_FILE, PLACES_FORMAT

__all__ = ["Knowledge", "learn_knowledge", "read_rows", "save_knowledge"]

_GENERIC = re.compile(
    r"^(?:Protesters|Rioters|Civilians|Unidentified Armed Group|Unidentified Gang|Unidentified Communal Militia|"
    r"Islamist Militia|Unidentified Military Forces|Private Security Forces|Labor Group|Refugees/IDPs|Prisoners|"
    r"Journalists|Health Workers|Students|Teachers|Women|Farmers)\s*\(",
)
_STATE = re.compile(r"^((?:Military|Police) Forces of .+?|Government of .+?)\s+(\(\d{4}-(?:\d{4})?\))(?:\s.*)?$")
_COMMUNAL = re.compile(r"^(.+?) (?:Ethnic|Communal|Clan) Militia \(")
_ACRONYM = re.compile(r"^([A-Z0-9][\w'./&-]{0,14}):\s+(.+)$")
_PERIOD = re.compile(r"\s*\(\d{4}-(?:\d{4})?\)")


@dataclass
class _ActorStats:
    inter: Counter[int] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    aliases: dict[str, None] = field(default_factory=dict)
    rows: int = 0


@dataclass
class Knowledge:
    """Actors and places learnt from an export, ready to save."""

    groups: list[dict[str, Any]] = field(default_factory=list)
    periods: dict[str, str] = field(default_factory=dict)
    places: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of an ACLED-format CSV (comma or semicolon separated)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{path}: cannot read it as UTF-8 text ({err})", code=errors.E_BAD_MODEL_OR_DATA) from None
    header = raw.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter=";" if header.count(";") > header.count(",") else ",")
    return [{k: (v or "") for k, v in row.items() if k} for row in reader]


def _name_forms(name: str) -> list[str]:
    """The forms a name itself gives: "SLB: Sable Lions Brigade (Kano)" → SLB, Sable Lions Brigade."""
    bare = _PERIOD.sub("", name).strip()
    forms = [bare]
    m = _ACRONYM.match(bare)
    if m:
        forms += [m.group(1), m.group(2)]
    return list(dict.fromkeys(f.strip() for f in forms if len(f.strip()) >= 2))


def _aliases_in_notes(forms: list[str], notes: str) -> list[str]:
    """Acronyms and long forms the notes write beside a known form: "X (ABC)", "ABC (X)"."""
    found = []
    for form in forms:
        escaped = re.escape(form)
        for m in re.finditer(escaped + r"\s*\(([^()]{2,60})\)", notes, flags=re.IGNORECASE):
            found.append(m.group(1).strip())
        for m in re.finditer(r"\b([A-Z][\w'-]*(?:\s+[\w'-]+){0,6}?)\s*\(" + escaped + r"\)", notes):
            found.append(m.group(1).strip())
    return [f for f in found if not re.fullmatch(r"[\d\s,.-]+", f) and actors.country_name(f) is None]


def _with_shipped(aliases: list[str]) -> list[str]:
    """A user's group that is one we ship under another name ("Houthi Movement" vs theirs) takes
    every spelling we know for it, so their name wins wherever the text uses any of them."""
    extra: list[str] = []
    for alias in aliases:
        found = actors.shipped_aliases(alias)
        if found is not None:
            extra += [found[0].split(": ", 1)[-1], *found[1]]
    return list(dict.fromkeys(aliases + [a for a in extra if "{country}" not in a]))


def _communal_aliases(name: str) -> list[str]:
    m = _COMMUNAL.match(name)
    if not m:
        return []
    people = m.group(1)
    return [f"{people} militia", f"{people} militias", f"{people} militiamen", f"{people} ethnic militia"]


def learn_knowledge(rows: Iterable[Mapping[str, str]]) -> Knowledge:
    """Actors and places of an export's usable rows (see the module docstring)."""
    stats: dict[str, _ActorStats] = {}
    periods: Counter[tuple[str, str]] = Counter()
    places: dict[tuple[str, str, str], Counter[tuple[Any, ...]]] = {}
    knowledge = Knowledge()
    for row in rows:
        knowledge.rows += 1
        notes = row.get("notes") or ""
        country = (row.get("country") or "").strip()
        for column, inter_column in (("actor1", "inter1"), ("assoc_actor_1", "inter1"),
                                     ("actor2", "inter2"), ("assoc_actor_2", "inter2")):
            for name in (n.strip() for n in (row.get(column) or "").split(";")):
                if name:
                    _count_actor(stats, periods, name, row.get(inter_column) or "", country, notes,
                                 primary=not column.startswith("assoc"))
        _count_place(places, row, country)
    knowledge.groups = [
        {"name": name, "aliases": _with_shipped(list(s.aliases)), "inter": s.inter.most_common(1)[0][0],
         "country": s.countries.most_common(1)[0][0] if s.countries else None, "rows": s.rows}
        for name, s in stats.items() if s.inter
    ]
    by_state: dict[str, tuple[str, int]] = {}
    for (state, period), n in periods.items():
        if n > by_state.get(state, ("", 0))[1]:
            by_state[state] = (period, n)
    knowledge.periods = {state: period for state, (period, _) in sorted(by_state.items())}
    knowledge.places = [_place_record(key, coords) for key, coords in places.items()]
    return knowledge


def _count_actor(stats: dict[str, _ActorStats], periods: Counter[tuple[str, str]], name: str, inter: str,
                 country: str, notes: str, *, primary: bool) -> None:
    state = _STATE.match(name)
    if state:
        periods[(state.group(1), state.group(2))] += 1
        unit = name[state.end(2):].strip()
        if not (unit and actors.shipped_aliases(unit)):
            return
        # "Military Forces of Yemen (2017-) Houthi": the export names a group we know (the
        # Houthi Movement) as a state unit; learn it as that group's name, with our spellings.
    if _GENERIC.match(name):
        return
    canonical = name if state else _PERIOD.sub("", name).strip()
    s = stats.setdefault(canonical, _ActorStats())
    s.rows += 1
    if inter.strip().isdigit() and primary:
        s.inter[int(inter.strip())] += 1
    if country:
        s.countries[country] += 1
    forms = [name[state.end(2):].strip()] if state else _name_forms(name)
    for alias in [*forms, *_communal_aliases(canonical), *_aliases_in_notes(forms, notes)]:
        s.aliases.setdefault(alias, None)


def _count_place(places: dict[tuple[str, str, str], Counter[tuple[Any, ...]]], row: Mapping[str, str],
                 country: str) -> None:
    location = (row.get("location") or "").strip()
    try:
        lat, lon = float(row.get("latitude") or ""), float(row.get("longitude") or "")
    except ValueError:
        return
    if not location or not country:
        return
    precision = (row.get("geo_precision") or "1").strip()
    key = (location, country, (row.get("admin1") or "").strip())
    places.setdefault(key, Counter())[(round(lat, 4), round(lon, 4), (row.get("admin2") or "").strip(),
                                       int(float(precision)) if precision.replace(".", "").isdigit() else 1)] += 1


def _place_record(key: tuple[str, str, str], coords: Counter[tuple[Any, ...]]) -> dict[str, Any]:
    location, country, admin1 = key
    (lat, lon, admin2, precision), n = coords.most_common(1)[0]
    return {"name": location, "country": country, "country_code": actors.country_code(country) or "",
            "admin1": admin1 or None, "admin2": admin2 or None, "latitude": lat, "longitude": lon,
            "geo_precision": precision, "rows": sum(coords.values())}


def save_knowledge(knowledge: Knowledge, out: Path) -> list[Path]:
    """Write ``actors.json`` and ``places.json`` into the model directory ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, payload in (
        (ACTORS_FILE, {"format": ACTORS_FORMAT, "version": 1, "groups": knowledge.groups, "periods": knowledge.periods}),
        (PLACES_FILE, {"format": PLACES_FORMAT, "version": 1, "places": knowledge.places}),
    ):
        path = out / name
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
