"""The default type model: built at set-up from the labelled corpus the project owns.

``lang/en/typing/train/*.jsonl`` holds news-style snippets, each labelled with one of ACLED's
sub-event types or ``none``; ``dev/*.jsonl`` is held out and only scored. ``build_default`` reads
every training snippet with the rule coder (the cues), encodes it with the frozen encoder (the
embedding), fits the logistic head (``flashpoint.training.train``) and writes the model, with the
training snippets' embeddings for the nearest-example explanations, to
``data_home()/models/default``. Nothing binary is kept in git: the build is deterministic (same
corpus, code and packages → same weights) and is skipped when the model on disk was built from
the same inputs (``fingerprint``).

Why built rather than shipped: the explanations need the 1,364 training embeddings (0.5 MB as
float16) and the head over hashed n-grams is sparse but not small; neither diffs as text. The
build takes well under a minute on an idle two-core machine (see bench/RESULTS.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from flashpoint.extract.registry import DEFAULT, models_dir
from flashpoint.extract.typemodel import MANIFEST
from flashpoint.training.train import EMBEDDING_FEATURES, Example, TrainResult, save_model, train
from flashpoint.typology import EVENT_TYPE_OF

log = logging.getLogger(__name__)

BUILD_VERSION = 2
"""Raise when the way the default model is built changes (forces a rebuild everywhere)."""


def corpus_files(split: str) -> list[Any]:
    """The corpus files of ``split`` (``train`` or ``dev``), in a fixed order."""
    folder = resources.files("flashpoint.lang").joinpath("en", "typing", split)
    return sorted((f for f in folder.iterdir() if f.name.endswith(".jsonl")), key=lambda f: f.name)


def corpus_examples(split: str) -> list[Example]:
    """The labelled snippets of ``split`` as training examples (one group per snippet)."""
    examples = []
    for f in corpus_files(split):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                row = json.loads(line)
                label = str(row["label"])
                examples.append(Example(row["text"], label, EVENT_TYPE_OF.get(label), f"{f.name}:{n}"))
    return examples


def fingerprint() -> str:
    """A hash of everything the default model depends on: the training corpus, the language data and
    code the rule cues come from, the features, the build version."""
    digest = hashlib.sha256(json.dumps([BUILD_VERSION, EMBEDDING_FEATURES], sort_keys=True).encode())
    for f in corpus_files("train"):
        digest.update(f.read_bytes())
    package = resources.files("flashpoint")
    for folder in (package.joinpath("extract"), package.joinpath("lang", "en")):
        for f in sorted(folder.iterdir(), key=lambda x: x.name):
            if f.is_file() and f.name.endswith((".py", ".txt", ".tsv", ".json")) and f.name not in _READERS:
                digest.update(f.name.encode())
                digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


_READERS = frozenset({"typemodel.py", "registry.py"})
"""Code that reads a model but does not shape the cues it was trained on: no rebuild when it changes."""


def default_path() -> Path:
    return models_dir() / DEFAULT


def is_current(path: Path | None = None) -> bool:
    """Whether the built default model exists and was built from today's inputs."""
    path = path or default_path()
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return bool(manifest.get("build", {}).get("fingerprint") == fingerprint())


def build_default(*, force: bool = False, coder_factory: Callable[[Any], Any] | None = None,
                  encoder: Any = None, out: Path | None = None) -> Path:
    """Build the default model into ``out`` (``data_home()/models/default``) unless it is current.

    Scores on the held-out dev split go into the manifest (``scores.dev``). Written to a temporary
    folder first and moved into place, so a crash never leaves half a model.
    """
    out = out or default_path()
    if not force and is_current(out):
        return out
    if coder_factory is None:
        from flashpoint.pipeline import Coder, default_coder

        base = default_coder()

        def coder_factory(classifier: Any) -> Coder:
            return Coder(nlp=base.nlp, gazetteer=base.gazetteer, classifier=classifier)

    log.info("building the default type model from the typing corpus (once)")
    result: TrainResult = train(corpus_examples("train"), dev=corpus_examples("dev"), coder_factory=coder_factory,
                                name=DEFAULT, features=EMBEDDING_FEATURES, encoder=encoder,
                                sources=[{"name": f"typing/train/{f.name}"} for f in corpus_files("train")])
    result.manifest["build"] = {"fingerprint": fingerprint(), "build_version": BUILD_VERSION,
                                "corpus": "flashpoint/lang/en/typing (train; dev held out and scored)"}
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".default-", dir=out.parent))
    try:
        save_model(result, staging)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out
