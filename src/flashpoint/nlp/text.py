"""The text of a parsed document, built once.

spaCy's ``Doc.text`` joins every token's text on each call: read inside a per-mention or
per-sentence step it makes coding grow with the square of the text (a 100 KB report of 750
events spent 62 of its 79 seconds there). Stages that need the text by character offset ask here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

_KEY = "flashpoint.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed on the first call and kept in the Doc's ``user_data`` (a parse is never
    edited after the pipeline has run, so it cannot go stale)."""
    text = doc.user_data.get(_KEY)
    if text is None:
        text = doc.user_data[_KEY] = doc.text
    return str(text)
