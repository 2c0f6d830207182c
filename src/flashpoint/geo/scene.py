"""Where it happened: which of a sentence's places is the scene of its event.

A sentence names places for several reasons: the scene ("a bomb exploded in Kandahar"), and others
that are not where it happened — where a speaker spoke ("the governor said in Kabul"), where people
came from or went ("displaced from X", "fled to Y"), where a group is based ("a London-based monitor").
``scene_order`` ranks a sentence's places for an event: places named for another reason last, then
the most specific, then the nearest to the event's trigger (the word that tells the event), whose
prepositional phrase is most likely the one that says where. Each ranking keeps its reason.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flashpoint.lang import table, words
from flashpoint.model import Place

__all__ = ["Role", "near_place", "role_of", "scene_order", "scene_role"]

_WORD = re.compile(r"[\w'’-]+|[^\w\s]")


@dataclass(frozen=True)
class Role:
    """Why a sentence names a place: ``scene`` (where it happened) unless a cue says otherwise."""

    role: str
    cue: str = ""

    @property
    def scene(self) -> bool:
        return self.role == "scene"  # "close to X", "30 km from X" are cues of the scene too

    def describe(self) -> str:
        return "named as the scene" if self.scene else f"{self.role} (\"{self.cue}\")"


@functools.cache
def _cues() -> tuple[tuple[tuple[str, ...], str], ...]:
    """Cues before a place, longest first: (words, role)."""
    rows = [(tuple(r["cue"].split()), r["role"]) for r in table("en", "place_roles") if r["position"] == "before"]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@functools.cache
def _after_cues() -> tuple[tuple[str, str], ...]:
    return tuple((r["cue"], r["role"]) for r in table("en", "place_roles") if r["position"] == "after")


@functools.cache
def _motion_words() -> frozenset[str]:
    return words("en", "motion_triggers")


@functools.cache
def _descriptors() -> tuple[tuple[str, ...], ...]:
    """Phrases between a cue and the name ("the city of", "the province of"), longest first."""
    phrases = {tuple(c.split()) for c in words("en", "place_cues_settlement") | words("en", "place_cues_division")}
    return tuple(sorted(phrases, key=len, reverse=True))


def _strip_descriptors(before: list[str]) -> list[str]:
    articles = words("en", "articles")
    changed = True
    while changed and before:
        changed = False
        while before and before[-1] in articles:
            before.pop()
            changed = True
        for phrase in _descriptors():
            if len(before) >= len(phrase) and tuple(before[-len(phrase):]) == phrase:
                del before[-len(phrase):]
                changed = True
                break
    return before


_ROUTE_AFTER = re.compile(
    r"^(?:\s*[-–—]\s*[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)?\s+(road|highway|motorway|railway|route|corridor|river)\b",
    re.IGNORECASE)


def role_of(text: str, place: Place) -> Role:
    """Why ``text`` names ``place`` (its role), read from the words right around it."""
    route = _ROUTE_AFTER.match(text[place.end:place.end + 60])
    if route:
        # "the Zaria road", "the Dhaka–Rangpur highway": a route named after its ends, not a scene.
        return Role("route", route.group(1).lower())
    after = text[place.end:place.end + 16].lower()
    for cue, role in _after_cues():
        if after.startswith(cue) or after.startswith(" " + cue):
            return Role(role, cue)
    before = _strip_descriptors([w.lower() for w in _WORD.findall(text[max(0, place.start - 60):place.start])])
    for cue_words, role in _cues():
        if len(before) >= len(cue_words) and tuple(before[-len(cue_words):]) == cue_words:
            return Role(role, " ".join(cue_words))
    return Role("scene")


def scene_order(text: str, places: Sequence[Place], specificity: Callable[[Place], int],
                anchor: tuple[int, int] | None) -> list[tuple[Place, Role]]:
    """The places, likeliest scene first: scene roles before others, then most specific (lowest
    ``specificity(place)``), then nearest the trigger ``anchor`` (character span), if given."""
    def distance(p: Place) -> int:
        if anchor is None:
            return 0
        return max(anchor[0] - p.end, p.start - anchor[1], 0)

    roles = [(p, role_of(text, p)) for p in places]
    if anchor is not None and text[anchor[0]:anchor[1]].lower() in _motion_words():
        # "troops were deployed to X", "protesters marched to X": the destination is the scene.
        roles = [(p, Role("scene", r.cue) if r.role == "destination" else r) for p, r in roles]
    # A landmark a distance is measured from ("east of Vardenis") is the scene's anchor: it yields
    # to a scene as specific as itself, not to a larger division named as the scene.
    return sorted(roles, key=lambda pr: (not (pr[1].scene or pr[1].role == "reference"), specificity(pr[0]),
                                         not pr[1].scene, distance(pr[0]), pr[0].start))


_NEAR_BEFORE = re.compile(
    r"\b(?:outskirts\s+of|suburbs?\s+of|outside(?:\s+of)?|near(?:by)?|around|environs\s+of|vicinity\s+of)"
    r"\s+(?:the\s+)?(?:(?:town|city|village)\s+of\s+)?$", re.IGNORECASE)
_NEAR_AFTER = re.compile(r"^\s+(?:area|outskirts|suburbs|environs|countryside)\b", re.IGNORECASE)


def near_place(text: str, span: tuple[int, int], precision: int) -> int:
    """ACLED's geo_precision for a spot near a town: "outside X", "on the outskirts of X", "in the
    X area" are 2, not 1 (the town itself). A part of the town ("a district of X", "northern X"
    for a city) stays 1: ACLED codes a neighbourhood to its town."""
    if precision != 1:
        return precision
    start, end = span
    if _NEAR_BEFORE.search(text[max(0, start - 40):start]) or _NEAR_AFTER.match(text[end:end + 20]):
        return 2
    return precision


def scene_role(text: str, place: Place, anchor: tuple[int, int] | None) -> Role:
    """``role_of``, with the destination of a motion ("deployed to X", "fired at X") as the scene."""
    role = role_of(text, place)
    if role.role == "destination" and anchor is not None and text[anchor[0]:anchor[1]].lower() in _motion_words():
        return Role("scene", role.cue)
    return role
