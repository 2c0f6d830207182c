"""Geoparsing: find every place a text names, resolve each to the gazetteer, and place events.

Three steps, each a small function:

1. **Recognition** (:meth:`Geoparser.mentions`): spaCy's GPE/LOC/FAC entities (after
   ``flashpoint_entity_fixes_v1``), demonyms ("Turkish troops" → Turkey, adjectival), place patterns
   ("near X", "the outskirts of X", "the village of X", "the X–Y road") and a longest-match scan
   of capitalised 1–4-word names against the gazetteer's key set, in which the NER's label is one
   signal among cues ("in X"), descriptors ("X village", "X district", "X heights"), lists of
   places, size, and filters (sentence-initial and lower-case-elsewhere words, people's names).
   Dates and numbers are never places; a word of a person's name named elsewhere only with a cue.
2. **Disambiguation** (:meth:`Geoparser.places`): every candidate the gazetteer offers is scored by
   prior (feature class, population, the gazetteer's rank), the document's country focus
   (countries and demonyms named, the outlet's country), administrative containment
   ("Paris, Texas", "Sotk in Gegharkunik Province", "Syria's Idlib province") and proximity to
   the document's other places. Each choice keeps its score, its reason and the runners-up.
3. **Event location** (:meth:`Geoparser.locate`): the most specific literal place in an event's
   sentence(s), with ACLED's geo_precision.

The module does no I/O: it reads a parsed ``Doc`` and a :class:`~flashpoint.geo.gazetteer.Gazetteer`.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spacy.tokens import Doc, Span, Token

from flashpoint.geo.gazbuild import REGION_ID_BASE
from flashpoint.geo.geodesy import haversine_km
from flashpoint.geo.scene import Role, scene_order
from flashpoint.lang import table, words
from flashpoint.model import Place
from flashpoint.nlp.components import (
    ADMIN_SUFFIXES,
    ARTICLES,
    NAME_PARTICLES,
    PERSON_TITLES,
    UPPERCASE_COUNTRIES,
    WEAK_SUFFIXES,
    demonym_country,
)

if TYPE_CHECKING:
    from spacy.language import Language

    from flashpoint.geo.gazetteer import GazEntry, Gazetteer

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
NOT_PLACE_LABELS = frozenset({
    "PERSON", "ORG", "DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL",
    "WORK_OF_ART", "LAW", "EVENT", "PRODUCT", "LANGUAGE", "NORP",
})

STRONG_CUES: frozenset[str] = words("en", "place_cues_strong")
"""Words before a capitalised name that make it a place even if the gazetteer does not know it."""

SETTLEMENT_CUES = words("en", "place_cues_settlement")
DIVISION_CUES = words("en", "place_cues_division")
"""Cues that make the name after them an administrative division ("the state of X")."""

WEAK_PREPOSITIONS = words("en", "place_cues_weak")
"""Words before a capitalised name that make it a place if the gazetteer knows it."""

ROUTE_WORDS = words("en", "route_words")

AGENT_VERBS = words("en", "agent_verbs")
"""Verbs whose subject is a government, not ground: "Moscow said", "Armenia attempted"."""

AGENT_NOUNS = words("en", "agent_nouns")
"""Head nouns after a possessive place that make it metonymic: "Moscow's decision"."""

AP_STATES = {r["abbreviation"]: r["state"] for r in table("en", "us_state_abbreviations")}
"""US state abbreviations in news style ("SPRINGFIELD, Ill."), read only after "Town,"."""

ADM1_SUFFIXES = words("en", "adm1_suffixes")
"""Suffixes that usually name a first-level division ("Sagaing Region", "Idlib Governorate")."""

COMPASS_WORDS = words("en", "compass_words")

CALENDAR_WORDS = words("en", "calendar_words")

FEATURE_PRIOR = {
    "PCLI": 1.0, "PCLD": 0.8, "PCLF": 0.8, "PCLS": 0.8, "PCLIX": 0.8, "PCL": 0.8, "TERR": 0.6,
    "PPLC": 0.85, "ADM1": 0.7, "PPLA": 0.65, "ADM2": 0.5, "PPLA2": 0.45, "CONT": 0.6, "RGN": 0.4,
    "PPLA3": 0.35, "PPLA4": 0.3, "ADM3": 0.3, "PPL": 0.3, "PPLX": 0.15,
    # Natural features and regions (lang/en/regions.tsv): ranked as the large things they are.
    "OCN": 0.9, "SEA": 0.7, "LK": 0.5, "ISL": 0.6, "PEN": 0.6, "DSRT": 0.6, "STM": 0.45, "DLTA": 0.5,
    "MTS": 0.55, "MT": 0.5, "VAL": 0.5,
}
FEATURE_PRIOR["CONT"] = 1.0
FEATURE_PRIOR["RGN"] = 0.6

LARGE_FEATURES = frozenset({"RGN", "CONT", "OCN", "SEA", "LK", "ISL", "PEN", "DSRT", "STM", "DLTA"})
"""Regions and natural features the size of a first-level division or larger."""
LOCAL_FEATURES = frozenset({"MTS", "MT", "VAL"})
"""Mountains and valleys: the size of a district (an event there is "near" its towns, precision 2)."""
CLASS_PRIOR = {"A": 0.4, "P": 0.25, "L": 0.2, "T": 0.15, "H": 0.15, "S": 0.1, "V": 0.05, "R": 0.05, "U": 0.0}

HYPHENS = frozenset({"-", "‐", "‑"})

SPECIFICITY = {"country": 4, "adm1": 3, "adm2": 2, "adm3": 1, "point": 0}

MAX_CANDIDATES = 10

LOOSE_RADIUS_KM = 1_000.0
"""A place found only by a loose spelling must lie in, or this near, a country the text is about."""

CONTEXT_PASSES = 3
"""Rounds of re-ranking with the other mentions' choices (containment, proximity, focus)."""


# ---------------------------------------------------------------------------------------------
# Data


@dataclass
class Mention:
    """A toponym found in the text, before resolution."""

    start: int
    end: int
    """Character offsets of the name as written (without "the")."""
    tok_start: int
    tok_end: int
    text: str
    query: str
    """The name to look up ("Kalbajar" for "Kalbajar Districts")."""
    kind: str = "literal"
    division: bool = False
    """Written with an administrative word ("X District"): prefer divisions."""
    suffix: str = ""
    """The administrative word written after the name ("Districts"); not part of the span."""
    settlement: bool = False
    """Written as "the city/town/village of X": prefer populated places."""
    country_code: str | None = None
    """Set for demonyms and names that are exactly a country's."""
    source: str = "ner"
    output: bool = True
    """False for mentions that only inform the country focus (a demonym inside an organisation's name)."""
    container: int | None = None
    """Index of a mention that contains this one ("Paris, Texas": Texas contains Paris)."""


@dataclass
class EventLocation:
    """Where an event happened, in ACLED's terms, with the spans it was read from."""

    location: str
    country: str | None
    admin1: str | None
    admin2: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int
    geonameid: int | None
    spans: list[tuple[int, int]] = field(default_factory=list)
    reason: str = ""
    """Why this place is the event's: its role in the sentence, and the places passed over."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "location": self.location, "country": self.country, "admin1": self.admin1,
            "admin2": self.admin2, "latitude": self.latitude, "longitude": self.longitude,
            "geo_precision": self.geo_precision, "geonameid": self.geonameid,
            "spans": [list(s) for s in self.spans], "reason": self.reason,
        }


@dataclass
class _Scored:
    entry: GazEntry
    score: float
    reasons: list[str]


# ---------------------------------------------------------------------------------------------
# Geometry and feature helpers




def level(entry: GazEntry) -> str:
    """How large a thing the entry is: country, adm1, adm2, adm3 or point."""
    return _level_of_code(entry.feature_code or "")


@functools.cache
def _level_of_code(code: str) -> str:
    if code.startswith("PCL") or code == "TERR":
        return "country"
    if code in {"ADM1", "ADM1H"} or code in LARGE_FEATURES:
        return "adm1"
    if code in {"ADM2", "ADM2H"} or code in LOCAL_FEATURES:
        return "adm2"
    if code.startswith("ADM"):
        return "adm3"
    return "point"


def _is_feature(entry: GazEntry) -> bool:
    """A region or natural feature from the regions file (its every name means it)."""
    return entry.geonameid >= REGION_ID_BASE


def place_at(place: Place, entry: GazEntry) -> None:
    """Give ``place`` the gazetteer entry's identity: id, point, country, divisions (none for a
    country itself), feature code and name."""
    place.geonameid = entry.geonameid
    place.latitude, place.longitude = entry.latitude, entry.longitude
    place.country, place.country_code = entry.country, entry.country_code
    lvl = level(entry)
    place.admin1, place.admin2 = (None, None) if lvl == "country" else _division_name(entry, lvl)
    place.feature_code = entry.feature_code
    place.resolved_name = entry.name


def _division_name(entry: GazEntry, lvl: str) -> tuple[str | None, str | None]:
    """(admin1, admin2) of an entry: its own name counts only for an administrative division."""
    if entry.feature_class != "A":
        return entry.admin1, entry.admin2
    return (entry.admin1 or (entry.name if lvl == "adm1" else None),
            entry.admin2 or (entry.name if lvl == "adm2" else None))


def _prior(entry: GazEntry, rank: int, n: int) -> tuple[float, str]:
    feat = FEATURE_PRIOR.get(entry.feature_code, CLASS_PRIOR.get(entry.feature_class, 0.0))
    pop = math.log10(entry.population + 1) / 8 if entry.population else 0.0
    if _is_feature(entry):
        pop = 0.8  # a region or natural feature counts as a few million people's place
    rank_term = 0.15 * (1 - rank / max(n, 1))
    return feat + pop + rank_term, f"{entry.feature_code or entry.feature_class}, population {entry.population:,}"


def _contains(outer: GazEntry, inner: GazEntry) -> bool:
    """Whether ``outer`` (a country or division) administratively contains ``inner``."""
    if outer.geonameid == inner.geonameid or outer.country_code != inner.country_code:
        return False
    lvl = level(outer)
    if lvl == "country":
        return True
    if lvl == "adm1":
        return bool(inner.admin1) and inner.admin1 == (outer.admin1 or outer.name)
    if lvl == "adm2":
        return bool(inner.admin2) and inner.admin2 == (outer.admin2 or outer.name)
    return False


# ---------------------------------------------------------------------------------------------
# The geoparser


class Geoparser:
    """Find and resolve the places in a parsed document; choose where its events happened."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = _CachedGazetteer(gazetteer)

    # -- 1. recognition -------------------------------------------------------------------

    def mentions(self, doc: Doc) -> list[Mention]:
        """Every toponym in the document, in text order, none overlapping."""
        found: list[Mention] = []
        taken = [False] * len(doc)

        def add(m: Mention | None) -> None:
            if m is None or any(taken[m.tok_start:m.tok_end]):
                return
            for i in range(m.tok_start, m.tok_end):
                taken[i] = True
            found.append(m)

        for m in self._dateline_mentions(doc):
            add(m)
        for ent in doc.ents:
            if ent.label_ in PLACE_LABELS:
                add(self._entity_mention(ent))
            elif ent.label_ == "ORG":
                for m in self._countries_in_org(ent):
                    add(m)
        for tok in doc:
            add(self._demonym_mention(tok))
        blocked = [tok.ent_type_ in NOT_PLACE_LABELS for tok in doc]
        for m in self._pattern_mentions(doc, blocked):
            add(m)
        for m in self._scan_mentions(doc, taken, sorted(found, key=lambda m: m.start)):
            add(m)
        found.sort(key=lambda m: m.start)
        _descriptor_hints(doc, found)
        _share_plural_suffix(doc, found)
        lowered = [t.lower_ for t in doc]
        for m in found:
            cue = _cue_before(lowered, m.tok_start)
            m.settlement = m.settlement or cue in SETTLEMENT_CUES
            m.division = m.division or cue in DIVISION_CUES
        _link_containers(doc, found)
        for m in found:
            if m.kind == "literal":
                m.kind = _literal_or_metonymic(doc, m)
        return found

    def _dateline_mentions(self, doc: Doc) -> list[Mention]:
        """"PARIS, Texas —", "SPRINGFIELD, Ill. —", "BAKU (Reuters) —": the dateline's places."""
        out: list[Mention] = []
        for i, tok in enumerate(doc):
            if not (tok.i == 0 or "\n" in doc[i - 1].text or doc[i - 1].is_space):
                continue
            end = i
            while end < len(doc) and end - i < 4 and doc[end].is_upper and doc[end].is_alpha and len(doc[end]) > 1:
                end += 1
            if end == i or end >= len(doc) or doc[end].text not in {",", "—", "–", "-", "(", ":"}:
                continue
            span = doc[i:end]
            if not self.gazetteer.is_name(span.text, loose=False):
                continue
            out.append(_mention(span, span.text, source="dateline"))
            if doc[end].text == "," and end + 1 < len(doc):
                state = doc[end + 1]
                full = AP_STATES.get(state.lower_)
                if full:
                    out.append(_mention(doc[end + 1:end + 2], full, source="dateline"))
        return out

    def _countries_in_org(self, ent: Span) -> list[Mention]:
        """"the Ministry of Defence of Azerbaijan": the country in an institution's name."""
        out: list[Mention] = []
        doc = ent.doc
        for i in range(ent.start + 1, ent.end):
            if doc[i - 1].lower_ != "of" or not doc[i].text[:1].isupper():
                continue
            j = i + 1 if doc[i].lower_ != "the" else i + 2
            for stop in range(min(ent.end, i + 4), j - 1, -1):
                span = doc[i + (doc[i].lower_ == "the"):stop]
                if span.text and _could_be_country(span.text) and self.gazetteer.country(span.text):
                    out.append(_mention(span, span.text, kind="metonymic", source="org-country"))
                    break
        return out

    def _entity_mention(self, ent: Span) -> Mention | None:
        doc = ent.doc
        start = ent.start
        while start < ent.end and doc[start].lower_ in ARTICLES:
            start += 1
        end = ent.end
        while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].text == "'s"):
            end -= 1
        if start >= end or not doc[start].text[:1].isupper():
            return None  # "the state": a common noun the model took for a place
        end = self._hyphenated_end(doc, start, end)
        span = doc[start:end]
        code = demonym_country(span.text, plural=False)
        if code and ent.label_ != "GPE":
            return _mention(span, span.text, kind="adjectival", country_code=code, source="demonym")
        if code:
            # Tagged a place (the entity fixes do so for a country's own name: "New Zealand").
            return _mention(span, span.text, country_code=code, source="ner")
        if len(span) > 1 and demonym_country(span[0].text) and span[-1].lower_ in {
            "republic", "federation", "state", "kingdom", "government", "emirate", "sultanate",
        }:
            # "the Azerbaijani Republic": the country itself, written with its demonym.
            return _mention(span, span.text, country_code=demonym_country(span[0].text), source="ner")
        division = len(span) > 1 and span[-1].lower_ in ADMIN_SUFFIXES
        query = doc[start:end - 1].text if division else span.text
        if ent.label_ == "FAC" and not self.gazetteer.is_name(query):
            return None  # buildings and bridges count only when the gazetteer knows them
        if _looks_like_acronym(query):
            return None
        if division:
            # The toponym is the name; "District" is kept aside as a hint ("Kalbajar Districts").
            m = _mention(doc[start:end - 1], query, division=True, source="ner")
            m.suffix = span[-1].text
            m.tok_end = end
            return m
        if len(span) > 1 and span[-1].lower_ in PLACE_DESCRIPTORS and not self.gazetteer.is_name(query, loose=False):
            # "Zonkwa Village", "Heze City": the name is looked up without the descriptor.
            m = _mention(doc[start:end - 1], doc[start:end - 1].text, source="ner")
            m.suffix, m.tok_end = span[-1].text, end
            m.settlement = span[-1].lower_ in _SETTLEMENT_DESCRIPTORS
            return m
        return _mention(span, query, source="ner")

    def _hyphenated_end(self, doc: Doc, start: int, end: int) -> int:
        """The longest gazetteer name that goes on across hyphens or name particles ("Qala" →
        "Qala-i-Naw", "Valle" → "Valle del Cauca"): the tokenizer and the model split such names."""
        best, j = end, end
        for _ in range(3):
            if j + 1 < len(doc) and doc[j].text in HYPHENS and not doc[j - 1].whitespace_ \
                    and not doc[j].whitespace_ and doc[j + 1].is_alpha:
                j += 2
            elif j + 1 < len(doc) and doc[j].lower_ in NAME_PARTICLES and doc[j + 1].text[:1].isupper() \
                    and doc[j + 1].is_alpha:
                j += 2
            else:
                break
            if self.gazetteer.is_name(doc[start:j].text, loose=False):
                best = j
        return best

    def _demonym_mention(self, tok: Token) -> Mention | None:
        if not tok.text[:1].isupper() or tok.ent_type_ in PLACE_LABELS or tok.ent_type_ == "PERSON":
            return None
        code = demonym_country(tok.text, plural=False)
        if code is None:
            return None
        span = tok.doc[tok.i:tok.i + 1]
        m = _mention(span, tok.text, kind="adjectival", country_code=code, source="demonym")
        # "Syrian Democratic Forces", "Azerbaijani Armed Forces": the name of an organisation,
        # not a place named; it still tells which countries the document is about.
        m.output = tok.ent_type_ != "ORG"
        return m

    def _pattern_mentions(self, doc: Doc, blocked: list[bool]) -> list[Mention]:
        """Names after strong place cues ("near X", "the village of X") and in "the X–Y road"."""
        out: list[Mention] = []
        lowered = [t.lower_ for t in doc]
        for i, tok in enumerate(doc):
            if not _capitalised(tok) or (i > 0 and _capitalised(doc[i - 1])):
                continue
            end = _run_end(doc, i)
            route = _route_pair(doc, i, end)
            if route:
                out.extend(route)
                continue
            cue = _cue_before(lowered, i)
            if cue is None:
                continue
            span = doc[i:end]
            if _continues_as_name(doc, end):
                continue  # "near Place de la Nation", "outside City Hall": a longer name
            strong = cue in STRONG_CUES
            known = self.gazetteer.is_name(span.text)
            if any(blocked[i:end]):
                # A person or organisation the model found: a place only after a strong cue.
                if strong and known:
                    out.append(_mention(span, span.text, source=f"pattern:{cue}"))
            elif strong or (self.gazetteer.is_name(span.text, loose=False)
                            and _significant(self.gazetteer, span.text, 5_000)):
                out.append(_mention(span, span.text, source=f"pattern:{cue}"))
        return out

    def _scan_mentions(self, doc: Doc, taken: list[bool], found: list[Mention]) -> list[Mention]:
        """The gazetteer scan: the longest name (1–4 words) the index knows at the start of every
        capitalised run, kept when its evidence suffices (see :func:`_scan_verdict`).

        The NER is one signal among several here: a name it took for an organisation or a person
        ("from Menoufia", "at Pandi, Bulacan and Talavera farms") is a place when the context says
        so. One pass over the tokens with the in-memory key set: linear in the text.
        """
        ctx = _ScanContext.of(doc, found)
        pending: list[_ScanCandidate] = []
        out: list[Mention] = []
        i = 0
        n = len(doc)
        while i < n:
            if taken[i] or not _scan_start(doc, i):
                i += 1
                continue
            cand = self._longest_name(doc, i, taken)
            if cand is None:
                i = _run_end(doc, i)
                continue
            verdict = _scan_verdict(self.gazetteer, doc, cand, ctx)
            if verdict == "yes":
                out.append(cand.mention())
            elif verdict == "list":
                pending.append(cand)
            i = max(cand.end, i + 1)
        # A name with no evidence of its own is a place when listed with places ("Tacloban and X")
        # or when the document names it as a place elsewhere (one sense per discourse).
        places = {m.tok_start: m.tok_end for m in [*found, *out] if m.kind != "adjectival"}
        ends = {e: s for s, e in places.items()}
        named = {_key(m.query) for m in [*found, *out] if m.kind != "adjectival"}
        changed = True
        while changed and pending:
            changed = False
            for cand in list(pending):
                if _listed_with(doc, cand.start, cand.end, places, ends) or _key(cand.text) in named:
                    m = cand.mention()
                    out.append(m)
                    places[m.tok_start] = m.tok_end
                    ends[m.tok_end] = m.tok_start
                    named.add(_key(cand.text))
                    pending.remove(cand)
                    changed = True
        return out

    def _longest_name(self, doc: Doc, i: int, taken: list[bool]) -> _ScanCandidate | None:
        """The longest run of up to four name words from ``i`` that the gazetteer knows."""
        stops = _name_word_ends(doc, i, taken)
        for end in reversed(stops):
            span = doc[i:end]
            if self.gazetteer.is_name(span.text, loose=False):
                return _ScanCandidate(i, end, span.text, start_char=span.start_char, end_char=span.end_char)
        return None

    # -- 2. disambiguation ----------------------------------------------------------------

    def places(self, doc: Doc, *, outlet_country: str | None = None) -> list[Place]:
        """Every toponym in the document, resolved, with score, reason and alternatives."""
        people = _person_words(doc)
        found = self.mentions(doc)
        starts = {m.tok_start: m.tok_end for m in found if m.kind != "adjectival"}
        ends = {e: s for s, e in starts.items()}
        mentions = [m for m in found if not _calendar_word(doc, m) and not _names_other_thing(doc, m)
                    and not (_looks_like_acronym(m.query) and m.country_code is None and m.source != "dateline")
                    and not (_a_persons_name(doc, m, people)
                             and not _listed_with(doc, m.tok_start, m.tok_end, starts, ends, right=False))
                    and not (m.query.lower() in PERSON_TITLES and m.source != "dateline")
                    and not (m.query.casefold() in _group_names() and m.country_code is None)]
        cands = [self._candidates(m) for m in mentions]
        keep = [bool(c) or self._keep_unresolved(doc, m) for m, c in zip(mentions, cands)]
        mentions = [m for m, k in zip(mentions, keep) if k]
        cands = [c for c, k in zip(cands, keep) if k]
        _link_containers(doc, mentions)
        own = [self._explicit_focus(m, c) for m, c in zip(mentions, cands)]
        focus = sum(own, Counter())
        outlet = self._country_code(outlet_country)
        first = [self._rank(m, c, focus - o, outlet, None, None) for m, c, o in zip(mentions, cands, own)]
        final = first
        for round_ in range(CONTEXT_PASSES):
            # Each pass reads the others' choices from the pass before: "Georgia" turns from
            # the country to the US state once "Atlanta" is read, and "Augusta" follows it.
            chosen = [s[0].entry if s else None for s in final]
            # A resolved name votes once however often it is written: eleven "Santa Ana"s must
            # not make the document about El Salvador, and none votes for its own name.
            by_name: dict[str, Counter[str]] = {}
            for s, m in zip(final, mentions):
                by_name.setdefault(_key(m.query), _resolved_focus(s, m))
            own2 = [o + by_name[_key(m.query)] for o, m in zip(own, mentions)]
            focus2 = sum(own, Counter()) + sum(by_name.values(), Counter())
            ctx = _Context.of(mentions, chosen, cands)
            ranked = [
                self._rank(m, c, focus2 - o, outlet, chosen, (i, ctx))
                for i, (m, c, o) in enumerate(zip(mentions, cands, own2))
            ]
            stable = [_top_id(a) for a in final] == [_top_id(b) for b in ranked]
            final = ranked
            if stable and round_ > 0:
                break
        _one_sense_per_discourse(mentions, final)
        return [_place(m, s) for m, s in zip(mentions, final) if m.output]

    def _country_code(self, name_or_code: str | None) -> str | None:
        if not name_or_code:
            return None
        entry = self.gazetteer.country(name_or_code)
        return entry.country_code if entry else None

    def _keep_unresolved(self, doc: Doc, m: Mention) -> bool:
        """An entity the gazetteer does not know stays a place only with some support.

        A single capitalised word opening a sentence or a clause after a dash ("Tripoli, Lebanon —
        Gunmen opened fire") is more often a misread common noun than an unknown village.
        """
        if m.source != "ner" or m.division or m.tok_end - m.tok_start > 1:
            return True
        first = doc[m.tok_start]
        prev = doc[m.tok_start - 1] if m.tok_start else None
        return not (first.is_sent_start or prev is None or prev.text in {"—", "–", "-", ":", "\n"} or prev.is_space)

    def _candidates(self, m: Mention) -> list[GazEntry]:
        gaz = self.gazetteer
        if m.country_code and m.kind == "adjectival":
            entry = gaz.country(m.country_code)
            return [entry] if entry else []
        seen: dict[int, GazEntry] = {}
        if m.country_code:
            entry = gaz.country(m.country_code)
            if entry:
                seen[entry.geonameid] = entry
        if _could_be_country(m.query):
            entry = gaz.country(m.query)
            if entry:
                seen.setdefault(entry.geonameid, entry)
        queries = [m.query] if not m.division else [f"{m.query} {m.suffix}", m.query]
        for q in queries:
            for entry in gaz.lookup(q, limit=MAX_CANDIDATES):
                seen.setdefault(entry.geonameid, entry)
        if not seen:
            # "Mount X", "X Heights": a feature the gazetteer lacks; the name alone is looked up
            # (the village the mountain is named for), and the event is coded near it.
            rest = _without_feature_word(m.query)
            if rest:
                for entry in gaz.lookup(rest, limit=MAX_CANDIDATES):
                    seen.setdefault(entry.geonameid, entry)
        if not seen:
            # "Eastern Congo", "northern Syria": the named place, of which a part is meant.
            words = m.query.split()
            if len(words) > 1 and words[0].lower() in COMPASS_WORDS:
                rest = " ".join(words[1:])
                entry = gaz.country(rest) if _could_be_country(rest) else None
                found = [entry] if entry else gaz.lookup(rest, limit=MAX_CANDIDATES)
                for entry in found:
                    seen.setdefault(entry.geonameid, entry)
        return list(seen.values())

    def _explicit_focus(self, m: Mention, cands: list[GazEntry]) -> Counter[str]:
        """The country a mention names outright (by name or demonym): its share of the focus.

        A mention never counts towards its own resolution (``focus - own``): "Georgia" alone
        must not vote for Georgia the country.
        """
        focus: Counter[str] = Counter()
        if m.country_code:
            focus[m.country_code] += 1
        elif cands and level(cands[0]) == "country" and _english_country_name(m.query, cands[0]):
            focus[cands[0].country_code] += 1
        return focus

    def _rank(self, m: Mention, cands: list[GazEntry], focus: Counter[str], outlet: str | None,
              chosen: list[GazEntry | None] | None,
              context: tuple[int, _Context] | None) -> list[_Scored]:
        total_focus = sum(focus.values())
        # A capital, country or first-level division that bears the name as its own: another
        # place that merely lists it among alternate names ("Islamabad" for Anantnag) yields.
        majors = [e for e in cands if _major(m, e)]
        major_owner = bool(majors)
        # Within the owner's country the namesake town keeps its chance ("Kandahar" the city).
        major_countries = {e.country_code for e in majors if level(e) != "country" and not _is_feature(e)}
        seat_countries = {e.country_code for e in cands if e.feature_code in {"PPLA", "PPLC"} and _owns_name(m.query, e)}
        country_owner = any(_major(m, e) and (level(e) == "country" or _is_feature(e)) for e in cands)
        scored: list[_Scored] = []
        for rank, entry in enumerate(cands):
            if total_focus and entry.country_code and entry.country_code not in focus \
                    and (_loose_only(m, entry) or _foreign_alias(m, entry)) and not self._near_focus(entry, focus):
                # "Halane" is not Helena, Montana; "Boni" in Mali is not Bonn (a name Bonn has in
                # another language): a loose spelling or a minor alias stays near the story.
                continue
            score, why = _prior(entry, rank, len(cands))
            reasons = [why]
            if m.kind != "adjectival" and _loose_only(m, entry):
                reasons.append(f"spelt like {entry.matched}")
            if m.kind == "adjectival":
                reasons = [f"demonym of {entry.country or entry.name}"]
                score += 2.0
            elif m.kind == "metonymic" and (entry.feature_code == "PPLC" or level(entry) == "country"):
                score += 0.5  # "Islamabad rejects": a government speaks from its capital
                reasons.append("a capital or country standing for its government")
            owns = _owns_name(m.query, entry)
            if owns:
                score += 0.3  # its own name, not an alternate another place also bears
            if major_owner and not _major(m, entry) and (not owns or country_owner) \
                    and not (owns and entry.country_code in major_countries):
                # "Canada" is the country: a place of the same name needs strong context to win,
                # as does one that only lists a capital's or a division's name as an alternate.
                score -= 0.8
            if m.settlement:
                bonus = 1.0 if entry.feature_class == "P" else -0.3
                score += bonus
                if bonus > 0:
                    reasons.append("written as a settlement")
            if m.division:
                bonus = 1.0 if level(entry) in {"adm1", "adm2", "adm3"} else -0.3
                if level(entry) == "adm1" and m.suffix.lower() in ADM1_SUFFIXES:
                    bonus += 0.3
                score += bonus
                if bonus > 0:
                    reasons.append("written as an administrative division")
            elif level(entry) == "adm1" and entry.country_code in seat_countries:
                # "in Kandahar" is the city more often than its province ("Kandahar Province").
                score -= 0.3
            elif level(entry) in {"adm2", "adm3"}:
                # A bare name is the town more often than its district: "Macon" is the city (the
                # county is written "Macon County"); "in Maiduguri" is the city, not its LGA.
                score -= 0.2 if _same_name(m.query, entry, matched=False) else 0.4
            if total_focus and entry.country_code in focus:
                share = focus[entry.country_code] / total_focus
                score += 1.5 * share
                reasons.append(f"document focus on {entry.country or entry.country_code} ({share:.0%})")
            elif total_focus and m.kind != "adjectival" and entry.country_code:
                reasons.append(f"outside the document's focus ({focus.most_common(1)[0][0]})")
            if outlet and entry.country_code == outlet:
                score += 0.3
                reasons.append("outlet's country")
            if chosen is not None and context is not None:
                score += self._context_bonus(entry, chosen, context, reasons)
            scored.append(_Scored(entry, score, reasons))
        scored.sort(key=lambda s: -s.score)
        _normalise_scores(scored)
        return scored

    def _near_focus(self, entry: GazEntry, focus: Counter[str]) -> bool:
        """Whether the entry lies within ``LOOSE_RADIUS_KM`` of a country the document is about
        ("Nabatiyeh" for Nabatieh in a story about Israel's shelling of Lebanon)."""
        for cc in focus:
            country = self.gazetteer.country(cc) if cc else None
            if country is not None and haversine_km(country.latitude, country.longitude,
                                                    entry.latitude, entry.longitude) < LOOSE_RADIUS_KM:
                return True
        return False

    def _context_bonus(self, entry: GazEntry, chosen: list[GazEntry | None],
                       context: tuple[int, _Context], reasons: list[str]) -> float:
        index, ctx = context
        mentions = ctx.mentions
        m = mentions[index]
        bonus = 0.0
        # Containment, both ways: "Paris, Texas" (Texas contains Paris; Paris lies in Texas).
        if m.container is not None and chosen[m.container] is not None:
            outer = chosen[m.container]
            assert outer is not None
            # "California, Pennsylvania, Ohio": a name that can be a place as large as the one
            # after it is a list's item, not a town inside it ("Paris, Texas" is containment).
            if _contains(outer, entry) and ctx.largest[index].get(outer.country_code, 0) < SPECIFICITY[level(outer)]:
                bonus += 2.0
                reasons.append(f"in {outer.name} (named beside it)")
        for j in ctx.contained.get(index, ()):
            inner = chosen[j]
            if inner is not None and _contains(entry, inner):
                bonus += 1.0
                reasons.append(f"contains {inner.name} (named beside it)")
                break
        lvl = level(entry)
        # Lying in a first-level division the document names ("flooding across Georgia … in Augusta").
        if lvl in {"point", "adm2", "adm3"} and entry.admin1 and \
                ctx.largest[index].get(entry.country_code, 0) < SPECIFICITY["adm1"]:
            for j, other in ctx.adm1s:
                if j != index and _contains(other, entry):
                    bonus += 0.6
                    reasons.append(f"in {other.name}, named in the text")
                    break
        # Proximity to the document's other resolved places, for towns and other points only:
        # a division's or country's point is a centroid, and small districts would otherwise
        # beat the region a text names ("Sagaing Region" near Mandalay).
        if lvl == "point":
            best = math.inf
            near_name = ""
            own_key = _key(m.query)
            # Places named within _NEAR_MENTIONS mentions of this one: linear in a long text.
            window = ctx.points[bisect.bisect_left(ctx.points, index - _NEAR_MENTIONS, key=lambda p: p[0]):
                                bisect.bisect_right(ctx.points, index + _NEAR_MENTIONS, key=lambda p: p[0])]
            seen: set[int] = set()  # a place named again is no nearer: measure it once
            for j, other in window:
                if j == index or ctx.keys[j] == own_key or other.geonameid in seen:
                    continue
                seen.add(other.geonameid)
                d = haversine_km(entry.latitude, entry.longitude, other.latitude, other.longitude)
                if d < best:
                    best, near_name = d, other.name
            if best < 50:
                bonus += 1.0
            elif best < 200:
                bonus += 0.6
            elif best < 500:
                bonus += 0.3
            if best < 500:
                reasons.append(f"{best:.0f} km from {near_name}")
        return bonus

    # -- 3. event location ----------------------------------------------------------------

    def locate(self, places: list[Place], start: int, end: int, text: str, *,
               anchor: tuple[int, int] | None = None) -> EventLocation | None:
        """Where the event told in ``text[start:end]`` happened: its most specific literal place
        named as the scene, the nearest to the event's trigger (``anchor``, a character span)."""
        found = self.locate_all(places, start, end, text, anchor=anchor)
        return found[0] if found else None

    def locate_all(self, places: list[Place], start: int, end: int, text: str, *,
                   anchor: tuple[int, int] | None = None) -> list[EventLocation]:
        """Every distinct most-specific scene of the event ("the Lachin and Kalbajar Districts" → 2),
        the likeliest first. Places the sentence names for another reason (a speaker's city, where
        people came from or went) count only when it names no other (see :mod:`flashpoint.geo.scene`)."""
        inside = [p for p in places if p.start >= start and p.end <= end and p.geonameid is not None]
        pool = [p for p in inside if p.kind == "literal"]
        if not pool:
            # "Armenia attempted an attack", "Turkish drones struck": no place is named as the
            # scene, only the country of a party, so the event is known to its country at best.
            as_countries = [self._as_country(p) for p in inside]
            pool = [p for p in as_countries if p is not None]
        if not pool:
            return []
        ranked = scene_order(text, pool, _specificity, anchor)
        first_place, first_role = ranked[0]
        tied = [(p, r) for p, r in ranked
                if r.role == first_role.role and _specificity(p) == _specificity(first_place)]
        if _specificity(first_place) == SPECIFICITY["country"]:
            # Several countries in one sentence ("the embassy of Azerbaijan in Russia"): only the
            # one the document is most about is the event's.
            weight = Counter(p.country_code for p in places if p.geonameid is not None)
            tied = [max(tied, key=lambda pr: (weight[pr[0].country_code], -pr[0].start))]
        passed = [(p, r) for p, r in ranked if not r.scene]
        chosen: list[tuple[Place, Role]] = []
        for p, r in tied:
            if all(p.geonameid != q.geonameid for q, _ in chosen):
                chosen.append((p, r))
        return [self._event_location(p, text, places, _scene_reason(p, r, passed)) for p, r in chosen]

    def _as_country(self, p: Place) -> Place | None:
        if _specificity(p) == SPECIFICITY["country"]:
            return p
        entry = self.gazetteer.country(p.country_code) if p.country_code else None
        if entry is None:
            return None
        return Place(name=entry.name, start=p.start, end=p.end, kind=p.kind, geonameid=entry.geonameid,
                     latitude=entry.latitude, longitude=entry.longitude, country=entry.country,
                     country_code=entry.country_code, feature_code=entry.feature_code,
                     resolved_name=entry.name, score=p.score, reason=f"country of {p.name}")

    def _event_location(self, p: Place, text: str, places: list[Place], reason: str = "") -> EventLocation:
        lvl = SPECIFICITY_LEVEL.get(_specificity(p), "point")
        near = _vicinity_cue(text, p, places)
        feature = _feature_phrase(text, p)
        if lvl == "country":
            precision = 3
        elif lvl == "point":
            precision = 2 if near or feature else 1
        elif lvl == "adm1":
            # A first-level division is "a larger region" (3) unless written as a district, as
            # where first-level units are small (Azerbaijan's rayons), or a feature in it is meant
            # ("nameless heights in the X region": a small part of it).
            precision = 2 if _written_as_district(text, p) or feature else 3
        else:
            precision = 2
        if feature and lvl != "country":
            reason = (reason + "; " if reason else "") + f"{feature} (geo_precision {precision})"
        entry = self.gazetteer.get(p.geonameid) if p.geonameid is not None else None
        # The name as the text writes it ("Qamishli", not the gazetteer's "Al Qāmishlī"),
        # unless written in capitals (a dateline).
        name = p.resolved_name if (p.name.isupper() and p.resolved_name) else p.name
        lat, lon, gid = p.latitude, p.longitude, p.geonameid
        if lvl in {"adm1", "adm2", "adm3"} and entry is not None:
            town = self._representative_town(entry, p)
            if town is not None:
                # Coded to the division's namesake town (ACLED's "representative town").
                lat, lon, gid = town.latitude, town.longitude, town.geonameid
            name = _base_name(name) or name
        division = (p.feature_code or "").startswith("ADM")
        country = p.country
        admin1 = p.admin1 or (p.resolved_name if lvl == "adm1" and division else None)
        admin2 = p.admin2 or (p.resolved_name if lvl == "adm2" and division else None)
        if entry is not None and _is_feature(entry) and entry.feature_code in LOCAL_FEATURES:
            # "fighting on Mount X", "in the X valley": ACLED codes the nearest town, "near" it.
            town = self.gazetteer.nearest_town(entry.latitude, entry.longitude, country_code=entry.country_code)
            if town is not None:
                lat, lon, gid = town.latitude, town.longitude, town.geonameid
                admin1, admin2, country = town.admin1, town.admin2, town.country
                precision = 2
        if lvl == "country":
            admin1 = admin2 = None
        return EventLocation(
            location=name, country=country, admin1=admin1, admin2=admin2, latitude=lat,
            longitude=lon, geo_precision=precision, geonameid=gid, spans=[(p.start, p.end)], reason=reason,
        )

    def _representative_town(self, division: GazEntry, p: Place) -> GazEntry | None:
        """A populated place that shares the division's name and lies in it (Lachin in Lachin District)."""
        base = _base_name(p.name)
        if not base:
            return None
        for entry in self.gazetteer.lookup(base, country_code=division.country_code, limit=10):
            if entry.feature_class == "P" and _contains(division, entry):
                return entry
        return None


SPECIFICITY_LEVEL = {v: k for k, v in SPECIFICITY.items()}


def _largest_by_country(cands: list[GazEntry]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in cands:
        out[e.country_code] = max(out.get(e.country_code, 0), SPECIFICITY[level(e)])
    return out


@dataclass
class _Context:
    """What one ranking pass knows of the other mentions' current choices."""

    mentions: list[Mention]
    keys: list[str]
    points: list[tuple[int, GazEntry]]
    adm1s: list[tuple[int, GazEntry]]
    contained: dict[int, list[int]]
    largest: list[dict[str, int]]
    """Per mention and country, the specificity of its largest candidate there ("Wyoming" can be
    a US state: 3; "Santa Ana" a US town but a Salvadoran department)."""

    @classmethod
    def of(cls, mentions: list[Mention], chosen: list[GazEntry | None], cands: list[list[GazEntry]]) -> _Context:
        contained: dict[int, list[int]] = {}
        for j, m in enumerate(mentions):
            if m.container is not None:
                contained.setdefault(m.container, []).append(j)
        return cls(
            mentions=mentions,
            keys=[_key(m.query) for m in mentions],
            points=[(j, e) for j, e in enumerate(chosen) if e is not None and level(e) == "point"],
            adm1s=[(j, e) for j, e in enumerate(chosen) if e is not None and level(e) == "adm1"],
            contained=contained,
            largest=[_largest_by_country(c) for c in cands],
        )


class _CachedGazetteer:
    """The gazetteer's read calls, memoised: a document names the same places many times,
    and a corpus the same few thousand. Bounded, so a long batch cannot grow it without limit."""

    MAX_ENTRIES = 100_000

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.inner = gazetteer
        self.path = getattr(gazetteer, "path", None)
        self._lookups: dict[tuple[str, str | None], list[GazEntry]] = {}
        self._countries: dict[str, GazEntry | None] = {}

    def lookup(self, name: str, *, country_code: str | None = None, limit: int = 20) -> list[GazEntry]:
        key = (name, country_code)
        found = self._lookups.get(key)
        if found is None:
            if len(self._lookups) >= self.MAX_ENTRIES:
                self._lookups.clear()
            found = self._lookups[key] = self.inner.lookup(name, country_code=country_code,
                                                           limit=max(limit, MAX_CANDIDATES))
        return found if limit >= MAX_CANDIDATES else found[:limit]  # (with the populous extras)

    def country(self, name_or_code: str) -> GazEntry | None:
        if name_or_code not in self._countries:
            if len(self._countries) >= self.MAX_ENTRIES:
                self._countries.clear()
            self._countries[name_or_code] = self.inner.country(name_or_code)
        return self._countries[name_or_code]

    def is_name(self, text: str, *, loose: bool = True) -> bool:
        return self.inner.is_name(text, loose=loose)

    def get(self, geonameid: int) -> GazEntry | None:
        return self.inner.get(geonameid)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # everything else straight from the gazetteer


# ---------------------------------------------------------------------------------------------
# Recognition helpers


def _mention(span: Span, query: str, *, kind: str = "literal", division: bool = False,
             country_code: str | None = None, source: str = "ner") -> Mention:
    return Mention(
        start=span.start_char, end=span.end_char, tok_start=span.start, tok_end=span.end,
        text=span.text, query=query, kind=kind, division=division, country_code=country_code,
        source=source,
    )


_CALENDAR = CALENDAR_WORDS | words("en", "calendar_abbreviations")


_NEAR_MENTIONS = 150
"""How many mentions before and after a place its proximity to the others is judged on."""


# ---------------------------------------------------------------------------------------------
# The gazetteer scan

PLACE_DESCRIPTORS = words("en", "place_descriptors")
"""Settlement words after a name ("Heze city", "X village"): looked up without, kept as a hint."""
FEATURE_WORDS = words("en", "place_feature_words")
"""Words after a name that make the phrase a feature near it ("the X heights", "the X direction")."""
_SETTLEMENT_DESCRIPTORS = words("en", "place_settlement_descriptors")
_NUMERIC_LABELS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL",
                             "LAW", "LANGUAGE"})
_LIST_WORDS = words("en", "place_list_words")
_LOOSE_CUES = words("en", "place_loose_cues")
"""Weak cues too common before non-places to vouch for a hamlet ("the Godfather of X")."""
_RELIEF_WORDS = words("en", "place_relief_words")
"""Feature words that make a capitalised "X Heights" a feature too."""
_MAX_NAME_WORDS = 4


@dataclass
class _ScanCandidate:
    """A name the gazetteer knows, found by the scan, with what the scan read around it."""

    start: int
    end: int
    text: str
    suffix: str = ""
    suffix_end: int = 0
    division: bool = False
    settlement: bool = False
    kind: str = "literal"
    source: str = "gazetteer"

    def mention(self) -> Mention:
        return Mention(start=self.start_char, end=self.end_char, tok_start=self.start,
                       tok_end=max(self.end, self.suffix_end), text=self.text, query=self.text,
                       kind=self.kind, division=self.division, suffix=self.suffix,
                       settlement=self.settlement, source=self.source)

    start_char: int = 0
    end_char: int = 0


@dataclass
class _ScanContext:
    """What the scan reads once per document: the words of people's names."""

    person_words: frozenset[str]
    """Words of the multi-word PERSON entities ("Harden" once "Maya Harden" is named)."""
    lowered: list[str]
    lower_words: frozenset[str]
    """Words the document writes in lower case: a capitalised one of them is a common word."""
    entity_at: dict[int, Span]
    """The entity over each token that has one (one pass over the entities, not one per name)."""

    @classmethod
    def of(cls, doc: Doc, found: list[Mention]) -> _ScanContext:
        return cls(person_words=_person_words(doc), lowered=[t.lower_ for t in doc],
                   lower_words=frozenset(t.text for t in doc if t.is_lower and t.is_alpha),
                   entity_at={i: ent for ent in doc.ents for i in range(ent.start, ent.end)})


def _scan_start(doc: Doc, i: int) -> bool:
    """Token ``i`` opens a capitalised run (not the middle of a longer name, nor a hyphenated one)."""
    tok = doc[i]
    if not (tok.text[:1].isupper() and tok.is_alpha) or tok.lower_ in CALENDAR_WORDS:
        return False
    if tok.is_stop and tok.text not in UPPERCASE_COUNTRIES:
        return False
    if i == 0:
        return True
    prev = doc[i - 1]
    if prev.text in HYPHENS and not prev.whitespace_:
        return False  # "Navarro-Valls", "Vest-Agder": the tail of a hyphenated name
    return not (_capitalised(prev) and not tok.is_sent_start)


def _name_word_ends(doc: Doc, i: int, taken: list[bool]) -> list[int]:
    """Token ends after each of the first four name words from ``i`` ("Al-Minya", "Davao del Sur")."""
    ends: list[int] = []
    j, n = i, len(doc)
    while j < n and len(ends) < _MAX_NAME_WORDS and not taken[j]:
        tok = doc[j]
        if tok.text[:1].isupper() and tok.is_alpha and (j == i or tok.lower_ not in CALENDAR_WORDS):
            j += 1
            ends.append(j)
        elif ends and tok.text in HYPHENS and not doc[j - 1].whitespace_ and not tok.whitespace_ \
                and j + 1 < n and doc[j + 1].is_alpha and not taken[j + 1]:
            j += 2
            if doc[j - 1].text[:1].isupper():
                ends.append(j)
        elif ends and tok.lower_ in NAME_PARTICLES and j + 1 < n and doc[j + 1].text[:1].isupper() \
                and doc[j + 1].is_alpha and not taken[j + 1]:
            j += 1
        else:
            break
    return ends


def _scan_verdict(gaz: Gazetteer | _CachedGazetteer, doc: Doc, cand: _ScanCandidate, ctx: _ScanContext) -> str:
    """"yes" (a place), "list" (a place if listed beside places) or "no", from the evidence.

    Evidence: a cue before ("in", "near", "the village of"), a descriptor after ("X district",
    "X village", "X heights"), the place's size in the gazetteer, the NER's label, the token's
    position (a sentence's first word is often a common word). Against: a person's title before,
    a word of a person's name named elsewhere, an acronym, a month, "X virus".
    """
    span = doc[cand.start:cand.end]
    text = cand.text
    if text.casefold() in NON_PLACES or text.casefold() in _group_names() or _calendar_word(doc, span) or \
            (_looks_like_acronym(text) and text not in UPPERCASE_COUNTRIES):
        return "no"
    if cand.start and (doc[cand.start - 1].lower_.rstrip(".") in PERSON_TITLES or _an_initial(doc[cand.start - 1])):
        return "no"  # "Mr X", "Michael J. X"
    if text.lower() in PERSON_TITLES or (len(text) <= 2 and text not in UPPERCASE_COUNTRIES):
        return "no"  # "the Pope"; "Rs 50"
    nxt = doc[cand.end] if cand.end < len(doc) else None
    if nxt is not None and nxt.lower_ in NOT_PLACE_HEADS:
        return "no"
    cue = _cue_before(ctx.lowered, cand.start)
    strong = cue is not None and cue in STRONG_CUES
    good_cue = cue is not None and cue not in _LOOSE_CUES
    described = nxt is not None and _read_descriptor(doc, cand)
    labels = {t.ent_type_ for t in span} - {""}
    if labels & _NUMERIC_LABELS:
        return "no"
    if nxt is not None and not described and nxt.text[:1].isupper() and nxt.is_alpha and not nxt.is_sent_start:
        return "no"  # part of a longer name ("Main Street", "the X Health Ministry")
    if len(span) == 1 and text.lower() in ctx.lower_words and not (strong or described):
        return "no"  # the document writes it as a common word too ("carbon monoxide")
    if len(span) == 1 and text in ctx.person_words and not strong:
        return "no"  # "Harden said": the surname of a person named before
    ent = ctx.entity_at.get(cand.start)
    if ent is not None and ent.label_ not in PLACE_LABELS:
        if ent.start < cand.start - (doc[ent.start].lower_ in ARTICLES) or ent.end > cand.end:
            return "no"  # a word inside a longer name ("Taco Bell X", "Maya Harden")
        if ent.label_ == "PERSON":
            # "Residents of X village": a person is no village; "in X" alone may be "in Smith's view".
            return "yes" if strong or described else ("list" if good_cue else "no")
        # A name the model took for an organisation needs a sizeable place behind it ("at X" may
        # be a firm); one it took for a people or a faith ("in Christian areas") needs more.
        if strong or described or (good_cue and ent.label_ != "NORP" and _significant(gaz, text, 5_000)):
            return "yes"
        return "list"
    propn = all(t.pos_ == "PROPN" for t in span if t.is_alpha and not t.is_lower)
    if doc[cand.start].is_sent_start or _after_break(doc, cand.start):
        # A sentence's first word is capitalised whatever it is ("Aid workers", "State officials").
        if described or strong or (propn and _populous(gaz, text, 50_000)):
            return "yes"
        return "list" if propn else "no"
    if strong or described or (propn and _significant(gaz, text, 5_000)):
        return "yes"
    if good_cue and propn:
        return "yes"
    return "list"


def _read_descriptor(doc: Doc, cand: _ScanCandidate) -> bool:
    """"X district", "X village", "X heights": note the word as a hint; the name is looked up alone."""
    nxt = doc[cand.end]
    word = nxt.lower_
    if _titled_name_goes_on(doc, cand.end):
        return False
    if word in ADMIN_SUFFIXES and (word not in WEAK_SUFFIXES or nxt.is_lower):
        cand.division, cand.suffix, cand.suffix_end = True, nxt.text, cand.end + 1
        return True
    if word in PLACE_DESCRIPTORS:
        cand.settlement = word in _SETTLEMENT_DESCRIPTORS
        cand.suffix, cand.suffix_end = nxt.text, cand.end + 1
        return True
    return word in FEATURE_WORDS and (nxt.is_lower or word in _RELIEF_WORDS)


def _person_words(doc: Doc) -> frozenset[str]:
    """Words of the document's multi-word PERSON entities ("Harden" once "Maya Harden" is named)."""
    return frozenset(t.text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1
                     and not any(w.lower_ in PLACE_DESCRIPTORS or w.lower_ in ADMIN_SUFFIXES for w in ent)
                     for t in ent if t.text[:1].isupper() and t.is_alpha)


def _a_persons_name(doc: Doc, m: Mention, people: frozenset[str]) -> bool:
    """A one-word name that is a word of a person's name in the same document ("Harden said",
    "tests on Lu"), unless a strong place cue or a division word says otherwise, or it is a
    country's own name."""
    if m.tok_end - m.tok_start != 1 or m.text not in people or m.division or m.country_code:
        return False
    if m.source == "dateline":
        return False
    lowered = [t.lower_ for t in doc[max(0, m.tok_start - 4):m.tok_start]]
    cue = _cue_before(lowered, len(lowered))
    # "in Buffalo" stays a place though "the Buffalo fire chief" is a name; "according to Lu" does not.
    return cue is None or cue == "of" or (cue == "to" and len(lowered) > 1 and lowered[-2] == "according")


@functools.cache
def _group_names() -> frozenset[str]:
    """Names and aliases of armed and political groups (``lang/en/actors/groups``): "Hamas",
    "Wagner" and "Fano" are also villages, but in conflict reporting they are the groups."""
    out: set[str] = set()
    for name in ("global", "regional"):
        for row in table("en", f"actors/groups/{name}"):
            out.update(a.strip().casefold() for a in (row.get("aliases") or "").split(";") if a.strip())
    return frozenset(out)


def _an_initial(tok: Token) -> bool:
    return len(tok.text) == 2 and tok.text[0].isupper() and tok.text[1] == "."


def _populous(gaz: Gazetteer | _CachedGazetteer, name: str, population: int) -> bool:
    """A country, a first-level division, a capital or a town this large bears the name."""
    return any(level(e) in {"country", "adm1"} or e.feature_code == "PPLC" or e.population >= population
               for e in gaz.lookup(name, limit=5))


def _after_break(doc: Doc, i: int) -> bool:
    """After a line break, a dash or a colon: a heading's or a clause's first word."""
    if i == 0:
        return True
    prev = doc[i - 1]
    return prev.is_space or prev.text in {"—", "–", "-", ":", "\"", "“", "("} or "\n" in prev.text


def _listed_with(doc: Doc, start: int, end: int, places: dict[int, int], ends: dict[int, int], *,
                 right: bool = True) -> bool:
    """Written in a list with a place ("Tacloban and X", "X, Y and Z", "X (Y District)", "X, Y");
    with ``right=False`` only a place before counts ("said X, China" is no list)."""
    j = start - 1
    while j >= 0 and j >= start - 2 and doc[j].lower_ in _LIST_WORDS:
        if j in ends:
            return True
        j -= 1
    if j >= 0 and j < start - 1 and (j + 1) in ends:
        return True
    k = end
    while right and k < len(doc) and k <= end + 1 and (doc[k].lower_ in _LIST_WORDS or doc[k].text == "("):
        k += 1
        if k in places:
            return True
    return False


def _calendar_word(doc: Doc, m: Any) -> bool:
    """'16 Nov', 'on Tuesday': a month or weekday is never a place (Nov is a town in Angola)."""
    text = m.text if hasattr(m, "text") else str(m)  # never doc.text: it is rebuilt on every access
    return text.strip(" .").lower() in _CALENDAR


NOT_PLACE_HEADS = words("en", "not_place_heads")
NON_PLACES = frozenset(w.casefold() for w in words("en", "non_places"))


def _names_other_thing(doc: Doc, m: Mention) -> bool:
    """"the West Nile virus", "a Molotov cocktail", "the US dollar": a name of something else."""
    if m.query.casefold() in NON_PLACES:
        return True
    return m.tok_end < len(doc) and doc[m.tok_end].lower_ in NOT_PLACE_HEADS and not m.division


def _capitalised(tok: Token) -> bool:
    return bool(tok.text[:1].isupper()) and tok.is_alpha and not tok.is_stop and tok.lower_ not in CALENDAR_WORDS


def _looks_like_acronym(text: str) -> bool:
    """"NATO", "PKK", and mixed-case ones ("MoD", "DoJ"): organisations, not places."""
    if text in UPPERCASE_COUNTRIES:
        return False
    if text.isupper() and len(text) <= 5:
        return True
    return len(text) <= 4 and text.isalpha() and sum(c.isupper() for c in text) >= 2


def _could_be_country(text: str) -> bool:
    return not _looks_like_acronym(text) or text in UPPERCASE_COUNTRIES


def _run_end(doc: Doc, i: int) -> int:
    """End of the capitalised run starting at ``i`` ("Lanao del Sur": particles inside allowed)."""
    end = i
    while end < len(doc) and end - i < 5:
        tok = doc[end]
        if _capitalised(tok) and tok.lower_ not in ADMIN_SUFFIXES:
            end += 1
        elif (tok.lower_ in NAME_PARTICLES and end > i and end + 1 < len(doc)
              and _capitalised(doc[end + 1]) and doc[end + 1].lower_ not in ADMIN_SUFFIXES):
            end += 2
        else:
            break
    return max(end, i + 1)


def _continues_as_name(doc: Doc, end: int) -> bool:
    """Whether a longer proper name goes on after ``end`` ("Place de la Nation", "City Hall")."""
    if end >= len(doc):
        return False
    tok = doc[end]
    if tok.lower_ in ADMIN_SUFFIXES:
        return False
    if tok.text[:1].isupper() and tok.is_alpha and not tok.is_sent_start:
        return True
    j = end
    while j < len(doc) and j - end < 3 and doc[j].lower_ in {"de", "la", "le", "du", "des", "del", "di", "da"}:
        j += 1
    return j > end and j < len(doc) and doc[j].text[:1].isupper()


_CUES_LONGEST_FIRST = [(cue, cue.split()) for cue in sorted(STRONG_CUES, key=lambda c: (-len(c), c))]


def _cue_before(lowered: list[str], i: int) -> str | None:
    """The place cue ending right before token ``i`` (articles skipped), longest first."""
    j = i
    while j > 0 and lowered[j - 1] in ARTICLES:
        j -= 1
    for cue, cue_words in _CUES_LONGEST_FIRST:
        if j >= len(cue_words) and lowered[j - len(cue_words):j] == cue_words:
            return cue
    if j > 0 and lowered[j - 1] in WEAK_PREPOSITIONS:
        return lowered[j - 1]
    return None


def _route_pair(doc: Doc, i: int, end: int) -> list[Mention]:
    """"the Lachin–Shusha road": both ends of a route are places."""
    if end + 2 >= len(doc) or doc[end].text not in {"-", "–", "—"}:
        return []
    j = end + 1
    if not _capitalised(doc[j]):
        return []
    end2 = _run_end(doc, j)
    if end2 >= len(doc) or doc[end2].lower_ not in ROUTE_WORDS:
        return []
    a, b = doc[i:end], doc[j:end2]
    return [_mention(a, a.text, source="pattern:route"), _mention(b, b.text, source="pattern:route")]


def _significant(gaz: Gazetteer | _CachedGazetteer, name: str, population: int) -> bool:
    for entry in gaz.lookup(name, limit=5):
        if level(entry) != "point" or entry.feature_code in {"PPLC", "PPLA"} or entry.population >= population:
            return True
    return False


def _titled_name_goes_on(doc: Doc, i: int) -> bool:
    """A capitalised word at ``i`` followed by another: "District Attorney", "City Council"."""
    return i + 1 < len(doc) and doc[i].text[:1].isupper() and doc[i + 1].text[:1].isupper() \
        and doc[i + 1].is_alpha


def _descriptor_hints(doc: Doc, mentions: list[Mention]) -> None:
    """"across Kano state", "near Dadiya village": a descriptor right after a name found by any
    means is a hint (division or settlement); it is not part of the name looked up."""
    for m in mentions:
        if m.suffix or m.kind == "adjectival" or m.tok_end >= len(doc):
            continue
        nxt = doc[m.tok_end]
        word = nxt.lower_
        if _titled_name_goes_on(doc, m.tok_end):
            continue  # "the X District Attorney": an office's title, not a district
        if word in ADMIN_SUFFIXES and (word not in WEAK_SUFFIXES or nxt.is_lower):
            m.division, m.suffix = True, nxt.text
        elif word in PLACE_DESCRIPTORS:
            m.settlement = m.settlement or word in _SETTLEMENT_DESCRIPTORS
            m.suffix = nxt.text


def _share_plural_suffix(doc: Doc, mentions: list[Mention]) -> None:
    """"the Lachin and Kalbajar Districts": "Lachin" is a district too."""
    for k in range(len(mentions) - 1, 0, -1):
        m = mentions[k]
        if not m.division or not m.suffix.lower().endswith(("s", "ies")):
            continue
        j = k - 1
        while j >= 0:
            prev = mentions[j]
            gap = doc[prev.tok_end:mentions[j + 1].tok_start]
            if prev.kind == "adjectival" or not gap or any(t.lower_ not in {"and", "or", ",", "&"} for t in gap):
                break
            prev.division, prev.suffix = True, m.suffix
            j -= 1


def _link_containers(doc: Doc, mentions: list[Mention]) -> None:
    """Mark "Y, X", "Y in X Province" and "X's Y" pairs, where X contains Y."""
    by_start = {m.tok_start: k for k, m in enumerate(mentions)}
    for m in mentions:
        m.container = None  # indexes change when mentions are dropped: link afresh
    for m in mentions:
        if m.kind == "adjectival":
            continue
        nxt = m.tok_end
        if nxt + 1 < len(doc) and doc[nxt].text in {",", "in"}:
            j = by_start.get(nxt + 1)
            if j is None and nxt + 2 < len(doc) and doc[nxt + 1].lower_ in ARTICLES:
                j = by_start.get(nxt + 2)
            if j is not None and mentions[j].kind != "adjectival":
                m.container = j
                continue
        if m.tok_start >= 2 and doc[m.tok_start - 1].text in {"'s", "’s", "'"}:
            for j, other in enumerate(mentions):
                if other.tok_end == m.tok_start - 1 and other.kind != "adjectival":
                    m.container = j


def _literal_or_metonymic(doc: Doc, m: Mention) -> str:
    """"Moscow said", "Armenia attempted an attack", "Moscow's decision" are metonymic."""
    head = doc[m.tok_end - 1]
    if m.division:
        return "literal"
    if head.dep_ in {"nsubj", "nsubjpass"} and head.head.lower_ in AGENT_VERBS:
        return "metonymic"
    if head.dep_ == "conj" and head.head.dep_ == "nsubj" and head.head.head.lower_ in AGENT_VERBS:
        return "metonymic"
    if head.dep_ == "poss" and head.head.lower_ in AGENT_NOUNS:
        return "metonymic"
    return "literal"


# ---------------------------------------------------------------------------------------------
# Disambiguation helpers


def _same_name(query: str, entry: GazEntry, *, matched: bool = True) -> bool:
    q = _key(query)
    if q == _key(entry.name) or (matched and q == _key(entry.matched or "")):
        return True
    return level(entry) == "country" and q == _key(entry.country or "")



@functools.cache
def _english_country_keys() -> frozenset[str]:
    return frozenset(_key(r["alias"]) for r in table("en", "country_aliases"))


def _english_country_name(query: str, entry: GazEntry) -> bool:
    """The country's English name or a short form English reports use ("Burma", "DRC"), not one of
    its names in other languages ("Argelia" is Algeria in Spanish, and a town in Colombia)."""
    if _same_name(query, entry, matched=False) or _key(query) in _english_country_keys():
        return True
    from flashpoint.geo.gazetteer import _STATE_FORM_WORDS

    core = " ".join(w for w in _key(query).split() if w not in _STATE_FORM_WORDS)
    return core == _key(entry.name)


def _loose_only(m: Mention, entry: GazEntry) -> bool:
    """Found only through the loose phonetic key: no name of the entry is the name as written."""
    if not entry.matched or level(entry) == "country":
        return False
    from flashpoint.geo.names import division_stem

    key, matched = _key(m.query), _key(entry.matched)
    return matched != key and matched != division_stem(key) and matched != _key(f"{m.query} {m.suffix}")


def _major(m: Mention, entry: GazEntry) -> bool:
    """A capital, country, first-level division or listed region that bears the name as its own."""
    return _owns_name(m.query, entry) and (
        entry.feature_code in {"PPLC", "ADM1"} or level(entry) == "country" or _is_feature(entry))


def _foreign_alias(m: Mention, entry: GazEntry) -> bool:
    """The name is only an alternate of a place too small to be known abroad by it."""
    return (not _owns_name(m.query, entry) and level(entry) == "point" and entry.feature_code != "PPLC"
            and entry.population < 1_000_000)


def _owns_name(query: str, entry: GazEntry) -> bool:
    """The name is the entry's own (not an alternate another place also bears); every name the
    regions file gives a feature is its own ("Karabakh", "Artsakh")."""
    return _same_name(query, entry, matched=False) or (_is_feature(entry) and _same_name(query, entry))


def _top_id(scored: list[_Scored]) -> int | None:
    return scored[0].entry.geonameid if scored else None


@functools.lru_cache(maxsize=65_536)
def _key(name: str) -> str:
    from flashpoint.geo.gazetteer import normalise

    return normalise(name)


def _one_sense_per_discourse(mentions: list[Mention], ranked: list[list[_Scored]]) -> None:
    """A name written several times in one document names one place ("PARIS, Texas — … in Paris").

    The sense with the most probability summed over the name's mentions wins for all of them,
    so the mention with the clearest context (a dateline, "Paris, Texas") decides.
    """
    groups: dict[tuple[str, bool], list[int]] = {}
    for i, m in enumerate(mentions):
        if m.kind != "adjectival" and ranked[i]:
            groups.setdefault((_key(m.query), m.division), []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        mass: dict[int, float] = defaultdict(float)
        for i in members:
            for s in ranked[i]:
                mass[s.entry.geonameid] += s.score
        best = max(mass, key=lambda gid: mass[gid])
        for i in members:
            pick = [s for s in ranked[i] if s.entry.geonameid == best]
            if pick and ranked[i][0].entry.geonameid != best:
                chosen = pick[0]
                chosen.reasons = chosen.reasons + ["same name as elsewhere in the document"]
                ranked[i] = [chosen] + [s for s in ranked[i] if s is not chosen]


def _resolved_focus(scored: list[_Scored], m: Mention) -> Counter[str]:
    """A town or division adds its likely country to the focus, at half weight at most.

    The weight is the probability mass of the country's candidates: "Dallas" (all its candidates
    in the US) votes for the US; an evenly ambiguous name votes for no one in particular.
    """
    out: Counter[str] = Counter()
    if m.country_code or not scored or level(scored[0].entry) == "country":
        return out
    mass: dict[str, float] = defaultdict(float)
    for s in scored:
        mass[s.entry.country_code] += s.score
    cc = max(mass, key=lambda c: mass[c])
    p = mass[cc]
    if p >= 0.6 and cc:  # a sea or a continent lies in no one country
        out[cc] = round(0.5 * p, 3)  # type: ignore[assignment]  # focus weights are fractional
    return out


def _normalise_scores(scored: list[_Scored]) -> None:
    """Raw scores → probabilities over the candidates (softmax, temperature 1/3)."""
    if not scored:
        return
    top = max(s.score for s in scored)
    weights = [math.exp(3 * (s.score - top)) for s in scored]
    total = sum(weights)
    for s, w in zip(scored, weights):
        s.score = round(w / total, 4)


def _place(m: Mention, scored: list[_Scored]) -> Place:
    place = Place(name=m.text, start=m.start, end=m.end, kind=m.kind)
    if not scored:
        place.reason = "not in the gazetteer"
        return place
    best = scored[0]
    place_at(place, best.entry)
    place.score = best.score
    place.reason = "; ".join(best.reasons[:4])
    place.alternatives = [
        {"geonameid": s.entry.geonameid, "name": s.entry.name, "country_code": s.entry.country_code,
         "feature_code": s.entry.feature_code, "latitude": s.entry.latitude,
         "longitude": s.entry.longitude, "score": s.score}
        for s in scored[1:4]
    ]
    return place


# ---------------------------------------------------------------------------------------------
# Event-location helpers

_VICINITY = re.compile(
    r"(?:\bnear(?:by)?|\bin the vicinity of|\bvicinity of|\boutskirts of|\bdirection of|\bclose to|"
    r"\boutside(?: of)?|\baround|\bkm (?:from|of)|\bkilometres (?:from|of)|\bkilometers (?:from|of)|"
    r"\bmiles (?:from|of)|\b(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)? of|"
    r"\bapproach(?:es)? to|\bon the road to|\bnear the)"
    r"(?:\s+the)?(?:\s+(?:[A-Z][\w'’\-]*\s+)?(?:city|town|village|settlement|area|region|district|districts|exclave|"
    r"enclave)\s+of)?(?:\s+the)?\s*$",
    re.IGNORECASE,
)


def _vicinity_cue(text: str, p: Place, places: Sequence[Place]) -> bool:
    """"near X", "the outskirts of X", "in the direction of the X and Y Districts"."""
    start = p.start
    # Walk back over coordinated places: "direction of the Lachin and [Kalbajar Districts]".
    changed = True
    while changed:
        changed = False
        for q in places:
            if 0 <= start - q.end <= 40 and re.fullmatch(r"\s*(?:,|and|or|,\s*and)\s*", text[q.end:start]):
                start, changed = q.start, True
                break
    start = _list_start(text, start)
    return bool(_VICINITY.search(text[max(0, start - 60):start]))


_LISTED_NAME_BEFORE = re.compile(r"[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*){0,3}\s*(?:,\s*and|,|and|or|&)\s*$")


def _list_start(text: str, start: int) -> int:
    """Where a list of capitalised names ending at ``start`` begins ("direction of Jermuk, Goris and
    [Vardenis]"), read from the text: the caller may know only the one place."""
    for _ in range(8):
        m = _LISTED_NAME_BEFORE.search(text[max(0, start - 60):start])
        if m is None:
            break
        start -= len(m.group(0))
    return start


_DISTRICT_AFTER = re.compile(r"^(?:\s*(?:,|and|or|&)\s*[\w'’\-]+(?:\s+[A-Z][\w'’\-]*)*)*\s+districts?\b", re.I)


def _written_as_district(text: str, p: Place) -> bool:
    """"Lachin District", or "Lachin" in "the Lachin and Kalbajar Districts"."""
    if re.search(r"\bdistricts?\b", text[p.start:p.end], re.I):
        return True
    return bool(_DISTRICT_AFTER.match(text[p.end:p.end + 80]))


FEATURE_PREFIXES = words("en", "place_feature_prefixes")
_FEATURE_ALT = "|".join(sorted((re.escape(w) for w in FEATURE_WORDS), key=len, reverse=True))
_FEATURE_AFTER = re.compile(rf"^[\s'’s]*(?:{_FEATURE_ALT})\b", re.IGNORECASE)
_BEFORE_ALT = "|".join(re.escape(w) for w in sorted(FEATURE_WORDS - {"pass", "front", "sector", "axis"}))
"""("in front of X" and "pass X" are no features before a name.)"""
_FEATURE_BEFORE = re.compile(
    rf"\b(?:{_BEFORE_ALT}|{'|'.join(re.escape(w) for w in sorted(FEATURE_PREFIXES))})\.?"
    r"(?:\s+(?:areas?|zones?|regions?|lines?|villages?|settlements?))?"  # "the border zone of X"
    r"(?:\s+(?:in|of|near|around|outside|above|on|at|with)(?:\s+the)?(?:\s+(?:area|vicinity)\s+of)?(?:\s+the)?)?\s*$",
    re.IGNORECASE)


def _feature_phrase(text: str, p: Place) -> str:
    """"the X heights", "the X direction", "Mount X", "nameless hills in the X region": a feature
    near or in the place, not the place itself (ACLED: near it, geo_precision 2)."""
    inner = _without_feature_word(p.name)
    if inner and (p.feature_code or "").startswith(("PPL", "ADM")) and _key(p.resolved_name or "") != _key(p.name):
        # "the X Valley" resolved to the town X (the gazetteer lacks the valley): near X.
        return f"a feature named for {p.resolved_name or inner} ({p.name})"
    after = _FEATURE_AFTER.match(text[p.end:p.end + 30])
    if after:
        return f"a feature of {p.name} ({after.group(0).strip()})"
    start = _list_start(text, p.start)
    before = _FEATURE_BEFORE.search(text[max(0, start - 40):start])
    if before:
        return f"a feature near {p.name} ({before.group(0).strip()})"
    return ""


def _without_feature_word(query: str) -> str:
    """"Mount X" → "X", "X Heights" → "X"; "" when the name has no feature word."""
    words_ = query.split()
    if len(words_) < 2:
        return ""
    if words_[0].lower().rstrip(".") in FEATURE_PREFIXES:
        return " ".join(words_[1:])
    if words_[-1].lower() in _NATURAL_FEATURE_WORDS:
        return " ".join(words_[:-1])
    return ""


_NATURAL_FEATURE_WORDS = FEATURE_WORDS - {"axis", "border", "direction", "environs", "front", "frontier",
                                          "outskirts", "sector"}
"""Feature words that end a natural feature's name ("X Valley", "X Heights"); "the North-West
Frontier Province" is no frontier of "North-West"."""


def _specificity(p: Place) -> int:
    return SPECIFICITY[_level_of_code(p.feature_code or "")]


def _scene_reason(p: Place, role: Role, passed: list[tuple[Place, Role]]) -> str:
    """"Kandahar: named as the scene; not Kabul: speaker ("said in")"."""
    out = f"{p.name}: {role.describe()}"
    others = [f"{q.name}: {r.describe()}" for q, r in passed if q is not p]
    return out + ("; not " + ", ".join(others) if others else "")


def _base_name(written: str) -> str:
    """"the Kalbajar Districts" → "Kalbajar"."""
    words = [w for w in written.split() if w.lower() not in ARTICLES]
    while words and words[-1].lower() in ADMIN_SUFFIXES:
        words.pop()
    return " ".join(words)


# ---------------------------------------------------------------------------------------------
# Convenience


def geoparse_text(text: str, nlp: Language, geoparser: Geoparser, *,
                  outlet_country: str | None = None) -> list[Place]:
    """Parse ``text`` with ``nlp`` (built by :func:`flashpoint.nlp.components.load_pipeline`) and geoparse it."""
    return geoparser.places(nlp(text), outlet_country=outlet_country)
