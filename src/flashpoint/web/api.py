"""The REST API: /api/documents, /api/events, /api/incidents, /api/places, /api/failures (each with /{id}).

Lists share one filter set and one page shape: ``{"items", "total", "limit", "offset", "next"}``,
in a stable order (a unique key last), as JSON, CSV or GeoJSON (``format=`` or the Accept header).
The only write is ``POST /api/documents``: it codes a report and stores it, and needs the bearer
token the operator set (FLASHPOINT_TOKEN); with none set, the server is read-only.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import json
from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from flashpoint.corpus.store import queries
from flashpoint.corpus.store.queries import Filters, Page, Result
from flashpoint.errors import FlashpointError
from flashpoint.model import Document, Failure
from flashpoint.typology import ALL_SUB_EVENT_TYPES, EVENT_TYPES
from flashpoint.web.errors import ApiError

router = APIRouter(prefix="/api")

MAX_LIMIT = 10_000
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


def filter_params(
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
    return Filters(since=since, until=until, country=country or None, admin1=admin1 or None, bbox=_bbox(bbox),
                   event_type=_choice("event_type", event_type, EVENT_TYPES),
                   sub_event_type=_choice("sub_event_type", sub_event_type, ALL_SUB_EVENT_TYPES),
                   actor=actor or None, side=side or None, disputed=disputed, q=q or None)


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")] = 100,
    offset: Annotated[int, Query(ge=0, description="items to skip")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


def format_param(request: Request, format: Format | None = None) -> Format:
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
    nxt = result.page.offset + result.page.limit
    if nxt >= result.total:
        return None
    params = dict(request.query_params)
    params["offset"] = str(nxt)
    params["limit"] = str(result.page.limit)
    return f"{request.url.path}?{urlencode(params)}"


def json_page(request: Request, result: Result) -> JSONResponse:
    nxt = _next_url(request, result)
    body = {"items": result.items, "total": result.total, "limit": result.page.limit,
            "offset": result.page.offset, "next": nxt}
    headers = {"Link": f'<{nxt}>; rel="next"'} if nxt else {}
    headers["X-Total-Count"] = str(result.total)
    return JSONResponse(body, headers=headers)


_FORMULA_START = ("=", "+", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell: nested values as JSON; text a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _csv_response(rows: Iterable[dict[str, Any]], columns: list[str] | None, total: int, name: str) -> Response:
    out = io.StringIO()
    rows = list(rows)
    fieldnames = columns or (list(rows[0].keys()) if rows else ["id"])
    writer = csv.DictWriter(out, fieldnames=fieldnames, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in fieldnames})
    return Response(out.getvalue(), media_type=_MEDIA["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                             "X-Total-Count": str(total)})


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
    body = {"type": "FeatureCollection", "features": list(features), "total": result.total,
            "limit": result.page.limit, "offset": result.page.offset, "next": _next_url(request, result)}
    return JSONResponse(body, media_type=_MEDIA["geojson"], headers={"X-Total-Count": str(result.total)})


def _no_geometry(kind: str) -> ApiError:
    return ApiError(400, "format_unavailable", f"{kind} have no coordinates: ask for format=json or format=csv")


def _not_found(kind: str, ident: object) -> ApiError:
    return ApiError(404, "not_found", f"no {kind} {ident!r} in this database (list them at /api/{kind}s)")


# --- lists and records --------------------------------------------------------------------------------

COMPACT_FIELDS = ("id", "event_date", "event_type", "sub_event_type", "location", "admin1", "country", "fatalities",
                  "injured", "captured", "claimant", "incident_id", "document_id")
"""What a map marker needs (``compact=true``): a fifth of the full event's bytes."""


@router.get("/events", summary="Events (one happening as one report tells it)")
def list_events(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep,
                compact: Annotated[bool, Query(description="GeoJSON/JSON with only the fields a map needs")] = False,
                ) -> Response:
    result, rows = queries.list_events(_engine(request), filters, page)
    if compact:
        result.items = [{k: i[k] for k in (*COMPACT_FIELDS, "latitude", "longitude")} for i in result.items]
    if fmt == "csv":
        from flashpoint.corpus.exports import COLUMNS, event_records

        pairs = [(queries.event_from_row(r), r["incident_id"]) for r in rows]
        return _csv_response(event_records(pairs), list(COLUMNS), result.total, "events")
    if fmt == "geojson":
        features = (_feature(i["latitude"], i["longitude"], {k: v for k, v in i.items() if k != "evidence"})
                    for i in result.items)
        return _geojson_response(features, result, request)
    return json_page(request, result)


@router.get("/events/{event_id}", summary="One event, with its evidence spans and document")
def get_event(request: Request, event_id: str) -> dict[str, Any]:
    data = queries.event_detail(_engine(request), event_id)
    if data is None:
        raise _not_found("event", event_id)
    return data


@router.get("/incidents", summary="Incidents (reports of one happening across documents and sides)")
def list_incidents(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep) -> Response:
    result = queries.list_incidents(_engine(request), filters, page)
    if fmt == "csv":
        return _csv_response((_flat(i) for i in result.items), None, result.total, "incidents")
    if fmt == "geojson":
        features = (_feature(i["place"]["latitude"], i["place"]["longitude"], i) for i in result.items)
        return _geojson_response(features, result, request)
    return json_page(request, result)


@router.get("/incidents/{incident_id}", summary="One incident: agreed fields, each side's versions, summary")
def get_incident(request: Request, incident_id: int) -> dict[str, Any]:
    data = request.app.state.store.incident(incident_id)
    if data is None:
        raise _not_found("incident", incident_id)
    return data  # type: ignore[no-any-return]


@router.get("/documents", summary="Documents (reports), without their text")
def list_documents(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep) -> Response:
    result = queries.list_documents(_engine(request), filters, page)
    if fmt == "csv":
        return _csv_response(result.items, None, result.total, "documents")
    if fmt == "geojson":
        raise _no_geometry("documents")
    return json_page(request, result)


@router.get("/documents/{document_id}", summary="One document: text, events, places")
def get_document(request: Request, document_id: str) -> dict[str, Any]:
    data = queries.document_detail(_engine(request), document_id)
    if data is None:
        raise _not_found("document", document_id)
    return data


@router.get("/places", summary="Place mentions (a toponym in a document and what it resolved to)")
def list_places(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep) -> Response:
    result = queries.list_places(_engine(request), filters, page)
    if fmt == "csv":
        return _csv_response(result.items, None, result.total, "places")
    if fmt == "geojson":
        features = (_feature(i["latitude"], i["longitude"], i) for i in result.items)
        return _geojson_response(features, result, request)
    return json_page(request, result)


@router.get("/places/{place_id}", summary="One place mention; its id is DOCUMENT_ID:SEQ")
def get_place(request: Request, place_id: str) -> dict[str, Any]:
    data = queries.place_detail(_engine(request), place_id)
    if data is None:
        raise _not_found("place", place_id)
    return data


@router.get("/failures", summary="Inputs that could not be processed, and why")
def list_failures(request: Request, filters: FiltersDep, page: PageDep, fmt: FormatDep) -> Response:
    result = queries.list_failures(_engine(request), filters, page)
    if fmt == "csv":
        return _csv_response(result.items, None, result.total, "failures")
    if fmt == "geojson":
        raise _no_geometry("failures")
    return json_page(request, result)


@router.get("/failures/{failure_id}", summary="One failure")
def get_failure(request: Request, failure_id: int) -> dict[str, Any]:
    data = queries.failure_detail(_engine(request), failure_id)
    if data is None:
        raise _not_found("failure", failure_id)
    return data


@router.get("/timeline", summary="Events per day under every filter but the dates (for the timeline)")
def get_timeline(request: Request, filters: FiltersDep) -> dict[str, Any]:
    return {"days": queries.timeline(_engine(request), filters)}


@router.get("/facets", summary="Values for filter menus: countries, types, sides, date span")
def get_facets(request: Request) -> dict[str, Any]:
    data = queries.facets(_engine(request))
    data["all_event_types"] = list(EVENT_TYPES)
    data["writable"] = request.app.state.token is not None
    return data


# --- the one write --------------------------------------------------------------------------------------

def _check_token(request: Request) -> None:
    expected: str | None = request.app.state.token
    if expected is None:
        raise ApiError(403, "writes_disabled", "this server is read-only: start it with FLASHPOINT_TOKEN set "
                       "to accept new documents")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "send the server's token as 'Authorization: Bearer TOKEN'")


def _code_and_store(request: Request, record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    from flashpoint.ingest.files import document_from_record
    from flashpoint.pipeline import code_documents

    doc: Document = document_from_record(record, source="api")
    store = request.app.state.store
    if store.has_document(doc.id):
        return 200, {"added": False, "document_id": doc.id, "url": f"/documents/{doc.id}", "events": 0,
                     "incidents": []}
    coded = next(iter(code_documents([doc])))
    if isinstance(coded, Failure):
        store.add_failure(coded)
        raise ApiError(422, coded.code, coded.reason)
    added = store.add(coded)
    return (201 if added.added else 200), {
        "added": added.added, "document_id": doc.id, "url": f"/documents/{doc.id}", "events": added.events,
        "incidents": list(added.incidents), "event_ids": [e.id for e in coded.events]}


@router.post("/documents", status_code=201, summary="Code a report and store it (needs the bearer token)",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "required": ["text"],
                 "properties": {k: {"type": "string"} for k in
                                ("text", "html", "title", "url", "outlet", "published", "id")}}}}}})
async def post_document(request: Request) -> JSONResponse:
    _check_token(request)
    if "json" not in request.headers.get("content-type", ""):
        raise ApiError(415, "unsupported_media_type", "send the report as JSON: Content-Type: application/json")
    try:
        record = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_json", f"the body is not JSON ({exc}): send {{\"text\": ...}}") from None
    if not isinstance(record, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object with a 'text' (or 'html') field")
    try:
        status, body = await run_in_threadpool(_code_and_store, request, record)
    except FlashpointError as exc:
        raise ApiError(422, exc.code, str(exc)) from None
    return JSONResponse(body, status_code=status, headers={"Location": f"/api/documents/{body['document_id']}"})


@router.get("", summary="What this API offers", include_in_schema=False)
def index() -> dict[str, Any]:
    return {"resources": [f"/api/{r}" for r in ("documents", "events", "incidents", "places", "failures")],
            "also": ["/api/timeline", "/api/facets"], "docs": "/docs", "openapi": "/openapi.json"}

