"""Sentence-level type scoring: short texts with one gold sub-event type each.

This is the form public event-classification benchmarks come in. The system's
label for a text is the sub-event type of the first event it finds there (by
where its evidence starts in the text), or ``none`` if it finds no event;
scores are accuracy and macro and weighted F1 over sub-event types, and the
same over ACLED's six event types.

Files: TSV with a header naming ``text`` and ``sub_event_type`` columns, or JSONL
objects ``{"text": …, "sub_event_type": …}``. A gold label ``none`` means the
text reports no event.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import EvaluationError
from flashpoint.evaluate.metrics import classification_scores
from flashpoint.evaluate.report import Coder, run_coder
from flashpoint.model import CodedDocument, Document, Event, Failure
from flashpoint.typology import ALL_SUB_EVENT_TYPES, EVENT_TYPE_OF

NONE = "none"
_CANONICAL = {label.casefold(): label for label in (*ALL_SUB_EVENT_TYPES, NONE)}


@dataclass
class SentenceItem:
    """One short text and its gold sub-event type (``none`` for no event)."""

    id: str
    text: str
    sub_event_type: str


def canonical_label(label: str, where: str) -> str:
    """ACLED's exact sub-event type name for ``label`` (case-insensitive), or an error saying which."""
    canonical = _CANONICAL.get(" ".join(label.split()).casefold())
    if canonical is None:
        raise EvaluationError(
            f"{where}: {label!r} is not an ACLED sub-event type or 'none' (see flashpoint.typology)", code=errors.E_BAD_GOLD_TYPE)
    return canonical


def parse_sentence_objects(objects: Iterable[tuple[str, Any]]) -> list[SentenceItem]:
    """Items from ``(where, object)`` pairs holding "text" and "sub_event_type"."""
    items = []
    for where, raw in objects:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("text"), str) or not (
                "sub_event_type" in raw or "label" in raw):
            raise EvaluationError(f"{where}: a sentence item needs \"text\" and \"sub_event_type\" (or \"label\")",
                                  code=errors.E_BAD_GOLD_RECORD)
        label = (raw["sub_event_type"] if "sub_event_type" in raw else raw["label"]) or NONE
        items.append(SentenceItem(str(raw.get("id") or where), raw["text"], canonical_label(str(label), where)))
    return items


def read_sentences_tsv(path: Path) -> list[SentenceItem]:
    """A TSV file with a header row naming ``text`` and ``sub_event_type`` columns."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        columns = set(reader.fieldnames or [])
        if not {"text", "sub_event_type"} <= columns:
            raise EvaluationError(f"{path}: the first line must be a header with columns text<TAB>sub_event_type",
                                  code=errors.E_BAD_GOLD_FILE)
        objects = [(f"{path.name}:{n}", row) for n, row in enumerate(reader, start=2)]
    return parse_sentence_objects(objects)


def first_event(events: list[Event]) -> Event | None:
    """The event found earliest in the text (by its first evidence span; list order otherwise)."""
    def start(event: Event) -> float:
        starts = [span[0] for spans in event.evidence.values() for span in spans]
        return min(starts) if starts else math.inf

    return min(events, key=start) if events else None


def system_label(result: CodedDocument | Failure) -> str:
    if isinstance(result, Failure):
        return NONE
    event = first_event(result.events)
    return (event.sub_event_type or NONE) if event else NONE


def _event_type(label: str) -> str:
    return EVENT_TYPE_OF.get(label, NONE)


def evaluate_sentences(items: list[SentenceItem], coder: Coder) -> dict[str, Any]:
    """Code each text alone and score its first event's sub-event type against gold."""
    documents = [Document(id=item.id, text=item.text) for item in items]
    results = run_coder(coder, documents)
    labels = [(item.sub_event_type, system_label(result)) for item, result in zip(items, results, strict=True)]
    errors = [
        {"document": item.id, "kind": "wrong_field", "field": "sub_event_type", "gold": gold, "system": system,
         "snippet": " ".join(item.text.split())[:200]}
        for item, (gold, system) in zip(items, labels, strict=True) if gold != system
    ]
    return {
        "kind": "sentences",
        "items": len(items),
        "failures": sum(1 for r in results if isinstance(r, Failure)),
        "sub_event_type": classification_scores(labels),
        "event_type": classification_scores([(_event_type(g), _event_type(s)) for g, s in labels]),
        "errors": errors,
    }
