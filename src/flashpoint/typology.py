"""ACLED's event typology: 6 event types, 25 sub-event types, and their disorder types."""

from __future__ import annotations

POLITICAL_VIOLENCE = "Political violence"
DEMONSTRATIONS = "Demonstrations"
STRATEGIC = "Strategic developments"

SUB_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

EVENT_TYPE_OF: dict[str, str] = {
    sub: event_type for event_type, subs in SUB_EVENT_TYPES.items() for sub in subs
}
"""sub_event_type → event_type."""

EVENT_TYPES: tuple[str, ...] = tuple(SUB_EVENT_TYPES)
ALL_SUB_EVENT_TYPES: tuple[str, ...] = tuple(EVENT_TYPE_OF)


def disorder_type(event_type: str | None, sub_event_type: str | None = None) -> str | None:
    """ACLED's disorder_type for an event type.

    Protests and riots are "Demonstrations" ("Excessive force against protesters" and
    "Mob violence" are political violence in ACLED's coding, the latter being
    "Political violence; Demonstrations" in some exports; we use the primary one).
    """
    if event_type is None:
        return None
    if event_type == "Strategic developments":
        return STRATEGIC
    if event_type in ("Protests", "Riots"):
        if sub_event_type in ("Excessive force against protesters", "Mob violence"):
            return POLITICAL_VIOLENCE
        return DEMONSTRATIONS
    return POLITICAL_VIOLENCE
