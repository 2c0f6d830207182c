"""Find event triggers in a parsed sentence: the words that say something happened.

A trigger carries candidate ACLED sub-event types with weights; which one applies is the
classifier's call (``classify.py``), made with the sentence's context.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from flashpoint.extract.lexicon import TriggerEntry, token_matches, trigger_index

# Governors that make an event hypothetical, planned or merely called for: no event happened.
_IRREALIS = frozenset(
    "threaten warn plan vow pledge urge prepare intend seek want call demand fear "
    "consider propose could would might may should must avoid prevent deter".split()
)
_DEFINITE = frozenset("the this these those that such".split())
# Governors that deny or dispute that it happened at all ("denied reports that troops had clashed").
_DENIAL = frozenset("deny dismiss refute reject rumour rumor".split())
# Nouns that make an event noun a pattern, not a happening ("a series of attacks").
_SERIES = frozenset("series wave spate string campaign surge rise increase number history pattern".split())


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


def find_triggers(sent: Span) -> list[Trigger]:
    """Every trigger in ``sent``, longest match first, without overlaps."""
    index = trigger_index()
    found: list[Trigger] = []
    i = sent.start
    while i < sent.end:
        entry = _match_at(sent, i, index)
        if entry is None:
            i += 1
            continue
        end = i + len(entry.words)
        found.append(_make_trigger(sent, i, end, entry))
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
            if entry.obj is None or _object_fits(token, entry.obj):
                return entry
    return None


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


def _make_trigger(sent: Span, start: int, end: int, entry: TriggerEntry) -> Trigger:
    doc = sent.doc
    token = doc[start]
    types = dict(entry.types)
    if "@seize" in types and _is_attempt(token):
        # "an attempt was made to capture heights": fighting over ground, not ground taken.
        types = {"Armed clash": types.pop("@seize"), **types}
    return Trigger(
        start=start,
        end=end,
        types=types,
        ref=entry.ref,
        definite=_is_definite(token),
        negated=_is_negated(token),
        irrealis=_is_irrealis(token) or _is_denied(token),
        generic=_is_generic(token),
        text=doc[start:end].text,
        char_start=doc[start].idx,
        char_end=doc[end - 1].idx + len(doc[end - 1].text),
    )


def _is_denied(token: Token) -> bool:
    node = token
    for _ in range(4):
        if node.head is node:
            return False
        node = node.head
        if node.lemma_.lower() in _DENIAL:
            return True
    return False


def _governing_verb(token: Token) -> Token | None:
    node = token
    for _ in range(4):
        if node.pos_ in ("VERB", "AUX"):
            return node
        if node.head is node:
            return None
        node = node.head
    return None


def _is_generic(token: Token) -> bool:
    """Present perfect, habitual plurals, 'such'/'series of': talk about a pattern of events."""
    if any(c.lower_ == "such" for c in token.children):
        return True
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "of" and head.head.lemma_.lower() in _SERIES:
        return True
    verb = _governing_verb(token)
    if verb is None:
        return False
    perfect = any(c.dep_ == "aux" and c.lemma_ == "have" and c.tag_ in ("VBZ", "VBP") for c in verb.children)
    present = verb.tag_ in ("VBZ", "VBP") and verb.lemma_ not in ("be", "say")
    bare_plural = token.tag_ == "NNS" and not any(c.dep_ in ("det", "nummod", "poss") for c in token.children)
    if perfect:
        return True
    return bare_plural and present


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


def _is_negated(token: Token) -> bool:
    """'did not attack', 'no clashes were reported'."""
    for t in (token, token.head):
        if any(c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no") for c in t.children):
            return True
    return False


def _is_irrealis(token: Token) -> bool:
    """'threatened to attack', 'called for protests', 'would shell': not (yet) an event."""
    node = token
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in _IRREALIS for c in node.children):
            return True
        if node.dep_ in ("xcomp", "pobj", "dobj", "prep", "advcl") and node.head is not node:
            node = node.head
            if node.lemma_.lower() in _IRREALIS:
                return True
            continue
        break
    return False
