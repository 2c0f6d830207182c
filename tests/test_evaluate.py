"""The scorer behind `flashpoint evaluate`, proved with fake systems built from the gold itself.

A perfect system must score 1.0 everywhere; a system wrong on chosen fields must score low on
exactly those; extra and missing events must move precision and recall. The fake coders are
injected (never monkeypatched): they turn gold records into the Events a real coder would return.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flashpoint.cli.evaluate import evaluate as evaluate_command
from flashpoint.errors import EvaluationError
from flashpoint.evaluate import (
    evaluate_acled,
    evaluate_gold,
    evaluate_path,
    evaluate_sentences,
    parse_acled_date,
    read_acled,
    read_gold,
    read_sentences_tsv,
    render_text,
)
from flashpoint.evaluate.acled import acled_cases, slash_day_first, unsupported_reason
from flashpoint.evaluate.gold import GoldDocument
from flashpoint.evaluate.matching import haversine_km, match_events
from flashpoint.evaluate.metrics import classification_scores, normalise_actor
from flashpoint.model import Claimant, CodedDocument, Document, Event, Failure, Place
from flashpoint.typology import EVENT_TYPE_OF

SMALL = Path(__file__).parent / "fixtures" / "eval_small"
Record = dict[str, Any]
Transform = Callable[[Record], list[Record]]


# --- fake systems -----------------------------------------------------------------------------


def to_event(record: Record, n: int) -> Event:
    """A system Event carrying a gold record's values."""
    fields = {k: v for k, v in record.items() if k in Event.__dataclass_fields__ and k != "claimant"}
    event = Event(id=f"e{n}", **fields)
    event.claimant = Claimant(side=record.get("claimant_side"))
    return event


def to_place(record: Record) -> Place:
    return Place(name=record["name"], start=record["start"], end=record["end"], latitude=record.get("latitude"),
                 longitude=record.get("longitude"), geonameid=record.get("geonameid"))


def fake_coder(truth: dict[str, tuple[list[Record], list[Record]]], transform: Transform = lambda r: [r]):
    """A coder answering each text with its gold events (passed through ``transform``) and places."""
    def coder(docs: list[Document]) -> list[CodedDocument | Failure]:
        results: list[CodedDocument | Failure] = []
        for doc in docs:
            events, places = truth.get(doc.text, ([], []))
            records = [out for r in events for out in transform(dict(r))]
            results.append(CodedDocument(doc, [to_place(p) for p in places],
                                         [to_event(r, i) for i, r in enumerate(records)]))
        return results

    return coder


def gold_truth(docs: list[GoldDocument]) -> dict[str, tuple[list[Record], list[Record]]]:
    return {d.text: (d.events, d.places or []) for d in docs}


def acled_truth(path: Path) -> dict[str, tuple[list[Record], list[Record]]]:
    _, cases = acled_cases(read_acled(path))
    return {c.text: (c.gold, []) for c in cases}


OTHER_SUB_TYPE = {
    "Battles": "Peaceful protest", "Protests": "Armed clash", "Riots": "Arrests",
    "Explosions/Remote violence": "Abduction/forced disappearance",
    "Violence against civilians": "Air/drone strike", "Strategic developments": "Mob violence",
}


def wrong(record: Record) -> list[Record]:
    """Wrong type, a week late, 500 km north, actors swapped; everything else right."""
    sub = OTHER_SUB_TYPE[record["event_type"]]
    record.update(sub_event_type=sub, event_type=EVENT_TYPE_OF[sub],
                  event_date=record["event_date"] + dt.timedelta(days=7),
                  latitude=record["latitude"] + 4.5, actor1=record.get("actor2"), actor2=record.get("actor1"))
    return [record]


def assert_all_perfect(section: dict[str, Any]) -> None:
    """Every score in a report section is perfect (1.0; errors 0)."""
    assert section["events"]["recall"] == 1.0
    if "precision" in section["events"]:
        assert section["events"]["precision"] == section["events"]["f1"] == 1.0
    for name, scores in section["fields"].items():
        for key, value in scores.items():
            if value is None or key in ("n", "per_label", "confusion"):
                continue
            expected = 0.0 if key in ("mae", "median_km") else 1.0
            assert value == pytest.approx(expected, abs=1e-9), f"{name}.{key} = {value}"


# --- perfect and wrong systems ----------------------------------------------------------------


def test_a_perfect_system_scores_one_on_every_gold_field() -> None:
    docs = read_gold(SMALL / "gold.jsonl")
    report = evaluate_gold(docs, fake_coder(gold_truth(docs)))
    assert_all_perfect(report)
    fields = report["fields"]
    # The annotated extras are scored too, and only where annotated.
    assert fields["injured"]["n"] == 1 and fields["claimant_side"]["n"] == 3 and fields["geo_precision"]["n"] == 3
    assert fields["time_precision"]["n"] == 1
    assert report["places"]["f1"] == 1.0 and report["places"]["accuracy_161km"] == 1.0
    assert report["errors"] == []
    assert report["by_country"]["Sudan"]["recall"] == 1.0
    assert report["events"]["fully_right"] == report["events"]["date_and_type_right"] == 1.0


def test_fully_right_needs_every_annotated_field_and_counts_missed_events() -> None:
    docs = read_gold(SMALL / "gold.jsonl")
    truth = gold_truth(docs)

    def one_more_dead(record: Record) -> list[Record]:
        return [{**record, "fatalities": (record.get("fatalities") or 0) + 1}]

    off_by_one = evaluate_gold(docs, fake_coder(truth, one_more_dead))["events"]
    assert off_by_one["fully_right"] == 0.0 and off_by_one["date_and_type_right"] == 1.0

    def drop_airstrikes(record: Record) -> list[Record]:
        return [] if record["sub_event_type"] == "Air/drone strike" else [record]

    half = evaluate_gold(docs, fake_coder(truth, drop_airstrikes))["events"]
    assert half["fully_right"] == half["date_and_type_right"] == pytest.approx(2 / 4)


def test_a_perfect_system_scores_one_on_an_acled_export() -> None:
    path = SMALL / "acled.csv"
    report = evaluate_acled(read_acled(path), fake_coder(acled_truth(path)))
    assert_all_perfect(report)
    assert_all_perfect(report["unsupported"])
    assert report["fields"]["actors_either_order"]["accuracy"] == 1.0
    assert report["fields"]["location"]["within_10km"] == 1.0


def test_a_wrong_system_scores_low_on_exactly_the_wrong_fields() -> None:
    path = SMALL / "acled.csv"
    report = evaluate_acled(read_acled(path), fake_coder(acled_truth(path), wrong))
    fields = report["fields"]
    # Still paired with its gold events (same document, two of three matching cues off) ...
    assert report["events"]["f1"] == 1.0
    # ... and wrong on what was broken,
    for name in ("event_type", "sub_event_type"):
        assert fields[name]["accuracy"] == 0.0 and fields[name]["macro_f1"] == 0.0
    assert fields["event_date"]["exact"] == fields["event_date"]["within_1_day"] == 0.0
    assert fields["location"]["within_161km"] == 0.0
    assert fields["location"]["median_km"] == pytest.approx(500, abs=5)
    assert fields["actor1"]["accuracy"] == fields["actor2"]["accuracy"] == 0.0
    # ... but right on what was not.
    assert fields["actors_both"]["accuracy"] == 0.0 and fields["actors_either_order"]["accuracy"] == 1.0
    assert fields["fatalities"]["exact"] == 1.0 and fields["fatalities"]["mae"] == 0.0
    assert fields["country"]["accuracy"] == fields["admin1"]["accuracy"] == 1.0
    assert report["events"]["fully_right"] == report["events"]["date_and_type_right"] == 0.0
    wrong_fields = {e["field"] for e in report["errors"] if not e.get("excluded")}
    assert wrong_fields == {"event_type", "sub_event_type", "event_date", "location", "actor1", "actor2"}


def test_an_extra_event_lowers_precision_and_a_missing_one_recall() -> None:
    docs = read_gold(SMALL / "gold.jsonl")
    truth = gold_truth(docs)

    def extra(record: Record) -> list[Record]:
        far = {**record, "event_date": record["event_date"] - dt.timedelta(days=90),
               "latitude": -record["latitude"], "sub_event_type": "Arrests", "event_type": "Strategic developments"}
        return [record, far]

    over = evaluate_gold(docs, fake_coder(truth, extra))["events"]
    assert over["recall"] == 1.0 and over["precision"] == pytest.approx(0.5)

    def drop_airstrikes(record: Record) -> list[Record]:
        return [] if record["sub_event_type"] == "Air/drone strike" else [record]

    report = evaluate_gold(docs, fake_coder(truth, drop_airstrikes))
    under = report["events"]
    assert under["precision"] == 1.0 and under["recall"] == pytest.approx(2 / 4)
    assert report["by_country"]["Sudan"]["recall"] == 0.0 and report["by_country"]["Chile"]["recall"] == 1.0
    misses = [e for e in report["errors"] if e["kind"] == "false_negative"]
    assert {e["document"] for e in misses} == {"es-002"} and len(misses) == 2
    assert "Nyala" in misses[0]["snippet"]


def test_an_event_on_a_document_without_events_is_a_false_positive() -> None:
    docs = read_gold(SMALL / "gold.jsonl")
    truth = gold_truth(docs)
    quiet = next(d for d in docs if not d.events)
    truth[quiet.text] = ([{"event_date": dt.date(2024, 1, 1), "sub_event_type": "Peaceful protest",
                           "event_type": "Protests"}], [])
    report = evaluate_gold(docs, fake_coder(truth))
    assert report["events"]["precision"] == pytest.approx(4 / 5)
    (fp,) = [e for e in report["errors"] if e["kind"] == "false_positive"]
    assert fp["document"] == quiet.id and fp["system"]["sub_event_type"] == "Peaceful protest"


def test_a_failed_document_counts_its_gold_events_as_missed() -> None:
    docs = read_gold(SMALL / "gold.jsonl")

    def failing(batch: list[Document]) -> list[CodedDocument | Failure]:
        return [Failure(source=d.id, reason="model crashed", code="E199") for d in batch]

    report = evaluate_gold(docs, failing)
    assert report["failures"] == 4 and report["events"]["recall"] == 0.0
    assert all("E199" in e["failure"] for e in report["errors"] if e["kind"] == "false_negative" and e["field"] == "event")


# --- matching and comparisons -----------------------------------------------------------------


def test_matching_is_an_optimal_assignment_not_greedy() -> None:
    day = dt.date(2024, 6, 3)
    gold = [{"event_date": day, "latitude": 0.0, "longitude": 0.0, "sub_event_type": "Armed clash", "event_type": "Battles"},
            {"event_date": day, "latitude": 0.0, "longitude": 3.0, "sub_event_type": "Armed clash", "event_type": "Battles"}]
    system = [{**gold[0], "longitude": 1.5}, {**gold[0], "longitude": -1.0}]
    # Greedy would pair gold 0 with system 0 (closest) and leave gold 1 with system 1 (444 km off);
    # the optimum pairs gold 1 with system 0 and gold 0 with system 1.
    assert match_events(gold, system) == [(0, 1), (1, 0)]


def test_events_unlike_on_date_place_and_type_are_not_matched() -> None:
    gold = [{"event_date": dt.date(2024, 1, 1), "latitude": 0.0, "longitude": 0.0,
             "event_type": "Battles", "sub_event_type": "Armed clash"}]
    system = [{"event_date": dt.date(2024, 3, 1), "latitude": 20.0, "longitude": 0.0,
               "event_type": "Protests", "sub_event_type": "Peaceful protest"}]
    assert match_events(gold, system) == []


def test_haversine_distance() -> None:
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.2, abs=0.1)
    assert haversine_km(51.5, -0.12, 48.86, 2.35) == pytest.approx(343, abs=2)  # London-Paris


@pytest.mark.parametrize("name,expected", [
    ("Military Forces of Nigeria (2023-)", "military forces of nigeria"),
    ("Military Forces of Nigeria (2015-2023) Air Force", "military forces of nigeria"),
    ("POLICE FORCES OF KENYA (2022-)", "police forces of kenya"),
    ("Protesters (Chile)", "protesters (chile)"),
    ("  Civilians  (Syria) ", "civilians (syria)"),
    ("ASG: Abu Sayyaf Group", "abu sayyaf group"),
    ("FARC-EMC: FARC Central General Staff", "farc central general staff"),
    ("Military Forces of the Democratic Republic of Congo (2019-)", "military forces of democratic republic of congo"),
    ("", None),
])
def test_actor_names_ignore_periods_units_and_case(name: str, expected: str | None) -> None:
    assert normalise_actor(name) == expected


def test_actors_in_either_order() -> None:
    docs = read_gold(SMALL / "gold.jsonl")

    def swap(record: Record) -> list[Record]:
        return [{**record, "actor1": record.get("actor2"), "actor2": record.get("actor1")}]

    fields = evaluate_gold(docs, fake_coder(gold_truth(docs), swap))["fields"]
    assert fields["actor1"]["accuracy"] == fields["actors_both"]["accuracy"] == 0.0
    assert fields["actors_either_order"]["accuracy"] == 1.0

    def garble(record: Record) -> list[Record]:
        return [{**record, "actor2": "Unidentified Armed Group (Mali)"}]

    fields = evaluate_gold(docs, fake_coder(gold_truth(docs), garble))["fields"]
    assert fields["actor1"]["accuracy"] == 1.0 and fields["actors_either_order"]["accuracy"] == 0.0


def test_classification_scores_macro_and_weighted() -> None:
    scores = classification_scores([("a", "a"), ("a", "a"), ("a", "b"), ("b", "b")])
    assert scores["accuracy"] == 0.75
    f1_a, f1_b = 2 * 1 * (2 / 3) / (1 + 2 / 3), 2 * 0.5 * 1 / 1.5
    assert scores["macro_f1"] == pytest.approx((f1_a + f1_b) / 2)
    assert scores["weighted_f1"] == pytest.approx((3 * f1_a + f1_b) / 4)
    assert scores["confusion"] == {"a": {"a": 2, "b": 1}, "b": {"b": 1}}


# --- ACLED specifics --------------------------------------------------------------------------


@pytest.mark.parametrize("text,day_first", [
    ("16 November 2021", None), ("2021-11-16", None), ("16-Nov-21", None), ("16-Nov-2021", None),
    ("11/16/2021", None), ("11/16/2021", False), ("16/11/2021", True), ("November 16, 2021", None),
])
def test_acled_date_formats(text: str, day_first: bool | None) -> None:
    assert parse_acled_date(text, day_first=day_first) == dt.date(2021, 11, 16)


def test_slash_dates_take_their_order_from_the_whole_column() -> None:
    assert slash_day_first(["03/04/2021", "16/11/2021"]) is True
    assert parse_acled_date("03/04/2021", day_first=True) == dt.date(2021, 4, 3)
    assert slash_day_first(["03/04/2021", "11/16/2021"]) is False
    assert slash_day_first(["03/04/2021"]) is None  # unknown: month first, as US exports write it
    with pytest.raises(EvaluationError, match="mixes"):
        slash_day_first(["16/11/2021", "11/16/2021"])
    with pytest.raises(EvaluationError, match="E604"):
        parse_acled_date("sometime in 2021")


def test_split_fatalities_and_generic_locations_are_set_apart() -> None:
    path = SMALL / "acled.csv"
    rows = read_acled(path)
    reasons = {r.event_id_cnty: unsupported_reason(r) for r in rows}
    assert reasons == {"NIG9001": None, "KEN9002": None, "SYR9003": "fatalities_split",
                       "SYR9004": "fatalities_split", "MEX9005": "generic_location", "IND9006": None}

    def total_toll(record: Record) -> list[Record]:
        # The text gives only the total (3): a reader coding it cannot know ACLED's 2 + 1 split.
        if record["country"] == "Syria":
            record["fatalities"] = 3
        return [record]

    report = evaluate_acled(rows, fake_coder(acled_truth(path), total_toll))
    assert report["events"]["gold"] == 3 and report["events"]["system"] == 3
    assert report["fields"]["fatalities"]["exact"] == 1.0  # the split rows do not count against it
    apart = report["unsupported"]
    assert apart["reasons"] == {"fatalities_split": 2, "generic_location": 1}
    assert apart["events"]["gold"] == 3 and apart["fields"]["fatalities"]["exact"] == pytest.approx(1 / 3)
    assert all(e.get("excluded") == "fatalities_split" for e in report["errors"])


@pytest.mark.parametrize("notes,reason", [
    ("… 10 fatalities were split evenly between the two locations.", "fatalities_split"),
    ("A total of 12 reported fatalities have been spread across the four events.", "fatalities_split"),
    ("Fatalities split across 3 events.", "fatalities_split"),
    ("Militants split into two groups and attacked the town; 4 killed.", None),
])
def test_split_fatality_notes_are_recognised(notes: str, reason: str | None, tmp_path: Path) -> None:
    csv_path = tmp_path / "one.csv"
    csv_path.write_text("event_date,event_type,sub_event_type,notes,fatalities\n"
                        f'2021-11-16,Battles,Armed clash,"{notes}",4\n')
    (row,) = read_acled(csv_path)
    assert unsupported_reason(row) == reason


def test_one_document_per_distinct_note_dated_by_its_earliest_row() -> None:
    documents, cases = acled_cases(read_acled(SMALL / "acled.csv"))
    assert len(documents) == 5  # six rows, two of which share the Syrian note
    syria = next(d for d in documents if "Kansafra" in d.text)
    assert syria.id == "SYR9003" and syria.published == dt.date(2022, 5, 9)
    assert [len(c.gold) for c in cases] == [1, 1, 2, 1, 1]


def test_bad_acled_files_say_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("event_date,event_type,notes\n2021-11-16,Battles,text\n")
    with pytest.raises(EvaluationError, match="no sub_event_type column"):
        read_acled(path)
    path.write_text("event_date,event_type,sub_event_type,notes\n2021-11-16,Battles,Armed battle,text\n")
    with pytest.raises(EvaluationError, match="line 2: sub_event_type 'Armed battle'"):
        read_acled(path)


# --- sentences --------------------------------------------------------------------------------


def label_coder(choose: Callable[[str], list[str]]):
    """A coder whose events, in text order, have the sub-event types ``choose(text)`` gives."""
    def coder(docs: list[Document]) -> list[CodedDocument | Failure]:
        return [CodedDocument(d, [], [Event(id=f"e{i}", sub_event_type=s, event_type=EVENT_TYPE_OF[s],
                                            evidence={"event_type": [(i * 5, i * 5 + 4)]})
                                      for i, s in enumerate(choose(d.text))]) for d in docs]
    return coder


def test_sentence_scoring_perfect_and_constant_systems() -> None:
    items = read_sentences_tsv(SMALL / "sentences.tsv")
    gold = {i.text: i.sub_event_type for i in items}
    perfect = evaluate_sentences(items, label_coder(lambda t: [] if gold[t] == "none" else [gold[t]]))
    assert perfect["sub_event_type"]["accuracy"] == perfect["sub_event_type"]["macro_f1"] == 1.0
    assert perfect["event_type"]["weighted_f1"] == 1.0 and perfect["errors"] == []
    constant = evaluate_sentences(items, label_coder(lambda t: ["Armed clash"]))
    assert constant["sub_event_type"]["accuracy"] == pytest.approx(1 / 6)
    assert constant["sub_event_type"]["macro_f1"] < 0.1
    assert len(constant["errors"]) == 5


def test_the_system_label_is_the_first_event_in_the_text() -> None:
    items = read_sentences_tsv(SMALL / "sentences.tsv")[:1]  # gold "Attack"

    def coder(docs: list[Document]) -> list[CodedDocument | Failure]:
        late = Event(id="a", sub_event_type="Armed clash", evidence={"event_type": [(40, 45)]})
        early = Event(id="b", sub_event_type="Attack", evidence={"event_type": [(3, 9)]})
        return [CodedDocument(d, [], [late, early]) for d in docs]

    assert evaluate_sentences(items, coder)["sub_event_type"]["accuracy"] == 1.0


# --- dispatch, text, CLI ----------------------------------------------------------------------


def test_evaluate_path_dispatches_on_format() -> None:
    docs = read_gold(SMALL / "gold.jsonl")
    truth = gold_truth(docs) | acled_truth(SMALL / "acled.csv")
    coder = fake_coder(truth)
    assert evaluate_path(SMALL / "acled.csv", coder)["kind"] == "acled"
    assert evaluate_path(SMALL / "gold.jsonl", coder)["kind"] == "gold"
    assert evaluate_path(SMALL / "sentences.tsv", coder)["kind"] == "sentences"
    report = evaluate_path(SMALL / "sentences.jsonl", coder)
    assert report["kind"] == "sentences" and report["source"].endswith("sentences.jsonl")


def test_unreadable_gold_gives_one_clear_error(tmp_path: Path) -> None:
    coder = fake_coder({})
    with pytest.raises(EvaluationError, match="E602"):
        evaluate_path(tmp_path / "x.txt", coder) if (tmp_path / "x.txt").write_text("x") else None
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "a", "text": "In Lachin.", "events": [], "places": [{"name": "Lachin", "start": 0, "end": 6}]}\n')
    with pytest.raises(EvaluationError, match="does not match the text"):
        evaluate_path(bad, coder)
    bad.write_text('{"id": "a", "text": "x", "events": [{"sub_event_type": "Shootout"}]}\n')
    with pytest.raises(EvaluationError, match="gold.jsonl:1 event 1: sub_event_type 'Shootout'"):
        evaluate_path(bad, coder)


def test_text_report_names_the_figures() -> None:
    path = SMALL / "acled.csv"
    report = evaluate_path(path, fake_coder(acled_truth(path), wrong))
    text = render_text(report)
    for needle in ("precision 1.000", "sub_event_type", "within 161km 0.000", "By country", "Nigeria",
                   "Set apart", "fatalities_split: 2", "Armed clash → Peaceful protest"):
        assert needle in text, needle


def test_cli_prints_text_and_writes_json_and_errors(tmp_path: Path) -> None:
    path = SMALL / "acled.csv"
    report_path, errors_path = tmp_path / "report.json", tmp_path / "errors.jsonl"
    result = CliRunner().invoke(
        evaluate_command, [str(path), "--json", str(report_path), "--errors", str(errors_path)],
        obj={"coder": fake_coder(acled_truth(path), wrong)})
    assert result.exit_code == 0, result.output
    assert "flashpoint evaluation" in result.output
    report = json.loads(report_path.read_text())
    assert report["kind"] == "acled" and report["fields"]["event_date"]["exact"] == 0.0 and "errors" not in report
    errors = [json.loads(line) for line in errors_path.read_text().splitlines()]
    assert {"document", "kind", "field", "gold", "system", "snippet", "source"} <= set(errors[0])
    date_error = next(e for e in errors if e["field"] == "event_date" and e["document"] == "NIG9001")
    assert (date_error["gold"], date_error["system"]) == ("2023-03-03", "2023-03-10")
    assert date_error["snippet"].startswith("On 3 March 2023")


def test_cli_bad_gold_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(evaluate_command, [str(bad)], obj={"coder": fake_coder({})})
    assert result.exit_code == 2
    assert "E603" in result.output and "Traceback" not in result.output


def test_places_scored_by_span_overlap_and_distance() -> None:
    docs = read_gold(SMALL / "gold.jsonl")
    truth = gold_truth(docs)
    sudan = next(d for d in docs if d.id == "es-002")
    khartoum, nyala, _fasher = sudan.places or []
    # Misses El Fasher, puts Nyala 300 km off, and reads "Nyala on" as one toponym (overlap still counts).
    truth[sudan.text] = (sudan.events, [khartoum, {**nyala, "end": nyala["end"] + 3, "latitude": nyala["latitude"] + 2.7}])
    report = evaluate_gold(docs, fake_coder(truth))
    places = report["places"]
    assert (places["gold"], places["system"], places["matched"]) == (5, 4, 4)
    assert places["precision"] == 1.0 and places["recall"] == pytest.approx(4 / 5)
    assert places["accuracy_161km"] == pytest.approx(3 / 4)
    kinds = sorted((e["kind"], e["gold"]["name"]) for e in report["errors"] if e["field"] == "place")
    assert kinds == [("false_negative", "El Fasher"), ("wrong_field", "Nyala")]


def test_xml_goes_to_the_geoparsing_evaluation(tmp_path: Path) -> None:
    xml = tmp_path / "geo.xml"
    xml.write_text("<articles><article docid='a1'><text>Fighting near Lachin.</text><toponyms><toponym>"
                   "<start>14</start><end>20</end><name>Lachin</name><gaztag geonameid='147622'>"
                   "<lat>39.64</lat><lon>46.55</lon></gaztag></toponym></toponyms></article></articles>")

    def coder(docs: list[Document]) -> list[CodedDocument | Failure]:
        return [CodedDocument(d, [Place("Lachin", 14, 20, latitude=39.6, longitude=46.5)]) for d in docs]

    report = evaluate_path(xml, coder)  # places come from the coder when no geoparser is given
    assert report["kind"] == "geo" and report["accuracy_161km"] == 1.0
    assert "accuracy_161km" in render_text(report)


def test_a_json_array_and_a_semicolon_csv_are_read_too(tmp_path: Path) -> None:
    lines = (SMALL / "gold.jsonl").read_text().splitlines()
    array = tmp_path / "gold.json"
    array.write_text("[" + ",".join(lines) + "]")
    assert [d.id for d in read_gold(array)] == [json.loads(line)["id"] for line in lines]
    semi = tmp_path / "export.csv"
    semi.write_text('event_date;event_type;sub_event_type;notes;fatalities\n'
                    '16-Nov-21;Battles;Armed clash;"On 16 November 2021, troops clashed with rebels; 3 died.";3\n')
    (row,) = read_acled(semi)
    assert row.event_date == dt.date(2021, 11, 16) and row.notes.endswith("3 died.")
