"""According to whom: the chain outlet → relay → speaker for each sentence, and the speaker's side.

Reads quotation regions (including quotes that run over several paragraphs, each reopened
with “), reporting verbs ("X said", "was stated by X", "according to X"), and relays
("Report's Russian bureau informs that ..."). Resolves "it"/"the embassy" to the last
named speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from spacy.tokens import Doc, Span, Token

from flashpoint import lang
from flashpoint.extract import actors
from flashpoint.model import Claimant
from flashpoint.nlp.text import doc_text

_REPORTING = frozenset(
    "say state inform report tell announce claim note add declare accuse deny confirm write "
    "allege insist stress emphasise emphasize explain assert warn told said stated".split()
)
_OPEN_QUOTES = "“\"«"
_CLOSE_QUOTES = "”\"»"
_PRONOUNS = frozenset({"it", "he", "she", "they", "we", "i", "this", "which", "who"})
_COLLECTIVE = re.compile(r"(both|the two|all) (sides|parties|countries|governments|armies)|officials on both sides")
_OFFICIAL = re.compile(
    r"\b(embassy|ministry|ministries|minister|government|president|presidency|office|army|"
    r"military|armed forces|defen[cs]e|spokes(man|woman|person)|press service|command|police|"
    r"governor|mayor|authorities|cabinet|parliament|council|agency for|state service|border guard)\b",
    re.I,
)


@dataclass
class Statement:
    """One act of saying: who, through whom, and which text regions it covers."""

    speaker: str
    speaker_span: tuple[int, int]
    relay: str | None = None
    relay_span: tuple[int, int] | None = None
    regions: list[tuple[int, int]] = field(default_factory=list)
    direct: bool = False


class Said(Protocol):
    """A statement as the claim chain reads it (``Statement``, and the Russian one)."""

    speaker: str
    speaker_span: tuple[int, int]
    relay: str | None
    relay_span: tuple[int, int] | None


def claim_chain(outlet: str | None, outlet_span: tuple[int, int] | None,
                said: Said | None) -> tuple[list[str], list[tuple[int, int]]]:
    """Who passes a claim on, outermost first (the outlet, a relay, the speaker of ``said``; the
    outlet alone when it speaks in its own voice), and the evidence spans naming them."""
    chain = [outlet] if outlet else []
    spans = [outlet_span] if outlet_span else []
    if said is None:
        return chain, spans
    if said.relay and said.relay not in chain:
        chain.append(said.relay)
        if said.relay_span:
            spans.append(said.relay_span)
    chain.append(said.speaker)
    spans.append(said.speaker_span)
    return chain, spans


@dataclass
class Attribution:
    outlet: str | None
    outlet_span: tuple[int, int] | None
    statements: list[Statement]
    sentence_statement: dict[int, int]
    """Sentence start char → index into ``statements`` for sentences that a statement covers."""
    default_country: str | None = None
    dateline_country: str | None = None
    """The country of the city the story is filed from ("BISHKEK, April 27 -"): a lawmaker who names
    no country is that country's."""
    """The document's focus country: 'police said' speaks for that country's police."""

    def claimant_for(self, sent: Span) -> tuple[Claimant, list[tuple[int, int]]]:
        """The claimant of a sentence and the evidence spans naming them."""
        idx = self.sentence_statement.get(sent.start_char)
        if idx is not None and _COLLECTIVE.fullmatch(self.statements[idx].speaker.strip().lower()):
            idx = None  # "both sides said": the outlet reporting both, in its own (neutral) voice
        if idx is None:
            # The outlet's own voice; an official outlet (a ministry's own statement) speaks for its side.
            chain, spans = claim_chain(self.outlet, self.outlet_span, None)
            party, side = party_and_side(self.outlet, self.default_country) if self.outlet else (None, None)
            return Claimant(name=self.outlet, party=party, side=side, chain=chain, quote="none"), spans
        st = self.statements[idx]
        chain, spans = claim_chain(self.outlet, self.outlet_span, st)
        home = self.default_country or (self.dateline_country if unofficial(st.speaker) else None)
        party, side = party_and_side(st.speaker, home)
        quote = "direct" if st.direct and any(a <= sent.start_char < b for a, b in st.regions) else "indirect"
        return Claimant(name=st.speaker, party=party, side=side, chain=chain, quote=quote,
                        official=not unofficial(st.speaker)), spans


def party_and_side(speaker: str, default_country: str | None = None) -> tuple[str | None, str | None]:
    """'the press service of the embassy of the Azerbaijani Republic in …' → Government of Azerbaijan;
    'police' in a Kenyan story → Police Forces of Kenya, side Kenya."""
    if _COLLECTIVE.fullmatch(speaker.strip().lower()):
        return None, None  # "both sides said": no single party speaks
    state = _state_metonymy(speaker)
    if state is not None:
        return f"Government of {state}", state  # "Baku said", "Armenia said": that government
    if unofficial(speaker):
        # A lawmaker of X speaks for X's side, unofficially (marked on the claimant).
        spans = actors.demonym_spans(speaker)
        country = spans[0][2] if spans else default_country
        return speaker, country
    actor = actors.normalise_actor(speaker, default_country=default_country)
    if actor is not None and actor.kind in ("military", "police", "government"):
        return actor.name, actor.country or default_country
    spans = actors.demonym_spans(speaker)
    country = spans[0][2] if spans else None
    if country is None and _OFFICIAL.search(speaker) and default_country:
        country = default_country
    if country and _OFFICIAL.search(speaker):
        return f"Government of {country}", country
    if actor is not None and actor.kind in ("named_group", "party", "militia"):
        return actor.name, actor.name  # an armed group is a side of its own
    # Witnesses, residents, doctors, NGOs, journalists: a source, not a party to the conflict.
    return (actor.name if actor is not None else speaker), None


def unofficial(speaker: str) -> bool:
    """A lawmaker, deputy or opposition figure (``lang/en/unofficial_speakers.txt``)."""
    lower = _DEPUTY_OFFICIAL.sub("", speaker.lower())  # "deputy defence minister" is an official
    return any(re.search(rf"\b{re.escape(w)}\b", lower) for w in lang.words("en", "unofficial_speakers"))


_DEPUTY_OFFICIAL = re.compile(
    r"\bdeputy\s+(?:[\w-]+\s+){0,2}?(?:minister|prime|head|chief|commander|director|governor|mayor|spokes\w*|"
    r"secretary|chairman|speaker|general|representative|ambassador)\b")


def _state_metonymy(speaker: str) -> str | None:
    """A capital or a country standing for its government: "Baku", "Armenia", "Yerevan's"."""
    clean = re.sub(r"^(?:the\s+)?|'s$|’s$", "", speaker.strip()).strip()
    capitals = {row["capital"].casefold(): row["country"] for row in lang.table("en", "capitals")}
    if clean.casefold() in capitals:
        return capitals[clean.casefold()]
    country = actors.country_name(clean)
    if country is not None and clean[:1].isupper() and clean.casefold() == country.casefold():
        return country
    return None


def attribute(doc: Doc, outlet: str | None = None, default_country: str | None = None) -> Attribution:
    """Find every statement in ``doc`` and which sentences each covers."""
    text = doc_text(doc)
    regions = quote_regions(text)
    statements: list[Statement] = []
    sentence_statement: dict[int, int] = {}
    found_outlet, outlet_span = outlet, None
    last: int | None = None
    sents = list(doc.sents)  # built once: every pass below walks the same sentences
    for sent in sents:
        st = None if _headline(sent) else _statement_in(sent, statements, last)
        if st is not None:
            if st.relay and found_outlet is None:
                found_outlet, outlet_span = _outlet_from_relay(st)
            if st not in statements:
                statements.append(st)
            last = statements.index(st)
            sentence_statement[sent.start_char] = last
    _assign_regions(sents, regions, statements, sentence_statement)
    _attribute_from_next(doc, sents, sentence_statement)
    return Attribution(found_outlet, outlet_span, statements, sentence_statement, default_country,
                       _dateline_country(text))


def _attribute_from_next(doc: Doc, sents: list[Span], sentence_statement: dict[int, int]) -> None:
    """Wire style: "Gunmen killed five people on Monday. Police said the attackers fled."
    An unattributed sentence takes the source named in the next sentence of its paragraph."""
    text = doc.text  # once: spaCy rebuilds it on every access
    for sent, following in zip(sents, sents[1:]):
        if sent.start_char in sentence_statement or following.start_char not in sentence_statement:
            continue
        if "\n" in text[sent.end_char:following.start_char]:
            continue
        sentence_statement[sent.start_char] = sentence_statement[following.start_char]


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Quoted stretches. A paragraph opened with “ and never closed runs on into the next
    paragraph that reopens with “ (the newspaper convention for multi-paragraph quotes)."""
    regions: list[tuple[int, int]] = []
    pos = 0
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    open_at: int | None = None
    for start, end in paragraphs:
        para = text[start:end]
        i = 0
        while i < len(para):
            ch = para[i]
            if open_at is None and ch in _OPEN_QUOTES and (ch != '"' or i == 0 or not para[i - 1].isalnum()):
                open_at = start + i
            elif open_at is not None and ch in _CLOSE_QUOTES and start + i > open_at:
                regions.append((open_at, start + i + 1))
                open_at = None
            i += 1
        if open_at is not None:
            # Unclosed at paragraph end: the quote continues if the next paragraph reopens it.
            regions.append((open_at, end))
            open_at = None
    del pos
    return _chain_regions(text, regions)


def _chain_regions(text: str, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge regions separated only by whitespace (a quote continued over paragraphs)."""
    merged: list[tuple[int, int]] = []
    for start, end in regions:
        if merged and not text[merged[-1][1]:start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _statement_in(sent: Span, statements: list[Statement], last: int | None) -> Statement | None:
    for token in sent:
        if token.lemma_.lower() in _REPORTING and token.pos_ in ("VERB", "AUX"):
            st = _statement_from_verb(token, statements, last)
            if st is not None:
                return st
    return _according_to(sent, statements, last)


def _statement_from_verb(verb: Token, statements: list[Statement], last: int | None) -> Statement | None:
    speaker = _speaker_of(verb)
    if speaker is not None and verb.dep_ == "relcl" and len(speaker) == 1 and speaker[0].lower_ in ("which", "who", "that"):
        # "The Border Service, which said …": the speaker is the noun the clause hangs on.
        head = verb.head
        speaker = verb.doc[head.left_edge.i:head.i + 1]
    if speaker is None or speaker.root.lemma_.lower() in lang.words("en", "not_speakers"):
        return None  # "updated data show …": information is not a speaker; the sentence keeps its voice
    # Nested report: "Report's bureau informs that this was stated by the press service …"
    for child in verb.children:
        if child.dep_ == "ccomp" and child.lemma_.lower() in _REPORTING:
            inner = _speaker_of(child)
            if inner is not None and not _is_pronoun(inner):
                return _make(inner, relay=speaker)
    if _is_pronoun(speaker) or _is_back_reference(speaker, statements):
        return statements[last] if last is not None else None
    return _make(speaker)


def _according_to(sent: Span, statements: list[Statement], last: int | None) -> Statement | None:
    for token in sent:
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor().lower_ == "to":
            for child in token.nbor().children:
                if child.dep_ == "pobj" and child.lemma_.lower() not in lang.words("en", "not_speakers"):
                    span = sent.doc[child.left_edge.i:child.right_edge.i + 1]
                    return _make(span)
    return None


def _speaker_of(verb: Token) -> Span | None:
    doc = verb.doc
    subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.lower_ not in ("this", "that")]
    if subjects:
        # The subject nearest the verb: a wire dateline before it ("BAKU, Nov 7 (Wire) - Armenia said")
        # is parsed as a second subject.
        child = max(subjects, key=lambda c: c.i if c.i < verb.i else -c.i)
        return _after_dateline(doc[child.left_edge.i:child.right_edge.i + 1])
    for child in verb.children:
        if child.dep_ == "agent":
            for grandchild in child.children:
                if grandchild.dep_ == "pobj":
                    return _after_dateline(doc[grandchild.left_edge.i:grandchild.right_edge.i + 1])
    return None


_DASHES = frozenset({"-", "—", "–", "--"})


def _after_dateline(span: Span) -> Span | None:
    """"YEREVAN/BAKU, Nov 7 (Meridian Wire) - Armenia" → "Armenia": a wire dateline is where and
    when the story was filed, never who speaks."""
    dashes = [t.i for t in span if t.text in _DASHES]
    if not dashes:
        return span
    rest = span.doc[dashes[-1] + 1:span.end]
    return rest if len(rest) else None


_DATELINE = re.compile(r"^\s*([A-Z][A-Z .'-]{2,40}?),\s")  # one city: "YEREVAN/BAKU" files from both


def _dateline_country(text: str) -> str | None:
    """"BISHKEK, April 27 (Wire) - …" → Kyrgyzstan (a capital or a country in capitals opening the text)."""
    m = _DATELINE.match(text[:80])
    if m is None:
        return None
    return _state_metonymy(m.group(1).strip().title())


def _headline(sent: Span) -> bool:
    """The first line of a text, without closing punctuation, is a headline: it is never a speaker's
    statement ("Casualties mount as … says" names no one who said it in the story)."""
    if sent.start_char != 0:
        return False
    first_line = doc_text(sent.doc).split("\n", 1)[0].strip()
    return bool(first_line) and first_line[-1] not in ".!?\"”'’:" and sent.end_char >= len(first_line)


def _is_pronoun(span: Span) -> bool:
    return len(span) == 1 and span[0].lower_ in _PRONOUNS


def _is_back_reference(span: Span, statements: list[Statement]) -> bool:
    """'the embassy said' after 'the press service of the embassy of …' is the same speaker."""
    if not statements or span[0].lower_ != "the":
        return False
    head = span.root.lower_
    return any(head in st.speaker.lower() for st in statements)


def _make(span: Span, relay: Span | None = None) -> Statement:
    return Statement(
        speaker=_clean(span.text),
        speaker_span=(span.start_char, span.end_char),
        relay=_clean(relay.text) if relay is not None else None,
        relay_span=(relay.start_char, relay.end_char) if relay is not None else None,
    )


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip(" \n\t,.“”\"")).replace("‘", "'").replace("’", "'")


def _outlet_from_relay(st: Statement) -> tuple[str | None, tuple[int, int] | None]:
    """'Report's Russian bureau' → the outlet Report."""
    assert st.relay is not None and st.relay_span is not None
    match = re.match(r"([A-Z][\w.&-]*(?: [A-Z][\w.&-]*)*)'s\b", st.relay)
    if match:
        return match.group(1), (st.relay_span[0], st.relay_span[0] + len(match.group(1)))
    return None, None


def _assign_regions(
    sents: list[Span],
    regions: list[tuple[int, int]],
    statements: list[Statement],
    sentence_statement: dict[int, int],
) -> None:
    """Give each quote region the statement attributed in it (or right after/before it),
    and mark every sentence inside the region as covered by that statement."""
    for start, end in regions:
        owner = _region_owner(sents, start, end, sentence_statement)
        if owner is None:
            continue
        st = statements[owner]
        st.regions.append((start, end))
        st.direct = True
        for sent in sents:
            if start <= sent.start_char < end or sent.start_char <= start < sent.end_char:
                sentence_statement.setdefault(sent.start_char, owner)


def _region_owner(
    sents: list[Span], start: int, end: int, sentence_statement: dict[int, int]
) -> int | None:
    # The attribution usually closes the quote ("…,” the embassy said.), else opens it
    # ("It also noted …: “…"), else sits inside it.
    inside = [s for s in sents if start <= s.start_char < end or s.start_char <= start < s.end_char]
    for sent in reversed(inside):
        if sent.start_char in sentence_statement and sent.end_char >= end - 2:
            return sentence_statement[sent.start_char]
    after = [s for s in sents if s.start_char >= end][:1]
    for sent in after:
        if sent.start_char in sentence_statement:
            return sentence_statement[sent.start_char]
    for sent in inside:
        if sent.start_char in sentence_statement:
            return sentence_statement[sent.start_char]
    before = [s for s in sents if s.end_char <= start][-1:]
    for sent in before:
        if sent.start_char in sentence_statement:
            return sentence_statement[sent.start_char]
    return None
