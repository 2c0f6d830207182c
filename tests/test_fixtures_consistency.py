"""The gold articles and the demo corpus are well-formed.

Every score flashpoint reports against its gold is only as good as the gold itself: these tests keep
the hand annotations honest (offsets that read the names they claim, ACLED's exact type names, ISO
dates, every sub-event type covered) so that a change to a fixture cannot silently corrupt the
evaluation. See tests/fixtures/gold/README.md for the conventions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from flashpoint.typology import ALL_SUB_EVENT_TYPES, EVENT_TYPE_OF, EVENT_TYPES

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "fixtures" / "gold" / "articles.jsonl"
DEMO = ROOT / "demo"

KINDS = {"literal", "adjectival", "metonymic"}
REQUIRED_STYLES = {"wire", "ministry", "ngo", "local", "liveblog", "denial", "both-sides"}
ACTOR_PATTERN = re.compile(
    r"^(Military Forces of .+|Police Forces of .+|(Protesters|Rioters|Civilians|Settlers) \(.+\)"
    r"|Unidentified (Armed Group|Gang) \(.+\)|[A-Z0-9][\w' -]*: .+|[A-Z][\w' -]+( \([A-Z][\w' -]+\))?)$"
)
REGIME_PERIOD = re.compile(r"\(\d{4}-(\d{4})?\)")


def _articles() -> list[dict[str, Any]]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]


def _iso(value: str) -> dt.date:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), f"not ISO YYYY-MM-DD: {value!r}"
    return dt.date.fromisoformat(value)


ARTICLES = _articles()
EVENTS = [(a["id"], e) for a in ARTICLES for e in a["events"]]


def test_every_line_is_one_article_with_unique_id() -> None:
    ids = [a["id"] for a in ARTICLES]
    assert len(ids) == len(set(ids))
    for a in ARTICLES:
        assert {"id", "style", "title", "outlet", "published", "text", "events", "places"} <= set(a)
        assert a["text"].strip() and "[[" not in a["text"], a["id"]


def test_enough_articles_of_varied_styles_and_lengths() -> None:
    assert len(ARTICLES) >= 44
    styles = Counter(a["style"] for a in ARTICLES)
    assert REQUIRED_STYLES <= set(styles), f"missing styles: {REQUIRED_STYLES - set(styles)}"
    assert sum(1 for a in ARTICLES if not a["events"]) >= 2, "need articles with no event at all"
    words = [len(a["text"].split()) for a in ARTICLES]
    assert min(words) >= 80 and max(words) <= 600 and max(words) >= 400


def test_every_sub_event_type_is_covered() -> None:
    covered = Counter(e["sub_event_type"] for _, e in EVENTS)
    assert set(ALL_SUB_EVENT_TYPES) <= set(covered), set(ALL_SUB_EVENT_TYPES) - set(covered)
    # The common ones several times, as in real reporting.
    for common in ("Armed clash", "Attack", "Peaceful protest", "Air/drone strike",
                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED"):
        assert covered[common] >= 3, common


@pytest.mark.parametrize("article_id,event", EVENTS, ids=[f"{i}:{e['sub_event_type']}" for i, e in EVENTS])
def test_event_fields_follow_acled(article_id: str, event: dict[str, Any]) -> None:
    assert event["event_type"] in EVENT_TYPES
    assert EVENT_TYPE_OF[event["sub_event_type"]] == event["event_type"]
    for actor in (event["actor1"], event.get("actor2")):
        if actor is not None:
            assert ACTOR_PATTERN.match(actor), actor
            assert not REGIME_PERIOD.search(actor), f"regime period in {actor!r}"
    for key in ("fatalities", "injured", "captured"):
        assert isinstance(event[key], int) and event[key] >= 0
    assert event["geo_precision"] in (1, 2, 3)
    assert -90 <= event["latitude"] <= 90 and -180 <= event["longitude"] <= 180
    assert event["country"] and event["admin1"] and event["location"]
    assert event["claimant_side"] is None or isinstance(event["claimant_side"], str)


@pytest.mark.parametrize("article", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_dates_are_iso_and_consistent(article: dict[str, Any]) -> None:
    published = _iso(article["published"]) if article["published"] is not None else None
    for event in article["events"]:
        if "event_date" not in event:  # undatable report: no date invented
            assert "time_precision" not in event
            continue
        start = _iso(event["event_date"])
        assert event["time_precision"] in (1, 2, 3)
        if event.get("end_date") is not None:
            assert _iso(event["end_date"]) > start and event["time_precision"] == 2
        if published is not None:
            assert start <= published


@pytest.mark.parametrize("article", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_place_offsets_read_their_names(article: dict[str, Any]) -> None:
    text = article["text"]
    previous_end = 0
    for place in sorted(article["places"], key=lambda p: p["start"]):
        assert text[place["start"]:place["end"]] == place["name"], place
        assert place["start"] >= previous_end, f"overlapping places at {place}"
        previous_end = place["end"]
        assert place["kind"] in KINDS
        if place.get("geonameid") is not None:
            assert -90 <= place["latitude"] <= 90 and -180 <= place["longitude"] <= 180
    for event in article["events"]:
        assert event["location"] in text, f"event location {event['location']!r} not in the text"


def test_demo_corpus_is_well_formed() -> None:
    files = sorted(DEMO.glob("*.json"))
    assert 6 <= len(files) <= 8
    ids = set()
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert set(doc) == {"id", "outlet", "title", "published", "url", "text"}, path.name
        assert doc["id"] == path.stem and doc["id"] not in ids
        ids.add(doc["id"])
        published = _iso(doc["published"])
        assert dt.date(2021, 11, 13) <= published <= dt.date(2021, 11, 20)
        assert len(doc["text"].split()) >= 60
    # The notes on who says what live outside demo/, so that `flashpoint ingest demo/` reads reports only.
    assert (DEMO.parent / "docs" / "demo-corpus.md").exists()
    assert not (DEMO / "README.md").exists()
