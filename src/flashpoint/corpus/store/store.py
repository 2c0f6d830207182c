"""The corpus store: coded documents in, incidents and their disagreements out.

A thin layer over SQLAlchemy Core; the same statements run on SQLite and PostgreSQL. Every write
for one document (the document, its places, its events, their incident links) is one transaction,
so a process killed mid-ingest leaves each document either wholly stored or not at all, and a
re-run adds exactly what is missing. Documents are keyed by content hash: storing one twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, func, insert, or_, select, update

from flashpoint.corpus import disputes, link
from flashpoint.corpus.store import db, migrations
from flashpoint.corpus.store.schema import (
    WINDOW_CLASSES,
    documents,
    events,
    failures,
    incident_events,
    incident_kinds,
    incidents,
    places,
    unlinks,
    window_class,
)
from flashpoint.errors import StoreError
from flashpoint.model import Claimant, CodedDocument, Document, Event, Failure, Place

# Hot statements are built once: SQLAlchemy then reuses their compiled form without rebuilding them.
_Q_HAS_DOCUMENT = select(documents.c.id).where(documents.c.id == bindparam("id"))
_Q_SEPARATED = select(unlinks.c.other_event_id).where(unlinks.c.event_id == bindparam("id"))
_Q_MEMBERS = (select(events, incident_events.c.incident_id, documents.c.published.label("doc_published"))
              .join(incident_events, incident_events.c.event_id == events.c.id)
              .join(documents, documents.c.id == events.c.document_id)
              .where(incident_events.c.incident_id.in_(bindparam("ids", expanding=True)))
              .order_by(incident_events.c.incident_id, events.c.document_id, events.c.seq))
_K = incident_kinds.c
_OVERLAPS = or_(
    *(and_(_K.window_class == i, _K.date_lo.between(bindparam(f"earliest{i}"), bindparam("hi")))
      for i in range(len(WINDOW_CLASSES))),
    and_(_K.window_class == len(WINDOW_CLASSES), _K.date_lo <= bindparam("hi")),
)
"""Windows overlapping ``[lo, hi]``: for each width bucket, date_lo within ``[lo - width, hi]``."""
_NEAR = (_OVERLAPS, _K.date_hi >= bindparam("lo"))
_IN_BOX = and_(_K.latitude.between(bindparam("lat0"), bindparam("lat1")),
               _K.longitude.between(bindparam("lon0"), bindparam("lon1")))
_IN_ADMIN1 = func.lower(_K.admin1) == bindparam("admin1")
_AT_LOCATION = func.lower(_K.location) == bindparam("location")


_AREAS = {("box", "admin1"): or_(_IN_BOX, _IN_ADMIN1), ("box",): _IN_BOX, ("admin1",): _IN_ADMIN1,
          ("location",): _AT_LOCATION}


def _key_matches(column: Any, name: str) -> Any:
    return or_(column.is_(None), column == bindparam(name))


def _dyad(has1: bool, has2: bool) -> Any:
    """Reports whose actors can match the new one's in either order (a missing key matches anyone)."""
    a1, a2 = _K.actor1_key, _K.actor2_key
    straight = [m for m in ((_key_matches(a1, "k1") if has1 else None), (_key_matches(a2, "k2") if has2 else None)) if m is not None]
    crossed = [m for m in ((_key_matches(a2, "k1") if has1 else None), (_key_matches(a1, "k2") if has2 else None)) if m is not None]
    return or_(and_(*straight), and_(*crossed))


_TYPE_MATCHES = or_(_K.event_type.is_(None), _K.event_type == "",
                    _K.event_type.in_(bindparam("types", expanding=True)))


@functools.lru_cache(maxsize=64)
def _candidates_query(area: tuple[str, ...], has1: bool, has2: bool, typed: bool) -> Any:
    """Incidents with a report near in time and area whose type and actors can match: an incident
    is joined only when all its reports can match, so one that has none is never a candidate, and
    many reports of one day and place by other actors cost nothing to a new one (dyad blocking)."""
    where = [*_NEAR, _AREAS[area]]
    if has1 or has2:
        where.append(_dyad(has1, has2))
    if typed:
        where.append(_TYPE_MATCHES)
    return select(_K.incident_id).where(*where).distinct()


_Q_STAMPS = select(incidents.c.id, incidents.c.updated_at).where(incidents.c.id.in_(bindparam("ids", expanding=True)))
_KNOWN_INCIDENTS = 20_000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp comparable however the back-end returns it (SQLite: naive UTC; PostgreSQL: aware)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass
class _Known:
    """What a store knows of one incident as of ``stamp``: its members, and what linking and the
    summary need of them kept small, so that adding a report costs the same to an incident of
    three reports as to one of three thousand."""

    stamp: dt.datetime | None
    members: list[Event]
    published: dict[str, dt.date | None]
    docs: set[str]
    kinds: dict[object, list[Any]]
    """Members grouped by ``link.kind_key``: [one of them, how many]."""
    current: list[Event]
    """``disputes.current_reports`` of the members."""
    summary_events: list[Event]
    """The members ``_incident_summary`` reads its dates and place from (``_summary_events``)."""

    @classmethod
    def of(cls, stamp: dt.datetime | None, members: list[Event], published: dict[str, dt.date | None]) -> _Known:
        docs = {e.document_id for e in members if e.document_id}
        known = cls(stamp, members, {d: published.get(d) for d in docs}, docs, {}, [], [])
        known._add_kinds(members)
        known.current = disputes.current_reports(members, published=published)
        known.summary_events = _summary_events(members)
        return known

    def extended_by(self, members: list[Event], added: Sequence[Event]) -> bool:
        """Are ``members`` this incident's known members followed by ``added``?"""
        n = len(self.members)
        return (len(members) == n + len(added) and (n == 0 or (members[0] is self.members[0]
                                                              and members[n - 1] is self.members[-1]))
                and all(a is b for a, b in zip(members[n:], added)))

    def extend(self, stamp: dt.datetime | None, members: list[Event], added: Sequence[Event],
               published: dict[str, dt.date | None]) -> _Known:
        # In place (copying would cost as much as the incident is large): the new stamp is what
        # makes the state current, and a rolled-back write leaves the row's old stamp behind.
        new_docs = {e.document_id for e in added if e.document_id}
        self.stamp, self.members = stamp, members
        self.published.update({d: published.get(d) for d in new_docs})
        self.docs |= new_docs
        self._add_kinds(added)
        self.current = disputes.current_reports([*self.current, *added], published=self.published)
        self.summary_events = _summary_events([*self.summary_events, *added])
        return self

    def _add_kinds(self, events: Sequence[Event]) -> None:
        for e in events:
            entry = self.kinds.get(key := link.kind_key(e))
            if entry is None:
                self.kinds[key] = [e, 1]
            else:
                entry[1] += 1

    def kind_list(self) -> list[tuple[Event, int]]:
        return [(e, n) for e, n in self.kinds.values()]


@dataclass
class Added:
    """What storing one coded document did."""

    document_id: str
    added: bool
    events: int = 0
    incidents: tuple[int, ...] = ()


class Store:
    """A flashpoint database (SQLite file or PostgreSQL). Open with ``open_store``."""

    def __init__(self, engine: Engine, *, rules: link.LinkRules = link.DEFAULT_RULES) -> None:
        self.engine = engine
        self.rules = rules
        self._known: OrderedDict[int, _Known] = OrderedDict()
        """Members of incidents this store linked into or read, by incident, with the incident's
        ``updated_at`` then: reused while the row still shows that stamp (every write to an incident
        renews it, in any process), so an ingest does not re-read a growing incident per document."""

    # --- lifecycle ----------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply pending named migrations; returns the names applied.

        An up-to-date database is only read (no write lock, no lock file), so that a store on
        read-only media opens for reading."""
        with self.engine.connect() as conn:
            if not migrations.pending(conn):
                return []
        return list(db.retry_writes(self.engine, migrations.migrate))

    def migrations(self) -> list[str]:
        with self.engine.connect() as conn:
            return migrations.applied(conn)

    def close(self) -> None:
        db.dispose(self.engine)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # --- writing ------------------------------------------------------------------------------

    def check_writable(self) -> None:
        """Fail now, in one line naming the path, when this store lies on read-only media."""
        db.check_writable(self.engine)

    def has_document(self, document_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(_Q_HAS_DOCUMENT, {"id": document_id}).first() is not None

    def add(self, coded: CodedDocument) -> Added:
        """Store one coded document and link its events, in one transaction (idempotent)."""
        return db.retry_writes(self.engine, self._add, coded)  # type: ignore[no-any-return]

    def _add(self, conn: Connection, coded: CodedDocument) -> Added:
        doc = coded.document
        if conn.execute(_Q_HAS_DOCUMENT, {"id": doc.id}).first() is not None:
            return Added(doc.id, added=False)
        conn.execute(insert(documents), [_document_row(doc)])
        if coded.places:
            conn.execute(insert(places), [_place_row(doc.id, i, p) for i, p in enumerate(coded.places)])
        if coded.events:
            for event in coded.events:
                event.document_id = doc.id
            conn.execute(insert(events), [_event_row(e, seq, self.rules) for seq, e in enumerate(coded.events)])
        touched: dict[int, list[Event]] = {}
        added: dict[int, list[Event]] = defaultdict(list)
        published = {doc.id: doc.published}
        for event in coded.events:
            incident_id, members = self._link(conn, event, touched, published, added)
            touched[incident_id] = members
            added[incident_id].append(event)
        for incident_id, members in touched.items():
            self._refresh_incident(conn, incident_id, members, published, added[incident_id])
        return Added(doc.id, added=True, events=len(coded.events), incidents=tuple(sorted(touched)))

    def add_failure(self, failure: Failure) -> None:
        """Record an input that could not be processed (the same failure again only updates its time)."""
        db.retry_writes(self.engine, self._add_failure, failure)

    @staticmethod
    def _add_failure(conn: Connection, failure: Failure) -> None:
        now = _now()
        key = and_(failures.c.source == failure.source, failures.c.code == failure.code,
                   failures.c.reason == failure.reason)
        done = conn.execute(update(failures).where(key).values(last_seen=now, count=failures.c.count + 1))
        if done.rowcount == 0:
            conn.execute(insert(failures).values(source=failure.source, code=failure.code, reason=failure.reason,
                                                 first_seen=now, last_seen=now, count=1))

    # --- linking --------------------------------------------------------------------------------

    def _link(self, conn: Connection, event: Event, touched: dict[int, list[Event]],
              published: dict[str, dt.date | None],
              added: dict[int, list[Event]] | None = None) -> tuple[int, list[Event]]:
        """Put a just-inserted event in the incident it belongs to, or a new one; returns it and its events."""
        candidates = self._candidate_incidents(conn, event, published)
        candidates.update({k: v for k, v in touched.items() if k in candidates})  # this document's own links
        separated = {frozenset((event.id, r.other_event_id)) for r in conn.execute(_Q_SEPARATED, {"id": event.id})}
        kinds = self._candidate_kinds(candidates, added or {})
        incident_id = link.choose_incident(event, candidates, cannot_link=separated, rules=self.rules, kinds=kinds)
        if incident_id is None:
            now = _now()
            incident_id = conn.execute(insert(incidents).values(created_at=now, updated_at=now, n_events=0)
                                       .returning(incidents.c.id)).scalar_one()
        conn.execute(insert(incident_events).values(event_id=event.id, incident_id=incident_id, linked_by="auto"))
        _count_kind(conn, int(incident_id), _kind_values(event, self.rules))
        return int(incident_id), [*candidates.get(incident_id, []), event]

    def _candidate_kinds(self, candidates: dict[int, list[Event]],
                         added: dict[int, list[Event]]) -> dict[int, list[tuple[Event, int]]]:
        """Candidates' members grouped as ``choose_incident`` groups them, from what the store
        keeps; this document's own events (linked a moment ago) stay apart, one by one."""
        kinds: dict[int, list[tuple[Event, int]]] = {}
        for i, members in candidates.items():
            known = self._known.get(i)
            own = added.get(i, [])
            if known is not None and known.extended_by(members, own):
                kinds[i] = [*known.kind_list(), *((e, 1) for e in own)]
        return kinds

    def _candidate_incidents(self, conn: Connection, event: Event,
                             published: dict[str, dt.date | None]) -> dict[int, list[Event]]:
        """Incidents with an event near ``event`` in time and area (blocking), with all their events."""
        window = link.date_window(event, self.rules)
        if window is None:
            return {}
        lo, hi = window
        params: dict[str, Any] = {"hi": hi, "lo": lo}
        params.update({f"earliest{i}": lo - dt.timedelta(days=w) for i, w in enumerate(WINDOW_CLASSES)})
        kind = _area_params(event, self.rules, params)
        if kind is None:
            return {}
        k1, k2 = link.actor_key(event.actor1), link.actor_key(event.actor2)
        params.update(k1=k1, k2=k2)
        types = link.compatible_types(event, self.rules)
        if types is not None:
            params["types"] = sorted(types)
        query = _candidates_query(kind, k1 is not None, k2 is not None, types is not None)
        ids = [r.incident_id for r in conn.execute(query, params)]
        return self._known_members(conn, ids, published) if ids else {}

    def _known_members(self, conn: Connection, ids: Sequence[int],
                       published: dict[str, dt.date | None]) -> dict[int, list[Event]]:
        """``_members`` for linking, reusing what this store read or wrote while it is current."""
        stamps = {r.id: _stamp(r.updated_at) for r in conn.execute(_Q_STAMPS, {"ids": list(ids)})}
        found: dict[int, list[Event]] = {}
        for i in ids:
            known = self._known.get(i)
            if known is not None and known.stamp == stamps.get(i):
                found[i] = known.members  # their documents' dates stay in ``known.published``
        missing = [i for i in ids if i not in found]
        if missing:
            loaded: dict[str, dt.date | None] = {}
            fresh = self._members(conn, missing, loaded)
            published.update(loaded)
            for i, members in fresh.items():
                found[i] = members
                self._remember(i, stamps.get(i), members, loaded)
        return found

    def _remember(self, incident_id: int, stamp: dt.datetime | None, members: list[Event],
                  published: dict[str, dt.date | None]) -> None:
        self._keep(incident_id, _Known.of(stamp, members, published))

    def _keep(self, incident_id: int, state: _Known) -> None:
        self._known[incident_id] = state
        self._known.move_to_end(incident_id)
        while len(self._known) > _KNOWN_INCIDENTS:
            self._known.popitem(last=False)

    @staticmethod
    def _members(conn: Connection, incident_ids: Sequence[int],
                 published: dict[str, dt.date | None] | None = None) -> dict[int, list[Event]]:
        """Every event of the given incidents; fills ``published`` with their documents' dates."""
        out: dict[int, list[Event]] = defaultdict(list)
        for row in conn.execute(_Q_MEMBERS, {"ids": list(incident_ids)}):
            out[row.incident_id].append(_event_from_row(row._mapping))
            if published is not None:
                published[row.document_id] = row.doc_published
        return dict(out)

    def _refresh_incident(self, conn: Connection, incident_id: int, members: list[Event] | None = None,
                          published: dict[str, dt.date | None] | None = None, added: Sequence[Event] = ()) -> None:
        """Recompute an incident's cached summary (dates, place, counts, disputed fields).

        When ``members`` are the ones this store knew plus ``added``, the summary is worked out from
        what it kept of the known ones (see ``_Known``) and the added ones alone."""
        if members is None or published is None:
            published = {}
            members = self._members(conn, [incident_id], published).get(incident_id, [])
        if not members:
            conn.execute(delete(incidents).where(incidents.c.id == incident_id))
            return
        now = _now()
        before = self._known.get(incident_id)
        if before is not None and before.extended_by(members, added):
            state = before.extend(_stamp(now), members, added, published)
        else:
            state = _Known.of(_stamp(now), members, {**(before.published if before else {}), **published})
        disputed = disputes.disputed_fields(state.current, published=published)
        conn.execute(update(incidents).where(incidents.c.id == incident_id).values(
            **_incident_summary(state.summary_events, len(members), len(state.docs)), disputed=",".join(disputed),
            updated_at=now))
        # Known as of this write; if the transaction rolls back, the row keeps its old stamp and
        # the next reader loads the members afresh.
        self._keep(incident_id, state)

    # --- user decisions -----------------------------------------------------------------------

    def unlink(self, event_id: str, from_incident: int | None = None) -> int:
        """Take an event out of its incident for good; returns the new incident it alone forms."""
        return int(db.retry_writes(self.engine, self._unlink, event_id, from_incident))

    def _unlink(self, conn: Connection, event_id: str, from_incident: int | None) -> int:
        row = conn.execute(select(incident_events.c.incident_id).where(incident_events.c.event_id == event_id)).first()
        if row is None:
            raise StoreError(f"no event {event_id!r} in this database: see `flashpoint show incident ID` for "
                             "event ids", code="E510")
        current = int(row.incident_id)
        if from_incident is not None and from_incident != current:
            raise StoreError(f"event {event_id} is in incident {current}, not {from_incident}", code="E511")
        others = [r.event_id for r in conn.execute(select(incident_events.c.event_id).where(
            incident_events.c.incident_id == current, incident_events.c.event_id != event_id))]
        if not others:
            raise StoreError(f"event {event_id} is already alone in incident {current}: nothing to unlink",
                             code="E512")
        now = _now()
        pairs = [(event_id, o) for o in others] + [(o, event_id) for o in others]
        existing = {(r.event_id, r.other_event_id) for r in conn.execute(
            select(unlinks.c.event_id, unlinks.c.other_event_id).where(
                or_(unlinks.c.event_id == event_id, unlinks.c.other_event_id == event_id)))}
        new = [{"event_id": a, "other_event_id": b, "incident_id": current, "created_at": now}
               for a, b in pairs if (a, b) not in existing]
        if new:
            conn.execute(insert(unlinks), new)
        new_id = conn.execute(insert(incidents).values(created_at=now, updated_at=now, n_events=0)
                              .returning(incidents.c.id)).scalar_one()
        conn.execute(update(incident_events).where(incident_events.c.event_id == event_id)
                     .values(incident_id=new_id, linked_by="user"))
        migrations.rebuild_incident_kinds(conn, current)
        migrations.rebuild_incident_kinds(conn, int(new_id))
        self._refresh_incident(conn, current)
        self._refresh_incident(conn, int(new_id))
        return int(new_id)

    def unlinked_pairs(self) -> set[frozenset[str]]:
        with self.engine.connect() as conn:
            return {frozenset((r.event_id, r.other_event_id)) for r in conn.execute(select(unlinks))}

    # --- reading ------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                    for t in (documents, events, places, incidents, incident_events, failures, unlinks)}

    def document_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return {r.id for r in conn.execute(select(documents.c.id))}

    def document(self, document_id: str) -> Document | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(documents).where(documents.c.id == document_id)).first()
        return _document_from_row(row._mapping) if row else None

    def failures(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(failures).order_by(failures.c.last_seen, failures.c.id))
            return [{"source": r.source, "code": r.code, "reason": r.reason, "count": r.count,
                     "first_seen": r.first_seen.isoformat(), "last_seen": r.last_seen.isoformat()} for r in rows]

    def event(self, event_id: str) -> dict[str, Any] | None:
        """An event with its document's metadata and its incident id."""
        with self.engine.connect() as conn:
            row = conn.execute(select(events, incident_events.c.incident_id)
                               .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
                               .where(events.c.id == event_id)).first()
            if row is None:
                return None
            doc = conn.execute(select(documents).where(documents.c.id == row.document_id)).first()
        e = _event_from_row(row._mapping)
        data = e.to_dict()
        data["incident_id"] = row.incident_id
        data["document"] = {k: v for k, v in _document_from_row(doc._mapping).to_dict().items()} if doc else None
        return data

    def iter_events(self) -> Iterator[tuple[Event, int | None]]:
        """Every event with its incident id, in incident order (streams; for exports)."""
        q = (select(events, incident_events.c.incident_id)
             .join(incident_events, incident_events.c.event_id == events.c.id, isouter=True)
             .order_by(incident_events.c.incident_id, events.c.document_id, events.c.seq))
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(q):
                yield _event_from_row(row._mapping), row.incident_id

    def incidents(
        self,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        country: str | None = None,
        disputed: bool = False,
    ) -> list[dict[str, Any]]:
        """Incident summaries, oldest first. ``country`` matches the incident's or any of its events'."""
        q = select(incidents).order_by(incidents.c.date_lo, incidents.c.id)
        if since is not None:
            q = q.where(incidents.c.date_hi >= since)
        if until is not None:
            q = q.where(incidents.c.date_lo <= until)
        if disputed:
            q = q.where(incidents.c.disputed != "")
        if country:
            in_events = (select(incident_events.c.incident_id)
                         .join(events, events.c.id == incident_events.c.event_id)
                         .where(func.lower(events.c.country) == country.lower()))
            q = q.where(or_(func.lower(incidents.c.country) == country.lower(), incidents.c.id.in_(in_events)))
        with self.engine.connect() as conn:
            return [incident_row_dict(r._mapping) for r in conn.execute(q)]

    def incident(self, incident_id: int) -> dict[str, Any] | None:
        """One incident: dates, place, events (each with its document), agreed and disputed fields."""
        with self.engine.connect() as conn:
            row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).first()
            if row is None:
                return None
            members = self._members(conn, [incident_id], {}).get(incident_id, [])
            doc_ids = sorted({e.document_id for e in members if e.document_id})
            docs = {r.id: r for r in conn.execute(select(documents).where(documents.c.id.in_(doc_ids)))}
        published = {d: docs[d].published for d in docs}
        texts = {d: docs[d].text for d in docs}
        comparison = disputes.compare(members, published=published, texts=texts)
        data = incident_row_dict(row._mapping)
        data["events"] = [_event_summary(e, docs.get(e.document_id or "")) for e in members]
        data.update(comparison.to_dict())
        data["versions"] = {k: [v.to_dict() for v in vs] for k, vs in comparison.versions.items()}
        return data


# --- rows ↔ model -------------------------------------------------------------------------------

def _document_row(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "url": doc.url, "title": doc.title, "outlet": doc.outlet, "published": doc.published,
            "language": doc.language, "text": doc.text, "removed": json.dumps(doc.removed, ensure_ascii=False),
            "source": doc.source, "ingested_at": _now()}


def _document_from_row(r: Any) -> Document:
    return Document(id=r["id"], text=r["text"], url=r["url"], title=r["title"], outlet=r["outlet"],
                    published=r["published"], language=r["language"], removed=json.loads(r["removed"]),
                    source=r["source"])


def _place_row(document_id: str, seq: int, p: Place) -> dict[str, Any]:
    row = p.to_dict()
    row["alternatives"] = json.dumps(p.alternatives, ensure_ascii=False)
    row.update(document_id=document_id, seq=seq)
    return row


_EVENT_SCALARS = (
    "event_date", "end_date", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "initiator", "country", "admin1", "admin2",
    "location", "latitude", "longitude", "geo_precision", "geonameid", "fatalities", "injured", "captured",
    "source", "notes", "confidence",
)


def _event_row(e: Event, seq: int, rules: link.LinkRules) -> dict[str, Any]:
    row = {name: getattr(e, name) for name in _EVENT_SCALARS}
    window = link.date_window(e, rules)
    row.update(
        id=e.id, document_id=e.document_id, seq=seq,
        claimant=json.dumps(e.claimant.to_dict(), ensure_ascii=False), claimant_side=e.claimant.side,
        loaded_terms=json.dumps(e.loaded_terms, ensure_ascii=False),
        evidence=json.dumps({k: [list(s) for s in v] for k, v in e.evidence.items()}),
        date_lo=window[0] if window else None, date_hi=window[1] if window else None,
        actor1_key=link.actor_key(e.actor1), actor2_key=link.actor_key(e.actor2),
        window_class=window_class(window[0], window[1]) if window else None,
    )
    return row


def _event_from_row(r: Any) -> Event:
    evidence = {k: [(int(s), int(t)) for s, t in v] for k, v in json.loads(r["evidence"]).items()}
    return Event(
        id=r["id"], document_id=r["document_id"], claimant=Claimant(**json.loads(r["claimant"])),
        loaded_terms=json.loads(r["loaded_terms"]), evidence=evidence,
        **{name: r[name] for name in _EVENT_SCALARS},
    )


def _kind_values(e: Event, rules: link.LinkRules) -> dict[str, Any]:
    """The event as ``incident_kinds`` holds it (the same values ``_event_row`` stores)."""
    window = link.date_window(e, rules)
    return {"window_class": window_class(window[0], window[1]) if window else None,
            "date_lo": window[0] if window else None, "date_hi": window[1] if window else None,
            "latitude": e.latitude, "longitude": e.longitude, "admin1": e.admin1, "location": e.location,
            "actor1_key": link.actor_key(e.actor1), "actor2_key": link.actor_key(e.actor2), "event_type": e.event_type}


def _count_kind(conn: Connection, incident_id: int, values: dict[str, Any]) -> None:
    """One more event of this kind in the incident (a new row for a new kind)."""
    key = and_(_K.incident_id == incident_id, *(_K[name].is_not_distinct_from(value) for name, value in values.items()))
    done = conn.execute(update(incident_kinds).where(key).values(n_events=_K.n_events + 1))
    if done.rowcount == 0:
        conn.execute(insert(incident_kinds).values(incident_id=incident_id, n_events=1, **values))


def _area_params(event: Event, rules: link.LinkRules, params: dict[str, Any]) -> tuple[str, ...] | None:
    """Which "near ``event``" query to run (a box around its point, its admin1, or its place name), with
    its parameters put in ``params``; None when the event has no place to compare."""
    kind: list[str] = []
    if event.latitude is not None and event.longitude is not None:
        reach = rules.max_distance_km
        dlat = reach / 111.0
        worst = min(89.0, abs(event.latitude) + dlat)
        dlon = min(180.0, reach / (111.0 * math.cos(math.radians(worst))))
        params.update(lat0=event.latitude - dlat, lat1=event.latitude + dlat,
                      lon0=event.longitude - dlon, lon1=event.longitude + dlon)
        kind.append("box")
    if event.admin1:
        params["admin1"] = event.admin1.strip().lower()
        kind.append("admin1")
    elif event.latitude is None and event.location:
        params["location"] = event.location.strip().lower()
        kind.append("location")
    return tuple(kind) or None


def _place_rank(e: Event) -> tuple[bool, int, bool]:
    return (e.latitude is None, e.geo_precision or 9, not e.location)


def _summary_events(members: Sequence[Event]) -> list[Event]:
    """The few members an incident's dates and place come from, in member order:
    ``_incident_summary(_summary_events(a) + b) == _incident_summary(a + b)`` for dates and place."""
    picked: list[Event] = []
    for group in ([e for e in members if e.event_date and e.time_precision == 1], [e for e in members if e.event_date]):
        if group:
            picked += [min(group, key=lambda e: e.event_date),  # type: ignore[arg-type,return-value]
                       max(group, key=lambda e: e.end_date or e.event_date)]  # type: ignore[arg-type,return-value]
    if members:
        picked.append(min(members, key=_place_rank))
    chosen = {id(e) for e in picked}
    return [e for e in members if id(e) in chosen]


def _incident_summary(members: Sequence[Event], n_events: int | None = None,
                      n_documents: int | None = None) -> dict[str, Any]:
    """Dates span the members' stated days (the most precise ones when any is exact); place the most precise."""
    exact = [e for e in members if e.event_date and e.time_precision == 1] or [e for e in members if e.event_date]
    place = min(members, key=_place_rank)
    return {
        "date_lo": min((e.event_date for e in exact if e.event_date), default=None),
        "date_hi": max(((e.end_date or e.event_date) for e in exact if e.event_date), default=None),
        "country": place.country, "admin1": place.admin1, "location": place.location,
        "latitude": place.latitude, "longitude": place.longitude,
        "n_events": len(members) if n_events is None else n_events,
        "n_documents": len({e.document_id for e in members}) if n_documents is None else n_documents,
    }


def incident_row_dict(r: Any) -> dict[str, Any]:
    """An incident row as the API, the CLI and the web page show it."""
    return {
        "id": r["id"],
        "dates": {"start": _iso(r["date_lo"]), "end": _iso(r["date_hi"])},
        "place": {"location": r["location"], "admin1": r["admin1"], "country": r["country"],
                  "latitude": r["latitude"], "longitude": r["longitude"]},
        "n_events": r["n_events"], "n_documents": r["n_documents"],
        "disputed_fields": [f for f in (r["disputed"] or "").split(",") if f],
    }


def _event_summary(e: Event, doc: Any) -> dict[str, Any]:
    data = e.to_dict()
    data["document"] = None if doc is None else {
        "id": doc.id, "title": doc.title, "outlet": doc.outlet, "url": doc.url,
        "published": _iso(doc.published), "source": doc.source}
    return data


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


__all__ = ["Added", "Store"]
