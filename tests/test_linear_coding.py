"""Coding stays linear in the text's length: per-mention steps use indexes built once per document.

A long report with hundreds of events used to spend most of its time rebuilding ``Doc.text`` and
scanning every actor mention of the document for each sentence (100 KB: 14 s, now 9 s; bench/
bench_long.py measures the ratio to bare spaCy). These tests check that the indexed lookups give
exactly what the scans they replace gave, on random mentions, overlapping or not.
"""

from __future__ import annotations

import random

import spacy

from flashpoint.extract.actors import Actor, ActorMention, longest_disjoint
from flashpoint.extract.classify import RuleClassifier
from flashpoint.extract.mentions import DocContext
from flashpoint.nlp.text import doc_text

ARMY = Actor(name="Military Forces of Mali", kind="military", country="Mali", inter=1)


def _mention(start: int, end: int) -> ActorMention:
    return ActorMention(start, end, "x" * (end - start), ARMY, 0)


def _random_mentions(rng: random.Random, n: int) -> list[ActorMention]:
    out = []
    for _ in range(n):
        start = rng.randrange(0, 300)
        out.append(_mention(start, start + rng.randrange(1, 25)))
    return out


def _context(mentions: list[ActorMention]) -> DocContext:
    from flashpoint.extract.attribution import Attribution

    return DocContext(published=None, dates=[], actor_mentions=mentions, attribution=Attribution(None, None, [], {}),
                      classifier=RuleClassifier())


def test_the_longest_disjoint_mentions_are_the_ones_a_full_scan_keeps() -> None:
    rng = random.Random(7)
    for _ in range(300):
        found = _random_mentions(rng, rng.randrange(0, 40))
        expected: list[ActorMention] = []
        for m in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
            if all(m.end <= c.start or m.start >= c.end for c in expected):
                expected.append(m)
        assert longest_disjoint(found) == sorted(expected, key=lambda m: m.start)


def test_actor_lookups_by_position_match_a_scan_of_every_mention() -> None:
    rng = random.Random(11)
    for trial in range(200):
        found = _random_mentions(rng, rng.randrange(0, 30))
        # Half the trials as the English finder gives them (in order, disjoint), half as they come.
        mentions = longest_disjoint(found) if trial % 2 else found
        ctx = _context(mentions)
        for _ in range(20):
            lo = rng.randrange(0, 320)
            hi = lo + rng.randrange(0, 60)
            assert ctx.actors_starting(lo, hi) == [m for m in mentions if lo <= m.start < hi]
            char = rng.randrange(0, 330)
            assert ctx.actor_at(char) == next((m for m in mentions if m.start <= char < m.end), None)


def test_the_document_text_is_built_once_and_is_the_parse_text() -> None:
    nlp = spacy.blank("en")
    doc = nlp("Gunmen attacked a patrol near Gao.\n\nThe army said four soldiers died.")
    first = doc_text(doc)
    assert first == doc.text
    assert doc_text(doc) is first  # kept, not rebuilt
