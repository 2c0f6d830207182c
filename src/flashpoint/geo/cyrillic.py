"""Latin spellings of Russian place names, so the gazetteer (which holds no Cyrillic) can find them.

A Russian report names a place inflected («в Шуше», «Кельбаджарского района», «Суджи»), often as an
adjective of the place («в Лачинском районе»), and sometimes by a name the gazetteer does not know
in any romanisation (Степанакерт for Khankendi, Басаркечар for Vardenis). ``latin_names`` turns one
such surface into the Latin names to look up, best first:

1. aliases (``lang/ru/place_aliases.tsv``: Russian name or place adjective → English gazetteer name);
2. BGN/PCGN transliteration of the name's nominative (``lang/ru/translit.tsv``), and the other
   spellings gazetteers carry (``translit_variants.tsv``: dzh → j, iy → i, …).

The nominative comes from pymorphy2's normal forms when it is installed, and from suffix rules in
``lang/ru/place_adjective_suffixes.tsv`` for place adjectives; generic words («район», «село»,
``place_words.txt``) are dropped. Pure functions; the data is read once, on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from flashpoint.lang import table, words

__all__ = ["is_division", "latin_names", "lookup_russian", "nominatives", "transliterate"]

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_VOWELS = frozenset("аеёиоуыэюяйъь")
_ADJECTIVE = re.compile(r"(?:ск|цк)(?:ий|ой|ая|ое|ие)$")
"""A place adjective's lemma («лачинский», «донецкий», «сумской»)."""


def latin_names(name: str, lemma: str | None = None) -> list[str]:
    """Latin names to look up for a Russian toponym as written (any case), best first.

    ``lemma`` is the phrase's lemma when the caller has one (natasha: «Лачинский район» for «Лачинском
    районе»); it is tried before the forms derived here. A name already in Latin letters is returned
    as it is.
    """
    name = " ".join(name.split())
    if not name:
        return []
    if not _CYRILLIC.search(name):
        return [name]
    forms = _dedupe([*(nominatives(lemma) if lemma else []), *nominatives(name)])
    out = [alias for form in forms for alias in _aliases(form)]
    for form in forms:
        out += _spellings(form)
    return _dedupe(out)


class Names(Protocol):
    """What ``lookup_russian`` needs of a gazetteer (``flashpoint.geo.gazetteer.Gazetteer`` has it)."""

    def lookup(self, name: str, *, country_code: str | None = None, limit: int = 20) -> list[Any]: ...

    def is_name(self, text: str, *, loose: bool = True) -> bool: ...


def lookup_russian(gazetteer: Names, name: str, lemma: str | None = None,
                   countries: Mapping[str, int] | None = None) -> tuple[str, Any] | None:
    """The gazetteer entry a Russian toponym most likely names, with the Latin name that found it.

    The first Latin candidate the gazetteer knows exactly wins (else the first with a loose match);
    among its entries, a division for «… области», «… района», else a town (a country always fits);
    ``countries`` (ISO code → weight: the countries of the document's other places) breaks ties
    between same-named places («Горис» is in Armenia, not Georgia's Gori).
    """
    candidates = latin_names(name, lemma)
    chosen = next((c for c in candidates if gazetteer.is_name(c, loose=False)), None)
    if chosen is None:
        chosen = next((c for c in candidates if gazetteer.lookup(c, limit=1)), None)
    if chosen is None:
        return None
    entries = gazetteer.lookup(chosen, limit=10)
    division = is_division(name)
    fitting = [e for e in entries if e.feature_code.startswith("PCL") or division == (e.feature_class == "A")]
    weights = countries or {}
    ranked = sorted(fitting or entries, key=lambda e: -weights.get(e.country_code, 0))  # stable: prior kept
    return chosen, ranked[0]


def is_division(name: str) -> bool:
    """Whether the phrase names an administrative division («Лачинском районе», «Курской области»),
    so that a lookup prefers the division to the town of the same name."""
    divisions = _division_words()
    return any(_word_forms(t)[0][0] in divisions for t in name.split())


def nominatives(name: str) -> list[str]:
    """The name's nominative forms, lower case, generic words dropped, best first:
    «Лачинском районе» → ["лачин", …, "лачинский"], «в Шуше» → ["шуша", …], «Новой Каховке» →
    ["новая каховка", …]. Known place names (pymorphy2 Geox) come first, then nouns derived from a
    place adjective, other normal forms, the word as written, case-ending guesses, the adjective."""
    tokens = [t for t in name.split() if _fold(t) not in _PREPOSITIONS]
    kept = [t for t in tokens if _word_forms(t)[0][0] not in _place_words()]
    if not kept:
        return []
    if len(kept) > 1:
        # A phrase: each word put in the nominative as it agrees («Нагорного Карабаха» → «нагорный
        # карабах», «Новой Каховке» → «новая каховка»), then as written.
        return _dedupe([" ".join(_nominative_in_phrase(t) for t in kept), " ".join(_fold(t) for t in kept)])
    ranked: list[tuple[int, int, int, str]] = []
    for order, (form, rank) in enumerate(_word_forms(kept[0])):
        if _is_adjective(form):
            ranked.append((5, order, 0, form))
            ranked += [(0 if known else 1, order, rule, noun)
                       for rule, (noun, known) in enumerate(_adjective_nouns(form))]
        else:
            ranked.append((rank, order, 0, form))
    return _dedupe(form for *_, form in sorted(ranked))


def transliterate(text: str) -> str:
    """BGN/PCGN romanisation of Russian text (other characters kept), each word capitalised."""
    table_ = _translit()
    out: list[str] = []
    previous = ""
    for ch in text:
        low = ch.lower()
        if low in table_:
            bgn, initial = table_[low]
            latin = initial if (not previous or not previous.isalpha() or previous in _VOWELS) and initial else bgn
            if not previous or not previous.isalpha():
                latin = latin[:1].upper() + latin[1:]
            out.append(latin)
        else:
            out.append(ch)
        previous = low
    return "".join(out)


# --- internals ------------------------------------------------------------------------------

_PREPOSITIONS = frozenset({"в", "во", "на", "из", "у", "под", "близ", "возле", "около", "от", "до", "к", "с", "со",
                           "по", "за", "над", "при", "через"})


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.lower()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


@functools.cache
def _place_words() -> frozenset[str]:
    return frozenset(_fold(w) for w in words("ru", "place_words"))


@functools.cache
def _division_words() -> frozenset[str]:
    return frozenset(_fold(w) for w in words("ru", "division_words"))


@functools.cache
def _translit() -> dict[str, tuple[str, str]]:
    return {r["letter"]: (r["bgn"], r["initial"] or r["bgn"]) for r in table("ru", "translit")}


@functools.cache
def _variants() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r["pattern"]), r["replacement"]) for r in table("ru", "translit_variants"))


@functools.cache
def _adjective_rules() -> tuple[tuple[str, str], ...]:
    return tuple((r["adjective"], r["noun"]) for r in table("ru", "place_adjective_suffixes"))


@functools.cache
def _case_rules() -> tuple[tuple[str, str], ...]:
    return tuple((r["ending"], r["nominative"]) for r in table("ru", "place_case_endings"))


@functools.cache
def _alias_table() -> dict[str, list[str]]:
    """Alias keys: each Russian name folded, and its nominative phrase (so inflected text finds it)."""
    out: dict[str, list[str]] = {}
    for row in table("ru", "place_aliases"):
        keys = {_fold(row["russian"]), *nominatives(row["russian"])[:1]}
        for key in keys:
            names = out.setdefault(key, [])
            if row["english"] not in names:
                names.append(row["english"])
    return out


def _aliases(form: str) -> list[str]:
    return list(_alias_table().get(_fold(form), []))


@functools.cache
def _morph() -> Any:
    """natasha's morphology vocabulary (pymorphy2 with natasha's settings and its Python 3.11 fix), so
    lemmas here are the ones the Russian pipeline sees; None when natasha is not installed (suffix
    rules then work alone)."""
    try:
        from natasha import MorphVocab  # heavy: loaded on first use only
    except ImportError:  # pragma: no cover - natasha is a dependency
        return None
    return MorphVocab()


@functools.cache
def _word_forms(token: str) -> tuple[tuple[str, int], ...]:
    """A word's possible nominatives with a rank (0 a known place name, 2 another normal form, 3 the
    word as written, 4 a case-ending guess). Hyphenated names («Дейр-эз-Зора», «Ак-Сая») inflect
    only their last part."""
    low = _fold(token)
    if "-" in low:
        head, _, last = low.rpartition("-")
        return tuple((f"{head}-{form}", rank) for form, rank in _word_forms(last)) + ((low, 3),)
    out: list[tuple[str, int]] = []
    morph = _morph()
    if morph is not None:
        parses = sorted(morph.parse(low), key=lambda p: (not _is_place_parse(p), -p.score))
        known = morph.word_is_known(low)  # a guessed parse of an unknown word is no place name
        out += [(_fold(p.normal_form), 0 if known and _is_place_parse(p) else 2) for p in parses
                if p.tag.POS in ("NOUN", "ADJF", None)]
    out.append((low, 3))
    for ending, nominative in _case_rules():
        if low.endswith(ending) and len(low) > len(ending) + 1:
            out.append((low[: len(low) - len(ending)] + nominative, 4))
    best: dict[str, int] = {}
    for form, rank in out:
        best[form] = min(rank, best.get(form, rank))
    return tuple(sorted(best.items(), key=lambda item: item[1]))


def _nominative_in_phrase(token: str) -> str:
    """A word of a multi-word name in the nominative, keeping its gender and number."""
    low = _fold(token)
    morph = _morph()
    if morph is None or "-" in low:
        return _word_forms(token)[0][0]
    parse = sorted(morph.parse(low), key=lambda p: (not _is_place_parse(p), -p.score))[0]
    inflected = parse.inflect({"Nom"})  # natasha takes UD feature names
    return _fold(inflected.word) if inflected else _fold(parse.normal_form)


def _is_place_parse(parse: Any) -> bool:
    return "Geox" in parse.tag or ("Name" in parse.tag and parse.tag.POS == "NOUN")


def _is_adjective(form: str) -> bool:
    return _ADJECTIVE.search(form) is not None


def _adjective_nouns(adjective: str) -> list[tuple[str, bool]]:
    """Nouns a place adjective may come from, with whether pymorphy2 knows each as a place name."""
    candidates = _dedupe(adjective[: len(adjective) - len(ending)] + noun for ending, noun in _adjective_rules()
                         if adjective.endswith(ending) and len(adjective) > len(ending) + 1)
    morph = _morph()
    return [(c, morph is not None and morph.word_is_known(c)
             and any("Geox" in p.tag and _fold(p.normal_form) == c for p in morph.parse(c)))
            for c in candidates]


_MAX_SPELLINGS = 32
"""Rewrites combine (dzh → j and iy → i in one name): at most this many spellings per form."""


def _spellings(form: str) -> list[str]:
    """A nominative's BGN/PCGN spelling and the variants gazetteers carry: each rewrite alone first,
    then rewrites combined."""
    bgn = transliterate(_title(form))
    out = _dedupe([bgn.replace("'", "").replace('"', ""), bgn.replace('"', "")])
    out = _dedupe(out + [pattern.sub(replacement, out[0]) for pattern, replacement in _variants()])
    for pattern, replacement in _variants():
        if len(out) >= _MAX_SPELLINGS:
            break
        out = _dedupe(out + [pattern.sub(replacement, base) for base in out])
    return out[:_MAX_SPELLINGS]


def _title(form: str) -> str:
    """«дейр-эз-зор» → «Дейр-Эз-Зор»: each part capitalised (the gazetteer ignores case)."""
    return re.sub(r"(^|[\s-])(\w)", lambda m: m.group(1) + m.group(2).upper(), form)
