"""Place additions: places a user's own export knows, layered over the gazetteer.

``flashpoint train`` reads the locations of a user's ACLED export (name, admin names, coordinates,
geo_precision) and stores them with the model; ``flashpoint code --model`` codes with a
``LayeredGazetteer`` that answers from those places first and from the gazetteer for the rest.
This is the one hook the geo code needs: anything that reads a ``Gazetteer`` (the geoparser, the
NLP components) can be handed the layered one instead, and nothing else changes.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flashpoint.geo.gazetteer import GazEntry, Gazetteer, loose_key, normalise, prior_score

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["LayeredGazetteer", "PlaceAddition", "additions_of"]

_MAX_WORDS = 4

_POPULATION = 100_000
"""Places in a user's export are places events happen: ranked as a sizeable town, so the
geoparser's significance thresholds let them through."""


@dataclass(frozen=True)
class PlaceAddition:
    """One location of a user's export."""

    name: str
    country: str
    country_code: str
    latitude: float
    longitude: float
    admin1: str | None = None
    admin2: str | None = None
    geo_precision: int = 1

    def entry(self) -> GazEntry:
        """As a gazetteer entry, with a negative id (never a GeoNames id) derived from its name."""
        gid = -(zlib.crc32(f"{self.name}|{self.country_code}|{self.admin1}".encode()) + 1)
        code = "PPL" if self.geo_precision < 3 else "ADM2"
        return GazEntry(gid, self.name, self.latitude, self.longitude, "P" if code == "PPL" else "A", code,
                        self.country_code, self.country, self.admin1, self.admin2, _POPULATION,
                        matched=self.name, score=prior_score("P", "PPLA", _POPULATION) + 1.0)


class LayeredGazetteer:
    """A gazetteer that knows a user's places first (see the module docstring)."""

    def __init__(self, inner: Gazetteer, additions: Iterable[PlaceAddition]) -> None:
        self.inner = inner
        self.path = getattr(inner, "path", None)
        self._by_key: dict[str, list[GazEntry]] = {}
        self._by_loose: dict[str, list[GazEntry]] = {}
        self._by_id: dict[int, GazEntry] = {}
        for addition in additions:
            entry = addition.entry()
            self._by_id[entry.geonameid] = entry
            key = normalise(addition.name)
            if key:
                self._by_key.setdefault(key, []).append(entry)
                self._by_loose.setdefault(loose_key(key), []).append(entry)

    def __len__(self) -> int:
        return len(self._by_id)

    def _own(self, name: str, country_code: str | None, loose: bool) -> list[GazEntry]:
        key = normalise(name)
        found = list(self._by_key.get(key, ()))
        if loose and not found and key:
            found = list(self._by_loose.get(loose_key(key), ()))
        if country_code:
            found = [e for e in found if e.country_code == country_code.upper()]
        return [dataclasses.replace(e, matched=name) for e in found]

    def mark_places(self, doc: Doc) -> None:
        """Label the user's places in a parsed document as places (GPE): the export says they are,
        whatever the entity recogniser guessed ("Zubargi" as an ORG) or missed. Called before
        the geoparser reads the document."""
        from spacy.tokens import Span
        from spacy.util import filter_spans

        keep, found = [], []
        for ent in doc.ents:
            if ent.label_ not in ("GPE", "LOC", "FAC") and normalise(ent.text) in self._by_key:
                found.append(Span(doc, ent.start, ent.end, label="GPE"))
            else:
                keep.append(ent)
        covered = {i for ent in doc.ents for i in range(ent.start, ent.end)}
        for i, token in enumerate(doc):
            if i in covered or not token.text[:1].isupper():
                continue
            for n in range(min(_MAX_WORDS, len(doc) - i), 0, -1):
                if any(j in covered for j in range(i, i + n)):
                    continue
                if normalise(doc[i:i + n].text) in self._by_key:
                    found.append(Span(doc, i, i + n, label="GPE"))
                    break
        if found:
            doc.ents = filter_spans(found + keep)

    def lookup(self, name: str, *, country_code: str | None = None, limit: int = 20) -> list[GazEntry]:
        own = self._own(name, country_code, loose=True)
        rest = self.inner.lookup(name, country_code=country_code, limit=limit)
        return (own + rest)[:limit]

    def is_name(self, text: str, *, loose: bool = True) -> bool:
        return bool(self._own(text, None, loose)) or self.inner.is_name(text, loose=loose)

    def get(self, geonameid: int) -> GazEntry | None:
        return self._by_id.get(geonameid) or self.inner.get(geonameid)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # country(), admin_division(), info(), …


def additions_of(rows: Sequence[dict[str, Any]]) -> list[PlaceAddition]:
    """PlaceAdditions from plain dicts (the model directory's ``places.json``); bad rows are skipped."""
    out = []
    for row in rows:
        try:
            out.append(PlaceAddition(str(row["name"]), str(row["country"]), str(row["country_code"]),
                                     float(row["latitude"]), float(row["longitude"]), row.get("admin1") or None,
                                     row.get("admin2") or None, int(row.get("geo_precision") or 1)))
        except (KeyError, TypeError, ValueError):
            continue
    return out
