"""Casualty figures as claims: whose casualties, who says so, how sure — and ACLED's fatalities from them.

``find_casualties`` reads figures off the parse; here each becomes a ``CasualtyClaim`` with its
claimant (the sentence's speaker) and its victims' side. Three rules carry the weight:

- **A claim about the enemy's losses stays a claim about the enemy.** Victims named as an actor
  ("Azerbaijani servicemen", "M23 terrorists") are that actor's side; "our"/"its" soldiers, or an
  unmarked "three servicemen were wounded" in a side's own statement, are the claimant's side;
  "the adversary's", "on the enemy side" are the other side of the event's dyad.
- **Vague quantities never become numbers**: "several", "a number of", "dozens" give ``count``
  None and qualifier ``several``.
- **ACLED's fatalities** (``acled_fatalities``): the dead of each victim side counted once — the
  lowest credible figure for that side in the report (an official claimant's before a lawmaker's,
  a stated revision before the figure it revises; "up to", combined killed-and-wounded and vague
  figures are not counts) — then summed over the sides, since each side's dead are different
  people. ``fatalities_rule`` says so in words, for the notes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from flashpoint.extract.actors import country_name, demonym_spans, normalise_actor
from flashpoint.extract.casualties import Casualty, _word_set
from flashpoint.model import CasualtyClaim, Claimant

__all__ = ["OWN", "ENEMY", "acled_count", "acled_fatalities", "place_claims", "claims_from", "settle_sides", "side_of_actor"]

OWN, ENEMY, FORCES, UNKNOWN = "own", "enemy", "forces", "unknown"
UNIDENTIFIED = "unidentified"
"""The victims' side when the text names them only by a pronoun ("seven of them")."""
_QUALIFIER = {"exact": "exact", "at_least": "at least", "up_to": "up to", "approx": "about", "vague": "several"}
_PERIOD = re.compile(r"\s*\(\d{4}-(?:\d{4})?\).*$")
_STATE = re.compile(r"^(?:(?:Military|Police) Forces|Government) of (?:the )?(.+)$")
_GENERIC = frozenset({"Military Forces", "Police Forces", "Government"})


def side_of_actor(name: str | None) -> str | None:
    """The side an ACLED actor fights for: a state's forces → the country; an armed group → itself;
    civilians and unidentified actors → None."""
    if not name:
        return None
    base = _PERIOD.sub("", name).strip()
    state = _STATE.match(base)
    if state:
        return "Democratic Republic of Congo" if state.group(1) == "Democratic Republic of Congo" else state.group(1)
    if base.startswith(("Civilians", "Unidentified", "Protesters", "Rioters")) or base in _GENERIC:
        return None
    return base


def claims_from(found: Iterable[Casualty], claimant: Claimant, text: str,
                year: int | None = None) -> list[CasualtyClaim]:
    claims = _claims_from(found, claimant, text, year)
    _mark_earlier(claims, text)
    return claims


def _mark_earlier(claims: list[CasualtyClaim], text: str) -> None:
    """"It initially reported two killed, but raised its toll to seven": in a sentence that says a
    figure was revised, the earlier figure of a kind is marked ``earlier`` and the later one ``revised``;
    "six were killed, up from one" likewise (the figure after "up from" is the earlier one)."""
    by_sentence: dict[tuple[int, int], list[CasualtyClaim]] = {}
    for c in claims:
        if c.sentence is not None:
            by_sentence.setdefault(c.sentence, []).append(c)
    for (start, end), items in by_sentence.items():
        lower = text[start:end].lower()
        if not any(cue in lower for cue in _word_set("earlier_cues")):
            continue
        for kind in {c.kind for c in items}:
            same = sorted((c for c in items if c.kind == kind and c.count is not None), key=lambda c: c.evidence[0])
            if len(same) < 2:
                continue
            up_from = "up from" in lower
            old, new = (same[1:], same[0]) if up_from else (same[:-1], same[-1])
            for c in old:
                c.earlier, c.qualifier = True, "exact"
            new.qualifier = "revised"


def _claims_from(found: Iterable[Casualty], claimant: Claimant, text: str,
                 year: int | None = None) -> list[CasualtyClaim]:
    """One claim per figure, its victims' side set when the words say it (else a hint, settled later).

    A figure told in a sentence about an earlier time ("the fighting that killed more than 100
    people last year", "a six-week war in 2020 in which 6,500 were killed") is background: it never
    becomes a claim about the event of ``year``.
    """
    return [_claim(c, claimant, text) for c in found if not _past(text[c.sentence[0]:c.sentence[1]], year)]


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def _past(sentence: str, year: int | None) -> bool:
    lower = sentence.lower()
    if any(cue in lower for cue in _word_set("past_cues")):
        return True
    return year is not None and any(int(y) < year for y in _YEAR.findall(sentence))


def _claim(c: Casualty, claimant: Claimant, text: str) -> CasualtyClaim:
    vague = c.qualifier == "vague"
    qualifier = _QUALIFIER.get(c.qualifier, "exact")
    sentence = text[c.sentence[0]:c.sentence[1]].lower() if c.sentence != (0, 0) else ""
    official = getattr(claimant, "official", True)
    if qualifier == "exact" and any(cue in sentence for cue in _word_set("revision_cues")):
        qualifier = "revised"
    elif qualifier == "exact" and not official:
        qualifier = "unconfirmed"  # a lawmaker's figure: a claim from that side, not its official word
    victim, side = _victims(c)
    if side is None and c.victim_hint not in (None, OWN, ENEMY):
        side = c.victim_hint.removeprefix("side:")  # named around the figure ("the Tajik side lost …")
    return CasualtyClaim(
        kind=c.kind, count=None if vague else c.count, qualifier=qualifier, victim=victim,
        victim_side=side or (c.victim_hint if c.victim_hint in (OWN, ENEMY, UNKNOWN) else None), claimant=claimant.name or claimant.party,
        claimant_side=claimant.side, official=official, combined_with=c.combined,
        text=text[c.start:c.end], evidence=sorted({(c.start, c.end), c.trigger}),
        sentence=c.sentence if c.sentence != (0, 0) else None,
    )


def _victims(c: Casualty) -> tuple[str | None, str | None]:
    """(ACLED actor, side) of the victims when their phrase names them; civilians without a
    country keep the marker ``Civilians`` for ``settle_sides``. An actor with a country beats an
    own/enemy hint; a generic one ("servicemen of the adversary", "our boys") does not."""
    if not c.victim or c.victim_hint == UNKNOWN:
        return None, None
    actor = normalise_actor(c.victim)
    if actor is None:
        return None, None
    hint = c.victim_hint
    if actor.kind == "civilians":
        if hint in (OWN, ENEMY) or (hint or "").startswith("side:"):
            return None, None  # "our boys", "the Tajik side lost 70 people": the hint says whose
        if hint is not None and not actor.country:
            return f"Civilians ({hint})", f"Civilians ({hint})"  # "on the Tajik side, a resident was hurt"
        return actor.name, actor.name if actor.country else "Civilians"
    if actor.kind in ("military", "police", "government") and actor.country:
        return actor.name, actor.country
    if actor.kind in ("military", "police") and c.victim_hint is None:
        return None, FORCES  # "soldiers" with no country: a state's forces (whose, settle_sides decides)
    if actor.kind in ("named_group", "militia") and actor.name:
        return actor.name, actor.name
    return None, None


@functools.lru_cache(maxsize=16)
def document_sides(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(named armed groups, countries) a text names, in order of first mention: the sides an "enemy"
    can be when the event itself names only one."""
    from flashpoint.extract.actors import _group_matches  # the actors module's group index (read only)

    groups = []
    for start, end, _ in _group_matches(text):
        actor = normalise_actor(text[start:end])
        if actor is not None and actor.kind in ("named_group", "militia"):
            groups.append(actor.name)
    countries = [country for _, _, country in demonym_spans(text)]
    return tuple(dict.fromkeys(groups)), tuple(dict.fromkeys(countries))


def settle_sides(claims: Sequence[CasualtyClaim], dyad: Sequence[str | None], country: str | None,
                 named_in_text: tuple[Sequence[str], Sequence[str]] = ((), ())) -> None:
    """Resolve ``own``/``enemy``/unmarked victims against the claimant's side and the event's dyad
    (else the armed group, else the country, the text names when that leaves exactly one other)."""
    named = [c.victim_side for c in claims if c.victim_side not in (OWN, ENEMY, FORCES, UNKNOWN, "Civilians", None)]
    sides = [s for s in dict.fromkeys([*(side_of_actor(a) for a in dyad), *named])
             if s and not s.startswith("Civilians")]
    civilians = next((a for a in dyad if a and a.startswith("Civilians (")), None)
    _inherit_unnamed(claims)
    for claim in claims:
        mine = claim.claimant_side
        if claim.victim_side == UNKNOWN:
            claim.victim_side = UNIDENTIFIED  # a group the text refers back to: counted, never compared
            continue
        if claim.victim_side == FORCES:
            # An armed group's own are "fighters"; the "soldiers" it kills or takes are the state's.
            group = mine is not None and country_name(mine) is None
            claim.victim_side = ENEMY if group else OWN
        if claim.victim_side is None and mine is None and civilians:
            claim.victim_side = civilians  # a neutral voice on a one-sided attack: its victims
        elif claim.victim_side == "Civilians":
            claim.victim_side = f"Civilians ({country})" if country else None
        elif claim.victim_side == ENEMY:
            others: list[str] = [s for s in sides if s != mine]
            for names in named_in_text:
                if len(others) != 1:
                    others = [s for s in names if s != mine]
            claim.victim_side = others[0] if mine and len(others) == 1 else None
        elif claim.victim_side in (OWN, None):
            claim.victim_side = mine  # a side speaks of its own losses unless it says whose


def place_claims(claims: Sequence[CasualtyClaim], places: Sequence[tuple[int, str]]) -> None:
    """The places each claim's sentence names (offset, name): civilians are killed where they are, so
    claims about civilians at different places are about different people."""
    for claim in claims:
        if claim.sentence is not None:
            start, end = claim.sentence
            claim.places = sorted({name for at, name in places if start <= at < end})


def _inherit_unnamed(claims: Sequence[CasualtyClaim]) -> None:
    """Unnamed victims are the ones just named: "killing seven people and wounding 15" (the 15 are the
    same people), in the same sentence; a neutral voice's "at least 17 were killed" in a later sentence
    counts the victims the report has been speaking of. A party's unnamed dead stay its own."""
    last_in_sentence: dict[tuple[int, int] | None, str] = {}
    last: str | None = None
    for claim in claims:
        side = claim.victim_side
        if side not in (None, OWN, ENEMY, FORCES, UNKNOWN):
            last_in_sentence[claim.sentence] = side
            last = side
        elif side is None:
            inherited = last_in_sentence.get(claim.sentence)
            if inherited is None and claim.claimant_side is None:
                inherited = last
            if inherited is not None:
                claim.victim_side = inherited


def acled_count(claims: Sequence[CasualtyClaim], kinds: Sequence[str]) -> int:
    """The same rule for injured, captured or missing: each victim side once, summed."""
    return acled_fatalities(claims, kinds)[0]


def acled_fatalities(claims: Sequence[CasualtyClaim], kinds: Sequence[str] = ("killed",)) -> tuple[int, str]:
    """ACLED's fatalities from a report's claims, and how it was reached (for the notes)."""
    per_side: dict[str, list[CasualtyClaim]] = {}
    for claim in claims:
        if claim.kind in kinds and claim.count is not None and claim.combined_with is None \
                and claim.qualifier != "up to":
            per_side.setdefault(claim.victim_side or "unattributed", []).append(claim)
    parts: list[str] = []
    total = 0
    unattributed = per_side.pop("unattributed", None)
    for side, items in per_side.items():
        chosen = _credible(items)
        total += chosen.count or 0
        who = f" per {chosen.claimant}" if chosen.claimant else ""
        parts.append(f"{chosen.count} {side}{who}")
    if unattributed:
        # A figure with no victims named ("more than 100 dead", "the toll rose to 9") is a total: it
        # stands for the named sides' dead, not beside them.
        chosen = _credible(unattributed)
        if (chosen.count or 0) > total:
            who = f" per {chosen.claimant}" if chosen.claimant else ""
            parts = [f"{chosen.count} in all{who}"]
            total = chosen.count or 0
    vague = sorted({c.victim_side or "unattributed" for c in claims
                    if c.kind == "killed" and c.count is None})
    rule = ""
    if parts:
        rule = "fatalities: " + " + ".join(parts) + " (each side's dead counted once, most conservative credible figure)"
    if vague:
        rule += ("; " if rule else "fatalities: ") + "no figure for " + ", ".join(vague) + " (vague, not counted)"
    return total, rule


def _credible(items: list[CasualtyClaim]) -> CasualtyClaim:
    """Official over unofficial; a stated revision first. Figures side by side in one sentence are
    rival figures (the lowest); a claimant's later sentences restate or add to its toll ("a third
    person died, raising the toll to three": the highest); across claimants the lowest (ACLED's most
    conservative credible figure)."""
    official = [c for c in items if c.official] or items
    current = [c for c in official if not c.earlier] or official
    revised = [c for c in current if c.qualifier == "revised"] or current
    by_claimant: dict[str | None, dict[tuple[int, int] | None, list[CasualtyClaim]]] = {}
    for c in revised:
        by_claimant.setdefault(c.claimant, {}).setdefault(c.sentence, []).append(c)
    tops = []
    for sentences in by_claimant.values():
        lows = [min(claims, key=lambda c: c.count or 0) for claims in sentences.values()]
        tops.append(max(lows, key=lambda c: c.count or 0))
    return min(tops, key=lambda c: c.count or 0)
