"""The document's focus, and places resolved far from it.

A place resolved thousands of kilometres from everything else a report names is more often a
wrong gazetteer entry ("Taleban", a hamlet in Spain, in a story about Afghanistan) than a
second scene. :func:`check_far` measures each resolved place's distance to the document's focus
(the places it resolves in its commonest country) and, beyond ``FAR_KM``, writes into the
place's reasons either what in the text supports it (its country is named, it is a country or a
region, a capital, or another place named near it) or that nothing does. An unsupported far
place never becomes an event's place (resolve/events.py); the reason says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from flashpoint.geo.gazbuild import REGION_ID_BASE
from flashpoint.geo.geodesy import haversine_km
from flashpoint.model import Place

__all__ = ["FAR_KM", "Focus", "check_far", "document_focus"]

FAR_KM = 1_000.0
"""Beyond this distance from the document's focus a place needs a reason of its own."""
NEAR_OTHER_KM = 300.0
"""Another place named this near supports a far one (a story told away from the focus)."""
_SEATS = frozenset({"PPLC", "PPLA", "PPLA2"})
"""Capitals and seats of provinces and districts: well known enough to be meant without context."""
_OUTRIGHT = ("PCL", "TERR", "CONT", "OCN", "SEA", "GULF", "RGN", "BAY", "STRT")
"""Countries, seas and regions: their names mean them wherever they lie (a first-level division
needs its country named: "Line", a Kiribati division, is not the Line of Control)."""


@dataclass(frozen=True)
class Focus:
    """The country a document is mostly about and the points it resolves there."""

    country_code: str
    country: str
    points: tuple[tuple[float, float], ...]

    def distance_km(self, place: Place) -> float | None:
        if place.latitude is None or place.longitude is None or not self.points:
            return None
        return min(haversine_km(lat, lon, place.latitude, place.longitude) for lat, lon in self.points)


def document_focus(places: Sequence[Place]) -> Focus | None:
    """The commonest country among the resolved places (a town counts twice, a country's name or
    demonym once), as pipeline.focus_country counts it, with the points resolved there."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for p in places:
        if p.country_code and p.geonameid is not None:
            counts[p.country_code] += 2 if p.kind == "literal" and not (p.feature_code or "").startswith("PCL") else 1
            names.setdefault(p.country_code, p.country or p.country_code)
    if not counts:
        return None
    cc = counts.most_common(1)[0][0]
    points = tuple(dict.fromkeys((p.latitude, p.longitude) for p in places
                                 if p.country_code == cc and p.latitude is not None and p.longitude is not None))
    return Focus(cc, names[cc], points)


def _support(p: Place, places: Sequence[Place]) -> str | None:
    """What in the text supports a place far from the focus, in words; None if nothing does."""
    code = p.feature_code or ""
    if code.startswith(_OUTRIGHT) or (p.geonameid or 0) >= REGION_ID_BASE:
        return "a country or region named outright"
    if any(q.country_code == p.country_code and (q.feature_code or "").startswith("PCL") for q in places):
        return f"its country ({p.country or p.country_code}) is named in the text"
    if code in _SEATS:
        return "a capital or the seat of a province or district"
    for q in places:
        if (q.geonameid is not None and q.geonameid != p.geonameid and q.name != p.name
                and q.latitude is not None and q.longitude is not None
                and p.latitude is not None and p.longitude is not None
                and not (q.feature_code or "").startswith(_OUTRIGHT[:2])):
            d = haversine_km(p.latitude, p.longitude, q.latitude, q.longitude)
            if d <= NEAR_OTHER_KM:
                return f"{d:,.0f} km from {q.name}, also named"
    return None


def check_far(places: Sequence[Place]) -> frozenset[tuple[int, int]]:
    """Write into every place farther than ``FAR_KM`` from the document's focus why it is kept
    (or that nothing supports it); the spans of the unsupported ones, which no event may use."""
    focus = document_focus(places)
    if focus is None:
        return frozenset()
    unsupported: set[tuple[int, int]] = set()
    for p in places:
        if p.geonameid is None or p.country_code == focus.country_code or p.kind == "adjectival":
            continue
        km = focus.distance_km(p)
        if km is None or km <= FAR_KM:
            continue
        support = _support(p, places)
        note = f"{km:,.0f} km from the document's focus ({focus.country})"
        if support is None:
            unsupported.add((p.start, p.end))
            note += ": nothing in the text supports so distant a place; not used as an event's place"
        else:
            note += f": kept, {support}"
        if note not in p.reason:
            p.reason = f"{p.reason}; {note}" if p.reason else note
    return frozenset(unsupported)
