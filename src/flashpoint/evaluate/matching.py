"""Pairing system events with gold events within one document.

Events carry no shared identifier, so which system event "is" which gold event
has to be decided. We solve it as an optimal assignment (Hungarian method,
``scipy.optimize.linear_sum_assignment``) on a cost that mixes how far apart the
two events are in time, in space and in type; pairs dearer than a threshold are
left unmatched (a false positive and a false negative). The threshold is set so
that an event wrong on one or two of the three still pairs with its gold event
(and its wrong fields are scored), while an event wrong on all three does not.

Events are plain mappings here (see ``report.event_record``): ``event_date``
(a ``datetime.date``), ``latitude``/``longitude``, ``location``, ``event_type``,
``sub_event_type``. A gold event may lack any of them (only annotated fields).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from flashpoint.evaluate.metrics import normalise_text
from flashpoint.geo.geodesy import haversine_km

NEUTRAL = 0.5
"""Cost of a component that cannot be compared (a value missing on either side)."""


@dataclass(frozen=True)
class MatchSettings:
    """Weights and scales of the matching cost (each component lies in [0, 1])."""

    date_weight: float = 0.35
    place_weight: float = 0.35
    type_weight: float = 0.30
    date_scale_days: float = 30.0
    """A date this many days off (or more) costs the full date weight."""
    distance_scale_km: float = 1000.0
    """A place this far off (or more) costs the full place weight."""
    same_event_type_cost: float = 0.5
    """Type cost when the event types agree but the sub-event types do not."""
    threshold: float = 0.75
    """Pairs costing more than this are not matched."""

    def to_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


DEFAULT_SETTINGS = MatchSettings()




def distance_km(gold: Mapping[str, Any], system: Mapping[str, Any]) -> float | None:
    """Distance between two events' coordinates, or ``None`` if either lacks them."""
    coords = (gold.get("latitude"), gold.get("longitude"), system.get("latitude"), system.get("longitude"))
    if any(c is None for c in coords):
        return None
    lat1, lon1, lat2, lon2 = (float(c) for c in coords)  # type: ignore[arg-type]
    return haversine_km(lat1, lon1, lat2, lon2)


def date_cost(gold: Mapping[str, Any], system: Mapping[str, Any], settings: MatchSettings) -> float:
    g, s = gold.get("event_date"), system.get("event_date")
    if g is None or s is None:
        return NEUTRAL
    days: int = abs((g - s).days)
    return min(days / settings.date_scale_days, 1.0)


def place_cost(gold: Mapping[str, Any], system: Mapping[str, Any], settings: MatchSettings) -> float:
    km = distance_km(gold, system)
    if km is not None:
        return min(km / settings.distance_scale_km, 1.0)
    g, s = normalise_text(gold.get("location")), normalise_text(system.get("location"))
    if g is not None and g == s:
        return 0.0
    return NEUTRAL


def type_cost(gold: Mapping[str, Any], system: Mapping[str, Any], settings: MatchSettings) -> float:
    if gold.get("sub_event_type") and gold.get("sub_event_type") == system.get("sub_event_type"):
        return 0.0
    if gold.get("event_type") is None:
        return NEUTRAL if gold.get("sub_event_type") is None else 1.0
    if gold.get("event_type") == system.get("event_type"):
        return settings.same_event_type_cost if gold.get("sub_event_type") else 0.0
    return 1.0


def pair_cost(
    gold: Mapping[str, Any], system: Mapping[str, Any], settings: MatchSettings = DEFAULT_SETTINGS
) -> float:
    """How unlike two events are, from 0 (same day, place and sub-event type) to 1."""
    return (
        settings.date_weight * date_cost(gold, system, settings)
        + settings.place_weight * place_cost(gold, system, settings)
        + settings.type_weight * type_cost(gold, system, settings)
    )


def match_events(
    gold: Sequence[Mapping[str, Any]],
    system: Sequence[Mapping[str, Any]],
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> list[tuple[int, int]]:
    """Optimal one-to-one pairs ``(gold index, system index)`` whose cost is within the threshold."""
    if not gold or not system:
        return []
    costs = np.array([[pair_cost(g, s, settings) for s in system] for g in gold])
    rows, cols = linear_sum_assignment(costs)
    return sorted(
        (int(r), int(c)) for r, c in zip(rows, cols, strict=True) if costs[r, c] <= settings.threshold
    )


def match_spans(
    gold: Sequence[tuple[int, int]], system: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """One-to-one pairs of overlapping character spans, largest overlap first."""
    candidates = []
    for gi, (gs, ge) in enumerate(gold):
        for si, (ss, se) in enumerate(system):
            overlap = min(ge, se) - max(gs, ss)
            if overlap > 0:
                candidates.append((-overlap, gi, si))
    pairs, used_gold, used_system = [], set(), set()
    for _, gi, si in sorted(candidates):
        if gi not in used_gold and si not in used_system:
            pairs.append((gi, si))
            used_gold.add(gi)
            used_system.add(si)
    return sorted(pairs)
