"""Toponym detection from the gazetteer: places the NER misses or mislabels are found, common
words and people's names are not places, descriptor words are stripped, and feature phrases
("the X heights", "Mount X") are coded near the named unit.

The sentences are the team's own. To test the scan and not the statistical model, several tests
take the model's entities away (or relabel them) as the model does on real news it misreads.
"""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from flashpoint.geo.geoparse import Geoparser
from flashpoint.model import Place


def _relabel(doc: Doc, label: str | None) -> Doc:
    """The model's place entities as a model that misread them would give them: as ``label``
    (an organisation, a person) or, with ``None``, not at all."""
    ents = []
    for ent in doc.ents:
        if ent.label_ in {"GPE", "LOC", "FAC"}:
            if label is not None:
                ents.append(Span(doc, ent.start, ent.end, label=label))
        else:
            ents.append(ent)
    doc.ents = ents
    return doc


def _names(places: list[Place]) -> list[str]:
    return [p.name for p in places]


@pytest.mark.parametrize("label", [None, "ORG", "PRODUCT"])
def test_a_place_the_ner_misses_or_mislabels_is_found_after_in(nlp: Language, geoparser: Geoparser,
                                                                label: str | None) -> None:
    doc = _relabel(nlp("Two traders were robbed on the road in Babatngon on Monday evening."), label)
    places = geoparser.places(doc)
    assert "Babatngon" in _names(places)
    assert next(p for p in places if p.name == "Babatngon").country_code == "PH"


def test_a_hamlet_listed_beside_places_is_found(nlp: Language, geoparser: Geoparser) -> None:
    # Neither hamlet has people enough to be a place on its own: the list and the state make them.
    doc = _relabel(nlp("Armed men burned houses in Zakirai and Wannune in Kano State on Tuesday."), None)
    names = _names(geoparser.places(doc))
    assert {"Zakirai", "Wannune", "Kano"} <= set(names)


def test_a_person_mislabelled_name_needs_place_context(nlp: Language, geoparser: Geoparser) -> None:
    doc = _relabel(nlp("Residents of Zonkwa village said the attackers came at night."), "PERSON")
    places = geoparser.places(doc)
    assert _names(places) == ["Zonkwa"], "a descriptor after the name is place context"


def test_descriptor_word_is_stripped_and_kept_as_a_hint(nlp: Language, geoparser: Geoparser) -> None:
    doc = _relabel(nlp("Gunmen raided Dadiya village before dawn, the police said."), None)
    mentions = [m for m in geoparser.mentions(doc) if m.query == "Dadiya"]
    assert mentions, [m.text for m in geoparser.mentions(doc)]
    m = mentions[0]
    assert m.text == "Dadiya" and m.suffix == "village" and m.settlement
    assert [p.resolved_name for p in geoparser.places(doc)] == ["Dadiya"]


def test_an_administrative_word_is_stripped_and_marks_a_division(nlp: Language, geoparser: Geoparser) -> None:
    doc = _relabel(nlp("Heavy rain flooded roads across Kano state last week."), None)
    m = next(m for m in geoparser.mentions(doc) if m.query == "Kano")
    assert m.division and m.text == "Kano"


@pytest.mark.parametrize("text", [
    "Aid workers said the water was unsafe to drink.",
    "State officials said the count would rise.",
    "Carbon monoxide from a stove killed a couple; carbon levels were high.",
])
def test_a_common_word_opening_a_sentence_is_not_a_place(nlp: Language, geoparser: Geoparser, text: str) -> None:
    assert _names(geoparser.places(_relabel(nlp(text), None))) == []


def test_a_surname_of_a_person_named_before_is_not_a_place(nlp: Language, geoparser: Geoparser) -> None:
    text = ("Rachel Wendover, a nurse at the clinic, said the ward was full on Monday. "
            "Wendover said more staff were needed before the weekend.")
    places = geoparser.places(nlp(text))
    assert "Wendover" not in _names(places)


def test_a_surname_after_in_stays_a_place(nlp: Language, geoparser: Geoparser) -> None:
    text = ("Rachel Wendover, a nurse, said the ward was full. "
            "The clinic in Wendover has asked for more staff.")
    assert "Wendover" in _names(geoparser.places(nlp(text)))


def test_part_of_a_longer_capitalised_name_is_not_a_place(nlp: Language, geoparser: Geoparser) -> None:
    doc = _relabel(nlp("He bought eggs at the Leeds Corner Market stall on Friday."), None)
    assert "Leeds" not in _names(geoparser.places(doc))


# -- feature phrases ---------------------------------------------------------------------------


def _event_location(nlp: Language, geoparser: Geoparser, text: str):  # type: ignore[no-untyped-def]
    places = geoparser.places(nlp(text))
    return geoparser.locate(places, 0, len(text), text)


def test_nameless_heights_in_a_district_are_coded_to_the_district_near(nlp: Language, geoparser: Geoparser) -> None:
    loc = _event_location(nlp, geoparser, "Two soldiers were killed on nameless heights in the Kalbajar district.")
    assert loc is not None and loc.location == "Kalbajar" and loc.geo_precision == 2


def test_a_direction_phrase_is_coded_near_the_named_place(nlp: Language, geoparser: Geoparser) -> None:
    loc = _event_location(nlp, geoparser, "Artillery shelled the trenches in the Lachin direction overnight.")
    assert loc is not None and loc.location == "Lachin" and loc.geo_precision == 2
    assert "direction" in loc.reason


def test_a_valley_the_gazetteer_lacks_resolves_to_its_namesake(nlp: Language, geoparser: Geoparser) -> None:
    text = "Farmers in the Salinas Valley of California lost their crops to the frost."
    places = geoparser.places(nlp(text))
    valley = next(p for p in places if "Salinas" in p.name)
    assert valley.country_code == "US" and valley.geonameid is not None
    loc = geoparser.locate(places, 0, len(text), text)
    assert loc is not None and loc.geo_precision == 2


def test_an_armed_groups_name_is_not_a_place_though_villages_bear_it(nlp: Language, geoparser: Geoparser) -> None:
    for label in (None, "ORG", "GPE"):
        doc = nlp("Fighting between Hamas and Israel went on through the night.")
        ents = [Span(doc, e.start, e.end, label=label) if label and e.text == "Hamas" else e
                for e in doc.ents if e.text != "Hamas" or label]
        doc.ents = ents
        names = _names(geoparser.places(doc))
        assert "Hamas" not in names and "Israel" in names, (label, names)


def test_a_nationality_after_in_is_not_a_place(nlp: Language, geoparser: Geoparser) -> None:
    doc = nlp("Shops were looted in Christian areas of the town on Sunday.")
    assert _names(geoparser.places(doc)) == []


def test_every_place_of_a_listed_direction_is_near(geoparser: Geoparser, nlp: Language) -> None:
    text = "Troops fired artillery at positions in the direction of Jermuk, Goris and Vardenis."
    places = geoparser.places(nlp(text))
    for name in ("Jermuk", "Goris", "Vardenis"):
        p = next(p for p in places if p.name == name)
        # Each place alone, as the event resolver asks: the list before it still says "direction of".
        loc = geoparser.locate([p], p.start, p.end, text)
        assert loc is not None and loc.geo_precision == 2, (name, loc)


def test_a_camp_named_for_a_town_is_coded_near_it(geoparser: Geoparser, nlp: Language) -> None:
    text = "Gunmen stormed the Dadiya camp for displaced families at dawn."
    loc = _event_location(nlp, geoparser, text)
    assert loc is not None and loc.location == "Dadiya" and loc.geo_precision == 2


def test_a_descriptor_inside_an_entity_is_stripped(nlp: Language, geoparser: Geoparser) -> None:
    doc = nlp("Gunmen raided houses in Dadiya Village on Friday night.")
    doc.ents = [e for e in doc.ents if "Dadiya" not in e.text] + [Span(doc, 4, 6, label="GPE")]
    places = geoparser.places(doc)
    assert [(p.name, p.resolved_name) for p in places] == [("Dadiya", "Dadiya")]


def test_near_the_exclave_of_a_town_is_near_it(nlp: Language, geoparser: Geoparser) -> None:
    loc = _event_location(nlp, geoparser, "Guards exchanged fire near the Tajik exclave of Vorukh late on Friday.")
    assert loc is not None and loc.location == "Vorukh" and loc.geo_precision == 2


@pytest.mark.parametrize("text", [
    "Shells hit houses in the border zone of Tavush province overnight.",
    "Mortar rounds fell on border villages of Tavush province on Monday.",
])
def test_the_border_zone_of_a_province_is_coded_to_it_near(nlp: Language, geoparser: Geoparser, text: str) -> None:
    loc = _event_location(nlp, geoparser, text)
    assert loc is not None and loc.location == "Tavush" and loc.geo_precision == 2, loc
    assert "border" in loc.reason


@pytest.mark.parametrize("text", [
    "A roadside bomb exploded 20 km north of Zakirai on Sunday.",
    "Herders were attacked a few miles from Zakirai at dusk.",
])
def test_a_compass_or_distance_cue_makes_a_hamlet_a_place(nlp: Language, geoparser: Geoparser, text: str) -> None:
    assert "Zakirai" in _names(geoparser.places(_relabel(nlp(text), "PERSON")))
