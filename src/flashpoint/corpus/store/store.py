"""The corpus store: coded documents in, incidents and their disagreements out.

A thin layer over SQLAlchemy Core; the same statements run on SQLite and PostgreSQL. Every write
for one document (the document, its places, its events, their incident links) is one transaction,
so a process killed mid-ingest leaves each document either wholly stored or not at all, and a
re-run adds exactly what is missing. Documents are keyed by content hash: storing one twice
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, func, insert, or_, select, update

from flashpoint import errors
from flashpoint.corpus import disputes, link
from flashpoint.corpus.store import db, migrations
from flashpoint.corpus.store.kept import Kind, fold_kinds, fold_versions, rebuild_kept
from flashpoint.corpus.store.rows import event_from_row as _event_from_row
from flashpoint.corpus.store.rows import event_row as _event_row
from flashpoint.corpus.store.schema import (
    EVENT_COLUMNS,
    WINDOW_CLASSES,
    documents,
    events,
    failures,
    incident_events,
    incident_kinds,
    incident_split_documents,
    incident_versions,
    incidents,
    places,
    unlinks,
)
from flashpoint.errors import StoreError
from flashpoint.model import CodedDocument, Document, Event, Failure, Place

# Hot statements are built once: SQLAlchemy then reuses their compiled form without rebuilding them.
_Q_HAS_DOCUMENT = select(documents.c.id).where(documents.c.id == bindparam("id"))
_Q_SEPARATED = select(unlinks.c.other_event_id).where(unlinks.c.event_id == bindparam("id"))
_Q_MEMBERS = (select(*EVENT_COLUMNS, incident_events.c.incident_id, documents.c.published.label("doc_published"))
              .join(incident_events, incident_events.c.event_id == events.c.id)
              .join(documents, documents.c.id == events.c.document_id)
              .where(incident_events.c.incident_id.in_(bindparam("ids", expanding=True)))
              .order_by(incident_events.c.incident_id, events.c.document_id, events.c.seq))
_OVERLAPS = or_(
    *(and_(events.c.window_class == i, events.c.date_lo.between(bindparam(f"earliest{i}"), bindparam("hi")))
      for i in range(len(WINDOW_CLASSES))),
    and_(events.c.window_class == len(WINDOW_CLASSES), events.c.date_lo <= bindparam("hi")),
)
"""Windows overlapping ``[lo, hi]``: for each width bucket, date_lo within ``[lo - width, hi]``."""
_NEAR = (_OVERLAPS, events.c.date_hi >= bindparam("lo"), events.c.id != bindparam("event_id"))
_IN_BOX = and_(events.c.latitude.between(bindparam("lat0"), bindparam("lat1")),
               events.c.longitude.between(bindparam("lon0"), bindparam("lon1")))
_IN_ADMIN1 = func.lower(events.c.admin1) == bindparam("admin1")
_AT_LOCATION = func.lower(events.c.location) == bindparam("location")


def _candidates_query(area: Any) -> Any:
    return (select(incident_events.c.incident_id).join(events, events.c.id == incident_events.c.event_id)
            .where(*_NEAR, area).distinct())


_Q_CANDIDATES = {
    ("box", "admin1"): _candidates_query(or_(_IN_BOX, _IN_ADMIN1)),
    ("box",): _candidates_query(_IN_BOX),
    ("admin1",): _candidates_query(_IN_ADMIN1),
    ("location",): _candidates_query(_AT_LOCATION),
}


_KC = incident_kinds.c
_VC = incident_versions.c
_K_OVERLAPS = or_(
    *(and_(_KC.window_class == i, _KC.date_lo.between(bindparam(f"earliest{i}"), bindparam("hi")))
      for i in range(len(WINDOW_CLASSES))),
    and_(_KC.window_class == len(WINDOW_CLASSES), _KC.date_lo <= bindparam("hi")),
)
_K_IN_BOX = and_(_KC.latitude.between(bindparam("lat0"), bindparam("lat1")),
                 _KC.longitude.between(bindparam("lon0"), bindparam("lon1")))
_K_IN_ADMIN1 = func.lower(_KC.admin1) == bindparam("admin1")


def _kind_candidates_query(area: Any) -> Any:
    return select(_KC.incident_id).where(_K_OVERLAPS, _KC.date_hi >= bindparam("lo"), area).distinct()


_Q_KIND_CANDIDATES = {
    ("box", "admin1"): _kind_candidates_query(or_(_K_IN_BOX, _K_IN_ADMIN1)),
    ("box",): _kind_candidates_query(_K_IN_BOX),
    ("admin1",): _kind_candidates_query(_K_IN_ADMIN1),
    ("location",): _kind_candidates_query(func.lower(_KC.location) == bindparam("location")),
}
"""The same search as ``_Q_CANDIDATES`` over each incident's kinds of report (other documents')."""
_Q_OWN_CANDIDATES = {kind: q.where(events.c.document_id == bindparam("doc")) for kind, q in _Q_CANDIDATES.items()}
"""The same search over the events of the document being stored (linked a moment ago)."""
_Q_KINDS = (select(_KC.incident_id, _KC.kind, _KC.n_events, _KC.event_id, _KC.seq)
            .where(_KC.incident_id.in_(bindparam("ids", expanding=True)))
            .order_by(_KC.incident_id, _KC.document_id, _KC.seq))
_Q_VERSIONS = (select(_VC.vkey, _VC.event_id, _VC.document_id, _VC.seq).where(_VC.incident_id == bindparam("iid"))
               .order_by(_VC.document_id, _VC.seq))
_Q_EVENTS = (select(*EVENT_COLUMNS, documents.c.published.label("doc_published"))
             .join(documents, documents.c.id == events.c.document_id)
             .where(events.c.id.in_(bindparam("ids", expanding=True))))
_EVENT_CACHE = 20_000
"""Stored events a store keeps in memory (events never change once stored): the first report of
each kind and the last of each version are read again for every new report of their incident."""
_Q_SEPARATED_INCIDENTS = (select(incident_events.c.incident_id)
                          .where(incident_events.c.event_id.in_(bindparam("ids", expanding=True))))
_SPLIT_DOCS = (select(incident_split_documents.c.document_id)
               .where(incident_split_documents.c.incident_id == bindparam("iid")))
_OTHER = incident_events.alias("other")
_ALONE = ~(select(_OTHER.c.event_id).where(_OTHER.c.incident_id == incident_events.c.incident_id,
                                           _OTHER.c.event_id != incident_events.c.event_id).exists())
_Q_SIBLINGS = (select(*EVENT_COLUMNS, incident_events.c.incident_id, documents.c.published.label("doc_published"))
               .join(incident_events, incident_events.c.event_id == events.c.id)
               .join(documents, documents.c.id == events.c.document_id)
               .where(events.c.document_id.in_(_SPLIT_DOCS), incident_events.c.incident_id != bindparam("iid"),
                      events.c.casualties.is_not(None), events.c.casualties != "[]", _ALONE))
"""Events with casualty claims standing alone in another incident whose documents have an event in this one."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
        self._cache: OrderedDict[str, tuple[Event, dt.date | None]] = OrderedDict()

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
        own: dict[int, list[Event]] = {}  # this document's events, by the incident each joined
        kinds: dict[int, list[Kind]] = {}  # other documents' reports in the incidents looked at, by kind
        for event in coded.events:
            incident_id = self._link(conn, event, own, kinds)
            own.setdefault(incident_id, []).append(event)
        seqs = {e.id: i for i, e in enumerate(coded.events)}
        if len(own) > 1:  # this document's events in several incidents: each may lend the others claims
            conn.execute(insert(incident_split_documents), [{"incident_id": i, "document_id": doc.id} for i in own])
        for incident_id, mine in own.items():
            self._refresh_incident_with(conn, incident_id, kinds.get(incident_id, []), mine, doc, seqs)
            fold_kinds(conn, incident_id, kinds.get(incident_id, []), mine, seqs, self.rules)
        return Added(doc.id, added=True, events=len(coded.events), incidents=tuple(sorted(own)))

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

    def _link(self, conn: Connection, event: Event, own: dict[int, list[Event]],
              kinds: dict[int, list[Kind]]) -> int:
        """Put a just-inserted event in the incident it belongs to, or a new one; returns its id.

        Each candidate is judged on one report per kind (``link.kind_key``) with its count, plus
        this document's own events one by one (the same-document rule reads them)."""
        ids = self._candidate_ids(conn, event, bool(own))
        separated = [r.other_event_id for r in conn.execute(_Q_SEPARATED, {"id": event.id})]
        if separated:  # an incident holding an event the user separated this one from is never joined
            ids -= {r.incident_id for r in conn.execute(_Q_SEPARATED_INCIDENTS, {"ids": separated})}
        self._read_kinds(conn, [i for i in ids if i not in kinds], kinds)
        candidates = {i: [k.event for k in kinds.get(i, [])] + own.get(i, []) for i in ids}
        counts = {i: [k.n for k in kinds.get(i, [])] + [1] * len(own.get(i, [])) for i in ids}
        incident_id = link.choose_incident(event, candidates, rules=self.rules, counts=counts)
        reasons = ""
        if incident_id is None:
            now = _now()
            incident_id = conn.execute(insert(incidents).values(created_at=now, updated_at=now, n_events=0)
                                       .returning(incidents.c.id)).scalar_one()
        else:
            reasons = _link_reasons(event, candidates[incident_id], self.rules)
        conn.execute(insert(incident_events).values(event_id=event.id, incident_id=incident_id, linked_by="auto",
                                                    reasons=reasons))
        return int(incident_id)

    def _candidate_ids(self, conn: Connection, event: Event, own: bool) -> set[int]:
        """Incidents with a report near ``event`` in time and area (blocking): a kind of report of
        another document, or (``own``) an event of this one linked a moment ago."""
        window = link.search_window(event, self.rules)  # ± the front rule's days
        if window is None:
            return set()
        lo, hi = window
        params: dict[str, Any] = {"hi": hi, "lo": lo, "event_id": event.id, "doc": event.document_id}
        params.update({f"earliest{i}": lo - dt.timedelta(days=w) for i, w in enumerate(WINDOW_CLASSES)})
        area = _area_params(event, self.rules, params)
        if area is None:
            return set()
        ids = {int(r.incident_id) for r in conn.execute(_Q_KIND_CANDIDATES[area], params)}
        if own:
            ids |= {int(r.incident_id) for r in conn.execute(_Q_OWN_CANDIDATES[area], params)}
        return ids

    def _read_kinds(self, conn: Connection, incident_ids: Sequence[int], kinds: dict[int, list[Kind]]) -> None:
        """Each incident's kinds of report, first report of each in (document, seq) order."""
        for i in incident_ids:
            kinds[i] = []
        if not incident_ids:
            return
        rows = list(conn.execute(_Q_KINDS, {"ids": list(incident_ids)}))
        found = self._events(conn, [r.event_id for r in rows])
        for row in rows:
            kinds[row.incident_id].append(Kind(found[row.event_id][0], row.kind, row.n_events, row.seq))

    def _events(self, conn: Connection, ids: Sequence[str]) -> dict[str, tuple[Event, dt.date | None]]:
        """Stored events by id, with their documents' dates (from memory when read before)."""
        out: dict[str, tuple[Event, dt.date | None]] = {}
        missing = []
        for i in dict.fromkeys(ids):
            hit = self._cache.get(i)
            if hit is None:
                missing.append(i)
            else:
                out[i] = hit
                self._cache.move_to_end(i)
        for start in range(0, len(missing), 500):
            for row in conn.execute(_Q_EVENTS, {"ids": missing[start:start + 500]}):
                out[row.id] = self._cache[row.id] = (_event_from_row(row._mapping), row.doc_published)
        while len(self._cache) > _EVENT_CACHE:
            self._cache.popitem(last=False)
        return out

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

    def _refresh_incident(self, conn: Connection, incident_id: int) -> None:
        """Recompute an incident's cached summary (dates, place, counts, disputed fields) from all its
        events, and what the store keeps of it (kinds, versions); after a user's unlink."""
        published: dict[str, dt.date | None] = {}
        members = self._members(conn, [incident_id], published).get(incident_id, [])
        if not members:
            rebuild_kept(conn, [incident_id], self.rules)
            conn.execute(delete(incidents).where(incidents.c.id == incident_id))
            return
        comparison = disputes.compare(members + _sibling_claims(conn, incident_id, members)[0], published=published)
        conn.execute(update(incidents).where(incidents.c.id == incident_id).values(
            **_incident_summary(members), disputed=",".join(comparison.disputed), updated_at=_now()))
        rebuild_kept(conn, [incident_id], self.rules)

    def _refresh_incident_with(self, conn: Connection, incident_id: int, kinds: list[Kind], mine: list[Event],
                               doc: Document, seqs: dict[str, int]) -> None:
        """An incident's summary after ``doc`` added ``mine`` to it, read from its kinds and versions
        (not every member): the same dates, place and disputed fields as from all its events."""
        published: dict[str, dt.date | None] = {doc.id: doc.published}
        rows = list(conn.execute(_Q_VERSIONS, {"iid": incident_id}))
        kept = {r.vkey: (r.document_id, r.seq) for r in rows}
        found = self._events(conn, [r.event_id for r in rows])
        stored = {r.event_id: found[r.event_id][0] for r in rows}  # in (document, seq) order
        published.update({event.document_id or "": day for event, day in found.values()})
        shown = [k.event for k in kinds] + mine
        siblings, sibling_published = _sibling_claims(conn, incident_id, shown)
        published.update(sibling_published)
        comparison = disputes.compare([*stored.values(), *mine, *siblings], published=published)
        summary = _incident_summary(shown)
        del summary["n_events"], summary["n_documents"]
        conn.execute(update(incidents).where(incidents.c.id == incident_id).values(
            **summary, n_events=incidents.c.n_events + len(mine), n_documents=incidents.c.n_documents + 1,
            disputed=",".join(comparison.disputed), updated_at=_now()))
        fold_versions(conn, incident_id, kept, mine, doc, seqs)

    # --- user decisions -----------------------------------------------------------------------

    def unlink(self, event_id: str, from_incident: int | None = None) -> int:
        """Take an event out of its incident for good; returns the new incident it alone forms."""
        return int(db.retry_writes(self.engine, self._unlink, event_id, from_incident))

    def _unlink(self, conn: Connection, event_id: str, from_incident: int | None) -> int:
        row = conn.execute(select(incident_events.c.incident_id).where(incident_events.c.event_id == event_id)).first()
        if row is None:
            raise StoreError(f"no event {event_id!r} in this database: see `flashpoint show incident ID` for "
                             "event ids", code=errors.E_NO_EVENT)
        current = int(row.incident_id)
        if from_incident is not None and from_incident != current:
            raise StoreError(f"event {event_id} is in incident {current}, not {from_incident}", code=errors.E_WRONG_INCIDENT)
        others = [r.event_id for r in conn.execute(select(incident_events.c.event_id).where(
            incident_events.c.incident_id == current, incident_events.c.event_id != event_id))]
        if not others:
            raise StoreError(f"event {event_id} is already alone in incident {current}: nothing to unlink",
                             code=errors.E_ALREADY_ALONE)
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
            row = conn.execute(select(*EVENT_COLUMNS, incident_events.c.incident_id)
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
        q = (select(*EVENT_COLUMNS, incident_events.c.incident_id)
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
            links = {r.event_id: (r.linked_by, r.reasons) for r in conn.execute(
                select(incident_events.c.event_id, incident_events.c.linked_by, incident_events.c.reasons)
                .where(incident_events.c.incident_id == incident_id))}
        published = {d: docs[d].published for d in docs}
        texts = {d: docs[d].text for d in docs}
        with self.engine.connect() as conn:
            siblings = _sibling_claims(conn, incident_id, members)[0]
        comparison = disputes.compare(members + siblings, published=published, texts=texts)
        data = incident_row_dict(row._mapping)
        data["events"] = [_event_summary(e, docs.get(e.document_id or "")) for e in members]
        for item in data["events"]:
            linked_by, why = links.get(item["id"], ("auto", ""))
            item["link"] = {"linked_by": linked_by, "reasons": [r for r in (why or "").split("; ") if r]}
        data.update(comparison.to_dict())
        data["versions"] = {k: [v.to_dict() for v in vs] for k, vs in comparison.versions.items()}
        data["casualties"] = _casualties_by_side(comparison, texts)
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


def _sibling_claims(conn: Connection, incident_id: int,
                    members: list[Event]) -> tuple[list[Event], dict[str, dt.date | None]]:
    """Casualty claims a member's own report put in an event of its own (the coder split the report:
    "the Tajik side lost up to 70 people" read as a second happening). They join the comparison when
    that event stands alone, is dated within a day of the incident, and the victims are one of the
    incident's sides; only the claims are taken, never the event's place, type or actors. Returns
    them with their documents' dates.

    ``members`` may be one event per kind of the incident's reports (sides and days are all that is
    read of them); the documents are every member's, found in the database."""
    rows = list(conn.execute(_Q_SIBLINGS, {"iid": incident_id}))
    if not rows:
        return [], {}
    sides = set().union(*(link.dyad(e) for e in members))
    days = {e.event_date for e in members if e.event_date}
    out: list[Event] = []
    published: dict[str, dt.date | None] = {}
    for r in rows:
        event = _event_from_row(r._mapping)
        near = event.event_date is not None and any(abs((event.event_date - d).days) <= 1 for d in days)
        if not near:
            continue
        claims = [c for c in event.casualties if (c.victim_side or "").casefold() in sides]
        if claims:
            out.append(Event(id=event.id, document_id=event.document_id, claimant=event.claimant, casualties=claims))
            published[r.document_id] = r.doc_published
    return out, published


def _casualties_by_side(comparison: disputes.Comparison, texts: dict[str, str]) -> list[dict[str, Any]]:
    """Casualties per victim side and kind: the conservative figure, whether it is disputed, and every
    claimant's figure with its qualifier, revision state and the sentence it was read from."""
    out: list[dict[str, Any]] = []
    for side, groups in (comparison.summary.get("by_side") or {}).items():
        for kind, item in groups.items():
            claims = []
            for claim in item["claims"]:
                sentence = claim.get("sentence")
                text = texts.get(claim.get("document_id") or "")
                quote = text[sentence[0]:sentence[1]] if sentence and text else None
                anchor = f"s-{claim['document_id']}-{sentence[0]}" if sentence else None
                claims.append({**claim, "quote": quote, "anchor": anchor})
            out.append({"victim_side": side, "kind": kind, "figure": item["figure"],
                        "disputed": f"{kind}:{side}" in comparison.disputed, "claims": claims})
    return out


def _link_reasons(event: Event, members: Sequence[Event], rules: link.LinkRules) -> str:
    """Why the event joined: the reasons against the member it is most like (its nearest report)."""
    def closeness(m: Event) -> float:
        if None in (event.latitude, event.longitude, m.latitude, m.longitude):
            return 1e9
        return link.distance_km(event.latitude, event.longitude, m.latitude, m.longitude)  # type: ignore[arg-type]
    nearest = min(members, key=closeness)
    return "; ".join([f"with {nearest.id}", *link.reasons(event, nearest, rules)])


def _incident_summary(members: list[Event]) -> dict[str, Any]:
    """Dates span the members' stated days (the most precise ones when any is exact); place the most precise."""
    exact = [e for e in members if e.event_date and e.time_precision == 1] or [e for e in members if e.event_date]
    place = min(members, key=lambda e: (e.latitude is None, e.geo_precision or 9, not e.location))
    return {
        "date_lo": min((e.event_date for e in exact if e.event_date), default=None),
        "date_hi": max(((e.end_date or e.event_date) for e in exact if e.event_date), default=None),
        "country": place.country, "admin1": place.admin1, "location": place.location,
        "latitude": place.latitude, "longitude": place.longitude,
        "n_events": len(members), "n_documents": len({e.document_id for e in members}),
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
