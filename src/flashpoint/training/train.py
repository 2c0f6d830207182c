"""Learn the sub-event type from a user's own coded data: ``flashpoint train``.

The rule-based coder finds the events and the evidence for every field; a trained model only
re-ranks the sub-event type of each mention the rules found. So a trained model never loses
an evidence span, and a model trained on a user's own typology (labels ACLED does not have)
codes in that typology with the same evidence.

What the model sees of a mention is what it sees at training time: the mention's sentence and
the one after it, plus what the rules made of it (their ranked labels, the trigger lexicon's
candidate types, who acted on whom). For training, each note is coded by the rule coder once
to get those; ``rule_features=False`` skips that (text only, much faster, a little weaker).

The learner is a linear model (multinomial logistic regression) over hashed word 1–2-grams,
hashed character 3–5-grams, hashed rule features and (format 2, the default when the encoder is
installed) the mention's sentence embedding from the frozen encoder: the same head the shipped
default model has (``flashpoint.training.typing_corpus``). With ``embedding=False`` it is format
1's text-and-cues model (scikit-learn's ``SGDClassifier``), with no encoder needed.

Trust model: a model directory holds ``manifest.json`` and ``weights.npz`` (plain arrays,
loaded with ``allow_pickle=False``). Loading a model executes no code from it, so a model
from an untrusted source can at worst give wrong labels; nothing is unpickled.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from flashpoint import errors
from flashpoint.errors import UsageError
from flashpoint.extract.classify import MentionContext, RuleClassifier
from flashpoint.extract.typemodel import (
    DEFAULT_FEATURES,
    EMBEDDING,
    EXAMPLE_VECTORS,
    EXAMPLES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    WEIGHTS,
    Featurizer,
    Instance,
    LinearModel,
    mention_instance,
)
from flashpoint.typology import EVENT_TYPE_OF

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from flashpoint.pipeline import Coder


log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (done, total) while the rule coder reads the training notes."""


# --- training examples ------------------------------------------------------------------------


@dataclass
class Example:
    """One coded text: the label a human gave it, and the note it belongs to (for the split)."""

    text: str
    label: str
    event_type: str | None
    group: str
    """Examples sharing a group (one ACLED note, one gold document) go to the same side of the split."""


def parse_acled_examples(rows: Iterable[Mapping[str, str]], columns: Iterable[str], where: str) -> list[Example]:
    """Examples from ACLED-format rows: text = notes, label = sub_event_type (any label set).

    Unlike evaluation, labels are not checked against ACLED's typology: a user's own scheme is
    welcome. Rows repeating a note with the same label are one example (ACLED splits a report
    across days and places; the text is the same).
    """
    missing = [c for c in ("notes", "sub_event_type") if c not in set(columns)]
    if missing:
        raise UsageError(f"{where}: not an ACLED-format CSV: no {', '.join(missing)} column; training needs "
                         "at least notes and sub_event_type (event_type is used where present)", code=errors.E_BAD_MODEL_OR_DATA)
    seen: set[tuple[str, str]] = set()
    examples = []
    skipped: list[int] = []
    for line, row in enumerate(rows, start=2):
        notes, label = (row.get("notes") or "").strip(), " ".join((row.get("sub_event_type") or "").split())
        if not notes or not label:
            skipped.append(line)  # one bad row must not cost the whole export
            continue
        if (notes, label) in seen:
            continue
        seen.add((notes, label))
        event_type = " ".join((row.get("event_type") or "").split()) or None
        examples.append(Example(notes, label, event_type, _group(notes)))
    if skipped:
        lines = ", ".join(map(str, skipped[:5])) + (", …" if len(skipped) > 5 else "")
        log.warning("%s: skipped %d row(s) without notes or sub_event_type (line %s)", where, len(skipped), lines)
    return examples


def parse_gold_examples(objects: Iterable[Mapping[str, Any]], where: str) -> list[Example]:
    """Examples from flashpoint gold documents: the document text with each of its events' types."""
    examples = []
    for n, obj in enumerate(objects, start=1):
        text = obj.get("text")
        if not isinstance(text, str) or not isinstance(obj.get("events", []), list):
            raise UsageError(f"{where}: object {n}: a gold document needs \"text\" and an \"events\" list", code=errors.E_BAD_MODEL_OR_DATA)
        labels = dict.fromkeys((e.get("sub_event_type"), e.get("event_type")) for e in obj.get("events", [])
                               if isinstance(e, Mapping) and e.get("sub_event_type"))
        group = str(obj.get("id") or _group(text))
        examples += [Example(text, str(sub), str(et) if et else None, group) for sub, et in labels]
    return examples


def _group(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def read_examples(path: Path) -> list[Example]:
    """Training examples from an ACLED-format CSV or flashpoint gold JSONL/JSON file."""
    suffix = path.suffix.lower()
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"{path}: cannot read it as UTF-8 text ({err})", code=errors.E_BAD_MODEL_OR_DATA) from None
    if suffix == ".csv":
        header = raw.split("\n", 1)[0]
        reader = csv.DictReader(io.StringIO(raw, newline=""), delimiter=";" if header.count(";") > header.count(",") else ",")
        return parse_acled_examples(list(reader), reader.fieldnames or [], str(path))
    if suffix in (".jsonl", ".json"):
        try:
            data = json.loads(raw) if suffix == ".json" else [json.loads(x) for x in raw.splitlines() if x.strip()]
        except json.JSONDecodeError as err:
            raise UsageError(f"{path}: not valid JSON ({err})", code=errors.E_BAD_MODEL_OR_DATA) from None
        return parse_gold_examples(data if isinstance(data, list) else [data], str(path))
    raise UsageError(f"{path}: training reads ACLED-format .csv or flashpoint gold .jsonl/.json", code=errors.E_BAD_MODEL_OR_DATA)


def file_fingerprint(path: Path) -> dict[str, Any]:
    """What the manifest records of a training file: its name, size and sha256."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def split_examples(examples: Sequence[Example], dev_fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """Train and dev sets, split by group (note/document), stratified by label, deterministic for a seed.

    Each label's groups are shuffled and the first ``dev_fraction`` of them go to dev (at least
    one when a label has two groups or more), so rare labels are scored too.
    """
    if not 0.0 <= dev_fraction < 1.0:
        raise UsageError(f"--dev-fraction must be at least 0 and below 1, not {dev_fraction}", code=errors.E_BAD_OPTION)
    by_label: dict[str, list[str]] = {}
    for ex in examples:
        groups = by_label.setdefault(ex.label, [])
        if ex.group not in groups:
            groups.append(ex.group)
    rng = random.Random(seed)
    dev_groups: set[str] = set()
    # Rarest labels first; a group already sent to dev for another label counts towards this one,
    # so notes coded with several labels do not inflate the dev share.
    for label in sorted(by_label, key=lambda lab: (len(by_label[lab]), lab)):
        groups = sorted(by_label[label])
        rng.shuffle(groups)
        k = math.floor(len(groups) * dev_fraction + 0.5) if dev_fraction else 0
        if dev_fraction and k == 0 and len(groups) > 1:
            k = 1
        need = k - sum(1 for g in groups if g in dev_groups)
        for g in groups:
            if need <= 0:
                break
            if g not in dev_groups:
                dev_groups.add(g)
                need -= 1
    train = [ex for ex in examples if ex.group not in dev_groups]
    dev = [ex for ex in examples if ex.group in dev_groups]
    return train, dev


# --- what the model sees of a mention ----------------------------------------------------------








class _Recorder:
    """A rule classifier that remembers every mention it was asked about (to build training rows)."""

    name = "rules"

    def __init__(self) -> None:
        self.rules = RuleClassifier()
        self.seen: list[tuple[MentionContext, list[tuple[str, float]]]] = []

    def rank(self, mention: MentionContext) -> list[tuple[str, float]]:
        ranked = self.rules.rank(mention)
        if ranked:
            self.seen.append((mention, ranked))
        return ranked


def rule_instances(examples: Sequence[Example], coder_factory: Callable[[Any], Coder],
                   progress: Progress | None = None) -> list[Instance]:
    """Code each distinct text with the rule coder and turn its mentions into instances.

    The i-th example of a text is paired with the i-th event mention the rules found in it (the
    first when there are fewer); a text where the rules find nothing is used whole, text only.
    """
    from flashpoint.model import Document

    recorder = _Recorder()
    coder = coder_factory(recorder)
    texts = list(dict.fromkeys(ex.text for ex in examples))
    found: dict[str, list[Instance]] = {}
    docs = (Document(id=str(i), text=t) for i, t in enumerate(texts))
    for i, _result in enumerate(coder.code_many(docs)):
        found[texts[i]] = [mention_instance(m, r) for m, r in recorder.seen]
        recorder.seen.clear()
        if progress is not None:
            progress(i + 1, len(texts))
    used: Counter[str] = Counter()
    instances = []
    for ex in examples:
        candidates = found.get(ex.text) or [Instance(ex.text)]
        instances.append(candidates[min(used[ex.text], len(candidates) - 1)])
        used[ex.text] += 1
    return instances


# --- features and the linear model ---------------------------------------------------------------

EMBEDDING_FEATURES: dict[str, Any] = {
    **DEFAULT_FEATURES, "word_features": 2 ** 16, "char_features": 0, "embedding": dict(EMBEDDING),
    "embedding_weight": 1.0, "word_weight": 0.3, "rule_weight": 0.1,
}
"""The head over the frozen encoder: the embedding, plus hashed n-grams and rule cues weighted down
so that the embedding leads (chosen on the typing dev split: see the typing corpus README)."""

LOGISTIC_C = 10.0


def embed_instances(instances: Sequence[Instance], encoder: Any = None, batch_size: int = 32) -> None:
    """Give each instance the sentence embedding of its text (each distinct text encoded once)."""
    if encoder is None:
        from flashpoint.extract.typemodel import encoder_threads
        from flashpoint.nlp.encoder import SentenceEncoder

        encoder = SentenceEncoder.load(threads=max(2, encoder_threads()))
    texts = list(dict.fromkeys(i.text for i in instances))
    vectors = dict(zip(texts, encoder.encode(texts, batch_size=batch_size), strict=True))
    for instance in instances:
        instance.vector = vectors[instance.text]


def fit_logistic(X: csr_matrix, labels: Sequence[str], *, C: float = LOGISTIC_C) -> LinearModel:
    """Multinomial logistic regression (lbfgs: deterministic, no random state involved)."""
    from scipy.sparse import csr_matrix as csr
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(labels))
    if len(classes) == 1:
        return LinearModel(classes, csr((1, X.shape[1]), dtype=np.float32), np.zeros(1, dtype=np.float32))
    model = LogisticRegression(C=C, max_iter=3000)
    model.fit(X, list(labels))
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if len(classes) == 2:
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    return LinearModel([str(c) for c in model.classes_], _sparsify(coef), intercept)


def _fit(X: csr_matrix, labels: Sequence[str], params: Mapping[str, Any], seed: int) -> LinearModel:
    if params.get("embedding"):
        return fit_logistic(X, labels)
    return fit_linear(X, labels, seed=seed)







def fit_linear(X: csr_matrix, labels: Sequence[str], *, seed: int, alpha: float = 2e-5, epochs: int = 25) -> LinearModel:
    """Logistic-loss SGD, one-vs-rest over the labels (parallel on the cores there are)."""
    from scipy.sparse import csr_matrix as csr
    from sklearn.linear_model import SGDClassifier

    classes = sorted(set(labels))
    if len(classes) == 1:  # nothing to learn: one label always wins
        return LinearModel(classes, csr((1, X.shape[1]), dtype=np.float32), np.zeros(1, dtype=np.float32))
    # Two threads pay off only on large sets (the labels are fitted one-vs-rest in parallel).
    jobs = 2 if X.shape[0] >= 20000 else 1
    model = SGDClassifier(loss="log_loss", alpha=alpha, max_iter=epochs, tol=None, random_state=seed, n_jobs=jobs)
    model.fit(X, list(labels))
    coef = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float32)
    if len(classes) == 2:  # binary: sklearn keeps one row for the second class
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    return LinearModel([str(c) for c in model.classes_], _sparsify(coef), intercept)


def _sparsify(coef: np.ndarray, keep: float = 1e-4) -> csr_matrix:
    """Drop weights too small to matter: buckets no training text touched are exactly 0."""
    from scipy.sparse import csr_matrix as csr

    coef = coef.copy()
    coef[np.abs(coef) < keep] = 0.0
    return csr(coef.astype(np.float16).astype(np.float32))


# --- scores ---------------------------------------------------------------------------------------


def scores(pairs: Sequence[tuple[str, str]], event_types: Mapping[str, str]) -> dict[str, Any]:
    """Sub-event and event type scores on (gold, predicted) pairs: accuracy, macro/weighted F1, per label, confusion."""
    from flashpoint.evaluate.metrics import classification_scores

    def et(label: str) -> str:
        return event_types.get(label) or label

    return {"sub_event_type": classification_scores(pairs),
            "event_type": classification_scores([(et(g), et(p)) for g, p in pairs])}


def predict(model: LinearModel, featurizer: Featurizer, instances: Sequence[Instance]) -> list[str]:
    if not instances:
        return []
    probs = model.probabilities(featurizer.transform(instances))
    return [model.labels[int(i)] for i in probs.argmax(axis=1)]


# --- the orchestrator ------------------------------------------------------------------------------


@dataclass
class TrainResult:
    model: LinearModel
    featurizer: Featurizer
    manifest: dict[str, Any]
    trained_on: list[tuple[Example, Instance]] = field(default_factory=list)
    """The examples the final model learned from, with their instances (for the nearest-example explanations)."""


def event_type_map(examples: Iterable[Example]) -> dict[str, str]:
    """Each label's event type: the training data's commonest, else ACLED's where the label is ACLED's."""
    votes: dict[str, Counter[str]] = {}
    for ex in examples:
        if ex.event_type:
            votes.setdefault(ex.label, Counter())[ex.event_type] += 1
    mapping = {label: c.most_common(1)[0][0] for label, c in votes.items()}
    for ex in examples:
        if ex.label not in mapping and ex.label in EVENT_TYPE_OF:
            mapping[ex.label] = EVENT_TYPE_OF[ex.label]
    return dict(sorted(mapping.items()))


def train(
    examples: Sequence[Example],
    *,
    dev_fraction: float = 0.2,
    seed: int = 13,
    coder_factory: Callable[[Any], Coder] | None = None,
    progress: Progress | None = None,
    name: str = "model",
    sources: Sequence[Mapping[str, Any]] = (),
    features: Mapping[str, Any] | None = None,
    encoder: Any = None,
    dev: Sequence[Example] = (),
) -> TrainResult:
    """Split, build instances, fit, score on dev, refit on everything, and describe it in a manifest.

    ``coder_factory(classifier) -> Coder`` gives the rule coder the rule features come from;
    ``None`` trains on text alone. ``features`` with an ``embedding`` block (``EMBEDDING_FEATURES``)
    adds the sentence embedding (``encoder``: a loaded one, else the shipped one is loaded).
    ``dev``: a held-out set of one's own instead of a split (``dev_fraction`` is then ignored).
    """
    if not examples:
        raise UsageError("no training examples: no row has both notes and a sub_event_type; "
                         "give an ACLED-format export with those columns filled", code=errors.E_BAD_MODEL_OR_DATA)
    started = time.perf_counter()
    params = {**DEFAULT_FEATURES, **(features or {}), "use_rules": coder_factory is not None}
    everything = [*examples, *dev]
    if coder_factory is not None:
        instances = rule_instances(everything, coder_factory, progress)
    else:
        instances = [Instance(ex.text) for ex in everything]
    if params.get("embedding"):
        embed_instances(instances, encoder)
    index = {id(ex): i for i, ex in enumerate(everything)}
    train_set, dev_set = (list(examples), list(dev)) if dev else split_examples(examples, dev_fraction, seed)
    featurizer = Featurizer(params)
    event_types = event_type_map(examples)
    dev_scores: dict[str, Any] | None = None
    rules_scores: dict[str, Any] | None = None
    if dev_set:
        fitted = _fit(featurizer.transform([instances[index[id(e)]] for e in train_set]),
                      [e.label for e in train_set], params, seed)
        dev_inst = [instances[index[id(e)]] for e in dev_set]
        gold = [e.label for e in dev_set]
        dev_scores = scores(list(zip(gold, predict(fitted, featurizer, dev_inst), strict=True)), event_types)
        if coder_factory is not None:
            rule_top = [_rule_top(i) for i in dev_inst]
            rules_scores = scores(list(zip(gold, rule_top, strict=True)), event_types)
    # The shipped model learns from every example; dev scores above were measured before that.
    if dev:  # a held-out set of one's own stays held out
        final = fitted
    else:
        final = _fit(featurizer.transform(instances), [e.label for e in examples], params, seed)
    manifest = _manifest(name, final, params, examples, train_set, dev_set, dev_scores, rules_scores,
                         event_types, sources, seed, dev_fraction, time.perf_counter() - started)
    kept = [instances[index[id(e)]] for e in train_set] if dev else instances[:len(examples)]
    kept_examples = train_set if dev else list(examples)
    return TrainResult(final, featurizer, manifest, [(e, i) for e, i in zip(kept_examples, kept, strict=True)])


def _rule_top(instance: Instance) -> str:
    top = [k.split("=", 1)[1] for k, v in instance.rule.items() if k.startswith("rule1=")]
    return top[0] if top else "none"


def _manifest(name: str, model: LinearModel, params: Mapping[str, Any], examples: Sequence[Example],
              train_set: Sequence[Example], dev_set: Sequence[Example], dev_scores: dict[str, Any] | None,
              rules_scores: dict[str, Any] | None, event_types: Mapping[str, str], sources: Sequence[Mapping[str, Any]],
              seed: int, dev_fraction: float, seconds: float) -> dict[str, Any]:
    import sklearn

    from flashpoint import __version__

    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "name": name, "model_version": 1,
        "flashpoint_version": __version__, "scikit_learn_version": sklearn.__version__,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "training_data": {"files": list(sources), "examples": len(examples), "train_examples": len(train_set),
                          "dev_examples": len(dev_set), "dev_fraction": dev_fraction, "seed": seed,
                          "label_counts": dict(sorted(Counter(e.label for e in examples).items()))},
        "labels": model.labels, "event_types": dict(event_types),
        "features": dict(params),
        "learner": ({"kind": "logistic-multinomial-lbfgs", "C": LOGISTIC_C} if params.get("embedding")
                    else {"kind": "sgd-logistic-ovr", "alpha": 2e-5, "epochs": 25}),
        "veto": 0.5, "trust": 0.5 if params.get("embedding") else 0.0,
        "scores": {"dev": dev_scores, "rules_on_dev": rules_scores},
        "training_seconds": round(seconds, 2),
    }


# --- saving and loading ----------------------------------------------------------------------------


def save_model(result: TrainResult, out: Path) -> Path:
    """Write ``manifest.json`` and ``weights.npz`` (plain arrays) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    w = result.model.weights.tocsr()
    np.savez_compressed(out / WEIGHTS, data=w.data.astype(np.float16), indices=w.indices.astype(np.int32),
                        indptr=w.indptr.astype(np.int64), shape=np.array(w.shape, dtype=np.int64),
                        intercept=result.model.intercept.astype(np.float32))
    vectors = [(ex, i.vector) for ex, i in result.trained_on if i.vector is not None]
    if vectors:
        lines = [json.dumps({"text": ex.text, "label": ex.label}, ensure_ascii=False) for ex, _ in vectors]
        (out / EXAMPLES).write_text("\n".join(lines) + "\n", encoding="utf-8")
        np.savez_compressed(out / EXAMPLE_VECTORS, vectors=np.vstack([v for _, v in vectors]).astype(np.float16))
    (out / MANIFEST).write_text(json.dumps(result.manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out







