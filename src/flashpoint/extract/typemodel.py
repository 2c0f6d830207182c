"""Trained type models as flashpoint reads them: format, features, the linear model, the classifier.

Reading a model needs nothing from training (``flashpoint.training.train`` writes models; this
module only reads them), so coding with ``--model`` never imports the training code.

Trust model: a model directory holds ``manifest.json`` and ``weights.npz`` (plain arrays,
loaded with ``allow_pickle=False``). Loading a model executes no code from it, so a model
from an untrusted source can at worst give wrong labels; nothing is unpickled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from flashpoint.errors import ModelError
from flashpoint.extract.classify import MentionContext, RuleClassifier

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

FORMAT = "flashpoint-type-model"


FORMAT_VERSION = 1


MANIFEST = "manifest.json"


WEIGHTS = "weights.npz"


@dataclass
class Instance:
    """A text and the rules' view of it: one row of the feature matrix."""

    text: str
    rule: dict[str, float] = field(default_factory=dict)


def rule_features(mention: MentionContext, ranked: Sequence[tuple[str, float]]) -> dict[str, float]:
    """The rules' reading of a mention as named features (hashed later)."""
    feats: dict[str, float] = {}
    for i, (label, score) in enumerate(ranked[:3]):
        feats[f"rule={label}"] = float(score)
        if i == 0:
            feats[f"rule1={label}"] = 1.0
    for label, weight in mention.trigger_types.items():
        feats[f"trig={label}"] = min(float(weight), 3.0)
    feats[f"agent={mention.agent_kind}"] = 1.0
    feats[f"target={mention.target_kind}"] = 1.0
    feats[f"inter={mention.agent_inter}"] = 1.0
    if mention.killed:
        feats["killed"] = 1.0
    return feats


def mention_instance(mention: MentionContext, ranked: Sequence[tuple[str, float]]) -> Instance:
    return Instance(f"{mention.text} {mention.context_text}".strip(), rule_features(mention, ranked))


DEFAULT_FEATURES: dict[str, Any] = {
    "word_ngrams": [1, 2], "word_features": 2 ** 18,
    "char_ngrams": [3, 5], "char_features": 2 ** 17,
    "rule_features": 2 ** 10, "rule_weight": 1.0,
}


class Featurizer:
    """Stateless hashing features, rebuilt from the manifest's parameters (nothing to unpickle)."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        from sklearn.feature_extraction import FeatureHasher
        from sklearn.feature_extraction.text import HashingVectorizer

        self.params = dict(params)
        self.words = HashingVectorizer(analyzer="word", ngram_range=tuple(params["word_ngrams"]),
                                       n_features=int(params["word_features"]), alternate_sign=False,
                                       token_pattern=r"(?u)\b\w+\b")
        self.chars = HashingVectorizer(analyzer="char_wb", ngram_range=tuple(params["char_ngrams"]),
                                       n_features=int(params["char_features"]), alternate_sign=False)
        self.rules = FeatureHasher(n_features=int(params["rule_features"]), input_type="dict", alternate_sign=False)
        self.n_features = int(params["word_features"]) + int(params["char_features"]) + int(params["rule_features"])

    def transform(self, instances: Sequence[Instance]) -> csr_matrix:
        from scipy.sparse import hstack

        texts = [i.text for i in instances]
        rules = self.rules.transform([i.rule or {"none": 0.0} for i in instances]) * float(self.params["rule_weight"])
        return hstack([self.words.transform(texts), self.chars.transform(texts), rules], format="csr")


@dataclass
class LinearModel:
    """Per-label weights over the hashed features: scores = X · Wᵀ + b, then softmax."""

    labels: list[str]
    weights: csr_matrix
    intercept: np.ndarray

    def __post_init__(self) -> None:
        # Transposed once, as CSR, for batches; and dense (features × labels, float32) for the
        # one-mention-at-a-time path while coding, where a row lookup beats a sparse product.
        self._weights_t = self.weights.T.tocsr()
        self._dense_t: np.ndarray | None = None

    def _scores(self, X: csr_matrix) -> np.ndarray:
        if X.shape[0] > 4:
            return np.asarray((X @ self._weights_t).todense())
        if self._dense_t is None:
            self._dense_t = np.asarray(self._weights_t.todense(), dtype=np.float32)
        rows = [X.data[a:b] @ self._dense_t[X.indices[a:b]] for a, b in zip(X.indptr[:-1], X.indptr[1:], strict=True)]
        return np.vstack(rows) if rows else np.zeros((0, len(self.labels)))

    def probabilities(self, X: csr_matrix) -> np.ndarray:
        scores = self._scores(X).astype(np.float64) + self.intercept
        if len(self.labels) == 1:
            return np.ones((X.shape[0], 1))
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        probs: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
        return probs


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: no {MANIFEST}; a model directory is made by `flashpoint train --out DIR`",
                         code="E402") from None
    except (OSError, json.JSONDecodeError) as err:
        raise ModelError(f"{path}/{MANIFEST}: unreadable ({err}); retrain the model", code="E403") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{path}: not a flashpoint type model of format version {FORMAT_VERSION}; retrain it "
                         "with this version's `flashpoint train`", code="E403")
    return dict(manifest)


def load_model(path: Path) -> tuple[LinearModel, Featurizer, dict[str, Any]]:
    """A saved model, its featurizer and manifest. Reads arrays only (no pickle: safe on any file)."""
    from scipy.sparse import csr_matrix as csr

    manifest = read_manifest(path)
    try:
        with np.load(path / WEIGHTS, allow_pickle=False) as z:
            weights = csr((z["data"].astype(np.float32), z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            intercept = z["intercept"].astype(np.float32)
    except (OSError, KeyError, ValueError) as err:
        raise ModelError(f"{path}/{WEIGHTS}: unreadable ({err}); retrain the model", code="E403") from None
    labels = [str(x) for x in manifest["labels"]]
    featurizer = Featurizer(manifest["features"])
    if weights.shape != (len(labels), featurizer.n_features) or intercept.shape != (len(labels),):
        raise ModelError(f"{path}: weights do not match the manifest's labels and features; retrain the model",
                         code="E403")
    return LinearModel(labels, weights, intercept), featurizer, manifest


class TrainedClassifier:
    """A ``TypeClassifier`` that re-ranks the rules' mentions with a trained model.

    The rules still decide whether a sentence tells of an event at all (no rule label: not an
    event), so the events found and their evidence stay the rules'; the model picks the label.
    """

    def __init__(self, model: LinearModel, featurizer: Featurizer, manifest: Mapping[str, Any]) -> None:
        self.model, self.featurizer, self.manifest = model, featurizer, dict(manifest)
        self.name = str(manifest.get("name", "trained"))
        self.event_types: dict[str, str] = dict(manifest.get("event_types", {}))
        self._rules = RuleClassifier()
        self._use_rules = bool(self.featurizer.params.get("use_rules", True))

    @classmethod
    def load(cls, path: Path) -> TrainedClassifier:
        return cls(*load_model(path))

    def rank(self, mention: MentionContext) -> list[tuple[str, float]]:
        ranked = self._rules.rank(mention)
        if not ranked:
            return []
        instance = mention_instance(mention, ranked)
        if not self._use_rules:
            instance.rule = {}
        probs = self.model.probabilities(self.featurizer.transform([instance]))[0]
        order = np.argsort(-probs)
        return [(self.model.labels[int(i)], round(float(probs[i]), 4)) for i in order if probs[i] > 0.0]
