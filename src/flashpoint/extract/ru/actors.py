"""Actors in Russian text, normalised to ACLED's English canonical names.

Two sources, longest match first:
1. ``lang/ru/actors.tsv`` (lemma sequences as natasha/pymorphy2 give them → an ACLED actor):
   "вооруженный сила азербайджан" → Military Forces of Azerbaijan.
2. A head noun (``lang/ru/actor_heads.tsv``: военнослужащий → soldiers) with a country named in
   its phrase (a noun "Армении" or an adjective "армянские", ``lang/ru/country_words.tsv`` and
   pycountry's Russian country names): the English normaliser reads "soldiers of Armenia".

Countries alone ("Армения предприняла попытку") are read by ``country_of`` for the roles.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from flashpoint import lang
from flashpoint.extract import actors as en_actors
from flashpoint.extract.actors import Actor, ActorMention

__all__ = ["country_in", "country_of", "find_actor_mentions", "normalise_phrase", "state_forces"]

_PHRASE_DEPS = frozenset({"amod", "nmod", "flat", "flat:name", "appos", "compound", "det", "nummod", "nummod:gov",
                          "case", "conj", "cc", "punct"})
"""Dependents that stay inside an actor's noun phrase (clauses, verbs and adverbs do not)."""


@dataclass(frozen=True)
class _Row:
    lemmas: tuple[str, ...]
    actor: str
    """ACLED's name as the table writes it; ``{country}`` stands for the event's country."""
    country: str | None
    inter: int | None


@functools.cache
def _table_entries() -> dict[str, tuple[_Row, ...]]:
    """``lang/ru/actors.tsv`` keyed by first lemma, longest first (empty until the file exists)."""
    try:
        rows = lang.table("ru", "actors")
    except FileNotFoundError:
        return {}
    index: dict[str, list[_Row]] = {}
    for row in rows:
        lemmas = tuple(row.get("lemmas", "").lower().replace("ё", "е").split())
        if not lemmas or not row.get("actor"):
            continue
        inter = row.get("inter", "")
        index.setdefault(lemmas[0], []).append(
            _Row(lemmas, row["actor"], row.get("country") or None, int(inter) if inter.isdigit() else None))
    return {k: tuple(sorted(v, key=lambda e: -len(e.lemmas))) for k, v in index.items()}


@functools.lru_cache(maxsize=4096)
def _row_actor(row: _Row, default_country: str | None) -> Actor | None:
    """The table row's actor, ``{country}`` filled with the country its phrase names, else the
    event's (or left out)."""
    name = row.actor.replace("{country}", default_country) if default_country else \
        row.actor.replace(" ({country})", "").replace("{country}", "")
    actor = en_actors.normalise_actor(name, default_country=row.country or default_country)
    if actor is not None and row.inter is not None and row.inter != actor.inter:
        actor = Actor(actor.name, row.inter, actor.country, actor.kind, actor.unit, actor.nationality)
    return actor


@functools.cache
def _heads() -> dict[str, str]:
    return {row["lemma"]: row["english"] for row in lang.table("ru", "actor_heads")}


@functools.cache
def _countries() -> dict[tuple[str, ...], tuple[str, bool]]:
    """Lemma sequences naming a country → (the English country name, whether the words must be
    capitalised: pycountry's names are proper nouns, and "Того" must not match "в том числе")."""
    from flashpoint.nlp.ru import normal_form

    found: dict[tuple[str, ...], tuple[str, bool]] = {}
    try:
        import gettext

        import pycountry

        ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
        for country in pycountry.countries:
            english = en_actors.country_name(getattr(country, "common_name", None) or country.name)
            if english is None:
                continue
            for name in {ru.gettext(country.name), ru.gettext(getattr(country, "common_name", country.name))}:
                if any("а" <= ch <= "я" for ch in name.lower()):
                    found[tuple(normal_form(w) for w in name.replace(",", " ").split())] = (english, True)
    except (ImportError, OSError):  # pycountry's Russian names are a help, not a need
        pass
    for row in lang.table("ru", "country_words"):
        english = en_actors.country_name(row["country"]) or row["country"]
        found[tuple(row["lemma"].split())] = (english, False)
    return found


def country_of(token: Token) -> str | None:
    """The country a single word names ("Армении", "армянские"), or None."""
    return country_in([token])


def country_in(tokens: Iterable[Token]) -> str | None:
    """The first country named among ``tokens`` (multi-word names too: "Российская Федерация")."""
    items = list(tokens)
    index = _countries()
    for i in range(len(items)):
        for n in (3, 2, 1):
            window = items[i:i + n]
            found = index.get(tuple(t.lemma_.lower() for t in window)) if len(window) == n else None
            if found is not None and (not found[1] or window[0].text[:1].isupper()):
                return found[0]
    return None


def state_forces(country: str) -> Actor | None:
    """A state named as a doer of violence acts through its armed forces (as in English)."""
    return en_actors.normalise_actor(f"the armed forces of {country}", default_country=country)


def _phrase_tokens(head: Token) -> list[Token]:
    """The head and its noun-phrase dependents, not clauses (linear in the phrase)."""
    found = [head]
    stack = [c for c in head.children if c.dep_ in _PHRASE_DEPS]
    while stack:
        tok = stack.pop()
        if tok.pos_ in ("VERB", "AUX") and tok.dep_ not in ("amod",):
            continue
        found.append(tok)
        stack.extend(c for c in tok.children if c.dep_ in _PHRASE_DEPS and c.dep_ != "conj")
    return sorted(found, key=lambda t: t.i)


def normalise_phrase(head: Token, default_country: str | None = None) -> Actor | None:
    """The actor a noun phrase headed by ``head`` denotes (table first, then head noun + country)."""
    tokens = _phrase_tokens(head)
    for mention in _table_matches(tokens, default_country):
        return mention[2]
    english = _heads().get(head.lemma_.lower())
    if english is None:
        return None
    country = country_in(t for t in tokens if t.i != head.i)
    phrase = f"{english} of {country}" if country else english
    return en_actors.normalise_actor(phrase, default_country=country or default_country)


def _table_matches(tokens: list[Token], default_country: str | None) -> list[tuple[int, int, Actor]]:
    """Matches of ``lang/ru/actors.tsv`` in a token run: (first index, last index + 1, actor)."""
    index = _table_entries()
    found: list[tuple[int, int, Actor]] = []
    words = [t for t in tokens if not t.is_punct]  # the table's lemmas drop punctuation
    i = 0
    while i < len(words):
        step = 1
        for row in index.get(words[i].lemma_.lower(), ()):
            n = len(row.lemmas)
            window = words[i:i + n]
            if len(window) == n and all(t.lemma_.lower() == w or t.lower_ == w for t, w in zip(window, row.lemmas)):
                # "армянские террористы": a country the phrase names fills the row's {country}.
                named = country_in(_left_adjectives(window[0]) + _phrase_tokens(window[-1])) \
                    if "{country}" in row.actor else None
                actor = _row_actor(row, named or default_country)
                if actor is None:
                    continue
                found.append((window[0].i, window[-1].i + 1, actor))
                step = n
                break
        i += step
    return found


def _left_adjectives(token: Token) -> list[Token]:
    """Adjectives written just before a word, whatever the parse made of them ("кыргызские
    военные" where "кыргызские" hangs from the verb)."""
    found: list[Token] = []
    i = token.i - 1
    while i >= token.sent.start and token.doc[i].pos_ == "ADJ":
        found.insert(0, token.doc[i])
        i -= 1
    return found


def find_actor_mentions(doc: Doc, *, default_country: str | None = None) -> list[ActorMention]:
    """Every actor phrase in the document: table matches, and head nouns with their phrase."""
    found: list[ActorMention] = []
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_space]
        for start, end, actor in _table_matches(tokens, default_country):
            span = doc[start:end]
            found.append(ActorMention(span.start_char, span.end_char, span.text, actor, span.root.i))
        for tok in tokens:
            if tok.lemma_.lower() not in _heads() or tok.pos_ not in ("NOUN", "PROPN", "ADJ"):
                continue
            named = normalise_phrase(tok, default_country)
            if named is None:
                continue
            span = _span_of(doc, _phrase_tokens(tok), sent)
            found.append(ActorMention(span.start_char, span.end_char, span.text, named, tok.i))
    chosen: list[ActorMention] = []
    for mention in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
        if all(mention.end <= c.start or mention.start >= c.end for c in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)


def _span_of(doc: Doc, tokens: list[Token], sent: Span) -> Span:
    """The contiguous span from the phrase's first to last word, trimmed of edge punctuation and
    of prepositions before the head ("в", "на": a case marker, not part of the name)."""
    lo, hi = tokens[0].i, tokens[-1].i
    while lo < hi and (doc[lo].is_punct or doc[lo].pos_ in ("ADP", "CCONJ")):
        lo += 1
    while hi > lo and doc[hi].is_punct:
        hi -= 1
    return doc[max(lo, sent.start):min(hi + 1, sent.end)]
