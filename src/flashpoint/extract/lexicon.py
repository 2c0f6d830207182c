"""Word lists the rule-based coder reads: event frames (``lang/en/frames.json``) and loaded terms.

Frames organise the trigger lexicon by what happens (firing, shelling, abducting, protesting …):
each frame names the slots it takes and the words that evoke it. Read once, on first use.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from spacy.tokens import Token

from flashpoint import lang


@dataclass(frozen=True)
class TriggerEntry:
    words: tuple[str, ...]
    types: dict[str, float]
    pos: frozenset[str] | None
    ref: bool
    obj: frozenset[str] | None = None
    """The word counts only if its object is one of these lemmas (@place, @person: entity kinds)."""
    frame: str = ""
    needs: frozenset[str] = frozenset()
    """Slots the parse must show for the word to count ("fired" needs a target: "fired … on Y")."""
    instrument: bool = False
    """A weapon word: it tells the event only as the head of its phrase ("grenade launcher" does not)."""
    gov: frozenset[str] | None = None
    """The word counts only under one of these verbs ("bodies" found, an "explosive" thrown)."""
    with_: frozenset[str] | None = None
    """The word counts only with one of these lemmas among its dependents ("gathered demanding")."""
    not_obj: frozenset[str] | None = None
    """The word does not count with one of these objects ("withdrew from the talks")."""


@dataclass(frozen=True)
class Frame:
    name: str
    slots: dict[str, Any]
    instrument: bool


def _read_json(name: str) -> Any:
    with resources.files("flashpoint.data").joinpath(name).open(encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def frames(language: str = "en") -> dict[str, Frame]:
    """Every frame by name, with its slots (``lang/<language>/frames.json``)."""
    raw = lang.data(language, "frames")["frames"]
    return {name: Frame(name, dict(f.get("slots", {})), bool(f.get("instrument", False))) for name, f in raw.items()}


@functools.cache
def trigger_index(language: str = "en") -> dict[str, tuple[TriggerEntry, ...]]:
    """Trigger entries of every frame keyed by their first word, longest phrases first (the
    same frame data model in every language: ``lang/<language>/frames.json``)."""
    index: dict[str, list[TriggerEntry]] = {}
    for name, frame in lang.data(language, "frames")["frames"].items():
        for raw in frame["words"]:
            words = tuple(raw["phrase"].lower().split())
            entry = TriggerEntry(
                words,
                dict(raw["types"]),
                frozenset(raw["pos"]) if raw.get("pos") else None,
                bool(raw.get("ref", False)),
                frozenset(raw["obj"]) if raw.get("obj") else None,
                frame=name,
                needs=frozenset(raw.get("needs", ())),
                instrument=bool(raw.get("instrument", frame.get("instrument", False))),
                gov=frozenset(raw["gov"]) if raw.get("gov") else None,
                with_=frozenset(raw["with"]) if raw.get("with") else None,
                not_obj=frozenset(raw["not_obj"]) if raw.get("not_obj") else None,
            )
            index.setdefault(words[0], []).append(entry)
    return {k: tuple(sorted(v, key=lambda e: -len(e.words))) for k, v in index.items()}


@functools.cache
def frame_words(name: str, language: str = "en") -> frozenset[str]:
    """A top-level word list of frames.json (``event_heads``, ``accident_words`` …), lower-cased."""
    return frozenset(w.lower() for w in lang.data(language, "frames").get(name, ()))


@functools.cache
def loaded_terms() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Loaded terms as word tuples keyed by their first word, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for term in {tuple(t.lower().split()) for t in _read_json("loaded_terms.json")["terms"]}:
        index.setdefault(term[0], []).append(term)
    return {k: tuple(sorted(v, key=lambda t: -len(t))) for k, v in index.items()}


def token_matches(token: Token, word: str) -> bool:
    """A token matches a lexicon word by its lower-case form or its lemma."""
    return token.lower_ == word or token.lemma_.lower() == word
