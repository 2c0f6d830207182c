"""Exports of a corpus: ACLED-style CSV, GeoJSON, JSONL, Parquet.

Each writer takes plain data (events with their incident ids, or incident dicts from the store) and
a path, so the store and the CLI stay out of the formats. CSV and Parquet have one row per event in
ACLED's column order with flashpoint's extra columns (and ``incident_id``) after them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import UsageError
from flashpoint.model import ACLED_COLUMNS, EXTRA_COLUMNS, NOT_IN_FEATURES, Event
from flashpoint.output import event_row

__all__ = ["FORMATS", "COLUMNS", "CLAIM_COLUMNS", "claim_columns", "event_records", "write_acled_csv", "write_geojson", "write_jsonl", "write_parquet"]

FORMATS = ("acled-csv", "geojson", "jsonl", "parquet")
CLAIM_COLUMNS: tuple[str, ...] = ("missing", "killed_by_side", "injured_by_side", "captured_by_side",
                                  "missing_by_side", "fatalities_rule", "casualty_claims")
"""Per-side casualty columns (issue 16): ``killed_by_side`` reads "Armenia 6 (revised); Azerbaijan at least 5",
each figure as this report's claimant states it; ``casualty_claims`` holds every claim as JSON."""
COLUMNS: tuple[str, ...] = (*ACLED_COLUMNS, *EXTRA_COLUMNS, *CLAIM_COLUMNS, "incident_id")

EventWithIncident = tuple[Event, "int | None"]


def event_records(items: Iterable[EventWithIncident]) -> Iterator[dict[str, Any]]:
    """Flat rows: ``event_row`` (ACLED's columns, then flashpoint's) plus the incident id."""
    for event, incident_id in items:
        row = event_row(event)
        row.update(claim_columns(event))
        row["incident_id"] = incident_id if incident_id is not None else ""
        yield row


def claim_columns(event: Event) -> dict[str, Any]:
    """The per-side casualty columns of one event."""
    row: dict[str, Any] = {"missing": event.missing, "fatalities_rule": event.fatalities_rule,
                           "casualty_claims": json.dumps([c.to_dict() for c in event.casualties], ensure_ascii=False)
                           if event.casualties else ""}
    for kind in ("killed", "injured", "captured", "missing"):
        parts = []
        for c in event.casualties:
            if c.kind != kind:
                continue
            figure = "(no figure)" if c.count is None else str(c.count)
            qualifier = "" if c.qualifier == "exact" else f"{c.qualifier} "
            note = "; superseded" if c.earlier else ""
            parts.append(f"{c.victim_side or 'unknown'} {qualifier}{figure}{note}".strip())
        row[f"{kind}_by_side"] = "; ".join(parts)
    return row


def write_acled_csv(items: Iterable[EventWithIncident], path: Path) -> int:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        n = 0
        for row in event_records(items):
            writer.writerow(row)
            n += 1
    return n


def _event_json(event: Event, incident_id: int | None) -> dict[str, Any]:
    data = event.to_dict()
    data["incident_id"] = incident_id
    return data


def write_jsonl(records: Iterable[dict[str, Any]], path: Path) -> int:
    """One JSON object per line (events or incidents, as given)."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            n += 1
    return n


def event_dicts(items: Iterable[EventWithIncident]) -> Iterator[dict[str, Any]]:
    for event, incident_id in items:
        yield _event_json(event, incident_id)


def _feature(lat: float | None, lon: float | None, properties: dict[str, Any]) -> dict[str, Any]:
    geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def event_features(items: Iterable[EventWithIncident]) -> Iterator[dict[str, Any]]:
    for event, incident_id in items:
        props = _event_json(event, incident_id)
        for name in NOT_IN_FEATURES:
            props.pop(name, None)
        yield _feature(event.latitude, event.longitude, props)


def incident_features(incidents: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Incident dicts as returned by ``Store.incident``: point at the incident's place."""
    for inc in incidents:
        place = inc.get("place") or {}
        props = {k: v for k, v in inc.items() if k not in ("events", "versions")}
        props["event_ids"] = [e["id"] for e in inc.get("events", [])]
        props["document_ids"] = sorted({e["document_id"] for e in inc.get("events", []) if e.get("document_id")})
        yield _feature(place.get("latitude"), place.get("longitude"), props)


def write_geojson(features: Iterable[dict[str, Any]], path: Path) -> int:
    """A FeatureCollection, written feature by feature (no whole-corpus list in memory)."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "features": [\n')
        for feature in features:
            fh.write((",\n" if n else "") + json.dumps(feature, ensure_ascii=False, default=str))
            n += 1
        fh.write("\n]}\n")
    return n


_INT_COLUMNS = frozenset({"year", "time_precision", "inter1", "inter2", "interaction", "geo_precision",
                          "fatalities", "injured", "captured", "missing", "incident_id"})
_FLOAT_COLUMNS = frozenset({"latitude", "longitude", "confidence"})


def write_parquet(items: Iterable[EventWithIncident], path: Path, *, batch_rows: int = 10_000) -> int:
    """Events as a Parquet file with typed columns (numbers as numbers, blanks as nulls)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ModuleNotFoundError:
        raise UsageError("Parquet export needs pyarrow: pip install pyarrow==26.0.1", code=errors.E_BAD_OPTION) from None

    def arrow_type(name: str) -> Any:
        return pa.int64() if name in _INT_COLUMNS else pa.float64() if name in _FLOAT_COLUMNS else pa.string()

    schema = pa.schema([(name, arrow_type(name)) for name in COLUMNS])
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in event_records(items):
            batch.append({k: _typed(k, v) for k, v in row.items()})
            if len(batch) >= batch_rows:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n, batch = n + len(batch), []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


def _typed(name: str, value: Any) -> Any:
    if value == "" or value is None:
        return None
    if name in _INT_COLUMNS:
        return int(value)
    if name in _FLOAT_COLUMNS:
        return float(value)
    return str(value)
