"""The database tables, in SQLAlchemy Core: one definition for SQLite and PostgreSQL.

JSON-valued fields (claimant, evidence, loaded terms, removed chrome, place alternatives) are
stored as JSON text so that both back-ends hold the same bytes and an event read back equals the
event written. ``date_lo``/``date_hi`` hold each event's precision-widened date window for
blocking: linking asks only for events whose window overlaps a new event's. ``window_class``
buckets windows by width (a day, a week, a month, longer) so that the overlap query is a tight
index range per bucket instead of a scan as wide as the widest window (migration 0003).
``in_disputed`` says the event's incident is disputed, kept by SQLite triggers so that the API's
``disputed=true`` list reads one index (migration 0012); PostgreSQL leaves it 0 and unused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

migrations = Table(
    "migrations", metadata,
    Column("name", String(200), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", String(64), primary_key=True),
    Column("url", Text),
    Column("title", Text),
    Column("outlet", Text),
    Column("published", Date),
    Column("language", String(16), nullable=False, default="en"),
    Column("text", Text, nullable=False),
    Column("removed", Text, nullable=False, default="[]"),
    Column("source", Text),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

places = Table(
    "places", metadata,
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("geonameid", Integer),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("country", Text),
    Column("country_code", String(8)),
    Column("admin1", Text),
    Column("admin2", Text),
    Column("feature_code", String(16)),
    Column("resolved_name", Text),
    Column("score", Float, nullable=False, default=0.0),
    Column("reason", Text, nullable=False, default=""),
    Column("alternatives", Text, nullable=False, default="[]"),
)

events = Table(
    "events", metadata,
    Column("id", String(200), primary_key=True),
    Column("document_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("event_date", Date),
    Column("end_date", Date),
    Column("time_precision", Integer, nullable=False),
    Column("disorder_type", Text),
    Column("event_type", Text),
    Column("sub_event_type", Text),
    Column("actor1", Text),
    Column("assoc_actor_1", Text),
    Column("inter1", Integer),
    Column("actor2", Text),
    Column("assoc_actor_2", Text),
    Column("inter2", Integer),
    Column("initiator", Text),
    Column("country", Text),
    Column("admin1", Text),
    Column("admin2", Text),
    Column("location", Text),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("geo_precision", Integer),
    Column("geonameid", Integer),
    Column("fatalities", Integer, nullable=False, default=0),
    Column("injured", Integer, nullable=False, default=0),
    Column("captured", Integer, nullable=False, default=0),
    Column("claimant", Text, nullable=False, default="{}"),
    Column("claimant_side", Text),
    Column("loaded_terms", Text, nullable=False, default="[]"),
    Column("source", Text),
    Column("notes", Text, nullable=False, default=""),
    Column("confidence", Float, nullable=False, default=0.0),
    Column("evidence", Text, nullable=False, default="{}"),
    Column("date_lo", Date),
    Column("date_hi", Date),
    Column("window_class", Integer),
    Column("missing", Integer, nullable=False, default=0),
    Column("casualties", Text, nullable=False, default="[]"),
    Column("fatalities_rule", Text, nullable=False, default=""),
    Column("initiator_claimant", Text),
    Column("type_explanation", Text),
    Column("location_reason", Text, nullable=False, default=""),
    Column("in_disputed", Integer, nullable=False, server_default=text("0")),
    Column("api_json", Text),
    Index("ix_events_document", "document_id"),
    Index("ix_events_date_lo", "date_lo"),
    Index("ix_events_country", "country"),
)

EVENT_COLUMNS = tuple(c for c in events.c if c.name != "api_json")
"""What an event is made of: every column but ``api_json``, which repeats them as the API's JSON
text (kept by SQLite triggers, migration 0013) and stays out of reads of whole events."""

failures = Table(
    "failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("code", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("count", Integer, nullable=False, default=1),
    UniqueConstraint("source", "code", "reason", name="uq_failures_source_code_reason"),
)

incidents = Table(
    "incidents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("date_lo", Date),
    Column("date_hi", Date),
    Column("country", Text),
    Column("admin1", Text),
    Column("location", Text),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("n_events", Integer, nullable=False, default=0),
    Column("n_documents", Integer, nullable=False, default=0),
    Column("disputed", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_incidents_date_lo", "date_lo"),
)
"""Cached summary per incident (recomputed whenever its membership changes) for fast listing;
``disputed`` is the comma-separated list of disputed fields ("" when all agree)."""

incident_events = Table(
    "incident_events", metadata,
    Column("event_id", String(200), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("linked_by", String(16), nullable=False, default="auto"),
    Column("reasons", Text, nullable=False, default=""),
    Index("ix_incident_events_incident", "incident_id"),
)
"""Membership: each event is in exactly one incident (possibly alone). ``reasons`` says why the
linking rule put it there ("same dyad; same day; 9.8 km apart; shared place Tegh"), "" for the
event that started the incident (migration 0008)."""

incident_kinds = Table(
    "incident_kinds", metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(40), primary_key=True),
    Column("event_id", String(200), nullable=False),
    Column("document_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("n_events", Integer, nullable=False, default=1),
    Column("date_lo", Date),
    Column("date_hi", Date),
    Column("window_class", Integer),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("admin1", Text),
    Column("location", Text),
    Index("ix_incident_kinds_window", "window_class", "date_lo"),
)
"""Each incident's reports grouped by ``link.kind_key`` (all that linking and the incident summary
read), with a count and the first report of the kind in (document, seq) order: the candidate
search and the choice of incident read a row per kind, not per report (migration 0011). The
search columns repeat the first report's."""

incident_versions = Table(
    "incident_versions", metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("vkey", String(40), primary_key=True),
    Column("event_id", String(200), nullable=False),
    Column("document_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
)
"""Each incident's distinct versions of each disputable field (``disputes.version_keys``), with the
last report in (document, seq) order that gives it: which fields are disputed is judged on these
reports alone, the same answer as on all of them (migration 0011)."""

incident_split_documents = Table(
    "incident_split_documents", metadata,
    Column("incident_id", Integer, ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", String(64), primary_key=True),
)
"""Documents with events in this incident and in another: only those can lend an incident the
casualty claims of a sibling event (``store._sibling_claims``), so that search does not walk every
member's document (migration 0011)."""

unlinks = Table(
    "unlinks", metadata,
    Column("event_id", String(200), primary_key=True),
    Column("other_event_id", String(200), primary_key=True),
    Column("incident_id", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
"""A user's decision that two events are not one happening; stored in both directions, never
overridden by automatic linking."""


WINDOW_CLASSES = (2, 9, 45)
"""Widths (days) of the date-window buckets; wider windows are class 3, searched without a lower bound."""


def window_class(lo: Any, hi: Any) -> int | None:
    """The bucket of a date window ``[lo, hi]`` (dates or ISO strings); None when undated."""
    if lo is None or hi is None:
        return None
    width = (_as_date(hi) - _as_date(lo)).days
    return next((i for i, w in enumerate(WINDOW_CLASSES) if width <= w), len(WINDOW_CLASSES))


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
