"""Places named in Russian text, resolved in the same gazetteer as English ones.

The gazetteer holds Latin names only. A Russian toponym is found in the parse (natasha's LOC
names; an adjective before a division noun, "Лачинского района"; a name after a settlement
noun, "село Шурнух"), turned into candidate Latin spellings by ``flashpoint.geo.cyrillic``
(aliases first: "Ханкенди" → Stepanakert, Khankendi), then a plain transliteration of its lemma,
and looked up. Countries ("Армении") are read through the Russian country names of the actor
tables. Each place keeps the Russian words it was read from (``name``, offsets) and says why
it resolved as it did (``reason``), as English places do.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

from flashpoint import lang
from flashpoint.geo.geoparse import place_at
from flashpoint.model import Event, Place

if TYPE_CHECKING:
    from flashpoint.geo.gazetteer import GazEntry, Gazetteer

__all__ = ["find_places", "latin_candidates", "refine_locations", "transliterate"]

LANG = "ru"
_DIVISION_CODES = ("ADM1", "ADM2", "ADM3")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_RU_WORD = re.compile(r"[\w-]+")
_COORDINATION = re.compile(r"\s*(?:,|и|или|,\s*и)\s*")


def _words(name: str) -> frozenset[str]:
    return lang.word_set(LANG, "places", name)


@dataclass
class _Mention:
    start: int
    end: int
    text: str
    lemma: str
    division: bool
    country: str | None = None
    kind: str = "literal"


_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
     "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def transliterate(word: str) -> str:
    """A plain Latin spelling of a Cyrillic word ("Шуша" → "Shusha"), for names the Cyrillic
    alias table does not list."""
    out = "".join(_TRANSLIT.get(ch, ch) for ch in word.lower())
    return " ".join(w[:1].upper() + w[1:] for w in out.split())


def latin_candidates(text: str, lemma: str, division: bool) -> list[str]:
    """Latin spellings to look up, likeliest first: the Cyrillic module's (aliases first), then
    a transliteration of the lemma with an adjective ending taken off ("лачинский" → "Lachin")."""
    found: list[str] = []
    try:
        from flashpoint.geo.cyrillic import latin_names

        found.extend(latin_names(text, lemma))
    except ImportError:  # the Cyrillic name table is optional: transliteration still reads most names
        pass
    words = lemma.split()
    if division and len(words) > 1:
        words = words[:-1]  # "лачинский район" → the name part
    stem = [_adjective_stem(w) for w in words]
    for spelling in (transliterate(" ".join(stem)), transliterate(" ".join(words))):
        if spelling and spelling not in found:
            found.append(spelling)
    return found


def _adjective_stem(word: str) -> str:
    for ending in ("ский", "цкий", "ской"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)] + ("ц" if ending == "цкий" else "")
    return word


def _mentions(doc: Doc) -> list[_Mention]:
    from flashpoint.extract.ru.actors import country_in

    found: dict[int, _Mention] = {}
    for ent in doc.ents:
        if ent.label_ not in ("GPE", "LOC"):
            continue
        tokens = [t for t in ent if not t.is_space]
        if not tokens or tokens[0].lemma_.lower() in _words("not_places"):
            continue
        division_noun = _division_after(tokens[-1])
        lemma = " ".join(t.lemma_.lower() for t in tokens)
        if division_noun is not None and division_noun.i >= ent.end:
            lemma = f"{lemma} {division_noun.lemma_.lower()}"
        division = division_noun is not None or tokens[-1].lemma_.lower() in _words("divisions") \
            or _division_before(ent.root)
        found[ent.start_char] = _Mention(ent.start_char, ent.end_char, ent.text, lemma, division, country_in(tokens),
                                         "metonymic" if _speaks(ent.root) else "literal")
    for tok in doc:
        if tok.lemma_.lower() in _words("divisions") and tok.pos_ == "NOUN":
            for adj in _named_adjectives(tok):
                if adj.idx not in found and adj.text[:1].isupper():
                    found[adj.idx] = _Mention(adj.idx, adj.idx + len(adj.text), adj.text,
                                              f"{adj.lemma_.lower()} {tok.lemma_.lower()}", True)
        if tok.lemma_.lower() in _words("settlements"):
            for name in (c for c in tok.children if c.dep_ in ("appos", "flat", "flat:name", "nmod") and c.text[:1].isupper()):
                if name.idx not in found:
                    found[name.idx] = _Mention(name.idx, name.idx + len(name.text), name.text, name.lemma_.lower(), False)
    return sorted(found.values(), key=lambda m: m.start)


def _division_before(token: Token) -> bool:
    """"в провинции Дейр-эз-Зор", "Баткенского района село …": a division noun the name stands in
    apposition to, written before it."""
    head = token.head
    return head.i < token.i and head.lemma_.lower() in _words("divisions") and token.dep_ in ("appos", "flat", "flat:name", "nmod")


def _speaks(token: Token) -> bool:
    """"в Баку заявили", "Ереван сообщил": a place standing for the government that speaks
    (metonymic, as the English "Moscow said"), not a scene."""
    verb = token.head
    if verb.lemma_.lower() not in _speech_verbs():
        return False
    if token.dep_ == "nsubj":
        return True
    return token.dep_ in ("obl", "nmod") and any(c.lemma_.lower() == "в" for c in token.children if c.dep_ == "case")


def _speech_verbs() -> frozenset[str]:
    return lang.word_set(LANG, "attribution", "speech_verbs")


def _division_after(token: Token) -> Token | None:
    """The division noun an adjective modifies ("Лачинского" → "района"), directly or through a
    coordination ("Лачинского и Кельбаджарского районов")."""
    node = token
    for _ in range(2):
        if node.dep_ in ("amod", "conj") and node.head.i != node.i:
            node = node.head
            if node.lemma_.lower() in _words("divisions"):
                return node
    return None


def _named_adjectives(noun: Token) -> list[Token]:
    adjectives = [c for c in noun.children if c.dep_ == "amod" and c.pos_ in ("ADJ", "PROPN")]
    adjectives += [g for a in adjectives for g in a.children if g.dep_ == "conj" and g.pos_ in ("ADJ", "PROPN")]
    return adjectives


def find_places(doc: Doc, gazetteer: Gazetteer) -> list[Place]:
    """Every toponym in a Russian document, resolved against the gazetteer (the likeliest
    entry given the division/settlement wording and the document's other places)."""
    mentions = _mentions(doc)
    options = [_lookup(m, gazetteer) for m in mentions]
    votes: Counter[str] = Counter()
    for found in options:
        for cc in {e.country_code for e, _ in found[:3]}:
            votes[cc] += 1
    return [_resolve(m, found, votes) for m, found in zip(mentions, options, strict=True)]


def _lookup(m: _Mention, gazetteer: Gazetteer) -> list[tuple[GazEntry, str]]:
    """Gazetteer entries for a mention, with the Latin spelling that found each."""
    if m.country is not None:
        entry = gazetteer.country(m.country)
        if entry is not None:
            return [(entry, m.country)]
    seen: dict[int, tuple[GazEntry, str]] = {}
    names = latin_candidates(m.text, m.lemma, m.division)
    # A spelling the gazetteer knows exactly beats a loose match of a likelier one ("Sudzha"
    # exactly, not "Sucha" loosely); among equals the likeliest spelling wins.
    exact = [n for n in names if gazetteer.is_name(n, loose=False)]
    for name in exact[:1] or names:
        for entry in gazetteer.lookup(name, limit=10):
            seen.setdefault(entry.geonameid, (entry, name))
        if seen:
            break  # the likeliest spelling that is known wins; later ones are guesses
    return list(seen.values())


def _resolve(m: _Mention, found: list[tuple[GazEntry, str]], votes: Counter[str]) -> Place:
    place = Place(name=m.text, start=m.start, end=m.end, kind=m.kind)
    if not found:
        place.reason = f"not in the gazetteer (tried {', '.join(latin_candidates(m.text, m.lemma, m.division)[:3])})"
        return place

    def score(item: tuple[int, tuple[GazEntry, str]]) -> float:
        rank, (entry, _) = item
        s = -float(rank) + 0.5 * votes[entry.country_code]  # the gazetteer's order is its prior
        if m.division and entry.feature_code in _DIVISION_CODES:
            s += 3.0  # "Лачинский район" is the district, not the town
        if not m.division and entry.feature_class == "P":
            s += 2.5  # a bare name is the town more often than its namesake district
        return s

    _, (entry, spelling) = max(enumerate(found), key=score)
    place_at(place, entry)
    place.score = round(score((0, (entry, spelling))), 3)
    wording = "written as a division" if m.division else "written as a place"
    if m.kind == "metonymic":
        wording += ", standing for who speaks there (not a scene)"
    place.reason = f"Russian '{m.text}' (lemma '{m.lemma}') read as '{spelling}', {wording}; {len(found)} candidate(s)"
    place.alternatives = [e.to_dict() for e, _ in found if e.geonameid != entry.geonameid][:3]
    return place


def refine_locations(events: list[Event], places: list[Place], text: str) -> None:
    """What the shared locator reads from English wording, read from the Russian: the event's
    location in Latin letters (the gazetteer's name, not "Лачинского"), geo_precision 2 for a
    town's surroundings ("в окрестностях Шуши", "близ", "в направлении") and for a district
    written as one ("Лачинского района"), as ACLED codes them."""
    by_start = {p.start: p for p in places}
    for event in events:
        spans = event.evidence.get("location", [])
        place = next((by_start[a] for a, _ in spans if a in by_start), None)
        if place is None:
            continue
        if event.location and _CYRILLIC.search(event.location) and place.resolved_name:
            event.location = place.resolved_name
        if event.geo_precision is None or event.geo_precision < 1:
            continue
        division = (place.feature_code or "").startswith(_DIVISION_CODES)
        if division and event.geo_precision == 3 and _written_as_division(text, place):
            event.geo_precision = 2
        elif not division and event.geo_precision == 1 and _near(text, place, places):
            event.geo_precision = 2


def _near(text: str, place: Place, places: list[Place]) -> bool:
    """A vicinity word in the few words before the place (walking back over coordinated places)."""
    start = place.start
    for q in sorted(places, key=lambda q: -q.start):
        if q.end <= start and _COORDINATION.fullmatch(text[q.end:start]):
            start = q.start
    before = _RU_WORD.findall(text[max(0, start - 40):start].lower())[-3:]
    vicinity = _words("vicinity")
    from flashpoint.nlp.ru import normal_form

    return any(w in vicinity or normal_form(w) in vicinity for w in before)


def _written_as_division(text: str, place: Place) -> bool:
    after = _RU_WORD.findall(text[place.start:place.end + 40].lower())[:5]
    from flashpoint.nlp.ru import normal_form

    return any(normal_form(w) in _words("divisions") for w in after)
