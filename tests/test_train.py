"""flashpoint train: learn the sub-event type from coded notes, save, load, and code with it.

Trains on notes from flashpoint.training.synth (our own templates), never on tests/fixtures.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sklearn")

from click.testing import CliRunner  # noqa: E402

from flashpoint.errors import ModelError, UsageError  # noqa: E402
from flashpoint.extract.classify import MentionContext  # noqa: E402
from flashpoint.extract.typemodel import TrainedClassifier, load_model  # noqa: E402
from flashpoint.model import Document  # noqa: E402
from flashpoint.training.synth import COLUMNS, generate, write_csv  # noqa: E402
from flashpoint.training.train import (  # noqa: E402
    Example,
    parse_acled_examples,
    read_examples,
    save_model,
    split_examples,
    train,
)
from flashpoint.typology import ALL_SUB_EVENT_TYPES  # noqa: E402


@pytest.fixture(scope="module")
def notes_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "notes.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_csv(generate(500, seed=3), handle)
    return path


@pytest.fixture(scope="module")
def shared_coder(built_gazetteer: Any) -> Any:
    from flashpoint.pipeline import Coder

    return Coder(gazetteer=built_gazetteer)


@pytest.fixture(scope="module")
def trained_dir(notes_csv: Path, shared_coder: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained end to end with rule features, saved to a directory."""
    from flashpoint.pipeline import Coder

    examples = read_examples(notes_csv)[:150]  # 6 notes a label: quick, still all 25 types

    def factory(classifier: Any) -> Coder:
        return Coder(nlp=shared_coder.nlp, gazetteer=shared_coder.gazetteer, classifier=classifier)

    result = train(examples, dev_fraction=0.2, seed=1, coder_factory=factory, name="small")
    return save_model(result, tmp_path_factory.mktemp("models") / "small")


def test_synth_covers_every_sub_event_type_in_acled_columns() -> None:
    out = io.StringIO()
    assert write_csv(generate(100, seed=1), out) == 100
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert set(rows[0]) == set(COLUMNS)
    assert {r["sub_event_type"] for r in rows} == set(ALL_SUB_EVENT_TYPES)
    assert all(r["notes"].startswith(("On ", "Around ")) for r in rows)
    assert [r["notes"] for r in generate(5, seed=1)] == [r["notes"] for r in rows[:5]]  # deterministic


def test_split_is_by_note_and_deterministic() -> None:
    examples = [Example(f"note {i}", f"L{i % 3}", None, f"g{i // 2}") for i in range(60)]
    train_a, dev_a = split_examples(examples, 0.25, seed=5)
    train_b, dev_b = split_examples(examples, 0.25, seed=5)
    assert [e.text for e in dev_a] == [e.text for e in dev_b]
    assert not {e.group for e in train_a} & {e.group for e in dev_a}
    assert {e.label for e in dev_a} == {"L0", "L1", "L2"}
    assert 0.15 < len(dev_a) / len(examples) < 0.35


def test_gold_jsonl_gives_one_example_per_event_type(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    docs = [{"id": "d1", "text": "Troops fought rebels. Later, police arrested two men.",
             "events": [{"sub_event_type": "Armed clash"}, {"sub_event_type": "Arrests"},
                        {"sub_event_type": "Armed clash"}]},
            {"id": "d2", "text": "Nothing happened.", "events": []}]
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    examples = read_examples(path)
    assert [(e.label, e.group) for e in examples] == [("Armed clash", "d1"), ("Arrests", "d1")]


def test_a_csv_without_notes_says_what_is_needed() -> None:
    with pytest.raises(UsageError, match="notes"):
        parse_acled_examples([{"sub_event_type": "Attack"}], ["sub_event_type"], "x.csv")


def test_saved_model_has_a_manifest_and_scores(trained_dir: Path, notes_csv: Path) -> None:
    manifest = json.loads((trained_dir / "manifest.json").read_text())
    assert manifest["name"] == "small" and manifest["flashpoint_version"]
    assert set(manifest["labels"]) == set(ALL_SUB_EVENT_TYPES)
    assert manifest["event_types"]["Grenade"] == "Explosions/Remote violence"
    dev = manifest["scores"]["dev"]["sub_event_type"]
    assert dev["n"] >= 25 and dev["weighted_f1"] > 0.6 and "confusion" in dev
    assert manifest["scores"]["rules_on_dev"] is not None
    assert (trained_dir / "weights.npz").stat().st_size < 5_000_000
    model, _, _ = load_model(trained_dir)
    assert model.labels == manifest["labels"]


def test_trained_classifier_ranks_like_a_type_classifier(trained_dir: Path) -> None:
    clf = TrainedClassifier.load(trained_dir)
    mention = MentionContext(text="Gunmen threw a grenade into a crowded bar in the town.",
                             trigger_types={"Grenade": 1.0}, agent_kind="unidentified")
    ranked = clf.rank(mention)
    assert ranked[0][0] == "Grenade"
    assert abs(sum(score for _, score in ranked) - 1.0) < 0.01
    # No rule trigger, no event: the model never invents events the rules did not find.
    assert clf.rank(MentionContext(text="The weather was fine.", trigger_types={})) == []


def test_bad_model_names_and_folders_say_what_to_do(tmp_path: Path) -> None:
    from flashpoint.extract.registry import load_classifier

    with pytest.raises(ModelError, match="flashpoint train"):
        load_classifier(str(tmp_path / "nothing-here"))
    (tmp_path / "manifest.json").write_text('{"format": "something else"}')
    with pytest.raises(ModelError, match="retrain"):
        load_classifier(str(tmp_path))


def _code(model: str | None, texts: list[str], base: Any = None) -> list[Any]:
    from flashpoint.pipeline import code_documents

    return list(code_documents([Document(id=str(i), text=t) for i, t in enumerate(texts)], model=model, base=base))


TEXTS = [
    "On 3 May 2024, unknown gunmen threw a grenade at a police station in Goma, killing two officers.",
    "On 12 June 2023, soldiers clashed with rebels near Kidal. Four fighters were killed in the fighting. "
    "Later that day, residents of Gao marched peacefully to demand better security.",
]


def _spans(results: list[Any]) -> list[list[dict[str, list[tuple[int, int]]]]]:
    return [[{k: sorted(tuple(s) for s in v) for k, v in e.evidence.items()} for e in r.events] for r in results]


def test_coding_with_a_model_path_keeps_the_rules_evidence(trained_dir: Path, built_gazetteer: Any) -> None:
    import flashpoint.pipeline as pipeline

    base = pipeline.Coder(gazetteer=built_gazetteer)
    rules = _code("rules", TEXTS, base)
    trained = _code(str(trained_dir), TEXTS, base)
    assert all(r.events for r in trained)
    assert _spans(trained) == _spans(rules)
    assert trained[0].events[0].sub_event_type == "Grenade"


def test_a_users_own_typology_trains_and_codes(notes_csv: Path, tmp_path: Path, built_gazetteer: Any) -> None:
    """Labels ACLED does not have: the model codes in them, with the event type from the data."""
    import flashpoint.pipeline as pipeline

    own = {"Grenade": ("Bomb attack", "Terror"), "Suicide bomb": ("Bomb attack", "Terror"),
           "Armed clash": ("Firefight", "Combat"), "Peaceful protest": ("Rally", "Civic")}
    rows = [r for r in csv.DictReader(notes_csv.open()) if r["sub_event_type"] in own]
    for r in rows:
        r["sub_event_type"], r["event_type"] = own[r["sub_event_type"]]
    path = tmp_path / "own.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = train(read_examples(path), dev_fraction=0.2, seed=2, coder_factory=None, name="own")
    assert result.manifest["labels"] == ["Bomb attack", "Firefight", "Rally"]
    assert result.manifest["event_types"] == {"Bomb attack": "Terror", "Firefight": "Combat", "Rally": "Civic"}
    out = save_model(result, tmp_path / "own-model")

    base = pipeline.Coder(gazetteer=built_gazetteer)
    (coded,) = _code(str(out), [TEXTS[0]], base)
    event = coded.events[0]
    assert (event.sub_event_type, event.event_type) == ("Bomb attack", "Terror")


def test_train_cli_prints_held_out_scores_and_models_list_finds_it(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from flashpoint.cli.train import COMMANDS, models
    from flashpoint.cli.train import train as train_cmd

    assert {c.name for c in COMMANDS} == {"train", "models"}
    monkeypatch.setenv("FLASHPOINT_HOME", str(tmp_path / "home"))
    out = tmp_path / "home" / "models" / "mine"
    small = tmp_path / "small.csv"
    with small.open("w", newline="", encoding="utf-8") as handle:
        write_csv(generate(150, seed=9), handle)
    result = CliRunner().invoke(train_cmd, [str(small), "--out", str(out), "--text-only", "--no-embedding",
                                            "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "weighted F1" in result.stdout and "Grenade" in result.stdout
    listed = CliRunner().invoke(models, ["list", "--format", "json"])
    names = {m["name"]: m for m in json.loads(listed.stdout)}
    assert {"rules", "mine"} <= set(names)
    assert names["mine"]["kind"] == "user" and names["mine"]["labels"] == 25

    from flashpoint.extract.registry import load_classifier

    assert load_classifier("mine").name == "mine"
    assert load_classifier("rules").name == "rules"


def test_train_cli_refuses_unusable_data(tmp_path: Path) -> None:
    from flashpoint.cli.train import train as train_cmd

    bad = tmp_path / "bad.csv"
    bad.write_text("event_date,notes\n2024-01-01,something happened\n")
    result = CliRunner().invoke(train_cmd, [str(bad), "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "sub_event_type" in result.output
