"""According to whom, in Russian: outlet → relay → speaker for each sentence, and the speaker's side.

Read from the UD parse with the words of ``lang/ru/attribution.json``:
- a verb of saying and its subject ("посольство заявило", "X сообщил");
- the impersonal "сообщили в пресс-службе X" (the speaker is the place it was said in);
- "по данным X", "по словам X", "согласно заявлению X";
- "говорится в заявлении X";
- "как сообщает агентство Y со ссылкой на X" (X the speaker, Y the relay, Y's Latin or quoted
  name the outlet).
A sentence without its own statement takes the statement of the quotation it stands in, else the
last statement told (a relayed statement runs on over several paragraphs). The claimant's name is
the Russian phrase as written; its party and side are ACLED's English names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from flashpoint import lang
from flashpoint.extract.attribution import claim_chain, quote_regions
from flashpoint.extract.ru import actors as ru_actors
from flashpoint.model import Claimant
from flashpoint.nlp.text import doc_text

__all__ = ["RuAttribution", "RuStatement", "attribute"]

LANG = "ru"
_CLAUSE_DEPS = frozenset({"acl", "acl:relcl", "advcl", "ccomp", "xcomp", "parataxis", "conj", "punct", "cc"})
_OUTLET_NAME = re.compile(r"«([^»]{2,40})»|\b([A-Z][A-Za-z0-9.&'-]+(?:\s[A-Z][A-Za-z0-9.&'-]+){0,3})")


def _words(name: str) -> frozenset[str]:
    return lang.word_set(LANG, "attribution", name)


@dataclass
class RuStatement:
    speaker: str
    speaker_span: tuple[int, int]
    party: str | None
    side: str | None
    official: bool
    relay: str | None = None
    relay_span: tuple[int, int] | None = None
    outlet: str | None = None
    outlet_span: tuple[int, int] | None = None
    direct: bool = False
    state_body: bool = False
    """The speaker names a state body (an embassy, a ministry, a press service)."""


@dataclass
class RuAttribution:
    outlet: str | None
    outlet_span: tuple[int, int] | None
    statements: list[RuStatement] = field(default_factory=list)
    sentence_statement: dict[int, int] = field(default_factory=dict)
    quoted: list[tuple[int, int]] = field(default_factory=list)

    def claimant_for(self, sent: Span) -> tuple[Claimant, list[tuple[int, int]]]:
        """The claimant of a sentence and the spans naming them (as ``Attribution.claimant_for``)."""
        idx = self.sentence_statement.get(sent.start_char)
        st = self.statements[idx] if idx is not None else None
        chain, spans = claim_chain(self.outlet, self.outlet_span, st)
        if st is None:
            return Claimant(name=self.outlet, chain=chain, quote="none"), spans
        inside = any(a <= sent.start_char < b for a, b in self.quoted)
        return Claimant(name=st.speaker, party=st.party, side=st.side, chain=chain,
                        quote="direct" if inside else "indirect", official=st.official), spans


def attribute(doc: Doc, outlet: str | None = None, default_country: str | None = None) -> RuAttribution:
    """Every statement in a Russian document and which sentences each covers (``default_country``:
    the document's focus, the country of an unnamed "полиция" or "пресс-служба МВД")."""
    result = RuAttribution(outlet, None, quoted=quote_regions(doc_text(doc)))
    sents = list(doc.sents)
    own: dict[int, RuStatement] = {}
    for k, sent in enumerate(sents):
        st = _statement_in(sent, result.statements[-1] if result.statements else None, None)
        if st is not None and st.side is None and st.state_body:
            # Named again without its country: the body named before, else the document's country.
            _inherit_party(st, result.statements)
            if st.side is None and default_country is not None and st.official:
                st.party, st.side = f"Government of {default_country}", default_country
        if st is not None:
            own[k] = st
            result.statements.append(st)
            if st.outlet and result.outlet is None:
                result.outlet, result.outlet_span = st.outlet, st.outlet_span
    last: int | None = None
    first = min(own) if own else None
    for k, sent in enumerate(sents):
        if first is not None and k < first <= k + 2 and _same_paragraph(sents, k, first):
            # A lead told before its source ("Шебекино попал под обстрел. Как сообщил губернатор, …").
            result.sentence_statement[sent.start_char] = result.statements.index(own[first])
            continue
        if k in own:
            last = result.statements.index(own[k])
        else:
            quoted = _quote_owner(k, sents, own, result.quoted)
            if quoted is not None:
                result.sentence_statement[sent.start_char] = result.statements.index(quoted)
                continue
        if last is not None:
            result.sentence_statement[sent.start_char] = last
    return result


def _same_paragraph(sents: list[Span], a: int, b: int) -> bool:
    text = doc_text(sents[a].doc)
    return "\n\n" not in text[sents[a].start_char:sents[b].start_char].rstrip()


def _inherit_party(st: RuStatement, earlier: list[RuStatement]) -> None:
    """"по данным посольства", "дипмиссия подчёркивает": an official body named again without its
    country is the one named before (the last statement whose side is known)."""
    if not st.state_body:
        return
    known = next((e for e in reversed(earlier) if e.side is not None and e.official), None)
    if known is not None:
        st.party, st.side = known.party, known.side


def _quote_owner(k: int, sents: list[Span], own: dict[int, RuStatement],
                 regions: list[tuple[int, int]]) -> RuStatement | None:
    """The statement of the quotation sentence ``k`` stands in: said where the quote ends
    («…», — заявили в посольстве) or where it opens (посольство заявило: «…»)."""
    start = sents[k].start_char
    region = next(((a, b) for a, b in regions if a <= start < b), None)
    if region is None:
        return None
    for j in range(k + 1, len(sents)):
        if sents[j].start_char > region[1] + 200:
            break
        if j in own and sents[j].start_char <= region[1] + 5 or (j in own and sents[j - 1].end_char >= region[1]):
            return own[j]
    for j in range(k - 1, -1, -1):
        if j in own and sents[j].end_char >= region[0]:
            return own[j]
        if sents[j].end_char < region[0]:
            break
    return None


def _statement_in(sent: Span, previous: RuStatement | None, home: str | None) -> RuStatement | None:
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma in _words("source_nouns") and any(
                c.lemma_.lower() in _words("source_prepositions") for c in tok.children if c.dep_ in ("case", "advmod", "fixed")):
            speaker = _first_child(tok, ("nmod",))
            if speaker is not None:
                return _make(speaker, None, home)
    for tok in sent:
        if tok.lemma_.lower() not in _words("speech_verbs") or tok.pos_ not in ("VERB", "AUX"):
            continue
        st = _from_verb(tok, previous, home)
        if st is not None:
            return st
    return None


def _from_verb(verb: Token, previous: RuStatement | None, home: str | None) -> RuStatement | None:
    reference = next((c for c in verb.children if c.lemma_.lower() in _words("reference")), None)
    subject = _first_child(verb, ("nsubj",)) or _stray_subject(verb)
    if reference is not None:
        source = _first_child(reference, ("nmod", "obl"))
        if source is not None:
            return _make(source, subject, home)
    for child in verb.children:
        if child.dep_ != "obl" or not any(c.lemma_.lower() == "в" for c in child.children if c.dep_ == "case"):
            continue
        if child.lemma_.lower() in _words("statement_nouns"):
            owner = _first_child(child, ("nmod",))  # "говорится в заявлении посольства"
            if owner is not None:
                return _make(owner, subject, home)
            return previous
        if _official(child) and subject is None:
            return _make(child, None, home)  # "сообщили в пресс-службе посольства"
    if subject is None:
        return None
    if subject.pos_ == "PRON" or subject.lemma_.lower() in ("который",):
        return previous
    return _make(subject, None, home)


def _stray_subject(verb: Token) -> Token | None:
    """"Пограничная служба … сообщает, что военнослужащие … открыли огонь": the parse may hang the
    speaker on the reported verb; a subject written before the verb of saying is its own."""
    found = [t for t in verb.subtree if t.dep_ == "nsubj" and t.i < verb.i and t.head.i > verb.i]
    return found[0] if found else None


def _first_child(token: Token, deps: tuple[str, ...]) -> Token | None:
    return next((c for c in token.children if c.dep_ in deps), None)


def _official(token: Token) -> bool:
    return any(t.lemma_.lower() in _words("official") for t in _phrase(token))


def _phrase(head: Token) -> list[Token]:
    """The noun phrase of ``head``: its subtree without clauses (and without a leading preposition)."""
    found = [head]
    stack = [c for c in head.children if c.dep_ not in _CLAUSE_DEPS and c.dep_ != "case"]
    while stack:
        tok = stack.pop()
        found.append(tok)
        stack.extend(c for c in tok.children if c.dep_ not in _CLAUSE_DEPS)
    return sorted((t for t in found if not t.is_space), key=lambda t: t.i)


def _span(tokens: list[Token]) -> tuple[int, int]:
    while len(tokens) > 1 and (tokens[-1].is_punct or tokens[-1].pos_ == "ADP"):
        tokens = tokens[:-1]
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _make(speaker: Token, relay: Token | None, home: str | None = None) -> RuStatement:
    tokens = _phrase(speaker)
    start, end = _span(tokens)
    text = "".join(t.text_with_ws for t in tokens).strip()
    party, side, official = party_and_side(tokens, speaker, home)
    st = RuStatement(text, (start, end), party, side, official,
                     state_body=bool({t.lemma_.lower() for t in tokens} & _words("official")))
    if relay is not None:
        relay_tokens = _phrase(relay)
        st.relay = "".join(t.text_with_ws for t in relay_tokens).strip()
        st.relay_span = _span(relay_tokens)
        st.outlet, st.outlet_span = _outlet_name(st.relay, st.relay_span[0])
    elif any(t.lemma_.lower() in _words("outlet_nouns") for t in tokens[:2]) and party is None:
        st.outlet, st.outlet_span = _outlet_name(text, start)  # "сообщает агентство «Интерфакс»"
    return st


def _outlet_name(phrase: str, offset: int) -> tuple[str | None, tuple[int, int] | None]:
    """The outlet's own name inside a relay phrase: quoted («…») or written in Latin letters."""
    match = _OUTLET_NAME.search(phrase)
    if match is None:
        return None, None
    group = 1 if match.group(1) else 2
    name = match.group(group)
    at = offset + match.start(group)
    return name, (at, at + len(name))


def party_and_side(tokens: list[Token], head: Token, home: str | None = None) -> tuple[str | None, str | None, bool]:
    """(party, side, official) of a speaker phrase: a state's forces or government by the actor
    it names or its country and an official word; a lawmaker or witness speaks unofficially.
    ``home`` is the country of a state body the phrase names without one ("пресс-служба МВД")."""
    lemmas = {t.lemma_.lower() for t in tokens}
    official = not (lemmas & _words("unofficial"))
    actor = ru_actors.normalise_phrase(head, None)
    if actor is not None and actor.kind in ("military", "police", "government") and actor.country:
        return actor.name, actor.country, official
    country = ru_actors.country_in(tokens) or (home if lemmas & _words("official") and official else None)
    if country is not None and lemmas & _words("official"):
        return f"Government of {country}", country, official
    if actor is not None and actor.kind in ("named_group", "militia"):
        return actor.name, actor.name, official
    if country is not None and not official:
        return None, country, official
    return None, None, official
