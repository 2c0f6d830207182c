"""Cross-document linking at scale: block by time and area, link each block as a Dask task.

The pairwise rule is ``flashpoint.corpus.link``'s (``link.link`` with its ``LinkRules``), imported, not
copied. What this module adds is the split into independent blocks:

* time: periods of ``PERIOD_DAYS`` days; an event goes to every period its date window touches;
* area: cells of ``CELL_DEGREES`` degrees; an event goes to every cell that its own linking radius
  (``rules.distance_km`` for its ``geo_precision``) reaches, and also to a block of its first-level division
  (two reports in one division may link however far apart their points are, see
  ``link.places_compatible``), or of its place name when it has neither point nor division.

Any two events that the rule can link share at least one block (their date windows share a day, and
the coarser one's radius reaches the other's home cell), so nothing linkable is missed; each event
lands in a handful of blocks, so the work grows linearly with the number of events. Each block is
linked with ``link.link`` (complete linkage inside the block); events that one block put together
are merged across blocks (union-find), so the result is a partition of the events into incidents.
That merge is single-linkage across block edges: two incidents that share an event become one.
Undated events cannot be linked (``link.dates_compatible``) and stay alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import pickle
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flashpoint.corpus import link
from flashpoint.model import Claimant, Event

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["CELL_DEGREES", "PERIOD_DAYS", "block_keys", "link_blocks", "link_events"]

CELL_DEGREES = 2.0
"""Area cell size: wide enough that a 150 km radius touches at most four cells at most latitudes."""
PERIOD_DAYS = 28
"""Time period size: a day window (precision 1) touches one period; a month (precision 3) two."""
EVENTS_PER_TASK = 5000
"""About how many events (counting each event once per block it is in) one Dask task links."""

BlockKey = tuple[Any, ...]


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


def _cells(event: Event, rules: link.LinkRules) -> list[BlockKey]:
    """Cells reached by the event's own linking radius (none without a point).

    The radius is the one for the event's own ``geo_precision``: of two events that may link, the
    coarser one's radius covers the distance between them, so it reaches the other's home cell.
    """
    if event.latitude is None or event.longitude is None:
        return []
    reach = rules.distance_km.get(event.geo_precision or 3, rules.max_distance_km)
    dlat = reach / 111.0
    lat_edge = min(89.9, abs(event.latitude) + dlat)
    dlon = min(180.0, reach / (111.0 * math.cos(math.radians(lat_edge))))
    rows = range(math.floor((event.latitude - dlat) / CELL_DEGREES), math.floor((event.latitude + dlat) / CELL_DEGREES) + 1)
    cols = range(math.floor((event.longitude - dlon) / CELL_DEGREES), math.floor((event.longitude + dlon) / CELL_DEGREES) + 1)
    wrap = round(360 / CELL_DEGREES)
    return sorted({("cell", i, j % wrap) for i in rows for j in cols})


def _areas(event: Event, rules: link.LinkRules) -> list[BlockKey]:
    keys = _cells(event, rules)
    if event.admin1:
        keys.append(("admin1", _norm(event.admin1)))
    elif not keys and event.location:
        keys.append(("location", _norm(event.location), _norm(event.country)))
    return keys


def block_keys(event: Event, rules: link.LinkRules = link.DEFAULT_RULES) -> list[BlockKey]:
    """Every block the event goes to: (period, area) pairs; empty for an event that cannot link."""
    window = link.date_window(event, rules)
    if window is None:
        return []
    periods = range(window[0].toordinal() // PERIOD_DAYS, window[1].toordinal() // PERIOD_DAYS + 1)
    return [(p, *area) for p in periods for area in _areas(event, rules)]


def _slim(event: Event) -> Event:
    """The event with only what linking reads (smaller to send to workers)."""
    return dataclasses.replace(event, evidence={}, notes="", claimant=Claimant(), loaded_terms=[])


def _order(event: Event) -> tuple[Any, ...]:
    """A stable order to link in, so the result does not depend on how blocks were scheduled."""
    return (event.event_date or dt.date.min, event.document_id or "", event.id)


def link_blocks(blocks: Sequence[Sequence[Event]], rules: link.LinkRules = link.DEFAULT_RULES) -> list[list[str]]:
    """Link each block on its own; returns groups of event ids (incidents of two or more events)."""
    groups: list[list[str]] = []
    for block in blocks:
        for incident in link.link(sorted(block, key=_order), rules=rules):
            if len(incident) > 1:
                groups.append([e.id for e in incident])
    return groups


def _link_blob(blob: bytes, rules: link.LinkRules = link.DEFAULT_RULES) -> list[list[str]]:
    return link_blocks(pickle.loads(blob), rules)  # noqa: S301  (our own blob, made by link_events)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        while parent != x:
            grand = self.parent[parent]
            self.parent[x] = grand
            x, parent = parent, grand
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _chunks(blocks: list[list[Event]], target: int) -> list[list[list[Event]]]:
    """Blocks packed into tasks of about ``target`` events each (big blocks alone)."""
    chunks: list[list[list[Event]]] = []
    current: list[list[Event]] = []
    size = 0
    for block in sorted(blocks, key=len, reverse=True):
        current.append(block)
        size += len(block)
        if size >= target:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def link_events(
    events: Iterable[Event],
    *,
    client: Client | None = None,
    rules: link.LinkRules = link.DEFAULT_RULES,
    events_per_task: int = EVENTS_PER_TASK,
) -> list[list[str]]:
    """Incidents (lists of event ids, every event in exactly one) from ``events``.

    With a Dask ``client`` the blocks are linked as tasks on its cluster; without one, here.
    """
    ordered = sorted((_slim(e) for e in events), key=_order)
    blocks: dict[BlockKey, list[Event]] = defaultdict(list)
    for event in ordered:
        for key in block_keys(event, rules):
            blocks[key].append(event)
    linkable = [b for b in blocks.values() if len(b) > 1]
    chunks = _chunks(linkable, events_per_task)
    if client is None:
        results = [link_blocks(chunk, rules) for chunk in chunks]
    else:
        # Each chunk goes as one pickled blob, scattered rather than embedded in the task graph: Dask
        # would otherwise serialise the nested lists element by element (minutes for 100k events).
        blobs = client.scatter([pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL) for chunk in chunks])
        futures = client.map(_link_blob, blobs, rules=rules, pure=False)
        results = client.gather(futures)
    uf = _UnionFind()
    for groups in results:
        for group in groups:
            for other in group[1:]:
                uf.union(group[0], other)
    incidents: dict[str, list[str]] = defaultdict(list)
    for event in ordered:
        incidents[uf.find(event.id)].append(event.id)
    return list(incidents.values())



def write_incidents(run: Path, incidents: list[list[str]], writer: Any) -> None:
    """One row per event: its id and its incident number (1-based, in order of first event)."""
    import pyarrow as pa

    rows = [{"event_uid": eid, "incident": n} for n, members in enumerate(incidents, start=1) for eid in members]
    writer(run / "incidents" / "part-00000.parquet", rows,
           pa.schema([("event_uid", pa.string()), ("incident", pa.int64())]))
