"""Language data (word lists, frames, dictionaries) as data files, one folder per language code.

Code never spells out a language's words: it asks for them here, by name, and gets them read once
from the package (``flashpoint/lang/<code>/<name>``), on first use. ``words("en", "stopwords")``
reads ``lang/en/stopwords.txt``: one entry per line, ``#`` starts a comment. ``table`` reads a
TSV with a header line into dicts, ``data`` reads JSON. ``fingerprint`` hashes a set of files, for
indexes built from them (so an index is rebuilt when its data changes, not when code moves).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
from collections.abc import Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

__all__ = ["data", "fingerprint", "path", "table", "text", "word_set", "words"]


def path(lang: str, name: str) -> Traversable:
    """The packaged file ``lang/<lang>/<name>``."""
    return resources.files("flashpoint.lang").joinpath(lang, name)


@functools.cache
def text(lang: str, name: str) -> str:
    return path(lang, name).read_text(encoding="utf-8")


@functools.cache
def words(lang: str, name: str) -> frozenset[str]:
    """A word list (``<name>.txt``): stripped lines, comments and blank lines dropped, as given (no case change)."""
    return frozenset(_lines(text(lang, f"{name}.txt")))


@functools.cache
def ordered_words(lang: str, name: str) -> tuple[str, ...]:
    """The same as ``words`` but in file order, for lists whose order matters (patterns tried first to last)."""
    return tuple(_lines(text(lang, f"{name}.txt")))


@functools.cache
def table(lang: str, name: str) -> tuple[dict[str, str], ...]:
    """A TSV (``<name>.tsv``) with a header line, ``#`` comment lines skipped."""
    lines = [line for line in text(lang, f"{name}.tsv").splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
    return tuple({k: (v or "") for k, v in row.items()} for row in reader)


@functools.cache
def data(lang: str, name: str) -> Any:
    """A JSON file (``<name>.json``)."""
    return json.loads(text(lang, f"{name}.json"))


@functools.cache
def word_set(lang: str, name: str, key: str) -> frozenset[str]:
    """The word list under ``key`` in the JSON file ``<name>.json``, as given (no case change)."""
    return frozenset(data(lang, name)[key])


def fingerprint(lang: str, names: Iterable[str]) -> str:
    """A short hash of these data files' bytes (for versioning indexes built from them)."""
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode())
        digest.update(path(lang, name).read_bytes())
    return digest.hexdigest()[:12]


def _lines(body: str) -> list[str]:
    out = []
    for line in body.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            out.append(line)
    return out
