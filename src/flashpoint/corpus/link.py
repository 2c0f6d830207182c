"""Linking: events from different documents that report one happening become one incident.

Pure: no I/O. Two events are *compatible* when

1. their dates can be the same day, given each one's ``time_precision`` (an exact day, a week or
   range, a month);
2. their places can be the same place: within a distance that grows with the coarser of the two
   ``geo_precision`` values, or in the same first-level division when at least one of them is
   not pinned to a town;
3. their event types can describe the same happening (sides code one clash as "shelling" or as an
   "armed clash"; never a protest as a battle);
4. their actors match in either order (ACLED's actor1 does not say who started it), with an
   unidentified or missing actor matching anyone.

An event joins the incident all of whose events it is compatible with (complete linkage, so a
vague event cannot chain two distinct clashes together), never one holding another event of its
own document in the same voice (the coder already split that document's happenings; a wire that
relays both sides gives one event per side, and those may share an incident), and never one
holding an event the user has separated it from. Candidates
are found by blocking on date and area (``block_days``, ``block_cells``) so that the cost of
adding an event does not grow with the corpus.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flashpoint.geo.geodesy import haversine_km as distance_km
from flashpoint.model import Event

__all__ = [
    "LinkRules",
    "DEFAULT_RULES",
    "Linker",
    "actor_key",
    "actors_compatible",
    "choose_incident",
    "compatible_types",
    "kind_key",
    "compatible",
    "date_window",
    "dates_compatible",
    "distance_km",
    "link",
    "places_compatible",
    "types_compatible",
    "why_not",
]


@dataclass(frozen=True)
class LinkRules:
    """The thresholds linking uses. Defaults are argued in docs/store.md."""

    distance_km: Mapping[int, float] = field(default_factory=lambda: {1: 10.0, 2: 40.0, 3: 150.0})
    """Largest distance between two reports of one place, by the coarser geo_precision."""
    day_slack: int = 0
    """Extra days allowed between two exact dates (0: reports of one day must name that day)."""
    week_days: int = 3
    """Half-width of a precision-2 date (ACLED codes the middle day of a week or range)."""
    type_groups: tuple[frozenset[str], ...] = (
        frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"}),
        frozenset({"Protests", "Riots"}),
        frozenset({"Strategic developments"}),
    )
    """Event types that sides may use for one happening (a clash is "shelling" to one side)."""

    @property
    def max_window_days(self) -> int:
        """At most this many days lie between an event's window start and its event_date (a month
        plus slack): lets a query on event_date also bound date_lo. A range's window can still run
        long past its start, so this does not bound a window's width."""
        return 31 + 2 * max(self.day_slack, self.week_days)

    @property
    def max_distance_km(self) -> float:
        return max(self.distance_km.values())


DEFAULT_RULES = LinkRules()


# --- dates ----------------------------------------------------------------------------------

def date_window(event: Event, rules: LinkRules = DEFAULT_RULES) -> tuple[dt.date, dt.date] | None:
    """The days ``event`` may have happened on, given its precision; None when undated."""
    if event.event_date is None:
        return None
    start = event.event_date
    end = max(event.end_date or start, start)
    precision = min(max(event.time_precision or 3, 1), 3)
    if precision == 1:
        pad = dt.timedelta(days=rules.day_slack)
        return start - pad, end + pad
    if precision == 2:
        pad = dt.timedelta(days=rules.week_days)
        return start - pad, end + pad
    last = calendar.monthrange(end.year, end.month)[1]
    return start.replace(day=1), end.replace(day=last)


def dates_compatible(a: Event, b: Event, rules: LinkRules = DEFAULT_RULES) -> bool:
    wa, wb = date_window(a, rules), date_window(b, rules)
    if wa is None or wb is None:
        return False  # an undated report cannot be placed next to another one
    return wa[0] <= wb[1] and wb[0] <= wa[1]


# --- places ---------------------------------------------------------------------------------



def _has_point(e: Event) -> bool:
    return e.latitude is not None and e.longitude is not None


@functools.lru_cache(maxsize=65536)
def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


def _same_admin1(a: Event, b: Event) -> bool:
    if not a.admin1 or not b.admin1 or _norm(a.admin1) != _norm(b.admin1):
        return False
    return not a.country or not b.country or _norm(a.country) == _norm(b.country)


def places_compatible(a: Event, b: Event, rules: LinkRules = DEFAULT_RULES) -> bool:
    """Can the two reports be of one place?

    Countries are not compared on their own: on a border each side names a place on its own side.
    Two events both pinned to towns (geo_precision 1) must be close; the same first-level division
    is enough only when one of them is known no better than "near"/"in the region", because a
    division can be hundreds of kilometres wide.
    """
    coarse = max(a.geo_precision or 3, b.geo_precision or 3)
    both_points = _has_point(a) and _has_point(b)
    if both_points:
        limit = rules.distance_km.get(coarse, rules.max_distance_km)
        if distance_km(a.latitude, a.longitude, b.latitude, b.longitude) <= limit:  # type: ignore[arg-type]
            return True
    if _same_admin1(a, b) and (coarse >= 2 or not both_points):
        return True
    if not _has_point(a) and not _has_point(b) and not (a.admin1 or b.admin1):
        return bool(a.location) and _norm(a.location) == _norm(b.location) and _norm(a.country) == _norm(b.country)
    return False


# --- types and actors -----------------------------------------------------------------------

def compatible_types(event: Event, rules: LinkRules = DEFAULT_RULES) -> frozenset[str] | None:
    """The non-empty event types ``types_compatible`` accepts beside ``event``'s (None: any)."""
    t = event.event_type
    if not t:
        return None
    if t == "Strategic developments":
        return frozenset({t})
    return frozenset({t}).union(*(g for g in rules.type_groups if t in g and "Strategic developments" not in g))


def types_compatible(a: Event, b: Event, rules: LinkRules = DEFAULT_RULES) -> bool:
    if not a.event_type or not b.event_type or a.event_type == b.event_type:
        return True
    if "Strategic developments" in (a.event_type, b.event_type):
        return False
    return any(a.event_type in g and b.event_type in g for g in rules.type_groups)


_PERIOD = re.compile(r"\s*\(\d{4}-(?:\d{4})?\).*$")
_STATE = re.compile(r"^(?:(?:military|police) forces|government) of (?:the )?(.+)$")


@functools.lru_cache(maxsize=65536)
def actor_key(name: str | None) -> str | None:
    """An actor's identity for matching: regime period and unit dropped; a state's forces and government as one.

    ``None`` means "anyone" (missing or unidentified), which matches every actor.
    """
    if not name or not name.strip():
        return None
    base = _norm(_PERIOD.sub("", name))
    if base.startswith("unidentified"):
        return None
    state = _STATE.match(base)
    return f"state:{state.group(1)}" if state else base


def _actor_match(x: str | None, y: str | None) -> bool:
    kx, ky = actor_key(x), actor_key(y)
    return kx is None or ky is None or kx == ky


def actors_compatible(a: Event, b: Event) -> bool:
    """The two actor pairs match in one order or the other."""
    straight = _actor_match(a.actor1, b.actor1) and _actor_match(a.actor2, b.actor2)
    crossed = _actor_match(a.actor1, b.actor2) and _actor_match(a.actor2, b.actor1)
    return straight or crossed


# --- pairs and incidents --------------------------------------------------------------------

def _voice(e: Event) -> str:
    c = e.claimant
    return _norm(c.side or c.party or c.name)


def why_not(a: Event, b: Event, rules: LinkRules = DEFAULT_RULES) -> str | None:
    """The first rule that keeps ``a`` and ``b`` apart, or None when they may be one happening."""
    if a.document_id is not None and a.document_id == b.document_id and _voice(a) == _voice(b):
        return "same document"
    if not dates_compatible(a, b, rules):
        return "dates"
    if not types_compatible(a, b, rules):
        return "event types"
    if not places_compatible(a, b, rules):
        return "places"
    if not actors_compatible(a, b):
        return "actors"
    return None


def compatible(a: Event, b: Event, rules: LinkRules = DEFAULT_RULES) -> bool:
    return why_not(a, b, rules) is None


def _pair_score(a: Event, b: Event) -> float:
    """How alike two compatible events are, to choose between candidate incidents."""
    score = 0.0
    if a.event_date == b.event_date:
        score += 2
    if a.sub_event_type and a.sub_event_type == b.sub_event_type:
        score += 1
    if _same_admin1(a, b):
        score += 1
    if _has_point(a) and _has_point(b):
        d = distance_km(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]
        score += 1 / (1 + d / 10)
    return score


def choose_incident(
    event: Event,
    candidates: Mapping[int, Sequence[Event]],
    *,
    cannot_link: Collection[frozenset[str]] = (),
    rules: LinkRules = DEFAULT_RULES,
    kinds: Mapping[int, Sequence[tuple[Event, int]]] | None = None,
) -> int | None:
    """The candidate incident ``event`` belongs to, or None to start a new one.

    ``candidates`` maps incident keys to their events; ``cannot_link`` holds pairs of event ids the
    user separated. The best-scoring incident whose every event is compatible wins (lowest key on
    ties, so the outcome does not depend on dict order). ``kinds`` may give, for some incidents,
    their members already grouped by ``kind_key`` (none of them from ``event``'s document).
    """
    best: tuple[float, int] | None = None
    separated = {other for pair in cannot_link if event.id in pair for other in pair if other != event.id}
    for key in sorted(candidates):
        members = candidates[key]
        if not members or (separated and any(m.id in separated for m in members)):
            continue
        # Members alike in every field the rules read give one answer: judge each kind once, so that
        # an incident of a thousand reports of one clash costs little more than one of a few.
        given = kinds.get(key) if kinds else None
        alike = given if given is not None else _kinds(event, members)
        if not all(compatible(event, m, rules) for m, _ in alike):
            continue
        score = sum(n * _pair_score(event, m) for m, n in alike) / sum(n for _, n in alike)
        if best is None or score > best[0]:
            best = (score, key)
    return None if best is None else best[1]


def kind_key(m: Event) -> tuple[object, ...]:
    """Every field the linking rules and scores read, apart from the document and its claimant."""
    return (m.event_date, m.end_date, m.time_precision, m.event_type, m.sub_event_type, m.actor1, m.actor2,
            m.latitude, m.longitude, m.geo_precision, m.admin1, m.country, m.location)


def _kinds(event: Event, members: Sequence[Event]) -> list[tuple[Event, int]]:
    """One member per set of linking-relevant fields, with how many members share it; members of
    ``event``'s own document stay apart (the same-document rule reads their claimant)."""
    counts: dict[object, list[Any]] = {}
    for m in members:
        key: object = m.id if m.document_id == event.document_id else kind_key(m)
        entry = counts.get(key)
        if entry is None:
            counts[key] = [m, 1]
        else:
            entry[1] += 1
    return [(m, n) for m, n in counts.values()]


# --- blocking -------------------------------------------------------------------------------

CELL_DEGREES = 1.0
"""Area blocks: cells of 1° latitude by 1° longitude; a query spans as many as the widest radius needs."""


def block_days(event: Event, rules: LinkRules = DEFAULT_RULES) -> list[int]:
    """Ordinal days of the event's date window (blocking key on time)."""
    window = date_window(event, rules)
    if window is None:
        return []
    return list(range(window[0].toordinal(), window[1].toordinal() + 1))


def home_cell(event: Event) -> tuple[int, int] | None:
    """The area cell the event's point lies in (None without a point)."""
    if event.latitude is None or event.longitude is None:
        return None
    return (math.floor(event.latitude / CELL_DEGREES), math.floor(event.longitude / CELL_DEGREES))


def block_cells(event: Event, rules: LinkRules = DEFAULT_RULES) -> list[tuple[int, int]]:
    """Every cell holding a point within the widest linking radius of the event's point."""
    home = home_cell(event)
    if home is None:
        return []
    reach = rules.max_distance_km
    di = math.ceil(reach / (111.0 * CELL_DEGREES))
    # A degree of longitude shrinks towards the poles; use the cell edge nearest a pole.
    worst_lat = min(89.0, max(abs(event.latitude) + di * CELL_DEGREES, 0.0))  # type: ignore[arg-type]
    dj = min(math.ceil(reach / (111.0 * math.cos(math.radians(worst_lat)) * CELL_DEGREES)), int(180 / CELL_DEGREES))
    return [(home[0] + i, home[1] + j) for i in range(-di, di + 1) for j in range(-dj, dj + 1)]


def _named_areas(event: Event) -> list[object]:
    """Area keys by name: the first-level division, or for a place with neither point nor division its name."""
    if event.admin1:
        return [("admin1", _norm(event.admin1))]
    if not _has_point(event) and event.location:
        return [("location", _norm(event.location), _norm(event.country))]
    return []


class Linker:
    """Incremental linking in memory: ``add`` each event as it arrives, read ``incidents``.

    Incidents are indexed under (day, area) pairs — every day of each member's date window with
    its cell and its named areas — so adding an event looks only at incidents near it in both time
    and space: the cost grows with local density, not with the size of the corpus.
    """

    def __init__(self, rules: LinkRules = DEFAULT_RULES, cannot_link: Iterable[frozenset[str]] = ()) -> None:
        self.rules = rules
        self.cannot_link: set[frozenset[str]] = set(cannot_link)
        self.incidents: dict[int, list[Event]] = {}
        self._index: dict[tuple[int, object], set[int]] = defaultdict(set)
        self._next = 1

    def _candidates(self, event: Event) -> dict[int, list[Event]]:
        areas = [*block_cells(event, self.rules), *_named_areas(event)]
        found: set[int] = set()
        for day in block_days(event, self.rules):
            for area in areas:
                hit = self._index.get((day, area))
                if hit:
                    found |= hit
        return {k: self.incidents[k] for k in found}

    def add(self, event: Event) -> int:
        """Link ``event``; returns the key of the incident it joined or started."""
        key = choose_incident(event, self._candidates(event), cannot_link=self.cannot_link, rules=self.rules)
        if key is None:
            key, self._next = self._next, self._next + 1
            self.incidents[key] = []
        self.incidents[key].append(event)
        home = home_cell(event)
        areas = ([home] if home is not None else []) + _named_areas(event)
        for day in block_days(event, self.rules):
            for area in areas:
                self._index[(day, area)].add(key)
        return key


def link(
    events: Iterable[Event],
    *,
    rules: LinkRules = DEFAULT_RULES,
    cannot_link: Iterable[frozenset[str]] = (),
) -> list[list[Event]]:
    """Incidents from events, linking them in the order given."""
    linker = Linker(rules, cannot_link)
    for event in events:
        linker.add(event)
    return [members for members in linker.incidents.values() if members]
