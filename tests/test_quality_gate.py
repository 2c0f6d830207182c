"""The quality gate: flashpoint's real coder on the project's gold fixtures, against floors.

tests/quality_floors.json maps a gold file to ``{"<metric path>": floor}``, where a metric path
walks the report dict (``fields.sub_event_type.accuracy``). A change that lowers a score below its
floor fails here, naming each such metric. When a change raises the scores, raise the floors in
the same commit (one line each) with the figures this test prints (``pytest -s``).
A metric the report cannot measure (``None``) counts as 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flashpoint.evaluate import evaluate_path

ROOT = Path(__file__).resolve().parent.parent
FLOORS_FILE = Path(__file__).parent / "quality_floors.json"
FLOORS: dict[str, dict[str, float]] = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))
REQUIRED = ("tests/fixtures/gold/articles.jsonl", "tests/fixtures/acled_notes.csv")

pytestmark = pytest.mark.slow


def metric(report: dict[str, Any], path: str) -> float | None:
    """The value at a dotted path of the report; a path that is not there is a mistake in the floors."""
    value: Any = report
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            pytest.fail(f"{FLOORS_FILE.name}: {path!r} is not in the report (check the path, "
                        "or whether the gold file annotates that field)")
        value = value[part]
    return value


def real_coder() -> Any:
    try:
        from flashpoint.pipeline import code_documents
    except ImportError as err:
        pytest.fail(f"the quality gate needs the real coder, flashpoint.pipeline.code_documents: {err}")

    # The default coder types with the model built from the typing corpus (`flashpoint models build`;
    # skipped when current): build it here so that the gate never measures the rules-only fallback.
    from flashpoint.training.typing_corpus import build_default

    build_default()

    def coder(docs: list[Any]) -> list[Any]:
        return list(code_documents(docs))

    return coder


def test_the_gate_covers_the_project_gold() -> None:
    missing = [name for name in REQUIRED if name not in FLOORS]
    assert not missing, f"{FLOORS_FILE.name} has no floors for {missing}"


@pytest.mark.parametrize("gold", sorted(FLOORS))
def test_scores_stay_above_their_floors(gold: str) -> None:
    path = ROOT / gold
    if not path.exists():
        pytest.fail(f"gold fixture {gold} is missing: the quality gate cannot run without it")
    report = evaluate_path(path, real_coder())
    figures = {name: metric(report, name) for name in FLOORS[gold]}
    print(f"\n{gold}")
    for name, value in figures.items():
        print(f"  {name:<45} {'—' if value is None else f'{value:.3f}'}   (floor {FLOORS[gold][name]})")
    below = [f"{name} = {value if value is None else round(value, 3)} < floor {FLOORS[gold][name]}"
             for name, value in figures.items() if (value or 0.0) < FLOORS[gold][name]]
    assert not below, f"{gold}: below the floor: " + "; ".join(below)
