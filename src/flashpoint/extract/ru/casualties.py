"""Russian casualty figures: the same ``Casualty`` records as English, read off the UD parse.

A casualty word (``lang/ru/casualties.json``: погибнуть, шехид, ранение, плен, пропасть без
вести …) finds its victims through the parse: the subject of its predicate ("семь
военнослужащих стали шехидами", "десять получили ранения", "ранены трое"), the object of an
active verb ("взяли в плен двоих"), or the figure written on the word itself ("пять погибших").
Numerals are read in every case through their lemma ("семерых" → семеро → 7, "десяти" →
десять) and summed across a compound numeral ("двадцать пять"). A figure left without its
noun ("…, десять получили ранения") takes the victims of the figure before it in the sentence.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from spacy.tokens import Span, Token

from flashpoint import lang
from flashpoint.extract.casualties import Casualty
from flashpoint.extract.claims import ENEMY, OWN
from flashpoint.extract.ru import actors as ru_actors

__all__ = ["find_casualties", "number_value"]

LANG = "ru"
_SUBJECTS = ("nsubj", "nsubj:pass")
_DIGITS = re.compile(r"\d[\d\s\u00a0]*")


@functools.cache
def _data() -> dict[str, Any]:
    return dict(lang.data(LANG, "casualties"))


def _kinds() -> dict[str, str]:
    kinds: dict[str, str] = _data()["kinds"]
    return kinds


def kind_of(token: Token) -> str | None:
    """The casualty kind a word names, by its lemma, or by a known stem the morphology lacks."""
    kind = _kinds().get(token.lemma_.lower())
    if kind is not None:
        return kind
    stems: dict[str, str] = _data().get("stems", {})
    return next((k for stem, k in stems.items() if token.lower_.startswith(stem)), None)


def _requires() -> dict[str, list[str]]:
    requires: dict[str, list[str]] = _data()["requires"]
    return requires


@functools.cache
def _set(name: str) -> frozenset[str]:
    return frozenset(_data()[name])


@functools.cache
def _qualifiers() -> tuple[tuple[tuple[str, ...], str], ...]:
    table: dict[str, str] = _data()["qualifiers"]
    return tuple(sorted(((tuple(k.split()), v) for k, v in table.items()), key=lambda kv: -len(kv[0])))


def number_value(token: Token) -> int | None:
    """The value of one numeral word or digit string ("семерых" → 7, "12" → 12), else None."""
    text = token.text.replace("\u00a0", "").replace(" ", "")
    if text.isdigit():
        return int(text)
    numbers: dict[str, int] = _data()["numbers"]
    for form in (token.lemma_.lower(), token.lower_):
        if form in numbers:
            return numbers[form]
    return None


def _figure_tokens(victim: Token) -> list[Token]:
    """The numeral tokens of a victim phrase: the victim itself when it is a number ("десять
    получили ранения"), else its numeral dependents, with the numerals they govern."""
    if number_value(victim) is not None:
        heads = [victim]
    else:
        heads = [c for c in victim.children if (c.dep_.startswith("nummod") or c.pos_ == "NUM") and number_value(c) is not None]
    tokens: list[Token] = []
    for head in heads[:1]:
        tokens.append(head)
        tokens.extend(c for c in head.subtree if c is not head and number_value(c) is not None)
    return sorted(set(tokens), key=lambda t: t.i)


def _count(tokens: list[Token]) -> int:
    """"двадцать пять" → 25, "сто двадцать" → 120, "2 тысячи" → 2000, "12" → 12."""
    total, current = 0, 0
    for tok in tokens:
        value = number_value(tok) or 0
        if value >= 1000:
            total += max(current, 1) * value
            current = 0
        else:
            current += value
    return total + current


def _qualifier(first: Token, sent: Span) -> str:
    """"более десяти" → at_least, "до 20" → up_to, "около пяти" → approx, else exact."""
    doc = first.doc
    before = [t for t in doc[max(sent.start, first.i - 4):first.i] if not t.is_space]
    for words, qualifier in _qualifiers():
        n = len(words)
        window = before[-n:]
        if len(window) == n and all(t.lower_ == w or t.lemma_.lower() == w for t, w in zip(window, words)):
            return qualifier
    return "exact"


def _required(token: Token, needs: list[str], victims: list[Token]) -> bool:
    near = [token.head, *token.children, *(g for c in token.children for g in c.children)]
    lemmas = {t.lemma_.lower() for t in near}
    if any(n in lemmas for n in needs if not n.startswith("@")):
        return True
    if "@person" in needs and any(_is_person(v) for v in victims):
        return True
    return "@count" in needs and any(number_value(c) is not None for c in token.children)


def _is_person(token: Token) -> bool:
    return token.lemma_.lower() in _set("person_words") or any(
        c.lemma_.lower() in _set("person_words") for c in token.children if c.dep_ in ("amod", "nmod"))


def _predicate(trigger: Token) -> Token:
    """The verb whose subject names the victims: "получили ранения" (ранение is its object),
    "стали шехидами" (a predicate noun in the instrumental, whatever relation the parse gives
    it), "взяты в плен"; the casualty verb itself otherwise."""
    if "Ins" in trigger.morph.get("Case", []) and trigger.head.lemma_.lower() in _set("transitive_verbs"):
        return trigger.head  # "потеряла семерых военнослужащих убитыми"
    if trigger.pos_ in ("NOUN", "ADJ") and trigger.head.pos_ in ("VERB", "AUX", "ADJ") and (
            trigger.dep_ in ("obj", "obl", "xcomp", "nmod") or "Ins" in trigger.morph.get("Case", [])
            or trigger.head.lemma_.lower() in _set("copulas")):
        return trigger.head
    return trigger


def _victims(trigger: Token) -> list[Token]:
    predicate = _predicate(trigger)
    found: list[Token] = []
    if predicate.lemma_.lower() in _set("transitive_verbs") and "Pass" not in predicate.morph.get("Voice", []):
        found = [c for c in predicate.children if c.dep_ == "obj" and c is not trigger]  # "взяли в плен семерых"
    found = found or [c for c in predicate.children if c.dep_ in _SUBJECTS and c is not trigger]
    if not found and predicate.dep_ == "conj":
        found = [c for c in predicate.head.children if c.dep_ in _SUBJECTS]  # "были обстреляны и ранены"
    if not found and trigger.pos_ in ("NOUN", "ADJ") and _figure_tokens(trigger):
        found = [trigger]  # "пять погибших", "трое раненых"
    if not found:
        left = _left_victim(predicate)
        found = [left] if left is not None else []
    return found


def _left_victim(predicate: Token) -> Token | None:
    """When the parse hangs the subject elsewhere ("…, не менее восьми человек получили
    ранения"): the person word or figure written just before the verb, in its clause."""
    doc = predicate.doc
    for i in range(predicate.i - 1, max(predicate.sent.start, predicate.i - 5) - 1, -1):
        tok = doc[i]
        if tok.is_punct:
            return None
        if _is_person(tok) or number_value(tok) is not None:
            return tok
    return None


def find_casualties(sent: Span, *, default_country: str | None = None) -> list[Casualty]:
    """Every casualty figure in a parsed Russian sentence (offsets index the document)."""
    found: list[Casualty] = []
    used: set[int] = set()
    last_victim: tuple[str | None, tuple[int, int] | None, str | None] = (None, None, None)
    for token in sent:
        kind = kind_of(token)
        if kind is None or token.is_space:
            continue
        victims = _victims(token)
        needs = _requires().get(token.lemma_.lower())
        if needs and not _required(token, needs, victims):
            continue
        if kind == "missing" and "без" not in {t.lemma_.lower() for t in token.subtree}:
            continue
        for victim in victims:
            casualty = _casualty(kind, token, victim, sent, used, last_victim, default_country)
            if casualty is not None:
                found.append(casualty)
                last_victim = (casualty.victim, casualty.victim_span, casualty.victim_hint)
    found.sort(key=lambda c: (c.start, c.kind))
    return found


def _casualty(kind: str, trigger: Token, victim: Token, sent: Span, used: set[int],
              last: tuple[str | None, tuple[int, int] | None, str | None],
              default_country: str | None) -> Casualty | None:
    figure = _figure_tokens(victim) or _loose_figure(trigger, victim)
    if figure:
        count, qualifier = _count(figure), _qualifier(figure[0], sent)
    elif victim.lemma_.lower() in _set("zero_words"):
        count, qualifier, figure = 0, "exact", [victim]  # "никто не пострадал"
    elif victim.lemma_.lower() in _set("vague") or any(c.lemma_.lower() in _set("vague") for c in victim.children):
        count, qualifier, figure = 0, "vague", [victim]
    elif _is_person(victim) and "Sing" in victim.morph.get("Number", []):
        count, qualifier, figure = 1, "exact", [victim]  # "военнослужащий погиб": one
    else:
        return None
    key = figure[0].i
    if key in used or _subset(figure[0], sent):
        return None
    used.update(t.i for t in figure)
    negated = any(c.lemma_.lower() == "не" for c in trigger.children) or any(
        c.lemma_.lower() == "не" for c in _predicate(trigger).children)
    if negated and victim.lemma_.lower() not in _set("zero_words"):
        count, qualifier = 0, "exact"
    name, span, hint = _victim_of(victim, figure, default_country)
    if name is None and span is None and victim.i in {t.i for t in figure}:
        name, span, hint = last  # "семь … погибли, десять получили ранения": the same victims
    start = min(t.idx for t in figure)
    end = max(t.idx + len(t.text) for t in figure)
    if victim.i not in {t.i for t in figure}:
        end = max(end, victim.idx + len(victim.text))
        start = min(start, victim.idx)
    return Casualty(kind, count, start, end, (trigger.idx, trigger.idx + len(trigger.text)), name, span, qualifier,
                    (sent.start_char, sent.end_char), hint, None)


def _subset(first: Token, sent: Span) -> bool:
    """"пять человек, в том числе двое детей": the second figure is part of the first."""
    before = [t.lower_ for t in first.doc[max(sent.start, first.i - 4):first.i]]
    text = " ".join(before)
    return any(text.endswith(marker) or f"{marker} " in f"{text} " for marker in _set("subset_markers"))


def _loose_figure(trigger: Token, victim: Token) -> list[Token]:
    """A numeral the parse hung on the verb, not on its subject ("более десяти ранены")."""
    predicate = _predicate(trigger)
    for tok in (*victim.children, *predicate.children):
        if tok.dep_.startswith("nummod") and number_value(tok) is not None and tok.i > predicate.sent.start:
            return [tok, *(c for c in tok.subtree if c is not tok and number_value(c) is not None)]
    return []


def _victim_of(victim: Token, figure: list[Token], default_country: str | None
               ) -> tuple[str | None, tuple[int, int] | None, str | None]:
    """(ACLED actor name, span, own/enemy hint) of the victims' phrase."""
    if victim.i in {t.i for t in figure} and not any(c.dep_ in ("nmod", "amod") for c in victim.children):
        return None, None, None
    words = {t.lemma_.lower() for t in victim.subtree}
    hint = ENEMY if words & _set("enemy") else OWN if words & _set("own") else None
    actor = ru_actors.normalise_phrase(victim, None)
    tokens = [t for t in victim.subtree if not t.is_space and not t.is_punct]
    span = (tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)) if tokens else None
    if actor is None:
        return None, span, hint
    name = actor.name
    if actor.kind == "civilians" and not actor.country and default_country is None:
        name = "civilians"
    return name, span, hint
