"""Response shapes for the OpenAPI description at /docs (the routes build plain dicts; these document them).

``extra="allow"`` everywhere: a record may carry more fields than listed (the data contract grows),
and the docs must never make a client believe a field is absent.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error, from a bad parameter to a crash: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


class Claimant(_Open):
    name: str | None = None
    party: str | None = None
    side: str | None = None


class Event(_Open):
    id: str
    document_id: str | None = None
    event_date: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    country: str | None = None
    admin1: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    fatalities: int = 0
    injured: int = 0
    captured: int = 0
    claimant: Claimant | None = None
    notes: str | None = None
    evidence: dict[str, list[list[int]]] = {}
    incident_id: int | None = None


class _PageMeta(_Open):
    total: int | None = None
    total_exact: bool = True
    limit: int
    offset: int
    next: str | None = None
    warnings: list[str] = []


class EventPage(_PageMeta):
    items: list[Event]


class DocumentSummary(_Open):
    id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None


class EventDetail(Event):
    document: DocumentSummary | None = None


class Incident(_Open):
    id: int
    dates: dict[str, str | None]
    place: dict[str, Any]
    n_events: int
    n_documents: int
    disputed_fields: list[str]
    event_types: list[str] = []
    fatalities: dict[str, int | None] = {}
    sides: list[str] = []
    actors: list[str] = []


class IncidentPage(_PageMeta):
    items: list[Incident]


class IncidentDetail(Incident):
    events: list[dict[str, Any]]
    agreed: dict[str, Any] = {}
    disputed: dict[str, list[dict[str, Any]]] = {}
    single: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    versions: dict[str, list[dict[str, Any]]] = {}


class Document(DocumentSummary):
    language: str | None = None
    source: str | None = None
    ingested_at: str | None = None
    n_events: int | None = None


class DocumentPage(_PageMeta):
    items: list[Document]


class DocumentDetail(Document):
    text: str
    events: list[Event]
    places: list[dict[str, Any]]


class Place(_Open):
    id: str
    name: str
    start: int
    end: int
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None


class PlacePage(_PageMeta):
    items: list[Place]


class FailureRecord(_Open):
    id: int
    source: str
    code: str
    reason: str
    count: int


class FailurePage(_PageMeta):
    items: list[FailureRecord]


class Day(BaseModel):
    date: str
    events: int
    fatalities: int


class Timeline(BaseModel):
    days: list[Day]


class Facets(_Open):
    countries: list[str]
    event_types: list[str]
    sub_event_types: list[str]
    sides: list[str]
    dates: dict[str, str | None]
    writable: bool


class JobState(_Open):
    """A posted document's coding: poll ``status_url`` until ``status`` is done or failed."""

    job_id: str | None = None
    status: str
    status_url: str | None = None
    document_id: str
    url: str
    warnings: list[str] = []
    result: dict[str, Any] | None = None
    error: ErrorDetail | None = None
