"""Decide an event mention's ACLED sub-event type from its triggers and context.

The classifier is pluggable (``TypeClassifier``): the rule-based one below is the default,
and a model trained on a user's own coded data can stand in its place without changing
how events are found, so the evidence spans always come from the rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from flashpoint.typology import EVENT_TYPE_OF


@dataclass
class MentionContext:
    """What a classifier sees of one event mention."""

    text: str
    """The sentence(s) of the mention."""
    trigger_types: dict[str, float]
    """Summed trigger weights per sub-event type or context class (@violence, @protest, @seize)."""
    agent_kind: str | None = None
    target_kind: str | None = None
    agent_inter: int | None = None
    killed: int = 0
    context_text: str = ""
    """The following sentence, where interventions and outcomes are often told."""
    extras: dict[str, object] = field(default_factory=dict)


class TypeClassifier(Protocol):
    """Anything that ranks sub-event types for a mention: rules, or a trained model."""

    name: str

    def rank(self, mention: MentionContext) -> list[tuple[str, float]]:
        """Sub-event types with scores, best first (empty: not an event)."""
        ...


# When a sentence holds several triggers, the more specific means of violence wins
# (a "shelling attack" is Shelling, not a generic attack); ACLED codes the most
# specific applicable type.
_PRIORITY: dict[str, float] = {
    "Suicide bomb": 3.0,
    "Chemical weapon": 2.9,
    "Disrupted weapons use": 2.8,
    "Air/drone strike": 2.6,
    "Shelling/artillery/missile attack": 2.5,
    "Remote explosive/landmine/IED": 2.3,
    "Grenade": 2.4,
    "Sexual violence": 2.2,
    "Government regains territory": 2.0,
    "Non-state actor overtakes territory": 2.0,
    "Excessive force against protesters": 1.9,
    "Protest with intervention": 1.8,
    "Violent demonstration": 1.8,
    "Mob violence": 1.7,
    "Abduction/forced disappearance": 1.65,
    "Armed clash": 1.6,
    "Attack": 1.6,
    "Peaceful protest": 1.5,
    "Looting/property destruction": 1.3,
    "Arrests": 1.2,
    "Agreement": 1.1,
    "Non-violent transfer of territory": 1.1,
    "Headquarters or base established": 1.0,
    "Change to group/activity": 1.0,
    "Other": 0.5,
}

_INTERVENTION = re.compile(
    r"\b(dispers\w*|tear ?gas|water cannon\w*|rubber bullets?|batons?|arrest\w*|detain\w*|"
    r"broke up|break up|cordon\w*|pepper spray|stun grenades?|kettl\w*)\b",
    re.I,
)
_LETHAL_FORCE = re.compile(
    r"\b(live (ammunition|rounds|fire|bullets)|opened fire|shot dead|killed|killing|died|dead|death|"
    r"fired (on|at|into)|bullets)\b", re.I
)
_PROTESTER_VIOLENCE = re.compile(
    r"\b(threw|throwing|hurled|pelted)\b.{0,40}\b(stones?|rocks?|petrol bombs?|molotov|bottles)\b|"
    r"\b(set fire|torched|burn(ed|t|ing)? (tyres|tires|cars|vehicles|buildings?)|vandali[sz]\w*|"
    r"looted|ransacked|clashed with (police|security)|stormed)\b",
    re.I,
)
_PROTEST_WORDS = re.compile(r"\b(protest\w*|demonstrat\w*|march(ers|ing|ed)?|rally|rallies|sit-in)\b", re.I)
_CRUDE_WEAPONS = re.compile(r"\b(sticks|stones|rocks|machetes?|clubs|knives|cudgels|iron bars|bare hands)\b", re.I)
_CIVILIAN_WORDS = re.compile(
    r"\b(civilians?|villagers?|residents?|farmers?|worshippers?|passengers?|women|children|"
    r"students?|journalists?|traders?|herders?|family|families|people|man|woman|leader|candidate)\b",
    re.I,
)
_ARMED_KINDS = frozenset({"military", "police", "named_group", "unidentified", "militia", "armed"})
_CIVILIAN_KINDS = frozenset({"civilians"})


class RuleClassifier:
    """ACLED typology by rules over trigger weights and who acts on whom."""

    name = "rules"

    def rank(self, mention: MentionContext) -> list[tuple[str, float]]:
        scores: dict[str, float] = {}
        for label, weight in mention.trigger_types.items():
            for resolved, share in self._resolve(label, mention):
                scores[resolved] = max(scores.get(resolved, 0.0), weight * share)
        ranked = sorted(
            ((label, score * _PRIORITY.get(label, 1.0)) for label, score in scores.items()),
            key=lambda item: -item[1],
        )
        total = sum(s for _, s in ranked) or 1.0
        return [(label, round(score / total, 3)) for label, score in ranked]

    def _resolve(self, label: str, m: MentionContext) -> list[tuple[str, float]]:
        if label == "@violence":
            return [(self._violence(m), 1.0)]
        if label == "@protest":
            return [(self._protest(m), 1.0)]
        if label == "@seize":
            state = m.agent_kind in ("military", "police") or m.agent_inter == 1
            return [("Government regains territory" if state else "Non-state actor overtakes territory", 1.0)]
        if label == "Violent demonstration" and m.agent_kind in ("mob",):
            return [("Mob violence", 1.0)]
        if label in EVENT_TYPE_OF:
            return [(label, 1.0)]
        return []

    @staticmethod
    def _violence(m: MentionContext) -> str:
        """Generic violence: who acted and who was hit decide between a battle, violence against
        civilians, mob violence and force against protesters."""
        state = m.agent_kind in ("military", "police")
        if m.agent_kind in ("mob", "rioters", "civilians"):
            # Unarmed people attacking others is mob violence in ACLED's typology.
            return "Mob violence"
        if m.agent_kind == "protesters":
            return "Violent demonstration"
        if m.target_kind == "protesters" or (state and m.target_kind in (None, "civilians") and _PROTEST_WORDS.search(m.text)):
            return "Excessive force against protesters"
        if m.target_kind in _CIVILIAN_KINDS:
            return "Attack"
        if m.target_kind in _ARMED_KINDS:
            return "Armed clash"
        if m.agent_kind not in _ARMED_KINDS and _CRUDE_WEAPONS.search(m.text):
            return "Mob violence"
        if m.target_kind is None and _CIVILIAN_WORDS.search(m.text):
            return "Attack"
        return "Armed clash"

    @staticmethod
    def _protest(m: MentionContext) -> str:
        """Protest sub-types by what the protesters and the authorities did."""
        window = f"{m.text} {m.context_text}"
        lethal = m.killed > 0 or re.search(r"live (ammunition|rounds|fire|bullets)|\b(died|dead)\b", window, re.I)
        if _LETHAL_FORCE.search(window) and lethal:
            return "Excessive force against protesters"
        if _PROTESTER_VIOLENCE.search(m.text):
            return "Violent demonstration"
        if _INTERVENTION.search(window):
            return "Protest with intervention"
        return "Peaceful protest"


def rank_all(classifier: TypeClassifier, mentions: Sequence[MentionContext]) -> list[list[tuple[str, float]]]:
    """Rank several mentions: in one call when the classifier can batch (``rank_many``: an encoder
    runs once per document), else one by one."""
    if not mentions:
        return []
    many = getattr(classifier, "rank_many", None)
    if many is not None:
        return list(many(mentions))
    return [classifier.rank(m) for m in mentions]


def best_type(classifier: TypeClassifier, mention: MentionContext) -> tuple[str, float] | None:
    """The top-ranked sub-event type and its score, or None when nothing applies."""
    ranked = classifier.rank(mention)
    return ranked[0] if ranked else None
