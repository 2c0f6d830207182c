"""Rows ↔ the data model for events: one way to write an event and to read it back exactly."""

from __future__ import annotations

import json
from typing import Any

from flashpoint.corpus import link
from flashpoint.corpus.store.schema import window_class
from flashpoint.model import CasualtyClaim, Claimant, Event

EVENT_SCALARS = (
    "event_date", "end_date", "time_precision", "disorder_type", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "initiator", "country", "admin1", "admin2",
    "location", "latitude", "longitude", "geo_precision", "geonameid", "fatalities", "injured", "captured",
    "missing", "fatalities_rule", "source", "notes", "confidence", "location_reason",
)


def event_row(e: Event, seq: int, rules: link.LinkRules) -> dict[str, Any]:
    row = {name: getattr(e, name) for name in EVENT_SCALARS}
    window = link.date_window(e, rules)
    row.update(
        id=e.id, document_id=e.document_id, seq=seq,
        claimant=json.dumps(e.claimant.to_dict(), ensure_ascii=False), claimant_side=e.claimant.side,
        loaded_terms=json.dumps(e.loaded_terms, ensure_ascii=False),
        casualties=json.dumps([c.to_dict() for c in e.casualties], ensure_ascii=False),
        initiator_claimant=(json.dumps(e.initiator_claimant.to_dict(), ensure_ascii=False)
                            if e.initiator_claimant is not None else None),
        evidence=json.dumps({k: [list(s) for s in v] for k, v in e.evidence.items()}),
        type_explanation=json.dumps(e.type_explanation, ensure_ascii=False) if e.type_explanation else None,
        date_lo=window[0] if window else None, date_hi=window[1] if window else None,
        window_class=window_class(window[0], window[1]) if window else None,
    )
    return row


def event_from_row(r: Any) -> Event:
    evidence = {k: [(int(s), int(t)) for s, t in v] for k, v in json.loads(r["evidence"]).items()}
    return Event(
        id=r["id"], document_id=r["document_id"], claimant=Claimant(**json.loads(r["claimant"])),
        loaded_terms=json.loads(r["loaded_terms"]), evidence=evidence,
        casualties=[CasualtyClaim.from_dict(c) for c in json.loads(r["casualties"] or "[]")],
        initiator_claimant=Claimant(**json.loads(r["initiator_claimant"])) if r["initiator_claimant"] else None,
        type_explanation=json.loads(r["type_explanation"]) if r["type_explanation"] else None,
        **{name: r[name] for name in EVENT_SCALARS},
    )


__all__ = ["EVENT_SCALARS", "event_from_row", "event_row"]
