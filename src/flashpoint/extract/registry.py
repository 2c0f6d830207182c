"""Which type classifier ``--model NAME_OR_PATH`` means, and what models there are.

Names: ``rules`` (the rule-based classifier: the fast path), ``default`` (the head over the
frozen sentence encoder, built at set-up from the project's labelled corpus by ``flashpoint models
build`` into ``data_home()/models/default``), a model directory under ``data_home()/models/NAME``,
or any path to a directory made by ``flashpoint train``. Loading reads arrays and JSON only
(see ``flashpoint.training.train``), so a model from anywhere is safe to load.

``--model`` not given means ``default`` when it has been built and the encoder is installed,
else ``rules`` (with a warning saying how to get the default).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import ModelError
from flashpoint.extract.classify import RuleClassifier, TypeClassifier
from flashpoint.model import CodedDocument, Failure
from flashpoint.settings import data_home
from flashpoint.typology import EVENT_TYPES, disorder_type

log = logging.getLogger(__name__)

RULES = "rules"
DEFAULT = "default"


def models_dir() -> Path:
    """Where a user's named models live: ``data_home()/models``."""
    return data_home() / "models"


def default_model_path() -> Path:
    """Where ``flashpoint models build`` puts the default model."""
    return models_dir() / DEFAULT


_warned = False


def default_choice() -> str:
    """What ``--model`` means when not given: ``default`` if it is built and the encoder installed,
    else ``rules`` (saying once, on stderr through logging, how to get the default)."""
    from flashpoint.extract.typemodel import MANIFEST
    from flashpoint.nlp.encoder import available

    global _warned
    if (default_model_path() / MANIFEST).is_file() and available():
        return DEFAULT
    if not _warned:
        _warned = True
        log.warning("flashpoint: typing with the rules only: the default type model is not built "
                    "(run `flashpoint models build`, or `make setup`)")
    return RULES


def resolve_model_path(name_or_path: str) -> Path:
    """The directory a model name or path stands for, or a ModelError saying what exists."""
    from flashpoint.extract.typemodel import MANIFEST

    if name_or_path == DEFAULT:
        path = default_model_path()
        if not (path / MANIFEST).is_file():
            raise ModelError("the default type model is not built yet: run `flashpoint models build` "
                             "(part of `make setup`), or use --model rules", code=errors.E_NO_MODEL)
        return path
    given = Path(name_or_path).expanduser()
    for candidate in (given, models_dir() / name_or_path):
        if (candidate / MANIFEST).is_file():
            return candidate
    names = ", ".join(info.name for info in list_models())
    raise ModelError(f"no model {name_or_path!r}: give a directory made by `flashpoint train --out DIR`, "
                     f"or one of: {names} (see `flashpoint models list`)", code=errors.E_NO_MODEL)


def load_classifier(name_or_path: str | None) -> TypeClassifier:
    """The classifier for ``--model``: None or 'rules' is the rule-based one."""
    if name_or_path in (None, "", RULES):
        return RuleClassifier()
    from flashpoint.extract.typemodel import TrainedClassifier

    assert name_or_path is not None
    return TrainedClassifier.load(resolve_model_path(name_or_path))


@dataclass
class ModelInfo:
    """One line of ``flashpoint models list``."""

    name: str
    kind: str
    """rules | built (the default, from the project's corpus) | user | path"""
    path: str | None
    labels: int | None = None
    examples: int | None = None
    dev_weighted_f1: float | None = None
    created: str | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _info(name: str, kind: str, path: Path) -> ModelInfo:
    from flashpoint.extract.typemodel import read_manifest

    try:
        manifest = read_manifest(path)
    except ModelError as err:
        return ModelInfo(name, kind, str(path), problem=str(err))
    dev = (manifest.get("scores") or {}).get("dev") or {}
    return ModelInfo(name, kind, str(path), labels=len(manifest.get("labels", [])),
                     examples=(manifest.get("training_data") or {}).get("examples"),
                     dev_weighted_f1=(dev.get("sub_event_type") or {}).get("weighted_f1"),
                     created=manifest.get("created"))


def list_models(extra: Iterable[Path] = ()) -> list[ModelInfo]:
    """The rule-based classifier, the shipped default, the user's models, and any paths given
    (a model directory, or a directory holding model directories)."""
    from flashpoint.extract.typemodel import MANIFEST

    found = [ModelInfo(RULES, "rules", None, labels=25)]
    seen: set[Path] = set()

    def add(name: str, kind: str, path: Path) -> None:
        if path.resolve() not in seen:  # a folder given twice, or inside another given one, is listed once
            seen.add(path.resolve())
            found.append(_info(name, kind, path))

    if (default_model_path() / MANIFEST).is_file():
        add(DEFAULT, "built", default_model_path())
    roots = [(models_dir(), "user"), *((Path(p), "path") for p in extra)]
    for root, kind in roots:
        if (root / MANIFEST).is_file():
            add(str(root), kind, root)
        elif root.is_dir():
            for sub in sorted(p for p in root.iterdir() if (p / MANIFEST).is_file()):
                add(sub.name if kind == "user" else str(sub), kind, sub)
    return found


def fill_event_types(result: CodedDocument | Failure, classifier: TypeClassifier) -> CodedDocument | Failure:
    """Give events labelled in a user's own typology the event type their training data gave
    that label (the pipeline only knows ACLED's types)."""
    mapping: dict[str, str] | None = getattr(classifier, "event_types", None)
    if not mapping or isinstance(result, Failure):
        return result
    for event in result.events:
        if event.event_type is None and event.sub_event_type in mapping:
            event.event_type = mapping[event.sub_event_type]
            if event.event_type in EVENT_TYPES:  # a type of the user's own has no ACLED disorder type
                event.disorder_type = disorder_type(event.event_type, event.sub_event_type)
    return result
