"""Trained type models as flashpoint reads them: format, features, the linear model, the classifier.

Reading a model needs nothing from training (``flashpoint.training.train`` writes models; this
module only reads them), so coding with ``--model`` never imports the training code.

Features (format 2): hashed word n-grams, hashed character n-grams, hashed rule cues (the
rules' ranking, trigger types, who acted on whom, killed) and, when the manifest asks for it, the
sentence embedding of the mention's text from the frozen encoder (``flashpoint.nlp.encoder``).
Format 1 models (no embedding) still load.

Trust model: a model directory holds ``manifest.json`` and ``weights.npz`` (plain arrays,
loaded with ``allow_pickle=False``), and optionally ``examples.jsonl`` + ``examples.npz`` (the
training texts and their embeddings, for the nearest-example explanations). Loading a model
executes no code from it, so a model from an untrusted source can at worst give wrong labels;
nothing is unpickled.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from flashpoint import errors
from flashpoint.errors import ModelError
from flashpoint.extract.classify import MentionContext, RuleClassifier

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

FORMAT = "flashpoint-type-model"


FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)


MANIFEST = "manifest.json"


WEIGHTS = "weights.npz"
EXAMPLES = "examples.jsonl"
EXAMPLE_VECTORS = "examples.npz"


@dataclass
class Instance:
    """A text and the rules' view of it: one row of the feature matrix."""

    text: str
    rule: dict[str, float] = field(default_factory=dict)
    vector: np.ndarray | None = None
    """The text's sentence embedding (only for models whose features include it)."""


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
"""Format 1's features (text and cues only)."""

EMBEDDING = {"encoder": "all-MiniLM-L6-v2-int8", "dimension": 384}
"""The encoder a format 2 model's embedding block comes from (flashpoint.nlp.encoder)."""


class Featurizer:
    """Stateless hashing features, rebuilt from the manifest's parameters (nothing to unpickle)."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        from sklearn.feature_extraction import FeatureHasher
        from sklearn.feature_extraction.text import HashingVectorizer

        self.params = dict(params)
        self.words = HashingVectorizer(analyzer="word", ngram_range=tuple(params["word_ngrams"]),
                                       n_features=int(params["word_features"]), alternate_sign=False,
                                       token_pattern=r"(?u)\b\w+\b")
        # char_features 0: no character n-grams (the encoder's head does without them)
        self.chars = (HashingVectorizer(analyzer="char_wb", ngram_range=tuple(params["char_ngrams"]),
                                        n_features=int(params["char_features"]), alternate_sign=False)
                      if int(params["char_features"]) else None)
        self.rules = FeatureHasher(n_features=int(params["rule_features"]), input_type="dict", alternate_sign=False)
        embedding = params.get("embedding") or {}
        self.dimension = int(embedding.get("dimension", 0))
        self.weights = {part: float(params.get(f"{part}_weight", 1.0)) for part in ("word", "char", "rule", "embedding")}
        self.n_features = (int(params["word_features"]) + int(params["char_features"]) + int(params["rule_features"])
                           + self.dimension)

    @property
    def uses_embedding(self) -> bool:
        return self.dimension > 0

    def transform(self, instances: Sequence[Instance]) -> csr_matrix:
        from scipy.sparse import csr_matrix as csr
        from scipy.sparse import hstack

        texts = [i.text for i in instances]
        w = self.weights
        blocks = [self.words.transform(texts) * w["word"]]
        if self.chars is not None:
            blocks.append(self.chars.transform(texts) * w["char"])
        blocks.append(self.rules.transform([i.rule or {"none": 0.0} for i in instances]) * w["rule"])
        if self.uses_embedding:
            vectors = np.zeros((len(instances), self.dimension), dtype=np.float32)
            for row, instance in enumerate(instances):
                if instance.vector is not None:
                    vectors[row] = instance.vector
            blocks.append(csr(vectors * w["embedding"]))
        return hstack(blocks, format="csr")

    def word_columns(self, text: str) -> dict[str, int]:
        """The word n-grams of ``text`` and their hashed columns (for explanations)."""
        from sklearn.utils import murmurhash3_32

        size = int(self.params["word_features"])
        analyse = self.words.build_analyzer()
        return {gram: abs(murmurhash3_32(gram, seed=0)) % size for gram in dict.fromkeys(analyse(text))}


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
                         code=errors.E_NO_MODEL) from None
    except (OSError, json.JSONDecodeError) as err:
        raise ModelError(f"{path}/{MANIFEST}: unreadable ({err}); retrain the model", code=errors.E_BAD_MODEL_OR_DATA) from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") not in READABLE_VERSIONS:
        raise ModelError(f"{path}: not a flashpoint type model of format version {FORMAT_VERSION}; retrain it "
                         "with this version's `flashpoint train`", code=errors.E_BAD_MODEL_OR_DATA)
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
        raise ModelError(f"{path}/{WEIGHTS}: unreadable ({err}); retrain the model", code=errors.E_BAD_MODEL_OR_DATA) from None
    labels = [str(x) for x in manifest["labels"]]
    featurizer = Featurizer(manifest["features"])
    if weights.shape != (len(labels), featurizer.n_features) or intercept.shape != (len(labels),):
        raise ModelError(f"{path}: weights do not match the manifest's labels and features; retrain the model",
                         code=errors.E_BAD_MODEL_OR_DATA)
    return LinearModel(labels, weights, intercept), featurizer, manifest


class _Examples:
    """A model's labelled training texts and their embeddings: the nearest ones explain a decision."""

    def __init__(self, texts: list[str], labels: list[str], vectors: np.ndarray) -> None:
        self.texts, self.labels, self.vectors = texts, labels, vectors

    @classmethod
    def load(cls, path: Path) -> _Examples | None:
        if not (path / EXAMPLES).is_file() or not (path / EXAMPLE_VECTORS).is_file():
            return None
        try:
            rows = [json.loads(line) for line in (path / EXAMPLES).read_text(encoding="utf-8").splitlines() if line]
            with np.load(path / EXAMPLE_VECTORS, allow_pickle=False) as z:
                vectors = z["vectors"].astype(np.float32)
        except (OSError, KeyError, ValueError) as err:
            raise ModelError(f"{path}/{EXAMPLES}: unreadable ({err}); rebuild the model", code=errors.E_BAD_MODEL_OR_DATA) from None
        if vectors.shape[0] != len(rows):
            raise ModelError(f"{path}: {EXAMPLES} and {EXAMPLE_VECTORS} disagree; rebuild the model", code=errors.E_BAD_MODEL_OR_DATA)
        return cls([str(r["text"]) for r in rows], [str(r["label"]) for r in rows], vectors)

    def nearest(self, vector: np.ndarray, k: int = 3) -> list[dict[str, Any]]:
        similarity = self.vectors @ vector
        best = np.argsort(-similarity, kind="stable")[:k]
        return [{"text": self.texts[i], "label": self.labels[i], "similarity": round(float(similarity[i]), 3)}
                for i in best]


NONE_LABEL = "none"
"""The label of training texts that tell of no event: a model that predicts it may veto a mention."""


class TrainedClassifier:
    """A ``TypeClassifier`` that re-ranks the rules' mentions with a trained model.

    The rules still decide whether a sentence may tell of an event (no rule label: not an
    event), so the events found and their evidence stay the rules'; the model picks the label,
    and vetoes the mention when it reads it as no event (label ``none``) with probability at
    least ``manifest["veto"]``. Models whose features include the sentence embedding load the
    frozen encoder on first use and encode each distinct text once (cached by content).
    """

    def __init__(self, model: LinearModel, featurizer: Featurizer, manifest: Mapping[str, Any],
                 examples: _Examples | None = None, encoder: Any = None) -> None:
        self.model, self.featurizer, self.manifest = model, featurizer, dict(manifest)
        self.name = str(manifest.get("name", "trained"))
        self.event_types: dict[str, str] = dict(manifest.get("event_types", {}))
        self.veto = float(manifest.get("veto", 0.5))
        self.trust = float(manifest.get("trust", 0.0))
        """The head's probability below which the rules' label, if the head gives it half as much, stands."""
        self.examples = examples
        self._encoder = encoder
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._word_weights: dict[int, np.ndarray] = {}
        self._rules = RuleClassifier()
        self._use_rules = bool(self.featurizer.params.get("use_rules", True))

    @classmethod
    def load(cls, path: Path, *, encoder: Any = None) -> TrainedClassifier:
        model, featurizer, manifest = load_model(path)
        return cls(model, featurizer, manifest, _Examples.load(path), encoder)

    # Embeddings ---------------------------------------------------------------------------------

    @property
    def encoder(self) -> Any:
        if self._encoder is None:
            from flashpoint.nlp.encoder import SentenceEncoder

            self._encoder = SentenceEncoder.load(threads=encoder_threads())
        return self._encoder

    def vectors(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Embeddings of ``texts``; the ones not seen lately are encoded together, in one call.

        Cached by a digest of the text (a bounded, least-recently-used cache: a long run keeps
        memory flat, and the boilerplate sentences that recur across a feed are encoded once).
        """
        keys = [_text_key(t) for t in texts]
        fresh = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}
        if fresh:
            for key, vector in zip(fresh, self.encoder.encode(list(fresh.values())), strict=True):
                self._cache[key] = vector
        out = []
        for key in keys:
            self._cache.move_to_end(key)
            out.append(self._cache[key])
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    # Ranking ------------------------------------------------------------------------------------

    def rank(self, mention: MentionContext) -> list[tuple[str, float]]:
        return self.rank_many([mention])[0]

    def rank_many(self, mentions: Sequence[MentionContext]) -> list[list[tuple[str, float]]]:
        """Rank several mentions at once (one encoder batch); explanations go to ``mention.extras``."""
        out: list[list[tuple[str, float]]] = [[] for _ in mentions]
        todo = []
        for n, mention in enumerate(mentions):
            ranked = self._rules.rank(mention)
            if ranked:
                instance = mention_instance(mention, ranked)
                if not self._use_rules:
                    instance.rule = {}
                todo.append((n, instance))
        if not todo:
            return out
        with one_math_thread():
            if self.featurizer.uses_embedding:
                for (_, instance), vector in zip(todo, self.vectors([i.text for _, i in todo]), strict=True):
                    instance.vector = vector
            X = self.featurizer.transform([i for _, i in todo])
            probs = self.model.probabilities(X)
            for row, (n, instance) in enumerate(todo):
                out[n] = self._decide(probs[row], rule_top=_rule_top(instance))
                mentions[n].extras["type_explanation"] = self.explain(instance, X[row], probs[row], out[n])
        return out

    def _decide(self, probs: np.ndarray, rule_top: str | None = None) -> list[tuple[str, float]]:
        order = np.argsort(-probs, kind="stable")
        labels = self.model.labels
        if labels[int(order[0])] == NONE_LABEL and probs[order[0]] >= self.veto:
            return []
        ranked = [(labels[int(i)], round(float(probs[i]), 4)) for i in order
                  if probs[i] > 0.0 and labels[int(i)] != NONE_LABEL]
        # Below ``trust`` the head is unsure: the rules' own label stands when the head gives it a
        # real chance (at least half the head's best), so a weak model never overrides strong rules.
        if ranked and rule_top and rule_top != ranked[0][0] and ranked[0][1] < self.trust:
            mine = next((r for r in ranked if r[0] == rule_top), None)
            if mine is not None and mine[1] >= ranked[0][1] / 2:
                ranked.remove(mine)
                ranked.insert(0, mine)
        return ranked

    # Explanations -------------------------------------------------------------------------------

    def explain(self, instance: Instance, row: csr_matrix, probs: np.ndarray,
                ranked: Sequence[tuple[str, float]], top: int = 5) -> dict[str, Any]:
        """Why this label: its probability and the runner-up's, the rule cues, the word n-grams that
        pushed hardest towards it, and the nearest labelled training examples."""
        labels = self.model.labels
        order = [int(i) for i in np.argsort(-probs, kind="stable")]
        chosen = labels.index(ranked[0][0]) if ranked else order[0]
        runner = next((i for i in order if i != chosen), None)
        return {
            "model": self.name,
            "label": labels[chosen], "probability": round(float(probs[chosen]), 3),
            "runner_up": ({"label": labels[runner], "probability": round(float(probs[runner]), 3)}
                          if runner is not None else None),
            "vetoed": not ranked,
            "rule_cues": {k: round(v, 3) for k, v in sorted(instance.rule.items()) if v},
            "ngrams": self._ngrams(instance.text, row, chosen, top),
            "nearest": (self.examples.nearest(instance.vector)
                        if self.examples is not None and instance.vector is not None else []),
        }

    def _ngrams(self, text: str, row: csr_matrix, label: int, top: int) -> list[dict[str, Any]]:
        weights = self._word_weights.get(label)
        if weights is None:  # one dense row of word-block weights per label, made on first use
            size = int(self.featurizer.params["word_features"])
            weights = self._word_weights[label] = np.asarray(self.model.weights[label, :size].todense()).ravel()
        values = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        # Function words carry weight too, but say nothing to a reader: they are left out of the list.
        scored = [(values.get(col, 0.0) * float(weights[col]), gram)
                  for gram, col in self.featurizer.word_columns(text).items()
                  if not all(w in ENGLISH_STOP_WORDS or w.isdigit() for w in gram.split())]
        best = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))[:top]
        return [{"ngram": gram, "weight": round(value, 4)} for value, gram in best]


def _rule_top(instance: Instance) -> str | None:
    top = [k.split("=", 1)[1] for k, v in instance.rule.items() if k.startswith("rule1=") and v]
    return top[0] if top else None


CACHE_SIZE = 20_000
"""Texts whose embeddings a classifier keeps (about 1.6 kB each: some 30 MB when full)."""


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_math_threads: Any = None


@contextlib.contextmanager
def one_math_thread() -> Iterator[None]:
    """BLAS (and OpenMP) at one thread while the head's arithmetic runs.

    numpy's OpenBLAS starts a helper thread per core; after each product big enough to share (the
    nearest-example search, 1,689 × 384), that helper spins for a while before sleeping. Measured
    (issue 18): one coding process spent 3.2 extra CPU-seconds per 130 documents in it (+50 %), the
    search itself ran 9× slower than on one thread, and with two coding processes each one's
    spinning helper took the core the other needed. The limit is set and restored around each
    call (about 0.06 ms), so nothing else in the process is affected.
    """
    global _math_threads
    if _math_threads is None:
        from threadpoolctl import ThreadpoolController  # installed with scikit-learn

        _math_threads = ThreadpoolController()
    with _math_threads.limit(limits=1):
        yield


def encoder_threads() -> int:
    """onnxruntime threads per process: ``FLASHPOINT_ENCODER_THREADS``, else 1 (coding runs several
    worker processes; one thread each keeps them from fighting over the cores)."""
    import os

    try:
        return max(1, int(os.environ.get("FLASHPOINT_ENCODER_THREADS", "1")))
    except ValueError:
        return 1
