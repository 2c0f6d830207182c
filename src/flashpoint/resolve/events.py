"""From mentions to events: one event per happening per document, every field with its evidence.

Merging rules (why): a sentence that only refers back ("the clashes on November 16 are not a
spontaneous incident") adds evidence and never a second event; casualties told in a following
sentence ("As a result, 3 servicemen were injured") belong to the event just told; the same
type on the same day at a compatible place is the same happening.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from flashpoint.extract import actors
from flashpoint.extract.mentions import Mention, is_violent
from flashpoint.geo.geoparse import EventLocation as Location
from flashpoint.model import Document, Event, Place, Span
from flashpoint.resolve.notes import write_notes
from flashpoint.typology import EVENT_TYPE_OF, disorder_type

_ATTACH_WINDOW = 3
"""Casualty-only sentences attach to an event told at most this many sentences before."""
_STRATEGIC_NEEDS_DATE = frozenset({"Other", "Change to group/activity", "Headquarters or base established"})


class Locator(Protocol):
    """Anything that says where an event in ``text[start:end]`` happened (the geoparser)."""

    def locate(self, places: list[Place], start: int, end: int, text: str) -> Location | None: ...

    def locate_all(self, places: list[Place], start: int, end: int, text: str) -> list[Location]: ...


@dataclass
class _Building:
    event: Event
    mentions: list[Mention] = field(default_factory=list)
    figures: dict[str, list[int]] = field(default_factory=dict)
    victims: list[tuple[str, int, Span]] = field(default_factory=list)
    """Actors named as the killed, injured or captured (name, inter, evidence span)."""
    where: set[str] = field(default_factory=set)
    """Every place (and its admin1) named in the event's sentences: a later sentence at any of
    them can tell the same happening ("towards Lachin and Kalbajar")."""


def resolve(
    mentions: list[Mention],
    document: Document,
    places: list[Place],
    locator: Locator | None,
    *,
    focus_country: str | None = None,
) -> list[Event]:
    """Merge mentions into events and fill every field."""
    built: list[_Building] = []
    dateline = dateline_span(document.text)  # once per document: where the reporter files from
    for mention in mentions:
        if mention.sub_event_type is None:
            _attach_casualties(mention, built)
            continue
        if _background(mention, document):
            continue
        if mention.sub_event_type in _STRATEGIC_NEEDS_DATE and mention.date_source == "inherited":
            # Background ("troops were deployed there last year …") told inside another story.
            continue
        location = _locate(mention, document, places, locator, dateline)
        nearby = _all_places(mention, document, places, locator)
        target = _merge_target(mention, location, built)
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
        _absorb(target, mention)
        if location is not None and target.event.geo_precision == 3 and location.geo_precision < 3:
            _apply_location(target.event, location, focus_country, document, places)
        target.where |= nearby
    events = [_finish(b, document) for b in built]
    return events


def _background(m: Mention, document: Document) -> bool:
    """History told for context ("a ceasefire … ended the war in November 2020"): a month or a
    year well before the report is not news of an event."""
    if m.date_source != "explicit" or m.time_precision < 3 or m.date is None or document.published is None:
        return False
    return (document.published - m.date).days > 45


def _locate(
    mention: Mention, document: Document, places: list[Place], locator: Locator | None, dateline: Span | None
) -> Location | None:
    """Where it happened: the most specific place named in the sentence, not counting the
    dateline (where the reporter files from) or places that name an actor; if the sentence names
    no town, the town the story named just before."""
    if locator is None:
        return None
    start, end = mention.sent_span
    # A place that names one of the actors ("Armenia attempted to deploy …") is not where it happened.
    actor_spans = [s for s in (mention.agent_span, mention.target_span) if s is not None]
    usable = [
        p for p in places
        if p.kind != "metonymic"  # "Moscow said", "Moscow time": a government or a clock, not a scene
        and not any(a <= p.start < b for a, b in actor_spans)
        and not (dateline and dateline[0] <= p.start < dateline[1])
    ]
    found = locator.locate(usable, start, end, document.text)
    if (found is None or found.geo_precision == 3) and mention.context_span is not None:
        earlier = locator.locate(usable, mention.context_span[0], mention.context_span[1], document.text)
        if earlier is not None and earlier.geo_precision < 3 and (found is None or earlier.country == found.country):
            return earlier
    if found is None and dateline is not None:
        # Nothing else is named: the dateline city is the best (least precise) guess.
        at_dateline = locator.locate(places, dateline[0], dateline[1], document.text)
        if at_dateline is not None:
            at_dateline.geo_precision = max(at_dateline.geo_precision, 2)
        return at_dateline
    return found


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
    if location.location == e.location or (location.admin1 is not None and location.admin1 == e.admin1):
        return True
    return location.location in b.where or (location.admin1 is not None and location.admin1 in b.where)


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


def _absorb(b: _Building, m: Mention) -> None:
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
    _set_actors(e, m)
    _add_casualties(b, m)
    for term, span in m.loaded:
        if term not in e.loaded_terms:
            e.loaded_terms.append(term)
        e.add_evidence("loaded_terms", span)


def _set_actors(e: Event, m: Mention) -> None:
    if e.actor1 is None and m.agent is not None:
        e.actor1, e.inter1 = m.agent.name, m.agent.inter
        e.add_evidence("actor1", m.agent_span)
        e.initiator = m.agent.name if is_violent(m.sub_event_type) else None
        if e.initiator:
            e.add_evidence("initiator", m.agent_span)
    elif m.agent is not None and m.agent.name == e.actor1:
        e.add_evidence("actor1", m.agent_span)
    if m.target is not None and m.target.name != e.actor1:
        if e.actor2 is None:
            e.actor2, e.inter2 = m.target.name, m.target.inter
            e.add_evidence("actor2", m.target_span)
        elif m.target.name == e.actor2:
            e.add_evidence("actor2", m.target_span)


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
                b.victims.append((hit.name, hit.inter, c.victim_span))
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
        for span in location.spans:
            for name in ("location", "country", "admin1", "latitude", "longitude"):
                e.add_evidence(name, span)
        return
    fallback = _country_place(places, focus_country)
    if fallback is not None:
        # Only the country is known: ACLED's precision 3, at the country's own point.
        e.location, e.country, e.geo_precision = fallback.country, fallback.country, 3
        e.latitude, e.longitude, e.geonameid = fallback.latitude, fallback.longitude, fallback.geonameid
        e.add_evidence("country", (fallback.start, fallback.end))
    elif focus_country is not None:
        e.country, e.geo_precision = focus_country, 3


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
    for name in ("location", "country", "admin1"):
        for span in previous.evidence.get(name, []):
            e.add_evidence(name, span)


def _country_place(places: list[Place], country: str | None) -> Place | None:
    for p in places:
        if p.feature_code and p.feature_code.startswith("PCL") and (country is None or p.country == country):
            return p
    return None


def _finish(b: _Building, document: Document) -> Event:
    e = b.event
    killed = b.figures.get("killed", [])
    e.fatalities = max(killed) if killed else 0
    e.injured = max(b.figures.get("injured", [0]))
    e.captured = max(b.figures.get("captured", [0]))
    _victims_as_target(e, b)
    _default_actors(e)
    e.source = document.outlet or (e.claimant.chain[0] if e.claimant.chain else None)
    e.confidence = _confidence(e, b)
    e.notes = write_notes(e)
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


def _default_actors(e: Event) -> None:
    """Fill and localise actors the way ACLED names them for this event."""
    country = e.country
    _fix_role_kinds(e)
    if e.event_type in ("Protests", "Riots"):
        _protest_roles(e)
    for slot, word in _IMPLIED.get(e.sub_event_type or "", ()):
        if getattr(e, slot) is None and country:
            actor = actors.normalise_actor(word, default_country=country)
            if actor is not None and actor.name not in (e.actor1, e.actor2):
                setattr(e, slot, actor.name)
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
        e.actor1 = _localised(e.actor1, country)
        e.actor2 = _localised(e.actor2, country)
    if e.actor2 is None:
        e.inter2 = 0 if e.actor1 else None


def _fix_role_kinds(e: Event) -> None:
    """People who protest are Protesters, people who riot are Rioters (not Civilians)."""
    if e.actor1 and e.actor1.startswith(("Civilians (", "Protesters (")) and e.event_type in ("Protests", "Riots"):
        word = "protesters" if e.event_type == "Protests" else "rioters"
        actor = actors.normalise_actor(word, default_country=e.country)
        if actor is not None:
            e.actor1, e.inter1 = actor.name, actor.inter


def _localised(name: str | None, country: str) -> str | None:
    """Generic actors carry the country where the event happened: 'Protesters (Kenya)'."""
    if name is None:
        return None
    for prefix in _GENERIC_PREFIXES:
        if name.startswith(prefix):
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
