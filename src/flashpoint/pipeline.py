"""The orchestrator: a Document in, a CodedDocument out. Reads as the list of stages.

Nothing is loaded at import time; a ``Coder`` loads the NLP pipeline and the gazetteer on
first use and then codes any number of documents, streaming them through ``nlp.pipe``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from flashpoint import settings
from flashpoint.errors import E_PROCESSING, E_TOO_LARGE, FlashpointError, InputError
from flashpoint.extract import actors
from flashpoint.extract.attribution import attribute
from flashpoint.extract.classify import RuleClassifier, TypeClassifier
from flashpoint.extract.dates import find_dates
from flashpoint.extract.mentions import DocContext, Mention, extract_mentions
from flashpoint.model import CodedDocument, Document, Failure, Place
from flashpoint.resolve.events import resolve

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from flashpoint.geo.gazetteer import Gazetteer
    from flashpoint.geo.geoparse import Geoparser

log = logging.getLogger(__name__)


class Coder:
    """Codes documents into events. Heavy parts (spaCy, gazetteer) load on first use."""

    def __init__(
        self,
        *,
        nlp: Language | None = None,
        gazetteer: Gazetteer | None = None,
        classifier: TypeClassifier | None = None,
        batch_size: int = 16,
        dictionary: actors.Dictionary | None = None,
        chunk_chars: int = settings.PARSE_CHUNK_CHARS,
        max_mentions: int = settings.MAX_EVENT_MENTIONS,
        max_chars: int = settings.MAX_CODE_CHARS,
    ) -> None:
        self.max_chars = max_chars
        self._nlp = nlp
        self.chunk_chars = chunk_chars
        self.max_mentions = max_mentions
        self.dictionary = dictionary
        """A user's actor dictionary (from a trained model), in force while this coder codes."""
        self._gazetteer = gazetteer
        self._geoparser: Geoparser | None = None
        self.classifier: TypeClassifier = classifier or RuleClassifier()
        self.batch_size = batch_size

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            from flashpoint.geo.gazetteer import Gazetteer

            self._gazetteer = Gazetteer.open()
        return self._gazetteer

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            from flashpoint.nlp import segment
            from flashpoint.nlp.components import load_pipeline

            self._nlp = load_pipeline(self.gazetteer)
            segment.add_to(self._nlp)
        return self._nlp

    @property
    def geoparser(self) -> Geoparser:
        if self._geoparser is None:
            from flashpoint.geo.geoparse import Geoparser

            self._geoparser = Geoparser(self.gazetteer)
        return self._geoparser

    def code(self, document: Document) -> CodedDocument:
        """Code one document (raises FlashpointError if it cannot be processed)."""
        refusal = self._too_long(document)
        if refusal is not None:
            raise refusal
        return self.code_parsed(document, self.parse_document(document))

    def _too_long(self, document: Document) -> InputError | None:
        """The refusal of a text longer than one report can be (settings.MAX_CODE_CHARS), if it is."""
        if len(document.text) <= self.max_chars:
            return None
        return InputError(f"this {len(document.text):,}-character text is longer than flashpoint codes as one report "
                          f"({self.max_chars:,} characters): split it into one document per report or section",
                          code=E_TOO_LARGE)

    def parse_document(self, document: Document) -> Doc:
        """The parse of a document in its own language (Russian through natasha: ``nlp.ru``)."""
        if document.language == "ru":
            return self.parse_russian(document.text)
        return self.parse(document.text)

    def parse_russian(self, text: str) -> Doc:
        """The Russian parse of ``text``, in chunks as ``parse`` does (offsets index the whole text)."""
        from flashpoint.nlp.ru import parser

        return self._chunked(text, self.chunk_chars, parser())

    def parse(self, text: str) -> Doc:
        """The parse of ``text``; a text longer than ``chunk_chars`` is parsed in chunks cut at
        paragraph or sentence ends and joined into one Doc whose offsets index the whole text."""
        return self._chunked(text, self._chunk_limit(), self.nlp)

    @staticmethod
    def _chunked(text: str, limit: int, parse_one: Callable[[str], Doc]) -> Doc:
        """``parse_one`` of ``text``, or of its chunks of at most ``limit`` characters joined into one Doc."""
        if len(text) <= limit:
            return parse_one(text)
        from spacy.tokens import Doc

        doc = Doc.from_docs([parse_one(text[a:b]) for a, b in split_for_parser(text, limit)], ensure_whitespace=False)
        if doc.text != text:  # offsets would not index the text: refuse rather than mislead
            raise InputError(f"the parse of this {len(text):,}-character text could not be joined: split it "
                             "into separate documents", code=E_TOO_LARGE)
        return doc

    def code_many(self, documents: Iterable[Document | Failure]) -> Iterator[CodedDocument | Failure]:
        """Code a stream; failures pass through, and a document that breaks becomes a Failure."""
        pending = ((d, d) for d in documents)
        for item in self._parse(pending):
            if isinstance(item, Failure):
                yield item
                continue
            document, doc = item
            try:
                yield self.code_parsed(document, doc)
            except FlashpointError as exc:  # refused with its reason (too many events to resolve)
                yield Failure(document.source or document.id, str(exc.args[0]), exc.code)
            except Exception as exc:  # one bad document must not stop the run
                log.exception("coding %s failed", document.source or document.id)
                yield Failure(document.source or document.id, f"could not be coded: {exc}; please report this", E_PROCESSING)

    def _parse(self, items: Iterable[tuple[Document | Failure, Document | Failure]]) -> Iterator[Failure | tuple[Document, Doc]]:
        # Failures are passed around the parser in order, documents go through nlp.pipe in batches.
        buffer: list[Document] = []
        for _, item in items:
            if isinstance(item, Failure):
                yield from self._flush(buffer)
                buffer = []
                yield item
            else:
                buffer.append(item)
                if len(buffer) >= self.batch_size:
                    yield from self._flush(buffer)
                    buffer = []
        yield from self._flush(buffer)

    def _flush(self, buffer: list[Document]) -> Iterator[Failure | tuple[Document, Doc]]:
        """Parse a batch in order: short texts together through ``nlp.pipe``, long ones in chunks."""
        short: list[Document] = []
        limit = self._chunk_limit()
        for document in buffer:
            refusal = self._too_long(document)
            if refusal is not None:
                yield from self._pipe(short)
                short = []
                yield Failure(document.source or document.id, str(refusal.args[0]), refusal.code)
                continue
            if len(document.text) <= limit and document.language != "ru":  # Russian: its own parser
                short.append(document)
                continue
            yield from self._pipe(short)
            short = []
            yield self._parse_one(document)
        yield from self._pipe(short)

    def _chunk_limit(self) -> int:
        """Chunks are never longer than the parser accepts (spaCy's ``max_length``, E088)."""
        return max(1, min(self.chunk_chars, self.nlp.max_length))

    def _pipe(self, documents: list[Document]) -> Iterator[Failure | tuple[Document, Doc]]:
        if not documents:
            return
        try:
            parsed = list(self.nlp.pipe(((d.text, d) for d in documents), as_tuples=True, batch_size=self.batch_size))
        except Exception:  # one text the parser refuses must not take its batch with it: one by one
            log.debug("parsing a batch failed; parsing its documents one by one", exc_info=True)
            for document in documents:
                yield self._parse_one(document)
            return
        for doc, document in parsed:
            yield document, doc

    def _parse_one(self, document: Document) -> Failure | tuple[Document, Doc]:
        try:
            return document, self.parse_document(document)
        except FlashpointError as exc:
            return Failure(document.source or document.id, str(exc.args[0]), exc.code)
        except Exception as exc:  # one bad document must not stop the run
            log.debug("parsing %s failed", document.source or document.id, exc_info=True)
            return Failure(document.source or document.id, f"could not be parsed ({type(exc).__name__}: {exc}); "
                           "please report this", E_PROCESSING)

    def code_parsed(self, document: Document, doc: Doc) -> CodedDocument:
        """The stages, in order, on an already parsed document."""
        with actors.using(self.dictionary), actors.reading(document.text):
            if document.language == "ru":
                return self._code_russian(document, doc)
            return self._code_parsed(document, doc)

    def _code_russian(self, document: Document, doc: Doc) -> CodedDocument:
        """The Russian stages (``flashpoint.extract.ru``), in the same order and to the same contract."""
        from flashpoint.extract import ru
        from flashpoint.extract.attribution import Attribution
        from flashpoint.extract.ru.attribution import attribute as attribute_ru
        from flashpoint.geo import ru_places
        from flashpoint.resolve.notes import write_notes

        # 1. Places, through their Latin names, in the same gazetteer.
        places = ru_places.find_places(doc, self.gazetteer)
        focus = focus_country(places)
        # 2. Who says what.
        attribution = attribute_ru(doc, document.outlet, default_country=focus)
        if document.outlet is None and attribution.outlet:
            document.outlet = attribution.outlet
        # 3. Dates, actors, mentions (typed by the rules over the Russian frames).
        ctx = DocContext(published=document.published,
                         dates=find_dates(document.text, document.published, language=document.language),
                         actor_mentions=ru.actor_mentions(doc, focus), attribution=Attribution(None, None, [], {}),
                         classifier=RuleClassifier(), default_country=focus)
        mentions = self._bounded(ru.extract_mentions(doc, ru.RuContext(ctx, attribution)), document)
        # 4. One event per happening, as for English; then the Russian place wording.
        events = resolve(mentions, document, places, self.geoparser, focus_country=focus)
        ru_places.refine_locations(events, places, document.text)
        for event in events:  # the notes again, with the places' Latin names and precision
            event.notes = write_notes(event)
        return CodedDocument(document=document, places=places, events=events)

    def _bounded(self, mentions: list[Mention], document: Document) -> list[Mention]:
        """The mentions, unless they are too many to resolve as one report (settings.MAX_EVENT_MENTIONS)."""
        if len(mentions) > self.max_mentions:
            raise InputError(f"this {len(document.text):,}-character text tells {len(mentions):,} happenings, more than "
                             f"flashpoint resolves as one report ({self.max_mentions:,}): split it into one document "
                             "per report or section", code=E_TOO_LARGE)
        return mentions

    def _code_parsed(self, document: Document, doc: Doc) -> CodedDocument:
        # 1. Every place named, resolved against the gazetteer (and the user's own places, if any).
        mark_places = getattr(self.gazetteer, "mark_places", None)
        if mark_places is not None:
            mark_places(doc)
        places = self.geoparser.places(doc, outlet_country=None)
        # 2. The document's focus country, for actors the text names without a country.
        focus = focus_country(places)
        # 3. Who says what: outlet → relay → speaker for each sentence.
        attribution = attribute(doc, document.outlet, default_country=focus)
        if document.outlet is None and attribution.outlet:
            document.outlet = attribution.outlet
        # 4. Every date expression, normalised against the publication date.
        dates = find_dates(document.text, document.published)
        # 5. Event mentions, sentence by sentence.
        ctx = DocContext(
            published=document.published,
            dates=dates,
            actor_mentions=actors.find_actor_mentions(doc, default_country=focus),
            attribution=attribution,
            classifier=self.classifier,
            default_country=focus,
        )
        mentions = self._bounded(extract_mentions(doc, ctx), document)
        # 6. One event per happening, located, with notes and evidence.
        events = resolve(mentions, document, places, self.geoparser, focus_country=focus, doc=doc)
        return CodedDocument(document=document, places=places, events=events)


_SENTENCE_END = re.compile(r"[.!?][\"'’”)\]]*\s+")


def split_for_parser(text: str, limit: int) -> list[tuple[int, int]]:
    """Cut ``text`` into ``(start, end)`` pieces of at most ``limit`` characters that cover it.

    Each cut falls after the last paragraph break in the piece's second half, else after the last
    line break, sentence end or space there, else at the limit itself (a text with no spaces).
    Cuts keep the separator with the piece before, so the pieces join back into the text.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        floor = start + limit // 2
        cut = text.rfind("\n\n", floor, end - 1)
        cut = cut + 2 if cut >= 0 else text.rfind("\n", floor, end) + 1
        if cut <= 0:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, floor, end)]
            cut = ends[-1] if ends else text.rfind(" ", floor, end) + 1
        if cut <= start:
            cut = end
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(text)))
    return bounds


def focus_country(places: list[Place]) -> str | None:
    """The country the document is mostly about: the one its literal places most often fall in."""
    counts: Counter[str] = Counter()
    for place in places:
        if place.country:
            counts[place.country] += 2 if place.kind == "literal" and not (place.feature_code or "").startswith("PCL") else 1
    return counts.most_common(1)[0][0] if counts else None


_default_coder: Coder | None = None


def default_coder() -> Coder:
    """A process-wide coder (the pipeline loads once)."""
    global _default_coder
    if _default_coder is None:
        _default_coder = Coder()
    return _default_coder


_model_coders: dict[str, Coder] = {}


def model_coder(model: str, base: Coder) -> Coder:
    """A coder for a trained model: its type classifier, and what else it learnt from the user's
    export (actors layered over ours, places over the gazetteer: ``flashpoint.extract.additions``)."""
    from flashpoint.extract.additions import load_additions
    from flashpoint.extract.registry import load_classifier, resolve_model_path

    classifier = load_classifier(model)  # a bad name fails here, before any parsing
    extra = load_additions(resolve_model_path(model)) if model not in ("", "rules") else None
    gazetteer = base.gazetteer
    if extra is not None and extra.places:
        from flashpoint.geo.additions import LayeredGazetteer

        gazetteer = LayeredGazetteer(base.gazetteer, extra.places)  # type: ignore[assignment]
    return Coder(nlp=base.nlp, gazetteer=gazetteer, classifier=classifier, batch_size=base.batch_size,
                 dictionary=extra.dictionary if extra is not None else None)
"""Coders per trained model (``--model``), sharing the default coder's pipeline and gazetteer."""


def code_documents(docs: Iterable[Document | Failure], *, model: str | None = None,
                   base: Coder | None = None) -> Iterator[CodedDocument | Failure]:
    """Code documents in order, one result per input; ``model`` picks a classifier (flashpoint.extract.registry):
    None means the default model when it is built, else the rules. ``base`` is the coder whose
    pipeline and gazetteer are used (default: the process-wide one)."""
    from flashpoint.extract.registry import default_choice, fill_event_types

    coder = base or default_coder()
    if model in (None, ""):
        model = default_choice()
    if model != "rules":
        assert model is not None
        if base is not None:
            coder = model_coder(model, base)
        else:
            if model not in _model_coders:
                _model_coders[model] = model_coder(model, coder)
            coder = _model_coders[model]
    for result in coder.code_many(docs):
        yield fill_event_types(result, coder.classifier)
