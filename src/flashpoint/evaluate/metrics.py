"""Plain metric functions and the value comparisons the scorer relies on.

Nothing here knows about files or the data model: inputs are numbers, labels
and strings; outputs are floats (or ``None`` when there is nothing to measure,
so that "not measured" is never confused with "scored zero").
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or ``None`` when ``whole`` is 0 (nothing was measured)."""
    return part / whole if whole else None


def f1_score(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def prf(true_positives: int, n_system: int, n_gold: int) -> dict[str, float | None]:
    """Precision, recall and F1 from counts."""
    precision = ratio(true_positives, n_system)
    recall = ratio(true_positives, n_gold)
    f1 = f1_score(precision, recall)
    if f1 is None and not true_positives and (n_system or n_gold):
        f1 = 0.0  # nothing right: F1 is 0 even though precision or recall is undefined
    return {"precision": precision, "recall": recall, "f1": f1}


def mean_absolute_error(pairs: Iterable[tuple[float, float]]) -> float | None:
    errors = [abs(g - s) for g, s in pairs]
    return sum(errors) / len(errors) if errors else None


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def share_within(values: Sequence[float | None], limit: float) -> float | None:
    """Share of ``values`` at most ``limit``; a missing value (``None``) counts as a miss."""
    return ratio(sum(1 for v in values if v is not None and v <= limit), len(values))


def confusion_matrix(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """``{gold label: {system label: count}}`` (rows gold, columns system)."""
    matrix: dict[str, dict[str, int]] = {}
    for gold, system in pairs:
        row = matrix.setdefault(gold, {})
        row[system] = row.get(system, 0) + 1
    return {g: dict(sorted(row.items())) for g, row in sorted(matrix.items())}


def classification_scores(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Accuracy, per-label P/R/F1, macro and weighted F1, and the confusion matrix.

    As in scikit-learn's defaults, the macro average runs over every label seen
    in gold or system output (a label the system invents but gold never uses
    scores F1 0 and pulls the macro average down), and the weighted average
    weights each label by its gold support.
    """
    n = len(pairs)
    if not n:
        return {"n": 0, "accuracy": None, "macro_f1": None, "weighted_f1": None,
                "per_label": {}, "confusion": {}}
    gold_counts = Counter(g for g, _ in pairs)
    system_counts = Counter(s for _, s in pairs)
    correct = Counter(g for g, s in pairs if g == s)
    per_label: dict[str, dict[str, float | int | None]] = {}
    for label in sorted(set(gold_counts) | set(system_counts)):
        scores = prf(correct[label], system_counts[label], gold_counts[label])
        # A label absent from one side has an undefined precision or recall; it still scores F1 0.
        f1 = scores["f1"] if scores["f1"] is not None else 0.0
        per_label[label] = {**scores, "f1": f1, "support": gold_counts[label]}
    macro = sum(float(v["f1"] or 0.0) for v in per_label.values()) / len(per_label)
    weighted = sum(float(per_label[g]["f1"] or 0.0) * c for g, c in gold_counts.items()) / n
    return {
        "n": n,
        "accuracy": sum(correct.values()) / n,
        "macro_f1": macro,
        "weighted_f1": weighted,
        "per_label": per_label,
        "confusion": confusion_matrix(pairs),
    }


# --- comparing values -------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_PERIOD = re.compile(r"\s*\(\s*\d{4}\s*-\s*(\d{4})?\s*\).*$")
"""ACLED's regime period "(2003-)" or "(1999-2007)", and any unit suffix after it
("Military Forces of Nigeria (2015-) Air Force")."""
_ACRONYM = re.compile(r"^[^\s:]{1,20}:\s+")
"""ACLED's "ACRONYM: Full Name" prefix ("ASG: Abu Sayyaf Group" names the same group as "Abu Sayyaf Group")."""
_THE = re.compile(r"\bthe\s+")
_ADMIN_SUFFIX = re.compile(
    r"\s+(district|districts|province|region|state|governorate|oblast|rayon|raion|county|"
    r"prefecture|department|municipality|division|territory)$"
)


def normalise_text(value: Any) -> str | None:
    """Case-, accent- and spacing-insensitive form of a name; empty means ``None``."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _SPACES.sub(" ", text.replace("’", "'")).strip().casefold()
    return text or None


def normalise_actor(value: Any) -> str | None:
    """An actor name as compared: without ACLED's regime period and unit suffix, without an
    "ACRONYM: " prefix and without "the", case-insensitive. ("Military Forces of the Democratic
    Republic of Congo (2019-)" and "military forces of democratic republic of congo" are one actor.)"""
    text = normalise_text(value)
    if text is None:
        return None
    text = _THE.sub("", _ACRONYM.sub("", _PERIOD.sub("", text).strip()))
    return text.strip() or None


def normalise_admin(value: Any) -> str | None:
    """An administrative division name without its generic word ("Lachin District" → "lachin")."""
    text = normalise_text(value)
    if text is None:
        return None
    return _ADMIN_SUFFIX.sub("", text) or text
