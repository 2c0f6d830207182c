"""Write coded documents as JSON, JSONL, ACLED-ordered CSV, or a table for people."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable
from typing import Any, TextIO

from flashpoint.model import ACLED_COLUMNS, EXTRA_COLUMNS, CodedDocument, Event

FORMATS = ("json", "jsonl", "csv", "table")


def event_row(event: Event, document_id: str | None = None) -> dict[str, Any]:
    """One event as a flat row: ACLED's columns first, flashpoint's extras after."""
    c = event.claimant
    row: dict[str, Any] = {
        "event_id_cnty": event.id,
        "event_date": event.event_date.isoformat() if event.event_date else "",
        "year": event.event_date.year if event.event_date else "",
        "time_precision": event.time_precision,
        "disorder_type": event.disorder_type or "",
        "event_type": event.event_type or "",
        "sub_event_type": event.sub_event_type or "",
        "actor1": event.actor1 or "",
        "assoc_actor_1": event.assoc_actor_1 or "",
        "inter1": event.inter1 if event.inter1 is not None else "",
        "actor2": event.actor2 or "",
        "assoc_actor_2": event.assoc_actor_2 or "",
        "inter2": event.inter2 if event.inter2 is not None else "",
        "interaction": event.interaction if event.interaction is not None else "",
        "civilian_targeting": "Civilian targeting" if (event.actor2 or "").startswith("Civilians") else "",
        "iso": "",
        "region": "",
        "country": event.country or "",
        "admin1": event.admin1 or "",
        "admin2": event.admin2 or "",
        "admin3": "",
        "location": event.location or "",
        "latitude": event.latitude if event.latitude is not None else "",
        "longitude": event.longitude if event.longitude is not None else "",
        "geo_precision": event.geo_precision or "",
        "source": event.source or "",
        "source_scale": "",
        "notes": event.notes,
        "fatalities": event.fatalities,
        "tags": "",
        "timestamp": "",
        "end_date": event.end_date.isoformat() if event.end_date else "",
        "injured": event.injured,
        "captured": event.captured,
        "claimant": c.name or "",
        "claimant_party": c.party or "",
        "claimant_side": c.side or "",
        "claim_chain": " > ".join(c.chain),
        "initiator": event.initiator or "",
        "loaded_terms": "; ".join(event.loaded_terms),
        "confidence": event.confidence,
        "document_id": document_id or event.document_id or "",
        "event_uid": event.id,
    }
    return row


def write(results: Iterable[CodedDocument], fmt: str, out: TextIO, *, pretty: bool = False) -> int:
    """Write results in ``fmt``; returns the number of documents written."""
    if fmt == "jsonl":
        return _write_jsonl(results, out)
    if fmt == "json":
        return _write_json(results, out, pretty)
    if fmt == "csv":
        return _write_csv(results, out)
    if fmt == "table":
        return _write_table(results, out)
    raise ValueError(f"unknown format {fmt!r}")


def _write_jsonl(results: Iterable[CodedDocument], out: TextIO) -> int:
    n = 0
    for result in results:
        out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        out.flush()
        n += 1
    return n


def _write_json(results: Iterable[CodedDocument], out: TextIO, pretty: bool) -> int:
    items = [r.to_dict() for r in results]
    data: Any = items[0] if len(items) == 1 else items
    json.dump(data, out, ensure_ascii=False, indent=2 if pretty else None)
    out.write("\n")
    return len(items)


def _write_csv(results: Iterable[CodedDocument], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=list(ACLED_COLUMNS + EXTRA_COLUMNS), lineterminator="\n")
    writer.writeheader()
    n = 0
    for result in results:
        for event in result.events:
            writer.writerow(event_row(event, result.document.id))
        n += 1
    return n


_TABLE_COLUMNS = (
    ("date", 10), ("sub_event_type", 22), ("actor1", 26), ("actor2", 26), ("location", 16),
    ("prec", 4), ("killed", 6), ("injured", 7), ("claimed by", 24),
)


def _write_table(results: Iterable[CodedDocument], out: TextIO) -> int:
    width = shutil.get_terminal_size((160, 24)).columns
    n = 0
    for result in results:
        doc = result.document
        out.write(f"{doc.title or doc.source or doc.id}  [{doc.id}]  outlet: {doc.outlet or '?'}  "
                  f"published: {doc.published or 'unknown'}\n")
        out.write(_table_line([name for name, _ in _TABLE_COLUMNS], width) + "\n")
        for e in result.events:
            date = e.event_date.isoformat() if e.event_date else "?"
            if e.end_date and e.end_date != e.event_date:
                date += f"..{e.end_date.day}"
            cells = [
                date, e.sub_event_type or "", e.actor1 or "", e.actor2 or "", e.location or e.country or "",
                str(e.geo_precision or ""), str(e.fatalities), str(e.injured),
                e.claimant.party or e.claimant.name or "",
            ]
            out.write(_table_line(cells, width) + "\n")
        if not result.events:
            out.write("  (no events)\n")
        if doc.removed:
            out.write(f"  removed page chrome: {len(doc.removed)} line(s)\n")
        out.write("\n")
        n += 1
    return n


def _table_line(cells: list[str], width: int) -> str:
    parts = [cell[:w].ljust(w) for cell, (_, w) in zip(cells, _TABLE_COLUMNS)]
    return "  ".join(parts)[:width].rstrip()
