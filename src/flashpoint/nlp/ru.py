"""The Russian parse: natasha's models turned into a spaCy ``Doc`` the Russian stages read.

spaCy has no Russian pipeline on PyPI; natasha (MIT; slovnet models with navec embeddings, all
inside the package) segments, tags morphology (UD features), parses (UD relations) and finds
names. Its output is copied into a ``Doc`` whose words and spaces cover the text exactly
(``doc.text == text``), so every offset the stages record indexes the Russian text as written.

Models load once per process, on first use, from the installed package (no network).
Entities: natasha's LOC → GPE, PER → PERSON, ORG → ORG.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = ["RussianParser", "normal_form", "parser"]

_ENT_LABELS = {"LOC": "GPE", "PER": "PERSON", "ORG": "ORG"}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass
class _Models:
    segmenter: Any
    morph: Any
    syntax: Any
    ner: Any
    vocab: Any  # natasha's MorphVocab (pymorphy2), for lemmas


@dataclass
class _Word:
    text: str
    space: bool
    lemma: str
    pos: str
    morph: str
    head: int
    """Index of the head word in the Doc (itself for a sentence's root)."""
    dep: str
    ent: str = "O"


class RussianParser:
    """Callable ``text -> Doc``; loads natasha on the first call."""

    def __init__(self) -> None:
        self._models: _Models | None = None
        self._lock = threading.Lock()
        self._vocab: Vocab | None = None

    @property
    def models(self) -> _Models:
        with self._lock:
            if self._models is None:
                self._models = _load()
            return self._models

    @property
    def vocab(self) -> Vocab:
        if self._vocab is None:
            import spacy

            self._vocab = spacy.blank("ru").vocab
        return self._vocab

    def __call__(self, text: str) -> Doc:
        """The parse of ``text``. Sentences end at blank lines: a headline without a full stop
        must not run into the paragraph below it (razdel would join them)."""
        from natasha import Doc as NDoc

        m = self.models
        ndoc = NDoc(text)
        ndoc.segment(m.segmenter)
        ndoc.sents = _split_at_blank_lines(text, ndoc.sents)
        ndoc.tag_morph(m.morph)  # each model runs once over all the sentences (batched inside)
        ndoc.parse_syntax(m.syntax)
        ndoc.tag_ner(m.ner)
        words: list[_Word] = []
        starts: list[int] = []
        pos = 0
        for sent in ndoc.sents:
            ids: dict[str, int] = {}
            sent_words: list[tuple[_Word, str]] = []
            for tok in sent.tokens:
                _gap(text, pos, tok.start, words, starts)
                ids[tok.id] = len(words)
                word = _Word(tok.text, False, _lemma(m.vocab, tok), tok.pos or "X",
                             _feats(tok.feats), len(words), (tok.rel or "dep").lower())
                words.append(word)
                starts.append(tok.start)
                sent_words.append((word, tok.head_id))
                pos = tok.stop
            _attach(sent_words, ids)
        _gap(text, pos, len(text), words, starts)
        _mark_entities(ndoc.spans, words, starts, 0, 0)
        return self._to_spacy(words)

    def _to_spacy(self, words: list[_Word]) -> Doc:
        from spacy.tokens import Doc

        doc = Doc(
            self.vocab,
            words=[w.text for w in words],
            spaces=[w.space for w in words],
            lemmas=[w.lemma for w in words],
            pos=[w.pos for w in words],
            morphs=[w.morph for w in words],
            heads=[w.head for w in words],
            deps=[w.dep for w in words],
            ents=[w.ent for w in words],
        )
        return doc


def _split_at_blank_lines(text: str, sents: list[Any]) -> list[Any]:
    """razdel's sentences, cut where a blank line falls between two of their tokens."""
    from natasha.doc import DocSent

    out: list[Any] = []
    for sent in sents:
        tokens = sent.tokens
        first = 0
        for k in range(1, len(tokens)):
            if _BLANK_LINE.search(text, tokens[k - 1].stop, tokens[k].start):
                out.append(_sent(DocSent, text, tokens[first:k]))
                first = k
        out.append(sent if first == 0 else _sent(DocSent, text, tokens[first:]))
    return out


def _sent(cls: Any, text: str, tokens: list[Any]) -> Any:
    start, stop = tokens[0].start, tokens[-1].stop
    return cls(start, stop, text[start:stop], tokens=tokens)


def _gap(text: str, pos: int, start: int, words: list[_Word], starts: list[int]) -> None:
    """Whitespace between tokens: one space is the previous word's trailing space; anything else
    becomes a whitespace word of its own (as spaCy writes "\\n\\n"), attached to the word before."""
    gap = text[pos:start]
    if not gap:
        return
    if words and gap[0] == " ":
        words[-1].space = True
        gap, pos = gap[1:], pos + 1
    if gap:
        head = len(words) - 1 if words else len(words)
        words.append(_Word(gap, False, gap, "SPACE", "", head if head >= 0 else 0, "dep"))
        starts.append(pos)
        if not words[:-1]:  # leading whitespace: its own root (a one-word "sentence" of space)
            words[-1].head = 0


def _attach(sent_words: list[tuple[_Word, str]], ids: dict[str, int]) -> None:
    """Heads as Doc indices; a sentence with several roots keeps the first, the others hang
    from it as ``parataxis`` (spaCy reads one root per sentence). A head cycle (the parser can
    return one) is cut by attaching its words to the root: spaCy needs a tree."""
    if not sent_words:
        return
    root: int | None = None
    own: list[tuple[_Word, int]] = []
    for word, head_id in sent_words:
        index = word.head  # set to the word's own index when it was made
        own.append((word, index))
        head = ids.get(head_id)
        if head is None or head == index:  # natasha's root ("…_0"), or a head outside the sentence
            if root is None:
                root = index
                word.head, word.dep = index, "root"
                continue
            word.head, word.dep = root, "parataxis"
        else:
            word.head = head
    if root is None:
        word, index = own[0]
        root = index
        word.head, word.dep = index, "root"
    heads = {index: word.head for word, index in own}
    for word, index in own:
        node, seen = index, set()
        while node != root and node not in seen and node in heads:
            seen.add(node)
            node = heads[node]
        if node != root:
            word.head, word.dep = root, "dep"
            heads[index] = root


def _mark_entities(spans: Any, words: list[_Word], starts: list[int], offset: int, lo: int) -> None:
    """natasha's character spans (``offset`` into the text) as IOB tags on the words they cover."""
    import bisect

    for span in spans:
        label = _ENT_LABELS.get(span.type)
        if label is None:
            continue
        first = bisect.bisect_left(starts, offset + span.start, lo)
        last = bisect.bisect_left(starts, offset + span.stop, lo)
        if first >= len(words) or starts[first] != offset + span.start or last <= first:
            continue  # not on word boundaries: left out rather than misaligned
        for k in range(first, last):
            words[k].ent = ("B-" if k == first else "I-") + label


def _feats(feats: dict[str, str] | None) -> str:
    return "|".join(f"{k}={v}" for k, v in sorted((feats or {}).items()))


def _lemma(vocab: Any, tok: Any) -> str:
    return _cached_lemma(vocab, tok.text, tok.pos or "X", tuple(sorted((tok.feats or {}).items())))


@functools.lru_cache(maxsize=65536)
def _cached_lemma(vocab: Any, text: str, pos: str, feats: tuple[tuple[str, str], ...]) -> str:
    """pymorphy2's lemma for the word with natasha's tag (cached: news repeats its words); ё is
    written е, as the Russian data files write their lemmas."""
    if not any(ch.isalpha() for ch in text):
        return text
    try:
        return str(vocab.lemmatize(text, pos, dict(feats))).lower().replace("ё", "е")
    except Exception:  # an unknown tag: the lower-case word is the best lemma there is
        return text.lower()


def _load() -> _Models:
    from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser, Segmenter

    emb = NewsEmbedding()
    return _Models(Segmenter(), NewsMorphTagger(emb), NewsSyntaxParser(emb), NewsNERTagger(emb), MorphVocab())


_parser: RussianParser | None = None


def parser() -> RussianParser:
    """The process-wide Russian parser (natasha loads once)."""
    global _parser
    if _parser is None:
        _parser = RussianParser()
    return _parser


@functools.lru_cache(maxsize=8192)
def normal_form(word: str) -> str:
    """pymorphy2's likeliest lemma of a word out of context (for names in data files, so that they
    are compared with the parse's lemmas in the same form)."""
    if not any(ch.isalpha() for ch in word):
        return word.lower()
    parses = parser().models.vocab.parse(word)
    return (str(parses[0].normal_form) if parses else word).lower().replace("ё", "е")
