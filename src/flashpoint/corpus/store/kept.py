"""What the store keeps of each incident so that a new report costs the same however large the
incident grows: its kinds of report (``link.kind_key``, with counts), its versions of each
disputable field (``disputes.version_keys``) and its documents with events elsewhere too.

Linking judges a candidate incident on one report per kind, the disputed fields are judged on the
last report of each version, and sibling claims are looked for in the split documents only: the
same answers as from every member (tests/test_link.py, tests/test_disputes.py), without reading
them. ``fold_*`` add a stored document's events; ``rebuild_kept`` recomputes from all members (after
a user's unlink, and once by migration 0011).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from flashpoint.corpus import disputes, link
from flashpoint.corpus.store.rows import event_from_row
from flashpoint.corpus.store.schema import (
    EVENT_COLUMNS,
    documents,
    events,
    incident_events,
    incident_kinds,
    incident_split_documents,
    incident_versions,
    window_class,
)
from flashpoint.model import Document, Event

_KC = incident_kinds.c
_VC = incident_versions.c
_OTHER = incident_events.alias("other")
_SIBLING = events.alias("sibling")


@dataclass
class Kind:
    """One kind of report in an incident (``link.kind_key``): its first report and how many there are."""

    event: Event
    key: str
    n: int
    seq: int


def kind_row(incident_id: int, event: Event, key: str, seq: int, n: int, rules: link.LinkRules) -> dict[str, Any]:
    window = link.date_window(event, rules)
    return {"incident_id": incident_id, "kind": key, "event_id": event.id, "document_id": event.document_id,
            "seq": seq, "n_events": n, "date_lo": window[0] if window else None,
            "date_hi": window[1] if window else None,
            "window_class": window_class(window[0], window[1]) if window else None,
            "latitude": event.latitude, "longitude": event.longitude, "admin1": event.admin1,
            "location": event.location}


def fold_kinds(conn: Connection, incident_id: int, kinds: list[Kind], mine: list[Event], seqs: dict[str, int],
                rules: link.LinkRules = link.DEFAULT_RULES) -> None:
    """Count this document's events into the incident's kinds (a kind keeps its first report in
    (document, seq) order)."""
    known = {k.key: k for k in kinds}
    added: dict[str, list[Event]] = {}
    for event in mine:
        added.setdefault(link.kind_key(event), []).append(event)
    new_rows = []
    for key, group in added.items():
        first = group[0]
        kind = known.get(key)
        if kind is None:
            new_rows.append(kind_row(incident_id, first, key, seqs[first.id], len(group), rules))
            continue
        values: dict[str, Any] = {"n_events": _KC.n_events + len(group)}
        if (first.document_id or "", seqs[first.id]) < (kind.event.document_id or "", kind.seq):
            values.update(event_id=first.id, document_id=first.document_id, seq=seqs[first.id])
        conn.execute(update(incident_kinds).where(_KC.incident_id == incident_id, _KC.kind == key).values(**values))
    if new_rows:
        conn.execute(insert(incident_kinds), new_rows)


def fold_versions(conn: Connection, incident_id: int, kept: dict[str, tuple[str, int]], mine: list[Event],
                   doc: Document, seqs: dict[str, int]) -> None:
    """Record this document's versions (a version keeps its last report in (document, seq) order)."""
    latest: dict[str, tuple[Event, int]] = {}
    for event in mine:
        for key in disputes.version_keys(event, doc.published):
            latest[key] = (event, seqs[event.id])
    new_rows = []
    for key, (event, seq) in latest.items():
        old = kept.get(key)
        if old is None:
            new_rows.append({"incident_id": incident_id, "vkey": key, "event_id": event.id,
                             "document_id": doc.id, "seq": seq})
        elif (doc.id, seq) > old:
            conn.execute(update(incident_versions).where(_VC.incident_id == incident_id, _VC.vkey == key)
                         .values(event_id=event.id, document_id=doc.id, seq=seq))
    if new_rows:
        conn.execute(insert(incident_versions), new_rows)


_Q_ALL_MEMBERS = (select(*EVENT_COLUMNS, incident_events.c.incident_id, documents.c.published.label("doc_published"))
                  .join(incident_events, incident_events.c.event_id == events.c.id)
                  .join(documents, documents.c.id == events.c.document_id)
                  .order_by(incident_events.c.incident_id, events.c.document_id, events.c.seq))


def rebuild_kept(conn: Connection, incident_ids: Sequence[int] | None = None,
                 rules: link.LinkRules = link.DEFAULT_RULES) -> None:
    """(Re)build the kinds, versions and split documents the store keeps of the given incidents
    (None: all) from every member: after an unlink, and once by migration 0011."""
    q = _Q_ALL_MEMBERS
    for table in (incident_kinds, incident_versions, incident_split_documents):
        clear = delete(table)
        if incident_ids is not None:
            clear = clear.where(table.c.incident_id.in_(list(incident_ids)))
        conn.execute(clear)
    if incident_ids is not None:
        q = q.where(incident_events.c.incident_id.in_(list(incident_ids)))
    kinds: dict[tuple[int, str], dict[str, Any]] = {}
    versions: dict[tuple[int, str], dict[str, Any]] = {}
    for row in conn.execute(q):
        event, iid = event_from_row(row._mapping), int(row.incident_id)
        key = link.kind_key(event)
        if (iid, key) in kinds:
            kinds[(iid, key)]["n_events"] += 1
        else:
            kinds[(iid, key)] = kind_row(iid, event, key, row.seq, 1, rules)
        for vkey in disputes.version_keys(event, row.doc_published):
            versions[(iid, vkey)] = {"incident_id": iid, "vkey": vkey, "event_id": event.id,
                                     "document_id": event.document_id, "seq": row.seq}
    for table, rows in ((incident_kinds, kinds), (incident_versions, versions)):
        if rows:
            conn.execute(insert(table), list(rows.values()))
    split = (select(incident_events.c.incident_id, events.c.document_id).distinct()
             .join(events, events.c.id == incident_events.c.event_id)
             .where(select(_OTHER.c.event_id).join(_SIBLING, _SIBLING.c.id == _OTHER.c.event_id)
                    .where(_SIBLING.c.document_id == events.c.document_id,
                           _OTHER.c.incident_id != incident_events.c.incident_id).exists()))
    if incident_ids is not None:
        split = split.where(incident_events.c.incident_id.in_(list(incident_ids)))
    conn.execute(insert(incident_split_documents).from_select(["incident_id", "document_id"], split))


__all__ = ["Kind", "fold_kinds", "fold_versions", "kind_row", "rebuild_kept"]
