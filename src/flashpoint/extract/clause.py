"""Is this clause a happening being reported? One decision per trigger's clause.

A report mixes the news (what happened on the day) with what frames it: history ("more than
6,500 were killed in the 2020 war"), trials and anniversaries, statistics ("so far this year"),
threats and plans ("vowed to seize the heights"), denials and conditionals. Only the news is an
event. The decision reads the dependency parse around the trigger (its auxiliaries, its governors,
the clause's adverbials) with word lists from ``lang/en/clause_status.json``.

The news-lead present perfect ("fighters have withdrawn from the town") is an event: the perfect
is habitual only with a marker of a period ("since 2020", "so far this year", "repeatedly").
"""

from __future__ import annotations

import functools
import re

from spacy.tokens import Token

from flashpoint import lang

EVENT = "event"
BACKGROUND = "background"
HABITUAL = "habitual"
FUTURE = "future"
NEGATED = "negated"
HYPOTHETICAL = "hypothetical"

__all__ = ["BACKGROUND", "EVENT", "FUTURE", "HABITUAL", "HYPOTHETICAL", "NEGATED", "clause_status"]

_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)s?$")


@functools.cache
def _words(name: str) -> frozenset[str]:
    return frozenset(w.lower() for w in lang.data("en", "clause_status")[name])


@functools.cache
def _phrases(name: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(w.lower().split()) for w in lang.data("en", "clause_status")[name])


def clause_status(token: Token, published_year: int | None = None, frame: str = "") -> str:
    """What the clause of ``token`` (a trigger's head) does: report an event or something else.

    ``frame`` (the trigger's frame) matters for states of affairs: 'the ceasefire has held'."""
    verb = governing_verb(token)
    if _negated(token, verb):
        return NEGATED
    if _conditional(token, verb):
        return HYPOTHETICAL
    if _future(token, verb):
        return FUTURE
    if _background(token, verb, published_year) or (frame in _words("state_frames") and _state(token)):
        return BACKGROUND
    if _habitual(token, verb):
        return HABITUAL
    return EVENT


def governing_verb(token: Token) -> Token | None:
    """The verb whose clause holds the token (the token itself when it is one)."""
    node = token
    for _ in range(4):
        if node.pos_ in ("VERB", "AUX"):
            return node
        if node.head.i == node.i:
            return None
        node = node.head
    return None


def _chain(token: Token, depth: int = 4) -> list[Token]:
    """The token and its governors, nearest first."""
    nodes = [token]
    node = token
    for _ in range(depth):
        if node.head.i == node.i:
            break
        node = node.head
        nodes.append(node)
    return nodes


def _negated(token: Token, verb: Token | None) -> bool:
    """'did not attack', 'no clashes were reported', 'failed to detonate', 'denied that troops clashed'."""
    for t in (token, token.head):
        if any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in t.children):
            return True
    if any(node.lower_ in _words("negating_preps") for node in _chain(token, 3)[1:]):
        return True  # 'moved in without a shot fired'
    failure = _words("failure_governors")
    for node in _chain(token, 3)[1:]:
        if node.lemma_.lower() in failure and node.pos_ == "VERB" and token.dep_ in ("xcomp", "dobj"):
            return True
    denial = _words("denial_governors")
    return any(node.lemma_.lower() in denial for node in _chain(token)[1:])


def _conditional(token: Token, verb: Token | None) -> bool:
    """'if the army shells the town', 'troops would attack', 'could be used to strike'."""
    marks, modals = _words("conditional_marks"), _words("modal_auxiliaries")
    for node in _chain(token, 3):
        for c in node.children:
            if c.dep_ == "mark" and c.lower_ in marks:
                return True
            if c.dep_ == "aux" and c.lower_ in modals:
                return True
        if node.pos_ == "VERB" and node.i != token.i:
            break
    return False


def _future(token: Token, verb: Token | None) -> bool:
    """'will withdraw', 'plans to attack', 'threatened to shell', 'sent troops to seize the heights'."""
    futures, governors = _words("future_auxiliaries"), _words("irrealis_governors")
    realised = _words("realised_governors")
    node = token
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in futures for c in node.children):
            return True
        if any(c.dep_ == "aux" and c.lower_ == "going" for c in node.children):
            return True
        infinitive = node.pos_ == "VERB" and any(c.dep_ == "aux" and c.tag_ == "TO" for c in node.children)
        if node.head.i == node.i:
            return False
        governor = node.head
        if infinitive and node.dep_ in ("xcomp", "advcl", "acl", "relcl", "ccomp"):
            # "to seize the heights": an aim, unless the governor says it was done ("began to shell").
            return governor.lemma_.lower() not in realised
        if node.dep_ in ("xcomp", "pobj", "dobj", "prep", "advcl", "pcomp", "acl", "conj", "appos"):
            node = governor
            if node.lemma_.lower() in governors:
                return True
            continue
        return False
    return False


def _background(token: Token, verb: Token | None, published_year: int | None) -> bool:
    """Trials, anniversaries, a past war or an earlier year, a truce as a state of affairs
    ('the ceasefire has held'): told to frame today's news."""
    governors = _words("background_governors")
    for node in _chain(token, 6)[1:]:
        if node.lemma_.lower() in governors or node.lower_ in governors:
            return True
    if verb is not None and _has_marker(verb, _phrases("period_markers")):
        return True
    if published_year is None:
        return False
    scope = verb if verb is not None else token
    for t in scope.subtree:
        if _YEAR.match(t.text) and int(t.text[:4]) < published_year and _is_time(t):
            return True
    return False


_MONTHS = frozenset("january february march april may june july august september october november december".split())


def _state(token: Token) -> bool:
    """'the ceasefire has held', 'both sides must respect the truce': a state, not a signing."""
    governor = token.head.lemma_.lower()
    if token.dep_ == "nsubj" and governor in _words("state_subject_verbs"):
        return True
    return token.dep_ in ("dobj", "nsubjpass") and governor in _words("state_object_verbs")


def _is_time(year: Token) -> bool:
    """'in 2020', 'the 2020 war', 'since 2019' — a year, not a count ('2020 people'), and not
    the year of a full date ('on 31 December 2023'), which the date reader weighs instead."""
    before = year.doc[max(0, year.i - 4):year.i]
    if any(t.lower_ in _MONTHS for t in before) and any(t.is_digit and len(t.text) <= 2 for t in before):
        return False
    head = year.head
    if year.dep_ in ("nummod",) and head.lemma_.lower() not in _words("background_nouns") and head.ent_type_ != "DATE":
        return False
    return year.ent_type_ == "DATE" or year.dep_ in ("pobj", "compound", "amod", "npadvmod", "nmod") or head.lemma_.lower() in _words("background_nouns")


def _habitual(token: Token, verb: Token | None) -> bool:
    """'such attacks', 'a series of raids', 'have been killed since April', 'attacks happen often'."""
    if any(c.lower_ == "such" for c in token.children):
        return True
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in _words("series_nouns"):
        return True
    if verb is None:
        return False
    perfect = any(c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ in ("VBZ", "VBP") for c in verb.children)
    present = verb.tag_ in ("VBZ", "VBP") and verb.lemma_ not in ("be", "say")
    bare_plural = token.tag_ == "NNS" and not any(c.dep_ in ("det", "nummod", "poss") for c in token.children)
    if perfect or present:
        if _has_marker(verb, _phrases("habitual_markers")):
            return True
    return bare_plural and present


def _has_marker(verb: Token, markers: tuple[tuple[str, ...], ...]) -> bool:
    """Whether the clause of ``verb`` (not its embedded clauses) holds one of the phrases."""
    words = [t.lower_ for t in _clause_tokens(verb)]
    for marker in markers:
        n = len(marker)
        for i in range(len(words) - n + 1):
            if tuple(words[i:i + n]) == marker:
                return True
    return False


def _clause_tokens(verb: Token) -> list[Token]:
    """The verb's subtree without embedded clauses (ccomp, relcl, advcl with their own verbs)."""
    out: list[Token] = []
    stack = [verb]
    while stack:
        node = stack.pop()
        out.append(node)
        for c in node.children:
            if c.dep_ in ("ccomp", "relcl", "advcl", "conj", "parataxis") and c.pos_ in ("VERB", "AUX"):
                continue
            stack.append(c)
    out.sort(key=lambda t: t.i)
    return out
