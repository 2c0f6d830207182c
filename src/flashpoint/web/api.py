"""The REST API: /api/documents, /api/events, /api/incidents, /api/places, /api/failures (each with /{id}).

Lists share one filter set and one page shape: ``{"items", "total", "limit", "offset", "next"}``,
in a stable order (a unique key last), as JSON, CSV or GeoJSON (``format=`` or the Accept header).
The only write is ``POST /api/documents``: it codes a report and stores it, and needs the bearer
token the operator set (FLASHPOINT_TOKEN); with none set, the server is read-only.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import hmac
import io
import json
import queue
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from flashpoint.corpus.store import queries
from flashpoint.corpus.store.queries import Filters, Page, Result
from flashpoint.errors import FlashpointError
from flashpoint.model import NOT_IN_FEATURES, Document
from flashpoint.typology import ALL_SUB_EVENT_TYPES, EVENT_TYPES
from flashpoint.web import schemas
from flashpoint.web.errors import ApiError
from flashpoint.web.reading import reads


async def known_params_only(request: Request) -> None:
    """Refuse query parameters the route does not take: a misspelt filter must not be ignored."""
    route = request.scope.get("route")
    allowed = _ALLOWED.get(id(route)) if route is not None else None
    if allowed is None and route is not None:
        allowed = _ALLOWED[id(route)] = _allowed_params(route)
    if allowed is None:
        return
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApiError(422, "invalid_parameter", f"unknown parameter{'s' if len(unknown) > 1 else ''} "
                       f"{', '.join(unknown)}: this resource takes " + (", ".join(sorted(allowed)) or "none"))


_ALLOWED: dict[int, frozenset[str] | None] = {}


def _allowed_params(route: Any) -> frozenset[str] | None:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    names: set[str] = set()
    todo = [dependant]
    while todo:  # the route's own query parameters and those of its dependencies, at any depth
        d = todo.pop()
        names.update(p.alias for p in d.query_params)
        todo.extend(d.dependencies)
    return frozenset(names)


router = APIRouter(prefix="/api", dependencies=[Depends(known_params_only)],
                   responses={422: {"model": schemas.ErrorBody, "description": "a parameter is invalid"},
                              404: {"model": schemas.ErrorBody, "description": "no such record"},
                              503: {"model": schemas.ErrorBody, "description": "the request read the database "
                                    "too long (settings.API_READ_SECONDS) and was stopped: narrow it"}})

MAX_LIMIT = 10_000
MAX_OFFSET = 1_000_000_000
MAX_ID = 2**63 - 1
Format = Literal["json", "csv", "geojson"]
_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


# --- parameters ---------------------------------------------------------------------------------

def _bbox(value: str | None) -> queries.BBox | None:
    if not value:
        return None
    try:
        west, south, east, north = (float(x) for x in value.split(","))
    except ValueError:
        raise ApiError(422, "invalid_parameter", "bbox: give four numbers west,south,east,north in degrees, "
                       "e.g. bbox=43.4,38.8,46.7,41.3") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ApiError(422, "invalid_parameter", "bbox: longitudes must lie in -180..180 and "
                       "latitudes in -90..90 with south <= north")
    return west, south, east, north


def _choice(name: str, value: str | None, allowed: Iterable[str]) -> str | None:
    if not value:
        return None
    allowed = tuple(allowed)
    for option in allowed:
        if option.lower() == value.strip().lower():
            return option
    raise ApiError(422, "invalid_parameter", f"{name}: {value!r} is not an ACLED type; use one of: "
                   + ", ".join(allowed))


Text = Annotated[str | None, Query(max_length=200)]


def build_filters(
    since: Annotated[dt.date | None, Query(description="first event day (YYYY-MM-DD)")] = None,
    until: Annotated[dt.date | None, Query(description="last event day (YYYY-MM-DD)")] = None,
    country: Annotated[str | None, Query(max_length=200, description="country name, e.g. Armenia")] = None,
    admin1: Annotated[str | None, Query(max_length=200, description="first-level division, e.g. Tavush")] = None,
    bbox: Annotated[str | None, Query(max_length=200, description="west,south,east,north in degrees")] = None,
    event_type: Annotated[str | None, Query(max_length=200, description="ACLED event type")] = None,
    sub_event_type: Annotated[str | None, Query(max_length=200, description="ACLED sub-event type")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="part of an actor's name")] = None,
    side: Annotated[str | None, Query(max_length=200, description="the claimant's side (or party/speaker)")] = None,
    disputed: Annotated[bool, Query(description="only events of incidents the sides dispute")] = False,
    q: Annotated[str | None, Query(max_length=200, description="text search")] = None,
) -> Filters:
    if since and until and since > until:
        raise ApiError(422, "invalid_parameter", f"since ({since}) is after until ({until}): swap them")
    for name, day in (("since", since), ("until", until)):
        if day is not None and not (dt.date(1000, 1, 1) <= day <= dt.date(3000, 1, 1)):
            raise ApiError(422, "invalid_parameter", f"{name}: {day} is out of range: give a day between "
                           "1000-01-01 and 3000-01-01")
    return Filters(since=since, until=until, country=country or None, admin1=admin1 or None, bbox=_bbox(bbox),
                   event_type=_choice("event_type", event_type, EVENT_TYPES),
                   sub_event_type=_choice("sub_event_type", sub_event_type, ALL_SUB_EVENT_TYPES),
                   actor=actor or None, side=side or None, disputed=disputed, q=q or None)


@functools.wraps(build_filters)
async def filter_params(*args: Any, **kwargs: Any) -> Filters:
    """``build_filters`` as a coroutine: FastAPI then runs it inline instead of in a worker thread."""
    return build_filters(*args, **kwargs)


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip (for deep pages use `after`)")] = 0,
    after: Annotated[str | None, Query(max_length=300, description="keyset cursor: the `next` link of the "
                                       "previous page carries it (events only)")] = None,
    count: Annotated[queries.Count, Query(description="auto (default; exact for GeoJSON): the total when it is "
                                          "free (last page) or cached, else null; exact: count every match; estimate: exact up to "
                                          "1,000 past the page, else that lower bound (total_exact=false); none")
                     ] = "auto",
) -> Page:
    if after is not None:
        try:
            queries.decode_cursor(after)
        except ValueError as exc:
            raise ApiError(422, "invalid_parameter", f"after: {exc}") from None
    return Page(limit=limit, offset=offset, after=after, count=count)


async def format_param(request: Request, format: Format | None = None) -> Format:
    """``format=`` wins; else the Accept header (text/csv, application/geo+json); else JSON."""
    if format:
        return format
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    if "geo+json" in accept:
        return "geojson"
    return "json"


FiltersDep = Annotated[Filters, Depends(filter_params)]
PageDep = Annotated[Page, Depends(page_params)]
FormatDep = Annotated[Format, Depends(format_param)]


def _engine(request: Request) -> Engine:
    return request.app.state.store.engine  # type: ignore[no-any-return]


# --- output -------------------------------------------------------------------------------------------

def _next_url(request: Request, result: Result) -> str | None:
    """The next page's URL: by cursor when the list has one (cheap at any depth), else by offset."""
    if not result.more:
        return None
    params = dict(request.query_params)
    params["limit"] = str(result.page.limit)
    if result.next_cursor:
        params.pop("offset", None)
        params["after"] = result.next_cursor
    else:
        params["offset"] = str(result.page.offset + result.page.limit)
    return f"{request.url.path}?{urlencode(params)}"


def _page_meta(request: Request, result: Result) -> dict[str, Any]:
    meta: dict[str, Any] = {"total": result.total, "total_exact": result.total_exact, "limit": result.page.limit,
                            "offset": result.page.offset, "next": _next_url(request, result)}
    if result.warnings:
        meta["warnings"] = result.warnings
    return meta


def _total_headers(result: Result, nxt: str | None = None) -> dict[str, str]:
    headers = {"Link": f'<{nxt}>; rel="next"'} if nxt else {}
    if result.total is not None and result.total_exact:
        headers["X-Total-Count"] = str(result.total)
    return headers


def json_page(request: Request, result: Result) -> JSONResponse:
    meta = _page_meta(request, result)
    return JSONResponse({"items": result.items, **meta}, headers=_total_headers(result, meta["next"]))


_FORMULA_START = ("=", "+", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell: nested values as JSON; text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _csv_lines(rows: Iterable[dict[str, Any]], columns: list[str] | None) -> Iterator[str]:
    out = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=columns or list(row), extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
        writer.writerow({k: _cell(row.get(k)) for k in writer.fieldnames})
        if out.tell() > 64_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if writer is None:
        yield ",".join(columns or ["id"]) + "\n"
    yield out.getvalue()


def _csv_response(rows: Iterable[dict[str, Any]], columns: list[str] | None, total: int | None, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    if total is not None:
        headers["X-Total-Count"] = str(total)
    return StreamingResponse(_csv_lines(rows, columns), media_type=_MEDIA["csv"], headers=headers)


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    """Nested dicts one level up (``dates.start`` → ``dates_start``) for CSV."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict) and all(not isinstance(v, (dict, list)) for v in value.values()):
            out.update({f"{key}_{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def _feature(lat: float | None, lon: float | None, props: dict[str, Any]) -> dict[str, Any]:
    geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "id": props.get("id"), "geometry": geometry, "properties": props}


def _geojson_response(features: Iterator[dict[str, Any]], result: Result, request: Request) -> JSONResponse:
    body = {"type": "FeatureCollection", "features": list(features), **_page_meta(request, result)}
    return JSONResponse(body, media_type=_MEDIA["geojson"], headers=_total_headers(result))


def _geojson_stream(features: Iterable[dict[str, Any]], name: str) -> StreamingResponse:
    """Every feature, written as it is read: a download of the whole list in constant memory."""
    def chunks() -> Iterator[str]:
        yield '{"type": "FeatureCollection", "features": ['
        for i, feature in enumerate(features):
            yield ("," if i else "") + json.dumps(feature, ensure_ascii=False)
        yield "]}"

    return StreamingResponse(chunks(), media_type=_MEDIA["geojson"],
                             headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'})


def _no_geometry(kind: str) -> ApiError:
    return ApiError(400, "format_unavailable", f"{kind} have no coordinates: ask for format=json or format=csv")


def _not_found(kind: str, ident: object) -> ApiError:
    return ApiError(404, "not_found", f"no {kind} {ident!r} in this database (list them at /api/{kind}s)")


# --- lists and records --------------------------------------------------------------------------------

COMPACT_FIELDS = ("id", "event_date", "event_type", "sub_event_type", "location", "admin1", "country", "fatalities",
                  "injured", "captured", "claimant", "incident_id", "document_id")
"""What a map marker needs (``compact=true``): a fifth of the full event's bytes."""


def _download_all(request: Request, fmt: Format) -> bool:
    """A CSV or GeoJSON list asked for without ``limit`` is a download: every match, streamed."""
    return fmt in ("csv", "geojson") and "limit" not in request.query_params


DOWNLOAD_BATCH = 1000


def _every(lister: Callable[[Page], Result]) -> Iterator[dict[str, Any]]:
    """Every item of a list, read a batch at a time while the answer streams out (memory: one batch)."""
    offset = 0
    while True:
        result = lister(Page(limit=DOWNLOAD_BATCH, offset=offset, count="none"))
        yield from result.items
        if not result.more:
            return
        offset += DOWNLOAD_BATCH


def _event_feature(item: dict[str, Any]) -> dict[str, Any]:
    return _feature(item["latitude"], item["longitude"], {k: v for k, v in item.items() if k not in NOT_IN_FEATURES})


@router.get("/events", summary="Events (one happening as one report tells it), newest first",
            response_model=schemas.EventPage,
            responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}})
@reads
def list_events(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep,
                compact: Annotated[bool, Query(description="GeoJSON/JSON with only the fields a map needs")] = False,
                ) -> Response:
    engine = _engine(request)
    if _download_all(request, fmt):
        if fmt == "geojson" and engine.dialect.name == "sqlite":
            keys = (*COMPACT_FIELDS, "latitude", "longitude") if compact else queries.EVENT_KEYS
            return _geojson_text_stream(engine, filters, keys)
        streamed = queries.iter_event_rows(engine, filters)
        if fmt == "csv":
            return _csv_response(_event_csv_rows(streamed), _csv_columns(), None, "events")
        return _geojson_stream((_event_feature(_compact(queries.event_dict(r), compact)) for r in streamed), "events")
    if fmt == "geojson" and "count" not in request.query_params:
        page = dataclasses.replace(page, count="exact")  # a map says how many it shows of how many
    if fmt != "csv":
        fast = _events_as_json_text(request, filters, page, fmt, compact)
        if fast is not None:
            return fast
    result, rows = queries.list_events(engine, filters, page)
    result.items = [_compact(i, compact) for i in result.items]
    if fmt == "csv":
        return _csv_response(_event_csv_rows(rows), _csv_columns(), result.total if result.total_exact else None,
                             "events")
    if fmt == "geojson":
        return _geojson_response((_event_feature(i) for i in result.items), result, request)
    return json_page(request, result)


def _events_as_json_text(request: Request, filters: Filters, page: Page, fmt: Format,
                         compact: bool) -> Response | None:
    """The page with each event's JSON written by the database (see ``queries.json_texts``): the
    same answer as the Python path, at a fraction of the cost. None where the database cannot."""
    engine = _engine(request)
    if engine.dialect.name != "sqlite":
        return None
    result = queries.list_event_ids(engine, filters, page)
    keys = (*COMPACT_FIELDS, "latitude", "longitude") if compact else queries.EVENT_KEYS
    texts = queries.json_texts(engine, [i["id"] for i in result.items], keys, geojson=fmt == "geojson")
    if texts is None:
        return None
    meta = _page_meta(request, result)
    if fmt == "geojson":
        head, media, headers = '{"type":"FeatureCollection","features":[', _MEDIA["geojson"], _total_headers(result)
    else:
        head, media, headers = '{"items":[', _MEDIA["json"], _total_headers(result, meta["next"])
    body = head + ",".join(texts) + "]," + json.dumps(meta, ensure_ascii=False)[1:]
    return Response(body.encode("utf-8"), media_type=media, headers=headers)


def _geojson_text_stream(engine: Engine, filters: Filters, keys: tuple[str, ...]) -> StreamingResponse:
    """Every matching event as GeoJSON, each feature's text written by SQLite, a batch at a time."""
    def chunks() -> Iterator[str]:
        yield '{"type": "FeatureCollection", "features": ['
        first = True
        for ids in queries.iter_event_ids(engine, filters):
            texts = queries.json_texts(engine, ids, keys, geojson=True) or []
            if texts:
                yield ("" if first else ",") + ",".join(texts)
                first = False
        yield "]}"

    return StreamingResponse(chunks(), media_type=_MEDIA["geojson"],
                             headers={"Content-Disposition": 'attachment; filename="events.geojson"'})


def _compact(item: dict[str, Any], compact: bool) -> dict[str, Any]:
    return {k: item[k] for k in (*COMPACT_FIELDS, "latitude", "longitude")} if compact else item


def _csv_columns() -> list[str]:
    from flashpoint.corpus.exports import COLUMNS

    return list(COLUMNS)


def _event_csv_rows(rows: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """ACLED-style rows, with the ISO code and region ACLED gives each country filled in."""
    from flashpoint.corpus.exports import event_records
    from flashpoint.web.countries import acled_region, iso_number

    for row in event_records((queries.event_from_row(r), r["incident_id"]) for r in rows):
        if not row.get("iso"):
            row["iso"] = iso_number(row.get("country"))
        if not row.get("region"):
            row["region"] = acled_region(row.get("country"))
        yield row


@router.get("/events/{event_id:path}", summary="One event, with its evidence spans and document",
            response_model=schemas.EventDetail)
@reads
def get_event(request: Request, event_id: str) -> Response:
    data = queries.event_detail(_engine(request), event_id)
    if data is None:
        raise _not_found("event", event_id)
    return JSONResponse(data)


Sort = Literal[queries.INCIDENT_SORTS]  # type: ignore[valid-type]


@router.get("/incidents", summary="Incidents (reports of one happening across documents and sides)",
            response_model=schemas.IncidentPage,
            responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}})
@reads
def list_incidents(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep,
                   sort: Annotated[Sort, Query(description="date (newest first), -date, casualties, "
                                               "-casualties, disputed (disputed first), reports")] = "date",
                   ) -> Response:
    engine = _engine(request)
    if _download_all(request, fmt):
        every = _every(lambda p: queries.list_incidents(engine, filters, p, sort))
        if fmt == "csv":
            return _csv_response((_flat(i) for i in every), None, None, "incidents")
        return _geojson_stream((_incident_feature(i) for i in every), "incidents")
    result = queries.list_incidents(engine, filters, page, sort)
    if fmt == "csv":
        return _csv_response((_flat(i) for i in result.items), None, result.total, "incidents")
    if fmt == "geojson":
        return _geojson_response((_incident_feature(i) for i in result.items), result, request)
    return json_page(request, result)


def _incident_feature(item: dict[str, Any]) -> dict[str, Any]:
    return _feature(item["place"]["latitude"], item["place"]["longitude"], item)


@router.get("/incidents/{incident_id}", summary="One incident: agreed fields, each side's versions, summary",
            response_model=schemas.IncidentDetail)
@reads
def get_incident(request: Request,
                 incident_id: Annotated[int, Path(ge=0, le=MAX_ID, description="the incident's number")],
                 ) -> Response:
    data = request.app.state.store.incident(incident_id)
    if data is None:
        raise _not_found("incident", incident_id)
    for event in data.get("events", []):
        if event.get("document"):
            event["document"]["source"] = queries.public_source(event["document"].get("source"))
    return JSONResponse(data)


@router.get("/documents", summary="Documents (reports), without their text", response_model=schemas.DocumentPage,
            responses={200: {"content": {"text/csv": {}}}})
@reads
def list_documents(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep) -> Response:
    return _list_without_places(request, "documents", queries.list_documents, filters, page, fmt)


def _list_without_places(request: Request, kind: str, lister: Callable[[Engine, Filters, Page], Result],
                         filters: Filters, page: Page, fmt: Format) -> Response:
    """A list whose items have no coordinates (documents, failures): a page as JSON or CSV, or the
    whole list as a CSV download; GeoJSON is refused in one line."""
    if fmt == "geojson":
        raise _no_geometry(kind)
    if _download_all(request, fmt):
        return _csv_response(_every(lambda p: lister(_engine(request), filters, p)), None, None, kind)
    result = lister(_engine(request), filters, page)
    if fmt == "csv":
        return _csv_response(result.items, None, result.total, kind)
    return json_page(request, result)


@router.get("/documents/{document_id:path}", summary="One document: text, events, places",
            response_model=schemas.DocumentDetail)
@reads
def get_document(request: Request, document_id: str) -> Response:
    data = queries.document_detail(_engine(request), document_id)
    if data is None:
        raise _not_found("document", document_id)
    return JSONResponse(data)


@router.get("/places", summary="Place mentions (a toponym in a document and what it resolved to)",
            response_model=schemas.PlacePage,
            responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}})
@reads
def list_places(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep) -> Response:
    if _download_all(request, fmt):
        every = _every(lambda p: queries.list_places(_engine(request), filters, p))
        if fmt == "csv":
            return _csv_response(every, None, None, "places")
        return _geojson_stream((_feature(i["latitude"], i["longitude"], i) for i in every), "places")
    result = queries.list_places(_engine(request), filters, page)
    if fmt == "csv":
        return _csv_response(result.items, None, result.total, "places")
    if fmt == "geojson":
        features = (_feature(i["latitude"], i["longitude"], i) for i in result.items)
        return _geojson_response(features, result, request)
    return json_page(request, result)


@router.get("/places/{place_id:path}", summary="One place mention; its id is DOCUMENT_ID:SEQ",
            response_model=schemas.Place)
@reads
def get_place(request: Request, place_id: str) -> Response:
    data = queries.place_detail(_engine(request), place_id)
    if data is None:
        raise _not_found("place", place_id)
    return JSONResponse(data)


@router.get("/failures", summary="Inputs that could not be processed, and why", response_model=schemas.FailurePage,
            responses={200: {"content": {"text/csv": {}}}})
@reads
def list_failures(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep) -> Response:
    return _list_without_places(request, "failures", queries.list_failures, filters, page, fmt)


@router.get("/failures/{failure_id}", summary="One failure", response_model=schemas.FailureRecord)
@reads
def get_failure(request: Request,
                failure_id: Annotated[int, Path(ge=0, le=MAX_ID, description="the failure's number")],
                ) -> Response:
    data = queries.failure_detail(_engine(request), failure_id)
    if data is None:
        raise _not_found("failure", failure_id)
    return JSONResponse(data)


@router.get("/timeline", summary="Events per day under every filter but the dates (for the timeline)",
            response_model=schemas.Timeline, responses={200: {"content": {"text/csv": {}}}})
@reads
def get_timeline(request: Request, filters: FiltersDep, fmt: FormatDep) -> Response:
    days = queries.timeline(_engine(request), filters)
    if fmt == "csv":
        return _csv_response(days, ["date", "events", "fatalities"], len(days), "timeline")
    if fmt == "geojson":
        raise _no_geometry("timeline days")
    return JSONResponse({"days": days})


@router.get("/facets", summary="Values for filter menus: countries, types, sides, date span",
            response_model=schemas.Facets)
@reads
def get_facets(request: Request) -> Response:
    data = queries.facets(_engine(request))
    data["all_event_types"] = list(EVENT_TYPES)
    data["writable"] = request.app.state.token is not None
    return JSONResponse(data)


# --- the one write --------------------------------------------------------------------------------------

bearer = HTTPBearer(auto_error=False, description="the token the server was started with (FLASHPOINT_TOKEN)")


def _check_token(request: Request, credentials: HTTPAuthorizationCredentials | None) -> None:
    expected: str | None = request.app.state.token
    if expected is None:
        raise ApiError(403, "writes_disabled", "this server is read-only: start it with FLASHPOINT_TOKEN set "
                       "to accept new documents")
    given = credentials.credentials.strip() if credentials and credentials.scheme.lower() == "bearer" else ""
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "send the server's token as 'Authorization: Bearer TOKEN'")


def document_url(document_id: str) -> str:
    """The document page's URL: the id percent-encoded, so ``?``, ``#`` and ``/`` in it stay part of it."""
    return "/documents/" + quote(document_id, safe="")


def _english_warning(text: str) -> list[str]:
    """A warning when the text does not read as English (the coder would find little or nothing)."""
    from flashpoint.lang import words

    tokens = [t.strip(".,;:!?\"'()").lower() for t in text.split()[:400]]
    tokens = [t for t in tokens if t.isalpha()]
    if len(tokens) < 8:
        return []
    share = sum(t in words("en", "function_words") for t in tokens) / len(tokens)
    if share >= 0.08:
        return []
    return ["the text does not read as English (few common English words): flashpoint codes English reports, "
            "so expect few or no events; translate it first"]


def _prepare(request: Request, record: dict[str, Any]) -> tuple[int, dict[str, Any]] | Document:
    """The document to code, or the answer when it need not be coded (already stored)."""
    from flashpoint.ingest.files import document_from_record

    doc: Document = document_from_record(record, source="api")
    store = request.app.state.store
    stored = store.document(doc.id) if store.has_document(doc.id) else None
    if stored is None:
        return doc
    if stored.text != doc.text:
        raise ApiError(409, "id_conflict", f"a document with id {doc.id!r} is already stored with a different "
                       "text: post it under another id (or without one: the id is then the text's hash)")
    return 200, {"added": False, "status": "done", "document_id": doc.id, "url": document_url(doc.id),
                 "events": None, "incidents": [], "message": "this document is already stored, with the same text"}


@router.post("/documents", status_code=202, summary="Code a report in the background and store it (needs the token)",
             response_model=schemas.JobState,
             responses={200: {"model": schemas.JobState, "description": "already stored (same text)"},
                        201: {"model": schemas.JobState, "description": "coded and stored within `wait`"},
                        401: {"model": schemas.ErrorBody}, 403: {"model": schemas.ErrorBody},
                        409: {"model": schemas.ErrorBody, "description": "the id is taken by another text"},
                        413: {"model": schemas.ErrorBody}, 503: {"model": schemas.ErrorBody}},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "required": ["text"],
                 "properties": {k: {"type": "string"} for k in
                                ("text", "html", "title", "url", "outlet", "published", "id")}}}}}})
async def post_document(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    wait: Annotated[float, Query(ge=0, le=60, description="seconds to wait for the coding to finish before "
                                 "answering 202 with the job to poll")] = 0,
) -> JSONResponse:
    _check_token(request, credentials)
    if "json" not in request.headers.get("content-type", ""):
        raise ApiError(415, "unsupported_media_type", "send the report as JSON: Content-Type: application/json")
    try:
        record = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_json", f"the body is not JSON ({exc}): send {{\"text\": ...}}") from None
    if not isinstance(record, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object with a 'text' (or 'html') field")
    try:
        prepared = await run_in_threadpool(_prepare, request, record)
    except FlashpointError as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    if isinstance(prepared, tuple):
        status, body = prepared
        return JSONResponse(body, status_code=status, headers={"Location": body["url"]})
    jobs = request.app.state.jobs
    try:
        state = jobs.submit(prepared, _english_warning(prepared.text) if prepared.language == "en" else [])
    except queue.Full:
        raise ApiError(503, "busy", "too many documents are waiting to be coded: try again in a minute") from None
    if wait:
        state = await run_in_threadpool(jobs.wait, state["id"], wait) or state
    return _job_response(state, created=True)


def _job_response(state: dict[str, Any], created: bool = False) -> JSONResponse:
    body = _job_body(state)
    if state["status"] == "done":
        code = 201 if created and body["result"]["added"] else 200
        return JSONResponse(body, status_code=code, headers={"Location": body["url"]})
    if state["status"] == "failed" and created:
        error = state.get("error") or {}
        status = 503 if error.get("code") in ("timeout", "shutdown") else 422
        raise ApiError(status, error.get("code", "failed"), error.get("message", "coding failed"))
    return JSONResponse(body, status_code=202 if created else 200, headers={"Location": body["status_url"]})


def _job_body(state: dict[str, Any]) -> dict[str, Any]:
    doc_id = state["document_id"]
    body = {"job_id": state["id"], "status": state["status"], "status_url": f"/api/jobs/{state['id']}",
            "document_id": doc_id, "url": document_url(doc_id), "api_url": "/api/documents/" + quote(doc_id, safe=""),
            "warnings": state.get("warnings", []), "result": state.get("result"), "error": state.get("error")}
    if state.get("result"):
        body.update(added=state["result"]["added"], events=state["result"]["events"],
                    incidents=state["result"]["incidents"], event_ids=state["result"]["event_ids"])
    return body


@router.get("/jobs/{job_id}", summary="How a posted document's coding stands: queued, running, done or failed",
            response_model=schemas.JobState)
def get_job(request: Request, job_id: str) -> JSONResponse:
    state = request.app.state.jobs.status(job_id)
    if state is None:
        raise ApiError(404, "not_found", f"no job {job_id!r} (jobs are kept while the server runs)")
    return _job_response(state)


@router.get("", summary="What this API offers", include_in_schema=False)
def index() -> dict[str, Any]:
    return {"resources": [f"/api/{r}" for r in ("documents", "events", "incidents", "places", "failures")],
            "also": ["/api/timeline", "/api/facets", "/api/jobs/{id}"], "docs": "/docs", "openapi": "/openapi.json"}
