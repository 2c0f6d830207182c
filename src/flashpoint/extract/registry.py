"""Which type classifier ``--model NAME_OR_PATH`` means, and what models there are.

Names: ``rules`` (the rule-based classifier), ``default`` (the model shipped in the package,
trained on our own synthetic notes), a model directory under ``data_home()/models/NAME``, or
any path to a directory made by ``flashpoint train``. Loading reads arrays and JSON only
(see ``flashpoint.training.train``), so a model from anywhere is safe to load.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from flashpoint.errors import ModelError
from flashpoint.extract.classify import RuleClassifier, TypeClassifier
from flashpoint.model import CodedDocument, Failure
from flashpoint.settings import data_home
from flashpoint.typology import EVENT_TYPES, disorder_type

RULES = "rules"
DEFAULT = "default"


def models_dir() -> Path:
    """Where a user's named models live: ``data_home()/models``."""
    return data_home() / "models"


def shipped_model_path() -> Path:
    """The package's default model directory."""
    return Path(str(resources.files("flashpoint") / "data" / "models" / DEFAULT))


def resolve_model_path(name_or_path: str) -> Path:
    """The directory a model name or path stands for, or a ModelError saying what exists."""
    from flashpoint.extract.typemodel import MANIFEST

    if name_or_path == DEFAULT:
        path = shipped_model_path()
        if not (path / MANIFEST).is_file():
            raise ModelError("the shipped default model is missing from this install; reinstall flashpoint "
                             "or use --model rules", code="E402")
        return path
    given = Path(name_or_path).expanduser()
    for candidate in (given, models_dir() / name_or_path):
        if (candidate / MANIFEST).is_file():
            return candidate
    names = ", ".join(info.name for info in list_models())
    raise ModelError(f"no model {name_or_path!r}: give a directory made by `flashpoint train --out DIR`, "
                     f"or one of: {names} (see `flashpoint models list`)", code="E402")


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
    """rules | shipped | user | path"""
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

    if (shipped_model_path() / MANIFEST).is_file():
        add(DEFAULT, "shipped", shipped_model_path())
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
