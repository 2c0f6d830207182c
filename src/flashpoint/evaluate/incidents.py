"""Scoring linking, dispute detection and casualty claims on a multi-side incident corpus.

The gold (``tests/fixtures/multiside/gold.json``) says which reports tell one happening, which
fields the sides dispute (per victim side for casualties) and every casualty claim with its
claimant and victims. The reports sit in ``reports/`` next to it. Scoring codes the reports,
stores them in a throwaway database (so linking and comparison run exactly as ``ingest`` runs
them) and reads back:

- **linking**: for each gold incident, the stored incident holding most of its reports; its
  completeness (share of the gold reports in it) and purity (share of its reports that belong);
  pairwise precision/recall over report pairs; background-only reports that leaked into a clash;
- **disputes**: per main incident, the gold disputed fields found, missed, and the fields gold
  says agree that were marked disputed (false alarms);
- **casualty claims**: precision/recall of (report, kind, victim side, count) records, and how
  often the qualifier and the claimant's side are right on the matched ones.

Third-country reports carry no figures and may yield no event; when they yield none they are not
counted against completeness (the gold README allows it).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import EvaluationError
from flashpoint.evaluate.metrics import prf, ratio
from flashpoint.evaluate.report import Coder
from flashpoint.model import CodedDocument, Document, Event

__all__ = ["is_incident_gold", "evaluate_incidents", "score_incidents"]

_COUNT_KINDS = ("killed", "injured", "captured")


def is_incident_gold(raw: Any) -> bool:
    """A multi-side gold file: one object with ``incidents`` and ``background_only``."""
    return isinstance(raw, Mapping) and "incidents" in raw and "background_only" in raw


def _read_reports(root: Path) -> list[Document]:
    from flashpoint.ingest.files import read_sources

    if not root.is_dir():
        raise EvaluationError(f"{root}: the reports of this incident gold are missing (expected a reports/ "
                              "directory next to the gold file)", code=errors.E_BAD_GOLD_FILE)
    return [d for d in read_sources([str(root)]) if isinstance(d, Document)]


def evaluate_incidents(gold: Mapping[str, Any], reports_dir: Path, coder: Coder) -> dict[str, Any]:
    """Code the reports with ``coder``, store and link them, and score against ``gold``."""
    from flashpoint.corpus.store import open_store

    documents = _read_reports(reports_dir)
    results = coder(documents)
    with tempfile.TemporaryDirectory(prefix="flashpoint-eval-") as tmp:
        store = open_store(Path(tmp) / "incidents.db")
        try:
            coded = [r for r in results if isinstance(r, CodedDocument)]
            for item in coded:
                store.add(item)
            incidents = [store.incident(int(row["id"])) for row in store.incidents()]
        finally:
            store.close()
    return score_incidents(gold, [i for i in incidents if i is not None], coded,
                           failures=len(results) - len(coded))


def score_incidents(gold: Mapping[str, Any], incidents: list[dict[str, Any]], coded: list[CodedDocument],
                    *, failures: int = 0) -> dict[str, Any]:
    """Score stored incidents (``Store.incident`` dicts) and coded documents against the gold."""
    report_of = {c.document.id: c.document.id for c in coded}
    events_by_report: dict[str, list[Event]] = {c.document.id: list(c.events) for c in coded}
    membership: dict[str, set[int]] = defaultdict(set)  # report → stored incidents holding its events
    reports_in: dict[int, set[str]] = defaultdict(set)
    for inc in incidents:
        for e in inc["events"]:
            rid = report_of.get(e.get("document_id") or "", e.get("document_id") or "")
            membership[rid].add(int(inc["id"]))
            reports_in[int(inc["id"])].add(rid)
    by_id = {int(i["id"]): i for i in incidents}
    linking, best = _linking(gold, events_by_report, membership, reports_in)
    errors: list[dict[str, Any]] = list(linking.pop("errors"))
    disputes_score = _disputes(gold, best, by_id, errors)
    casualties = _casualties(gold, events_by_report, errors)
    return {"kind": "incidents", "documents": len(coded) + failures, "failures": failures,
            "linking": linking, "disputes": disputes_score, "casualties": casualties, "errors": errors}


# --- linking --------------------------------------------------------------------------------------

def _expected_reports(inc: Mapping[str, Any], events_by_report: Mapping[str, list[Event]]) -> list[str]:
    third = set(inc.get("third_parties") or {})
    return [r for r in inc["reports"] if r not in third or events_by_report.get(r)]


def _linking(gold: Mapping[str, Any], events_by_report: Mapping[str, list[Event]],
             membership: Mapping[str, set[int]], reports_in: Mapping[int, set[str]],
             ) -> tuple[dict[str, Any], dict[str, int | None]]:
    per: dict[str, Any] = {}
    best: dict[str, int | None] = {}
    errors: list[dict[str, Any]] = []
    gold_of = {r: inc["id"] for inc in gold["incidents"] for r in inc["reports"]}
    for inc in gold["incidents"]:
        expected = _expected_reports(inc, events_by_report)
        votes = Counter(i for r in expected for i in membership.get(r, ()))
        chosen = max(votes, key=lambda k: (votes[k], -k)) if votes else None
        best[inc["id"]] = chosen
        members = reports_in.get(chosen, set()) if chosen is not None else set()
        inside = [r for r in expected if r in members]
        strangers = sorted(members - set(inc["reports"]))
        per[inc["id"]] = {
            "role": inc.get("role", "main"), "reports": len(expected), "in_largest": len(inside),
            "completeness": ratio(len(inside), len(expected)),
            "purity": ratio(len(members & set(inc["reports"])), len(members)) if members else None,
            "strangers": strangers, "left_out": sorted(set(expected) - members),
        }
        for r in strangers:
            errors.append({"type": "wrong_link", "incident": inc["id"], "report": r,
                           "belongs_to": gold_of.get(r, "background")})
        for r in sorted(set(expected) - members):
            errors.append({"type": "missed_link", "incident": inc["id"], "report": r})
    background = [b["report"] for b in gold.get("background_only", []) if b.get("scope") == "report"]
    main_best = {best[i["id"]] for i in gold["incidents"] if i.get("role", "main") == "main"} - {None}
    leaks = sorted(r for r in background if membership.get(r, set()) & main_best)
    gold_pairs = {frozenset(p) for inc in gold["incidents"]
                  for p in combinations(_expected_reports(inc, events_by_report), 2)}
    system_pairs = {frozenset(p) for members in reports_in.values() for p in combinations(sorted(members), 2)}
    known = set(gold_of) | set(background)
    system_pairs = {p for p in system_pairs if p <= known}
    pairs = prf(len(gold_pairs & system_pairs), len(system_pairs), len(gold_pairs))
    mains = [v for v in per.values() if v["role"] == "main"]
    summary = {
        "completeness": _mean(v["completeness"] for v in mains),
        "purity": _mean(v["purity"] for v in per.values()),
        "main_purity": _mean(v["purity"] for v in mains),
        "pairs": pairs, "background_leaks": len(leaks), "leaked_reports": leaks,
        "main_in_one": sum(1 for v in mains if v["completeness"] == 1.0), "mains": len(mains),
        "incidents": per, "errors": errors,
    }
    return summary, best


def _mean(values: Iterable[float | None]) -> float | None:
    xs = [0.0 if v is None else v for v in values]
    return round(sum(xs) / len(xs), 4) if xs else None


# --- disputes -------------------------------------------------------------------------------------

def _gold_disputes(inc: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(disputed keys, agreed keys): ``initiator``, ``location``, ``killed:<victim side>``, …"""
    yes: set[str] = set()
    no: set[str] = set()
    for name in ("initiator", "location"):
        flag = inc["disputes"].get(name)
        if flag is not None:
            (yes if flag else no).add(name)
    for kind in _COUNT_KINDS:
        for side, item in (inc["disputes"].get(kind) or {}).items():
            (yes if item.get("disputed") else no).add(f"{kind}:{side}")
    return yes, no


def _system_disputes(incident: Mapping[str, Any] | None) -> set[str]:
    if incident is None:
        return set()
    return {k for k in incident.get("disputed", {}) if k in ("initiator", "location") or ":" in k}


def _disputes(gold: Mapping[str, Any], best: Mapping[str, int | None], by_id: Mapping[int, dict[str, Any]],
              errors: list[dict[str, Any]]) -> dict[str, Any]:
    found = missed = false = 0
    per: dict[str, Any] = {}
    for inc in gold["incidents"]:
        if inc.get("role", "main") != "main":
            continue
        yes, no = _gold_disputes(inc)
        chosen = best.get(inc["id"])
        system = _system_disputes(by_id.get(chosen) if chosen is not None else None)
        hit, miss = sorted(yes & system), sorted(yes - system)
        casualty_keys = {k for k in system if ":" in k}
        wrong = sorted((system & no) | {k for k in casualty_keys - yes - no})
        found, missed, false = found + len(hit), missed + len(miss), false + len(wrong)
        per[inc["id"]] = {"found": hit, "missed": miss, "false": wrong}
        errors += [{"type": "missed_dispute", "incident": inc["id"], "field": k} for k in miss]
        errors += [{"type": "false_dispute", "incident": inc["id"], "field": k} for k in wrong]
    return {"found": found, "missed": missed, "false": false, "recall": ratio(found, found + missed),
            "precision": ratio(found, found + false), "incidents": per}


# --- casualty claims ------------------------------------------------------------------------------

def _claim_key(report: str, kind: str, victim_side: str | None, count: int | None) -> tuple[Any, ...]:
    return (report, kind, (victim_side or "").casefold(), count)


def _casualties(gold: Mapping[str, Any], events_by_report: Mapping[str, list[Event]],
                errors: list[dict[str, Any]]) -> dict[str, Any]:
    gold_claims: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    reports: set[str] = set()
    for inc in gold["incidents"]:
        reports |= set(inc["reports"])
        for c in inc.get("casualties", []):
            gold_claims[_claim_key(c["report"], c["kind"], c["victim_side"], c["count"])].append(c)
    system: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for report in sorted(reports):
        for e in events_by_report.get(report, []):
            for claim in e.casualties:
                system[_claim_key(report, claim.kind, claim.victim_side, claim.count)].append(claim)
    matched = qualifier_ok = side_ok = 0
    for key in set(gold_claims) | set(system):
        g, s = gold_claims.get(key, []), system.get(key, [])
        pairs = list(zip(g, s))
        matched += len(pairs)
        qualifier_ok += sum(1 for gc, sc in pairs if gc["qualifier"] == sc.qualifier)
        side_ok += sum(1 for gc, sc in pairs if (gc["claimant_side"] or "").casefold()
                       == (sc.claimant_side or "neutral").casefold())
        errors += [{"type": "missed_claim", "report": gc["report"], "kind": gc["kind"], "victim_side": gc["victim_side"],
                    "count": gc["count"], "text": gc["text"]} for gc in g[len(pairs):]]
        errors += [{"type": "false_claim", "report": key[0], "kind": sc.kind, "victim_side": sc.victim_side,
                    "count": sc.count, "text": sc.text} for sc in s[len(pairs):]]
    n_gold = sum(len(v) for v in gold_claims.values())
    n_system = sum(len(v) for v in system.values())
    return {**prf(matched, n_system, n_gold), "qualifier_accuracy": ratio(qualifier_ok, matched),
            "claimant_side_accuracy": ratio(side_ok, matched)}


def read_incident_gold(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise EvaluationError(f"{path}: cannot read the incident gold: {err}", code=errors.E_NO_GOLD_FILE) from None
    if not is_incident_gold(raw):
        raise EvaluationError(f"{path}: not an incident gold file (no 'incidents'/'background_only')", code=errors.E_GOLD_FORMAT)
    return dict(raw)
