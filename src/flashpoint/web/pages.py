"""HTML pages: the map, incident and document pages, and lists; each has a JSON twin.

Templates are Jinja2 with autoescaping always on: article text, titles, actor names and URLs are
untrusted and only ever reach the page as escaped text. Evidence highlighting is computed here as
plain text segments (the template wraps each in ``<mark>``), so no markup is built from data.
A page's JSON twin is the API resource it shows, linked from the page and also served at the
page's own URL with ``.json`` appended.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from flashpoint.corpus.disputes import FIELDS as DISPUTE_FIELDS
from flashpoint.corpus.store import queries
from flashpoint.web import api
from flashpoint.web.errors import ApiError
from flashpoint.web.reading import reads

router = APIRouter(include_in_schema=False)

# Evidence field → highlight class (a fixed set: class names never come from data).
FIELD_CLASS: dict[str, str] = {
    **{f: "ev-actor" for f in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "initiator")},
    **{f: "ev-place" for f in ("location", "country", "admin1", "admin2", "latitude", "longitude")},
    **{f: "ev-date" for f in ("event_date", "end_date")},
    **{f: "ev-count" for f in ("fatalities", "injured", "captured")},
    **{f: "ev-type" for f in ("event_type", "sub_event_type", "disorder_type")},
    "claimant": "ev-claim", "loaded_terms": "ev-loaded", "place_mention": "ev-mention",
    "quoted sentence": "ev-focus",
}
LEGEND = (("ev-actor", "actors"), ("ev-place", "place"), ("ev-date", "date"), ("ev-count", "casualties"),
          ("ev-type", "event type"), ("ev-claim", "claimant"), ("ev-loaded", "loaded language"))
FIELD_LABEL = {"initiator": "who started it", "fatalities": "killed", "injured": "injured",
               "captured": "captured / missing", "location": "place", "event_type": "event type",
               "sub_event_type": "sub-event type", "event_date": "date"}


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("flashpoint.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["safe_url"] = safe_url
    env.filters["label"] = lambda name: FIELD_LABEL.get(name, name.replace("_", " "))
    env.filters["value"] = display_value
    return env


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _env().get_template(template).render(request_path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code)


def render_error(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status, title=f"Error {status}", status=status, code=code,
                  message=message, json_url=None)


def safe_url(url: str | None) -> str | None:
    """``url`` when it is plain http(s), else None (``javascript:``, ``data:`` … are never linked)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def display_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


# --- evidence highlighting -----------------------------------------------------------------------

@dataclass
class Segment:
    text: str
    classes: str = ""
    fields: str = ""
    anchor: str = ""
    """An id for the sentence that starts here (a casualty claim's quote links to it)."""


def highlight(text: str, marks: Iterable[tuple[int, int, str]],
              anchors: Mapping[int, str] | None = None) -> list[Segment]:
    """Split ``text`` at every mark boundary; each piece carries the fields whose spans cover it.
    ``anchors`` maps offsets to ids for the pieces starting there (sentences quoted elsewhere)."""
    anchors = {k: v for k, v in (anchors or {}).items() if 0 <= k < len(text)}
    spans = [(max(0, s), min(len(text), e), f) for s, e, f in marks if 0 <= s < e and s < len(text)]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans), *anchors})
    out: list[Segment] = []
    for start, end in zip(cuts, cuts[1:]):
        names = sorted({f for s, e, f in spans if s <= start and end <= e})
        classes = sorted({FIELD_CLASS.get(n, "ev-other") for n in names})
        out.append(Segment(text[start:end], " ".join(classes), ", ".join(names), anchors.get(start, "")))
    return out


def event_marks(events: Iterable[Mapping[str, Any]]) -> list[tuple[int, int, str]]:
    return [(int(s), int(e), name) for ev in events for name, spans in (ev.get("evidence") or {}).items()
            for s, e in spans]


# --- the map -----------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
@reads
def map_page(request: Request) -> Response:
    query = str(request.url.query)
    return render(request, "map.html", title="Map", tile_url=request.app.state.tile_url,
                  json_url="/api/events" + (f"?{query}" if query else ""),
                  event_types=_event_types())


def _event_types() -> Sequence[str]:
    from flashpoint.typology import EVENT_TYPES

    return EVENT_TYPES


@router.get("/outlines.json")
def outlines() -> Response:
    from flashpoint.web.outlines import world_geojson

    return Response(world_geojson(), media_type="application/geo+json",
                    headers={"Cache-Control": "public, max-age=86400"})


# --- incidents ------------------------------------------------------------------------------------------

LIST_PARAMS = frozenset(("since", "until", "country", "admin1", "bbox", "event_type", "sub_event_type", "actor",
                         "side", "disputed", "q", "limit", "offset", "sort"))


def _list_context(request: Request) -> tuple[queries.Filters, queries.Page]:
    """Filters and page from the page's query string, validated exactly as the API does."""
    p = request.query_params
    unknown = sorted(set(p) - LIST_PARAMS)
    if unknown:
        raise ApiError(422, "invalid_parameter", f"unknown parameter {', '.join(unknown)}: this page takes "
                       + ", ".join(sorted(LIST_PARAMS)))
    try:
        import datetime as dt

        def day(name: str) -> dt.date | None:
            return dt.date.fromisoformat(p[name]) if p.get(name) else None

        filters = api.build_filters(since=day("since"), until=day("until"), country=p.get("country"),
                                    admin1=p.get("admin1"), bbox=p.get("bbox"), event_type=p.get("event_type"),
                                    sub_event_type=p.get("sub_event_type"), actor=p.get("actor"),
                                    side=p.get("side"), disputed=p.get("disputed") in ("1", "true", "on"),
                                    q=p.get("q"))
        offset = int(p.get("offset", 0))
        if not 0 <= offset <= api.MAX_OFFSET:
            raise ApiError(422, "invalid_parameter", f"offset: give a whole number from 0 to {api.MAX_OFFSET}")
        page = queries.Page(limit=min(max(int(p.get("limit", 50)), 1), 500), offset=offset)
    except ValueError as exc:
        raise ApiError(422, "invalid_parameter", f"{exc}: dates are YYYY-MM-DD, limit and offset whole numbers") from None
    return filters, page


def _pager(request: Request, result: queries.Result) -> dict[str, str | None]:
    params = dict(request.query_params)

    def link(offset: int) -> str:
        return request.url.path + "?" + urlencode({**params, "offset": str(offset), "limit": str(result.page.limit)})

    nxt = result.page.offset + result.page.limit
    prev = result.page.offset - result.page.limit
    return {"next": link(nxt) if result.more else None,
            "prev": link(max(prev, 0)) if result.page.offset > 0 else None}


def _sort(request: Request) -> str:
    sort = request.query_params.get("sort") or "date"
    if sort not in queries.INCIDENT_SORTS:
        raise ApiError(422, "invalid_parameter", f"sort: {sort!r} is not an order; use one of: "
                       + ", ".join(queries.INCIDENT_SORTS))
    return sort


SORT_COLUMNS = (("date", "-date", "Dates"), ("casualties", "-casualties", "Killed"), ("disputed", None, "Disputed"),
                ("reports", None, "Reports"))
"""Sortable columns of the incident list: first click's order, second click's order, heading."""


def _sort_links(request: Request, current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the URL that sorts by it (or reverses it) and the arrow to show."""
    params = {k: v for k, v in request.query_params.items() if k not in ("sort", "offset")}
    out = {}
    for first, second, _label in SORT_COLUMNS:
        target = second if current == first and second else first
        arrow = "▼" if current == first else "▲" if current == second else ""
        out[first] = {"href": request.url.path + "?" + urlencode({**params, "sort": target}), "arrow": arrow}
    return out


@router.get("/incidents", response_class=HTMLResponse)
@reads
def incidents_page(request: Request) -> Response:
    filters, page = _list_context(request)
    sort = _sort(request)
    result = queries.list_incidents(request.app.state.store.engine, filters, page, sort)
    query = str(request.url.query)
    downloads = {fmt: "/api/incidents?" + urlencode({**filters.as_params(), "sort": sort, "format": fmt})
                 for fmt in ("csv", "geojson")}
    return render(request, "incidents.html", title="Incidents", result=result, filters=filters, sort=sort,
                  sort_links=_sort_links(request, sort), sort_columns=SORT_COLUMNS, downloads=downloads,
                  pager=_pager(request, result), json_url="/api/incidents" + (f"?{query}" if query else ""))


@router.get("/incidents.json")
@reads
def incidents_json(request: Request) -> Response:
    filters, page = _list_context(request)
    return api.json_page(request, queries.list_incidents(request.app.state.store.engine, filters, page,
                                                         _sort(request)))


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
@reads
def incident_page(request: Request, incident_id: str) -> Response:
    as_json = incident_id.endswith(".json")
    ident = incident_id.removesuffix(".json")
    if not ident.isdigit() or int(ident) > api.MAX_ID:
        raise ApiError(404, "not_found", f"no incident {ident!r}: incident ids are whole numbers (see /incidents)")
    store = request.app.state.store
    data = store.incident(int(ident))
    if data is None:
        raise ApiError(404, "not_found", f"no incident {ident} in this database (see /incidents)")
    if as_json:
        return JSONResponse(data)
    return render(request, "incident.html", title=f"Incident {ident}", json_url=f"/api/incidents/{ident}",
                  inc=data, **incident_view(data, _texts(store, data["events"])), legend=LEGEND)


def _texts(store: Any, events: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ev in events:
        doc_id = ev.get("document_id")
        if doc_id and doc_id not in out:
            doc = store.document(doc_id)
            out[doc_id] = doc.text if doc else ""
    return out


def incident_view(data: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    """Columns by side; rows: disputed fields then fields only one side states; each report's text."""
    versions: dict[str, list[dict[str, Any]]] = data.get("versions", {})
    sides = queries.sides_in([v for name in DISPUTE_FIELDS for v in versions.get(name, [])])
    for ev in data["events"]:
        side = _side_of(ev)
        if side not in sides:
            sides.append(side)
    claimants = {s: sorted({v["claimant"] for vs in versions.values() for v in vs
                            if v["side"] == s and v["claimant"]}) for s in sides}
    rows = []
    for name in DISPUTE_FIELDS:
        if name in data["disputed"]:
            kind = "disputed"
        elif name in data["single"]:
            kind = "single"
        else:
            continue
        cells = [[v for v in versions.get(name, []) if v["side"] == s] for s in sides]
        rows.append({"field": name, "kind": kind, "cells": cells})
    anchors: dict[str, dict[int, str]] = {}
    for group in data.get("casualties", []):
        for claim in group["claims"]:
            if claim.get("anchor") and claim.get("sentence"):
                anchors.setdefault(claim["document_id"], {})[int(claim["sentence"][0])] = claim["anchor"]
    reports = []
    for doc_id, text in texts.items():
        members = [e for e in data["events"] if e.get("document_id") == doc_id]
        doc_sides = list(dict.fromkeys(_side_of(e) for e in members))
        reports.append({"document": members[0].get("document") or {"id": doc_id}, "events": members,
                        "side": " · ".join(doc_sides), "segments": highlight(text, event_marks(members), anchors.get(doc_id))})
    doc_names = {ev["document_id"]: _report_name(ev.get("document") or {}, ev["document_id"])
                 for ev in data["events"] if ev.get("document_id")}
    return {"sides": sides, "claimants": claimants, "rows": rows, "reports": reports, "doc_names": doc_names}


def _report_name(doc: Mapping[str, Any], fallback: str) -> str:
    """How a report is named beside a figure: outlet and date, else its title, else its id."""
    outlet, published = doc.get("outlet"), doc.get("published")
    if outlet:
        return f"{outlet}, {published}" if published else str(outlet)
    return str(doc.get("title") or fallback)


def _side_of(event: Mapping[str, Any]) -> str:
    c = event.get("claimant") or {}
    return c.get("side") or c.get("party") or c.get("name") or event.get("source") or "unattributed"


# --- documents ----------------------------------------------------------------------------------------

@router.get("/documents", response_class=HTMLResponse)
@reads
def documents_page(request: Request) -> Response:
    filters, page = _list_context(request)
    result = queries.list_documents(request.app.state.store.engine, filters, page)
    query = str(request.url.query)
    return render(request, "documents.html", title="Documents", result=result, filters=filters,
                  pager=_pager(request, result), json_url="/api/documents" + (f"?{query}" if query else ""))


@router.get("/documents.json")
@reads
def documents_json(request: Request) -> Response:
    filters, page = _list_context(request)
    return api.json_page(request, queries.list_documents(request.app.state.store.engine, filters, page))


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``text[start:end]``: back to the last full stop (or line break) before
    it, on to the first after it. Plain punctuation rules: enough to show a quote in context."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    lo = start
    while lo > 0 and not (text[lo - 1] == "\n" or (lo >= 2 and text[lo - 2] in ".!?" and text[lo - 1] == " ")):
        lo -= 1
    hi = end
    while hi < len(text) and text[hi] != "\n" and not (text[hi - 1] in ".!?" and text[hi] == " " and hi > end):
        hi += 1
    return lo, hi


def _focus(request: Request, text: str) -> list[tuple[int, int, str]]:
    """``?hl=START-END`` (a quote's span) → a mark over its whole sentence."""
    value = request.query_params.get("hl", "")
    start, sep, end = value.partition("-")
    if not (sep and start.isdigit() and end.isdigit() and int(start) < int(end) <= len(text)):
        return []
    lo, hi = sentence_around(text, int(start), int(end))
    return [(lo, hi, "quoted sentence")]


@router.get("/documents/{document_id:path}", response_class=HTMLResponse)
@reads
def document_page(request: Request, document_id: str) -> Response:
    engine = request.app.state.store.engine
    data = queries.document_detail(engine, document_id)
    as_json = False
    if data is None and document_id.endswith(".json"):
        data = queries.document_detail(engine, document_id.removesuffix(".json"))
        as_json = True
    if data is None:
        raise ApiError(404, "not_found", f"no document {document_id!r} in this database (see /documents)")
    if as_json:
        return JSONResponse(data)
    marks = event_marks(data["events"]) + [(p["start"], p["end"], "place_mention") for p in data["places"]]
    segments = highlight(data["text"], marks + _focus(request, data["text"]))
    focused = next((seg for seg in segments if "ev-focus" in seg.classes), None)
    if focused is not None:
        focused.anchor = "hl"
    return render(request, "document.html", title=data["title"] or data["id"], doc=data,
                  json_url=api.document_url(data["id"]).replace("/documents/", "/api/documents/", 1),
                  segments=segments, legend=LEGEND)
