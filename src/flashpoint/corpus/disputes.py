"""Where the reports of one incident agree and where the sides dispute it. Pure: no I/O.

Each field the sides argue about (who started it, killed/injured/captured, place, type, date) gets
every claimant's version. Versions are grouped by *side* (the claimant's side, else its party, else
its name): a side's later figure — by its document's publication date — supersedes its earlier one,
and both are kept, the earlier marked ``superseded``. A field is *disputed* when two sides' current
versions contradict each other, *agreed* when two or more sides state compatible values (a vaguer
place or date that contains the other is no contradiction), *single* when one side alone states it. A report that does not state a field (no
initiator named, no casualty figure) is not a version of it: silence is not a claim of zero.

Summary figures follow ACLED's conservative rule: fatalities (and injured, captured) are the lowest
figure any side currently claims, and the summary says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flashpoint import lang
from flashpoint.corpus.link import actor_key, dates_compatible
from flashpoint.geo.geodesy import haversine_km
from flashpoint.model import CasualtyClaim, Claimant, Event, Span

__all__ = ["FIELDS", "COUNT_FIELDS", "Comparison", "Version", "compare", "side_of", "version_keys", "CONSERVATIVE_RULE"]

COUNT_FIELDS = ("fatalities", "injured", "captured")
FIELDS = ("initiator", *COUNT_FIELDS, "location", "event_type", "sub_event_type", "event_date")

CONSERVATIVE_RULE = (
    "ACLED's conservative rule: where reports differ, the lowest figure any side currently claims "
    "(a side's later figure replaces its earlier one)"
)


@dataclass
class Version:
    """One claimant's value for one field, where it was read, and whether the side later revised it."""

    field: str
    value: Any
    claimant: str | None
    side: str
    document_id: str | None
    event_id: str
    published: dt.date | None
    evidence: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    superseded: bool = False
    event: Event | None = dataclasses.field(default=None, repr=False, compare=False)
    """The event the version was read from (not serialised)."""
    claim: CasualtyClaim | None = dataclasses.field(default=None, repr=False, compare=False)
    """For a casualty version: the claim (kind, qualifier, official, sentence)."""

    def to_dict(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.claim is not None:
            extra = {"kind": self.claim.kind, "qualifier": self.claim.qualifier, "official": self.claim.official,
                     "victim_side": self.claim.victim_side, "combined_with": self.claim.combined_with,
                     "sentence": list(self.claim.sentence) if self.claim.sentence else None}
        return {
            **extra,
            "claimant": self.claimant,
            "side": self.side,
            "value": self.value,
            "document_id": self.document_id,
            "event_id": self.event_id,
            "published": self.published.isoformat() if self.published else None,
            "evidence": self.evidence,
            "superseded": self.superseded,
        }


@dataclass
class Comparison:
    """An incident's reports compared field by field."""

    agreed: dict[str, Any]
    """Fields two or more sides state with one value."""
    disputed: dict[str, list[Version]]
    """Fields the sides' current versions differ on: every version, superseded ones included."""
    single: dict[str, Version]
    """Fields only one side states (neither agreed nor disputed: nobody else said)."""
    versions: dict[str, list[Version]]
    summary: dict[str, Any]
    summary_rule: str = CONSERVATIVE_RULE

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreed": self.agreed,
            "single": {k: {"value": v.value, "side": v.side, "claimant": v.claimant} for k, v in self.single.items()},
            "disputed": {k: [v.to_dict() for v in vs] for k, vs in self.disputed.items()},
            "summary": self.summary,
            "summary_rule": self.summary_rule,
        }


def side_of(event: Event) -> str:
    """The side a report speaks for: side, else party, else speaker, else outlet."""
    return _voice_of(event.claimant, event)


def _voice_of(c: Claimant, event: Event) -> str:
    """A claimant's voice: its side (a lawmaker's marked unofficial, so it never replaces the
    official word), else its party, its name, the outlet."""
    base = c.side or c.party or c.name or event.source or "unattributed"
    return base if c.official else f"{base} (unofficial)"


# --- what each report states ------------------------------------------------------------------

def _stated_count(name: str) -> Callable[[Event], Any]:
    def read(e: Event) -> Any:
        value = getattr(e, name)
        return value if (value or e.evidence.get(name)) else None
    return read


def _date_value(e: Event) -> Any:
    if e.event_date is None:
        return None
    if e.end_date and e.end_date != e.event_date:
        return f"{e.event_date.isoformat()}/{e.end_date.isoformat()}"
    return e.event_date.isoformat()


_READERS: dict[str, Callable[[Event], Any]] = {
    "initiator": lambda e: e.initiator or None,
    **{name: _stated_count(name) for name in COUNT_FIELDS},
    "location": lambda e: e.location or e.admin1 or None,
    "event_type": lambda e: e.event_type or None,
    "sub_event_type": lambda e: e.sub_event_type or None,
    "event_date": _date_value,
}

_EVIDENCE_KEYS = {"location": ("location", "admin1"), "event_date": ("event_date", "end_date"),
                  "event_type": ("event_type", "sub_event_type"), "initiator": ("initiator", "actor1")}


def _evidence(e: Event, name: str, text: str | None) -> list[dict[str, Any]]:
    spans: list[Span] = []
    for key in _EVIDENCE_KEYS.get(name, (name,)):
        spans.extend(e.evidence.get(key, []))
        if spans:
            break
    out: list[dict[str, Any]] = []
    for start, end in spans:
        item: dict[str, Any] = {"start": start, "end": end}
        if text is not None:
            item["text"] = text[start:end]
        out.append(item)
    return out


# --- comparing ----------------------------------------------------------------------------------

def _versions(
    name: str,
    events: Sequence[Event],
    published: Mapping[str, dt.date | None],
    texts: Mapping[str, str],
) -> list[Version]:
    versions: list[Version] = []
    for e in events:
        value = _READERS[name](e)
        if value is None or (name == "initiator" and _blames_itself(value, e)):
            continue
        doc = e.document_id
        who = e.initiator_claimant if name == "initiator" and e.initiator_claimant is not None else e.claimant
        versions.append(Version(
            field=name, value=value, claimant=who.name or who.party or e.source,
            side=_voice_of(who, e), document_id=doc, event_id=e.id,
            published=published.get(doc) if doc else None,
            evidence=_evidence(e, name, texts.get(doc) if doc else None), event=e,
        ))
    _mark_superseded(versions)
    return versions


def _blames_itself(initiator: str, e: Event) -> bool:
    """A side saying its own forces started it is a misreading (a clause about its own losses read as
    the attack), not a claim: such a version is left out."""
    who = e.initiator_claimant or e.claimant
    key = actor_key(initiator)
    return bool(who.side) and key == f"state:{_norm_side(who.side)}"


def _norm_side(side: str | None) -> str:
    return " ".join((side or "").split()).casefold()


def _mark_superseded(versions: list[Version]) -> None:
    """Within each side, every version but the latest published one is superseded.

    Undated documents sort first (a dated revision is taken to be the later word); ties keep the
    order given, the last one current.
    """
    latest: dict[str, Version] = {}
    for v in sorted(versions, key=lambda v: (v.published or dt.date.min,)):
        latest[v.side] = v
    for v in versions:
        v.superseded = latest[v.side] is not v


def _current(versions: Sequence[Version]) -> list[Version]:
    return [v for v in versions if not v.superseded]


def compare(
    events: Sequence[Event],
    *,
    published: Mapping[str, dt.date | None] | None = None,
    texts: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare an incident's events field by field.

    ``published`` maps document ids to publication dates (for "later supersedes earlier");
    ``texts`` maps document ids to their text, to quote evidence snippets.
    """
    published = published or {}
    texts = texts or {}
    agreed: dict[str, Any] = {}
    single: dict[str, Version] = {}
    disputed: dict[str, list[Version]] = {}
    versions: dict[str, list[Version]] = {}
    claimed = any(e.casualties for e in events)
    for name in FIELDS:
        if claimed and name in COUNT_FIELDS:
            continue  # casualties are compared claim by claim, per victim side (below)
        vs = _versions(name, events, published, texts)
        if vs:
            _judge(name, vs, versions, agreed, disputed, single)
    for name, vs in _claim_versions(events, published, texts).items():
        _judge(name, vs, versions, agreed, disputed, single)
    summary = _claims_summary(versions) if claimed else _summary(versions)
    return Comparison(agreed=agreed, disputed=disputed, single=single, versions=versions, summary=summary,
                      summary_rule=CLAIMS_RULE if claimed else CONSERVATIVE_RULE)


def _judge(name: str, vs: list[Version], versions: dict[str, list[Version]], agreed: dict[str, Any],
           disputed: dict[str, list[Version]], single: dict[str, Version]) -> None:
    versions[name] = vs
    current = _current(vs)
    if any(_conflict(name, a, b) for i, a in enumerate(current) for b in current[i + 1:]):
        disputed[name] = vs
    elif len({v.side for v in current}) > 1 or len(current) > 1:
        agreed[name] = _most_precise(name, current).value
    else:
        single[name] = current[0]


# --- casualty claims, like with like ------------------------------------------------------------

CLAIMS_RULE = (
    "Casualties are compared per victim side (a side's own dead against what others say of the same "
    "dead); a claimant's later figure replaces its earlier one (both kept), a lawmaker's never replaces "
    "the official one. fatalities: for each victim side the most conservative credible current figure "
    "(official first; vague, 'up to' and killed-and-wounded figures are not counts), summed over sides"
)

_GROUP = {"killed": "killed", "injured": "injured", "captured": "captured", "missing": "captured"}
"""Captured and missing are compared together: one side's prisoners are the other's missing."""


def _claim_versions(events: Sequence[Event], published: Mapping[str, dt.date | None],
                    texts: Mapping[str, str]) -> dict[str, list[Version]]:
    out: dict[str, list[Version]] = {}
    for e in events:
        doc = e.document_id
        text = texts.get(doc) if doc else None
        for claim in e.casualties:
            if not claim.victim_side or claim.victim_side == "unidentified":
                continue  # whose losses is unknown: nothing to compare it with
            name = f"{_GROUP.get(claim.kind, claim.kind)}:{claim.victim_side}"
            voice = f"{claim.claimant_side or claim.claimant or 'unattributed'}" + ("" if claim.official else " (unofficial)")
            evidence = [{"start": a, "end": b, **({"text": text[a:b]} if text else {})} for a, b in claim.evidence]
            out.setdefault(name, []).append(Version(
                field=name, value=claim.count, claimant=claim.claimant, side=voice, document_id=doc,
                event_id=e.id, published=published.get(doc) if doc else None, evidence=evidence,
                event=e, claim=claim))
    for vs in out.values():
        _supersede_claims(vs)
    return out


def _supersede_claims(versions: list[Version]) -> None:
    """Per voice, the latest document's figures are current; within it a stated figure beats a vague
    one, a revision beats the rest, and a figure the text says was replaced ("initially") is superseded."""
    by_voice: dict[str, list[Version]] = {}
    for v in versions:
        by_voice.setdefault(v.side, []).append(v)
    for vs in by_voice.values():
        latest = max((v.published or dt.date.min) for v in vs)
        last = [v for v in vs if (v.published or dt.date.min) == latest]
        stated = [v for v in last if v.value is not None and not (v.claim and v.claim.earlier)] or last
        revised = [v for v in stated if v.claim is not None and v.claim.qualifier == "revised"] or stated
        keep = {id(v) for v in revised}  # the same figure relayed twice stays current twice
        for v in vs:
            v.superseded = id(v) not in keep


def _interval(claim: CasualtyClaim) -> tuple[float, float]:
    """The figures a claim allows: "at least 5" → [5, ∞), "up to 70" → [35, 70], "about 30" →
    [21, 39], "several" → [2, ∞), "dozens" → [24, ∞)."""
    n = claim.count
    if n is None:
        low = 2.0
        first = (claim.text.split() or [""])[0].lower()
        for row in lang.table("en", "vague_quantities"):
            if first == row["word"]:
                low = float(row["at_least"])
        return low, float("inf")
    q = claim.qualifier
    if q == "at least":
        return float(n), float("inf")
    if q == "up to":
        return n / 2, float(n)
    if q == "about":
        return n * 0.7, n * 1.3
    return float(n), float(n)


def _claims_conflict(a: CasualtyClaim, b: CasualtyClaim) -> bool:
    if (a.victim_side or "").startswith("Civilians") and a.places and b.places and not set(a.places) & set(b.places):
        return False  # civilians killed in different places are different people, not rival counts
    if a.kind != b.kind:
        return True  # prisoners by one account, missing by the other
    (a0, a1), (b0, b1) = _interval(a), _interval(b)
    return a1 < b0 or b1 < a0


def _claims_summary(versions: Mapping[str, list[Version]]) -> dict[str, Any]:
    """Per victim side and kind, each current claimant's figure; the conservative figure; totals."""
    by_side: dict[str, dict[str, Any]] = {}
    totals = {"fatalities": 0, "injured": 0, "captured": 0, "missing": 0}
    for name, vs in versions.items():
        if ":" not in name:
            continue
        group, side = name.split(":", 1)
        current = [v for v in _current(vs) if v.claim is not None]
        counted = [v for v in current if v.value is not None and v.claim is not None
                   and v.claim.combined_with is None and v.claim.qualifier != "up to"]
        official = [v for v in counted if v.claim is not None and v.claim.official] or counted
        figure = min((v.value for v in official), default=None)
        entry = by_side.setdefault(side, {})
        entry[group] = {"figure": figure, "claims": [v.to_dict() for v in vs]}
        if figure is not None:
            kind = official[0].claim.kind if official[0].claim is not None else group
            totals["fatalities" if kind == "killed" else kind] += figure
    return {**totals, "by_side": by_side}


def _conflict(name: str, a: Version, b: Version) -> bool:
    """Do two sides' current versions contradict each other?

    A vaguer version that contains the other is not a contradiction: "in Azerbaijan" against
    "in Shusha" (Shusha's country), "in November" against "on 16 November".
    """
    if a.claim is not None and b.claim is not None:
        return a.side != b.side and _claims_conflict(a.claim, b.claim)
    if _key(name, a.value) == _key(name, b.value):
        return False
    if name == "location" and a.event is not None and b.event is not None:
        if _contains(a.event, b.event) or _contains(b.event, a.event):
            return False
        return _places_exclusive(a.event, b.event)
    if name == "event_date" and a.event is not None and b.event is not None:
        return not dates_compatible(a.event, b.event)
    return True


SAME_FRONT_KM = 15.0
"""Two places in one country closer than this are one front described twice, not a dispute."""


def _places_exclusive(a: Event, b: Event) -> bool:
    """Can both places be right? Not when each lies in its own country (each side puts the fighting on
    its own side of the border) or when they are far apart; a nearby village in the same country is
    the same front."""
    if a.country and b.country and a.country.casefold() != b.country.casefold():
        return True
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return True
    return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) > SAME_FRONT_KM  # type: ignore[arg-type]


def _contains(coarse: Event, fine: Event) -> bool:
    """``coarse`` names only the division or country that ``fine``'s place lies in."""
    name = (coarse.location or coarse.admin1 or "").casefold().strip()
    return bool(name) and name in {(fine.admin1 or "").casefold().strip(), (fine.country or "").casefold().strip()}


def _most_precise(name: str, versions: Sequence[Version]) -> Version:
    """The version to show as the agreed value: the most precise place or date, else the latest."""
    def precision(v: Version) -> int:
        if v.event is None:
            return 9
        if name == "location":
            return v.event.geo_precision or 9
        if name == "event_date":
            return v.event.time_precision or 9
        return 0
    return min(reversed(versions), key=precision)


def _key(name: str, value: Any) -> Any:
    """Values compared as the same claim: actors without their regime period, text without case."""
    if name == "initiator":
        return actor_key(value)
    return value.casefold().strip() if isinstance(value, str) else value


# --- what a report adds to the judgement ----------------------------------------------------------

_PLACE_READ = ("location", "admin1", "country", "latitude", "longitude", "geo_precision")
_DATE_READ = ("event_date", "end_date", "time_precision")
_CLAIM_UNREAD = ("evidence", "sentence")


def version_keys(event: Event, published: dt.date | None) -> list[str]:
    """One key per field ``event`` gives a version of: all that ``compare`` reads of that version
    (its value, its voice, its document's date, the place or dates a conflict test looks at).

    Two reports with the same key for a field are the same version to the judgement of that field,
    whatever their order: keeping only the last report in order for each key (of every field)
    leaves which fields are disputed unchanged, so an incident of thousands of like reports is
    judged on a few (the store keeps those, ``incident_versions``)."""
    day = published.isoformat() if published else None
    keys: list[Any] = [("claimed", bool(event.casualties))]
    for name in FIELDS:
        value = _READERS[name](event)
        if value is None:
            continue
        who = event.initiator_claimant if name == "initiator" and event.initiator_claimant is not None else event.claimant
        extra: list[Any] = []
        if name == "initiator":
            extra = [_blames_itself(value, event)]
        elif name == "location":
            extra = [getattr(event, f) for f in _PLACE_READ]
        elif name == "event_date":
            extra = [str(getattr(event, f)) for f in _DATE_READ]
        keys.append((name, _voice_of(who, event), day, value, extra))
    groups: dict[str, list[dict[str, Any]]] = {}
    for claim in event.casualties:
        if claim.victim_side and claim.victim_side != "unidentified":
            read = {k: v for k, v in claim.to_dict().items() if k not in _CLAIM_UNREAD}
            groups.setdefault(f"{_GROUP.get(claim.kind, claim.kind)}:{claim.victim_side}", []).append(read)
    keys.extend((name, day, claims) for name, claims in sorted(groups.items()))
    return [hashlib.sha1(json.dumps(k, ensure_ascii=False, default=str).encode("utf-8")).hexdigest() for k in keys]


def _summary(versions: Mapping[str, list[Version]]) -> dict[str, Any]:
    """Conservative figures: the lowest current claim of each count, with the range claimed."""
    summary: dict[str, Any] = {}
    for name in COUNT_FIELDS:
        current = [v.value for v in _current(versions.get(name, []))]
        summary[name] = min(current) if current else 0
        if len(set(current)) > 1:
            summary[f"{name}_claimed"] = [min(current), max(current)]
    return summary
