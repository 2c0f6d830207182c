"""Word lists the rule-based coder reads: event triggers and loaded terms.

Both ship as JSON under ``flashpoint/data`` and are read once, on first use.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from spacy.tokens import Token


@dataclass(frozen=True)
class TriggerEntry:
    words: tuple[str, ...]
    types: dict[str, float]
    pos: frozenset[str] | None
    ref: bool
    obj: frozenset[str] | None = None
    """The word counts only if its object is one of these lemmas (@place, @person: entity kinds)."""


def _read_json(name: str) -> Any:
    with resources.files("flashpoint.data").joinpath(name).open(encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def trigger_index() -> dict[str, tuple[TriggerEntry, ...]]:
    """Trigger entries keyed by their first word, longest phrases first."""
    index: dict[str, list[TriggerEntry]] = {}
    for raw in _read_json("triggers.json")["triggers"]:
        words = tuple(raw["phrase"].lower().split())
        pos = frozenset(raw["pos"]) if raw.get("pos") else None
        obj = frozenset(raw["obj"]) if raw.get("obj") else None
        entry = TriggerEntry(words, dict(raw["types"]), pos, bool(raw.get("ref", False)), obj)
        index.setdefault(words[0], []).append(entry)
    return {k: tuple(sorted(v, key=lambda e: -len(e.words))) for k, v in index.items()}


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
