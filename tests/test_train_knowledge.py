"""`flashpoint train` learns an export's actors and places, and `code --model` uses them.

The export (tests/fixtures/train_export.csv) is made up by us: a group, a communal militia and two
villages that exist in no shipped table or gazetteer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from flashpoint.extract import actors
from flashpoint.extract.additions import load_additions
from flashpoint.training.knowledge import learn_knowledge, read_rows, save_knowledge
from flashpoint.training.train import read_examples, save_model, train

EXPORT = Path(__file__).parent / "fixtures" / "train_export.csv"


def test_rows_without_notes_or_type_are_skipped_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        examples = read_examples(EXPORT)
    assert len(examples) == 7
    warnings = [r for r in caplog.records if "skipped 1 row" in r.getMessage()]
    assert len(warnings) == 1 and "line 9" in warnings[0].getMessage()


def test_an_export_with_no_usable_row_fails(tmp_path: Path) -> None:
    from flashpoint.errors import UsageError

    empty = tmp_path / "empty.csv"
    empty.write_text("notes,sub_event_type\n,Attack\nsome text,\n", encoding="utf-8")
    with pytest.raises(UsageError):
        train(read_examples(empty))


def test_knowledge_holds_names_inter_codes_aliases_periods_and_places() -> None:
    knowledge = learn_knowledge(read_rows(EXPORT))
    groups = {g["name"]: g for g in knowledge.groups}
    slb = groups["SLB: Sable Lions Brigade"]
    assert slb["inter"] == 2 and slb["country"] == "Nigeria"
    assert {"SLB", "Sable Lions Brigade"} <= set(slb["aliases"])
    assert groups["Yanbaka Ethnic Militia (Nigeria)"]["inter"] == 4
    assert "Civilians (Nigeria)" not in groups and "Protesters (Nigeria)" not in groups
    assert knowledge.periods["Military Forces of Nigeria"] == "(2023-)"
    places = {p["name"]: p for p in knowledge.places}
    assert places["Zubargi"]["admin1"] == "Kano" and places["Zubargi"]["country_code"] == "NG"
    assert places["Tudun Wakili"]["latitude"] == pytest.approx(11.9501)


def test_the_dictionary_layers_over_the_shipped_one(tmp_path: Path) -> None:
    save_knowledge(learn_knowledge(read_rows(EXPORT)), tmp_path)
    extra = load_additions(tmp_path)
    assert actors.normalise_actor("SLB gunmen", default_country="Nigeria") is not None
    assert actors.normalise_actor("SLB gunmen", default_country="Nigeria").kind == "unidentified"  # type: ignore[union-attr]
    with actors.using(extra.dictionary):
        slb = actors.normalise_actor("SLB gunmen", default_country="Nigeria")
        yanbaka = actors.normalise_actor("Yanbaka militiamen", default_country="Nigeria")
    assert slb is not None and slb.name == "SLB: Sable Lions Brigade" and slb.inter == 2
    assert yanbaka is not None and yanbaka.name == "Yanbaka Ethnic Militia (Nigeria)" and yanbaka.inter == 4
    # Outside the ``with``, the shipped dictionary alone.
    outside = actors.normalise_actor("SLB gunmen", default_country="Nigeria")
    assert outside is not None and outside.name != "SLB: Sable Lions Brigade"


@pytest.mark.slow
def test_a_trained_model_codes_an_unseen_note_with_the_exports_actors_and_places(tmp_path: Path) -> None:
    from flashpoint.model import Document
    from flashpoint.pipeline import code_documents

    result = train(read_examples(EXPORT), dev_fraction=0.0, name="test-export")
    model = tmp_path / "model"
    save_model(result, model)
    save_knowledge(learn_knowledge(read_rows(EXPORT)), model)
    assert json.loads((model / "places.json").read_text())["format"] == "flashpoint-places"
    note = ("On 24 March 2024, suspected Sable Lions Brigade militants attacked Zubargi, "
            "killing three farmers.")
    coded = list(code_documents([Document(id="n1", text=note, published=dt.date(2024, 3, 25))], model=str(model)))
    events = coded[0].events  # type: ignore[union-attr]
    assert events, "no event coded"
    event = events[0]
    assert event.actor1 == "SLB: Sable Lions Brigade", event
    assert event.actor2 == "Civilians (Nigeria)"
    assert event.location == "Zubargi" and event.admin1 == "Kano"
    assert event.latitude == pytest.approx(12.1102) and event.longitude == pytest.approx(8.4913)


def test_an_exports_name_for_a_group_we_know_takes_over_our_spellings() -> None:
    rows = [
        {"actor1": "ISWAP: Islamic State West Africa Province", "inter1": "2", "country": "Nigeria", "notes": "x"},
        {"actor1": "Military Forces of Yemen (2017-) Houthi", "inter1": "1", "country": "Yemen", "notes": "x"},
        {"actor1": "Military Forces of Nigeria (2023-) Air Force", "inter1": "1", "country": "Nigeria", "notes": "x"},
    ]
    knowledge = learn_knowledge(rows)
    mine = actors.Dictionary.of(knowledge.groups)
    with actors.using(mine):
        houthi = actors.normalise_actor("Houthi forces")
        lake_chad = actors.normalise_actor("Islamic State West Africa fighters")
        air_force = actors.normalise_actor("the Nigerian Air Force")
    assert houthi is not None and houthi.name == "Military Forces of Yemen (2017-) Houthi" and houthi.inter == 1
    assert lake_chad is not None and lake_chad.name == "ISWAP: Islamic State West Africa Province"
    # A unit that names no group stays a unit of the state's forces.
    assert air_force is not None and actors.acled_name(air_force) == "Military Forces of Nigeria (2023-) Air Force"
