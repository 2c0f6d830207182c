"""What a trained model directory adds beyond the type classifier: the user's actors and places.

``flashpoint train`` writes, next to the classifier's files, ``actors.json`` (the export's actor
list: names, inter codes, aliases read from the notes, regime periods) and ``places.json`` (the
export's locations). This small loader reads them back for ``flashpoint code --model``; a model
without them (or with unreadable ones) simply adds nothing. Plain JSON only: nothing is executed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashpoint.extract.actors import Dictionary
from flashpoint.geo.additions import PlaceAddition, additions_of

__all__ = ["ACTORS_FILE", "PLACES_FILE", "ModelAdditions", "load_additions"]

ACTORS_FILE = "actors.json"
PLACES_FILE = "places.json"
ACTORS_FORMAT = "flashpoint-actors"
PLACES_FORMAT = "flashpoint-places"

log = logging.getLogger(__name__)


@dataclass
class ModelAdditions:
    """The user's actor dictionary (None when the model has none) and gazetteer additions."""

    dictionary: Dictionary | None = None
    places: list[PlaceAddition] = field(default_factory=list)


def _read(path: Path, fmt: str) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        log.warning("%s: unreadable (%s); coding without it", path, err)
        return None
    if not isinstance(data, dict) or data.get("format") != fmt:
        log.warning("%s: not a %s file; coding without it", path, fmt)
        return None
    return data


def load_additions(model_dir: Path) -> ModelAdditions:
    """The actors and places stored in ``model_dir`` (either may be missing)."""
    found = ModelAdditions()
    actors = _read(model_dir / ACTORS_FILE, ACTORS_FORMAT)
    if actors is not None:
        groups = [g for g in actors.get("groups", []) if isinstance(g, dict) and g.get("name")]
        periods = actors.get("periods", {})
        base = Dictionary.of(groups)
        found.dictionary = Dictionary(base.groups, tuple(sorted((str(k), str(v)) for k, v in periods.items())))
    places = _read(model_dir / PLACES_FILE, PLACES_FORMAT)
    if places is not None:
        found.places = additions_of([p for p in places.get("places", []) if isinstance(p, dict)])
    return found
