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
import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from flashpoint.geo.geodesy import haversine_km as distance_km
from flashpoint.model import Event

__all__ = [
    "LinkRules",
    "DEFAULT_RULES",
    "Linker",
    "actor_key",
    "actors_compatible",
    "choose_incident",
    "compatible",
    "date_window",
    "dates_compatible",
    "distance_km",
    "link",
    "places_compatible",
    "reasons",
    "search_window",
    "dyad",
    "kind_key",
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
    front_days: int = 1
    """Days apart two reports of one dyad's fighting may date it (one side's "night of the 6th" is the
    other's "early on the 7th")."""
    front_km: float = 50.0
    """Largest distance between the places two sides name for one dyad's fighting: each names its
    own village or district on its own side of the front."""
    front_types: frozenset[str] = frozenset({"Battles", "Explosions/Remote violence"})
    """Event types the front rule applies to (fighting between two armed sides)."""
    civilians_in_fighting: bool = True
    """A report of one side's attack on civilians links to that side's fighting at the same place and
    day (the shelling of a village during the clash is the same happening told by another voice)."""
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


def _pair(e: Event) -> tuple[str | None, str | None]:
    """An event's actors; a second actor that is the first again (a state's forces against
    themselves, a misreading of who was hit) counts as unknown."""
    if e.actor2 and actor_key(e.actor2) is not None and actor_key(e.actor1) == actor_key(e.actor2):
        return e.actor1, None
    return e.actor1, e.actor2


def actors_compatible(a: Event, b: Event) -> bool:
    """The two actor pairs match in one order or the other."""
    (a1, a2), (b1, b2) = _pair(a), _pair(b)
    straight = _actor_match(a1, b1) and _actor_match(a2, b2)
    crossed = _actor_match(a1, b2) and _actor_match(a2, b1)
    return straight or crossed


# --- pairs and incidents --------------------------------------------------------------------

def _voice(e: Event) -> str:
    c = e.claimant
    return _norm(c.side or c.party or c.name)


def why_not(a: Event, b: Event, rules: LinkRules = DEFAULT_RULES) -> str | None:
    """The first rule that keeps ``a`` and ``b`` apart, or None when they may be one happening."""
    if a.document_id is not None and a.document_id == b.document_id and _voice(a) == _voice(b) \
            and not _restatement(a, b, rules):
        return "same document"
    if not types_compatible(a, b, rules):
        return "event types"
    if _front(a, b, rules):
        return None  # one dyad's fighting, each side naming its own place (see reasons)
    if not dates_compatible(a, b, rules):
        return "dates"
    if not places_compatible(a, b, rules):
        return "places"
    if not actors_compatible(a, b) and not _civilians_in_fighting(a, b, rules):
        return "actors"
    return None


def reasons(a: Event, b: Event, rules: LinkRules = DEFAULT_RULES) -> list[str]:
    """Why ``a`` and ``b`` are one happening, in words (stored on the link, printed by ``show incident``)."""
    out: list[str] = []
    if a.document_id is not None and a.document_id == b.document_id and _voice(a) == _voice(b):
        out.append("same report, the fighting restated at country level")
    if _front(a, b, rules):
        out.append(f"same dyad ({' / '.join(sorted(_dyad(a) | _dyad(b)))})")
    elif actors_compatible(a, b):
        out.append("actors match")
    elif _civilians_in_fighting(a, b, rules):
        out.append("civilians in the same fighting")
    days = _days_apart(a, b)
    out.append("same day" if days == 0 else f"{days} day apart" if days == 1 else "dates overlap")
    if _has_point(a) and _has_point(b):
        km = distance_km(a.latitude, a.longitude, b.latitude, b.longitude)  # type: ignore[arg-type]
        out.append(f"{km:.1f} km apart")
    if _same_admin1(a, b):
        out.append(f"same first-level division ({a.admin1})")
    if a.location and b.location and _norm(a.location) == _norm(b.location):
        out.append(f"same place named ({a.location})")
    elif a.location and b.location:
        out.append(f"each names its own place ({a.location} / {b.location})")
    return out


def _restatement(a: Event, b: Event, rules: LinkRules) -> bool:
    """Within one document and voice, an event placed only at a country that is one side of the other
    event's fighting, dated within the front days, is the same fighting restated ("… the adversary's
    losses in Azerbaijan"), not a second happening."""
    for coarse, fine in ((a, b), (b, a)):
        if (coarse.geo_precision or 3) < 3 or (fine.geo_precision or 3) > 2 or not coarse.country \
                or _norm(coarse.location) != _norm(coarse.country):
            continue  # only an event placed at a whole country restates; a region may be another clash
        if fine.event_type not in rules.front_types or coarse.event_type not in rules.front_types:
            continue
        days = _days_apart(a, b)
        sides = _dyad(fine) | _dyad(coarse) | ({_norm(fine.country)} if fine.country else set())
        same_fight = _norm(coarse.country) in sides or bool(_dyad(coarse)) and _dyad(coarse) <= _dyad(fine)
        if days is not None and days <= rules.front_days and same_fight and actors_compatible(a, b):
            return True
    return False


def _days_apart(a: Event, b: Event) -> int | None:
    if a.event_date is None or b.event_date is None:
        return None
    return abs((a.event_date - b.event_date).days)


_SIDE_STATE = re.compile(r"^(?:(?:military|police) forces|government) of (?:the )?(.+)$")


def _side(actor: str | None) -> str | None:
    """A warring side: a state (its forces or government) or a named armed group; None otherwise."""
    key = actor_key(actor)
    if key is None:
        return None
    if key.startswith("state:"):
        return key[6:]
    if key.startswith(("civilians", "protesters", "rioters", "military forces", "police forces")):
        return None
    return key


def _dyad(e: Event) -> set[str]:
    return {s for s in (_side(e.actor1), _side(e.actor2)) if s}


def dyad(e: Event) -> set[str]:
    """The warring sides an event names (casefolded: a state's name, an armed group's name)."""
    return _dyad(e)


def _front(a: Event, b: Event, rules: LinkRules) -> bool:
    """The front rule: the same two warring sides (one report may name only one of them), fighting
    dated within ``front_days`` of each other, at places within ``front_km`` (or in one first-level
    division). Sides name different villages on their own side of the line; this still links them."""
    if a.event_type not in rules.front_types or b.event_type not in rules.front_types:
        return False
    da, db = _dyad(a), _dyad(b)
    if not da or not db or len(da | db) != 2 or not (da & db) or max(len(da), len(db)) < 2:
        return False
    days = _days_apart(a, b)
    if days is None or days > rules.front_days or a.time_precision != 1 or b.time_precision != 1:
        return False
    if _has_point(a) and _has_point(b) and max(a.geo_precision or 3, b.geo_precision or 3) <= 2:
        return distance_km(a.latitude, a.longitude, b.latitude, b.longitude) <= rules.front_km  # type: ignore[arg-type]
    return _same_admin1(a, b)


def _civilians_in_fighting(a: Event, b: Event, rules: LinkRules) -> bool:
    """One report: side X against civilians; the other: side X against side Y (same place, same day)."""
    if not rules.civilians_in_fighting:
        return False
    for one, other in ((a, b), (b, a)):
        actors = (one.actor1 or "", one.actor2 or "")
        if not any(x.startswith("Civilians") for x in actors):
            continue
        attacker = next((x for x in actors if x and not x.startswith("Civilians")), None)
        if other.event_type not in rules.front_types or attacker is None or _side(attacker) is None:
            continue
        if _side(attacker) in _dyad(other) or not _dyad(other):  # the fighting's sides include it, or are unnamed
            return True
    return False


def search_window(event: Event, rules: LinkRules = DEFAULT_RULES) -> tuple[dt.date, dt.date] | None:
    """The days to look for candidate incidents in: the event's window widened by the front rule's slack."""
    window = date_window(event, rules)
    if window is None:
        return None
    pad = dt.timedelta(days=rules.front_days)
    return window[0] - pad, window[1] + pad


KIND_FIELDS = ("event_type", "sub_event_type", "event_date", "end_date", "time_precision", "latitude", "longitude",
               "geo_precision", "country", "admin1", "location", "actor1", "actor2")
"""Every field of an event that linking reads (the rules, the score, the reasons, the blocking) and
that an incident's summary reads (dates, place), except the document and voice, which matter only
between two events of one document."""


def kind_key(event: Event) -> str:
    """Reports of one kind: two events of different documents with the same key are alike to every
    rule, score and reason, so an incident is judged on one event per kind, however many it holds."""
    values = [getattr(event, name) for name in KIND_FIELDS]
    text = json.dumps([v.isoformat() if isinstance(v, dt.date) else v for v in values], ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


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
    counts: Mapping[int, Sequence[int]] | None = None,
) -> int | None:
    """The candidate incident ``event`` belongs to, or None to start a new one.

    ``candidates`` maps incident keys to their events; ``cannot_link`` holds pairs of event ids the
    user separated. The best-scoring incident whose every event is compatible wins (lowest key on
    ties, so the outcome does not depend on dict order). ``counts`` (parallel to each incident's
    events) says how many reports of one ``kind_key`` an event stands for: an incident of three
    thousand reports of a few kinds is judged on those few.
    """
    best: tuple[float, int] | None = None
    for key in sorted(candidates):
        members = candidates[key]
        if not members or any(frozenset((event.id, m.id)) in cannot_link for m in members):
            continue
        if not all(compatible(event, m, rules) for m in members):
            continue
        weights = counts[key] if counts is not None and key in counts else [1] * len(members)
        score = sum(w * _pair_score(event, m) for m, w in zip(members, weights)) / sum(weights)
        if best is None or score > best[0]:
            best = (score, key)
    return None if best is None else best[1]


# --- blocking -------------------------------------------------------------------------------

CELL_DEGREES = 1.0
"""Area blocks: cells of 1° latitude by 1° longitude; a query spans as many as the widest radius needs."""


def block_days(event: Event, rules: LinkRules = DEFAULT_RULES) -> list[int]:
    """Ordinal days of the event's search window (blocking key on time)."""
    window = search_window(event, rules)
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
