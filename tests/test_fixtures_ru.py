"""The Russian gold reports (tests/fixtures/ru/articles.jsonl) are well-formed and cover what issue 20 asks.

Same format and conventions as tests/fixtures/gold/articles.jsonl (see its README), with two
differences: each document says ``"language": "ru"``, and an event's ``location`` is the English
name ACLED writes, so it need not appear in the Russian text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from flashpoint.evaluate.gold import read_gold
from flashpoint.typology import EVENT_TYPE_OF

RU = Path(__file__).resolve().parent / "fixtures" / "ru" / "articles.jsonl"
ARTICLES: list[dict[str, Any]] = [json.loads(line) for line in RU.read_text(encoding="utf-8").splitlines()]
EVENTS = [(a["id"], e) for a in ARTICLES for e in a["events"]]
ACTOR = re.compile(
    r"^(Military Forces of .+|Police Forces of .+|(Protesters|Rioters|Civilians) \(.+\)"
    r"|Unidentified (Armed Group|Gang) \(.+\)|[A-Z0-9][\w' -]*: .+|[A-Z][\w' -]+( \([A-Z][\w' -]+\))?)$")


def test_thirty_russian_reports_in_many_styles() -> None:
    assert len(ARTICLES) >= 30
    assert all(a["language"] == "ru" for a in ARTICLES)
    assert len({a["id"] for a in ARTICLES}) == len(ARTICLES)
    styles = Counter(a["style"] for a in ARTICLES)
    assert {"wire", "ministry", "embassy", "local", "police", "protest", "ngo", "both-sides", "denial",
            "no-event"} <= set(styles)
    assert sum(1 for a in ARTICLES if not a["events"]) >= 3, "reports with no event (anniversary, talks, denial)"


def test_every_region_of_the_issue_is_covered() -> None:
    countries = {e["country"] for _, e in EVENTS}
    assert {"Armenia", "Azerbaijan", "Ukraine", "Russia", "Kyrgyzstan", "Tajikistan", "Syria", "Mali",
            "Burkina Faso", "Niger"} <= countries


def test_texts_are_russian() -> None:
    for a in ARTICLES:
        letters = [ch for ch in a["text"] if ch.isalpha()]
        assert sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff") / len(letters) > 0.9, a["id"]


@pytest.mark.parametrize("article_id,event", EVENTS, ids=[f"{i}:{e['sub_event_type']}" for i, e in EVENTS])
def test_events_follow_acled(article_id: str, event: dict[str, Any]) -> None:
    assert EVENT_TYPE_OF[event["sub_event_type"]] == event["event_type"]
    for actor in (event["actor1"], event.get("actor2")):
        assert actor is None or (ACTOR.match(actor) and not re.search(r"\(\d{4}-", actor)), actor
    for key in ("fatalities", "injured", "captured"):
        assert isinstance(event[key], int) and event[key] >= 0
    assert event["geo_precision"] in (1, 2, 3) and event["time_precision"] in (1, 2, 3)
    assert event["location"].isascii() and event["admin1"] and event["country"]
    assert -90 <= event["latitude"] <= 90 and -180 <= event["longitude"] <= 180


@pytest.mark.parametrize("article", ARTICLES, ids=[a["id"] for a in ARTICLES])
def test_dates_and_offsets(article: dict[str, Any]) -> None:
    published = dt.date.fromisoformat(article["published"])
    for event in article["events"]:
        start = dt.date.fromisoformat(event["event_date"])
        assert start <= published
        if event["end_date"]:
            assert dt.date.fromisoformat(event["end_date"]) > start and event["time_precision"] == 2
    previous = 0
    for place in sorted(article["places"], key=lambda p: p["start"]):
        assert article["text"][place["start"]:place["end"]] == place["name"]
        assert place["start"] >= previous
        previous = place["end"]


def test_the_evaluator_reads_the_language() -> None:
    docs = read_gold(RU)
    assert {d.document().language for d in docs} == {"ru"}
