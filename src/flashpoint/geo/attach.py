"""Where a place hangs in the sentence that tells an event, read from the dependency parse.

A sentence names places for several reasons, and the words right around a name (geo/scene.py)
do not always say which: "the minister told a meeting in Beirut that a strike killed 40 in Houla"
names the speaker's city and the scene with the same preposition. The parse does: Houla hangs
from "killed" through "in", Beirut from "told". :func:`link` walks from a place up the parse
to the words that tell the event (the trigger and the verb of its clause) and says how it got
there: through a preposition of place in the trigger's own clause (``own``), from a clause tied
to it ("killed 5, after storming a church in X": ``related``), from the clause of a verb of
telling above it (``speaker``), from inside the phrase that names who acted or who was hit
("members of the X group", "X residents": ``party``), after a word of comparison ("the
deadliest since the X bombing": ``comparison``), or from another clause (a relative clause that
describes someone: ``other``). ``bucket`` orders them for choosing the scene.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from flashpoint.lang import data, words

__all__ = ["Link", "link"]

_CLAUSE = frozenset({"ccomp", "advcl", "relcl", "acl", "xcomp", "csubj", "csubjpass", "parataxis", "pcomp"})
"""Dependencies that open a clause of their own (a coordinated verb, ``conj``, is handled apart)."""
_ARGUMENT = frozenset({"nsubj", "nsubjpass", "dobj", "iobj", "dative", "agent", "attr", "oprd"})
"""A place reached through one of these without a preposition of place names a party."""
_DESCRIBING = frozenset({"relcl", "acl"})
"""Clauses that describe a noun ("a man who lived in X", "a flight bound for X"): not the event's."""
_MAX_STEPS = 40

_BUCKETS = {"own": 0, "related": 0, "unknown": 0, "beside": 1, "other": 1, "speaker": 2, "party": 2, "comparison": 2}
_DESCRIBE = {
    "own": "where {trigger!r} happened (\"{via}\")",
    "related": "in a clause that goes on telling {trigger!r} (\"{via}\")",
    "beside": "in a clause beside that of {trigger!r} (\"{via}\")",
    "unknown": "in the sentence of {trigger!r}",
    "other": "in another clause (\"{via}\"), not where {trigger!r} happened",
    "speaker": "where the telling happened (\"{via}\"), not {trigger!r}",
    "party": "names a party to {trigger!r} (\"{via}\"), not where it happened",
    "comparison": "named for comparison (\"{via}\")",
}


@functools.cache
def _scene_preps() -> frozenset[str]:
    return words("en", "scene_prepositions")


@functools.cache
def _comparison() -> frozenset[str]:
    return words("en", "comparison_words")


@functools.cache
def _telling() -> frozenset[str]:
    return words("en", "telling_verbs")


_PARTY_LISTS = ("military", "platforms", "police", "government", "civilians", "protesters", "rioters",
                "unidentified", "gang", "partitive", "military_partitive", "armed_communal_heads", "not_state")
_PARTY_ENTITIES = frozenset({"ORG", "NORP", "PERSON"})


@functools.cache
def _party_heads() -> frozenset[str]:
    """Head words that name who acts or who is hit (the actor lexicon's heads): "members",
    "residents", "brigade", "police". A place under one of them names a party; under "the
    villages", "residential areas" it is still a place."""
    heads = data("en", "actors/heads")
    return frozenset(w for name in _PARTY_LISTS for w in heads.get(name, []) if isinstance(w, str))


@functools.cache
def _locative_participles() -> frozenset[str]:
    return words("en", "locative_participles")


def _describing(tok: Token) -> bool:
    """A relative clause or participle that describes a noun ("a man who lived in X", "a flight
    bound for X"), unless it only says where the noun lies ("the hills overlooking X")."""
    return tok.dep_ in _DESCRIBING and tok.lower_ not in _locative_participles()


def _names_party(tok: Token) -> bool:
    return tok.lower_ in _party_heads() or tok.lemma_.lower() in _party_heads() or tok.ent_type_ in _PARTY_ENTITIES


@dataclass(frozen=True)
class Link:
    """How a place is tied to the event's trigger in the parse."""

    kind: str
    trigger: str = ""
    via: str = ""
    """The words that tie them ("in", "told … in"), for the reason shown to users."""

    @property
    def bucket(self) -> int:
        """0: the event's own place; 1: another clause's; 2: a speaker's, a party's or a comparison's."""
        return _BUCKETS.get(self.kind, 0)

    def describe(self) -> str:
        return _DESCRIBE.get(self.kind, "{trigger!r}").format(trigger=self.trigger, via=self.via or "?")


def _anchors(trigger: Token) -> set[int]:
    """The trigger and the words above it up to its clause's verb ("an attack" → "launched")."""
    out = {trigger.i}
    tok = trigger
    for _ in range(_MAX_STEPS):
        if tok.dep_ in _CLAUSE or tok.dep_ == "conj" and tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            break
        tok = tok.head
        out.add(tok.i)
        if tok.pos_ in ("VERB", "AUX"):
            break
    return out


def _clause_verb(tok: Token) -> Token:
    """The verb of the clause ``tok`` stands in (itself, if it is one)."""
    for _ in range(_MAX_STEPS):
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            return tok
        tok = tok.head
    return tok


def _is_ancestor(tok: Token, of: Token) -> bool:
    return any(a.i == tok.i for a in of.ancestors)


def link(doc: Doc, trigger_index: int, start_char: int, end_char: int, trigger_text: str = "") -> Link:
    """How the place written at ``doc.text[start_char:end_char]`` hangs from the trigger token
    (``trigger_text``, the trigger as written, names it in the reason)."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or not 0 <= trigger_index < len(doc):
        return Link("unknown")
    trigger = doc[trigger_index]
    name = trigger_text or trigger.text
    if trigger.sent.start != span.root.sent.start:
        return Link("unknown", name)
    anchors = _anchors(trigger)
    tok = span.root
    preps: list[str] = []
    crossed: Token | None = None
    argument = False
    for _ in range(_MAX_STEPS):
        if tok.i in anchors:
            break
        dep = tok.dep_
        if dep == "prep" or tok.pos_ == "ADP" and dep in ("prep", "agent", "dative"):
            preps.append(tok.lower_)
        if (dep in _CLAUSE or dep == "conj" and tok.pos_ in ("VERB", "AUX")) and crossed is None \
                and not (dep in _DESCRIBING and not _describing(tok)):
            crossed = tok
        if dep in _ARGUMENT and tok.head.i in anchors and not any(p in _scene_preps() for p in preps) \
                and _names_party(tok):
            argument = True
        if tok.head is tok:
            break
        tok = tok.head
    via = next((p for p in preps if p in _scene_preps()), preps[0] if preps else "")
    if preps and preps[0] in _comparison():
        return Link("comparison", name, preps[0])
    if tok.i in anchors:
        if crossed is None:
            return Link("party" if argument else "own", name, via)
        kind = "other" if _describing(crossed) else "related"
        return Link(kind, name, f"{crossed.text} … {via}".strip(" …"))
    # The place's clause does not reach the trigger: it is above it (a speaker's or a main
    # clause the trigger's clause depends on) or beside it.
    verb = _clause_verb(span.root)
    if _is_ancestor(verb, trigger) or verb.i == trigger.i:
        # "said in Kabul that …" is the speaker's place; a phrase before the telling ("In X,
        # officials said …", "Across the border in X, …") sets the story's scene.
        if verb.lemma_.lower() in _telling() and span.start > verb.i:
            return Link("speaker", name, f"{verb.text} … {via}".strip(" …"))
        return Link("related", name, f"{verb.text} … {via}".strip(" …"))
    # Beside it: a clause coordinated with the trigger's, or told by the same speaker ("rockets
    # were fired from X; the rest fell near Y") goes on with the story; one that describes a
    # person or a thing ("a man who lived in X") does not.
    kind = "other" if _describes(span.root, trigger) else "beside"
    return Link(kind, name, f"{verb.text} … {via}".strip(" …"))


def _describes(place: Token, trigger: Token) -> bool:
    """Whether the place hangs, below the words it shares with the trigger, from a clause that
    describes a noun (a relative clause or a participle)."""
    above_trigger = {a.i for a in trigger.ancestors} | {trigger.i}
    tok = place
    for _ in range(_MAX_STEPS):
        if tok.i in above_trigger or tok.head is tok:
            return False
        if _describing(tok):
            return True
        tok = tok.head
    return False
