"""The data model: the contract between flashpoint's stages.

Every stage reads and writes these plain dataclasses; none of them does I/O.
Field names follow ACLED's where ACLED has the field. Offsets (``Span``) index
``Document.text``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]
"""A character range ``[start, end)`` in ``Document.text``."""

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)
"""ACLED's export columns in ACLED's order (the CSV output starts with these)."""

EXTRA_COLUMNS: tuple[str, ...] = (
    "end_date", "injured", "captured", "claimant", "claimant_party", "claimant_side",
    "claim_chain", "initiator", "loaded_terms", "confidence", "document_id", "event_uid",
)
"""flashpoint's own columns, appended after ACLED's in CSV output."""

NOT_IN_FEATURES: frozenset[str] = frozenset({"evidence", "type_explanation"})
"""Event fields a GeoJSON feature leaves out (character spans and the type explanation: large, and
of use only beside the document's text)."""


@dataclass
class Document:
    """One report, after ingest: clean text plus what is known about where it came from."""

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    language: str = "en"
    removed: list[str] = field(default_factory=list)
    source: str | None = None
    """Where it was read from (a path, ``-`` for stdin, or ``file.jsonl:LINE``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
            "language": self.language,
            "text": self.text,
            "removed": list(self.removed),
        }


@dataclass
class Failure:
    """An input that could not be processed, and why. Recorded; never fatal to a run."""

    source: str
    reason: str
    code: str = "E000"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "code": self.code, "reason": self.reason}


@dataclass
class Place:
    """A toponym in the text and what it resolved to (geonameid is None when unresolved)."""

    name: str
    start: int
    end: int
    kind: str = "literal"
    """``literal`` (a place as a place), ``adjectival`` ("Turkish troops"),
    ``metonymic`` ("Moscow said")."""
    geonameid: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    country: str | None = None
    country_code: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    feature_code: str | None = None
    resolved_name: str | None = None
    score: float = 0.0
    reason: str = ""
    alternatives: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Claimant:
    """Who says it: outlet → relay → speaker, the speaker's party, and that party's side."""

    name: str | None = None
    party: str | None = None
    side: str | None = None
    chain: list[str] = field(default_factory=list)
    quote: str = "none"
    """``direct`` (in quotation marks), ``indirect`` (reported speech), ``none`` (the outlet's own voice)."""
    official: bool = True
    """False for a lawmaker or opposition politician: their side's voice, but not its official word."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


CASUALTY_KINDS: tuple[str, ...] = ("killed", "injured", "captured", "missing")
QUALIFIERS: tuple[str, ...] = ("exact", "at least", "up to", "about", "several", "unconfirmed", "revised")
"""A casualty claim's qualifier: how sure and how bounded its figure is. ``several`` is any vague
plural ("a number of", "some", "dozens"): its ``count`` is None, never a made-up number."""


@dataclass
class CasualtyClaim:
    """One casualty figure as one claimant states it: whose casualties, how many, how sure.

    A claim about the enemy's losses stays a claim about the enemy: ``victim_side`` is whose dead
    (or wounded, captured, missing) they are, ``claimant_side`` who says so.
    """

    kind: str
    """``killed`` | ``injured`` | ``captured`` | ``missing``"""
    count: int | None
    """The figure; None when the text gives none ("several", "a number of")."""
    qualifier: str = "exact"
    count_max: int | None = None
    """The upper bound of a range ("between 5 and 10" → count 5, count_max 10)."""
    victim: str | None = None
    """The victims as an ACLED actor ("Military Forces of Armenia"), when named."""
    victim_side: str | None = None
    claimant: str | None = None
    claimant_side: str | None = None
    official: bool = True
    """False for a lawmaker, an opposition politician or an unnamed source: their figure does not
    replace their side's official one."""
    combined_with: str | None = None
    """Another kind this figure counts together ("up to 70 killed and wounded": ``injured``)."""
    earlier: bool = False
    """The text itself says this figure was replaced ("initially reported two, …", "up from one")."""
    text: str = ""
    evidence: list[Span] = field(default_factory=list)
    """The figure and its casualty word."""
    sentence: Span | None = None
    """The sentence it was read from (to quote it in context)."""
    places: list[str] = field(default_factory=list)
    """Places named in that sentence ("three civilians in Mushaki")."""

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["evidence"] = [list(s) for s in self.evidence]
        data["sentence"] = list(self.sentence) if self.sentence else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CasualtyClaim:
        data = dict(data)
        data["evidence"] = [(int(a), int(b)) for a, b in data.get("evidence") or []]
        sentence = data.get("sentence")
        data["sentence"] = (int(sentence[0]), int(sentence[1])) if sentence else None
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Event:
    """One happening as one document reports it, in ACLED's fields plus flashpoint's extras."""

    id: str
    event_date: dt.date | None = None
    end_date: dt.date | None = None
    time_precision: int = 3
    disorder_type: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor1: str | None = None
    assoc_actor_1: str | None = None
    inter1: int | None = None
    actor2: str | None = None
    assoc_actor_2: str | None = None
    inter2: int | None = None
    initiator: str | None = None
    """The actor the claimant says started it (ACLED's actor1 does not imply that)."""
    initiator_claimant: Claimant | None = None
    """Who says so, when it is not the event's claimant (a wire relaying each side's blame)."""
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    geonameid: int | None = None
    location_reason: str = ""
    """Why the event is placed where it is: the place's link to the words that tell the event, and
    the places passed over with their roles ("Houla: where 'killed' happened; not Beirut: speaker")."""
    fatalities: int = 0
    injured: int = 0
    captured: int = 0
    missing: int = 0
    """Missing (whereabouts unknown), kept apart from captured: one side's prisoners are often the
    other side's missing."""
    casualties: list[CasualtyClaim] = field(default_factory=list)
    """Every casualty figure the report states, by whose casualties and who claims it."""
    fatalities_rule: str = ""
    """How ``fatalities`` was derived from ``casualties`` (ACLED's rule, in words)."""
    claimant: Claimant = field(default_factory=Claimant)
    loaded_terms: list[str] = field(default_factory=list)
    source: str | None = None
    notes: str = ""
    confidence: float = 0.0
    document_id: str | None = None
    evidence: dict[str, list[Span]] = field(default_factory=dict)
    type_explanation: dict[str, Any] | None = None
    """Why the trained classifier chose the sub-event type: its probability and the runner-up's,
    the rule cues, the word n-grams that weighed most, the nearest labelled examples. None with
    the rules-only classifier (``--model rules``), whose evidence is ``evidence["sub_event_type"]``."""

    @property
    def interaction(self) -> int | None:
        if self.inter1 is None:
            return None
        a, b = sorted((self.inter1, self.inter2 or 0))
        return int(f"{a}{b}") if a else int(f"{b}0") if b else None

    def add_evidence(self, name: str, span: Span | None) -> None:
        """Record that field ``name`` was read from ``span`` (duplicates ignored)."""
        if span is None:
            return
        spans = self.evidence.setdefault(name, [])
        if span not in spans:
            spans.append(span)
            spans.sort()

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["event_date"] = self.event_date.isoformat() if self.event_date else None
        data["end_date"] = self.end_date.isoformat() if self.end_date else None
        data["interaction"] = self.interaction
        data["evidence"] = {k: [list(s) for s in v] for k, v in self.evidence.items()}
        data["casualties"] = [c.to_dict() for c in self.casualties]
        return data


@dataclass
class CodedDocument:
    """The output of coding one document: the document, every place named, every event."""

    document: Document
    places: list[Place] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document.to_dict(),
            "places": [p.to_dict() for p in self.places],
            "events": [e.to_dict() for e in self.events],
        }
