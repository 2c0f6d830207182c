"""Scoring coded documents against gold events, and the report that comes out of it.

The readers (``acled``, ``gold``) turn their files into ``Case`` objects: one
document, its gold events as plain mappings holding only the annotated fields,
and what the system coded. ``build_report`` matches events per document, scores
each annotated field on the matched pairs, and lists every miss; ``render_text``
turns the report into something a person reads.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flashpoint import errors
from flashpoint.errors import EvaluationError
from flashpoint.evaluate.matching import (
    DEFAULT_SETTINGS,
    MatchSettings,
    distance_km,
    match_events,
    match_spans,
)
from flashpoint.evaluate.metrics import (
    classification_scores,
    mean_absolute_error,
    median,
    normalise_actor,
    normalise_admin,
    normalise_text,
    prf,
    ratio,
    share_within,
)
from flashpoint.geo.geodesy import haversine_km
from flashpoint.model import CodedDocument, Document, Event, Failure, Place

Coder = Callable[[list[Document]], list[CodedDocument | Failure]]
"""Codes a batch of documents: one result per document, in order."""

Record = dict[str, Any]

GOLD_FIELDS: tuple[str, ...] = (
    "event_date", "end_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "inter1", "inter2", "country", "admin1", "location", "latitude", "longitude", "geo_precision",
    "fatalities", "injured", "captured", "claimant_side",
)
"""The event fields a gold record may carry (readers drop anything else)."""

LABEL_FIELDS = ("event_type", "sub_event_type")
NAME_FIELDS: dict[str, Callable[[Any], str | None]] = {
    "country": normalise_text,
    "admin1": normalise_admin,
    "actor1": normalise_actor,
    "actor2": normalise_actor,
    "claimant_side": normalise_text,
}
COUNT_FIELDS = ("fatalities", "injured", "captured")
EXACT_FIELDS = ("time_precision", "geo_precision")
DISTANCE_LIMITS_KM = (10, 25, 161)
LOCATION_ERROR_KM = 25.0
"""A matched location further off than this is listed as an error."""
SNIPPET_CHARS = 200


@dataclass
class Case:
    """One document to score: gold events (only annotated fields) against the system's output."""

    doc_id: str
    text: str
    gold: list[Record]
    system: list[Event] = field(default_factory=list)
    excluded: list[str | None] = field(default_factory=list)
    """Per gold event: why it is reported apart from the main figures, or ``None``."""
    gold_places: list[Record] | None = None
    """Gold toponyms, or ``None`` when places were not annotated."""
    system_places: list[Place] = field(default_factory=list)
    failure: str | None = None
    """Why the system could not code the document (it then found nothing)."""


@dataclass
class Outcome:
    """A matched pair, a missed gold event (system None) or an invented one (gold None)."""

    case: Case
    gold: Record | None
    system: Record | None
    system_event: Event | None = None
    excluded: str | None = None


# --- running the coder --------------------------------------------------------------------------


def run_coder(coder: Coder, documents: list[Document]) -> list[CodedDocument | Failure]:
    """Code every document in one batch and check that one result came back per document."""
    results = list(coder(documents)) if documents else []
    if len(results) != len(documents):
        raise EvaluationError(
            f"the coder returned {len(results)} results for {len(documents)} documents; "
            "it must return one result per document, in order",
            code=errors.E_CODER_CONTRACT,
        )
    return results


def attach_results(cases: Sequence[Case], results: Sequence[CodedDocument | Failure]) -> None:
    """Put each coding result on its case (a failure counts as a document with no events)."""
    for case, result in zip(cases, results, strict=True):
        if isinstance(result, Failure):
            case.failure = f"[{result.code}] {result.reason}"
        else:
            case.system = list(result.events)
            case.system_places = list(result.places)


def event_record(event: Event) -> Record:
    """The fields of a system event that gold can be compared with."""
    return {
        "event_date": event.event_date,
        "end_date": event.end_date,
        "time_precision": event.time_precision,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "actor1": event.actor1,
        "actor2": event.actor2,
        "inter1": event.inter1,
        "inter2": event.inter2,
        "country": event.country,
        "admin1": event.admin1,
        "location": event.location,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "geo_precision": event.geo_precision,
        "fatalities": event.fatalities,
        "injured": event.injured,
        "captured": event.captured,
        "claimant_side": event.claimant.side,
    }


# --- matching -------------------------------------------------------------------------------------


def score_cases(cases: Iterable[Case], settings: MatchSettings = DEFAULT_SETTINGS) -> list[Outcome]:
    """Match each document's system events to its gold events; one outcome per pair or miss."""
    outcomes: list[Outcome] = []
    for case in cases:
        system = [event_record(e) for e in case.system]
        pairs = match_events(case.gold, system, settings)
        excluded = case.excluded or [None] * len(case.gold)
        matched_gold = {g for g, _ in pairs}
        matched_system = {s for _, s in pairs}
        for g, s in pairs:
            outcomes.append(Outcome(case, case.gold[g], system[s], case.system[s], excluded[g]))
        for g, gold in enumerate(case.gold):
            if g not in matched_gold:
                outcomes.append(Outcome(case, gold, None, None, excluded[g]))
        for s, record in enumerate(system):
            if s not in matched_system:
                outcomes.append(Outcome(case, None, record, case.system[s]))
    return outcomes


def _pairs(outcomes: Iterable[Outcome]) -> list[tuple[Record, Record]]:
    return [(o.gold, o.system) for o in outcomes if o.gold is not None and o.system is not None]


# --- field scores on matched pairs ----------------------------------------------------------------


def field_correct(name: str, gold: Record, system: Record) -> bool:
    """Whether the system got gold's annotated field ``name`` right on a matched pair."""
    g, s = gold.get(name), system.get(name)
    if name in NAME_FIELDS:
        norm = NAME_FIELDS[name]
        return norm(g) == norm(s)
    if name == "location":
        km = distance_km(gold, system)
        if km is not None:
            return km <= LOCATION_ERROR_KM
        return normalise_text(g) == normalise_text(s)
    return bool(g == s)


def _actor_pair(record: Record) -> list[str]:
    return sorted(normalise_actor(record.get(k)) or "" for k in ("actor1", "actor2"))


def actors_either_order(gold: Record, system: Record) -> bool:
    """Whether the system has gold's actors, as actor1 or actor2 in either order."""
    if "actor1" in gold and "actor2" in gold:
        return _actor_pair(gold) == _actor_pair(system)
    wanted = normalise_actor(gold.get("actor1", gold.get("actor2")))
    return wanted in {normalise_actor(system.get("actor1")), normalise_actor(system.get("actor2"))}


def score_labels(pairs: Sequence[tuple[Record, Record]], name: str) -> dict[str, Any]:
    labelled = [(str(g[name]), str(s.get(name) or "none")) for g, s in pairs if g.get(name)]
    return classification_scores(labelled)


def score_dates(pairs: Sequence[tuple[Record, Record]]) -> dict[str, Any]:
    dated = [(g["event_date"], s.get("event_date")) for g, s in pairs if g.get("event_date")]
    exact = sum(1 for g, s in dated if s == g)
    near = sum(1 for g, s in dated if s is not None and abs((g - s).days) <= 1)
    return {"n": len(dated), "exact": ratio(exact, len(dated)), "within_1_day": ratio(near, len(dated))}


def score_location(pairs: Sequence[tuple[Record, Record]]) -> dict[str, Any]:
    """Distances where gold has coordinates (a system event without coordinates is a miss)."""
    located = [(g, s) for g, s in pairs if g.get("latitude") is not None and g.get("longitude") is not None]
    distances = [distance_km(g, s) for g, s in located]
    known = [d for d in distances if d is not None]
    named = [(g, s) for g, s in pairs if g.get("location")]
    result: dict[str, Any] = {
        "n": len(located),
        "system_coordinates": ratio(len(known), len(located)),
        "median_km": median(known),
    }
    for limit in DISTANCE_LIMITS_KM:
        result[f"within_{limit}km"] = share_within(distances, limit)
    result["name_match"] = ratio(
        sum(1 for g, s in named if normalise_text(g["location"]) == normalise_text(s.get("location"))),
        len(named),
    )
    return result


def score_accuracy(pairs: Sequence[tuple[Record, Record]], name: str) -> dict[str, Any]:
    scored = [(g, s) for g, s in pairs if name in g]
    return {"n": len(scored), "accuracy": ratio(sum(field_correct(name, g, s) for g, s in scored), len(scored))}


def score_counts(pairs: Sequence[tuple[Record, Record]], name: str) -> dict[str, Any]:
    counted = [(int(g[name]), int(s.get(name) or 0)) for g, s in pairs if g.get(name) is not None]
    return {
        "n": len(counted),
        "exact": ratio(sum(1 for g, s in counted if g == s), len(counted)),
        "mae": mean_absolute_error(counted),
    }


def score_fields(pairs: Sequence[tuple[Record, Record]]) -> dict[str, Any]:
    """Every field gold annotates, scored on matched pairs; unannotated fields are left out."""
    fields: dict[str, Any] = {name: score_labels(pairs, name) for name in LABEL_FIELDS}
    fields["event_date"] = score_dates(pairs)
    fields["location"] = score_location(pairs)
    for name in ("admin1", "country", "actor1", "actor2", "inter1", "inter2"):
        fields[name] = score_accuracy(pairs, name)
    # Both actors right: as ACLED orders them, and in either order (actor1 does not mean "who
    # started it", so a coder that swaps them has still read who fought whom).
    either = [(g, s) for g, s in pairs if "actor1" in g or "actor2" in g]
    fields["actors_both"] = {"n": len(either), "accuracy": ratio(sum(
        all(field_correct(k, g, s) for k in ("actor1", "actor2") if k in g) for g, s in either), len(either))}
    fields["actors_either_order"] = {
        "n": len(either),
        "accuracy": ratio(sum(actors_either_order(g, s) for g, s in either), len(either)),
    }
    for name in COUNT_FIELDS:
        fields[name] = score_counts(pairs, name)
    for name in ("claimant_side", *EXACT_FIELDS):
        fields[name] = score_accuracy(pairs, name)
    # Drop what nobody annotated, except the headline fields a reader always looks for.
    keep = {"event_type", "sub_event_type", "event_date", "location", "admin1", "country",
            "actor1", "actor2", "actors_both", "actors_either_order", "fatalities"}
    return {k: v for k, v in fields.items() if v["n"] or k in keep}


FULLY_RIGHT_FIELDS = ("sub_event_type", "event_date", "location", "fatalities")
"""What an analyst checks before using an event as it is: its type, its day, its place (within 25 km)
and its dead. A field gold does not annotate is not held against the event."""


def fully_right(gold: Record, system: Record | None, fields: Sequence[str] = FULLY_RIGHT_FIELDS) -> bool:
    """Whether a gold event was found with every annotated one of ``fields`` right."""
    if system is None:
        return False
    for name in fields:
        if name == "location" and gold.get("latitude") is not None and gold.get("longitude") is not None:
            km = distance_km(gold, system)
            if km is None or km > LOCATION_ERROR_KM:
                return False
        elif name == "fatalities" and gold.get(name) is not None:
            if int(gold[name]) != int(system.get(name) or 0):
                return False
        elif name not in ("location", "fatalities") and gold.get(name) and not field_correct(name, gold, system):
            return False
    return True


def aggregate(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Detection P/R/F1, the share of gold events fully right, and field scores over a set of outcomes."""
    pairs = _pairs(outcomes)
    golds = [o for o in outcomes if o.gold is not None]
    n_system = sum(1 for o in outcomes if o.system is not None)
    events = {"gold": len(golds), "system": n_system, "matched": len(pairs), **prf(len(pairs), n_system, len(golds)),
              # Shares of ALL gold events (a missed event is not right): found with type, date, place
              # and fatalities right; and found on the right day with the right type.
              "fully_right": ratio(sum(fully_right(o.gold, o.system) for o in golds if o.gold), len(golds)),
              "date_and_type_right": ratio(sum(fully_right(o.gold, o.system, ("sub_event_type", "event_date"))
                                               for o in golds if o.gold), len(golds))}
    return {"events": events, "fields": score_fields(pairs)}


def headline(section: Mapping[str, Any]) -> dict[str, Any]:
    """The few figures shown per country or per type."""
    events, fields = section["events"], section["fields"]
    return {
        **events,
        "sub_event_type_accuracy": fields["sub_event_type"]["accuracy"],
        "date_exact": fields["event_date"]["exact"],
        "within_25km": fields["location"]["within_25km"],
        "fatalities_exact": fields["fatalities"]["exact"],
    }


def breakdown(outcomes: Sequence[Outcome], name: str) -> dict[str, Any]:
    """Headline figures per value of gold's field ``name`` (the system's, for invented events)."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        record = o.gold if o.gold is not None else o.system
        key = str((record or {}).get(name) or "(none)")
        groups.setdefault(key, []).append(o)
    return {key: headline(aggregate(group)) for key, group in sorted(groups.items())}


# --- places -------------------------------------------------------------------------------------


def score_places(cases: Sequence[Case]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Toponym P/R/F1 by span overlap, and accuracy@161 km of the matched ones."""
    n_gold = n_system = matched = located = near = 0
    errors: list[dict[str, Any]] = []
    for case in cases:
        if case.gold_places is None:
            continue
        gold, system = case.gold_places, case.system_places
        pairs = match_spans([(int(p["start"]), int(p["end"])) for p in gold], [(p.start, p.end) for p in system])
        n_gold, n_system, matched = n_gold + len(gold), n_system + len(system), matched + len(pairs)
        for g, s in pairs:
            if gold[g].get("latitude") is None or gold[g].get("longitude") is None:
                continue
            located += 1
            sp = system[s]
            if sp.latitude is not None and sp.longitude is not None and haversine_km(
                float(gold[g]["latitude"]), float(gold[g]["longitude"]), sp.latitude, sp.longitude
            ) <= 161:
                near += 1
            else:
                errors.append(_error(case, "wrong_field", "place", gold[g], _place_summary(sp), (sp.start, sp.end)))
        found_gold, found_system = {g for g, _ in pairs}, {s for _, s in pairs}
        errors += [_error(case, "false_negative", "place", p, None, (int(p["start"]), int(p["end"])))
                   for i, p in enumerate(gold) if i not in found_gold]
        errors += [_error(case, "false_positive", "place", None, _place_summary(p), (p.start, p.end))
                   for i, p in enumerate(system) if i not in found_system]
    report = {"gold": n_gold, "system": n_system, "matched": matched, **prf(matched, n_system, n_gold),
              "located": located, "accuracy_161km": ratio(near, located)}
    return report, errors


def _place_summary(place: Place) -> Record:
    return {"name": place.name, "start": place.start, "end": place.end,
            "latitude": place.latitude, "longitude": place.longitude, "geonameid": place.geonameid}


# --- errors -------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _summary(record: Record | None) -> Record | None:
    if record is None:
        return None
    keys = ("event_date", "event_type", "sub_event_type", "actor1", "actor2", "location",
            "latitude", "longitude", "fatalities")
    return {k: _jsonable(record.get(k)) for k in keys if k in record}


def snippet(text: str, span: tuple[int, int] | None) -> str:
    """Text around ``span`` (or the start of the text), on one line."""
    if span is None or len(text) <= SNIPPET_CHARS:
        piece = text[:SNIPPET_CHARS]
    else:
        margin = max(0, (SNIPPET_CHARS - (span[1] - span[0])) // 2)
        piece = text[max(0, span[0] - margin): span[1] + margin]
    return " ".join(piece.split())


def _evidence_span(event: Event | None, name: str) -> tuple[int, int] | None:
    if event is None:
        return None
    for key in (name, "event_type", "trigger", "sub_event_type"):
        spans = event.evidence.get(key)
        if spans:
            return (int(spans[0][0]), int(spans[0][1]))
    return None


def _gold_span(text: str, gold: Record | None) -> tuple[int, int] | None:
    """Where gold's location (else an actor) is named in the text, to centre a snippet on it."""
    for name in ("location", "admin1", "actor1"):
        value = (gold or {}).get(name)
        if isinstance(value, str) and value:
            start = text.casefold().find(value.casefold())
            if start >= 0:
                return (start, start + len(value))
    return None


def _error(case: Case, kind: str, name: str, gold: Any, system: Any,
           span: tuple[int, int] | None, excluded: str | None = None) -> dict[str, Any]:
    error = {"document": case.doc_id, "kind": kind, "field": name,
             "gold": _jsonable(gold), "system": _jsonable(system), "snippet": snippet(case.text, span)}
    if excluded:
        error["excluded"] = excluded
    if case.failure and kind == "false_negative":
        error["failure"] = case.failure
    return error


def outcome_errors(outcome: Outcome) -> list[dict[str, Any]]:
    """Every miss in one outcome: the invented or missed event, or each wrong field of a pair."""
    case, gold, system = outcome.case, outcome.gold, outcome.system
    if gold is None:
        return [_error(case, "false_positive", "event", None, _summary(system),
                       _evidence_span(outcome.system_event, "event"))]
    if system is None:
        return [_error(case, "false_negative", "event", _summary(gold), None, _gold_span(case.text, gold),
                       outcome.excluded)]
    errors = []
    names = list(gold)
    if "location" not in gold and gold.get("latitude") is not None:
        names.append("location")  # coordinates alone are still a location to get right
    for name in names:
        value = gold.get(name)
        if name in ("latitude", "longitude", "end_date", "admin2", "admin3") or field_correct(name, gold, system):
            continue
        if name == "location" and distance_km(gold, system) is not None:
            value = {"location": value, "latitude": gold.get("latitude"), "longitude": gold.get("longitude")}
            got: Any = {"location": system.get("location"), "latitude": system.get("latitude"),
                        "longitude": system.get("longitude"), "km": round(distance_km(gold, system) or 0.0, 1)}
        else:
            got = system.get(name)
        span = _evidence_span(outcome.system_event, name) or _gold_span(case.text, gold)
        errors.append(_error(case, "wrong_field", name, value, got, span, outcome.excluded))
    return errors


# --- the report ---------------------------------------------------------------------------------


def build_report(kind: str, cases: Sequence[Case], settings: MatchSettings = DEFAULT_SETTINGS) -> dict[str, Any]:
    """Match, score and assemble: the report dict (its ``errors`` list holds every miss)."""
    outcomes = score_cases(cases, settings)
    main = [o for o in outcomes if not o.excluded]
    apart = [o for o in outcomes if o.excluded]
    report: dict[str, Any] = {
        "kind": kind,
        "documents": len(cases),
        "failures": sum(1 for c in cases if c.failure),
        **aggregate(main),
        "by_country": breakdown(main, "country"),
        "by_event_type": breakdown(main, "event_type"),
    }
    if apart:
        section = aggregate(apart)
        for key in ("system", "precision", "f1"):  # only gold events can be set apart
            section["events"].pop(key)
        report["unsupported"] = {
            "reasons": dict(Counter(str(o.excluded) for o in apart if o.gold is not None)),
            **section,
        }
    errors = [e for o in outcomes for e in outcome_errors(o)]
    if any(c.gold_places is not None for c in cases):
        report["places"], place_errors = score_places(cases)
        errors += place_errors
    report["matching"] = settings.to_dict()
    report["errors"] = errors
    return report


def public_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report without its (possibly long) error list, as written by ``--json``."""
    return {k: v for k, v in report.items() if k != "errors"}


# --- text -----------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _line(label: str, section: Mapping[str, Any], keys: Sequence[str]) -> str:
    parts = [f"{key.replace('_', ' ')} {_fmt(section.get(key))}" for key in keys if key in section]
    return f"  {label:<22}" + "  ".join(parts) + f"   (n={section.get('n', '—')})"


FIELD_LINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("event_type", ("accuracy", "macro_f1", "weighted_f1")),
    ("sub_event_type", ("accuracy", "macro_f1", "weighted_f1")),
    ("event_date", ("exact", "within_1_day")),
    ("location", ("system_coordinates", "median_km", "within_10km", "within_25km", "within_161km", "name_match")),
    ("admin1", ("accuracy",)),
    ("country", ("accuracy",)),
    ("actor1", ("accuracy",)),
    ("actor2", ("accuracy",)),
    ("actors_both", ("accuracy",)),
    ("actors_either_order", ("accuracy",)),
    ("inter1", ("accuracy",)),
    ("inter2", ("accuracy",)),
    ("fatalities", ("exact", "mae")),
    ("injured", ("exact", "mae")),
    ("captured", ("exact", "mae")),
    ("claimant_side", ("accuracy",)),
    ("time_precision", ("accuracy",)),
    ("geo_precision", ("accuracy",)),
)


def _render_events(section: Mapping[str, Any]) -> list[str]:
    ev = section["events"]
    lines = ["  events                " + "  ".join(
        f"{k} {_fmt(ev[k])}" for k in ("gold", "system", "matched", "precision", "recall", "f1") if k in ev)]
    if "fully_right" in ev:
        lines.append(f"  of gold events        fully right {_fmt(ev['fully_right'])}  "
                     f"date and type right {_fmt(ev['date_and_type_right'])}"
                     "   (fully: type, date, within 25 km, fatalities, where annotated)")
    lines += [_line(name, section["fields"][name], keys) for name, keys in FIELD_LINES if name in section["fields"]]
    return lines


def _render_confusions(fields: Mapping[str, Any], limit: int = 10) -> list[str]:
    confusion = fields["sub_event_type"].get("confusion", {})
    wrong = sorted(((n, g, s) for g, row in confusion.items() for s, n in row.items() if g != s), reverse=True)
    if not wrong:
        return []
    return ["", "Commonest sub-event type confusions (gold → system):"] + [
        f"  {n:>4}  {g} → {s}" for n, g, s in wrong[:limit]]


def _render_breakdown(title: str, table: Mapping[str, Mapping[str, Any]]) -> list[str]:
    if not table:
        return []
    cols = ("gold", "system", "matched", "precision", "recall", "f1", "sub_event_type_accuracy",
            "date_exact", "within_25km", "fatalities_exact")
    heads = ("gold", "sys", "match", "P", "R", "F1", "subtype", "date", "≤25km", "fatal")
    width = max(len(k) for k in table) + 2
    lines = ["", title, "  " + " " * width + "".join(f"{h:>8}" for h in heads)]
    for key, row in table.items():
        lines.append("  " + f"{key:<{width}}" + "".join(f"{_fmt(row.get(c)):>8}" for c in cols))
    return lines


def render_text(report: Mapping[str, Any]) -> str:
    """The report as plain text for a terminal."""
    if report.get("kind") == "sentences":
        return _render_sentences(report)
    if report.get("kind") == "incidents":
        return _render_incidents(report)
    if "events" not in report:  # e.g. a geoparsing report from evaluate.geo: show its figures flatly
        return _render_flat(report)
    source = report.get("source", "")
    lines = [f"flashpoint evaluation: {source} ({report['kind']})",
             f"  documents {report['documents']}, of which the coder failed on {report['failures']}", ""]
    lines += _render_events(report)
    if "places" in report:
        p = report["places"]
        lines += ["", "  toponyms              " + "  ".join(
            f"{k} {_fmt(p[k])}" for k in ("gold", "system", "matched", "precision", "recall", "f1", "accuracy_161km"))]
    lines += _render_confusions(report["fields"])
    lines += _render_breakdown("By country (gold):", report.get("by_country", {}))
    lines += _render_breakdown("By event type (gold):", report.get("by_event_type", {}))
    lines += _render_breakdown("By document style:", report.get("by_style", {}))
    if "unsupported" in report:
        u = report["unsupported"]
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(u["reasons"].items()))
        lines += ["", f"Set apart (gold the text cannot support; not in the figures above): {reasons}"]
        lines += _render_events(u)
    lines += ["", f"  {len(report.get('errors', []))} misses listed with --errors"]
    return "\n".join(lines) + "\n"


def _render_sentences(report: Mapping[str, Any]) -> str:
    lines = [f"flashpoint sentence-level type scoring: {report.get('source', '')}",
             f"  items {report['items']}, of which the coder failed on {report['failures']}", ""]
    for name in ("sub_event_type", "event_type"):
        lines.append(_line(name, report[name], ("accuracy", "macro_f1", "weighted_f1")))
    per_label = report["sub_event_type"]["per_label"]
    if per_label:
        lines += ["", f"  {'label':<38}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}"]
        lines += [f"  {label:<38}{_fmt(v['precision']):>8}{_fmt(v['recall']):>8}{_fmt(v['f1']):>8}{v['support']:>9}"
                  for label, v in per_label.items()]
    lines += _render_confusions({"sub_event_type": report["sub_event_type"]})
    return "\n".join(lines) + "\n"


def _render_incidents(report: Mapping[str, Any]) -> str:
    """Linking, disputes and casualty claims on a multi-side corpus, one block each."""
    link, disp, cas = report["linking"], report["disputes"], report["casualties"]
    lines = [f"flashpoint incident evaluation: {report.get('source', '')}",
             f"  documents {report['documents']}, of which the coder failed on {report['failures']}", "",
             f"  linking     completeness {_fmt(link['completeness'])}  purity {_fmt(link['purity'])}  "
             f"main purity {_fmt(link['main_purity'])}  pairs P {_fmt(link['pairs']['precision'])} "
             f"R {_fmt(link['pairs']['recall'])} F1 {_fmt(link['pairs']['f1'])}  "
             f"background leaks {link['background_leaks']}"]
    for name, inc in link["incidents"].items():
        lines.append(f"    {name:<40} {inc['in_largest']}/{inc['reports']} in one incident, purity "
                     f"{_fmt(inc['purity'])}" + (f"; strangers {', '.join(inc['strangers'])}" if inc["strangers"] else ""))
    lines += ["", f"  disputes    found {disp['found']}  missed {disp['missed']}  false {disp['false']}  "
                  f"recall {_fmt(disp['recall'])}  precision {_fmt(disp['precision'])}"]
    for name, inc in disp["incidents"].items():
        lines.append(f"    {name:<40} missed {', '.join(inc['missed']) or '—'}; false {', '.join(inc['false']) or '—'}")
    lines += ["", f"  casualty claims  P {_fmt(cas['precision'])}  R {_fmt(cas['recall'])}  F1 {_fmt(cas['f1'])}  "
                  f"qualifier {_fmt(cas['qualifier_accuracy'])}  claimant side {_fmt(cas['claimant_side_accuracy'])}",
              "", f"  {len(report.get('errors', []))} misses listed with --errors"]
    return "\n".join(lines) + "\n"


def _render_flat(report: Mapping[str, Any], indent: str = "  ") -> str:
    lines = [f"flashpoint evaluation: {report.get('source', '')} ({report.get('kind', '')})"]

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                if k not in ("errors", "source", "kind"):
                    walk(v, f"{prefix}.{k}" if prefix else str(k))
        elif not isinstance(value, list):
            lines.append(f"{indent}{prefix:<40} {_fmt(value)}")

    walk(report, "")
    return "\n".join(lines) + "\n"
