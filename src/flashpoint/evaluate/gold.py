"""flashpoint's own gold format (docs/gold-format.md): one JSON object per document.

Only the fields present on a gold event or place are scored, so a corpus can be
annotated as deeply as its annotators had time for. A document without a
``places`` key has no toponym annotation (its places are not scored); one with
``"places": []`` says it names no place.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import EvaluationError
from flashpoint.evaluate.matching import DEFAULT_SETTINGS, MatchSettings
from flashpoint.evaluate.report import (
    GOLD_FIELDS,
    Case,
    Coder,
    Record,
    aggregate,
    attach_results,
    build_report,
    headline,
    run_coder,
    score_cases,
)
from flashpoint.model import Document
from flashpoint.typology import ALL_SUB_EVENT_TYPES, EVENT_TYPE_OF, EVENT_TYPES

_INT_FIELDS = ("time_precision", "geo_precision", "fatalities", "injured", "captured")


@dataclass
class GoldDocument:
    """A document and what a careful human coder expects from it."""

    id: str
    text: str
    events: list[Record] = field(default_factory=list)
    places: list[Record] | None = None
    published: dt.date | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    style: str | None = None
    language: str = "en"
    """The text's language (ISO 639-1), given to the coder so it reads the text with that language's pipeline."""

    def document(self) -> Document:
        return Document(id=self.id, text=self.text, url=self.url, title=self.title,
                        outlet=self.outlet, published=self.published, language=self.language, source=self.id)


def _date(value: Any, where: str, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise EvaluationError(f"{where}: {name} {value!r} is not an ISO date (YYYY-MM-DD)", code=errors.E_BAD_GOLD_RECORD) from None


def parse_gold_event(raw: Mapping[str, Any], where: str) -> Record:
    """A gold event with only the fields the annotator gave, in comparable types."""
    event: Record = {k: raw[k] for k in GOLD_FIELDS if k in raw}
    for name in ("event_date", "end_date"):
        if name in event:
            event[name] = _date(event[name], where, name)
    sub = event.get("sub_event_type")
    if sub is not None and sub not in ALL_SUB_EVENT_TYPES:
        raise EvaluationError(f"{where}: sub_event_type {sub!r} is not one of ACLED's 25 "
                              "(see flashpoint.typology)", code=errors.E_BAD_GOLD_TYPE)
    if sub is not None and event.get("event_type") is None:
        event["event_type"] = EVENT_TYPE_OF[sub]  # the sub-type names its type
    event_type = event.get("event_type")
    if event_type is not None and (event_type not in EVENT_TYPES or (sub and EVENT_TYPE_OF[sub] != event_type)):
        raise EvaluationError(f"{where}: event_type {event_type!r} is not ACLED's type for {sub!r}", code=errors.E_BAD_GOLD_TYPE)
    try:
        for name in _INT_FIELDS:
            if event.get(name) is not None:
                event[name] = int(event[name])
        for name in ("latitude", "longitude"):
            if event.get(name) is not None:
                event[name] = float(event[name])
    except (TypeError, ValueError):
        raise EvaluationError(f"{where}: a count, precision or coordinate is not a number", code=errors.E_BAD_GOLD_RECORD) from None
    return event


def parse_gold_place(raw: Mapping[str, Any], text: str, where: str) -> Record:
    """A gold toponym; its offsets must cover its name in the text (catches shifted offsets)."""
    try:
        start, end = int(raw["start"]), int(raw["end"])
    except (KeyError, TypeError, ValueError):
        raise EvaluationError(f"{where}: a place needs integer start and end offsets", code=errors.E_BAD_GOLD_RECORD) from None
    name = raw.get("name")
    if not 0 <= start < end <= len(text) or (name is not None and text[start:end] != name):
        raise EvaluationError(
            f"{where}: place {name!r} at {start}-{end} does not match the text there "
            f"({text[start:end]!r}); offsets index the document text", code=errors.E_BAD_GOLD_RECORD)
    return {**raw, "start": start, "end": end}


def _language(value: Any, where: str) -> str:
    """A gold document's language code; English when the file does not say (the older gold files)."""
    if value is None:
        return "en"
    if not isinstance(value, str) or not value.isalpha() or len(value) not in (2, 3):
        raise EvaluationError(f"{where}: language {value!r} is not a language code such as \"en\" or \"ru\"",
                              code=errors.E_BAD_GOLD_RECORD)
    return value.lower()


def parse_gold_document(raw: Any, where: str) -> GoldDocument:
    """One gold JSON object (see docs/gold-format.md)."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("text"), str) or not isinstance(raw.get("events"), list):
        raise EvaluationError(f"{where}: a gold document is an object with \"text\" and an \"events\" list "
                              "(see docs/gold-format.md)", code=errors.E_BAD_GOLD_RECORD)
    doc_id = str(raw.get("id") or where)
    events = [parse_gold_event(e, f"{where} event {i + 1}") for i, e in enumerate(raw["events"])]
    places = raw.get("places")
    parsed_places = None if places is None else [
        parse_gold_place(p, raw["text"], f"{where} place {i + 1}") for i, p in enumerate(places)]
    return GoldDocument(id=doc_id, text=raw["text"], events=events, places=parsed_places,
                        published=_date(raw.get("published"), where, "published"), title=raw.get("title"),
                        outlet=raw.get("outlet"), url=raw.get("url"), style=raw.get("style"),
                        language=_language(raw.get("language"), where))


def read_json_objects(path: Path) -> list[tuple[str, Any]]:
    """Objects from a JSONL file or a JSON array, each with where it came from (``file:line``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise EvaluationError(f"{path}: not UTF-8 text", code=errors.E_BAD_GOLD_JSON) from None
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as err:
            raise EvaluationError(f"{path}: not valid JSON ({err})", code=errors.E_BAD_GOLD_JSON) from None
        return [(f"{path.name}[{i}]", item) for i, item in enumerate(items)]
    objects = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                objects.append((f"{path.name}:{n}", json.loads(line)))
            except json.JSONDecodeError as err:
                raise EvaluationError(f"{path.name}:{n}: not valid JSON ({err.msg})", code=errors.E_BAD_GOLD_JSON) from None
    return objects


def parse_gold(objects: Iterable[tuple[str, Any]]) -> list[GoldDocument]:
    docs = [parse_gold_document(raw, where) for where, raw in objects]
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise EvaluationError(f"gold document id {doc.id!r} appears twice; ids must be unique", code=errors.E_BAD_GOLD_RECORD)
        seen.add(doc.id)
    return docs


def read_gold(path: Path) -> list[GoldDocument]:
    """Read a gold JSONL file (or a JSON array of the same objects)."""
    return parse_gold(read_json_objects(path))


def evaluate_gold(docs: list[GoldDocument], coder: Coder, settings: MatchSettings = DEFAULT_SETTINGS) -> dict[str, Any]:
    """Code each gold document and score events (and places, where annotated)."""
    cases = [Case(doc_id=d.id, text=d.text, gold=d.events, gold_places=d.places) for d in docs]
    attach_results(cases, run_coder(coder, [d.document() for d in docs]))
    report = build_report("gold", cases, settings)
    report["by_style"] = _by_style(docs, cases, settings)
    return report


def _by_style(docs: list[GoldDocument], cases: list[Case], settings: MatchSettings) -> dict[str, Any]:
    """Headline figures per document style (wire, ministry, denial, …) — where a coder struggles."""
    groups: dict[str, list[Case]] = {}
    for doc, case in zip(docs, cases, strict=True):
        groups.setdefault(doc.style or "(none)", []).append(case)
    if len(groups) < 2:
        return {}
    return {style: headline(aggregate(score_cases(group, settings))) for style, group in sorted(groups.items())}
