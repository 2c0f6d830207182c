"""The Russian stages: event mentions from a Russian parse, in the same records as English.

Each module mirrors its English counterpart and writes the same data: ``detect`` (frames from
``lang/ru/frames.json`` → ``Trigger``), ``casualties`` (→ ``Casualty``), ``attribution``
(→ ``Claimant``), ``actors`` (→ ACLED English actors). ``extract_mentions`` builds the same
``Mention`` records as ``flashpoint.extract.mentions`` does for English, so resolution, notes,
claims and output are shared. Dates are the English module's rules applied to Russian date
mentions (``flashpoint.extract.dates.find_dates(..., language="ru")``).

Typing: the encoder type head was trained on English; a Russian mention is typed by the rule
classifier over the Russian frames, and its ``type_explanation`` says so.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from flashpoint import lang
from flashpoint.extract import actors as en_actors
from flashpoint.extract.actors import Actor, ActorMention
from flashpoint.extract.classify import RuleClassifier
from flashpoint.extract.detect import Trigger
from flashpoint.extract.lexicon import frame_words, frames, trigger_index
from flashpoint.extract.mentions import (
    DocContext,
    Mention,
    _assign_date,
    _classify_all,
    _history,
    _typing_context,
    new_mention,
)
from flashpoint.extract.ru import actors as ru_actors
from flashpoint.extract.ru.attribution import RuAttribution
from flashpoint.extract.ru.casualties import find_casualties
from flashpoint.extract.ru.detect import find_triggers, preposition
from flashpoint.model import Span as CharSpan

__all__ = ["RU_TYPING_NOTE", "extract_mentions", "loaded_in"]

LANG = "ru"
_MIN_TRIGGER_WEIGHT = 0.5

RU_TYPING_NOTE = ("Russian text: the encoder type head reads English only, so this type comes from the rule "
                  "classifier over the Russian event frames (lang/ru/frames.json)")


@dataclass
class RuContext:
    """What every Russian mention needs besides the parse."""

    doc: DocContext
    attribution: RuAttribution


def extract_mentions(doc: Doc, ctx: RuContext) -> list[Mention]:
    """Mentions in text order (event sentences and casualty-only sentences), typed and dated."""
    sents = list(doc.sents)
    found = [m for m in (_mention_for(sents, i, ctx) for i in range(len(sents))) if m is not None]
    classifier = RuleClassifier()
    _classify_all(found, classifier)
    mentions: list[Mention] = []
    last_dated: Mention | None = None
    for mention in found:
        if mention.sub_event_type is None and not mention.casualties:
            continue
        if mention.sub_event_type is not None:
            mention.type_explanation = _explanation(mention)
        _assign_date(mention, sents[mention.sent_index], ctx.doc, last_dated)
        if mention.date is not None and mention.sub_event_type is not None:
            last_dated = mention
        mentions.append(mention)
    return mentions


def _explanation(mention: Mention) -> dict[str, object]:
    ranked = RuleClassifier().rank(mention.typing) if mention.typing is not None else []
    runner = ranked[1] if len(ranked) > 1 else None
    return {
        "model": "rules (Russian)", "label": mention.sub_event_type, "probability": round(mention.score, 3),
        "runner_up": {"label": runner[0], "probability": runner[1]} if runner else None, "vetoed": False,
        "rule_cues": {t.text: round(max(t.types.values()), 3) for t in mention.triggers},
        "ngrams": [], "nearest": [], "note": RU_TYPING_NOTE,
    }


def _mention_for(sents: list[Span], i: int, ctx: RuContext) -> Mention | None:
    sent = sents[i]
    published = ctx.doc.published
    if _history(sent, published):
        return None
    dated = any(sent.start_char <= d.start < sent.end_char and not d.anaphoric and not d.metadata and d.precision < 3
                for d in ctx.doc.dates)
    year = published.year if published is not None else None
    triggers = [t for t in find_triggers(sent, year) if not t.irrealis and (dated or not t.generic)]
    live = [t for t in triggers if not t.negated and max(t.types.values()) >= _MIN_TRIGGER_WEIGHT]
    casualties = find_casualties(sent, default_country=ctx.doc.default_country)
    if not live and not casualties:
        return None
    mention = new_mention(sents, i, triggers, live, casualties)
    mention.claimant, mention.claimant_spans = ctx.attribution.claimant_for(sent)
    if live:
        following = sents[i + 1] if i + 1 < len(sents) else None
        _artillery(live, sent, following)
        _fill_roles(sent, mention, ctx.doc)
        _victims_as_target(mention)
        mention.typing = _typing_context(mention, sent, following)
    mention.loaded = loaded_in(sent)
    return mention


def _artillery(triggers: list[Trigger], sent: Span, following: Span | None) -> None:
    """"обстрел" is small-arms or artillery fire: artillery when the sentence or the next names
    shells, guns or rockets ("подвергли артиллерийскому и ракетному обстрелу", "выпущено
    двадцать снарядов")."""
    fire = frame_words("fire_frames", LANG)
    instruments = frame_words("shelling_instruments", LANG)
    words = [t for span in (sent, following) if span is not None for t in span]
    if not any(t.lemma_.lower() in instruments or t.lower_ in instruments for t in words):
        return
    if any(t.lemma_.lower() in frame_words("small_arms", LANG) for t in sent):
        return  # "из стрелкового оружия и минометов": an exchange of fire
    for trigger in triggers:
        if trigger.frame in fire and "@violence" in trigger.types:
            trigger.types["Shelling/artillery/missile attack"] = max(trigger.types.values())


def _victims_as_target(mention: Mention) -> None:
    """Civilians killed or hurt in the sentence are the ones the violence was done to, when the
    parse names no target ("в результате обстрела погибли двое мирных жителей")."""
    if mention.target is not None:
        return
    for casualty in mention.casualties:
        actor = en_actors.normalise_actor(casualty.victim) if casualty.victim else None
        if actor is not None and actor.kind == "civilians":
            mention.target, mention.target_span = actor, casualty.victim_span
            return


# --- roles ----------------------------------------------------------------------------------------

def _fill_roles(sent: Span, mention: Mention, ctx: DocContext) -> None:
    """Agent and target from the strongest trigger whose frame the UD parse fills; else the
    actor named last before the trigger (not the speaker) as the doer."""
    doc = sent.doc
    ranked = sorted(mention.triggers, key=lambda t: -max(t.types.values()))
    for trigger in ranked:
        word = doc[trigger.start]
        agent_tok, target_tok = _role_tokens(_role_head(word), trigger)
        if _role_head(word) is not word and (agent_tok is None or target_tok is None):
            own_agent, own_target = _role_tokens(word, trigger)  # "гранату в военнослужащих"
            agent_tok, target_tok = agent_tok or own_agent, target_tok or own_target
        agent, agent_span = _actor_at(agent_tok, ctx)
        target, target_span = _actor_at(target_tok, ctx)
        if target is None and target_tok is not None and _protesters(target_tok):
            target = en_actors.normalise_actor("protesters", default_country=ctx.default_country)
            target_span = (target_tok.idx, target_tok.idx + len(target_tok.text))
        if target is None and target_tok is not None and _civilian_place(target_tok):
            target = en_actors.normalise_actor("civilians", default_country=ctx.default_country)
            target_span = (target_tok.idx, target_tok.idx + len(target_tok.text))
        if target_span is not None and target_span == agent_span:
            target, target_span = None, None
        if trigger is ranked[0] or agent is not None:
            mention.agent, mention.agent_span = agent, agent_span
            mention.target, mention.target_span = target, target_span
        if agent is not None:
            break
    if mention.agent is None:
        mention.agent, mention.agent_span = _nearest_before(sent, ranked[0], mention, ctx)


def _role_head(token: Token) -> Token:
    """The word whose parse gives a trigger's roles: the verb a weapon or event noun is the object
    of ("бросили гранату в военнослужащих", "нанесли удар по позициям"), else the word itself."""
    if token.pos_ == "NOUN" and token.dep_ == "obj" and token.head.pos_ == "VERB":
        return token.head
    return token


def _side_of(token: Token) -> Token | None:
    """"со стороны X", "с позиций X", "с азербайджанских позиций": X (the word or the whole phrase),
    on the trigger or the verb it depends on ("попал под обстрел со стороны Украины")."""
    nouns = frame_words("origin_nouns", LANG)
    preps = frame_words("origin_prepositions", LANG)
    for node in (token, token.head):
        for child in node.children:
            if child.lemma_.lower() in nouns and preposition(child) in preps:
                owner = next((g for g in child.children if g.dep_ == "nmod"), None)
                return owner if owner is not None else child
            # the parse's fixed preposition: "со стороны ВСУ" as case "со" + fixed "стороны"
            case = next((c for c in child.children if c.dep_ == "case" and c.lemma_.lower() in preps), None)
            if case is not None and any(f.dep_ == "fixed" and f.lemma_.lower() in nouns for f in case.children):
                return child
    return None


def _role_tokens(head: Token, trigger: Trigger) -> tuple[Token | None, Token | None]:
    """(agent, target) heads for a trigger word from the UD parse."""
    preps = frozenset(p for p in frames(LANG)[trigger.frame].slots.get("target", ()) if p != "object") \
        if trigger.frame in frames(LANG) else frozenset()
    agent = _side_of(head)
    target: Token | None = None
    passive = "Pass" in head.morph.get("Voice", []) or any(c.dep_ == "nsubj:pass" for c in head.children)
    subjects = sorted((c for c in head.children if c.dep_ == "nsubj"), key=lambda c: abs(c.i - head.i))
    if subjects and agent is None and not passive:
        agent = subjects[0]  # the parse may give a verb two subjects: the nearer is its own
    for child in head.children:
        if child.dep_ == "nsubj":
            continue
        elif child.dep_ == "nsubj:pass" and target is None:
            target = child
        elif child.dep_ == "obj" and target is None and child.lemma_.lower() not in trigger.text.lower():
            target = child
        elif child.dep_ in ("obl", "nmod") and target is None and preposition(child) in preps:
            target = child
        elif passive and child.dep_ == "obl" and preposition(child) is None and "Ins" in child.morph.get("Case", []) and agent is None:
            agent = child  # "обстреляны армянскими подразделениями"
        elif head.pos_ == "NOUN" and child.dep_ == "nmod" and preposition(child) is None and target is None \
                and "Gen" in child.morph.get("Case", []) and trigger.frame != "fighting":
            target = child  # "обстрел позиций": the genitive is what was hit
    if trigger.frame == "fighting" and target is None:
        between = next((c for c in head.children if c.dep_ == "nmod" and preposition(c) in ("между", "с")), None)
        if between is not None:
            conj = next((c for c in between.children if c.dep_ == "conj"), None)
            agent, target = (between, conj) if conj is not None and agent is None else (agent, between)
    if agent is None and head.head.lemma_.lower() in frame_words("undergo_verbs", LANG):
        # "Шебекино попал под обстрел": the subject of "попасть под" is what was hit.
        target = target or next((c for c in head.head.children if c.dep_ == "nsubj"), None)
    elif agent is None:
        agent = _climbed_subject(head)
    return agent, target


def _climbed_subject(token: Token) -> Token | None:
    """The subject of the verb a trigger hangs from ("Армения предприняла попытку наступления",
    "подразделения открыли огонь", a shared subject of coordinated verbs)."""
    node = token
    for _ in range(4):
        if node.head.i == node.i:
            return None
        if node.dep_ not in ("obj", "nmod", "obl", "xcomp", "conj", "nsubj:pass"):
            return None
        node = node.head
        subject = next((c for c in node.children if c.dep_ == "nsubj"), None)
        if subject is not None and node.pos_ in ("VERB", "AUX"):
            return subject
    return None


def _actor_at(token: Token | None, ctx: DocContext) -> tuple[Actor | None, CharSpan | None]:
    """The actor a role's phrase names: an actor mention inside its phrase, a country standing
    for its forces, or the phrase normalised."""
    if token is None:
        return None, None
    phrase = [t for t in token.subtree if not t.is_space]
    lo, hi = phrase[0].idx, phrase[-1].idx + len(phrase[-1].text)
    inside = [m for m in ctx.actor_mentions if lo <= m.start and m.end <= hi]
    own = next((m for m in inside if m.start <= token.idx < m.end), None)
    if own is not None:
        return own.actor, (own.start, own.end)
    country = ru_actors.country_of(token)
    if country is not None:  # "со стороны Украины": the state, not the word "стороны"
        actor = ru_actors.state_forces(country)
        return actor, (token.idx, token.idx + len(token.text))
    if inside:
        return inside[0].actor, (inside[0].start, inside[0].end)
    actor = ru_actors.normalise_phrase(token, ctx.default_country)
    return (actor, (lo, hi)) if actor is not None else (None, None)


def _protesters(token: Token) -> bool:
    """"по участникам акции протеста", "по митингующим": the people of a protest."""
    index = trigger_index(LANG)
    return any(any("@protest" in e.types for e in index.get(t.lemma_.lower(), ()))
               for t in token.subtree if t.i - token.i < 4)


def _civilian_place(token: Token) -> bool:
    """A target that is a civilian place or people without an actor name ("лагерь для
    перемещённых лиц", "рынок"): ``lang/ru/civilian_targets.txt``."""
    words = lang.words(LANG, "civilian_targets")
    return any(t.lemma_.lower() in words for t in token.subtree if t.i - token.i < 6)


def _nearest_before(sent: Span, trigger: Trigger, mention: Mention, ctx: DocContext) -> tuple[Actor | None, CharSpan | None]:
    """The actor or state named last before the trigger in its sentence: not the target, not the
    speaker ("по данным минобороны Армении" names who says, not who did)."""
    lo, hi = sent.start_char, trigger.char_start
    speakers = mention.claimant_spans
    target = mention.target_span

    def free(start: int) -> bool:
        return not any(a <= start < b for a, b in speakers) and not (target and target[0] <= start < target[1])

    found: list[tuple[int, Actor, CharSpan]] = [
        (m.start, m.actor, (m.start, m.end)) for m in ctx.actor_mentions
        if lo <= m.start and m.end <= hi and m.actor.kind != "government" and free(m.start)]
    for tok in sent:
        if tok.idx >= hi or tok.ent_type_ != "GPE" or not free(tok.idx) or preposition(tok) is not None:
            continue
        country = ru_actors.country_of(tok)
        if country is not None and tok.dep_ in ("nsubj", "nsubj:pass", "root"):
            actor = ru_actors.state_forces(country)
            if actor is not None:
                found.append((tok.idx, actor, (tok.idx, tok.idx + len(tok.text))))
    if not found:
        return None, None
    _, actor, span = max(found, key=lambda item: item[0])
    return actor, span


# --- loaded terms ---------------------------------------------------------------------------------

@functools.cache
def _loaded_terms() -> dict[str, tuple[tuple[str, ...], ...]]:
    """``lang/ru/loaded_terms.txt`` (one term a line, words as lemmas or as written), by first word."""
    try:
        terms = lang.words(LANG, "loaded_terms")
    except FileNotFoundError:
        return {}
    index: dict[str, list[tuple[str, ...]]] = {}
    for term in terms:
        words = tuple(term.lower().split())
        if words:
            index.setdefault(words[0], []).append(words)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


def loaded_in(sent: Span) -> list[tuple[str, CharSpan]]:
    """Loaded terms used in a sentence, as written, with their spans."""
    index = _loaded_terms()
    tokens = [t for t in sent if not t.is_space]
    found: list[tuple[str, CharSpan]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        step = 1
        for term in index.get(tok.lemma_.lower(), ()) + index.get(tok.lower_, ()):
            window = tokens[i:i + len(term)]
            if len(window) == len(term) and all(t.lemma_.lower() == w or t.lower_ == w for t, w in zip(window, term)):
                span = (window[0].idx, window[-1].idx + len(window[-1].text))
                found.append((" ".join(t.text for t in window).lower(), span))
                step = len(term)
                break
        i += step
    return found


def actor_mentions(doc: Doc, default_country: str | None) -> list[ActorMention]:
    """Actor phrases of a Russian document (``flashpoint.extract.ru.actors``)."""
    return ru_actors.find_actor_mentions(doc, default_country=default_country)
