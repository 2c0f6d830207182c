"""Measuring flashpoint's accuracy against gold data, field by field.

``evaluate_path`` reads a gold file, codes its texts with the coder it is given
and returns a report dict; ``render_text`` makes it readable. The coder is
injected (any ``Callable[[list[Document]], list[CodedDocument | Failure]]``), so
the scorer is tested with fake systems and used with the real pipeline alike.

Formats, by file extension:

- ``.csv``: an ACLED-format export (``acled``);
- ``.jsonl`` / ``.json``: flashpoint's gold format (``gold``), or sentence items
  when the objects carry ``sub_event_type`` and no ``events`` (``sentences``), or a multi-side
  incident corpus (one object with ``incidents`` and ``background_only``, its reports in
  ``reports/`` beside it: ``incidents``);
- ``.tsv``: sentence items, ``text<TAB>sub_event_type`` with a header (``sentences``);
- ``.xml``: a geoparsing corpus (``geo``);
- a folder: its ``*.jsonl`` files together, as sentence items (``{"text", "label"}`` or
  ``{"text", "sub_event_type"}``: the typing corpus's dev split is such a folder).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import EvaluationError
from flashpoint.evaluate.acled import AcledRow, evaluate_acled, parse_acled_date, read_acled
from flashpoint.evaluate.gold import GoldDocument, evaluate_gold, parse_gold, read_gold, read_json_objects
from flashpoint.evaluate.report import Coder, public_report, render_text
from flashpoint.evaluate.sentences import (
    SentenceItem,
    evaluate_sentences,
    parse_sentence_objects,
    read_sentences_tsv,
)
from flashpoint.model import Document, Failure, Place

__all__ = [
    "AcledRow",
    "Coder",
    "GoldDocument",
    "SentenceItem",
    "evaluate_acled",
    "evaluate_gold",
    "evaluate_path",
    "evaluate_sentences",
    "parse_acled_date",
    "public_report",
    "read_acled",
    "read_gold",
    "read_sentences_tsv",
    "render_text",
]

GeoparseText = Callable[[str], list[Place]]


def _is_sentence_item(raw: Any) -> bool:
    return isinstance(raw, Mapping) and ("sub_event_type" in raw or "label" in raw) and "events" not in raw


def _sentence_folder(path: Path) -> list[SentenceItem]:
    objects = [item for f in sorted(path.glob("*.jsonl")) for item in read_json_objects(f)]
    if not objects or not all(_is_sentence_item(raw) for _, raw in objects):
        raise EvaluationError(f"{path}: a gold folder holds .jsonl sentence items ({{\"text\", \"label\"}})",
                              code=errors.E_GOLD_FORMAT)
    return parse_sentence_objects(objects)


def places_from_coder(coder: Coder) -> GeoparseText:
    """Geoparse a text with the coder itself: the places it names while coding it."""
    def geoparse_text(text: str) -> list[Place]:
        (result,) = coder([Document(id="geo", text=text)])
        return [] if isinstance(result, Failure) else list(result.places)

    return geoparse_text


def _evaluate_geo(path: Path, coder: Coder, geoparse_text: GeoparseText | None) -> dict[str, Any]:
    try:
        from flashpoint.evaluate.geo import evaluate_geo, read_geo_gold
    except ModuleNotFoundError as err:
        if err.name != "flashpoint.evaluate.geo":
            raise
        raise EvaluationError("geoparsing evaluation (.xml) is not available in this version", code=errors.E_GOLD_FORMAT) from None
    report = evaluate_geo(read_geo_gold(path), geoparse_text or places_from_coder(coder))
    return {"kind": "geo", **report}


def _is_incident_file(path: Path) -> bool:
    """A JSON object (not a list, not JSON lines) with ``incidents`` and ``background_only``."""
    from flashpoint.evaluate.incidents import is_incident_gold

    head = path.read_text(encoding="utf-8-sig")
    if not head.lstrip().startswith("{"):
        return False
    try:
        return is_incident_gold(json.loads(head))
    except ValueError:
        return False  # JSON lines: one gold document per line


def evaluate_path(path: Path | str, coder: Coder, *, geoparse_text: GeoparseText | None = None) -> dict[str, Any]:
    """Read a gold file of any supported format, code its texts and score them."""
    path = Path(path)
    if path.is_dir():
        return {"source": str(path), **evaluate_sentences(_sentence_folder(path), coder)}
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file", code=errors.E_NO_GOLD_FILE)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        report = evaluate_acled(read_acled(path), coder)
    elif suffix == ".tsv":
        report = evaluate_sentences(read_sentences_tsv(path), coder)
    elif suffix == ".json" and _is_incident_file(path):
        from flashpoint.evaluate.incidents import evaluate_incidents, read_incident_gold

        report = evaluate_incidents(read_incident_gold(path), path.parent / "reports", coder)
    elif suffix in (".jsonl", ".json"):
        objects = read_json_objects(path)
        if objects and all(_is_sentence_item(raw) for _, raw in objects):
            report = evaluate_sentences(parse_sentence_objects(objects), coder)
        else:
            report = evaluate_gold(parse_gold(objects), coder)
    elif suffix == ".xml":
        report = _evaluate_geo(path, coder, geoparse_text)
    else:
        raise EvaluationError(
            f"{path}: cannot tell the gold format from {suffix or 'no extension'!r}; "
            "use .csv (ACLED export), .jsonl/.json (gold), .tsv (sentences) or .xml (geoparsing)", code=errors.E_GOLD_FORMAT)
    return {"source": str(path), **report}
