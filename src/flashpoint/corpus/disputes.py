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

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flashpoint.corpus.link import actor_key, dates_compatible
from flashpoint.model import Event, Span

__all__ = ["FIELDS", "COUNT_FIELDS", "Comparison", "Version", "compare", "side_of", "CONSERVATIVE_RULE"]

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
    evidence: list[dict[str, Any]] = field(default_factory=list)
    superseded: bool = False
    event: Event | None = field(default=None, repr=False, compare=False)
    """The event the version was read from (not serialised)."""

    def to_dict(self) -> dict[str, Any]:
        return {
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
    c = event.claimant
    return c.side or c.party or c.name or event.source or "unattributed"


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
        if value is None:
            continue
        doc = e.document_id
        versions.append(Version(
            field=name, value=value, claimant=e.claimant.name or e.claimant.party or e.source,
            side=side_of(e), document_id=doc, event_id=e.id,
            published=published.get(doc) if doc else None,
            evidence=_evidence(e, name, texts.get(doc) if doc else None), event=e,
        ))
    _mark_superseded(versions)
    return versions


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
    for name in FIELDS:
        vs = _versions(name, events, published, texts)
        if not vs:
            continue
        versions[name] = vs
        current = _current(vs)
        if any(_conflict(name, a, b) for i, a in enumerate(current) for b in current[i + 1:]):
            disputed[name] = vs
        elif len(current) > 1:
            agreed[name] = _most_precise(name, current).value
        else:
            single[name] = current[0]
    return Comparison(agreed=agreed, disputed=disputed, single=single, versions=versions,
                      summary=_summary(versions))


def disputed_fields(events: Sequence[Event], *, published: Mapping[str, dt.date | None] | None = None) -> list[str]:
    """``compare(events).disputed``'s field names, judged on each side's current report per field.

    Only current versions can conflict, so the events that are current for some field (at most
    sides × fields of them, kept in the order given so that ties resolve alike) give the same
    answer as all of them: the store refreshes a growing incident without comparing every report.
    """
    published = published or {}
    return list(compare(current_reports(events, published=published), published=published).disputed)


def current_reports(events: Sequence[Event], *, published: Mapping[str, dt.date | None] | None = None) -> list[Event]:
    """The events that are some side's current version of some field, in the order given.

    ``current_reports(current_reports(old) + new) == current_reports(old + new)``: a store keeps
    these for each incident and adds each new report to them alone."""
    published = published or {}
    order = sorted(range(len(events)), key=lambda i: published.get(events[i].document_id or "") or dt.date.min)
    keep: set[int] = set()
    for name in FIELDS:
        read = _READERS[name]
        latest: dict[str, int] = {}
        for i in order:
            if read(events[i]) is not None:
                latest[side_of(events[i])] = i
        keep.update(latest.values())
    return [events[i] for i in sorted(keep)]


def _conflict(name: str, a: Version, b: Version) -> bool:
    """Do two sides' current versions contradict each other?

    A vaguer version that contains the other is not a contradiction: "in Azerbaijan" against
    "in Shusha" (Shusha's country), "in November" against "on 16 November".
    """
    if _key(name, a.value) == _key(name, b.value):
        return False
    if name == "location" and a.event is not None and b.event is not None:
        return not (_contains(a.event, b.event) or _contains(b.event, a.event))
    if name == "event_date" and a.event is not None and b.event is not None:
        return not dates_compatible(a.event, b.event)
    return True


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


def _summary(versions: Mapping[str, list[Version]]) -> dict[str, Any]:
    """Conservative figures: the lowest current claim of each count, with the range claimed."""
    summary: dict[str, Any] = {}
    for name in COUNT_FIELDS:
        current = [v.value for v in _current(versions.get(name, []))]
        summary[name] = min(current) if current else 0
        if len(set(current)) > 1:
            summary[f"{name}_claimed"] = [min(current), max(current)]
    return summary
