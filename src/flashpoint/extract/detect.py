"""Find event triggers in a parsed sentence: the words that say something happened.

Triggers come from frames (``lang/en/frames.json``): a verb or noun class (firing, shelling,
abducting, protesting …) with the slots it takes. A word counts when the parse gives the frame
what it needs ("fired" needs a target: "fired with mortars on the positions of Y"; "shells fired
by X"), and a weapon word counts only as the head of its phrase ("grenade launcher" is no grenade).
Whether the clause reports a happening at all is ``clause.py``'s decision.

A trigger carries candidate ACLED sub-event types with weights; which one applies is the
classifier's call (``classify.py``), made with the sentence's context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from flashpoint.extract import clause
from flashpoint.extract.lexicon import TriggerEntry, frame_words, frames, token_matches, trigger_index

_DEFINITE = frozenset("the this these those that such".split())
_TIME_WORDS = frozenset("night day morning evening afternoon dawn dusk weekend time today".split())


@dataclass
class Trigger:
    """One trigger occurrence. Token indices are Doc-level."""

    start: int
    end: int
    types: dict[str, float]
    ref: bool
    """Whether the word, made definite ("the clashes"), usually refers back to a reported event."""
    definite: bool
    negated: bool
    irrealis: bool
    generic: bool
    """Habitual or background ("has carried out a series of attacks since 2021", "such attacks");
    an event only if the sentence gives it a date of its own."""
    text: str
    char_start: int
    char_end: int
    status: str = clause.EVENT
    """event | background | habitual | future | negated | hypothetical (``clause.py``)."""
    frame: str = ""

    @property
    def head(self) -> int:
        """The token standing for the phrase in the parse (its first word)."""
        return self.start

    @property
    def is_reference(self) -> bool:
        return self.ref and self.definite

    @property
    def span(self) -> tuple[int, int]:
        return (self.char_start, self.char_end)


def find_triggers(sent: Span, published_year: int | None = None) -> list[Trigger]:
    """Every trigger in ``sent``, longest match first, without overlaps.

    ``published_year`` lets the clause decision see history ("in the 2020 war")."""
    index = trigger_index()
    return [_make_trigger(sent, i, end, entry, published_year)
            for i, end, entry in longest_matches(sent, lambda i: _match_at(sent, i, index))]


def longest_matches(sent: Span, match_at: Callable[[int], TriggerEntry | None]) -> list[tuple[int, int, TriggerEntry]]:
    """Left to right over ``sent``, the entry ``match_at`` finds at each token (its longest), as
    ``(start, end, entry)`` token ranges that never overlap: the scan every language's detection shares."""
    found: list[tuple[int, int, TriggerEntry]] = []
    i = sent.start
    while i < sent.end:
        entry = match_at(i)
        if entry is None:
            i += 1
            continue
        end = i + len(entry.words)
        found.append((i, end, entry))
        i = end
    return found


def _match_at(sent: Span, i: int, index: dict[str, tuple[TriggerEntry, ...]]) -> TriggerEntry | None:
    doc = sent.doc
    token = doc[i]
    candidates = index.get(token.lower_, ()) + index.get(token.lemma_.lower(), ())
    for entry in candidates:
        if entry.pos is not None and token.pos_ not in entry.pos:
            continue
        end = i + len(entry.words)
        if end > sent.end:
            continue
        if all(token_matches(doc[i + k], w) for k, w in enumerate(entry.words)):
            if entry.obj is not None and not _object_fits(token, entry.obj):
                continue
            if entry.not_obj is not None and _object_fits(token, entry.not_obj):
                continue
            if not _slots_found(token, entry) or not _governed(token, entry) or not _accompanied(token, entry):
                continue
            if not _heads_its_phrase(doc[end - 1], entry, end):
                continue
            return entry
    return None


def _slots_found(verb: Token, entry: TriggerEntry) -> bool:
    """A frame word that needs a slot counts only when the parse shows it: 'fired … on the
    positions of Y' (target), 'shells fired by X fell in Z' (a fired weapon)."""
    if "target" in entry.needs:
        preps = frozenset(p for p in frames()[entry.frame].slots.get("target", ()) if p != "object")
        return _target_reachable(verb, preps)
    if "object" in entry.needs:
        return bool(_objects(verb))
    return True


def _governed(token: Token, entry: TriggerEntry) -> bool:
    """'bodies were found', 'threw an explosive at': the word counts under these verbs only."""
    if entry.gov is None:
        return True
    node = token
    for _ in range(3):
        if node.head.i == node.i:
            return False
        node = node.head
        if node.lemma_.lower() in entry.gov:
            return True
        if node.pos_ in ("VERB", "AUX"):
            return False
    return False


def _accompanied(token: Token, entry: TriggerEntry) -> bool:
    """'gathered demanding', 'gathered outside the office to protest': a dependent says what
    the verb is for (looked for three levels down, where the parse often hangs it)."""
    if entry.with_ is None:
        return True
    level = list(token.children)
    for _ in range(3):
        if any(t.lemma_.lower() in entry.with_ or t.lower_ in entry.with_ for t in level):
            return True
        level = [g for t in level for g in t.children]
    return False


def _target_reachable(verb: Token, preps: frozenset[str]) -> bool:
    """A target preposition in the verb's clause, also past a weapon phrase between verb and
    target ('fired with machine guns and mortars on the positions of Y'); a weapon as object
    ('fired shells at'); or a weapon the verb describes ('shells fired by X fell in Z')."""
    weapons = frame_words("weapon_words")
    if verb.dep_ == "acl" and verb.head.lemma_.lower() in weapons:
        return True
    for t in verb.subtree:
        if t.i <= verb.i or t.i - verb.i > 20:
            continue
        if t.dep_ in ("dobj", "nsubjpass") and t.head.i == verb.i and t.lemma_.lower() in weapons:
            return not _less_lethal(t)
        if t.dep_ == "prep" and t.lower_ in preps and _not_time(t) and _same_clause(t, verb):
            return True
    return any(c.dep_ == "nsubjpass" and c.lemma_.lower() in weapons for c in verb.children)


_CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "xcomp", "parataxis", "csubj"})


def _same_clause(token: Token, verb: Token) -> bool:
    node = token
    while node.i != verb.i and node.head.i != node.i:
        if node.dep_ in _CLAUSE_DEPS:
            return False
        node = node.head
    return node.i == verb.i


def _not_time(prep: Token) -> bool:
    return not any(
        c.dep_ == "pobj" and (c.ent_type_ in ("DATE", "TIME") or c.lower_ in _TIME_WORDS) for c in prep.children
    )


def _is_event_noun(token: Token) -> bool:
    heads = frame_words("event_heads")
    if token.lower_ in heads or token.lemma_.lower() in heads:
        return True
    index = trigger_index()
    return token.lower_ in index or token.lemma_.lower() in index


_KILLING_FRAMES = frozenset({"killing", "firing", "attacking"})


def _accidental(verb: Token) -> bool:
    """'an explosion at a gas plant killed four', 'the storm killed', 'were killed when a bus
    plunged into a ravine': no one did it."""
    for child in verb.children:
        if child.dep_ == "advcl" and child.lemma_.lower() in frame_words("accident_verbs"):
            return True
        if child.dep_ == "advcl" and any(
            g.dep_ == "nsubj" and g.lemma_.lower() in frame_words("accident_agents") for g in child.children
        ):
            return True  # 'were killed after a tornado tore through the town'
        if child.dep_ in ("nsubj", "agent"):
            subject = child if child.dep_ == "nsubj" else next((c for c in child.children if c.dep_ == "pobj"), child)
            if subject.lemma_.lower() in frame_words("accident_agents"):
                return True
            if subject.lemma_.lower() in ("explosion", "blast", "fire") and any(
                t.lemma_.lower() in frame_words("accident_words") for t in subject.subtree
            ):
                return True
    return False


def _less_lethal(weapon: Token) -> bool:
    """'tear gas shells', 'rubber bullets', 'stun grenades': crowd control, not weapons of war."""
    mods = [c for c in weapon.lefts if c.dep_ in ("compound", "amod", "nmod")]
    mods += [g for c in mods for g in c.lefts if g.dep_ in ("compound", "amod")]
    return any(c.lemma_.lower() in frame_words("less_lethal") for c in mods)


def _used(weapon: Token) -> bool:
    """A weapon noun tells an event unless the clause only handles or owns it: 'flew with
    nuclear missiles', 'police found rockets', 'a stock of shells', 'armed with grenades'."""
    node = weapon
    for _ in range(4):
        if node.dep_ != "conj" or node.head.i == node.i:
            break
        node = node.head
    head = node.head
    if node.dep_ == "pobj":
        if head.lower_ in ("including", "like", "such"):
            return False  # an inventory: 'equipment including tanks and artillery'
        if head.lower_ in ("with", "of", "by") and head.head.lemma_.lower() in frame_words("weapon_idle"):
            return False
        head = head.head
    if node.dep_ in ("dobj", "nsubjpass", "pobj", "nsubj") and head.lemma_.lower() in frame_words("weapon_idle"):
        return False
    return True


def _heads_its_phrase(last: Token, entry: TriggerEntry, end: int) -> bool:
    """Noun-phrase heads decide: an event or weapon word that only modifies another noun
    ('grenade launcher', 'chemical weapons labs', 'combat readiness', 'protest leaders') is no
    event, unless that noun is itself an event noun ('mortar attack', 'rocket fire'). An
    explosion at a mine or a gas plant is an accident, not a bomb."""
    if entry.frame in _KILLING_FRAMES and last.pos_ == "VERB" and _accidental(last):
        return False
    if last.pos_ not in ("NOUN", "PROPN") and not entry.instrument:
        return True
    if last.dep_ in ("compound", "amod", "nmod") and last.head.i >= end and not _is_event_noun(last.head):
        return False
    if entry.instrument and _less_lethal(last):
        return False
    heads = frame_words("event_heads")
    event_word = last.lower_ in heads or last.lemma_.lower() in heads or "strike" in entry.words or "raid" in entry.words
    if entry.instrument and not event_word and last.dep_ not in ("compound", "amod", "nmod") and not _used(last):
        return False  # 'flew with nuclear missiles', 'a stock of rockets': a weapon, not its use
    following = last.doc[end] if end < len(last.doc) else None
    if entry.instrument and following is not None and following.pos_ == "NOUN" and not _is_event_noun(following):
        return False  # the parse may miss the compound: 'grenade launchers', 'rocket systems'
    if entry.frame in _KILLING_FRAMES and _accidental(last):
        return False
    figurative = frame_words("figurative_modifiers")
    if any(c.dep_ in ("amod", "compound") and c.lower_ in figurative for c in last.children):
        return False  # 'a legal battle', 'a political fight', 'a verbal attack'

    if entry.frame == "explosive":
        accidents = frame_words("accident_words")
        near = [c for c in last.children if c.dep_ in ("compound", "amod", "nmod")]
        near += [g for c in last.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
        for t in near:
            if t.lemma_.lower() in accidents or any(c.lemma_.lower() in accidents for c in t.children if c.dep_ == "compound"):
                return False
    return True


_ENTITY_KINDS = {"@place": ("GPE", "LOC", "FAC"), "@person": ("PERSON",)}


def _object_fits(verb: Token, allowed: frozenset[str]) -> bool:
    """'seized the town' (a place) vs 'seized weapons' vs 'seized seven people'."""
    for obj in _objects(verb):
        if obj.lemma_.lower() in allowed or obj.lower_ in allowed:
            return True
        if any(obj.ent_type_ in _ENTITY_KINDS.get(kind, ()) for kind in allowed if kind.startswith("@")):
            return True
    return False


def _objects(verb: Token) -> list[Token]:
    """Direct objects (or passive subjects), through particles/prepositions and conjunctions."""
    found: list[Token] = []
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass", "attr"):
            found.append(child)
        elif child.dep_ in ("prt", "prep"):
            found.extend(c for c in child.children if c.dep_ == "pobj")
    for obj in list(found):
        found.extend(c for c in obj.conjuncts)
        # 'a cargo of rifles', 'a number of heights': the noun after 'of' names the thing.
        for prep in obj.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                found.extend(c for c in prep.children if c.dep_ == "pobj")
    return found


def _make_trigger(sent: Span, start: int, end: int, entry: TriggerEntry, published_year: int | None) -> Trigger:
    doc = sent.doc
    token = doc[start]
    types = dict(entry.types)
    if "@seize" in types and _is_attempt(token):
        # "an attempt was made to capture heights": fighting over ground, not ground taken.
        types = {"Armed clash": types.pop("@seize"), **types}
    return new_trigger(doc, start, end, entry, types, clause.clause_status(token, published_year, entry.frame),
                       _is_definite(token))


def new_trigger(doc: Doc, start: int, end: int, entry: TriggerEntry, types: dict[str, float], status: str,
                definite: bool) -> Trigger:
    """The trigger ``doc[start:end]`` of ``entry`` with its types and clause status, in any language:
    the status decides negated / irrealis / generic, the tokens its text and character offsets."""
    last = doc[end - 1]
    return Trigger(
        start=start,
        end=end,
        types=types,
        ref=entry.ref,
        definite=definite,
        negated=status == clause.NEGATED,
        irrealis=status in (clause.FUTURE, clause.HYPOTHETICAL, clause.BACKGROUND),
        generic=status == clause.HABITUAL,
        text=doc[start:end].text,
        char_start=doc[start].idx,
        char_end=last.idx + len(last.text),
        status=status,
        frame=entry.frame,
    )


def _is_attempt(token: Token) -> bool:
    """'attempted to capture', 'an attempt … to capture', 'tried to seize'."""
    attempts = ("attempt", "try", "seek", "bid", "effort")
    head = token.head
    for node in (head, head.head):
        if node.lemma_.lower() in attempts:
            return True
        # "an attempt was made to capture": the attempt is the governing verb's subject.
        if any(c.dep_ in ("nsubj", "nsubjpass", "dobj") and c.lemma_.lower() in attempts for c in node.children):
            return True
    return False


def _is_definite(token: Token) -> bool:
    """'the clashes', 'this attack': a noun that likely refers to an event already told."""
    # "the fighting" is often tagged as a verb (a gerund); it still refers back.
    if token.pos_ != "NOUN" and not (token.tag_ == "VBG" and token.dep_ in ("nsubj", "dobj", "pobj", "nsubjpass")):
        return False
    head_noun = token if token.dep_ != "compound" else token.head
    return any(c.dep_ in ("det", "poss") and c.lower_ in _DEFINITE for c in head_noun.children)
