"""Actors: countries, demonyms and noun phrases normalised the way ACLED names actors.

ACLED's actor names follow a few patterns (DESIGN.md, "ACLED's conventions"):
``Military Forces of <Country> (<year>-)``, ``Police Forces of <Country> (<year>-)``,
``Government of <Country> (<year>-)``, ``Civilians (<Country>)``, ``Protesters (<Country>)``,
``Rioters (<Country>)``, ``Unidentified Armed Group (<Country>)``, ``Unidentified Gang (<Country>)``,
``Islamist Militia (<Country>)``, ``<Communal group> Ethnic Militia (<Country>)`` and named groups as
``ACRONYM: Full Name``. ``Actor.name`` leaves out the regime period and keeps a unit ("Border
Guard") in ``Actor.unit``; ``acled_name`` writes both back as an export does.

Choices ACLED's codebook leaves to the coder, made here once:

- Unspecified "security forces" are military forces (ACLED codes them so unless they are police).
- A state named as a belligerent ("Armenia attempted an attack") acts through its military forces.
- Nationality comes from the text, never from the place alone: "<Demonym> gunmen / terrorists /
  militants / saboteurs" are an Unidentified Armed Group of the demonym's country ("Somali gunmen"
  in Kenya, "an Armenian national leading an armed group"); without a demonym, of the country
  where it happens (``default_country``). A named group in the phrase wins.
- Former officials ("the former defence minister of X") hold no state power: Civilians (X).
- Foreign state forces are inter 1 here; ACLED codes state forces outside their country as 8
  ("external forces"), which depends on the event's country: see ``inter_in``.
- Governments ("the Ministry of Defence of X", "X authorities", "the Kremlin") are
  ``Government of X`` with inter 1: ACLED counts governments among state forces.
- State forces, civilians and armed men take the country the phrase names (kept in
  ``Actor.nationality``); protesters and rioters the country of the place (ACLED names crowds by
  where they gather), the named one only when the event's place is not known more precisely.
- Officials named with a title ("Nigerian President Bola Tinubu") stand for their state only when
  the phrase names the country; weapons ("Russian warplanes", "a drone of the army") stand for
  forces only when the phrase says whose.
- The Islamic State is split by country as ACLED does ("Islamic State (Iraq)").

Data (``lang/en/actors/``): ``countries.tsv``, ``states.tsv`` (regime periods), ``groups/*.tsv``
(named groups, one file per region), ``heads.json`` (head words per category), read lazily, once.
A user's own dictionary (learnt by ``flashpoint train``) is layered over them with ``using``.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flashpoint import lang
from flashpoint.nlp.text import doc_text

if TYPE_CHECKING:  # spaCy is only needed for find_actor_mentions' argument types.
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "Actor",
    "ActorMention",
    "country_code",
    "country_name",
    "demonym_spans",
    "find_actor_mentions",
    "inter_in",
    "Dictionary",
    "acled_name",
    "named_groups_in",
    "normalise_actor",
    "period_of",
    "reading",
    "repel_verbs",
    "shipped_aliases",
    "state_weapons_in",
    "strip_period",
    "using",
]


@dataclass(frozen=True)
class Actor:
    """An actor as ACLED names it (no regime-year period)."""

    name: str
    inter: int
    """ACLED inter code: 1 state forces, 2 rebel groups, 3 political militias, 4 identity militias,
    5 rioters, 6 protesters, 7 civilians, 8 external/other forces."""
    country: str | None
    kind: str
    """military | police | government | civilians | protesters | rioters | unidentified |
    named_group | party | militia | other"""
    unit: str | None = None
    """A unit ACLED appends after the period ("Military Police", "Border Guard")."""
    nationality: str | None = None
    """The country the phrase itself names ("Lebanese protesters" → Lebanon), as against one
    filled in from the place: read from the text, so an event's geocode never overrides it."""


@dataclass(frozen=True)
class ActorMention:
    """An actor-like noun phrase in a parsed document, with its normalised actor."""

    start: int
    end: int
    text: str
    actor: Actor
    head: int
    """Index (in the Doc) of the mention's head token."""


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Country:
    iso2: str
    iso3: str
    name: str
    demonyms: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class _Group:
    name: str
    aliases: tuple[str, ...]
    inter: int
    country: str | None
    kind: str = ""
    """'party' for political parties, else empty."""


@dataclass(frozen=True, eq=False)
class Dictionary:
    """A user's own actors (learnt by ``flashpoint train`` from their export), layered over the
    shipped tables while it is in force (``using``): their named groups with aliases and inter
    codes win over ours, and their regime periods ("Military Forces of X (2001-)") over ours.
    Compared by identity: the group regexes are compiled once per dictionary."""

    groups: tuple[_Group, ...] = ()
    periods: tuple[tuple[str, str], ...] = ()
    """(state-forces name without period, "(2001-)") pairs, e.g. ("Military Forces of X", "(2001-)")."""

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]]) -> Dictionary:
        """From rows with name, aliases (list or ';'-joined), inter, country."""
        groups = []
        for row in rows:
            aliases = row.get("aliases") or ()
            alias_tuple = _split(aliases) if isinstance(aliases, str) else tuple(str(a) for a in aliases)
            groups.append(_Group(str(row["name"]), alias_tuple, int(row["inter"]), row.get("country") or None,
                                 str(row.get("kind") or "")))
        return cls(groups=tuple(groups))


_USER: ContextVar[Dictionary | None] = ContextVar("flashpoint_actor_dictionary", default=None)


@contextmanager
def using(dictionary: Dictionary | None) -> Iterator[None]:
    """Put a user's dictionary in force for the code inside the ``with`` (one coder's documents)."""
    token = _USER.set(dictionary)
    try:
        yield
    finally:
        _USER.reset(token)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


@functools.cache
def _countries() -> tuple[_Country, ...]:
    return tuple(
        _Country(row["iso2"], row["iso3"], row["acled_name"], _split(row["demonyms"]), _split(row.get("aliases", "")))
        for row in lang.table("en", "actors/countries")
    )


@functools.cache
def demonym_forms() -> tuple[tuple[str, str], ...]:
    """(ISO 3166-1 alpha-2 code, demonym) for every country: every plainly listed form first, then
    the forms a country shares with another ('~'), so a first-claim-wins reader gives "Congolese"
    to DR Congo. The one table of demonyms: the entity fixes and the geoparser read it from here."""
    plain = [(c.iso2, d) for c in _countries() for d in c.demonyms if not d.startswith("~")]
    shared = [(c.iso2, d.lstrip("~")) for c in _countries() for d in c.demonyms if d.startswith("~")]
    return tuple(plain + shared)


@functools.cache
def _shipped_groups() -> tuple[_Group, ...]:
    """Every named group of ``lang/en/actors/groups/*.tsv`` (one file per region), in file order."""
    folder = lang.path("en", "actors/groups")
    names = sorted(f.name[:-4] for f in folder.iterdir() if f.name.endswith(".tsv"))
    return tuple(
        _Group(row["name"], _split(row["aliases"]), int(row["inter"]), row["country"] or None, row.get("kind", ""))
        for name in names for row in lang.table("en", f"actors/groups/{name}")
    )


def _groups() -> tuple[_Group, ...]:
    """The user's dictionary (``flashpoint train``) first, so its names win, then the shipped one."""
    user = _USER.get()
    return (user.groups + _shipped_groups()) if user is not None else _shipped_groups()


def _is_acronym(form: str) -> bool:
    """Short all-capital forms ("US", "DRC", "U.S.") match only as written: "us" is not a country."""
    letters = form.replace(".", "").replace("-", "")
    return len(letters) <= 5 and letters.isupper()


def _country_forms() -> list[tuple[str, str, bool]]:
    """(form, country, is_demonym) for every name, alias and demonym; shared ("~") forms go to a
    country only when no other country claims them plainly."""
    strong: list[tuple[str, str, bool]] = []
    weak: list[tuple[str, str, bool]] = []
    for c in _countries():
        forms = [(c.name, False)] + [(a, False) for a in c.aliases] + [(d, True) for d in c.demonyms]
        for form, is_demonym in forms:
            target = weak if form.startswith("~") else strong
            target.append((form.lstrip("~"), c.name, is_demonym))
    claimed = {form.lower() for form, _, _ in strong}
    return strong + [w for w in weak if w[0].lower() not in claimed]


@functools.cache
def _country_index() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-cased form → country, exact-case acronym/ISO code → country); first claim wins."""
    folded: dict[str, str] = {}
    exact: dict[str, str] = {}
    for form, country, _ in _country_forms():
        if _is_acronym(form):
            exact.setdefault(form, country)
        else:
            folded.setdefault(form.lower(), country)
            if form.lower().startswith("the "):
                folded.setdefault(form[4:].lower(), country)
    for c in _countries():
        exact.setdefault(c.iso2, c.name)
        exact.setdefault(c.iso3, c.name)
    return folded, exact


_EDGE_LEFT = r"(?<![\w])"
_EDGE_RIGHT = r"(?![\w])"



def _alternation(forms: list[str]) -> str:
    """One regex alternation for many literal forms, factored into a trie so that matching costs
    little more than one form does (Python's ``re`` tries a flat alternation branch by branch).
    At every branch point longer continuations come first, so the longest form wins."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for form in set(forms):
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:  # type: ignore[type-arg]
    ends_here = "" in node
    branches = [re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        return "(?:" + body + ")?" if len(branches) > 1 or len(branches[0]) > 1 else body + "?"
    return body


@functools.cache
def _demonym_regex() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]]:
    """One compiled alternation of every country form (longest first, so "Guinea-Bissau" beats
    "Guinea" and "South Sudanese" beats "Sudanese"), an optional plural "s", and the blockers."""
    owner: dict[str, str] = {}
    for form, country, _ in _country_forms():
        text = form[4:] if form.lower().startswith("the ") else form
        owner.setdefault(text, country)
    pattern = re.compile(_EDGE_LEFT + "(" + _alternation(list(owner)) + ")(?:s)?" + _EDGE_RIGHT)
    blockers = re.compile(_EDGE_LEFT + "(?:" + _alternation(list(_lex().not_a_country)) + ")n?s?" + _EDGE_RIGHT)
    return pattern, owner, blockers


# --------------------------------------------------------------------------- countries


_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def country_name(text: str) -> str | None:
    """ACLED's name of the country a name, alias, demonym or ISO code denotes, else None.

    "Armenian", "Armenians", "Republic of Armenia", "ARM", "the Armenian Republic" → "Armenia".
    Capitals and other places are the geoparser's job: "Yerevan" → None.
    """
    clean = _POSSESSIVE.sub("", text.strip().strip(",;:!?\"“”'")).strip()
    if clean.lower().startswith("the "):
        clean = clean[4:].strip()
    # "U.S." keeps its final dot; "Armenia." (end of a sentence) loses it.
    for candidate in dict.fromkeys((clean, clean.rstrip("."))):
        found = _lookup_country(candidate)
        if found:
            return found
    return None


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country named as ACLED names it (or any form of it)."""
    acled = country_name(name)
    return next((c.iso2 for c in _countries() if c.name == acled), None) if acled else None


def _lookup_country(clean: str) -> str | None:
    if not clean:
        return None
    folded, exact = _country_index()
    if clean in exact:
        return exact[clean]
    if clean.lower() in folded:
        return folded[clean.lower()]
    if clean.endswith("s") and clean[:-1].lower() in folded:  # plural demonym: "Azerbaijanis"
        return folded[clean[:-1].lower()]
    if clean.endswith("s") and clean[:-1] in exact:
        return exact[clean[:-1]]
    return None


def demonym_spans(text: str) -> list[tuple[int, int, str]]:
    """Every country name, alias or demonym in ``text`` as (start, end, country), in order."""
    pattern, owner, blockers = _demonym_regex()
    blocked = [(m.start(), m.end()) for m in blockers.finditer(text)]
    spans = []
    for m in pattern.finditer(text):
        if any(b0 <= m.start() < b1 for b0, b1 in blocked):
            continue
        spans.append((m.start(), m.end(), owner[m.group(1)]))
    return spans


# --------------------------------------------------------------------------- named groups


def _group_regexes() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, _Group]]:
    """(exact-case acronym regex, case-insensitive name regex, lower-cased alias → group)."""
    return _group_regexes_for(_USER.get())


@functools.cache
def _group_regexes_for(user: Dictionary | None) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, _Group]]:
    by_alias: dict[str, _Group] = {}
    acronyms: list[str] = []
    names: list[str] = []
    for group in _groups():
        name_forms = [group.name] if "{country}" not in group.name else []
        for alias in (*group.aliases, *name_forms):
            by_alias.setdefault(alias.lower(), group)
            (acronyms if _is_acronym(alias) else names).append(alias)
    acronym_re = re.compile(_EDGE_LEFT + "(" + _alternation(acronyms) + ")" + _EDGE_RIGHT)
    # Names match case-insensitively by searching lower-cased text with lower-cased forms
    # (compiling a large alternation with re.IGNORECASE is several times slower).
    name_re = re.compile(_EDGE_LEFT + "(" + _alternation([n.lower() for n in names]) + ")" + _EDGE_RIGHT)
    return acronym_re, name_re, by_alias


def _group_matches(text: str) -> list[tuple[int, int, _Group]]:
    """Every named-group mention in ``text`` as (start, end, group)."""
    acronym_re, name_re, by_alias = _group_regexes()
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lower-cased
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    found = [(m.start(), m.end(), by_alias[m.group(1)]) for m in name_re.finditer(lowered)]
    found += [(m.start(), m.end(), by_alias[m.group(1).lower()]) for m in acronym_re.finditer(text)]
    for acronym, group in _DOCUMENT.get():
        found += [(m.start(), m.end(), group) for m in re.finditer(r"(?<![\w-])" + re.escape(acronym) + r"(?![\w-])", text)]
    return found


_DOCUMENT: ContextVar[tuple[tuple[str, _Group], ...]] = ContextVar("flashpoint_document_acronyms", default=())
_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Z0-9/-]{1,9})\)")


def document_acronyms(text: str) -> tuple[tuple[str, _Group], ...]:
    """Acronyms a document defines for a named group: "the National Salvation Front (NAS)" makes
    "NAS fighters" that group in this document (its dictionary entry leaves such short, ambiguous
    acronyms out)."""
    found: dict[str, _Group] = {}
    for _start, end, group in _group_matches(text):
        m = _ACRONYM_AFTER.match(text, end)
        if m and m.group(1) not in found and m.group(1).lower() not in _group_regexes()[2]:
            found[m.group(1)] = group
    return tuple(found.items())


@contextmanager
def reading(text: str) -> Iterator[None]:
    """Put a document's own acronyms (``document_acronyms``) in force while it is coded."""
    token = _DOCUMENT.set(document_acronyms(text))
    try:
        yield
    finally:
        _DOCUMENT.reset(token)


def _find_group(text: str) -> tuple[int, int, _Group] | None:
    """The longest named group mentioned in ``text`` (its span and entry), if any."""
    found = _group_matches(text)
    if not found:
        return None
    return max(found, key=lambda f: (f[1] - f[0], -f[0]))


def shipped_aliases(form: str) -> tuple[str, tuple[str, ...]] | None:
    """The shipped named group a form denotes, as (its name, its aliases), if any: lets a
    user's own name for a group we know ("ISWAP: …" for our Lake Chad faction entry) take over
    every spelling we know for it."""
    for group in _shipped_groups():
        if form == group.name or form.lower() in (a.lower() for a in group.aliases if not _is_acronym(a)) or (
            _is_acronym(form) and form in group.aliases
        ):
            return group.name, group.aliases
    return None


@functools.cache
def _weapon_after() -> re.Pattern[str]:
    words = sorted(_lex().weapons_of_forces, key=len, reverse=True)
    return re.compile(r"\s+(?:[\w-]+\s+){0,2}?(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def state_weapons_in(text: str) -> list[tuple[int, Actor]]:
    """A state's weapons or forces named with its demonym ("an American unmanned aerial vehicle",
    "Syrian tank shells", "Turkish air strikes"), as (offset, its military) in text order: when the
    parse finds no doer, whose weapons they were says who acted."""
    found = []
    for start, end, country in demonym_spans(text):
        if _weapon_after().match(text, end):
            found.append((start, dataclasses.replace(_make("military", country), nationality=country)))
    return found


def repel_verbs() -> frozenset[str]:
    """Verbs whose subject defends against the attack named as their object ("repelled an attack by X")."""
    return _lex().repel_verbs


def named_groups_in(text: str) -> list[tuple[int, Actor]]:
    """Every named non-state armed group (rebels, militias, communal militias) mentioned in
    ``text``, as (offset, actor) in text order. Groups split by country ("Islamic State
    ({country})") come without a country: resolution adds the event's."""
    found = []
    for start, _end, group in sorted(_group_matches(text), key=lambda f: f[0]):
        if group.inter in (2, 3, 4) and group.kind != "party":
            found.append((start, _group_actor(group, None)))  # "Islamic State": the event's country is added later
    return found


def _group_actor(group: _Group, country: str | None) -> Actor:
    if "{country}" in group.name:
        name = group.name.replace("{country}", country) if country else group.name.replace(" ({country})", "")
        return Actor(name, group.inter, country, "named_group")
    return Actor(group.name, group.inter, group.country, "party" if group.kind == "party" else "named_group")


# --------------------------------------------------------------------------- head lexicon


class _Lexicon:
    """The word lists of ``lang/en/actors/heads.json``: head words per actor category, the names
    that stand for a state, units, titles, communal identities (read once, on first use)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        for key, value in raw.items():
            if isinstance(value, list):
                setattr(self, key, frozenset(value))
        self.implied: dict[str, tuple[str, str]] = {k: (v[0], v[1]) for k, v in raw["implied"].items()}
        self.units: dict[str, tuple[str, str | None]] = {k: (v[0], v[1]) for k, v in raw["units"].items()}
        self.titles: dict[str, str] = dict(raw["titles"])
        self.not_a_country: tuple[str, ...] = tuple(raw["not_a_country"])

    def __getattr__(self, name: str) -> frozenset[str]:  # for mypy: every list is a frozenset
        raise AttributeError(name)


@functools.cache
def _lex() -> _Lexicon:
    return _Lexicon(lang.data("en", "actors/heads"))


_COMPLEMENT = re.compile(
    r"\s+(?:of|from|loyal to|belonging to|affiliated with|affiliated to|linked to|in|at|near|on|"
    r"who|that|which|under|led by|backed by|along|posing as|disguised as|dressed as|wearing|in the uniform of|"
    r"in the uniforms of)\s+|\s*,\s*",
    re.IGNORECASE,
)
_LEADING = re.compile(
    r"^(?:(?:the|a|an|some|several|many|numerous|few|a few|other|another|these|those|this|that|its|"
    r"their|his|her|at least|more than|over|about|around|nearly|almost|up to|as many as|dozens of|"
    r"hundreds of|scores of|a number of|a group of|a dozen|\d[\d,]*|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve)\s+)+",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*\(((?:[^()]|\([^()]*\))*)\)\s*$")  # "(Cocos (Keeling) Islands)" nests
_WORD = re.compile(r"[\w][\w'’\-\.]*")


# --------------------------------------------------------------------------- normalisation


def _head_key(words: list[str], lexicon: frozenset[str]) -> str | None:
    for n in (3, 2, 1):
        if len(words) >= n:
            key = " ".join(words[-n:])
            if key in lexicon:
                return key
    return None


def _classify_head(words: list[str]) -> str | None:
    """The category of a head segment's last word(s): military, police, …, or None."""
    for category, lexicon in (
        ("police", _lex().police), ("rioters", _lex().rioters), ("unidentified", _lex().unidentified), ("gang", _lex().gang),
        ("military", _lex().military), ("government", _lex().government), ("protesters", _lex().protesters),
        ("civilians", _lex().civilians), ("partitive", _lex().partitive),
    ):
        if _head_key(words, lexicon) is not None:
            # "security officers" and "police units" are police whatever the lexicon order says.
            return category
    return None


@functools.cache
def _unit_regex() -> re.Pattern[str]:
    return re.compile(r"\b(" + _alternation(list(_lex().units)) + r")\b")


def _find_unit(lower: str) -> tuple[str | None, str | None]:
    """The unit a lower-cased phrase names ("border guards" → "Border Guard") and the country
    the unit implies ("revolutionary guards" → Iran), if any."""
    m = _unit_regex().search(lower)
    return _lex().units[m.group(1)] if m else (None, None)


def _first_country(text: str) -> str | None:
    """The first country a phrase names. (ISO codes count only as a whole phrase, in
    ``country_name``: inside text, "ARE" and "CAN" are words far more often than countries.)"""
    spans = demonym_spans(text)
    return spans[0][2] if spans else None




def _with_country(pattern: str, country: str | None) -> str:
    """'Military Forces of {c}' → 'Military Forces of Armenia'; without a country the bare name.

    ACLED writes "Military Forces of the United States", "… of the Democratic Republic of Congo",
    "… of the Philippines", but "Civilians (United States)": the article only follows "of"."""
    if country:
        if " of {c}" in pattern and (
            country.startswith("United ") or "Republic" in country or country.endswith("Islands")
            or country in _lex().the_names
        ):
            return pattern.format(c="the " + country)
        return pattern.format(c=country)
    return pattern.replace(" of {c}", "").replace(" ({c})", "")


_NAMES = {
    "military": ("Military Forces of {c}", 1),
    "police": ("Police Forces of {c}", 1),
    "government": ("Government of {c}", 1),
    "civilians": ("Civilians ({c})", 7),
    "protesters": ("Protesters ({c})", 6),
    "rioters": ("Rioters ({c})", 5),
    "unidentified": ("Unidentified Armed Group ({c})", 3),
    "gang": ("Unidentified Gang ({c})", 3),
    "islamist": ("Islamist Militia ({c})", 3),
    "communal": ("Unidentified Communal Militia ({c})", 4),
}


def _make(category: str, country: str | None, unit: str | None = None) -> Actor:
    pattern, inter = _NAMES[category]
    kind = {"gang": "unidentified", "islamist": "militia", "communal": "militia"}.get(category, category)
    return Actor(_with_country(pattern, country), inter, country, kind, unit)


def _strip_edges(text: str) -> str:
    """Trim punctuation around a phrase, keeping the final dot of an abbreviation ("the U.S.")."""
    text = re.sub(r"\s+", " ", text.strip().strip(",;:!?\"“”'‘’[]").strip())
    if text.endswith(".") and not re.search(r"(?:^|[\s.])[A-Z]\.$", text):
        text = text.rstrip(".").strip()
    return text


def _clean(text: str) -> str:
    text = _strip_edges(text).strip("()")
    text = _POSSESSIVE.sub("", text)
    return _LEADING.sub("", text).strip()


def normalise_actor(text: str, *, default_country: str | None = None) -> Actor | None:
    """The ACLED actor a noun phrase denotes, or None when it is not an actor (with the user's
    dictionary in force, if any: see ``using``)."""
    return _normalise(text, default_country, _USER.get(), _DOCUMENT.get())


@functools.lru_cache(maxsize=8192)
def _normalise(text: str, default_country: str | None, user: Dictionary | None,
               document: tuple[tuple[str, _Group], ...] = ()) -> Actor | None:
    """The ACLED actor a noun phrase denotes, or None when it is not an actor.

    ``default_country`` is the country of the place (or document) the phrase is read in: it fills
    in "soldiers", "gunmen", "protesters" and is the country of "<demonym> terrorists".
    """
    raw = _strip_edges(text)
    paren_country = None
    paren = _PAREN.search(raw)
    if paren and country_name(paren.group(1)):
        paren_country = country_name(paren.group(1))
        raw = raw[: paren.start()]
    elif paren and _ACRONYM_AFTER.fullmatch(raw[paren.start():]) and paren.start() > 0:
        # "the National Salvation Front (NAS)": the acronym restates the name.
        shorter = _normalise(raw[: paren.start()], default_country, user, document)
        if shorter is not None:
            return shorter
    cleaned = _clean(raw)
    if not cleaned:
        return None
    parts = _COMPLEMENT.split(cleaned, maxsplit=1)
    head_seg = parts[0]
    complement = parts[1] if len(parts) > 1 else ""
    words = [w.lower().strip(".'’") for w in _WORD.findall(head_seg)]
    category = _classify_head(words) if words else None

    group = _find_group(raw)
    if group is not None:
        offset = len(raw) - len(cleaned)  # where ``cleaned`` (and so the head segment) starts in ``raw``
        head_end = offset + len(head_seg)
        after = [w.lower() for w in _WORD.findall(raw[group[1]:head_end])]
        if group[0] < head_end and after and _classify_head(after) is None:
            return None  # "Palestinian Islamic Jihad targets", "PKK positions"
        if group[0] < head_end or category in ("partitive", "unidentified", "military", "gang"):
            return _group_actor(group[2], paren_country or _first_country(raw) or default_country)

    implied = _implied(words)
    if implied is not None and category in (None, "military", "government", "partitive"):
        return dataclasses.replace(_make(*implied), nationality=implied[1])  # "the Kremlin": Russia's

    if category is None:
        titled = _titled(words, head_seg)
        return titled if titled is not None else _bare_name(cleaned, paren_country)
    if category == "partitive":
        inner = normalise_actor(complement, default_country=default_country) if complement else None
        if inner is not None:
            return inner
        if _head_key(words, _lex().military_partitive) and not set(words) & _lex().not_state:
            named = paren_country or _first_country(head_seg)
            actor = _make("military", named or default_country, _find_unit(cleaned.lower())[0])
            return dataclasses.replace(actor, nationality=named) if named else actor
        return None
    return _categorised(category, words, head_seg, complement, paren_country, default_country)


def _implied(words: list[str]) -> tuple[str, str] | None:
    """A name that stands for a state ("the Kremlin", "IDF soldiers") → (category, country)."""
    for n in (2, 1):
        for i in range(len(words) - n + 1):
            found = _lex().implied.get(" ".join(words[i:i + n]))
            if found is not None and found[1]:
                return found
    return None




def _titled(words: list[str], head_seg: str) -> Actor | None:
    """"Nigerian President Bola Tinubu", "Russian Defence Minister Sergei Shoigu": an official
    named with a title stands for his state. Only when the phrase names the country, so that
    "President Putin" in a report from Ukraine is not made Government of Ukraine."""
    country = _first_country(head_seg)
    if country is None:
        return None
    original = _WORD.findall(head_seg)
    for i, word in enumerate(words):
        category = _lex().titles.get(word)
        if category and i + 1 < len(original) and original[i + 1][:1].isupper():
            return dataclasses.replace(_make(category, country), nationality=country)
    return None


@functools.cache
def _form_kinds() -> tuple[frozenset[str], frozenset[str]]:
    """(lower-cased names and aliases, lower-cased demonyms)."""
    names = {f.lower() for f, _, dem in _country_forms() if not dem}
    demonyms = {f.lower() for f, _, dem in _country_forms() if dem}
    return frozenset(names), frozenset(demonyms)


def _bare_name(cleaned: str, paren_country: str | None) -> Actor | None:
    """A phrase without an actor head: a country named as a belligerent ("Armenia attacked"),
    a people ("Armenians" → civilians), or nothing (the adjective "Armenian", "the border")."""
    country = country_name(cleaned)
    if country is None:
        return None
    names, demonyms = _form_kinds()
    lowered = cleaned.lower()
    lowered = lowered[4:] if lowered.startswith("the ") else lowered
    if lowered in names:
        return dataclasses.replace(_make("military", country), nationality=country)
    if lowered.endswith("s") and lowered[:-1] in demonyms:
        return dataclasses.replace(_make("civilians", paren_country or country), nationality=paren_country or country)
    return None


def _categorised(
    category: str,
    words: list[str],
    head_seg: str,
    complement: str,
    paren_country: str | None,
    default_country: str | None,
) -> Actor | None:
    """Build the actor for a head in a known category, with the right country, unit and the
    nationality the phrase names (kept on the actor, see ``Actor.nationality``)."""
    named = paren_country or _first_country(head_seg) or _first_country(complement)
    actor = _categorised_as(category, words, head_seg, complement, paren_country, default_country, named)
    known = named or _find_unit(" ".join(words))[1]  # the Revolutionary Guards are Iran's
    return dataclasses.replace(actor, nationality=known) if actor is not None and known else actor


def _categorised_as(
    category: str,
    words: list[str],
    head_seg: str,
    complement: str,
    paren_country: str | None,
    default_country: str | None,
    named: str | None,
) -> Actor | None:
    """State forces and civilians belong to the country the phrase names ("Kenyan police",
    "Azerbaijani civilians"), and so do armed men ("Somali gunmen" in Kenya are Somalia's
    unidentified armed group: nationality from the text, not the geocode); protesters and
    rioters to the place they act in (ACLED names crowds by the country of the event)."""
    modifiers = set(words)
    place = paren_country or default_country
    own = named or default_country
    unit, unit_country = _find_unit(" ".join(words))
    if category in ("military", "police", "government"):
        if modifiers & _lex().former:
            return _make("civilians", own)
        if modifiers & _lex().islamist:
            return _make("islamist", named or place)
        if modifiers & _lex().not_state:
            return _make("unidentified", named or place)
        if category == "military" and _head_key(words, _lex().platforms) and not (
            named or modifiers & (_lex().military_words | {"air", "force"})
        ):
            return None  # "shot down 20 drones": whose drones the phrase does not say
        if category == "military" and _head_key(words, _lex().police | {"police units"}):
            category = "police"
        if category == "police" and words[-1] in ("officer", "officers") and modifiers & _lex().military_words:
            category = "military"  # "army officers"
        if category == "military" and words[-1] in ("personnel", "staff") and modifiers & _lex().civil_words:
            return _make("civilians", own)  # "medical personnel"
        country = unit_country or own  # the Revolutionary Guards are Iran's wherever they act
        if unit == "Military Police" and country == "Brazil":
            return _make("police", country, unit)  # Brazil's military police are state police
        return _make(category, country, unit if category != "government" else None)
    if category in ("unidentified", "gang"):
        communal = modifiers & _lex().communal
        if communal and _head_key(words, _lex().armed_communal_heads):
            name = next(w for w in words if w in communal).capitalize()
            country = place or own
            return Actor(_with_country(name + " Ethnic Militia ({c})", country), 4, country, "militia")
        if modifiers & _lex().islamist and words[-1] in ("militia", "militias", "militiamen", "militiaman"):
            return _make("islamist", named or place)  # ACLED's Islamist Militia; "suspected jihadists" are unidentified
        if modifiers & {"communal", "ethnic", "tribal", "clan"}:
            return _make("communal", place or own)
        if modifiers & {"police", "policemen"} and category == "unidentified":
            return _make("police", own)
        return _make(category, named or place)
    if category in ("protesters", "rioters"):
        if category == "protesters" and modifiers & {"angry", "violent", "irate"} and "crowd" in words[-1:]:
            category = "rioters"
        return _make(category, place or own)
    if modifiers & {"unidentified", "unknown", "masked", "armed", "hooded"}:
        return _make("unidentified", named or place)  # "unidentified men", "masked persons"
    return _make(category, own)  # civilians: their own country (nationality) when the phrase says it


@functools.cache
def _shipped_periods() -> dict[str, str]:
    """State-forces name without period → "(<year>-)", from ``lang/en/actors/states.tsv``."""
    periods: dict[str, str] = {}
    for row in lang.table("en", "actors/states"):
        since, police = row["since"], row.get("police_since") or row["since"]
        for pattern, year in (("Military Forces of {c}", since), ("Government of {c}", since),
                              ("Police Forces of {c}", police)):
            if year:
                periods[_with_country(pattern, row["country"])] = f"({year}-)"
    return periods


def period_of(name: str) -> str | None:
    """ACLED's regime period for a state-forces name ("Military Forces of Armenia" → "(2018-)"):
    the user's dictionary's first, then the shipped table's."""
    user = _USER.get()
    if user is not None:
        found = dict(user.periods).get(name)
        if found:
            return found
    return _shipped_periods().get(name)


def acled_name(actor: Actor) -> str:
    """The name as ACLED writes it in an export: state forces with their regime period and unit
    ("Military Forces of Azerbaijan (2003-) Border Guard"), everything else as is."""
    if actor.kind not in ("military", "police", "government"):
        return actor.name
    period = period_of(actor.name)
    parts = [actor.name, period or "", actor.unit or ""]
    return " ".join(p for p in parts if p)


def strip_period(name: str) -> str:
    """ "Military Forces of Armenia (2018-) Border Guard" → "Military Forces of Armenia"."""
    return _PERIOD_SUFFIX.sub("", name)


_PERIOD_SUFFIX = re.compile(r"\s*\((?:\d{4})?-(?:\d{4})?\)(?:\s.*)?$")


def inter_in(actor: Actor, event_country: str | None) -> int:
    """The actor's inter code in an event in ``event_country``: ACLED codes state forces operating
    outside their own country as external forces (8)."""
    if actor.inter == 1 and event_country and actor.country and actor.country != event_country:
        return 8
    return actor.inter


# --------------------------------------------------------------------------- parsed documents

_EXTEND_PREPS = {"of", "from"}
_EXTEND_ADJ = {"loyal", "belonging", "affiliated", "linked"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}


_NP_DEPS = {"prep", "pobj", "compound", "amod", "nmod", "det", "nummod", "poss", "case", "flat", "quantmod"}


def _np_end(token: Token) -> int:
    """The index after the last token of the noun phrase headed by ``token``, following only
    phrase-internal dependents (a relative clause or an apposition does not belong to it)."""
    end = token.i + 1
    for child in token.rights:
        if child.dep_ in _NP_DEPS and (child.dep_ != "prep" or child.lower_ == "of"):
            end = max(end, _np_end(child))
    return end


def _extended(span: Span) -> Span:
    """A noun chunk grown over its "of …" / "loyal to …" complement, so "units" becomes
    "units of the Armenian armed forces" (the complement names whose units they are)."""
    root = span.root
    end = span.end
    for child in root.rights:
        if child.i < span.end:
            continue
        if child.dep_ == "prep" and child.lower_ in _EXTEND_PREPS:
            end = max(end, _np_end(child))
        elif child.dep_ in ("amod", "acl") and child.lower_ in _EXTEND_ADJ:
            end = max(end, _np_end(child))
            for grandchild in child.rights:
                if grandchild.dep_ == "prep":
                    end = max(end, _np_end(grandchild))
        else:
            break
    return span.doc[span.start:end]


def _shared_modifier(span: Span) -> bool:
    """"the heavy military and artillery equipment": spaCy makes "military" a noun conjoined with
    "equipment", but it modifies it; such a word is not an actor."""
    root = span.root
    if root.lower_ not in ("military", "police", "army", "naval"):
        return False
    return any(c.dep_ == "conj" and c.pos_ == "NOUN" and normalise_actor(c.text) is None for c in root.children)


def _candidates(doc: Doc) -> list[Span]:
    spans: list[Span] = []
    for chunk in doc.noun_chunks:
        spans.append(chunk)
        grown = _extended(chunk)
        if grown.end > chunk.end:
            spans.append(grown)
    spans.extend(ent for ent in doc.ents if ent.label_ in ("ORG", "NORP", "GPE"))
    for start, end, _ in _group_matches(doc_text(doc)):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    return spans


@functools.lru_cache(maxsize=4096)
def _is_bare_country(text: str) -> bool:
    """"Armenia", "the Russian Federation": a country named without an actor word."""
    cleaned = _clean(text)
    return _classify_head([w.lower() for w in _WORD.findall(cleaned)]) is None and (
        country_name(cleaned) is not None
    )


def _acts(span: Span) -> bool:
    """A bare country is an actor only as the one who acts: a subject or the agent of a passive."""
    root = span.root
    return root.dep_ in _SUBJECT_DEPS or (root.dep_ == "pobj" and root.head.dep_ == "agent")


def find_actor_mentions(doc: Doc, *, default_country: str | None = None) -> list[ActorMention]:
    """Every actor-like noun phrase in ``doc``, normalised; overlaps resolved longest-first."""
    found: list[ActorMention] = []
    for span in _candidates(doc):
        actor = normalise_actor(span.text, default_country=default_country)
        if actor is None:
            continue
        if actor.kind == "military" and (
            (_is_bare_country(span.text) and not _acts(span)) or _shared_modifier(span)
        ):
            continue
        found.append(ActorMention(span.start_char, span.end_char, span.text, actor, span.root.i))
    return longest_disjoint(found)


def longest_disjoint(found: list[ActorMention]) -> list[ActorMention]:
    """Longest first, each mention kept unless it overlaps one kept before; in text order. The kept
    never overlap, so only the kept neighbours by start can overlap a newcomer (a bisect, not a scan)."""
    chosen: list[ActorMention] = []
    starts: list[int] = []
    for mention in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
        k = bisect.bisect_left(starts, mention.start)
        if k > 0 and chosen[k - 1].end > mention.start:
            continue
        if k < len(chosen) and chosen[k].start < mention.end:
            continue
        chosen.insert(k, mention)
        starts.insert(k, mention.start)
    return chosen

