"""Who did it and to whom: the agent and target of a trigger, read off the dependency parse."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

# Verbs whose object is the event noun: "launched an attack", "committed a terror act".
_LIGHT_VERBS = frozenset(
    "launch carry conduct commit attempt stage mount make begin start unleash perpetrate "
    "initiate undertake lead organise organize hold fire throw use".split()
)
_REPORTING = frozenset(
    "say state report claim announce tell add note confirm deny allege accuse inform write".split()
)
_TARGET_PREPS = frozenset({"on", "against", "at", "upon", "into", "toward", "towards"})
_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})


@dataclass(frozen=True)
class Roles:
    """Token spans (Doc-level ``[start, end)``) of the agent and the target, when the parse has them."""

    agent: tuple[int, int] | None
    target: tuple[int, int] | None


def roles_of(doc: Doc, head: int, *, reciprocal: bool = False) -> Roles:
    """Agent and target of the trigger whose head token is ``doc[head]``.

    ``reciprocal`` triggers (clash, fight) take their second party with "with"/"between"."""
    token = doc[head]
    roles = _verb_roles(token) if token.pos_ in ("VERB", "AUX") or token.dep_ == "ROOT" else _noun_roles(token)
    if reciprocal and roles.target is None:
        roles = Roles(roles.agent, _with_party(token))
    return roles


def _with_party(token: Token) -> tuple[int, int] | None:
    """'clashed with X', 'clashes with X', 'fighting between X and Y' → X (or Y)."""
    for node in (token, token.head):
        for child in node.children:
            if child.dep_ == "prep" and child.lower_ in ("with", "between") and child.i > token.i:
                return _pobj_span(child)
    return None


def _subtree(token: Token) -> tuple[int, int]:
    # Cut the subtree at a relative clause or apposition: "units, which were deployed in X" → "units".
    # ("equipment belonging to the X forces" keeps its acl: it names whose equipment was hit.)
    left, right = token.left_edge.i, token.right_edge.i + 1
    for child in token.rights:
        if child.dep_ in ("relcl", "appos", "punct") and child.i > token.i:
            right = min(right, child.left_edge.i)
            break
    return (left, max(right, token.i + 1))


def _verb_roles(verb: Token) -> Roles:
    agent = target = None
    for child in verb.children:
        if child.dep_ in _SUBJECT_DEPS:
            agent = _subtree(child)
        elif child.dep_ in _PASSIVE_SUBJECT_DEPS:
            target = _subtree(child)
        elif child.dep_ == "agent":
            agent = _pobj_span(child) or agent
        elif child.dep_ == "dobj" and target is None:
            target = _object_target(child)
        elif child.dep_ == "prep" and _is_target_prep(child) and child.i > verb.i and target is None:
            target = _pobj_span(child)
    if agent is None:
        agent = _inherited_subject(verb)
    return Roles(agent, target)


def _is_target_prep(prep: Token) -> bool:
    """'fired on the convoy' names a target; 'on November 19' or 'at night' does not."""
    if prep.lower_ not in _TARGET_PREPS:
        return False
    for child in prep.children:
        if child.dep_ == "pobj" and (child.ent_type_ in ("DATE", "TIME") or child.lower_ in _TIME_WORDS):
            return False
    return True


_TIME_WORDS = frozenset("night day morning evening afternoon dawn dusk weekend time".split())


def _object_target(obj: Token) -> tuple[int, int] | None:
    """'fired shells at the village' → the village; 'killed three villagers' → three villagers."""
    for child in obj.children:
        if child.dep_ == "prep" and _is_target_prep(child):
            span = _pobj_span(child)
            if span:
                return span
    return _subtree(obj)


def _inherited_subject(verb: Token) -> tuple[int, int] | None:
    """The subject of a governing verb: 'Armenia attempted to deploy' → Armenia for deploy."""
    node = verb
    for _ in range(3):
        if node.dep_ not in ("xcomp", "advcl", "conj", "ccomp") or node.head.i == node.i:
            return None
        node = node.head
        if node.lemma_.lower() in _REPORTING:
            # "the ministry said a grenade was thrown": the speaker did not throw it.
            return None
        for child in node.children:
            if child.dep_ in _SUBJECT_DEPS:
                return _subtree(child)
            if child.dep_ == "agent":
                return _pobj_span(child)
    return None


def _pobj_span(prep: Token) -> tuple[int, int] | None:
    for child in prep.children:
        if child.dep_ == "pobj":
            return _subtree(child)
    return None


def _noun_roles(noun: Token) -> Roles:
    """'an Armenian attack on X', 'an attack by militants', 'terrorists committed an act'."""
    agent = target = None
    head = noun.head if noun.dep_ == "compound" else noun
    for child in head.children:
        if child.dep_ in ("poss", "amod", "compound", "nmod") and child.i < head.i and child.pos_ in ("PROPN", "ADJ", "NOUN"):
            if child.ent_type_ in ("NORP", "GPE", "ORG") or child.dep_ == "poss":
                agent = _subtree(child)
        elif child.dep_ == "prep" and child.lower_ == "by":
            agent = _pobj_span(child) or agent
        elif child.dep_ == "prep" and _is_target_prep(child):
            target = _pobj_span(child) or target
    governor = head.head
    if head.dep_ in ("dobj", "nsubjpass", "attr") and governor.lemma_.lower() in _LIGHT_VERBS | {"be"}:
        light = _verb_roles(governor)
        agent = agent or light.agent
        if target is None:
            target = _prep_target(governor) or (light.target if light.target and light.target[0] > head.i else None)
    return Roles(agent, target)


def _prep_target(verb: Token) -> tuple[int, int] | None:
    for child in verb.children:
        if child.dep_ == "prep" and _is_target_prep(child) and child.i > verb.i:
            return _pobj_span(child)
        if child.dep_ == "advcl":
            for grandchild in child.children:
                if grandchild.dep_ == "prep" and _is_target_prep(grandchild):
                    return _pobj_span(grandchild)
    return None


def span_text(doc: Doc, span: tuple[int, int] | None) -> str:
    return doc[span[0]:span[1]].text if span else ""


def sentence_of(doc: Doc, token_index: int) -> Span:
    return doc[token_index].sent
