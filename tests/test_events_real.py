"""Where events happened, measured on real news nobody here wrote: the Wikinews event pages (read
from ``shared/dev``, never copied).

A floor on the share of matched events placed within 25 km of the gold place (issue 14's bar is
0.72), and the issue's check that no place over 1,000 km from the document's focus is kept without
a printed reason, nor used as an event's place when nothing in the text supports it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flashpoint.evaluate import evaluate_path
from flashpoint.evaluate.gold import read_gold
from flashpoint.geo.focus import FAR_KM, document_focus
from flashpoint.model import CodedDocument

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [ROOT.parent / "shared" / "dev" / "events" / "wikinews_events.jsonl"]
WITHIN_25KM_FLOOR = 0.79

pytestmark = pytest.mark.slow


def _path() -> Path:
    path = next((p for p in CANDIDATES if p.is_file()), None)
    if path is None:
        pytest.fail(f"the Wikinews events are missing (looked at {', '.join(map(str, CANDIDATES))}): "
                    "lay out shared/ beside the repo")
    return path


def test_wikinews_events_are_placed_within_25_km_above_the_floor() -> None:
    from flashpoint.pipeline import code_documents

    report = evaluate_path(_path(), lambda docs: list(code_documents(docs)))
    within = float(report["fields"]["location"]["within_25km"])
    print({"within_25km": within})
    assert within >= WITHIN_25KM_FLOOR


def test_no_place_far_from_the_focus_wins_without_a_printed_reason() -> None:
    from flashpoint.pipeline import code_documents

    docs = read_gold(_path())
    far = 0
    for result in code_documents([d.document() for d in docs], model="rules"):
        assert isinstance(result, CodedDocument)
        focus = document_focus(result.places)
        if focus is None:
            continue
        unsupported = set()
        for p in result.places:
            km = focus.distance_km(p)
            if p.country_code == focus.country_code or p.kind == "adjectival" or km is None or km <= FAR_KM:
                continue
            far += 1
            assert "document's focus" in p.reason, (result.document.id, p.name, p.reason)
            if "nothing in the text supports" in p.reason:
                unsupported.add((p.latitude, p.longitude))
        assert not [e.location for e in result.events if (e.latitude, e.longitude) in unsupported]
    assert far > 0  # the check ran on places that needed it
