"""Russian language data (src/flashpoint/lang/ru): actors and loaded terms are well-formed and agree
with the English actor tables and the Russian gold."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from flashpoint.evaluate.metrics import normalise_actor
from flashpoint.lang import path, table, text, words

ROOT = Path(__file__).resolve().parents[1]
RU = ROOT / "tests" / "fixtures" / "ru" / "articles.jsonl"
ACTORS = table("ru", "actors")
STATES = {r["country"]: r["since"] for r in table("en", "actors/states")}
ACLED_COUNTRIES = {r["acled_name"] for r in table("en", "actors/countries")}
GROUPS = {r["name"] for f in ("global", "regional") for r in table("en", f"actors/groups/{f}")}
STATE_ACTOR = re.compile(r"^(Military Forces|Police Forces|Government) of (?P<country>.+?) \((?P<since>\d{4})-\)( .+)?$")


def test_header_is_the_agreed_one() -> None:
    header = next(line for line in text("ru", "actors.tsv").splitlines() if not line.startswith("#"))
    assert header.split("\t") == ["lemmas", "surface", "actor", "country", "inter"]


@pytest.mark.parametrize("row", ACTORS, ids=[r["surface"] for r in ACTORS])
def test_each_actor_row(row: dict[str, str]) -> None:
    assert row["lemmas"] and row["lemmas"] == row["lemmas"].lower() and "ё" not in row["lemmas"]
    assert row["inter"] in {"1", "2", "3", "4", "5", "6", "7", "8"}
    actor, country = row["actor"], row["country"]
    assert (country == "") == ("{country}" in actor), "a generic actor takes the event's country"
    if country:
        assert country in ACLED_COUNTRIES
    state = STATE_ACTOR.match(actor)
    if state:
        assert state["country"] == country and state["since"] == STATES[country], actor
    elif "{country}" not in actor:
        assert actor in GROUPS, f"{actor!r} is not a group name of lang/en/actors/groups"


def test_one_lemma_sequence_names_one_actor() -> None:
    seen: dict[str, str] = {}
    for row in ACTORS:
        assert seen.setdefault(row["lemmas"], row["actor"]) == row["actor"], row


def test_the_states_of_the_russian_fixtures_are_covered() -> None:
    """Every gold actor of the Russian reports is an actor of the table (with its country filled in)."""
    known = set()
    for row in ACTORS:
        for country in ACLED_COUNTRIES if "{country}" in row["actor"] else [row["country"]]:
            if "{country}" in row["actor"] and country not in STATES:
                continue
            known.add(normalise_actor(row["actor"].replace("{country}", country)))
    for line in RU.read_text(encoding="utf-8").splitlines():
        for event in json.loads(line)["events"]:
            for actor in (event["actor1"], event["actor2"]):
                if actor:
                    assert normalise_actor(actor) in known, actor


def test_lemmas_are_natashas() -> None:
    """A sample of rows: the lemmas are what tools/ru_actor_lemmas.py computes with natasha today."""
    sys.path.insert(0, str(ROOT / "tools"))
    from ru_actor_lemmas import lemmatiser

    lemmas = lemmatiser()
    for row in ACTORS[::25]:
        assert lemmas(row["surface"]) == row["lemmas"], row["surface"]


def test_loaded_terms() -> None:
    terms = words("ru", "loaded_terms")
    assert {"провокация", "оккупант", "террорист", "хунта", "шехид"} <= terms
    assert all(t == t.lower() and "ё" not in t for t in terms)
    assert path("ru", "loaded_terms.txt").is_file()
