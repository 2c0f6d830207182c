"""Filters → parameterised SQL over the store's tables, for the REST API and the web pages.

Read-only: every statement here is a SELECT built with SQLAlchemy Core, so user input only ever
reaches the database as bound parameters (LIKE patterns are escaped too). One filter set serves
every resource: an incident, a document or a place matches when one of its events matches.
The store offers summaries and single records; listing with filters, counting and paging
(stable order: a unique key last) is this module's job.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import Connection, Engine, and_, false, func, or_, select
from sqlalchemy.sql import ColumnElement, Select

from flashpoint.corpus.link import DEFAULT_RULES
from flashpoint.corpus.store.schema import documents, events, failures, incident_events, incidents, places
from flashpoint.corpus.store.store import incident_row_dict
from flashpoint.model import Claimant, Event

__all__ = [
    "Filters", "Page", "Result", "list_events", "list_incidents", "list_documents", "list_places",
    "list_failures", "timeline", "facets", "document_detail", "place_detail", "failure_detail",
    "event_dict",
]

WINDOW_DAYS = DEFAULT_RULES.max_window_days
"""How far before an event's day its stored ``date_lo`` can start (see ``link.date_window``)."""

BBox = tuple[float, float, float, float]
"""west, south, east, north in degrees (west > east crosses the antimeridian)."""


@dataclass(frozen=True)
class Filters:
    """What a user narrows the corpus to. ``None``/``False`` means "no constraint"."""

    since: dt.date | None = None
    until: dt.date | None = None
    country: str | None = None
    admin1: str | None = None
    bbox: BBox | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor: str | None = None
    side: str | None = None
    disputed: bool = False
    q: str | None = None

    def without_dates(self) -> Filters:
        return Filters(**{f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("since", "until")})

    def as_params(self) -> dict[str, str]:
        """The filters as URL query parameters (for ``next`` links and deep links)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, False, ""):
                continue
            if f.name == "bbox":
                out[f.name] = ",".join(f"{v:g}" for v in value)
            elif isinstance(value, bool):
                out[f.name] = "true"
            else:
                out[f.name] = str(value)
        return out


@dataclass(frozen=True)
class Page:
    limit: int = 100
    offset: int = 0


@dataclass
class Result:
    items: list[dict[str, Any]]
    total: int
    page: Page


# --- conditions -----------------------------------------------------------------------------------

def _like(value: str) -> str:
    """A LIKE pattern that matches ``value`` literally anywhere (``\\`` escapes % and _)."""
    escaped = value.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: Any, value: str) -> ColumnElement[bool]:
    return func.lower(column).like(_like(value), escape="\\")


def _in_bbox(lat: Any, lon: Any, bbox: BBox) -> ColumnElement[bool]:
    west, south, east, north = bbox
    lon_ok = lon.between(west, east) if west <= east else or_(lon >= west, lon <= east)
    return and_(lat.between(south, north), lon_ok)


def _matches_name(column: Any, value: str | tuple[str, ...]) -> ColumnElement[bool]:
    """Case-insensitive name match. ``canonical`` turns the user's text into the stored spellings
    (a tuple) so that an index on the column can answer it; a plain string falls back to lower()."""
    if isinstance(value, tuple):
        return column.in_(value) if value else false()
    return func.lower(column) == value.strip().lower()


_SPELLINGS_TTL_S = 30.0
_spelling_cache: dict[tuple[int, str], tuple[float, dict[str, tuple[str, ...]]]] = {}


def _spellings(engine: Engine, column: Any) -> dict[str, tuple[str, ...]]:
    """lower(name) → stored spellings for a column, from its index, cached for a few seconds."""
    import time

    key = (id(engine), column.name)
    now = time.monotonic()
    hit = _spelling_cache.get(key)
    if hit and now - hit[0] < _SPELLINGS_TTL_S:
        return hit[1]
    table: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for (name,) in conn.execute(select(column).where(column.is_not(None)).distinct()):
            table.setdefault(name.strip().lower(), []).append(name)
    result = {k: tuple(v) for k, v in table.items()}
    _spelling_cache[key] = (now, result)
    return result


def canonical(engine: Engine, f: Filters) -> Filters:
    """``f`` with country/admin1 replaced by the spellings the events table holds (index-friendly)."""
    changes: dict[str, Any] = {}
    for name, column in (("country", events.c.country), ("admin1", events.c.admin1)):
        value = getattr(f, name)
        if isinstance(value, str) and value.strip():
            changes[name] = _spellings(engine, column).get(value.strip().lower(), ())
    return replace(f, **changes) if changes else f


def _disputed_event_ids() -> Select[Any]:
    return (select(incident_events.c.event_id)
            .join(incidents, incidents.c.id == incident_events.c.incident_id)
            .where(incidents.c.disputed != ""))


def event_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """WHERE clauses on ``events`` for ``f`` (all must hold)."""
    e = events.c
    out: list[ColumnElement[bool]] = []
    if f.since is not None:
        out.append(e.event_date >= f.since)
        # The store's blocking window always starts at most WINDOW_DAYS before the event's day:
        # this redundant bound lets SQLite answer a date range from the date_lo index.
        out.append(e.date_lo >= f.since - dt.timedelta(days=WINDOW_DAYS))
    if f.until is not None:
        out.append(e.event_date <= f.until)
        out.append(e.date_lo <= f.until)
    if f.country:
        out.append(_matches_name(e.country, f.country))
    if f.admin1:
        out.append(_matches_name(e.admin1, f.admin1))
    if f.bbox is not None:
        out.append(_in_bbox(e.latitude, e.longitude, f.bbox))
    if f.event_type:
        out.append(e.event_type == f.event_type)
    if f.sub_event_type:
        out.append(e.sub_event_type == f.sub_event_type)
    if f.actor:
        out.append(or_(*(_contains(c, f.actor) for c in
                         (e.actor1, e.actor2, e.assoc_actor_1, e.assoc_actor_2, e.initiator))))
    if f.side:
        # The claimant's side when the coder found one; otherwise any link of the claim chain
        # (speaker, party) that names it, since many reports only say who speaks.
        out.append(or_(func.lower(e.claimant_side) == f.side.strip().lower(), _contains(e.claimant, f.side)))
    if f.disputed:
        out.append(e.id.in_(_disputed_event_ids()))
    if f.q:
        out.append(or_(*(_contains(c, f.q) for c in (e.notes, e.location, e.actor1, e.actor2, e.source))))
    return out


def _count(conn: Connection, query: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one())


# --- events -----------------------------------------------------------------------------------------

_EVENT_SCALARS = (
    "event_date", "end_date", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "initiator", "country", "admin1", "admin2",
    "location", "latitude", "longitude", "geo_precision", "geonameid", "fatalities", "injured", "captured",
    "source", "notes", "confidence",
)


def event_from_row(r: Any) -> Event:
    """An ``Event`` from an ``events`` row (JSON columns decoded)."""
    evidence = {k: [(int(s), int(t)) for s, t in v] for k, v in json.loads(r["evidence"] or "{}").items()}
    return Event(id=r["id"], document_id=r["document_id"], claimant=Claimant(**json.loads(r["claimant"] or "{}")),
                 loaded_terms=json.loads(r["loaded_terms"] or "[]"), evidence=evidence,
                 **{name: r[name] for name in _EVENT_SCALARS})


_NOT_STORED = frozenset({"type_explanation"})
"""Event fields the store has no column for (the type explanation is in the JSON output of `code` only)."""
_EVENT_FIELDS = tuple(f.name for f in fields(Event) if f.name not in _NOT_STORED)
_JSON_FIELDS = {"claimant": "{}", "loaded_terms": "[]", "evidence": "{}"}


def event_dict(r: Any) -> dict[str, Any]:
    """The row as ``Event.to_dict()`` would give it (plus ``incident_id``), without building the
    dataclass: ``dataclasses.asdict`` deep-copies and costs more than the query on a big page."""
    data: dict[str, Any] = {}
    for name in _EVENT_FIELDS:
        value = r[name]
        if name in _JSON_FIELDS:
            value = json.loads(value or _JSON_FIELDS[name])
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = value
    data["interaction"] = Event(id="", inter1=r["inter1"], inter2=r["inter2"]).interaction
    data["incident_id"] = r["incident_id"]
    return data


def _events_query(f: Filters) -> Select[Any]:
    return (select(events, incident_events.c.incident_id)
            .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
            .where(*event_conditions(f))
            .order_by(events.c.event_date, events.c.id))


def list_events(engine: Engine, f: Filters, page: Page) -> tuple[Result, list[Any]]:
    """Matching events, by date then id; also the raw rows (``event_from_row`` makes ``Event``s of them).

    Two steps: the page's ids with the total (a window count), sorting only narrow rows; then the
    full rows of just those ids. Sorting every matching wide row to keep a hundred cost far more."""
    where = event_conditions(canonical(engine, f))
    ids_q = (select(events.c.id, func.count().over().label("total")).where(*where)
             .order_by(events.c.event_date, events.c.id).limit(page.limit).offset(page.offset))
    with engine.connect() as conn:
        picked = conn.execute(ids_q).all()
        if picked:
            total = int(picked[0].total)
        else:
            total = _count(conn, select(events.c.id).where(*where)) if page.offset else 0
        order = {r.id: i for i, r in enumerate(picked)}
        full = (select(events, incident_events.c.incident_id)
                .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
                .where(events.c.id.in_(list(order))))
        rows = sorted((r._mapping for r in conn.execute(full)), key=lambda m: order[m["id"]]) if order else []
    return Result([event_dict(r) for r in rows], total, page), rows


def event_detail(engine: Engine, event_id: str) -> dict[str, Any] | None:
    q = _events_query(Filters()).where(events.c.id == event_id)
    with engine.connect() as conn:
        row = conn.execute(q).first()
        if row is None:
            return None
        doc = conn.execute(select(documents.c.id, documents.c.title, documents.c.outlet, documents.c.url,
                                  documents.c.published).where(documents.c.id == row.document_id)).first()
    data = event_dict(row._mapping)
    data["document"] = _doc_summary(doc._mapping) if doc else None
    return data


def timeline(engine: Engine, f: Filters) -> list[dict[str, Any]]:
    """Events per day under every filter but the date range (the timeline brushes that)."""
    day = events.c.event_date
    q = (select(day, func.count().label("n"), func.sum(events.c.fatalities).label("fatalities"))
         .where(day.is_not(None), *event_conditions(canonical(engine, f).without_dates()))
         .group_by(day).order_by(day))
    with engine.connect() as conn:
        return [{"date": _iso(r.event_date), "events": int(r.n), "fatalities": int(r.fatalities or 0)}
                for r in conn.execute(q)]


def facets(engine: Engine) -> dict[str, Any]:
    """Values worth offering in filter menus: countries, event types, sides, and the date span."""
    def distinct(column: Any) -> list[str]:
        q = select(column).where(column.is_not(None), column != "").distinct().order_by(column)
        return [r[0] for r in conn.execute(q)]

    with engine.connect() as conn:
        span = conn.execute(select(func.min(events.c.event_date), func.max(events.c.event_date))).first()
        return {
            "countries": distinct(events.c.country),
            "event_types": distinct(events.c.event_type),
            "sub_event_types": distinct(events.c.sub_event_type),
            "sides": distinct(events.c.claimant_side),
            "dates": {"start": _iso(span[0]) if span else None, "end": _iso(span[1]) if span else None},
        }


# --- incidents --------------------------------------------------------------------------------------

def _matching_event_ids_incidents(f: Filters) -> Select[Any]:
    return (select(incident_events.c.incident_id)
            .join(events, events.c.id == incident_events.c.event_id)
            .where(*event_conditions(f)))


def list_incidents(engine: Engine, f: Filters, page: Page) -> Result:
    """Incidents with at least one event matching ``f``, oldest first."""
    q = select(incidents).order_by(incidents.c.date_lo, incidents.c.id)
    if f != Filters():
        q = q.where(incidents.c.id.in_(_matching_event_ids_incidents(canonical(engine, f))))
    with engine.connect() as conn:
        total = _count(conn, q)
        items = [incident_row_dict(r._mapping) for r in conn.execute(q.limit(page.limit).offset(page.offset))]
    return Result(items, total, page)


# --- documents ----------------------------------------------------------------------------------------

_DOC_LIST_COLUMNS = (documents.c.id, documents.c.url, documents.c.title, documents.c.outlet, documents.c.published,
                     documents.c.language, documents.c.source, documents.c.ingested_at)


def _doc_summary(r: Any) -> dict[str, Any]:
    return {"id": r["id"], "title": r["title"], "outlet": r["outlet"], "url": r["url"],
            "published": _iso(r["published"])}


def document_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """Dates apply to publication, text search to title and text, the rest to the document's events."""
    d = documents.c
    out: list[ColumnElement[bool]] = []
    if f.since is not None:
        out.append(d.published >= f.since)
    if f.until is not None:
        out.append(d.published <= f.until)
    if f.q:
        out.append(or_(_contains(d.title, f.q), _contains(d.text, f.q), _contains(d.outlet, f.q)))
    rest = Filters(**{x.name: getattr(f, x.name) for x in fields(f) if x.name not in ("since", "until", "q")})
    if rest != Filters():
        out.append(d.id.in_(select(events.c.document_id).where(*event_conditions(rest))))
    return out


def list_documents(engine: Engine, f: Filters, page: Page) -> Result:
    n_events = (select(func.count()).where(events.c.document_id == documents.c.id)
                .correlate(documents).scalar_subquery().label("n_events"))
    q = select(*_DOC_LIST_COLUMNS, n_events).where(*document_conditions(f)).order_by(documents.c.published,
                                                                                        documents.c.id)
    with engine.connect() as conn:
        total = _count(conn, q)
        rows = conn.execute(q.limit(page.limit).offset(page.offset))
        items = [{**_doc_summary(r._mapping), "language": r.language, "source": r.source,
                  "ingested_at": r.ingested_at.isoformat() if r.ingested_at else None, "n_events": r.n_events}
                 for r in rows]
    return Result(items, total, page)


def document_detail(engine: Engine, document_id: str) -> dict[str, Any] | None:
    """A document with its text, its events (with incident ids) and the places it names."""
    with engine.connect() as conn:
        row = conn.execute(select(documents).where(documents.c.id == document_id)).first()
        if row is None:
            return None
        evs = conn.execute(select(events, incident_events.c.incident_id)
                           .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
                           .where(events.c.document_id == document_id).order_by(events.c.seq))
        ev_items = [event_dict(r._mapping) for r in evs]
        pl = conn.execute(select(places).where(places.c.document_id == document_id).order_by(places.c.seq))
        place_items = [_place_dict(r._mapping) for r in pl]
    r = row._mapping
    return {**_doc_summary(r), "language": r["language"], "source": r["source"], "text": r["text"],
            "removed": json.loads(r["removed"] or "[]"),
            "ingested_at": r["ingested_at"].isoformat() if r["ingested_at"] else None,
            "events": ev_items, "places": place_items}


# --- places -------------------------------------------------------------------------------------------

def _place_dict(r: Any) -> dict[str, Any]:
    data = {k: r[k] for k in ("name", "start", "end", "kind", "geonameid", "latitude", "longitude", "country",
                              "country_code", "admin1", "admin2", "feature_code", "resolved_name", "score",
                              "reason", "document_id", "seq")}
    data["id"] = f"{r['document_id']}:{r['seq']}"
    data["alternatives"] = json.loads(r["alternatives"] or "[]")
    return data


def place_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """Place mentions: place filters on the place itself, date/type/actor filters on its document's events."""
    p = places.c
    out: list[ColumnElement[bool]] = []
    if f.country:
        out.append(func.lower(p.country) == f.country.strip().lower())
    if f.admin1:
        out.append(func.lower(p.admin1) == f.admin1.strip().lower())
    if f.bbox is not None:
        out.append(_in_bbox(p.latitude, p.longitude, f.bbox))
    if f.q:
        out.append(or_(_contains(p.name, f.q), _contains(p.resolved_name, f.q)))
    rest = Filters(since=f.since, until=f.until, event_type=f.event_type, sub_event_type=f.sub_event_type,
                   actor=f.actor, side=f.side, disputed=f.disputed)
    if rest != Filters():
        out.append(p.document_id.in_(select(events.c.document_id).where(*event_conditions(rest))))
    return out


def list_places(engine: Engine, f: Filters, page: Page) -> Result:
    q = select(places).where(*place_conditions(f)).order_by(places.c.document_id, places.c.seq)
    with engine.connect() as conn:
        total = _count(conn, q)
        items = [_place_dict(r._mapping) for r in conn.execute(q.limit(page.limit).offset(page.offset))]
    return Result(items, total, page)


def place_detail(engine: Engine, place_id: str) -> dict[str, Any] | None:
    """``place_id`` is ``DOCUMENT_ID:SEQ`` (a mention of a place in one document)."""
    document_id, _, seq = place_id.rpartition(":")
    if not document_id or not seq.isdigit():
        return None
    with engine.connect() as conn:
        row = conn.execute(select(places).where(places.c.document_id == document_id,
                                                places.c.seq == int(seq))).first()
    return _place_dict(row._mapping) if row else None


# --- failures ---------------------------------------------------------------------------------------

def _failure_dict(r: Any) -> dict[str, Any]:
    return {"id": r["id"], "source": r["source"], "code": r["code"], "reason": r["reason"], "count": r["count"],
            "first_seen": r["first_seen"].isoformat(), "last_seen": r["last_seen"].isoformat()}


def list_failures(engine: Engine, f: Filters, page: Page) -> Result:
    """Inputs that could not be processed; only the text search applies (source, code, reason)."""
    q = select(failures).order_by(failures.c.id)
    if f.q:
        q = q.where(or_(_contains(failures.c.source, f.q), _contains(failures.c.reason, f.q),
                        _contains(failures.c.code, f.q)))
    with engine.connect() as conn:
        total = _count(conn, q)
        items = [_failure_dict(r._mapping) for r in conn.execute(q.limit(page.limit).offset(page.offset))]
    return Result(items, total, page)


def failure_detail(engine: Engine, failure_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(failures).where(failures.c.id == failure_id)).first()
    return _failure_dict(row._mapping) if row else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def sides_in(versions: Sequence[dict[str, Any]]) -> list[str]:
    """Sides in order of first appearance (columns of the incident page)."""
    seen: list[str] = []
    for v in versions:
        if v["side"] not in seen:
            seen.append(v["side"])
    return seen
