"""Event mentions: one per sentence that tells of a happening, with everything read around it.

A mention is what one sentence says: its triggers and type, its date, who acted on whom, the
casualties, where, and who claims it. ``resolve.py`` then merges mentions that tell of the
same happening into one event.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from flashpoint import lang
from flashpoint.extract import actors
from flashpoint.extract.actors import Actor, ActorMention
from flashpoint.extract.attribution import Attribution
from flashpoint.extract.casualties import Casualty, find_casualties
from flashpoint.extract.classify import MentionContext, TypeClassifier, rank_all
from flashpoint.extract.dates import DateMention
from flashpoint.extract.detect import Trigger, find_triggers
from flashpoint.extract.lexicon import loaded_terms, token_matches
from flashpoint.extract.roles import Roles, roles_of
from flashpoint.model import Claimant
from flashpoint.model import Span as CharSpan
from flashpoint.typology import EVENT_TYPE_OF

_MIN_TRIGGER_WEIGHT = 0.5
_VIOLENT_FAMILIES = ("Battles", "Explosions/Remote violence", "Violence against civilians")


@dataclass
class Mention:
    """What one sentence reports."""

    sent_index: int
    sent_span: CharSpan
    sub_event_type: str | None
    score: float
    triggers: list[Trigger]
    is_reference: bool
    """Only definite back-references ("the clashes"): evidence for an event told earlier."""
    date: dt.date | None = None
    end_date: dt.date | None = None
    time_precision: int = 3
    date_source: str = "none"
    """explicit | anaphoric | inherited | published | none"""
    date_span: CharSpan | None = None
    agent: Actor | None = None
    agent_span: CharSpan | None = None
    target: Actor | None = None
    target_span: CharSpan | None = None
    casualties: list[Casualty] = field(default_factory=list)
    claimant: Claimant = field(default_factory=Claimant)
    claimant_spans: list[CharSpan] = field(default_factory=list)
    loaded: list[tuple[str, CharSpan]] = field(default_factory=list)
    negated: bool = False
    context_span: CharSpan | None = None
    """The two sentences before this one, where the story may have named the place."""
    typing: MentionContext | None = None
    """What the type classifier is asked about (set while the mention is built, ranked after)."""
    type_explanation: dict[str, object] | None = None
    """Why the classifier chose the type (trained classifiers only)."""


@dataclass
class DocContext:
    """Document-level facts every mention needs."""

    published: dt.date | None
    dates: list[DateMention]
    actor_mentions: list[ActorMention]
    attribution: Attribution
    classifier: TypeClassifier
    default_country: str | None = None
    _starts: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The lookups below bisect the mentions' starts instead of scanning every actor mention of
        # the document for each sentence (linear coding of long texts), when the mentions come in
        # text order without overlaps, as the English finder gives them; otherwise they scan.
        ms = self.actor_mentions
        if all(a.end <= b.start for a, b in zip(ms, ms[1:])):
            self._starts = [m.start for m in ms]

    def actors_starting(self, lo: int, hi: int) -> list[ActorMention]:
        """The actor mentions that start in ``[lo, hi)``, in the order given."""
        if self._starts is None:
            return [m for m in self.actor_mentions if lo <= m.start < hi]
        return self.actor_mentions[bisect.bisect_left(self._starts, lo):bisect.bisect_left(self._starts, hi)]

    def actor_at(self, char: int) -> ActorMention | None:
        """The first actor mention over character ``char``, if any."""
        if self._starts is None:
            return next((m for m in self.actor_mentions if m.start <= char < m.end), None)
        k = bisect.bisect_right(self._starts, char) - 1
        return self.actor_mentions[k] if k >= 0 and char < self.actor_mentions[k].end else None


def extract_mentions(doc: Doc, ctx: DocContext) -> list[Mention]:
    """Mentions in text order: event sentences and casualty-only sentences."""
    sents = list(doc.sents)
    found = [m for m in (_mention_for(doc, sents, i, ctx) for i in range(len(sents))) if m is not None]
    _classify_all(found, ctx.classifier)
    mentions: list[Mention] = []
    last_dated: Mention | None = None
    for mention in found:
        if mention.sub_event_type is None and not mention.casualties:
            continue
        sent = sents[mention.sent_index]
        _assign_date(mention, sent, ctx, last_dated)
        if mention.date is not None and mention.sub_event_type is not None:
            last_dated = mention
        mentions.append(mention)
    return mentions


def new_mention(sents: list[Span], i: int, triggers: list[Trigger], live: list[Trigger],
                casualties: list[Casualty]) -> Mention:
    """A sentence's mention before typing and roles (every language's detection builds it so):
    ``live`` are the triggers that stand, ``triggers`` all found (all negated: a denial)."""
    sent = sents[i]
    return Mention(
        sent_index=i,
        sent_span=(sent.start_char, sent.end_char),
        context_span=(sents[max(0, i - 2)].start_char, sent.start_char) if i else None,
        sub_event_type=None,
        score=0.0,
        triggers=live,
        is_reference=bool(live) and all(t.is_reference for t in live),
        casualties=casualties,
        negated=bool(triggers) and not live,
    )


def _mention_for(doc: Doc, sents: list[Span], i: int, ctx: DocContext) -> Mention | None:
    sent = sents[i]
    if _history(sent, ctx.published):
        return None
    dated = any(
        sent.start_char <= d.start < sent.end_char and not d.anaphoric and not d.metadata and d.precision < 3
        for d in ctx.dates
    )
    year = ctx.published.year if ctx.published is not None else None
    # Background, plans, threats and conditionals are not happenings; a habit or a statistic is
    # one only when the sentence gives it a day of its own.
    triggers = [t for t in find_triggers(sent, year) if not t.irrealis and (dated or not t.generic)]
    live = [t for t in triggers if not t.negated and max(t.types.values()) >= _MIN_TRIGGER_WEIGHT]
    casualties = find_casualties(sent)
    if not live and not casualties:
        return None
    mention = new_mention(sents, i, triggers, live, casualties)
    mention.claimant, mention.claimant_spans = ctx.attribution.claimant_for(sent)
    if live:
        _fill_roles(doc, sent, mention, ctx)
        mention.typing = _typing_context(mention, sent, sents[i + 1] if i + 1 < len(sents) else None)
    mention.loaded = loaded_in(sent)
    return mention


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _history(sent: Span, published: dt.date | None) -> bool:
    """'The two countries fought a war in 2020': a sentence set in an earlier year is background."""
    if published is None:
        return False
    years = [int(y) for y in _YEAR.findall(sent.text)]
    return bool(years) and max(years) < published.year


def _main_trigger(mention: Mention) -> Trigger:
    return max(mention.triggers, key=lambda t: max(t.types.values()))


def _fill_roles(doc: Doc, sent: Span, mention: Mention, ctx: DocContext) -> None:
    """Agent and target from the strongest trigger whose frame the parse fills; when the parse
    of one frame is broken ('shells fired by the paramilitary …'), another trigger of the same
    sentence often still has its slots ('… forces slammed …, killing 14 civilians')."""
    ranked = sorted(mention.triggers, key=lambda t: -max(t.types.values()))
    trigger = ranked[0]
    head = _role_head(doc, trigger.head, ctx)
    for candidate in ranked:
        candidate_head = _role_head(doc, candidate.head, ctx)
        roles: Roles = roles_of(doc, candidate_head, reciprocal="Armed clash" in candidate.types)
        agent, agent_span = _actor_in(doc, sent, roles.agent, ctx, exclude=None)
        target, target_span = _actor_in(doc, sent, roles.target, ctx, exclude=agent_span)
        if candidate is ranked[0]:
            mention.agent, mention.agent_span, mention.target, mention.target_span = agent, agent_span, target, target_span
        elif agent is not None:
            mention.agent, mention.agent_span, trigger, head = agent, agent_span, candidate, candidate_head
            if target is not None and target_span != agent_span:
                mention.target, mention.target_span = target, target_span
        if agent is not None:
            break
    if mention.agent is None:
        mention.agent, mention.agent_span = _nearest_actor_before(sent, trigger, mention.target_span, ctx, mention.claimant_spans)
    _repelled_attack(doc, sent, doc[head], mention, ctx)


def _role_head(doc: Doc, head: int, ctx: DocContext) -> int:
    """The token whose parse gives a trigger's roles: a compound's head ("suicide" in "a suicide
    bomber"); the verb of a trigger that is itself the doer ("a warplane of the army struck RSF
    positions": a weapon standing for its force is the subject of the verb that has the roles)."""
    if doc[head].dep_ == "compound":
        head = doc[head].head.i
    if doc[head].dep_ in ("nsubj", "nsubjpass") and ctx.actor_at(doc[head].idx) is not None:
        head = doc[head].head.i
    return head


def _repelled_attack(doc: Doc, sent: Span, verb: Token, mention: Mention, ctx: DocContext) -> None:
    """"Troops repelled an attack by X": X attacked, the troops were attacked (ACLED's actor1 is
    X). The subject of repel/foil/thwart is the defender when its object names the attacker."""
    if verb.lemma_.lower() not in actors.repel_verbs():
        return
    for obj in (c for c in verb.children if c.dep_ == "dobj"):
        for prep in (c for c in obj.children if c.dep_ == "prep" and c.lower_ == "by"):
            for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                attacker, span = _actor_in(doc, sent, (pobj.left_edge.i, pobj.right_edge.i + 1), ctx, exclude=None)
                if attacker is not None and (mention.agent is None or attacker.name != mention.agent.name):
                    mention.target, mention.target_span = mention.agent, mention.agent_span
                    mention.agent, mention.agent_span = attacker, span
                    return


def _nearest_actor_before(
    sent: Span, trigger: Trigger, target: CharSpan | None, ctx: DocContext, speakers: list[CharSpan]
) -> tuple[Actor | None, CharSpan | None]:
    """When the parse gives no subject (appositions, headlines), the actor or state named last
    before the trigger in its sentence, outside the target, is the best guess at the doer.
    The one who says it ("Azerbaijan's defence ministry said …") is not the doer."""
    lo, hi = sent.start_char, trigger.char_start

    def speaking(start: int) -> bool:
        return any(a <= start < b for a, b in speakers)

    found: list[tuple[int, Actor, CharSpan]] = []
    for m in ctx.actor_mentions:
        # (A mention may begin before the sentence: "JNIM: Group for …" is cut at the colon.)
        if lo < m.end <= hi and not (target and target[0] <= m.start < target[1]):
            if m.actor.kind != "government" and not speaking(m.start):
                found.append((m.start, m.actor, (m.start, m.end)))
    for ent in _ents_in(sent):
        if ent.label_ == "GPE" and lo <= ent.start_char and ent.end_char <= hi:
            country = actors.country_name(ent.text)
            if country and not _after_preposition(ent) and not speaking(ent.start_char):
                actor = actors.normalise_actor(f"the armed forces of {country}", default_country=country)
                if actor is not None:
                    found.append((ent.start_char, actor, (ent.start_char, ent.end_char)))
    if not found:
        return None, None
    _, actor, span = max(found, key=lambda item: item[0])
    return actor, span


def _ents_in(sent: Span) -> list[Span]:
    """``sent.ents`` without building every entity of the document (linear in the sentence)."""
    doc, found, i = sent.doc, [], sent.start
    while i < sent.end:
        if doc[i].ent_iob_ != "B":
            i += 1
            continue
        j = i + 1
        while j < len(doc) and doc[j].ent_iob_ == "I":
            j += 1
        if j <= sent.end:  # as Span.ents: only entities wholly inside the sentence
            found.append(Span(doc, i, j, label=doc[i].ent_type_))
        i = j
    return found


def _after_preposition(ent: Span) -> bool:
    """'in Armenia', 'of Azerbaijan', 'in southwest Pakistan', "Nigeria's Kaduna state": a place or
    a possessor, not a doer (a possessed force, "Nigeria's army", is an actor mention of its own)."""
    return (ent.start > 0 and ent.doc[ent.start - 1].pos_ == "ADP") or ent.root.dep_ in ("pobj", "poss")


def _actor_in(
    doc: Doc, sent: Span, span: tuple[int, int] | None, ctx: DocContext, exclude: CharSpan | None
) -> tuple[Actor | None, CharSpan | None]:
    """The actor named in a role's token span: a known actor mention inside it, else the
    phrase itself normalised; a pronoun resolves to the nearest actor named before it."""
    if span is None:
        return None, None
    phrase = doc[span[0]:span[1]]
    start, end = phrase.start_char, phrase.end_char
    inside = [m for m in ctx.actors_starting(start, end) if m.end <= end]
    root_at = doc[phrase.root.i].idx
    # An actor mention around the phrase's head ("JNIM: Group for Support of Islam and Muslims",
    # where the parse's subject is only "Group for …") names it too.
    around = ctx.actor_at(root_at)
    inside = inside or ([around] if around is not None else [])
    if inside:
        best = next((m for m in inside if m.start <= doc[phrase.root.i].idx < m.end), inside[0])
        return best.actor, (best.start, best.end)
    if len(phrase) == 1 and phrase[0].pos_ == "PRON":
        before = [
            m for m in ctx.actors_starting(sent.start_char, start)
            if m.end <= start and (exclude is None or m.start != exclude[0])
        ]
        if before:
            return before[-1].actor, (before[-1].start, before[-1].end)
        return None, None
    actor = actors.normalise_actor(phrase.text, default_country=ctx.default_country)
    if actor is None:
        country = actors.country_name(phrase.text)
        if country is not None:
            # A state named as the doer of violence acts through its armed forces.
            actor = actors.normalise_actor(f"the armed forces of {country}", default_country=country)
    if actor is None:
        return None, None
    return actor, (start, end)


def _classify_all(mentions: list[Mention], classifier: TypeClassifier) -> None:
    """Type every mention of a document in one call (a classifier over an encoder batches it)."""
    asked = [m for m in mentions if m.typing is not None]
    for mention, ranked in zip(asked, rank_all(classifier, [m.typing for m in asked if m.typing]), strict=True):
        if ranked:
            mention.sub_event_type, mention.score = ranked[0]
        explanation = mention.typing.extras.get("type_explanation") if mention.typing else None
        mention.type_explanation = explanation if isinstance(explanation, dict) else None


def _typing_context(mention: Mention, sent: Span, following: Span | None) -> MentionContext:
    """What the classifier sees: the sentence and the next one, trigger weights, who did what to whom."""
    weights: dict[str, float] = {}
    fresh = any(not t.is_reference for t in mention.triggers)
    battle = any(t.types.get("Armed clash", 0) >= 0.9 for t in mention.triggers)
    for trigger in mention.triggers:
        # "after the car bomb attack": a back-reference says little about this sentence's event;
        # "fought with machine guns and mortars": the weapons are the battle's instruments.
        damp = 0.3 if fresh and trigger.is_reference else 1.0
        if battle and _instrument(sent.doc[trigger.start]):
            damp = 0.3
        for label, weight in trigger.types.items():
            # The strongest cue counts; more cues for the same type add a little (not a sum:
            # two weak hints must not outvote one unambiguous word).
            w = weight * damp
            prev = weights.get(label)
            weights[label] = w if prev is None else max(prev, w) + 0.15 * min(prev, w)
    killed = sum(c.count for c in mention.casualties if c.kind == "killed")
    return MentionContext(
        text=sent.text,
        trigger_types=weights,
        agent_kind=mention.agent.kind if mention.agent else None,
        target_kind=mention.target.kind if mention.target else None,
        agent_inter=mention.agent.inter if mention.agent else None,
        killed=killed,
        context_text=following.text if following is not None else "",
    )


def _instrument(token: Token) -> bool:
    return token.dep_ in ("pobj", "conj") and any(a.lower_ == "with" for a in token.ancestors if a.dep_ == "prep")


def _assign_date(mention: Mention, sent: Span, ctx: DocContext, last_dated: Mention | None) -> None:
    """The sentence's own date, else 'the same day' → the previous event's, else the date the
    narrative is at, else the publication date (with week precision: the report's week)."""
    own = [d for d in ctx.dates if sent.start_char <= d.start < sent.end_char and not d.metadata]
    explicit = [d for d in own if not d.anaphoric and d.date is not None]
    if last_dated is not None and last_dated.date is not None and explicit:
        # "… but on Wednesday raised its toll to seven", "the ministry said on Tuesday": a date
        # that modifies a verb of telling is the day of the telling; the story's day stands.
        happening = [d for d in explicit if not _told_on(sent, d)]
        if not happening:
            own = [d for d in own if d not in explicit]
        explicit = happening
    anaphoric = [d for d in own if d.anaphoric]
    if len(explicit) > 1:
        # "found on Monday … kidnapped last week", "on Monday during rallies against last
        # October's coup": the day is the happening's, the vaguer dates are its background.
        sharpest = min(d.precision for d in explicit)
        explicit = [d for d in explicit if d.precision == sharpest]
    if explicit and ctx.published is not None and len(explicit) > 1:
        # "gave accounts on Wednesday of fighting on Tuesday": the report's own day is the day
        # of telling; an earlier day in the same sentence is the day it happened.
        earlier = [d for d in explicit if d.date is not None and d.date < ctx.published]
        explicit = earlier or explicit
    if explicit:
        anchor = _main_trigger(mention).char_start if mention.triggers else sent.start_char
        best = min(explicit, key=lambda d: abs(d.start - anchor))
        _set_date(mention, best.date, best.end_date, best.precision, "explicit", (best.start, best.end))
    elif anaphoric and last_dated is not None and last_dated.date is not None:
        d = anaphoric[0]
        date = last_dated.date + dt.timedelta(days=d.offset)
        _set_date(mention, date, None, last_dated.time_precision, "anaphoric", (d.start, d.end))
    else:
        before = [d for d in ctx.dates if d.start < sent.start_char and d.date is not None and not d.anaphoric and not d.metadata]
        if last_dated is not None and last_dated.date is not None:
            _set_date(mention, last_dated.date, last_dated.end_date, last_dated.time_precision, "inherited", last_dated.date_span)
        elif before:
            d = before[-1]
            _set_date(mention, d.date, d.end_date, d.precision, "inherited", (d.start, d.end))
        elif ctx.published is not None:
            _set_date(mention, ctx.published, None, 2, "published", None)
    _past_day(mention, sent)


def _told_on(sent: Span, date: DateMention) -> bool:
    """Whether a date phrase modifies a verb of telling or revising (lang/en/telling_verbs.txt)."""
    tokens = [tok for tok in sent if date.start <= tok.idx < date.end]
    heads = [tok for tok in tokens if not (date.start <= tok.head.idx < date.end) or tok.head is tok]
    if not heads:
        return False
    verb = heads[0].head
    if verb.dep_ == "prep" or verb.pos_ == "ADP":
        verb = verb.head
    return verb.pos_ in ("VERB", "AUX") and verb.lemma_.lower() in lang.words("en", "telling_verbs")


_PAST_DAY = re.compile(
    r"\b(?:over|in|during|for|within)\s+the\s+(?:past|last|previous)\s+(?:day|24\s+hours|twenty-four\s+hours)\b(?!['’]s)", re.I
)


def _past_day(mention: Mention, sent: Span) -> None:
    """A daily bulletin ('As of 07:00 on 8 April, over the past day the enemy fired …') tells of
    the day before the one it is dated: ACLED codes its events to that day."""
    if mention.date_source not in ("explicit", "published") or mention.date is None:
        return
    if _PAST_DAY.search(sent.text):
        mention.date = mention.date - dt.timedelta(days=1)
        mention.end_date = None
        mention.time_precision = 1


def _set_date(
    mention: Mention,
    date: dt.date | None,
    end_date: dt.date | None,
    precision: int,
    source: str,
    span: CharSpan | None,
) -> None:
    mention.date, mention.end_date, mention.time_precision = date, end_date, precision
    mention.date_source, mention.date_span = source, span


def loaded_in(sent: Span) -> list[tuple[str, CharSpan]]:
    """Loaded terms used in a sentence, with their spans (as the text writes them)."""
    index = loaded_terms()
    found: list[tuple[str, CharSpan]] = []
    tokens = list(sent)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        candidates = index.get(token.lower_, ()) + index.get(token.lemma_.lower(), ())
        step = 1
        for term in candidates:
            n = len(term)
            if i + n <= len(tokens) and all(token_matches(tokens[i + k], term[k]) for k in range(n)):
                last = tokens[i + n - 1]
                span = (token.idx, last.idx + len(last.text))
                found.append((sent.doc[token.i:last.i + 1].text.lower(), span))  # not doc.text: rebuilt per access
                step = n
                break
        i += step
    return found


def is_violent(sub_event_type: str | None) -> bool:
    return sub_event_type is not None and EVENT_TYPE_OF.get(sub_event_type) in _VIOLENT_FAMILIES
