"""Casualty figures in a sentence: killed, injured, captured, missing, by ACLED's rules.

A figure counts only when the parse ties it to a casualty word: "7 servicemen … became martyrs"
(killed 7), "10 soldiers were injured", "killing at least 12 civilians", "left five dead and 11
wounded", "the death toll rose to 9", "12 soldiers were taken prisoner", "3 are missing". A number
attached to anything else ("deploy 60 soldiers", "the 44-day war") is not a casualty.

Conventions (ACLED's codebook as flashpoint applies it; change them here, in one place):

- "Martyrs" / "martyred" are deaths: the word is one side's honour for its dead.
- Ranges and conflicting figures take the most conservative credible one ("between 5 and 10" → 5);
  "more than 20" / "at least 20" → 20; "up to 10" → 10 (marked ``up_to``; the caller may prefer a
  lower figure from another report via ``conservative``).
- Vague quantities (``VAGUE``): "a few"/"some" → 3, "several"/"many"/"numerous"/"a number of" → 10,
  "dozens" → 12, "scores" → 20, "hundreds" → 100, "thousands" → 1000 (qualifier ``vague``).
- A singular victim ("a policeman was killed", "the driver died") is 1. A bare plural with no
  number ("soldiers were killed") gives no figure: ACLED codes 0 unless the text gives a count.
- "No casualties" / "no one was hurt" / "were not injured" give 0 (for "casualties", both killed and
  injured), so that a report saying nobody died is told apart from one that is silent.
- "Casualties" with a number ("5 casualties") is ambiguous between dead and wounded and is not
  counted; arrests and detentions are not captures (they are events of their own).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flashpoint import lang
from flashpoint.extract.actors import demonym_spans, normalise_actor
from flashpoint.nlp.text import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

__all__ = ["Casualty", "VAGUE", "conservative", "find_casualties", "parse_count"]


@dataclass(frozen=True)
class Casualty:
    """One casualty figure in a sentence, with the spans it was read from (document offsets)."""

    kind: str
    """``killed`` | ``injured`` | ``captured`` | ``missing``"""
    count: int
    start: int
    end: int
    """The figure and its noun ("7 servicemen"), or the figure alone ("3" in "3 are missing")."""
    trigger: tuple[int, int]
    """The casualty word ("martyrs", "injured", "toll")."""
    victim: str | None
    victim_span: tuple[int, int] | None
    qualifier: str
    """``exact`` | ``at_least`` | ``up_to`` | ``approx`` | ``vague``"""
    sentence: tuple[int, int] = (0, 0)
    """The sentence the figure was read in."""
    victim_hint: str | None = None
    """A side's name ("the Tajik side lost …"), or ``own`` ("our soldiers", an unmarked "three servicemen" in a side's own statement) or
    ``enemy`` ("servicemen of the adversary", "on the enemy side, 47 terrorists"): whose losses,
    when the victims are not named as an actor."""
    combined: str | None = None
    """Another kind the figure counts together with ("up to 70 killed and wounded": ``injured``)."""


def conservative(figures: list[int]) -> int:
    """ACLED's most conservative credible figure among conflicting ones (0 when there are none)."""
    return min(figures) if figures else 0


# --------------------------------------------------------------------------- numbers

VAGUE: dict[str, int] = {
    "few": 3, "a few": 3, "some": 3, "several": 10, "many": 10, "numerous": 10, "a number": 10,
    "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000, "tens": 10,
}
"""Counts for vague quantities (see the module docstring)."""

_UNITS = {
    "zero": 0, "no": 0, "none": 0, "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "dozen": 12, "a dozen": 12, "couple": 2, "a couple": 2,
    "pair": 2, "a pair": 2, "both": 2, "another": 1,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

_QUALIFIERS = (
    (re.compile(r"(?:at least|more than|over|upwards of|no fewer than|no less than|in excess of|"
                r"a minimum of|at a minimum)\s*$"), "at_least"),
    (re.compile(r"(?:up to|as many as|at most|no more than|a maximum of)\s*$"), "up_to"),
    (re.compile(r"(?:about|around|approximately|nearly|almost|roughly|some|an estimated|estimated|"
                r"close to|nearly|around|just over|just under|an|approx\.?)\s*$"), "approx"),
)
_RANGE = re.compile(r"(?:between\s+)?(\S+)\s*(?:and|to|-|–|or)\s*(\S+)$")


def _word_number(text: str) -> int | None:
    """"seven" → 7, "twenty-five" → 25, "two hundred" → 200, "1,200" → 1200, "a dozen" → 12."""
    text = text.lower().strip().replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return int(float(text))
    if text in _UNITS:
        return _UNITS[text]
    total, current = 0, 0
    for word in re.split(r"[\s\-]+", text):
        if word in ("and", "a"):
            continue
        if word.isdigit():
            current += int(word)
        elif word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        else:
            return None
    return total + current


def parse_count(text: str) -> tuple[int, str] | None:
    """A figure as written → (count, qualifier). "at least 12" → (12, "at_least");
    "between 5 and 10" → (5, "at_least"); "dozens" → (12, "vague"); "seven" → (7, "exact")."""
    text = re.sub(r"\s+", " ", text.lower().strip())
    qualifier = "exact"
    for pattern, name in _QUALIFIERS:
        m = re.match(pattern.pattern.replace(r"\s*$", r"\s+"), text)
        if m:
            qualifier, text = name, text[m.end():]
            break
    if text in VAGUE:
        return VAGUE[text], "vague"
    digits = re.fullmatch(r"(?:between\s+)?(\d[\d,]*)\s*(?:-|–|to|and|or)\s*(\d[\d,]*)", text)
    if digits:  # "5-10" is a range, not 15
        low, high = (int(g.replace(",", "")) for g in digits.groups())
        return min(low, high), "at_least"
    value = _word_number(text)
    if value is not None:
        return value, qualifier
    m = _RANGE.search(text)
    if m:
        first, second = _word_number(m.group(1)), _word_number(m.group(2))
        if first is not None and second is not None:
            return min(first, second), "at_least"
    return None


# --------------------------------------------------------------------------- triggers


class _Words:
    """The casualty vocabulary (``lang/en/casualties.json``: trigger verbs and nouns, fate verbs,
    revision and enemy words), read on first use and kept as frozensets."""

    def __getitem__(self, name: str) -> frozenset[str]:
        return _word_set(name)


def _word_set(name: str) -> frozenset[str]:
    return lang.word_set("en", "casualties", name)


_W = _Words()
# "casualty"/"loss" (both_nouns) are counted only when zero ("no casualties"). fate_verbs: verbs
# whose complement describes the subject's fate ("became martyrs", "were found dead", "are
# missing", "were taken prisoner"); not "left five dead" (the subject there is the cause).
_SUBJECT_COMPLEMENT_DEPS = {"attr", "acomp", "oprd", "xcomp", "dobj"}


def _lemma(token: Token) -> str:
    lemma = token.lemma_.lower()
    if token.lower_ in ("martyred", "martyrs", "martyr"):
        return "martyr"
    return lemma


def _falls_in_battle(verb: Token) -> bool:
    """"fell on the field of honour", "fell in battle": a death, not a fall in prices or a town."""
    words = " ".join(t.lower_ for t in verb.rights for t in t.subtree)
    return any(phrase in words for phrase in _W["fall_phrases"])


def _trigger_kind(token: Token) -> str | None:
    lemma, lower = _lemma(token), token.lower_
    if lemma == "lose" and any(
        c.dep_ == "dobj" and (c.lemma_.lower() == "life" or any(n.dep_ == "nummod" for n in c.children))
        for c in token.children
    ):
        return "killed"  # "lost their lives", "lost 2 servicemen"
    if lower in ("dead", "killed") and token.pos_ in ("ADJ", "NOUN"):
        return "killed"
    if lower in ("wounded", "injured", "hurt") and token.pos_ in ("ADJ", "NOUN"):
        return "injured"
    if token.pos_ in ("VERB", "AUX", "ADJ"):
        if lemma in _W["killed_verbs"]:
            return "killed"
        if lemma in _W["injured_verbs"]:
            return "injured"
        if lemma in _W["captured_verbs"]:
            return "captured"
    if lemma == "fall" and token.pos_ == "VERB" and _falls_in_battle(token):
        return "killed"  # "four soldiers fell on the field of honour"
    if lemma in _W["detain_verbs"] and token.pos_ == "VERB":
        return "captured"  # kept only when the detained are soldiers (see find_casualties)
    if lemma in _W["missing_nouns"] and token.pos_ == "NOUN":
        return "missing"  # "the whereabouts of two servicemen are being established"
    if lemma in _W["missing_words"] or lower in _W["missing_words"]:
        return "missing"
    if lower in _W["captive_nouns"] and token.dep_ in ("oprd", "xcomp", "acomp", "attr"):
        return "captured"  # "taken captive" (an adjective), "held hostage"
    if token.pos_ in ("NOUN", "PROPN"):
        if lemma in _W["killed_nouns"]:
            return "killed"
        if lemma in _W["injured_nouns"]:
            return "injured"
        if lemma in _W["captive_nouns"]:
            return "captured"
    return None


# --------------------------------------------------------------------------- victims and figures


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return child
    return None


def _shared_subject(verb: Token) -> Token | None:
    """The subject a conjoined verb shares ("were shot and killed")."""
    own = _subject(verb)
    if own is not None:
        return own
    if verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        return _subject(verb.head)
    return None


def _patient(verb: Token) -> Token | None:
    """Who a verb was done to: its passive subject, else its object."""
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return _shared_subject(verb)
    return next((c for c in verb.children if c.dep_ == "dobj"), None)


def _victims(trigger: Token, kind: str) -> list[Token]:
    """The noun (or number) phrase heads that name who was killed, hurt, taken or lost."""
    head: Token | None = None
    if trigger.lower_ == "death" and trigger.dep_ == "pobj" and trigger.head.lower_ == "to":
        head = _patient(trigger.head.head)  # "was stabbed to death", "beat two men to death"
    elif _lemma(trigger) in _W["missing_nouns"]:
        of = [c for p in trigger.children if p.dep_ == "prep" and p.lower_ == "of" for c in p.children
              if c.dep_ == "pobj"]
        head = of[0] if of else None  # "the whereabouts of several servicemen"
    elif trigger.pos_ in ("NOUN", "PROPN") and trigger.dep_ not in _SUBJECT_COMPLEMENT_DEPS:
        head = None  # "7 deaths": the figure sits on the noun itself
    elif trigger.dep_ in ("oprd", "xcomp", "acomp") and any(c.dep_ == "dobj" for c in trigger.head.children):
        head = next(c for c in trigger.head.children if c.dep_ == "dobj")  # "left 3 protesters dead"
    elif trigger.dep_ in _SUBJECT_COMPLEMENT_DEPS and (
        trigger.pos_ in ("NOUN", "ADJ", "PROPN") or trigger.lower_ in _W["missing_words"]
    ):
        if trigger.head.lemma_.lower() in _W["fate_verbs"]:
            head = _shared_subject(trigger.head)  # "became martyrs", "are missing", "were taken prisoner"
    elif trigger.dep_ in ("acl", "amod") and trigger.head.pos_ in ("NOUN", "PROPN", "NUM"):
        head = trigger.head  # "soldiers killed in the attack", "injured soldiers"
    elif _lemma(trigger) == "lose":
        objects = [c for c in trigger.children if c.dep_ == "dobj" and c.lemma_.lower() != "life"]
        head = objects[0] if objects else _shared_subject(trigger)
    elif trigger.pos_ in ("VERB", "AUX", "ADJ"):
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in trigger.children)
        objects = [c for c in trigger.children if c.dep_ == "dobj"]
        if objects and not passive and _lemma(trigger) not in _W["intransitive"]:
            head = objects[0]  # "killing 12 civilians"
        elif (passive or _lemma(trigger) in _W["intransitive"] or kind == "missing" or trigger.pos_ == "ADJ"
              or _lemma(trigger) == "fall"):
            head = _shared_subject(trigger)
    if head is None:
        return []
    heads = [head] + [c for c in head.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "NUM", "PROPN")]
    return [h for h in heads if _is_person(h)]


def _is_person(victim: Token) -> bool:
    """Whether a victim phrase names people ("3 servicemen", "others", "a teacher"), not things
    ("capture a number of heights", "destroyed 3 tanks")."""
    for child in victim.children:
        if child.dep_ == "prep" and child.lower_ == "of" and (
            victim.pos_ == "NUM" or victim.lower_ in VAGUE or victim.lower_ in ("number", "dozen", "group")
        ):
            objects = [c for c in child.children if c.dep_ == "pobj"]
            return bool(objects) and _is_person(objects[0])
    if victim.pos_ == "NUM" or victim.like_num or victim.lower_ in _W["person_pronouns"] or victim.lower_ in _UNITS:
        return True
    start = min([victim, *[c for c in victim.lefts if c.dep_ in ("amod", "compound")]], key=lambda t: t.i)
    phrase = victim.doc[start.i:_np_end(victim)].text
    return normalise_actor(phrase) is not None


def _number_tokens(token: Token) -> list[Token]:
    """The tokens of a figure headed by a number token: "more than 20", "between 5 and 10",
    "two hundred"."""
    tokens = [token]
    for child in token.children:
        if child.dep_ in ("quantmod", "compound", "advmod", "amod", "cc", "conj", "nummod", "det") and (
            child.pos_ in ("NUM", "ADV", "ADP", "CCONJ", "ADJ", "DET", "PART") or child.like_num
        ):
            tokens.extend(child.subtree)
    return sorted(set(tokens), key=lambda t: t.i)


def _qualifier_before(token: Token) -> str | None:
    """A qualifier written just before a figure ("at least", "nearly")."""
    doc, lo, first = token.doc, max(0, token.idx - 25), token.i  # not doc.text: it is rebuilt per access
    while first > 0 and doc[first - 1].idx + len(doc[first - 1].text_with_ws) > lo:
        first -= 1
    written = "".join(t.text_with_ws for t in doc[first:token.i])  # = doc.text[doc[first].idx:token.idx]
    before = written[len(written) - (token.idx - lo):].lower()
    for pattern, name in _QUALIFIERS:
        if pattern.search(before):
            return name
    return None


def _count(tokens: list[Token], number: Token) -> tuple[int, str] | None:
    """The count and qualifier of a figure's tokens, falling back to the number alone with the
    qualifier written before it when the parse grouped the words oddly."""
    parsed = parse_count(" ".join(t.text for t in tokens))
    if parsed is None:
        parsed = parse_count(number.text)
        if parsed is None:
            return None
        return parsed[0], _qualifier_before(number) or parsed[1]
    if parsed[1] == "exact":
        return parsed[0], _qualifier_before(tokens[0]) or "exact"
    return parsed


def _figure(victim: Token) -> tuple[int, str, list[Token]] | None:
    """(count, qualifier, figure tokens) for a victim phrase, or None when it gives no count."""
    if victim.like_num or victim.pos_ == "NUM" or victim.lower_ in VAGUE or victim.lower_ in _UNITS:
        tokens = _number_tokens(victim)
        if victim.lower_ == "one" and any(c.lower_ == "no" for c in victim.children):
            return 0, "exact", tokens  # "no one"
        parsed = _count(tokens, victim)
        if parsed is not None:
            return parsed[0], parsed[1], tokens
    if victim.lower_ in ("nobody", "none", "noone"):
        return 0, "exact", [victim]
    if victim.lower_ == "number" and any(c.lower_ == "a" for c in victim.children):
        return VAGUE["a number"], "vague", [*victim.lefts, victim]  # "a number of soldiers"
    for child in victim.children:
        if child.dep_ == "nummod" or (child.dep_ in ("amod", "det", "quantmod") and child.lower_ in VAGUE):
            tokens = _number_tokens(child)
            parsed = _count(tokens, child)
            if parsed is not None:
                return parsed[0], parsed[1], tokens + [victim]
    for child in victim.children:
        if child.dep_ == "det" and child.lower_ == "no":
            return 0, "exact", [child, victim]
    if (victim.tag_ in ("NN", "NNP") and victim.lower_ not in ("people", "police", "personnel")
            and victim.lemma_.lower() not in _W["toll_nouns"] and not _plural_men(victim)):
        dets = [c for c in victim.children if c.dep_ in ("det", "poss") and c.lower_ not in _W["no_figure_dets"]]
        if dets:
            return 1, "exact", [*dets, victim]  # "a policeman", "the driver", "their commander"
    return None


def _plural_men(token: Token) -> bool:
    """"servicemen", "militiamen": plurals the tagger often calls singular (so "the captured
    servicemen" is no figure of one)."""
    word = token.lower_
    return word.endswith("men") and len(word) > 4 and word not in _W["singular_men_words"]


def _victim_text(victim: Token) -> tuple[str, tuple[int, int]] | None:
    """The victim phrase without its figure: "servicemen of the Azerbaijani Armed Forces"."""
    if victim.pos_ == "NUM" or victim.like_num or victim.lower_ in VAGUE or victim.lower_ in _UNITS:
        # "two of the soldiers", "dozens of civilians": the victim is the "of" object
        for child in victim.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                objects = [c for c in child.children if c.dep_ == "pobj"]
                if objects:
                    return _victim_text(objects[0])
        return None
    left = [c.left_edge for c in victim.lefts
            if c.dep_ in ("amod", "compound", "nmod") and c.lower_ not in VAGUE and c.lower_ not in _W["not_victim"]]
    start_tok = min([victim, *left], key=lambda t: t.i)
    end_i = _np_end(victim)
    doc = victim.doc
    span = doc[start_tok.i:end_i]
    return span.text, (span.start_char, span.end_char)


_NP_DEPS = {"prep", "pobj", "compound", "amod", "nmod", "nummod", "poss", "flat", "det"}



def _np_end(token: Token) -> int:
    """The end of a victim phrase: "servicemen of the Azerbaijani Armed Forces", but not
    "people, including six children" or "terrorists in the operation"."""
    end = token.i + 1
    for child in token.rights:
        if child.dep_ in _NP_DEPS and (child.dep_ != "prep" or child.lower_ == "of"):
            end = max(end, _np_end(child))
    return end


def _negated(trigger: Token) -> bool:
    return any(c.dep_ == "neg" for c in trigger.children) or (
        trigger.dep_ in _SUBJECT_COMPLEMENT_DEPS and any(c.dep_ == "neg" for c in trigger.head.children)
    )





def _unrealised(trigger: Token) -> bool:
    """"threatened to kill 10 hostages", "will kill": not a casualty (yet)."""
    if any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll") for c in trigger.children):
        return True
    return trigger.dep_ in ("xcomp", "ccomp") and trigger.head.lemma_.lower() in _W["intent_verbs"]


def _span(tokens: list[Token]) -> tuple[int, int]:
    first, last = min(tokens, key=lambda t: t.i), max(tokens, key=lambda t: t.i)
    return first.idx, last.idx + len(last.text)


# --------------------------------------------------------------------------- the finder


def find_casualties(sent: Span) -> list[Casualty]:
    """Every casualty figure in a parsed sentence (offsets index the whole document's text)."""
    found: list[Casualty] = []
    used: set[int] = set()  # token indices of figures already counted

    def add(kind: str, count: int, qualifier: str, figure: list[Token], trigger: Token,
            victim: Token | None) -> None:
        """Record a figure once, however many patterns find it."""
        key = min(t.i for t in figure)
        if key in used:
            return
        used.update(t.i for t in figure)
        described = _victim_text(victim) if victim is not None else None
        start, end = _span(figure)
        found.append(Casualty(kind, count, start, end, _span([trigger]),
                              described[0] if described else None,
                              described[1] if described else None, qualifier,
                              (sent.start_char, sent.end_char), _victim_hint(figure, victim, sent, trigger),
                              _combined(kind, trigger, end)))

    for token in sent:
        _toll(token, add)
        _zero_nouns(token, add)
    for token in sent:
        kind = _trigger_kind(token)
        if kind is None or _unrealised(token):
            continue
        negated = _negated(token)
        for victim in _victims(token, kind):
            if _lemma(token) in _W["detain_verbs"] and not _soldiers(victim):
                continue  # arrests at a protest are not captures
            figure = _figure(victim)
            if figure is None and not negated:
                continue  # "soldiers were killed": no count given
            count, qualifier, tokens = figure if figure is not None else (0, "exact", [victim])
            if negated:
                count, qualifier = 0, "exact"  # "the soldiers were not injured"
            add(kind, count, qualifier, tokens, token, victim)
        _figure_on_trigger(token, kind, add)
    found.sort(key=lambda c: (c.start, c.kind))
    return found


_Add = Callable[[str, int, str, "list[Token]", "Token", "Token | None"], None]
"""find_casualties' recorder: (kind, count, qualifier, figure tokens, trigger, victim)."""


def _figure_on_trigger(trigger: Token, kind: str, add: _Add) -> None:
    """Figures written on the casualty word itself: "7 deaths", "five dead and 11 wounded",
    "no injuries"."""
    transitive = any(c.dep_ == "dobj" for c in trigger.children)
    if kind == "captured" and trigger.pos_ == "NOUN" and trigger.head.lemma_.lower() not in _W["captive_verbs"]:
        return  # "11 of the 20 hostages were released": not a new capture
    if _lemma(trigger) in ("body", "corpse", "death"):
        _bodies(trigger, add)
    for child in trigger.children:
        if transitive and child.dep_ == "nsubj":
            continue  # "the two killed a policeman": the subject is the killer
        if child.dep_ in ("nummod", "nsubj", "nsubjpass") and (child.like_num or child.pos_ == "NUM"):
            tokens = _number_tokens(child)
            parsed = _count(tokens, child)
            if parsed is not None:
                add(kind, parsed[0], parsed[1], tokens + [trigger], trigger, None)
        elif child.dep_ == "det" and child.lower_ == "no":
            add(kind, 0, "exact", [child, trigger], trigger, None)
        elif child.dep_ == "compound" and child.pos_ == "NOUN" and _is_person(child):
            figure = _figure(child)  # "holding 3 aid workers hostage", parsed as one noun phrase
            if figure is not None:
                add(kind, figure[0], figure[1], figure[2], trigger, child)
    # "11 wounded" with the figure parsed as belonging to something else
    prev = trigger.doc[trigger.i - 1] if trigger.i > 0 and not trigger.is_sent_start else None
    if (
        prev is None or transitive or prev.head == trigger or trigger.tag_ not in ("JJ", "VBN", "NNS", "NN")
        or not (prev.like_num or prev.pos_ == "NUM")
        or prev.dep_ not in ("nummod", "nsubj", "dobj", "npadvmod", "compound")
    ):
        return
    parsed = parse_count(prev.text)
    if parsed is not None:
        add(kind, parsed[0], _qualifier_before(prev) or parsed[1], [prev, trigger], trigger, None)


def _bodies(trigger: Token, add: _Add) -> None:
    """"the bodies of 11 men were found", "the body of a soldier", "the death of two of our
    soldiers": the dead are the "of" object."""
    for prep in trigger.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for victim in prep.children:
                figure = _figure(victim) if victim.dep_ == "pobj" and _is_person(victim) else None
                if figure is not None:
                    add("killed", figure[0], figure[1], figure[2], trigger, victim)


def _toll(token: Token, add: _Add) -> None:
    """"the death toll rose to 9", "a toll of 12 dead", "the number of servicemen killed … has
    risen to six", "put the number of dead at 15"."""
    if token.lower_ == "toll":
        kind: str | None = "killed"
        window = range(token.i + 1, min(token.i + 10, token.sent.end))
        need_prep = False
    elif token.lemma_.lower() in _W["toll_nouns"] and token.pos_ == "NOUN":
        kind = _toll_kind(token)  # "the number of dead", "the number of servicemen killed"
        window = range(token.i + 2, min(token.i + 20, token.sent.end))
        need_prep = True
    else:
        return
    if kind is None:
        return
    for i in window:
        other = token.doc[i]
        if other.ent_type_ in ("DATE", "TIME", "PERCENT", "MONEY", "ORDINAL"):
            continue  # "the toll from the 2020 war"
        if other.like_num or other.pos_ == "NUM":
            if need_prep and (i == 0 or token.doc[i - 1].lower_ not in _W["toll_preps"]):
                return
            tokens = _number_tokens(other)
            parsed = _count(tokens, other)
            if parsed is not None:
                add(kind, parsed[0], parsed[1], tokens, token, None)
            return


def _toll_kind(noun: Token) -> str | None:
    """What a "number of …" counts: a casualty word within the few words after "number of"."""
    if noun.i + 1 >= len(noun.doc) or noun.doc[noun.i + 1].lower_ != "of":
        return None
    for t in noun.doc[noun.i + 2: min(noun.i + 6, noun.sent.end)]:
        if t.lower_ in ("dead", "killed", "deaths", "fatalities") or _lemma(t) in _W["killed_verbs"]:
            return "killed"
        if t.lower_ in ("wounded", "injured") or _lemma(t) in _W["injured_verbs"]:
            return "injured"
    return None


def _soldiers(victim: Token) -> bool:
    """Whether the detained are soldiers (a capture in a clash), not protesters or suspects."""
    start = min([victim, *[c for c in victim.lefts if c.dep_ in ("amod", "compound")]], key=lambda t: t.i)
    actor = normalise_actor(victim.doc[start.i:_np_end(victim)].text)
    return actor is not None and actor.kind in ("military", "police")


def _victim_hint(figure: list[Token], victim: Token | None, sent: Span, trigger: Token) -> str | None:
    """``own`` / ``enemy`` from the victim phrase ("our fighters", "servicemen of the adversary")
    or a lead-in naming the side ("On the enemy side, 47 terrorists were neutralised")."""
    words: list[str] = []
    if victim is not None:
        words = [t.lower_ for t in victim.subtree]
        if any(w in _W["back_pronouns"] for w in words) and not any(w in _W["own_words"] for w in words):
            return "unknown"  # "seven of them were killed": whose, only the previous sentence says
    if any(w in _W["enemy_words"] for w in words) or any(w in _W["hostile_nouns"] for w in words):
        return "enemy"
    if any(w in _W["own_words"] for w in words):
        return "own"
    if _lemma(trigger) == "lose":  # "the Tajik side lost up to 70 people": the loser's people
        subject = _shared_subject(trigger)
        if subject is not None:
            named = demonym_spans(" ".join(t.text for t in subject.subtree))
            if named:
                return f"side:{named[0][2]}"  # the loser's own people, whatever the noun
    first = min(t.i for t in figure)
    lead = [t.lower_ for t in sent if t.i < first]
    if "side" in lead:
        if any(w in _W["enemy_words"] for w in lead):
            return "enemy"  # "On the enemy side, 47 terrorists were neutralised"
        clause = sent.doc[sent.start:first].text
        at = clause.lower().rfind("side")
        named = demonym_spans(clause[max(0, at - 30): at + 40])  # "on the Tajik side", "the side of the FARDC"
        if named:
            return named[-1][2]
        actor = normalise_actor(clause[at + 4: at + 40]) if clause.lower()[at + 4: at + 8].startswith(" of") else None
        if actor is not None and actor.country and actor.kind in ("military", "police"):
            return actor.country
    return None


def _combined(kind: str, trigger: Token, figure_end: int) -> str | None:
    """"killed and wounded": a figure that counts two kinds together (the words follow the
    casualty word, or the figure: "lost up to 70 people killed and wounded")."""
    text = doc_text(trigger.doc)
    for start in (trigger.idx, figure_end):
        after = text[start: start + 40].lower().lstrip()
        if kind == "killed" and any(after.startswith(p) for p in _W["combined_kinds"]):
            return "injured"
    return None


def _zero_nouns(token: Token, add: _Add) -> None:
    """"no casualties", "no losses", "without casualties": nobody killed and nobody injured."""
    if _lemma(token) not in _W["both_nouns"]:
        return
    det = next((c for c in token.children if c.dep_ == "det" and c.lower_ == "no"), None)
    anchor = det if det is not None else token.head if token.head.lower_ == "without" else None
    if anchor is None:
        return
    # Both figures rest on the same words; ``add`` dedupes by the figure's first token, so each
    # gets a different first token.
    add("killed", 0, "exact", [token], token, None)
    add("injured", 0, "exact", [anchor, token], token, None)
