"""The sample every part must handle: an embassy's statement relayed by a news agency.

Each test is one thing issue 2's "done means" promises a user about that report.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flashpoint.ingest.files import read_sources
from flashpoint.model import CodedDocument, Event
from flashpoint.pipeline import default_coder

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_4d41038f671f9c9f.txt"


@pytest.fixture(scope="module")
def coded() -> CodedDocument:
    assert SEED.exists(), f"the seed report is missing: {SEED}"
    [document] = list(read_sources([str(SEED)]))
    result = default_coder().code(document)  # type: ignore[arg-type]
    return result


def _on(coded: CodedDocument, day: dt.date) -> list[Event]:
    return [e for e in coded.events if e.event_date == day]


def test_16_november_clash_is_one_armed_clash_between_the_two_armies(coded: CodedDocument) -> None:
    clashes = [e for e in _on(coded, dt.date(2021, 11, 16)) if e.event_type == "Battles"]
    assert len(clashes) == 1, [e.notes for e in coded.events]
    clash = clashes[0]
    assert clash.sub_event_type == "Armed clash"
    assert {clash.actor1, clash.actor2} == {"Military Forces of Armenia (2018-)", "Military Forces of Azerbaijan (2003-)"}
    assert clash.initiator == "Military Forces of Armenia"


def test_16_november_clash_casualties_and_place(coded: CodedDocument) -> None:
    [clash] = [e for e in _on(coded, dt.date(2021, 11, 16)) if e.event_type == "Battles"]
    assert clash.fatalities == 7
    assert clash.injured == 10
    assert clash.country == "Azerbaijan"
    assert clash.location is not None and clash.location.split()[0] in ("Lachin", "Laçın", "Kalbajar", "Kəlbəcər")
    assert clash.geo_precision == 2


def test_16_november_clash_is_claimed_by_the_embassy_via_report(coded: CodedDocument) -> None:
    [clash] = [e for e in _on(coded, dt.date(2021, 11, 16)) if e.event_type == "Battles"]
    claimant = clash.claimant
    assert claimant.side == "Azerbaijan"
    assert "embassy" in (claimant.name or "").lower()
    assert claimant.chain[0] == "Report"
    assert any("bureau" in link for link in claimant.chain)
    assert {"provocation", "martyrs"} <= set(clash.loaded_terms)


def test_13_november_grenade_near_shusha(coded: CodedDocument) -> None:
    [grenade] = _on(coded, dt.date(2021, 11, 13))
    assert grenade.sub_event_type == "Grenade"
    assert grenade.event_type == "Explosions/Remote violence"
    assert grenade.injured == 3
    assert grenade.fatalities == 0
    assert grenade.location in ("Shusha", "Şuşa")
    assert grenade.geo_precision == 2
    assert grenade.country == "Azerbaijan"


def test_19_november_fire_and_deployment_are_two_events(coded: CodedDocument) -> None:
    events = _on(coded, dt.date(2021, 11, 19))
    assert len(events) == 2, [e.notes for e in events]
    fire = [e for e in events if e.event_type == "Battles"]
    assert fire and fire[0].actor1 == "Military Forces of Armenia (2018-)"
    assert fire[0].location is not None and "Kalbajar" in fire[0].location or fire[0].admin1 in ("Kalbajar", "Kəlbəcər")
    deploy = [e for e in events if e.event_type == "Strategic developments"]
    assert deploy, "the attempt to deploy 60 soldiers is a strategic development"


def test_6_7_november_visit_is_a_strategic_development_over_a_range(coded: CodedDocument) -> None:
    [visit] = [e for e in coded.events if e.event_date == dt.date(2021, 11, 6)]
    assert visit.event_type == "Strategic developments"
    assert visit.end_date == dt.date(2021, 11, 7)
    assert visit.time_precision == 2


def test_no_more_events_than_the_statement_reports(coded: CodedDocument) -> None:
    assert len(coded.events) == 5, [e.notes for e in coded.events]


def test_page_chrome_is_removed_and_listed(coded: CodedDocument) -> None:
    text = coded.document.text
    for chrome in ("Related Articles", "Leave a Reply", "Back to top"):
        assert chrome not in text
        assert any(chrome in line for line in coded.document.removed)


def test_every_field_points_at_the_words_it_came_from(coded: CodedDocument) -> None:
    text = coded.document.text
    [clash] = [e for e in _on(coded, dt.date(2021, 11, 16)) if e.event_type == "Battles"]
    for name in ("sub_event_type", "event_date", "actor1", "actor2", "location", "fatalities", "injured", "claimant"):
        assert clash.evidence.get(name), f"no evidence for {name}"
    assert any("November 16, 2021" in text[a:b] for a, b in clash.evidence["event_date"])
    assert any("7" in text[a:b] for a, b in clash.evidence["fatalities"])


def test_notes_are_generated_not_copied(coded: CodedDocument) -> None:
    for event in coded.events:
        assert event.notes.startswith(("On ", "Between ", "Around "))
        assert event.notes not in coded.document.text


def test_report_is_not_a_place(coded: CodedDocument) -> None:
    assert "Report" not in {p.name for p in coded.places}
