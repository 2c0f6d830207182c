"""Filters → parameterised SQL over the store's tables, for the REST API and the web pages.

Read-only: every statement here is a SELECT built with SQLAlchemy Core, so user input only ever
reaches the database as bound parameters (LIKE patterns are escaped too). One filter set serves
every resource: an incident, a document or a place matches when one of its events matches.
The store offers summaries and single records; listing with filters, counting and paging
(stable order: a unique key last) is this module's job.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import PurePath
from typing import Any, Literal

from sqlalchemy import (
    Connection,
    Date,
    Engine,
    String,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement, Select

from flashpoint.corpus.link import DEFAULT_RULES
from flashpoint.corpus.store import eventjson
from flashpoint.corpus.store.migrations import DISPUTED_FLAG_TRIGGER
from flashpoint.corpus.store.schema import (
    EVENT_COLUMNS,
    documents,
    events,
    failures,
    incident_events,
    incidents,
    places,
)
from flashpoint.corpus.store.store import incident_row_dict
from flashpoint.model import NOT_IN_FEATURES, CasualtyClaim, Claimant, Event

__all__ = [
    "Filters", "Page", "Result", "list_events", "list_incidents", "list_documents", "list_places",
    "list_failures", "timeline", "facets", "document_detail", "place_detail", "failure_detail",
    "event_dict", "has_disputed_flag",
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


Count = Literal["exact", "estimate", "auto", "none"]
"""How to total a list: ``exact`` counts every match (cached a few seconds), ``estimate`` counts up to
``COUNT_CAP`` past the page (a lower bound beyond), ``auto`` gives the total only when it is free (the
last page) or cached, ``none`` never counts."""

COUNT_CAP = 1_000
"""``estimate`` counts at most this many matches past the page's start: beyond, it says "more than"."""


@dataclass(frozen=True)
class Page:
    limit: int = 100
    offset: int = 0
    after: str | None = None
    """Keyset cursor (``next_cursor`` of the previous page): deep pages without skipping rows."""
    count: Count = "exact"


@dataclass
class Result:
    items: list[dict[str, Any]]
    total: int | None
    page: Page
    total_exact: bool = True
    """False when ``total`` is a lower bound (``count=estimate`` stopped at its cap)."""
    has_more: bool | None = None
    """Whether items follow this page (None: judge from ``total``)."""
    next_cursor: str | None = None
    """The cursor of the next page (lists that support keyset paging)."""
    warnings: list[str] = field(default_factory=list)

    @property
    def more(self) -> bool:
        if self.has_more is not None:
            return self.has_more
        return self.total is not None and self.page.offset + self.page.limit < self.total


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
    """``f`` with country/admin1 replaced by the spellings the events table holds (index-friendly).

    A name no event carries becomes an empty tuple, which matches nothing (never "no filter")."""
    changes: dict[str, Any] = {}
    for name, column in (("country", events.c.country), ("admin1", events.c.admin1)):
        value = getattr(f, name)
        if isinstance(value, str) and value.strip():
            changes[name] = _spellings(engine, column).get(value.strip().lower(), ())
    return replace(f, **changes) if changes else f


def unknown_names(engine: Engine, f: Filters) -> list[str]:
    """Warnings for a country or admin1 no event in the database carries (the list will be empty)."""
    out = []
    for name, column in (("country", events.c.country), ("admin1", events.c.admin1)):
        value = getattr(f, name)
        if isinstance(value, str) and value.strip() and value.strip().lower() not in _spellings(engine, column):
            out.append(f"{name}: no event in this database has {name} {value.strip()!r}; "
                       f"the values there are listed at /api/facets")
    return out


def _in_disputed_incident() -> ColumnElement[bool]:
    """The event's incident is disputed: correlated (two key lookups per event the other filters
    leave), where ``id IN (every disputed event)`` would build that whole set on each query. The
    portable path (PostgreSQL, a store not migrated): SQLite with migration 0012 reads the event's
    own ``in_disputed`` flag from an index in the list's order instead (``has_disputed_flag``)."""
    return (select(incident_events.c.event_id)
            .join(incidents, incidents.c.id == incident_events.c.incident_id)
            .where(incident_events.c.event_id == events.c.id, incidents.c.disputed != "")
            .exists())


def event_conditions(f: Filters, text_index: bool = False, disputed_flag: bool = False) -> list[ColumnElement[bool]]:
    """WHERE clauses on ``events`` for ``f`` (all must hold); ``text_index``: see ``has_text_index``;
    ``disputed_flag``: see ``has_disputed_flag``."""
    e = events.c
    out: list[ColumnElement[bool]] = []
    if f.since is not None:
        out.append(e.event_date >= f.since)
    if f.until is not None:
        out.append(e.event_date <= f.until)
    if _given(f.country):
        out.append(_matches_name(e.country, f.country))  # type: ignore[arg-type]
    if _given(f.admin1):
        out.append(_matches_name(e.admin1, f.admin1))  # type: ignore[arg-type]
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
        out.append(events.c.in_disputed == 1 if disputed_flag else _in_disputed_incident())
    if f.q:
        out.append(_text_search(f.q, text_index))
    return out


def _text_search(value: str, text_index: bool) -> ColumnElement[bool]:
    """``value`` anywhere in the event's notes, place, actors or source (case-insensitive): from the
    trigram index when the database has one (migration 0006) and the text is three characters or
    more, else by LIKE."""
    e = events.c
    if not text_index or len(value.strip()) < 3:
        return or_(*(_contains(c, value) for c in (e.notes, e.location, e.actor1, e.actor2, e.source)))
    phrase = '"' + value.strip().replace('"', '""') + '"'  # one phrase: the text as a substring
    return e.id.in_(select(literal_column("event_id")).select_from(text("events_text"))
                    .where(literal_column("events_text").op("MATCH")(literal(phrase))))


_schema_cache: weakref.WeakKeyDictionary[Engine, dict[str, bool]] = weakref.WeakKeyDictionary()
"""Per engine (not per ``id(engine)``, which a later engine on another file may reuse: a stale "has
the flag" would query a column that file lacks)."""


def _sqlite_has(engine: Engine, name: str) -> bool:
    """Whether a SQLite database has the table, index or trigger ``name`` (a store opened without
    migrating may lack the later ones: the queries then take the slower portable path)."""
    known = _schema_cache.setdefault(engine, {})
    if name not in known:
        found = None
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).first()
        known[name] = found is not None
    return known[name]


def has_text_index(engine: Engine) -> bool:
    """Whether the database has the trigram index of migration 0006 (SQLite only)."""
    return _sqlite_has(engine, "events_text")


def has_disputed_flag(engine: Engine) -> bool:
    """Whether ``events.in_disputed`` is kept current (SQLite with migration 0012's triggers): the
    ``disputed`` filter is then one index range in the list's order. Elsewhere (PostgreSQL, or a
    store not migrated) the filter looks up each event's link and incident instead."""
    return _sqlite_has(engine, DISPUTED_FLAG_TRIGGER)


def conditions_in(engine: Engine, f: Filters) -> list[ColumnElement[bool]]:
    """``event_conditions`` for ``f`` with the fast paths this database has (text index, disputed flag)."""
    return event_conditions(f, has_text_index(engine), has_disputed_flag(engine))


def _given(value: object) -> bool:
    """A name filter is set when it is a non-empty string or a tuple (even empty: no spelling matched)."""
    return isinstance(value, tuple) or (isinstance(value, str) and bool(value.strip()))


def _count(conn: Connection, query: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one())


# --- events -----------------------------------------------------------------------------------------

_EVENT_SCALARS = (
    "event_date", "end_date", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "initiator", "country", "admin1", "admin2",
    "location", "latitude", "longitude", "geo_precision", "geonameid", "fatalities", "injured", "captured",
    "missing", "fatalities_rule", "source", "notes", "confidence", "location_reason",
)


def event_from_row(r: Any) -> Event:
    """An ``Event`` from an ``events`` row (JSON columns decoded)."""
    evidence = {k: [(int(s), int(t)) for s, t in v] for k, v in json.loads(r["evidence"] or "{}").items()}
    scalars = {name: r[name] for name in _EVENT_SCALARS}
    for name in ("event_date", "end_date"):  # text when read by ``_full_rows``
        if isinstance(scalars[name], str):
            scalars[name] = dt.date.fromisoformat(scalars[name][:10])
    return Event(id=r["id"], document_id=r["document_id"], claimant=Claimant(**json.loads(r["claimant"] or "{}")),
                 loaded_terms=json.loads(r["loaded_terms"] or "[]"), evidence=evidence,
                 casualties=[CasualtyClaim.from_dict(c) for c in json.loads(r["casualties"] or "[]")],
                 initiator_claimant=(Claimant(**json.loads(r["initiator_claimant"]))
                                     if r["initiator_claimant"] else None),
                 type_explanation=json.loads(r["type_explanation"]) if r["type_explanation"] else None,
                 **scalars)


_EVENT_FIELDS = eventjson.EVENT_FIELDS
_JSON_FIELDS = eventjson.JSON_FIELDS


def event_dict(r: Any) -> dict[str, Any]:
    """The row as ``Event.to_dict()`` would give it (plus ``incident_id``), without building the
    dataclass: ``dataclasses.asdict`` deep-copies and costs more than the query on a big page."""
    row = dict(r)
    data = {name: row[name] for name in _EVENT_FIELDS}
    for name, empty in _JSON_FIELDS.items():
        data[name] = json.loads(data[name] or empty)
    for name in _DATE_FIELDS:
        if isinstance(data[name], dt.date):
            data[name] = data[name].isoformat()
    data["interaction"] = _interaction(row["inter1"], row["inter2"])
    data["incident_id"] = row["incident_id"]
    return data


_DATE_FIELDS = tuple(f.name for f in fields(Event) if f.type in ("dt.date | None", "date | None"))


def _interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's interaction code, as ``Event.interaction`` computes it."""
    return Event(id="", inter1=inter1, inter2=inter2).interaction if inter1 is not None else None


def _events_query(f: Filters) -> Select[Any]:
    return (select(*EVENT_COLUMNS, incident_events.c.incident_id)
            .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
            .where(*event_conditions(f)))


# Newest first, undated last (their own phase of the keyset order, by id).
_NEWEST = (events.c.event_date.desc(), events.c.id.desc())


def encode_cursor(date: dt.date | None, ident: str) -> str:
    return f"{date.isoformat() if date else ''}~{ident}"


def decode_cursor(cursor: str) -> tuple[dt.date | None, str]:
    """``DATE~ID`` (``~ID`` for the undated tail); raises ValueError when malformed."""
    day, sep, ident = cursor.partition("~")
    if not sep or not ident:
        raise ValueError("a cursor is DATE~ID as given in the previous page's next link")
    return (dt.date.fromisoformat(day) if day else None), ident


def _event_id_pages(conn: Connection, where: list[ColumnElement[bool]], after: str | None,
                    n: int, offset: int = 0) -> list[Any]:
    """Up to ``n`` (date, id) rows in newest-first order after the cursor: the dated ones from the
    (…, event_date, id) indexes, then the undated tail, so both phases are index range scans."""
    day, ident = decode_cursor(after) if after else (None, None)
    rows: list[Any] = []
    cols = (events.c.event_date, events.c.id)
    if ident is None or day is not None:
        dated = [*where, events.c.event_date.is_not(None)]
        if ident is not None:
            dated.append(tuple_(events.c.event_date, events.c.id) < tuple_(literal(day, Date), literal(ident, String)))
        rows = list(conn.execute(select(*cols).where(*dated).order_by(*_NEWEST).limit(n).offset(offset)))
        if len(rows) >= n or not _any_undated(conn):
            return rows
        if offset:  # the undated tail starts after every dated match: skip what the offset has left
            offset = max(0, offset - _count(conn, select(events.c.id).where(*dated)))
    undated = [*where, events.c.event_date.is_(None)]
    if ident is not None and day is None:
        undated.append(events.c.id < ident)
    tail = conn.execute(select(*cols).where(*undated).order_by(events.c.id.desc())
                        .limit(n - len(rows)).offset(offset))
    return rows + list(tail)


def _any_undated(conn: Connection) -> bool:
    """Whether any event lacks a date (one index seek). Most stores have none, and the undated
    tail's query is not free even when empty: SQLite builds the list of an ``IN`` filter (the
    text search's matches) before it finds no row to test (12 of 26 ms of a text search, issue 18)."""
    return conn.execute(select(events.c.id).where(events.c.event_date.is_(None)).limit(1)).first() is not None


_count_cache: dict[tuple[int, tuple[str, Filters]], tuple[float, int]] = {}
_COUNT_TTL_S = 15.0


def _cached_count(conn: Connection, engine: Engine, key: tuple[str, Filters], query: Select[Any],
                  cap: int | None) -> int:
    """Matches of ``query`` (at most ``cap`` + 1 when capped), exact counts cached for a few seconds
    per filter set: the map and a pager ask the same total again and again."""
    import time

    now = time.monotonic()
    hit = _count_cache.get((id(engine), key))
    if hit and now - hit[0] < _COUNT_TTL_S:
        return hit[1]
    if cap is None:
        n = _count(conn, query)
        if len(_count_cache) > 2048:
            _count_cache.clear()
        _count_cache[(id(engine), key)] = (now, n)
        return n
    return _count(conn, query.limit(cap + 1))


def _total(conn: Connection, engine: Engine, f: Filters, where: list[ColumnElement[bool]], page: Page,
           shown: int, more: bool) -> tuple[int | None, bool]:
    """The list's total as ``page.count`` asks: (total, exact)."""
    if not more and (shown or not page.offset) and not page.after:
        return page.offset + shown, True  # the last page tells the total for free
    if page.count == "none":
        return None, False
    query = select(events.c.id).where(*where)
    if page.count == "auto":
        hit = _count_cache.get((id(engine), ("events", f)))
        return (hit[1], True) if hit else (None, False)
    if page.count == "exact":
        return _cached_count(conn, engine, ("events", f), query, None), True
    cap = page.offset + max(COUNT_CAP, page.limit)
    n = _cached_count(conn, engine, ("events", f), query, cap)
    return min(n, cap), n <= cap


def list_events(engine: Engine, f: Filters, page: Page) -> tuple[Result, list[Any]]:
    """Matching events, newest first (undated last); also the raw rows (``event_from_row`` makes
    ``Event``s of them).

    Two steps: the page's (date, id) pairs from narrow index scans, then the full rows of just those
    ids. No count beside each page (a window count makes SQLite visit every match): the total is
    free on a last page, else counted as ``page.count`` says."""
    canon = canonical(engine, f)
    where = conditions_in(engine, canon)
    with engine.connect() as conn:
        picked = _event_id_pages(conn, where, page.after, page.limit + 1, 0 if page.after else page.offset)
        more = len(picked) > page.limit
        picked = picked[: page.limit]
        rows = _full_rows(conn, [r.id for r in picked])
        total, exact = _total(conn, engine, canon, where, page, len(picked), more)
    cursor = encode_cursor(picked[-1].event_date, picked[-1].id) if more and picked else None
    result = Result([event_dict(r) for r in rows], total, page, exact, more, cursor, unknown_names(engine, f))
    return result, rows


_EVENT_COLUMNS_AS_TEXT = tuple(
    type_coerce(c, String).label(c.name) if isinstance(c.type, Date) else c for c in EVENT_COLUMNS
    if c.name not in ("date_lo", "date_hi", "window_class", "in_disputed"))
"""The event columns with dates as the ISO text the API sends anyway (SQLAlchemy's date parsing
of every row costs more than the query)."""


def _full_rows(conn: Connection, ids: list[str]) -> list[Any]:
    if not ids:
        return []
    order = {ident: i for i, ident in enumerate(ids)}
    full = (select(*_EVENT_COLUMNS_AS_TEXT, incident_events.c.incident_id)
            .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
            .where(events.c.id.in_(ids)))
    return sorted((r._mapping for r in conn.execute(full)), key=lambda m: order[m["id"]])


# --- events as JSON text, built by SQLite ------------------------------------------------------------
#
# On a page of a hundred events, decoding each row into Python objects and encoding them again as
# JSON costs several times the query. SQLite's json_object() writes the same JSON in C: the API
# joins the rows' texts into the answer without touching their fields.

EVENT_KEYS = eventjson.EVENT_KEYS
"""The keys of an event in the API, in order (``event_dict``'s)."""


def _json_object(keys: Sequence[str]) -> Any:
    return eventjson.json_object_over(events, keys)


def _feature_sql(keys: Sequence[str]) -> Any:
    """A GeoJSON Feature (properties: ``keys`` but the evidence), as ``_feature`` in the API builds it."""
    point = case((or_(events.c.latitude.is_(None), events.c.longitude.is_(None)), None),
                 else_=func.json_object("type", "Point", "coordinates",
                                        func.json_array(events.c.longitude, events.c.latitude)))
    return func.json_object("type", "Feature", "id", events.c.id, "geometry", point,
                            "properties", _json_object([k for k in keys if k not in NOT_IN_FEATURES]))


def json_texts(engine: Engine, ids: list[str], keys: Sequence[str] = EVENT_KEYS,
               geojson: bool = False, *, stored: bool = True) -> list[str] | None:
    """The events ``ids`` as JSON texts in that order (``keys`` only; as GeoJSON Features), or None
    when the database cannot build JSON itself (then ``event_dict`` does it in Python).

    A full event (every key, not GeoJSON) comes from the text its triggers keep (see
    ``eventjson``) where the store has this version's; ``stored=False`` builds it with
    ``json_object`` anyway (the same bytes: the reference the stored texts are tested against)."""
    if engine.dialect.name != "sqlite":
        return None
    if not ids:
        return []
    keys = tuple(keys)
    from_column = stored and not geojson and keys == EVENT_KEYS and _stored_json_current(engine)
    sql, constants = _driver_sql(_STORED_JSON_STATEMENT if from_column else _json_statement(keys, geojson),
                                 engine.dialect, len(ids))
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql, (*constants, *ids))
        if from_column:
            found = {ident: eventjson.with_incident(j, incident_id) for ident, j, incident_id in rows}
        else:
            found = {ident: j for ident, j in rows}
    return [found[i] for i in ids if i in found]


@functools.lru_cache(maxsize=64)
def _driver_sql(statement: Select[Any], dialect: Any, n: int) -> tuple[str, tuple[Any, ...]]:
    """``statement`` as SQL text for ``n`` ids, and the values of its other parameters (the JSON
    keys, constants), in order: run on the driver, a page skips SQLAlchemy's expansion of the id
    list and its row processing (0.6 ms of 1.5-2 for a page of a hundred events)."""
    compiled = statement.params(ids=[""] * n).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    names = list(compiled.positiontup or ())
    assert names[len(names) - n:] == [f"ids_{i}" for i in range(1, n + 1)], "the ids are the statement's last parameters"
    return str(compiled), tuple(compiled.params[name] for name in names[: len(names) - n])


@functools.lru_cache(maxsize=16)
def _json_statement(keys: tuple[str, ...], geojson: bool) -> Select[Any]:
    """Built once per shape: SQLAlchemy then reuses its compiled form (and the JSON column, of no
    declared type, comes back as the text SQLite wrote)."""
    column = (_feature_sql(keys) if geojson else _json_object(keys)).label("j")
    return _json_rows(column)


def _json_rows(*columns: Any) -> Select[Any]:
    return (select(events.c.id, *columns)
            .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
            .where(events.c.id.in_(bindparam("ids", expanding=True))))


_STORED_JSON_STATEMENT = _json_rows(eventjson.stored_json_sql().label("j"), incident_events.c.incident_id)

_stored_json_cache: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def _stored_json_current(engine: Engine) -> bool:
    """Whether the store keeps each event's JSON with this version's triggers (migration 0013),
    asked once per engine."""
    if engine not in _stored_json_cache:
        with engine.connect() as conn:
            _stored_json_cache[engine] = eventjson.is_current(conn)
    return _stored_json_cache[engine]


def list_event_ids(engine: Engine, f: Filters, page: Page) -> Result:
    """A page of matching events as ``list_events`` gives it, with ``items`` holding only their ids
    (``json_texts`` turns them into the answer)."""
    canon = canonical(engine, f)
    where = conditions_in(engine, canon)
    with engine.connect() as conn:
        picked = _event_id_pages(conn, where, page.after, page.limit + 1, 0 if page.after else page.offset)
        more = len(picked) > page.limit
        picked = picked[: page.limit]
        total, exact = _total(conn, engine, canon, where, page, len(picked), more)
    cursor = encode_cursor(picked[-1].event_date, picked[-1].id) if more and picked else None
    return Result([{"id": r.id} for r in picked], total, page, exact, more, cursor, unknown_names(engine, f))


def iter_event_ids(engine: Engine, f: Filters, batch: int = 1000) -> Iterator[list[str]]:
    """The ids of every matching event, newest first, a keyset batch at a time."""
    where = conditions_in(engine, canonical(engine, f))
    after: str | None = None
    while True:
        with engine.connect() as conn:
            picked = _event_id_pages(conn, where, after, batch)
        if picked:
            yield [r.id for r in picked]
        if len(picked) < batch:
            return
        after = encode_cursor(picked[-1].event_date, picked[-1].id)


def iter_event_rows(engine: Engine, f: Filters, batch: int = 1000) -> Iterator[Any]:
    """Every matching event row, newest first, in keyset batches (for streamed downloads): memory
    stays one batch whatever the size of the corpus."""
    where = conditions_in(engine, canonical(engine, f))
    after: str | None = None
    while True:
        with engine.connect() as conn:
            picked = _event_id_pages(conn, where, after, batch)
            rows = _full_rows(conn, [r.id for r in picked])
        yield from rows
        if len(picked) < batch:
            return
        after = encode_cursor(picked[-1].event_date, picked[-1].id)


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
         .where(day.is_not(None), *conditions_in(engine, canonical(engine, f).without_dates()))
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

def _matching_event_ids_incidents(f: Filters, text_index: bool = False) -> Select[Any]:
    return (select(incident_events.c.incident_id)
            .join(events, events.c.id == incident_events.c.event_id)
            .where(*event_conditions(f, text_index)))


INCIDENT_SORTS = ("date", "-date", "casualties", "-casualties", "disputed", "reports")
"""Orders of the incident list: newest first (``date``), oldest first (``-date``), most killed first
(``casualties``; ``-casualties`` fewest), disputed first, most reports first."""


def _casualties() -> Any:
    """Per incident, the highest number of dead any report gives (a subquery to sort on)."""
    return (select(incident_events.c.incident_id, func.max(events.c.fatalities).label("killed"))
            .join(events, events.c.id == incident_events.c.event_id)
            .group_by(incident_events.c.incident_id).subquery("casualties"))


def _incident_order(q: Select[Any], sort: str, sqlite: bool, killed_column: bool = False) -> Select[Any]:
    i = incidents.c
    # Undated last. SQLite already sorts NULL last in a descending order, and an explicit
    # "IS NULL" term would stop it from reading the (date_lo, id) index in order.
    newest: tuple[Any, ...] = (i.date_lo.desc(), i.id.desc()) if sqlite else (
        i.date_lo.desc().nulls_last(), i.id.desc())
    if sort == "-date":
        return q.order_by(i.date_lo.is_(None), i.date_lo, i.id)
    if sort in ("casualties", "-casualties"):
        killed: Any = literal_column("incidents.killed_max")  # kept by triggers (migration 0007)
        if not killed_column:
            c = _casualties()
            killed = func.coalesce(c.c.killed, 0)
            q = q.outerjoin(c, c.c.incident_id == i.id)
        return q.order_by(killed.desc() if sort == "casualties" else killed, *newest)
    if sort == "disputed":
        return q.order_by((i.disputed == ""), *newest)
    if sort == "reports":
        return q.order_by(i.n_documents.desc(), *newest)
    return q.order_by(*newest)


def list_incidents(engine: Engine, f: Filters, page: Page, sort: str = "date") -> Result:
    """Incidents with at least one event matching ``f`` (``disputed``: the incident's own flag),
    newest first unless ``sort`` says otherwise; each with its event types, figures, actors and sides."""
    canon = canonical(engine, f)
    q = select(incidents)
    if canon.disputed:
        q = q.where(incidents.c.disputed != "")
        canon = replace(canon, disputed=False)
    if canon != Filters():
        # Correlated: read newest first, an incident is checked (by its own events) until the page
        # is full, instead of first gathering every matching event of the corpus.
        q = q.where(_matching_event_ids_incidents(canon, has_text_index(engine))
                    .where(incident_events.c.incident_id == incidents.c.id).exists())
    with engine.connect() as conn:
        ordered = _incident_order(q, sort, engine.dialect.name == "sqlite", _sqlite_has(engine, "incidents_killed_link"))
        rows = list(conn.execute(ordered.limit(page.limit + 1).offset(page.offset)))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        items = [incident_row_dict(r._mapping) for r in rows]
        _add_incident_figures(conn, items)
        if not more and (rows or not page.offset):
            total: int | None = page.offset + len(rows)
        elif page.count == "none":
            total = None
        elif page.count == "auto":
            hit = _count_cache.get((id(engine), ("incidents", f)))
            total = hit[1] if hit else None
        else:  # estimate counts like exact here: incident lists are short beside event lists
            total = _cached_count(conn, engine, ("incidents", f), q, None)
    return Result(items, total, page, total is not None, more, None, unknown_names(engine, f))


def _add_incident_figures(conn: Connection, items: list[dict[str, Any]]) -> None:
    """Event types, killed/injured (lowest–highest any report gives), actors and sides of each
    listed incident, read from its events (one query for the page)."""
    by_id = {item["id"]: item for item in items}
    for item in items:
        item.update(event_types=[], fatalities={"min": None, "max": None}, injured={"min": None, "max": None},
                    actors=[], sides=[])
    if not by_id:
        return
    q = (select(incident_events.c.incident_id, events.c.event_type, events.c.fatalities, events.c.injured,
                events.c.actor1, events.c.actor2, events.c.claimant, events.c.source)
         .join(events, events.c.id == incident_events.c.event_id)
         .where(incident_events.c.incident_id.in_(list(by_id))).order_by(events.c.document_id, events.c.seq))
    for r in conn.execute(q):
        item = by_id[r.incident_id]
        _add_once(item["event_types"], r.event_type)
        for name in ("fatalities", "injured"):
            span, value = item[name], getattr(r, name) or 0
            span["min"] = value if span["min"] is None else min(span["min"], value)
            span["max"] = value if span["max"] is None else max(span["max"], value)
        for actor in (r.actor1, r.actor2):
            _add_once(item["actors"], actor)
        claimant = json.loads(r.claimant or "{}")
        _add_once(item["sides"], claimant.get("side") or claimant.get("party") or claimant.get("name") or r.source)


def _add_once(values: list[Any], value: Any) -> None:
    if value and value not in values:
        values.append(value)


# --- documents ----------------------------------------------------------------------------------------

_DOC_LIST_COLUMNS = (documents.c.id, documents.c.url, documents.c.title, documents.c.outlet, documents.c.published,
                     documents.c.language, documents.c.source, documents.c.ingested_at)


def public_source(value: str | None) -> str | None:
    """A document's source without the server's directories (the file name only): a path on the
    server is nobody else's business and useless elsewhere."""
    if not value or "://" in value:
        return value
    return PurePath(value).name if ("/" in value or "\\" in value) else value


def _doc_summary(r: Any) -> dict[str, Any]:
    return {"id": r["id"], "title": r["title"], "outlet": r["outlet"], "url": r["url"],
            "published": _iso(r["published"])}


def document_conditions(f: Filters, disputed_flag: bool = False) -> list[ColumnElement[bool]]:
    """Dates apply to publication, text search to title and text, the rest to the document's events
    (``disputed_flag``: see ``has_disputed_flag``)."""
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
        out.append(d.id.in_(select(events.c.document_id).where(*event_conditions(rest, disputed_flag=disputed_flag))))
    return out


def list_documents(engine: Engine, f: Filters, page: Page) -> Result:
    n_events = (select(func.count()).where(events.c.document_id == documents.c.id)
                .correlate(documents).scalar_subquery().label("n_events"))
    q = select(*_DOC_LIST_COLUMNS, n_events).where(*document_conditions(f, has_disputed_flag(engine))).order_by(documents.c.published,
                                                                                        documents.c.id)
    with engine.connect() as conn:
        total = _count(conn, q)
        rows = conn.execute(q.limit(page.limit).offset(page.offset))
        items = [{**_doc_summary(r._mapping), "language": r.language, "source": public_source(r.source),
                  "ingested_at": r.ingested_at.isoformat() if r.ingested_at else None, "n_events": r.n_events}
                 for r in rows]
    return Result(items, total, page)


def document_detail(engine: Engine, document_id: str) -> dict[str, Any] | None:
    """A document with its text, its events (with incident ids) and the places it names."""
    with engine.connect() as conn:
        row = conn.execute(select(documents).where(documents.c.id == document_id)).first()
        if row is None:
            return None
        evs = conn.execute(select(*EVENT_COLUMNS, incident_events.c.incident_id)
                           .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
                           .where(events.c.document_id == document_id).order_by(events.c.seq))
        ev_items = [event_dict(r._mapping) for r in evs]
        pl = conn.execute(select(places).where(places.c.document_id == document_id).order_by(places.c.seq))
        place_items = [_place_dict(r._mapping) for r in pl]
    r = row._mapping
    return {**_doc_summary(r), "language": r["language"], "source": public_source(r["source"]), "text": r["text"],
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


def place_conditions(f: Filters, disputed_flag: bool = False) -> list[ColumnElement[bool]]:
    """Place mentions: place filters on the place itself, date/type/actor filters on its document's
    events (``disputed_flag``: see ``has_disputed_flag``)."""
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
        out.append(p.document_id.in_(select(events.c.document_id).where(*event_conditions(rest, disputed_flag=disputed_flag))))
    return out


def list_places(engine: Engine, f: Filters, page: Page) -> Result:
    q = select(places).where(*place_conditions(f, has_disputed_flag(engine))).order_by(places.c.document_id, places.c.seq)
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
