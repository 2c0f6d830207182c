"""Actors: countries, demonyms and noun phrases normalised the way ACLED names actors.

ACLED's actor names follow a few patterns (DESIGN.md, "ACLED's conventions"):
``Military Forces of <Country>``, ``Police Forces of <Country>``, ``Government of <Country>``,
``Civilians (<Country>)``, ``Protesters (<Country>)``, ``Rioters (<Country>)``,
``Unidentified Armed Group (<Country>)``, ``Unidentified Gang (<Country>)``,
``Islamist Militia (<Country>)``, ``<Communal group> Ethnic Militia (<Country>)`` and named groups as
``ACRONYM: Full Name``. flashpoint leaves out ACLED's regime-year period (``(2018-)``) and keeps a unit
("Border Guard") in ``Actor.unit`` rather than in the name.

Choices ACLED's codebook leaves to the coder, made here once:

- Unspecified "security forces" are military forces (ACLED codes them so unless they are police).
- A state named as a belligerent ("Armenia attempted an attack") acts through its military forces.
- "<Demonym> terrorists / militants / separatists / saboteurs" is one side's label for armed men it
  does not name: an Unidentified Armed Group of the country where it happens (``default_country``),
  not that demonym's military (a named group in the phrase wins).
- Former officials ("the former defence minister of X") hold no state power: Civilians (X).
- Foreign state forces are inter 1 here; ACLED codes state forces outside their country as 8
  ("external forces"), which depends on the event's country: see ``inter_in``.
- Governments ("the Ministry of Defence of X", "X authorities", "the Kremlin") are
  ``Government of X`` with inter 1: ACLED counts governments among state forces.
- State forces and civilians take the country the phrase names ("Kenyan police", "Azerbaijani
  civilians": nationality); armed groups, protesters and rioters the country of the place.
- Officials named with a title ("Nigerian President Bola Tinubu") stand for their state only when
  the phrase names the country; weapons ("Russian warplanes") stand for forces only when it says whose.
- The Islamic State is split by country as ACLED does ("Islamic State (Iraq)").

Tables (``data/countries.tsv``, ``data/groups.tsv``) load lazily, once, on first use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is only needed for find_actor_mentions' argument types.
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "Actor",
    "ActorMention",
    "country_name",
    "demonym_spans",
    "find_actor_mentions",
    "inter_in",
    "normalise_actor",
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
    named_group | militia | other"""
    unit: str | None = None
    """A unit ACLED appends after the period ("Military Police", "Border Guard")."""


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


def _data_lines(filename: str) -> list[list[str]]:
    """The rows of a packaged TSV, without comments and the header line."""
    text = resources.files("flashpoint.data").joinpath(filename).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return rows[1:]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(";") if part.strip())


@functools.cache
def _countries() -> tuple[_Country, ...]:
    return tuple(
        _Country(row[0], row[1], row[2], _split(row[3]), _split(row[4]) if len(row) > 4 else ())
        for row in _data_lines("countries.tsv")
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
def _groups() -> tuple[_Group, ...]:
    return tuple(
        _Group(row[0], _split(row[1]), int(row[2]), row[3] or None)
        for row in _data_lines("groups.tsv")
    )


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

# Phrases that contain a country form but are not about that country.
_NOT_A_COUNTRY = (
    "New Jersey", "New Mexico", "New Guinea", "New South Wales", "New England", "Indian Ocean",
    "Latin America", "South America", "North America", "Central America", "Native American",
    "Arabian Sea", "Persian Gulf", "French fries", "Dominican Order", "Chinese New Year",
)


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
    blockers = re.compile(_EDGE_LEFT + "(?:" + _alternation(list(_NOT_A_COUNTRY)) + ")n?s?" + _EDGE_RIGHT)
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


@functools.cache
def _group_regexes() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, _Group]]:
    """(exact-case acronym regex, case-insensitive name regex, lower-cased alias → group)."""
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
    return found


def _find_group(text: str) -> tuple[int, int, _Group] | None:
    """The longest named group mentioned in ``text`` (its span and entry), if any."""
    found = _group_matches(text)
    if not found:
        return None
    return max(found, key=lambda f: (f[1] - f[0], -f[0]))


def _group_actor(group: _Group, country: str | None) -> Actor:
    if "{country}" in group.name:
        name = group.name.replace("{country}", country) if country else group.name.replace(" ({country})", "")
        return Actor(name, group.inter, country, "named_group")
    return Actor(group.name, group.inter, group.country, "named_group")


# --------------------------------------------------------------------------- head lexicon

_MILITARY = {
    "army", "armies", "armed forces", "forces", "force", "military", "militaries", "troops", "troop",
    "soldier", "soldiers", "serviceman", "servicemen", "servicemember", "servicemembers",
    "service member", "service members", "servicewomen", "military personnel", "personnel",
    "navy", "air force", "marines", "paratroopers", "commandos", "special forces", "artillery",
    "artillerymen", "sniper", "snipers", "side", "defence forces", "defense forces", "national guard",
    "border guard", "border guards", "border troops", "border service", "border police",
    "peacekeepers", "peacekeeping forces", "coast guard", "junta", "garrison", "warplanes",
    "jets", "jet", "fighter jets", "warplane", "drones", "drone", "helicopters", "gunships", "warships",
    "security forces", "military police", "presidential guard", "republican guard",
    "revolutionary guards", "revolutionary guard", "irgc", "gendarmerie", "gendarmes", "gendarme",
    "officer corps", "conscripts", "reservists", "guard", "guards", "sentry", "sentries", "jawan", "jawans",
}
# Weapons and platforms ("Russian warplanes struck …") stand for the forces that use them, but only
# when the phrase says whose they are: "shot down 20 drones" names no actor.
_PLATFORMS = {"warplanes", "warplane", "jets", "jet", "fighter jets", "drones", "drone", "helicopters",
              "gunships", "warships", "aircraft"}

# Names that stand for a state's government or forces ("the Kremlin said").
_IMPLIED = {
    "kremlin": ("government", "Russia"), "white house": ("government", "United States"),
    "pentagon": ("military", "United States"), "downing street": ("government", "United Kingdom"),
    "elysee": ("government", "France"), "élysée": ("government", "France"),
    "idf": ("military", "Israel"), "israel defense forces": ("military", "Israel"),
    "israel defence forces": ("military", "Israel"), "israeli defense forces": ("military", "Israel"),
    "tatmadaw": ("military", "Myanmar"), "fardc": ("military", "Democratic Republic of Congo"),
    "saf": ("military", "Sudan"), "fanci": ("military", "Ivory Coast"), "sndf": ("military", "Somalia"),
    # National armies usually named by their acronym in regional reporting.
    # (Not AFP, FDS, ISF or ANA: a news agency, or acronyms several countries' forces share.)
    "fama": ("military", "Mali"), "endf": ("military", "Ethiopia"), "updf": ("military", "Uganda"),
    "spla": ("military", "South Sudan"), "ssdf": ("military", "South Sudan"), "kdf": ("military", "Kenya"),
    "fadm": ("military", "Mozambique"), "fdnb": ("military", "Burundi"), "fardh": ("military", "Haiti"),
    "zsu": ("military", "Ukraine"), "laf": ("military", "Lebanon"), "pla": ("military", "China"),
    "tsk": ("military", "Turkey"), "fanb": ("military", "Venezuela"),
}

_POLICE = {
    "police", "policeman", "policemen", "policewoman", "policewomen", "police officer",
    "police officers", "officer", "officers", "cops", "cop", "riot police", "law enforcement",
    "constabulary", "security officers", "traffic police", "police forces", "police force",
    "police units", "anti-riot police", "riot squad", "carabineros", "carabinieri",
}

_GOVERNMENT = {
    "government", "governments", "govt", "authorities", "authority", "ministry", "ministries",
    "minister", "ministers", "prime minister", "president", "leadership", "administration",
    "cabinet", "regime", "officials", "official", "embassy", "consulate", "foreign ministry",
    "defence ministry", "defense ministry", "governor", "mayor", "parliament",
    "presidency", "kremlin", "white house", "pentagon", "mod", "mfa", "diplomats", "diplomat", "ambassador",
}

_CIVILIANS = {
    "civilian", "civilians", "villager", "villagers", "resident", "residents", "people", "person",
    "persons", "man", "men", "woman", "women", "child", "children", "boy", "boys", "girl", "girls",
    "farmer", "farmers", "herder", "herders", "journalist", "journalists", "reporter", "reporters",
    "student", "students", "teacher", "teachers", "worker", "workers", "aid worker", "aid workers",
    "passenger", "passengers", "pilgrim", "pilgrims", "worshipper", "worshippers", "worshipers",
    "trader", "traders", "motorist", "motorists", "driver", "drivers", "refugee", "refugees",
    "migrant", "migrants", "idps", "displaced", "locals", "local", "inhabitant", "inhabitants",
    "family", "families", "doctor", "doctors", "nurse", "nurses", "patient", "patients",
    "shepherd", "shepherds", "fisherman", "fishermen", "miner", "miners", "pupil", "pupils",
    "priest", "priests", "imam", "activist", "activists", "lawyer", "lawyers", "population",
    "citizen", "citizens", "traveller", "travellers", "traveler", "travelers", "tourist", "tourists",
    "bystander", "bystanders", "elder", "elders", "vendor", "vendors", "shopkeeper", "shopkeepers",
    "mourners", "relatives", "infant", "infants", "baby", "babies", "teenager", "teenagers",
    "businessman", "businessmen", "community members", "community leader", "chief", "village chief",
    "volunteer", "volunteers", "medic", "medics", "paramedic", "paramedics", "staff", "employees",
    "employee", "engineer", "engineers", "contractor", "contractors", "hostages", "hostage",
    "son", "sons", "daughter", "daughters", "wife", "wives", "husband", "brother", "brothers",
    "sister", "sisters", "father", "mother", "parents", "cousin", "nephew", "security guard",
    "security guards", "night watchman", "watchman", "suspect", "suspects", "detainee", "detainees",
    "prisoners", "inmates", "voters", "officials' relatives",
}

_PROTESTERS = {
    "protester", "protesters", "protestor", "protestors", "demonstrator", "demonstrators",
    "marcher", "marchers", "strikers", "picketers", "rally", "crowd", "crowds", "rallygoers",
}

_RIOTERS = {"rioter", "rioters", "mob", "mobs", "looter", "looters", "angry crowd", "angry mob", "lynch mob"}

_UNIDENTIFIED = {
    "gunman", "gunmen", "assailant", "assailants", "attacker", "attackers", "armed men", "armed man",
    "armed group", "armed groups", "militant", "militants", "insurgent", "insurgents", "rebel",
    "rebels", "terrorist", "terrorists", "separatist", "separatists", "saboteur", "saboteurs",
    "fighters", "fighter", "bandit", "bandits", "kidnapper", "kidnappers", "abductor", "abductors",
    "raiders", "hitmen", "hitman", "militia", "militias", "militiamen", "militiaman", "armed individuals",
    "perpetrators", "unknown persons", "unidentified persons", "robbers", "armed robbers", "herdsmen",
    "vigilantes", "hunters", "jihadist", "jihadists", "jihadis", "islamists",
}

_GANG = {"gang", "gangs", "gangster", "gangsters", "gang members", "cartel", "cartels", "sicarios", "criminals"}

_PARTITIVE = {
    "units", "unit", "members", "member", "elements", "element", "group", "groups", "number",
    "contingent", "detachment", "battalion", "battalions", "brigade", "brigades", "regiment",
    "division", "platoon", "squad", "patrol", "patrols", "convoy", "dozens", "hundreds", "scores",
    "thousands", "representatives", "representative", "spokesman", "spokesperson", "spokeswoman",
    "press service", "press office", "head", "commander", "commanders", "leader", "leaders",
    "supporters", "remnants", "wing", "faction", "cell", "some", "many", "most", "all", "several",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "rest",
}
# A partitive head takes its actor from its complement ("units of the Armenian armed forces");
# these ones are military even without one ("a Russian contingent").
_MILITARY_PARTITIVE = {
    "units", "unit", "contingent", "detachment", "battalion", "battalions", "brigade", "brigades",
    "regiment", "division", "platoon", "squad", "patrol", "patrols", "convoy", "commander", "commanders",
}

_MILITARY_WORDS = {"army", "military", "navy", "naval", "armed", "militia"}
_CIVIL_WORDS = {"medical", "health", "humanitarian", "civilian", "hospital", "aid", "un", "media"}
_ISLAMIST = {"jihadist", "jihadists", "jihadi", "jihadis", "islamist", "islamists"}
_NOT_STATE = {"rebel", "rebels", "insurgent", "insurgents", "militant", "militants", "separatist",
              "separatists", "militia", "militias", "opposition", "jihadist", "jihadists", "terrorist",
              "terrorists", "gang", "criminal", "unidentified", "unknown", "anti-government"}
_FORMER = {"former", "ex", "ex-", "retired"}

# Communal identities that ACLED names "<X> Ethnic Militia (<country>)" when armed.
_COMMUNAL = {
    "fulani", "peul", "dogon", "bambara", "dozo", "hema", "lendu", "twa", "luba", "tiv", "berom",
    "jukun", "tarok", "nuer", "dinka", "murle", "misseriya", "rizeigat", "masalit", "arab", "pokot",
    "turkana", "borana", "garre", "degodia", "marehan", "oromo", "amhara", "afar", "gedeo", "gumuz",
    "kikuyu", "kalenjin", "banyamulenge", "hutu", "tutsi", "kuki", "meitei", "naga", "bodo", "tuareg",
    "mbororo", "gbaya", "yoruba", "igbo", "hausa", "kanuri", "dagomba", "konkomba", "kusasi",
    "mamprusi", "druze", "bedouin", "alawite", "baggara", "zaghawa", "fur", "toubou", "kurdish",
}
_ARMED_COMMUNAL_HEADS = {"militia", "militias", "militiamen", "militiaman", "gunmen", "fighters",
                         "herdsmen", "militants", "attackers", "assailants", "youths", "vigilantes",
                         "hunters", "armed men", "raiders", "ethnic militia", "communal militia"}

_UNITS: dict[str, tuple[str, str | None]] = {
    # phrase → (unit, implied country)
    "military police": ("Military Police", None),
    "border guard": ("Border Guard", None), "border guards": ("Border Guard", None),
    "border troops": ("Border Guard", None), "border service": ("Border Guard", None),
    "border police": ("Border Guard", None),
    "special forces": ("Special Forces", None), "national guard": ("National Guard", None),
    "presidential guard": ("Presidential Guard", None), "republican guard": ("Republican Guard", None),
    "navy": ("Navy", None), "naval": ("Navy", None), "air force": ("Air Force", None),
    "coast guard": ("Coast Guard", None), "gendarmerie": ("Gendarmerie", None),
    "gendarmes": ("Gendarmerie", None), "gendarme": ("Gendarmerie", None),
    "revolutionary guards": ("Islamic Revolutionary Guard Corps", "Iran"),
    "revolutionary guard": ("Islamic Revolutionary Guard Corps", "Iran"),
    "irgc": ("Islamic Revolutionary Guard Corps", "Iran"),
}

_COMPLEMENT = re.compile(
    r"\s+(?:of|from|loyal to|belonging to|affiliated with|affiliated to|linked to|in|at|near|on|"
    r"who|that|which|under|led by|backed by|along)\s+|\s*,\s*",
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


def _head_key(words: list[str], lexicon: set[str]) -> str | None:
    for n in (3, 2, 1):
        if len(words) >= n:
            key = " ".join(words[-n:])
            if key in lexicon:
                return key
    return None


def _classify_head(words: list[str]) -> str | None:
    """The category of a head segment's last word(s): military, police, …, or None."""
    for category, lexicon in (
        ("police", _POLICE), ("rioters", _RIOTERS), ("unidentified", _UNIDENTIFIED), ("gang", _GANG),
        ("military", _MILITARY), ("government", _GOVERNMENT), ("protesters", _PROTESTERS),
        ("civilians", _CIVILIANS), ("partitive", _PARTITIVE),
    ):
        if _head_key(words, lexicon) is not None:
            # "security officers" and "police units" are police whatever the lexicon order says.
            return category
    return None


@functools.cache
def _unit_regex() -> re.Pattern[str]:
    return re.compile(r"\b(" + _alternation(list(_UNITS)) + r")\b")


def _find_unit(lower: str) -> tuple[str | None, str | None]:
    """The unit a lower-cased phrase names ("border guards" → "Border Guard") and the country
    the unit implies ("revolutionary guards" → Iran), if any."""
    m = _unit_regex().search(lower)
    return _UNITS[m.group(1)] if m else (None, None)


def _first_country(text: str) -> str | None:
    """The first country a phrase names. (ISO codes count only as a whole phrase, in
    ``country_name``: inside text, "ARE" and "CAN" are words far more often than countries.)"""
    spans = demonym_spans(text)
    return spans[0][2] if spans else None


_THE_NAMES = {"Philippines", "Netherlands", "Bahamas", "Gambia", "Maldives", "Comoros", "Seychelles"}


def _with_country(pattern: str, country: str | None) -> str:
    """'Military Forces of {c}' → 'Military Forces of Armenia'; without a country the bare name.

    ACLED writes "Military Forces of the United States", "… of the Democratic Republic of Congo",
    "… of the Philippines", but "Civilians (United States)": the article only follows "of"."""
    if country:
        if " of {c}" in pattern and (
            country.startswith("United ") or "Republic" in country or country.endswith("Islands")
            or country in _THE_NAMES
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


@functools.lru_cache(maxsize=8192)
def normalise_actor(text: str, *, default_country: str | None = None) -> Actor | None:
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
        return _make(*implied)

    if category is None:
        titled = _titled(words, head_seg)
        return titled if titled is not None else _bare_name(cleaned, paren_country)
    if category == "partitive":
        inner = normalise_actor(complement, default_country=default_country) if complement else None
        if inner is not None:
            return inner
        if _head_key(words, _MILITARY_PARTITIVE) and not set(words) & _NOT_STATE:
            country = paren_country or _first_country(head_seg) or default_country
            return _make("military", country, _find_unit(cleaned.lower())[0])
        return None
    return _categorised(category, words, head_seg, complement, paren_country, default_country)


def _implied(words: list[str]) -> tuple[str, str] | None:
    """A name that stands for a state ("the Kremlin", "IDF soldiers") → (category, country)."""
    for n in (2, 1):
        for i in range(len(words) - n + 1):
            found = _IMPLIED.get(" ".join(words[i:i + n]))
            if found is not None and found[1]:
                return found
    return None


_TITLES = {
    "president": "government", "vice-president": "government", "minister": "government",
    "governor": "government", "mayor": "government", "spokesman": "government",
    "spokesperson": "government", "general": "military", "gen": "military", "colonel": "military",
    "col": "military", "lieutenant": "military", "brigadier": "military", "admiral": "military",
    "commander": "military", "police chief": "police", "inspector-general": "police",
}


def _titled(words: list[str], head_seg: str) -> Actor | None:
    """"Nigerian President Bola Tinubu", "Russian Defence Minister Sergei Shoigu": an official
    named with a title stands for his state. Only when the phrase names the country, so that
    "President Putin" in a report from Ukraine is not made Government of Ukraine."""
    country = _first_country(head_seg)
    if country is None:
        return None
    original = _WORD.findall(head_seg)
    for i, word in enumerate(words):
        category = _TITLES.get(word)
        if category and i + 1 < len(original) and original[i + 1][:1].isupper():
            return _make(category, country)
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
        return _make("military", country)
    if lowered.endswith("s") and lowered[:-1] in demonyms:
        return _make("civilians", paren_country or country)
    return None


def _categorised(
    category: str,
    words: list[str],
    head_seg: str,
    complement: str,
    paren_country: str | None,
    default_country: str | None,
) -> Actor | None:
    """Build the actor for a head in a known category, with the right country and unit.

    State forces and civilians belong to the country the phrase names ("Kenyan police",
    "Azerbaijani civilians"); armed groups, protesters and rioters to the place they act in."""
    modifiers = set(words)
    place = paren_country or default_country
    own = paren_country or _first_country(head_seg) or _first_country(complement) or default_country
    unit, unit_country = _find_unit(" ".join(words))
    if category in ("military", "police", "government"):
        if modifiers & _FORMER:
            return _make("civilians", own)
        if modifiers & _ISLAMIST:
            return _make("islamist", place or own)
        if modifiers & _NOT_STATE:
            return _make("unidentified", place or own)
        if category == "military" and _head_key(words, _PLATFORMS) and not (
            paren_country or _first_country(head_seg)
        ):
            return None  # "shot down 20 drones": whose drones the phrase does not say
        if category == "military" and _head_key(words, _POLICE | {"police units"}):
            category = "police"
        if category == "police" and words[-1] in ("officer", "officers") and modifiers & _MILITARY_WORDS:
            category = "military"  # "army officers"
        if category == "military" and words[-1] in ("personnel", "staff") and modifiers & _CIVIL_WORDS:
            return _make("civilians", own)  # "medical personnel"
        country = unit_country or own  # the Revolutionary Guards are Iran's wherever they act
        if unit == "Military Police" and country == "Brazil":
            return _make("police", country, unit)  # Brazil's military police are state police
        return _make(category, country, unit if category != "government" else None)
    if category in ("unidentified", "gang"):
        communal = modifiers & _COMMUNAL
        if communal and _head_key(words, _ARMED_COMMUNAL_HEADS):
            name = next(w for w in words if w in communal).capitalize()
            country = place or own
            return Actor(_with_country(name + " Ethnic Militia ({c})", country), 4, country, "militia")
        if modifiers & _ISLAMIST:
            return _make("islamist", place or own)
        if modifiers & {"communal", "ethnic", "tribal", "clan"}:
            return _make("communal", place or own)
        if modifiers & {"police", "policemen"} and category == "unidentified":
            return _make("police", own)
        return _make(category, place or own)
    if category in ("protesters", "rioters"):
        if category == "protesters" and modifiers & {"angry", "violent", "irate"} and "crowd" in words[-1:]:
            category = "rioters"
        return _make(category, place or own)
    if modifiers & {"unidentified", "unknown", "masked", "armed", "hooded"}:
        return _make("unidentified", place or own)  # "unidentified men", "masked persons"
    return _make(category, own)  # civilians: their own country (nationality) when the phrase says it


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
    for start, end, _ in _group_matches(doc.text):
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
    chosen: list[ActorMention] = []
    for mention in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
        if all(mention.end <= c.start or mention.start >= c.end for c in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.start)

