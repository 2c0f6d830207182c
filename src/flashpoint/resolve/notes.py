"""ACLED-style notes written from an event's fields, never copied from the source text.

ACLED notes open with the date, say who did what where, then the casualties, and flag
claims ("according to …"). flashpoint's notes do the same in neutral words.
"""

from __future__ import annotations

from flashpoint.model import Event

_VERBS: dict[str, str] = {
    "Armed clash": "clashed with",
    "Government regains territory": "regained territory from",
    "Non-state actor overtakes territory": "took over territory from",
    "Chemical weapon": "used a chemical weapon against",
    "Air/drone strike": "carried out an air/drone strike on",
    "Suicide bomb": "carried out a suicide bombing against",
    "Shelling/artillery/missile attack": "shelled",
    "Remote explosive/landmine/IED": "used an explosive device against",
    "Grenade": "threw a grenade at",
    "Sexual violence": "committed sexual violence against",
    "Attack": "attacked",
    "Abduction/forced disappearance": "abducted",
    "Peaceful protest": "demonstrated",
    "Protest with intervention": "demonstrated and were met by",
    "Excessive force against protesters": "used excessive force against",
    "Violent demonstration": "demonstrated violently against",
    "Mob violence": "attacked",
    "Agreement": "reached an agreement with",
    "Arrests": "arrested",
    "Change to group/activity": "changed its activity, involving",
    "Disrupted weapons use": "disrupted weapons use by",
    "Headquarters or base established": "established a base",
    "Looting/property destruction": "looted or destroyed property of",
    "Non-violent transfer of territory": "transferred territory to",
    "Other": "was involved in a strategic development with",
}
_UNKNOWN_ACTOR = "An unidentified actor"


def write_notes(event: Event) -> str:
    """One or two neutral sentences: date, who did what to whom where, casualties, claimant."""
    parts = [_opening(event) + _action(event) + _place(event) + "."]
    casualties = _casualties(event)
    if casualties:
        parts.append(casualties)
    claim = _claim(event)
    if claim:
        parts.append(claim)
    return " ".join(parts)


def _opening(event: Event) -> str:
    if event.event_date is None:
        return "On an unknown date, "
    day = f"{event.event_date.day} {event.event_date:%B %Y}"
    if event.end_date and event.end_date != event.event_date:
        return f"Between {day} and {event.end_date.day} {event.end_date:%B %Y}, "
    return f"On {day}, " if event.time_precision == 1 else f"Around {day}, "


def _action(event: Event) -> str:
    actor1 = event.actor1 or _UNKNOWN_ACTOR
    verb = _VERBS.get(event.sub_event_type or "Other", "was involved in an event with")
    if event.sub_event_type in ("Peaceful protest", "Headquarters or base established") or not event.actor2:
        verb = verb.removesuffix(" with").removesuffix(" against").removesuffix(" by").removesuffix(" of")
        verb = verb.removesuffix(" on").removesuffix(" at").removesuffix(" from").removesuffix(" to")
        return f"{actor1} {verb}"
    return f"{actor1} {verb} {event.actor2}"


def _place(event: Event) -> str:
    if not event.location:
        return f" in {event.country}" if event.country else ""
    where = ", ".join(x for x in (event.admin1, event.country) if x and x != event.location)
    near = "near " if event.geo_precision and event.geo_precision > 1 else "in "
    return f" {near}{event.location}" + (f" ({where})" if where else "")


def _casualties(event: Event) -> str:
    bits = []
    if event.fatalities:
        bits.append(f"{event.fatalities} killed")
    if event.injured:
        bits.append(f"{event.injured} injured")
    if event.captured:
        bits.append(f"{event.captured} captured" + ("" if event.casualties else " or missing"))
    if event.missing:
        bits.append(f"{event.missing} missing")
    if not bits:
        return ""
    how = _fatalities_rule(event)
    return "Reported casualties: " + ", ".join(bits) + "." + (f" {how}" if how else "")


def _fatalities_rule(event: Event) -> str:
    """How the fatalities figure was reached, when it took a rule: several victim sides summed, or a
    figure given only vaguely and so not counted."""
    sides = {c.victim_side for c in event.casualties if c.kind == "killed"}
    vague = any(c.kind == "killed" and c.count is None for c in event.casualties)
    if not event.fatalities_rule or (len(sides) < 2 and not vague):
        return ""
    return f"Fatalities {event.fatalities_rule.removeprefix('fatalities: ')}."


def _claim(event: Event) -> str:
    c = event.claimant
    if not c.name:
        return ""
    who = c.party if c.party and c.party != c.name else c.name
    via = f" (via {c.chain[0]})" if c.chain and c.chain[0] not in (c.name, who) else ""
    return f"According to {who}{via}."
