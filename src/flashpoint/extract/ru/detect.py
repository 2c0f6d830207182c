"""Russian event triggers: frame words (``lang/ru/frames.json``, the English frame data model)
matched on lemmas, and the status of their clause (``lang/ru/clause_status.json``).

A clause reports a happening unless it is negated ("не обстреливали"), future or planned
("будет атаковать", "планирует наступление"), conditional ("если … атакуют"), or background
("в ходе войны", a habit: "регулярно обстреливает"). The same ``Trigger`` records as English
come out, so mentions, typing and resolution read them unchanged.
"""

from __future__ import annotations

import functools

from spacy.tokens import Span, Token

from flashpoint import lang
from flashpoint.extract import clause
from flashpoint.extract.detect import Trigger, longest_matches, new_trigger
from flashpoint.extract.lexicon import TriggerEntry, frame_words, frames, token_matches, trigger_index

__all__ = ["clause_status", "find_triggers"]

LANG = "ru"
_CLAUSE_DEPS = frozenset({"ccomp", "advcl", "acl", "acl:relcl", "xcomp", "parataxis", "csubj", "conj"})


@functools.cache
def _words(name: str) -> frozenset[str]:
    return frozenset(w.lower() for w in lang.data(LANG, "clause_status").get(name, ()))


def find_triggers(sent: Span, published_year: int | None = None) -> list[Trigger]:
    """Every trigger in ``sent``, longest match first, without overlaps."""
    index = trigger_index(LANG)
    return [_make_trigger(sent, i, end, entry, published_year)
            for i, end, entry in longest_matches(sent, lambda i: _match_at(sent, i, index))]


def _match_at(sent: Span, i: int, index: dict[str, tuple[TriggerEntry, ...]]) -> TriggerEntry | None:
    doc = sent.doc
    token = doc[i]
    for entry in index.get(token.lower_, ()) + index.get(token.lemma_.lower(), ()):
        if entry.pos is not None and token.pos_ not in entry.pos:
            continue
        words = [t for t in doc[i:min(sent.end, i + len(entry.words) + 2)] if not t.is_space]
        if len(words) < len(entry.words) or not all(token_matches(t, w) for t, w in zip(words, entry.words)):
            continue
        if entry.obj is not None and not _object_fits(token, entry.obj):
            continue
        if not _slots_found(token, entry):
            continue
        if entry.instrument and not _heads_its_phrase(token):
            continue
        return entry
    return None


def _slots_found(token: Token, entry: TriggerEntry) -> bool:
    if "agent" in entry.needs:
        if "Pass" in token.morph.get("Voice", []) or token.dep_ in ("acl", "acl:relcl", "amod"):
            return False
        node = token
        for _ in range(2):  # "попыталась выдвинуть": the subject of the verb it depends on
            if any(c.dep_ == "nsubj" for c in node.children):
                return True
            if node.dep_ != "xcomp":
                return False
            node = node.head
        return False
    if "target" in entry.needs:
        preps = frozenset(p for p in frames(LANG)[entry.frame].slots.get("target", ()) if p != "object")
        return any(c.dep_ == "obj" or preposition(c) in preps for c in token.children)
    return True


def preposition(token: Token) -> str | None:
    """The preposition of a noun ("по позициям" → "по"; "со стороны" → "с")."""
    for child in token.children:
        if child.dep_ in ("case", "fixed") and child.pos_ == "ADP":
            return child.lemma_.lower()
    return None


def _object_fits(token: Token, allowed: frozenset[str]) -> bool:
    for child in token.children:
        if child.dep_ not in ("obj", "nsubj:pass"):
            continue
        if child.lemma_.lower() in allowed or ("@place" in allowed and child.ent_type_ in ("GPE", "LOC")):
            return True
    return False


def _heads_its_phrase(token: Token) -> bool:
    """A weapon word tells an event only as its phrase's head or as the means ("из миномётов",
    "гранату"): not as a modifier ("гранатомётный расчёт") or an inventory ("склад ракет")."""
    if token.dep_ in ("amod", "compound"):
        return False
    if any(c.lemma_.lower() in frame_words("less_lethal", LANG) for c in token.children if c.dep_ in ("amod", "conj")):
        return False  # "светошумовые гранаты"
    idle = frame_words("weapon_idle", LANG)
    head = token.head
    return not (token.dep_ == "nmod" and head.lemma_.lower() in idle)


def clause_status(token: Token, published_year: int | None = None) -> str:
    """event | negated | future | hypothetical | background | habitual for the trigger's clause."""
    verb = _governing_verb(token)
    chain = [token] + ([verb] if verb is not None and verb is not token else [])
    if any(_negated(t) for t in chain):
        return clause.NEGATED
    if any(_conditional(t) for t in chain):
        return clause.HYPOTHETICAL
    if any(_future(t) for t in chain) or _under_irrealis(token):
        return clause.FUTURE
    if _habitual(token, verb):
        return clause.HABITUAL
    if _background(token, published_year):
        return clause.BACKGROUND
    return clause.EVENT


def _governing_verb(token: Token) -> Token | None:
    node = token
    for _ in range(4):
        if node.pos_ in ("VERB", "AUX") or node.head.i == node.i:
            return node if node.pos_ in ("VERB", "AUX") else None
        node = node.head
    return None


def _negated(token: Token) -> bool:
    return any(c.lemma_.lower() in _words("negations") and c.dep_ in ("advmod", "det", "case", "discourse")
               for c in token.children) or any(
        c.lemma_.lower() in _words("negations") and c.i == token.i - 1 for c in token.children)


def _conditional(token: Token) -> bool:
    return any(c.lemma_.lower() in _words("conditional_markers") for c in token.children
               if c.dep_ in ("mark", "aux", "advmod", "discourse"))


def _future(token: Token) -> bool:
    if "Fut" in token.morph.get("Tense", []):
        return True
    return any(c.dep_ == "aux" and c.lemma_.lower() in _words("future_auxiliaries") and "Fut" in c.morph.get("Tense", [])
               for c in token.children)


def _under_irrealis(token: Token) -> bool:
    """"планирует атаковать", "угрожает наступлением", "с целью захватить": a plan or threat."""
    node = token
    for _ in range(3):
        if node.head.i == node.i:
            return False
        if node.dep_ not in ("xcomp", "obj", "nmod", "obl", "acl", "advcl", "ccomp"):
            return False
        node = node.head
        if node.lemma_.lower() in _words("irrealis_governors"):
            return True
    return False


def _habitual(token: Token, verb: Token | None) -> bool:
    for t in (token, verb):
        if t is not None and any(c.lemma_.lower() in _words("habitual_words") for c in t.children):
            return True
    return False


def _background(token: Token, published_year: int | None) -> bool:
    """The trigger is part of a phrase about a war or a trial, not a happening of its own."""
    node = token
    for _ in range(3):
        if node.head.i == node.i:
            break
        node = node.head
        if node.lemma_.lower() in _words("background_words") and node.pos_ == "NOUN":
            return True
    return any(c.lemma_.lower() in _words("background_words") and c.dep_ in ("nmod", "obl") for c in token.children)


def _make_trigger(sent: Span, start: int, end: int, entry: TriggerEntry, published_year: int | None) -> Trigger:
    token = sent.doc[start]
    return new_trigger(sent.doc, start, end, entry, dict(entry.types), clause_status(token, published_year),
                       _is_definite(token))


def _is_definite(token: Token) -> bool:
    """"эти столкновения", "данный инцидент": a demonstrative makes a back-reference."""
    return token.pos_ == "NOUN" and any(c.dep_ == "det" and c.lemma_.lower() in _words("demonstratives")
                                        for c in token.children)
