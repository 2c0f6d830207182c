"""From mentions to events: one event per happening per document, every field with its evidence.

Merging rules (why): a sentence that only refers back ("the clashes on November 16 are not a
spontaneous incident") adds evidence and never a second event; casualties told in a following
sentence ("As a result, 3 servicemen were injured") belong to the event just told; the same
type on the same day at a compatible place is the same happening.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from spacy.tokens import Doc

from flashpoint import lang
from flashpoint.extract import actors
from flashpoint.extract.claims import (
    acled_count,
    acled_fatalities,
    claims_from,
    document_sides,
    place_claims,
    settle_sides,
)
from flashpoint.extract.mentions import Mention, is_violent
from flashpoint.geo.attach import Link, link
from flashpoint.geo.focus import check_far
from flashpoint.geo.geodesy import haversine_km
from flashpoint.geo.geoparse import EventLocation as Location
from flashpoint.geo.scene import near_place, scene_role
from flashpoint.model import Document, Event, Place, Span
from flashpoint.resolve.notes import write_notes
from flashpoint.typology import EVENT_TYPE_OF, disorder_type

_ATTACH_WINDOW = 3
"""Casualty-only sentences attach to an event told at most this many sentences before."""
_STRATEGIC_NEEDS_DATE = frozenset({"Other", "Change to group/activity", "Headquarters or base established"})


class Locator(Protocol):
    """Anything that says where an event in ``text[start:end]`` happened (the geoparser)."""

    def locate(self, places: list[Place], start: int, end: int, text: str, *,
               anchor: tuple[int, int] | None = None) -> Location | None: ...

    def locate_all(self, places: list[Place], start: int, end: int, text: str, *,
                   anchor: tuple[int, int] | None = None) -> list[Location]: ...


@dataclass
class _Building:
    event: Event
    mentions: list[Mention] = field(default_factory=list)
    figures: dict[str, list[int]] = field(default_factory=dict)
    victims: list[tuple[str, int, Span]] = field(default_factory=list)
    """Actors named as the killed, injured or captured (name, inter, evidence span)."""
    nationality: dict[str, str] = field(default_factory=dict)
    """Actor name → the country its phrase named ("Somali gunmen" → Somalia): kept over the
    event's country when the names are localised (nationality from the text, not the geocode)."""
    where: set[str] = field(default_factory=set)
    """Every place (and its admin1) named in the event's sentences: a later sentence at any of
    them can tell the same happening ("towards Lachin and Kalbajar")."""
    split: tuple[int, int] = (0, 1)
    """(this event's index, how many places) when one report listed several places for one
    kind of happening: one event per place, the deaths divided among them."""


def resolve(
    mentions: list[Mention],
    document: Document,
    places: list[Place],
    locator: Locator | None,
    *,
    focus_country: str | None = None,
    doc: Doc | None = None,
) -> list[Event]:
    """Merge mentions into events and fill every field; ``doc`` (the parse) ties each event's
    place to the words that tell it."""
    built: list[_Building] = []
    dateline = dateline_span(document.text)  # once per document: where the reporter files from
    far = check_far(places)  # places far from the focus with nothing for them: never a scene
    mentions, folded = _fold_headlines(mentions, document)
    for mention in mentions:
        if mention.sub_event_type is None:
            _attach_casualties(mention, built)
            continue
        if _background(mention, document):
            continue
        if mention.sub_event_type in _STRATEGIC_NEEDS_DATE and mention.date_source == "inherited":
            # Background ("troops were deployed there last year …") told inside another story.
            continue
        location, told_here = _locate(mention, document, places, locator, dateline, doc=doc, far=far, focus=focus_country)
        nearby = _all_places(mention, document, places, locator)
        # A place the sentence does not name itself (the story's scene) cannot tell it apart.
        target = _merge_target(mention, location if told_here else None, built)
        listed = _listed_places(mention, document, places, locator) if target is None else []
        if listed:
            for k, place in enumerate(listed):
                b = _Building(Event(id=f"{document.id}-{len(built) + 1}", document_id=document.id), split=(k, len(listed)))
                built.append(b)
                _apply_location(b.event, place, focus_country, document, places)
                _absorb(b, mention, document.text)
                b.where |= nearby
            target = built[-1]
        else:
            if target is None:
                previous = built[-1] if built else None
                target = _Building(Event(id=f"{document.id}-{len(built) + 1}", document_id=document.id))
                built.append(target)
                vague = location is None or (location.geo_precision == 3 and location.country == previous_country(previous))
                same_time = mention.date_source != "explicit" or (previous is not None and mention.date == previous.event.event_date)
                if vague and same_time and previous is not None and _follows(previous, mention) and previous.event.location:
                    _inherit_location(target.event, previous.event)
                else:
                    _apply_location(target.event, location, focus_country, document, places)
            # A place the event's own sentences named was weighed there, with the parse; one the
            # story names after them ("The attacks occurred in the town of X") is news.
            new_place = told_here or (location is not None and bool(location.spans) and location.spans[0][0] >= max(
                (m.sent_span[1] for m in target.mentions), default=0))
            _absorb(target, mention, document.text)
            if new_place and location is not None and _refines(location, target.event):
                _apply_location(target.event, location, focus_country, document, places)
            target.where |= nearby
        for headline in folded.get(id(mention), []):
            _absorb(target, headline, document.text)
    events = [_finish(b, document, places) for b in built]
    return events


def _fold_headlines(mentions: list[Mention], document: Document) -> tuple[list[Mention], dict[int, list[Mention]]]:
    """A headline and the lead that follows it tell one happening: the headline's mention is
    folded into the first compatible mention of the story below it (its words stay evidence)."""
    kept: list[Mention] = []
    folded: dict[int, list[Mention]] = {}
    for idx, m in enumerate(mentions):
        if m.sub_event_type is not None and _is_headline(m, document):
            body = next(
                (n for n in mentions[idx + 1:]
                 if n.sub_event_type is not None and n.sent_index - m.sent_index <= _HEADLINE_REACH
                 and not _is_headline(n, document) and _compatible(m.sub_event_type, n.sub_event_type)),
                None,
            )
            if body is not None:
                folded.setdefault(id(body), []).append(m)
                continue
        kept.append(m)
    return kept, folded


_HEADLINE_REACH = 4
_END_PUNCT = frozenset(".!?\"”’'…:;")


def _is_headline(m: Mention, document: Document) -> bool:
    """A line of its own without closing punctuation (a title or a brief's headline), or the title."""
    start, end = m.sent_span
    raw = document.text[start:end]
    text = raw.strip()
    if not text:
        return False
    if document.title and text == document.title.strip():
        return True
    after = document.text[end:end + 3].lstrip(" \t")
    line_ends = end >= len(document.text) or "\n" in raw[len(raw.rstrip()):] or after.startswith("\n") or not after
    return line_ends and text[-1] not in _END_PUNCT and len(text.split()) <= 20


def _compatible(a: str | None, b: str | None) -> bool:
    ta, tb = EVENT_TYPE_OF.get(a or ""), EVENT_TYPE_OF.get(b or "")
    if ta == tb:
        return True
    if is_violent(a) and is_violent(b):
        return True
    return {ta, tb} <= {"Protests", "Riots"}


@functools.cache
def _list_patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """For one language (``lang/<code>/place_lists.json``): what may stand between the places of one
    list, the words before a list that make it a route, and the word that ends a list."""
    words = lang.data(language, "place_lists")

    def alternatives(key: str) -> str:
        return "|".join(re.escape(w) for w in sorted(words[key], key=len, reverse=True)) or "(?!)"

    article = rf"(?:(?:{alternatives('articles')})\s+)?"
    of = rf"(?:(?:{alternatives('of')})\s+)?"
    gap = re.compile(rf"^\s*(?:{alternatives('gaps')})?\s*{article}(?:(?:{alternatives('list_nouns')})\s+{of})?$", re.I)
    route = re.compile(rf"\b(?:{alternatives('route_words')})\s+{article}(?:(?:{alternatives('route_nouns')})\s+)?$", re.I)
    end = re.compile(rf"\b(?:{alternatives('ends')})\b", re.I)
    return gap, route, end


def _listed_places(mention: Mention, document: Document, places: list[Place], locator: Locator | None) -> list[Location]:
    """'shelled Jermuk, Goris and Vardenis', 'killed seven in Kherson and Nikopol': one kind of
    happening told for several towns in one list is one event per town (ACLED's rule)."""
    if locator is None:
        return []
    start, end = mention.sent_span
    towns = [
        p for p in places
        if start <= p.start < end and p.kind == "literal" and p.geonameid is not None
        and not (p.feature_code or "").startswith(("PCL", "ADM1", "ADM2", "CONT", "RGN"))
    ]
    towns.sort(key=lambda p: p.start)
    list_gap, route, list_end = _list_patterns(document.language if document.language in ("en", "ru") else "en")
    run: list[Place] = []
    best: list[Place] = []
    for p in towns:
        if run and list_gap.match(document.text[run[-1].end:p.start]) and p.geonameid not in {q.geonameid for q in run}:
            run.append(p)
        else:
            run = [p]
        if len(run) > len(best):
            best = list(run)
    if len(best) < 2 or route.search(document.text[max(start, best[0].start - 30):best[0].start]):
        return []  # 'on the road between Gao and Ménaka', 'from Lahore to Islamabad': not the scenes
    if len(best) < 2 or not list_end.search(document.text[best[0].end:best[-1].start]):
        return []  # 'Al Mansurah, Aden' is a place and its region; a list ends with 'and'
    if any(p.name in (q.admin1, q.admin2) for p in best for q in best if p.geonameid != q.geonameid):
        return []
    found = [locator.locate([p], p.start, p.end, document.text) for p in best]
    return [loc for loc in found if loc is not None] if all(loc is not None for loc in found) else []


def _background(m: Mention, document: Document) -> bool:
    """History told for context ("a ceasefire … ended the war in November 2020"): a month or a
    year well before the report is not news of an event."""
    if m.date_source != "explicit" or m.time_precision < 3 or m.date is None or document.published is None:
        return False
    return (document.published - m.date).days > 45


def _locate(
    mention: Mention, document: Document, places: list[Place], locator: Locator | None, dateline: Span | None,
    *, doc: Doc | None = None, far: frozenset[tuple[int, int]] = frozenset(), focus: str | None = None,
) -> tuple[Location | None, bool]:
    """Where it happened: the place the parse ties to the event's trigger (geo/attach.py), the
    most specific first, not counting the dateline (where the reporter files from), places that
    name an actor, or places far from the document's focus with nothing for them (geo/focus.py).
    If the sentence names no such place, or only a country, or only a speaker's or a party's
    place, the scene the story named just before (the two sentences before, then the paragraph).
    The flag says whether the place was named in the mention's own sentence."""
    if locator is None:
        return None, False
    # A place that names one of the actors ("Armenia attempted to deploy …") is not where it happened.
    actor_spans = [s for s in (mention.agent_span, mention.target_span) if s is not None]
    usable = [
        p for p in places
        if p.kind != "metonymic"  # "Moscow said", "Moscow time": a government or a clock, not a scene
        and not any(a <= p.start < b for a, b in actor_spans)
        and not (dateline and dateline[0] <= p.start < dateline[1])
        and (p.start, p.end) not in far
    ]
    found, weak = _in_sentence(mention, usable, locator, document.text, doc)
    if found is None or found.geo_precision == 3 or weak:
        earlier = _story_scene(mention, usable, locator, document.text)
        if earlier is not None and found is None and earlier.geo_precision == 3 and earlier.country != focus \
                and _paragraph_names(focus, mention, places, document.text):
            earlier = None  # a country named in passing; the paragraph is about the document's country
        if earlier is not None and (
                found is None
                or (weak and earlier.geo_precision <= found.geo_precision and earlier.country == found.country)
                or (earlier.geo_precision < 3 and earlier.country == found.country)):
            if found is not None:
                earlier.reason += f"; not {found.location}: {found.reason}"
            return earlier, False
    if found is None and dateline is not None:
        # Nothing else is named: the dateline city is the best (least precise) guess.
        at_dateline = locator.locate(places, dateline[0], dateline[1], document.text)
        if at_dateline is not None:
            at_dateline.geo_precision = max(at_dateline.geo_precision, 2)
            at_dateline.reason = f"{at_dateline.location}: the dateline (the story names no other place)"
        return at_dateline, False
    # A speaker's, a party's or a destination's place stands only for want of another: it
    # neither refines nor splits an event.
    return found, found is not None and not weak


def _refines(location: Location, e: Event) -> bool:
    """A later sentence of the same event names its place more precisely: the town after only the
    country ("in Pakistan … in Kohat"), or a town in the district it was first placed at ("in
    North Waziristan … the village of X")."""
    if e.geo_precision == 3:
        return location.geo_precision < 3
    if e.geo_precision != 2 or location.geo_precision != 1 or location.country != e.country:
        return False
    # Only a district the town lies in: "near the village of X … the wounded were taken to
    # hospital in Y" keeps X.
    return e.location in (location.admin1, location.admin2)


def _in_sentence(mention: Mention, usable: list[Place], locator: Locator, text: str,
                 doc: Doc | None) -> tuple[Location | None, bool]:
    """The event's place in its own sentence, and whether it is only a weak one (a speaker's,
    a party's or a comparison's place: the parse ties no other to the trigger)."""
    start, end = mention.sent_span
    # The scene is read from the event's trigger: the place of "exploded in X", not the speaker's.
    trigger = max(mention.triggers, key=lambda t: max(t.types.values()), default=None)
    anchor = (trigger.char_start, trigger.char_end) if trigger is not None else None
    inside = [p for p in usable if start <= p.start and p.end <= end and p.geonameid is not None]
    literal = [p for p in inside if p.kind == "literal"]
    links: dict[tuple[int, int], Link] = {}
    passed: set[tuple[int, int]] = set()
    weak = False
    if doc is not None and trigger is not None and literal:
        links = {(p.start, p.end): link(doc, trigger.head, p.start, p.end, trigger.text) for p in literal}
        # A place the words around it give another role ("fired from X", "said in X") ranks with
        # the parse's weak ties whatever the parse says.
        buckets = {(p.start, p.end): _bucket(links[(p.start, p.end)], p)
                   if (r := scene_role(text, p, anchor)).scene or r.role == "reference" else 2 for p in literal}
        best = min(buckets.values())
        passed = {span for span, b in buckets.items() if b != best}
        weak = best == 2
    pool = [p for p in usable if (p.start, p.end) not in passed]  # the others still weigh a country tie
    found = locator.locate(pool, start, end, text, anchor=anchor)
    if found is None:
        return None, False
    chosen = links.get(found.spans[0]) if found.spans else None
    notes = [found.reason] if found.reason else []
    if chosen is not None:
        notes.append(f"in the parse, {chosen.describe()}")
    for p in literal:
        lk = links.get((p.start, p.end))
        if lk is not None and (p.start, p.end) in passed and p.name != found.location:
            notes.append(f"not {p.name}: {lk.describe()}")
    found.reason = "; ".join(notes)
    if found.spans:
        found.geo_precision = near_place(text, found.spans[0], found.geo_precision)
    return found, weak


def _bucket(tie: Link, p: Place) -> int:
    """How strongly the parse ties a place to the event (0 strongest). A town in a party's name
    ("the Kandahar brigade", "Peshawar residents") is not where it happened, but a country that
    is a party ("Armenia and Azerbaijan fought") is likely the event's country."""
    if tie.kind == "party" and (p.feature_code or "").startswith("PCL"):
        return 1
    return tie.bucket


def _story_scene(mention: Mention, usable: list[Place], locator: Locator, text: str) -> Location | None:
    """The scene the story named before this sentence: in the two sentences before, else earlier
    in its paragraph (a brief tells one story per paragraph). Only places named as places: a
    demonym there ("the Armenian authorities denied") tells who, not where."""
    start = mention.sent_span[0]
    usable = [p for p in usable if p.kind == "literal" and not _dateline_like(p, text)]
    para = _paragraph_start(text, start)
    if mention.context_span is not None:
        earlier = locator.locate(usable, mention.context_span[0], mention.context_span[1], text)
        if earlier is not None and earlier.geo_precision == 3 and earlier.spans and earlier.spans[0][0] < para:
            earlier = None  # a country named in the paragraph before: that story's, not this one's
        if earlier is not None:
            earlier.reason = f"{earlier.location}: the sentence names no place of its own; named just before"
            return earlier
    if para < start:
        earlier = locator.locate(usable, para, start, text)
        if earlier is not None:
            earlier.reason = f"{earlier.location}: the sentence names no place of its own; the scene of its paragraph"
            return earlier
    return None


def _dateline_like(p: Place, text: str) -> bool:
    """A place in capitals at the start of a line ("GOMA, 3 November -"): where the reporter files
    from, not a scene the story told (dateline_span misses the forms without a month first)."""
    return p.name.isupper() and len(p.name) > 3 and (p.start == 0 or text[p.start - 1] == "\n")


def _paragraph_names(country: str | None, mention: Mention, places: list[Place], text: str) -> bool:
    """Whether the mention's paragraph, up to its sentence's end, names a place in ``country``."""
    start, end = _paragraph_start(text, mention.sent_span[0]), mention.sent_span[1]
    return country is not None and any(start <= p.start < end and p.country == country for p in places)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_PARAGRAPH_REACH = 3000
"""Characters read back for a paragraph's start: a story's paragraph, not the whole document."""


def _paragraph_start(text: str, pos: int) -> int:
    """Where the paragraph holding ``pos`` begins (after the last blank line before it)."""
    last = 0 if pos <= _PARAGRAPH_REACH else pos  # no break within reach: no paragraph to read
    for m in _PARAGRAPH_BREAK.finditer(text, max(0, pos - _PARAGRAPH_REACH), pos):
        last = m.end()
    return last


_DATELINE = re.compile(
    r"^[ \t]*[A-Z][A-Z .'’/-]{2,40}(?:,[ \t]*[A-Z][A-Za-z .'’-]{1,30}){0,2}"
    r"(?:,?[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2})?[ \t]*(?:\([^()\n]{1,40}\))?[ \t]*(?:[-–—:]|/[^/\n]{1,30}/)",
    re.M,
)


def dateline_span(text: str) -> tuple[int, int] | None:
    """'KADUNA, Nigeria, March 9 (CPA) -' at the top of a story: where it was filed from."""
    head = text[:600]
    match = _DATELINE.search(head)
    if match is None or "\n\n" in head[: match.start()].strip("\n"):
        return None
    return (match.start(), match.end())


def _all_places(mention: Mention, document: Document, places: list[Place], locator: Locator | None) -> set[str]:
    if locator is None:
        return set()
    start, end = mention.sent_span
    found = locator.locate_all(places, start, end, document.text)
    return {n for loc in found for n in (loc.location, loc.admin1) if n}


def _at(location: Location, b: _Building) -> bool:
    """Whether a location is one the event was already told at."""
    e = b.event
    if location.location == e.location or location.location in b.where:
        return True
    if location.admin1 is None or not (location.admin1 == e.admin1 or location.admin1 in b.where):
        return False
    # The same province is the same place for a region or a district, not for two towns apart:
    # "shelling in X district ... later the same night, posts near town Y" are two events (ACLED:
    # one event per place and day).
    return not _apart(location, e)


_APART_KM = 30.0


def _apart(location: Location, e: Event) -> bool:
    """Two places at least one of which is a town, farther apart than ``_APART_KM``."""
    if location.geo_precision == 3 or e.geo_precision == 3 or 1 not in (location.geo_precision, e.geo_precision):
        return False
    if None in (e.latitude, e.longitude, location.latitude, location.longitude):
        return False
    return haversine_km(e.latitude, e.longitude, location.latitude, location.longitude) > _APART_KM  # type: ignore[arg-type]


def _merge_target(mention: Mention, location: Location | None, built: list[_Building]) -> _Building | None:
    if built and _continues(mention, location, built[-1]):
        return built[-1]
    for b in reversed(built):
        if _same_happening(mention, location, b):
            return b
    return None


def _continues(m: Mention, location: Location | None, b: _Building) -> bool:
    """A sentence without a date of its own, right after an event, usually goes on telling it:
    'Shells fell on the town; 3 civilians were killed', 'Police said they arrested 3 suspects'.
    It is a new event only if it names another place. A toll reported later ("on Wednesday it
    raised its toll to seven dead") belongs to the event just told, whatever its date."""
    if _only_casualty_triggers(m) and _follows(b, m) and (location is None or _at(location, b) or location.geo_precision == 3):
        return True
    if m.date_source not in ("inherited", "published"):
        return False
    e = b.event
    if location is not None and e.location is not None and location.geo_precision < 3 and not _at(location, b):
        return False
    if _only_casualty_triggers(m):
        return True
    if m.sub_event_type in _AFTERMATH and (is_violent(e.sub_event_type) or e.event_type in ("Protests", "Riots")):
        return True
    if _protest_and_arrests(m.sub_event_type, e.sub_event_type):
        return True
    return is_violent(m.sub_event_type) and is_violent(e.sub_event_type)


_AFTERMATH = frozenset({"Arrests", "Disrupted weapons use", "Looting/property destruction"})
"""Told after a violent event without a date of their own, these are part of its story."""


def _protest_and_arrests(a: str | None, b: str | None) -> bool:
    kinds = {EVENT_TYPE_OF.get(a or ""), EVENT_TYPE_OF.get(b or "")}
    return "Protests" in kinds and ("Arrests" in (a, b))


_PROTEST_OUTCOMES = frozenset({"Protest with intervention", "Excessive force against protesters",
                               "Violent demonstration"})
"""One demonstration told sentence by sentence: the gathering, then what the police or the crowd did.
A classifier that types each sentence alone may call the first 'Peaceful protest' and the next by
the outcome; the event is the demonstration, typed by the outcome told right after it."""


def _protest_outcome(m: Mention, b: _Building) -> bool:
    return (b.event.sub_event_type == "Peaceful protest" and m.sub_event_type in _PROTEST_OUTCOMES
            and _follows(b, m))


def _only_casualty_triggers(m: Mention) -> bool:
    """'2 officers were killed' tells a toll, not a new happening."""
    return bool(m.casualties) and all(t.text.lower().split()[0] in _CASUALTY_WORDS for t in m.triggers)


_CASUALTY_WORDS = frozenset("kill killed killing killings shot shoot shooting gunned die died".split())


def _same_happening(m: Mention, location: Location | None, b: _Building) -> bool:
    e = b.event
    if m.sub_event_type is None or e.sub_event_type is None:
        return False
    same_type = (m.sub_event_type == e.sub_event_type or _protest_and_arrests(m.sub_event_type, e.sub_event_type)
                 or _protest_outcome(m, b))
    related = same_type or (is_violent(m.sub_event_type) and is_violent(e.sub_event_type))
    if m.is_reference and related and (m.date_source != "explicit" or m.date == e.event_date):
        return True
    if (
        EVENT_TYPE_OF.get(m.sub_event_type) == e.event_type and m.date == e.event_date and location is not None
        and e.location is not None and location.geo_precision < 3 and location.location == e.location
    ):
        return True  # the lead and the body tell one happening at one place in different words
    if not same_type or m.date != e.event_date:
        return False
    if location is None or e.location is None:
        return True
    if e.geo_precision == 3 and location.country == e.country:
        return True  # the story first said only the country, now it names the place
    return _at(location, b)


def _attach_casualties(mention: Mention, built: list[_Building]) -> None:
    if not built:
        return
    last = built[-1]
    last_sentence = max(m.sent_index for m in last.mentions)
    if mention.sent_index - last_sentence <= _ATTACH_WINDOW:
        _add_casualties(last, mention)
        last.mentions.append(mention)


def _absorb(b: _Building, m: Mention, text: str = "") -> None:
    e = b.event
    first = not b.mentions
    b.mentions.append(m)
    for trigger in m.triggers:
        e.add_evidence("sub_event_type", trigger.span)
        e.add_evidence("event_type", trigger.span)
    if first:
        e.sub_event_type = m.sub_event_type
        e.event_type = EVENT_TYPE_OF.get(m.sub_event_type or "")
        e.disorder_type = disorder_type(e.event_type, e.sub_event_type)
        e.confidence = m.score
        e.type_explanation = m.type_explanation
        e.claimant = m.claimant
        for span in m.claimant_spans:
            e.add_evidence("claimant", span)
    if _protest_and_arrests(m.sub_event_type, e.sub_event_type) and e.event_type != "Riots":
        # Arrests at a protest are the authorities' intervention in it.
        e.sub_event_type, e.event_type = "Protest with intervention", "Protests"
        e.disorder_type = disorder_type(e.event_type, e.sub_event_type)
    if not first and _protest_outcome(m, b):
        e.sub_event_type = m.sub_event_type
        e.event_type = EVENT_TYPE_OF.get(e.sub_event_type or "")
        e.disorder_type = disorder_type(e.event_type, e.sub_event_type)
    if e.event_date is None and m.date is not None:
        e.event_date, e.end_date, e.time_precision = m.date, m.end_date, m.time_precision
    if m.date == e.event_date and m.date_span is not None:
        e.add_evidence("event_date", m.date_span)
    m = _victim_of_explosive(_named_for_generic(m, text), text)
    _set_actors(e, m)
    for actor in (m.agent, m.target):
        if actor is not None and actor.nationality:
            b.nationality.setdefault(actors.acled_name(actor), actor.nationality)
    _add_casualties(b, m)
    for term, span in m.loaded:
        if term not in e.loaded_terms:
            e.loaded_terms.append(term)
        e.add_evidence("loaded_terms", span)


def _set_actors(e: Event, m: Mention) -> None:
    agent = actors.acled_name(m.agent) if m.agent is not None else None
    target = actors.acled_name(m.target) if m.target is not None else None
    if e.actor1 is None and m.agent is not None:
        e.actor1, e.inter1 = agent, m.agent.inter
        e.add_evidence("actor1", m.agent_span)
        e.initiator = m.agent.name if is_violent(m.sub_event_type) else None
        if e.initiator:
            e.add_evidence("initiator", m.agent_span)
            e.initiator_claimant = m.claimant  # the voice of the sentence that blames
    elif m.agent is not None and agent == e.actor1:
        e.add_evidence("actor1", m.agent_span)
    if m.target is not None and target != e.actor1 and not _same_actor(target, e.actor1):
        if e.actor2 is None:
            e.actor2, e.inter2 = target, m.target.inter
            e.add_evidence("actor2", m.target_span)
        elif target == e.actor2:
            e.add_evidence("actor2", m.target_span)


_GENERIC_KINDS = frozenset({"unidentified"})


def _named_for_generic(m: Mention, text: str) -> Mention:
    """"The militants", "gunmen", "jihadists" in a story that names the group ("Al Shabaab claimed
    …", "M23 rebels seized …"): ACLED codes the named group, not an unidentified one. The group
    must be named in the same sentence, else in the two before it; and it must not be the other
    side of the event."""
    if not text:
        return m
    changes: dict[str, Any] = {}
    for role, other in (("agent", m.target), ("target", m.agent)):
        actor: actors.Actor | None = getattr(m, role)
        if actor is None or not (actor.kind in _GENERIC_KINDS or actor.name.startswith("Islamist Militia")):
            continue
        named = _nearby_group(m, text, avoid=other)
        if named is not None:
            changes[role] = named
    return dataclasses.replace(m, **changes) if changes else m


def _nearby_group(m: Mention, text: str, avoid: actors.Actor | None) -> actors.Actor | None:
    windows = [m.sent_span] + ([m.context_span] if m.context_span else [])
    for start, end in windows:
        groups = [a for _, a in actors.named_groups_in(text[start:end]) if avoid is None or a.name != avoid.name]
        names = {a.name for a in groups}
        if len(names) == 1:  # one group named: the generic word is that group
            return groups[0]
        if names:
            return None  # several groups: the parse must say which
    return None


_EXPLOSIVE = frozenset({"Remote explosive/landmine/IED"})
_VICTIM_KINDS = frozenset({"military", "police", "civilians", "government"})


_HIT_EXPLOSIVE = re.compile(
    r"^[^.;]{0,80}?\b(?:struck|strikes|hit|hits|step(?:s|ped|ping)? on|r[au]n(?:ning)? over|dr[oi]ve over|"
    r"driving over|triggered|set off)\b[^.;]{0,40}?"
    r"\b(?:ieds?|mines?|landmines?|explosives?|bombs?|devices?)\b", re.IGNORECASE)


def _victim_of_explosive(m: Mention, text: str) -> Mention:
    """"A police vehicle struck an IED", "a soldier stepped on a landmine": the subject of a mine
    or roadside-bomb sentence is who was hit, not who laid it. State forces or civilians named
    as the doer of such an event, with no other victim named, become its second actor; the
    first is left to whoever the story says planted it (else an unidentified armed group)."""
    if m.sub_event_type not in _EXPLOSIVE or m.agent is None or m.agent.kind not in _VICTIM_KINDS:
        return m
    if m.target is not None and m.target.kind not in ("civilians",):
        return m
    if m.agent_span is None or not _HIT_EXPLOSIVE.match(text[m.agent_span[1]:m.sent_span[1]]):
        return m
    return dataclasses.replace(m, agent=None, agent_span=None, target=m.agent, target_span=m.agent_span)


_PERPETRATOR_CUE = re.compile(
    r"\b(?:by|suspected|blamed(?: on)?|blaming|attributed(?: [\w ]{0,30})? to|linked(?: [\w ]{0,30})? to|accused|"
    r"claimed by|responsibility)\s+(?:the\s+|an?\s+)?(?:suspected\s+|alleged\s+)?$", re.IGNORECASE)
"""Words just before a group's name that make it the doer: "planted by (suspected) X",
"blamed X", "linked the attack to the X"."""


def _named_perpetrator(e: Event, b: _Building, text: str) -> None:
    """Violence whose doer the parse did not find, in sentences that name one armed group
    ("… an IED planted by suspected Al Shabaab militants", "prosecutors linked the attack to
    the CJNG"): that group, not an unidentified one, is the first actor."""
    if e.actor1 is not None or not is_violent(e.sub_event_type) or not text:
        return
    names: dict[str, actors.Actor] = {}
    for m in b.mentions:
        start = m.sent_span[0]
        for offset, actor in actors.named_groups_in(text[start:m.sent_span[1]]):
            if _PERPETRATOR_CUE.search(text[max(start, start + offset - 50):start + offset]):
                names.setdefault(actor.name, actor)
    names.pop(e.actor2 or "", None)
    if not names:  # no group blamed: a state whose weapons the sentence names ("a U.S. drone")
        for m in b.mentions:
            for _, actor in actors.state_weapons_in(text[m.sent_span[0]:m.sent_span[1]]):
                names.setdefault(actors.acled_name(actor), actor)
        names = {k: v for k, v in names.items() if not _same_actor(k, e.actor2)}
    if len(names) == 1:
        actor = next(iter(names.values()))
        e.actor1, e.inter1 = actors.acled_name(actor), actor.inter


def _same_actor(a: str | None, b: str | None) -> bool:
    """One actor under two forms ("… of Armenia (2018-)" and "… of Armenia (2018-) Border Guard"):
    actor1 and actor2 differ unless the text says so."""
    return a is not None and b is not None and actors.strip_period(a) == actors.strip_period(b)


def _add_casualties(b: _Building, m: Mention) -> None:
    # Within one sentence, figures of one kind add up (different victims); across sentences
    # of one event, a figure is a restatement, so the largest stated total stands.
    per_kind: dict[str, int] = {}
    victims_seen: dict[str, set[str]] = {}
    for c in m.casualties:
        kind = "captured" if c.kind in ("captured", "missing") else c.kind
        victim = (c.victim or "").lower()
        seen = victims_seen.setdefault(kind, set())
        if victim and victim not in seen and kind in per_kind and all(seen):
            per_kind[kind] += c.count  # different victims in one sentence add up
        else:
            # the same (or unnamed) victims: a revised toll ("first two, then seven"), not more dead
            per_kind[kind] = max(per_kind.get(kind, 0), c.count)
        seen.add(victim)
        field_name = "fatalities" if kind == "killed" else kind
        b.event.add_evidence(field_name, (c.start, c.end))
        b.event.add_evidence(field_name, c.trigger)
        if c.victim and c.victim_span:
            hit = actors.normalise_actor(c.victim)
            if hit is not None and hit.kind in ("civilians", "military", "police", "protesters"):
                b.victims.append((actors.acled_name(hit), hit.inter, c.victim_span))
    for kind, count in per_kind.items():
        b.figures.setdefault(kind, []).append(count)


def _apply_location(
    e: Event, location: Location | None, focus_country: str | None, document: Document, places: list[Place]
) -> None:
    if location is not None:
        e.location, e.country, e.admin1, e.admin2 = location.location, location.country, location.admin1, location.admin2
        if location.geo_precision == 3 and location.country and actors.country_name(location.location):
            e.location = location.country  # "Tajik troops …": the country, named as a country
        e.latitude, e.longitude, e.geo_precision = location.latitude, location.longitude, location.geo_precision
        e.geonameid = location.geonameid
        e.location_reason = location.reason
        for span in location.spans:
            for name in ("location", "country", "admin1", "latitude", "longitude"):
                e.add_evidence(name, span)
        return
    fallback = _country_place(places, focus_country)
    if fallback is not None:
        # Only the country is known: ACLED's precision 3, at the country's own point.
        e.location, e.country, e.geo_precision = fallback.country, fallback.country, 3
        e.latitude, e.longitude, e.geonameid = fallback.latitude, fallback.longitude, fallback.geonameid
        e.location_reason = f"{fallback.country}: the story names no place for it; the document's country"
        e.add_evidence("country", (fallback.start, fallback.end))
    elif focus_country is not None:
        e.country, e.geo_precision = focus_country, 3
        e.location_reason = f"the story names no place for it; the document's country ({focus_country})"


def previous_country(previous: _Building | None) -> str | None:
    return previous.event.country if previous is not None else None


def _follows(previous: _Building, mention: Mention) -> bool:
    """The mention continues the story of the previous event (within two sentences)."""
    return mention.sent_index - max(m.sent_index for m in previous.mentions) <= 2


def _inherit_location(e: Event, previous: Event) -> None:
    """A sentence that names no place happens where the story just was ("On the same day, …")."""
    e.location, e.country, e.admin1, e.admin2 = previous.location, previous.country, previous.admin1, previous.admin2
    e.latitude, e.longitude, e.geonameid = previous.latitude, previous.longitude, previous.geonameid
    e.geo_precision = max(previous.geo_precision or 2, 2)
    e.location_reason = f"the sentence names no place; where the story just was ({previous.location})"
    for name in ("location", "country", "admin1"):
        for span in previous.evidence.get(name, []):
            e.add_evidence(name, span)


def _country_place(places: list[Place], country: str | None) -> Place | None:
    for p in places:
        if p.feature_code and p.feature_code.startswith("PCL") and (country is None or p.country == country):
            return p
    return None


def _claims(e: Event, b: _Building, document: Document, places: list[Place]) -> None:
    """Casualty claims by side (extract.claims); ACLED's fatalities and the counts derive from them."""
    e.casualties = [c for m in b.mentions for c in claims_from(m.casualties, m.claimant, document.text,
                                                                 e.event_date.year if e.event_date else None)]
    if not e.casualties:
        return
    towns = [(p.start, p.resolved_name or p.name) for p in places
             if p.kind == "literal" and (p.feature_code or "").startswith("PPL")]  # towns, not regions
    place_claims(e.casualties, towns)
    settle_sides(e.casualties, (e.actor1, e.actor2), e.country, document_sides(document.text))
    e.fatalities, e.fatalities_rule = acled_fatalities(e.casualties)
    e.injured = acled_count(e.casualties, ("injured",))
    e.captured = acled_count(e.casualties, ("captured", "missing"))  # the field has always meant both
    e.missing = acled_count(e.casualties, ("missing",))


def _finish(b: _Building, document: Document, places: list[Place] | None = None) -> Event:
    e = b.event
    killed = b.figures.get("killed", [])
    e.fatalities = max(killed) if killed else 0
    e.injured = max(b.figures.get("injured", [0]))
    e.captured = max(b.figures.get("captured", [0]))
    _victims_as_target(e, b)
    _named_perpetrator(e, b, document.text)
    _default_actors(e, b.nationality, _countries_told(b, document.text))
    _claims(e, b, document, places or [])
    index, parts = b.split
    if parts > 1:
        # ACLED divides a total told for several places among them (the remainder to the first);
        # the claims keep the figures as told.
        e.fatalities = e.fatalities // parts + (1 if index < e.fatalities % parts else 0)
    e.source = document.outlet or (e.claimant.chain[0] if e.claimant.chain else None)
    e.confidence = _confidence(e, b)
    e.notes = write_notes(e)
    if parts > 1:
        e.notes += f" The report told this for {parts} places together; fatalities were split among them."
    return e


_GENERIC_PREFIXES = (
    "Protesters (", "Rioters (", "Civilians (", "Unidentified Armed Group (", "Unidentified Gang (",
    "Unidentified Communal Militia (",
)

# Actors ACLED's typology implies when the text leaves them implicit: (slot, kind word).
_IMPLIED: dict[str, tuple[tuple[str, str], ...]] = {
    "Peaceful protest": (("actor1", "protesters"),),
    "Protest with intervention": (("actor1", "protesters"), ("actor2", "police")),
    "Excessive force against protesters": (("actor1", "police"), ("actor2", "protesters")),
    "Violent demonstration": (("actor1", "rioters"),),
    "Mob violence": (("actor1", "rioters"), ("actor2", "civilians")),
    "Attack": (("actor2", "civilians"),),
    "Abduction/forced disappearance": (("actor2", "civilians"),),
    "Sexual violence": (("actor2", "civilians"),),
    # Strategic developments whose parties ACLED codes even when the text leaves one implicit:
    # an arrest is made by the police ("300 people were arrested"); property looted or burned
    # by an armed actor belongs to civilians.
    "Arrests": (("actor1", "police"),),
    "Looting/property destruction": (("actor2", "civilians"),),
}


def _victims_as_target(e: Event, b: _Building) -> None:
    """Whoever was killed or hurt in a violent event is its second actor when none is named
    ("… killing 11 civilians" → Civilians); civilians are never the doer of an air strike."""
    if not is_violent(e.sub_event_type):
        return
    if e.actor1 and e.actor1.startswith("Civilians") and e.sub_event_type not in ("Mob violence",):
        if e.actor2 is None:
            e.actor2, e.inter2 = e.actor1, e.inter1
            e.evidence["actor2"] = e.evidence.pop("actor1", [])
        e.actor1 = e.inter1 = None
        e.initiator = None
    if e.actor2 is None:
        for name, inter, span in b.victims:
            if name != e.actor1 and not (e.actor1 or "").startswith(name):
                e.actor2, e.inter2 = name, inter
                e.add_evidence("actor2", span)
                break


_STATE_PREFIXES = ("Police Forces of", "Military Forces of")


def _protest_roles(e: Event) -> None:
    """ACLED's order for demonstrations: the demonstrators first, the force that intervened
    second, except for excessive force, where the force is the doer."""
    force = next((a for a in (e.actor1, e.actor2) if a and a.startswith(_STATE_PREFIXES)), None)
    other = e.actor2 if force == e.actor1 else e.actor1
    if e.sub_event_type in ("Protest with intervention", "Peaceful protest", "Violent demonstration"):
        crowd = "rioters" if e.event_type == "Riots" else "protesters"
        if other is None or other.startswith(("Civilians (", "Protesters (", "Rioters (")):
            actor = actors.normalise_actor(crowd, default_country=e.country) if e.country else None
            if actor is not None:
                e.actor1, e.inter1 = actor.name, actor.inter
                e.actor2 = force
                e.inter2 = 1 if force else None
    elif e.sub_event_type == "Excessive force against protesters" and force is not None:
        actor = actors.normalise_actor("protesters", default_country=e.country) if e.country else None
        e.actor1, e.inter1 = force, 1
        if actor is not None:
            e.actor2, e.inter2 = actor.name, actor.inter


def _countries_told(b: _Building, text: str) -> frozenset[str]:
    """Countries the event's sentences (and the two before each) name, and the claimant's side:
    a state whose forces the story is about, even where it says only "the army"."""
    found = {b.event.claimant.side} if b.event.claimant.side else set()
    for m in b.mentions:
        start = m.context_span[0] if m.context_span else m.sent_span[0]
        found |= {country for _, _, country in actors.demonym_spans(text[start:m.sent_span[1]])}
    return frozenset(c for c in found if c)


def _default_actors(e: Event, nationality: dict[str, str] | None = None, told: frozenset[str] = frozenset()) -> None:
    """Fill and localise actors the way ACLED names them for this event."""
    country = e.country
    _fix_role_kinds(e)
    if e.event_type in ("Protests", "Riots"):
        _protest_roles(e)
    for slot, word in _IMPLIED.get(e.sub_event_type or "", ()):
        if getattr(e, slot) is None and country:
            actor = actors.normalise_actor(word, default_country=country)
            if actor is not None and actors.acled_name(actor) not in (e.actor1, e.actor2):
                setattr(e, slot, actors.acled_name(actor))
                setattr(e, "inter1" if slot == "actor1" else "inter2", actor.inter)
    if e.actor1 is None and e.actor2 is not None:
        perpetrator = actors.normalise_actor("gunmen", default_country=country) if country else None
        if is_violent(e.sub_event_type) and perpetrator is not None and perpetrator.name != e.actor2:
            # Violence with a known victim and an unnamed doer: ACLED's unidentified armed group.
            e.actor1, e.inter1 = perpetrator.name, perpetrator.inter
        else:
            e.actor1, e.inter1, e.actor2, e.inter2 = e.actor2, e.inter2, None, None
            e.evidence["actor1"] = e.evidence.pop("actor2", [])
    if country:
        precise = e.geo_precision in (1, 2)
        e.actor1 = _localised(e.actor1, country, (nationality or {}).get(e.actor1 or ""), precise=precise, told=told)
        e.actor2 = _localised(e.actor2, country, (nationality or {}).get(e.actor2 or ""), precise=precise, told=told)
        if e.actor2 is not None and _same_actor(e.actor1, e.actor2):
            e.actor2, e.inter2 = None, None  # one actor on both sides: the text did not say so
        e.inter1 = _external(e.actor1, e.inter1, country)  # after localisation: forces now at home are 1
        e.inter2 = _external(e.actor2, e.inter2, country)
    if e.actor2 is None:
        e.inter2 = 0 if e.actor1 else None


_CROWD_LIKE = ("Civilians (", "Protesters (", "Rioters (", "Unidentified Armed Group (", "Unidentified Gang (")


def _fix_role_kinds(e: Event) -> None:
    """The kind of the first actor from what it did: people who protest are Protesters, people
    who riot are Rioters (not Civilians, and not an armed group: a crowd burning tyres carries no
    guns); a party's members in a demonstration are Protesters or Rioters with the party as the
    associated actor (ACLED: "Rioters (Bangladesh)" with "BNP: Bangladesh Nationalist Party")."""
    if e.event_type not in ("Protests", "Riots") or not e.actor1:
        return
    word = "protesters" if e.event_type == "Protests" else "rioters"
    crowd = e.actor1.startswith(_CROWD_LIKE[:3]) or (
        e.event_type == "Riots" and e.sub_event_type != "Mob violence" and e.actor1.startswith(_CROWD_LIKE[3:]))
    party = _party(e.actor1)
    if not (crowd or party):
        return
    actor = actors.normalise_actor(word, default_country=e.country)
    if actor is not None:
        if party and e.assoc_actor_1 is None:
            e.assoc_actor_1 = e.actor1
        e.actor1, e.inter1 = actor.name, actor.inter


def _party(name: str) -> bool:
    actor = actors.normalise_actor(name)
    return actor is not None and actor.kind == "party" and actor.name == name


_STATE_NAME = re.compile(r"^(?:(?:Military|Police) Forces|Government) of (?:the )?(.+)$")


def _external(name: str | None, inter: int | None, country: str) -> int | None:
    """ACLED codes state forces acting outside their own country as external forces (8)."""
    if name is None or inter != 1 or not name.startswith(_STATE_PREFIXES):
        return inter
    match = _STATE_NAME.match(actors.strip_period(name))
    if match is None:
        return inter
    home = actors.country_name(match.group(1))
    return 8 if home is not None and home != country else inter


_PLAIN_STATE = re.compile(r"(?:(?:Military|Police) Forces|Government) of [^()]+?(?: \(\d{4}-\))?")
"""State forces without a unit or a user's own suffix ("… (2017-) Houthi" names a group)."""

_BY_NATIONALITY = ("Civilians (", "Unidentified Armed Group (", "Unidentified Gang (", "Islamist Militia (")
"""Generic actors whose country is the nationality the text gives them, when it gives one."""


def _localised(name: str | None, country: str, nationality: str | None = None, *, precise: bool = True,
               told: frozenset[str] = frozenset()) -> str | None:
    """Generic actors carry the country where the event happened ('Protesters (Kenya)') unless
    the text named theirs: civilians and armed men keep their nationality ("Somali gunmen" in
    Kenya), crowds keep it when the event is placed only at country level (a stray "US dollar"
    must not make Lebanese protesters American). State forces named without a country ("the
    army") are the event country's."""
    if name is None:
        return None
    if nationality and name.startswith(_BY_NATIONALITY + (() if precise else ("Protesters (", "Rioters ("))):
        return f"{name[: name.index('(') + 1]}{nationality})"
    if name == "Islamic State" or (name.startswith("Islamic State (") and actors.country_name(name[15:-1])):
        return f"Islamic State ({nationality or country})"  # ACLED splits the Islamic State by country
    if nationality is None and _PLAIN_STATE.fullmatch(name):
        # "police", "troops" with no country in the text: the event country's forces, not those
        # of the country the document is mostly about (a news brief tells of many countries),
        # unless the story around the event names that country or speaks for it.
        state = _STATE_NAME.match(actors.strip_period(name))
        home = actors.country_name(state.group(1)) if state else None
        if home is not None and home != country and home not in told:
            word = {"P": "police", "M": "soldiers", "G": "the government"}[name[0]]
            actor = actors.normalise_actor(word, default_country=country)
            return actors.acled_name(actor) if actor is not None else name
    if name in ("Military Forces", "Police Forces"):
        actor = actors.normalise_actor("soldiers" if name.startswith("Military") else "police", default_country=country)
        return actors.acled_name(actor) if actor is not None else name
    for prefix in _GENERIC_PREFIXES:
        if name.startswith(prefix) or name == prefix[:-2]:  # "Civilians (X)", or "Civilians" with none
            return f"{prefix}{country})"
    return name


def _confidence(e: Event, b: _Building) -> float:
    score = 0.35 * min(1.0, e.confidence + 0.3)
    score += 0.2 if any(m.date_source in ("explicit", "anaphoric") for m in b.mentions) else 0.05
    score += 0.15 if e.geo_precision in (1, 2) else 0.05 if e.geo_precision == 3 else 0.0
    score += 0.15 if e.actor1 else 0.0
    score += 0.1 if e.actor2 else 0.0
    score += 0.05 if len(b.mentions) > 1 else 0.0
    return round(min(score, 1.0), 2)


__all__ = ["resolve", "Span"]
