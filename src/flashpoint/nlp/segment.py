"""Paragraph breaks end sentences. Headlines and datelines are not run into the story's first
sentence (the parser otherwise joins "Title\n\n“On November 16 …" into one sentence)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

FACTORY = "flashpoint_paragraphs_v1"


@Language.component(FACTORY)
def paragraph_boundaries(doc: Doc) -> Doc:
    """Mark the token after a line break as a sentence start (news text has one paragraph per line)."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def add_to(nlp: Language) -> None:
    """Insert the component before the parser (which then respects the boundaries)."""
    if FACTORY not in nlp.pipe_names:
        nlp.add_pipe(FACTORY, before="parser" if "parser" in nlp.pipe_names else None)
