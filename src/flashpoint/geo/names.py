"""Name keys for the gazetteer: how a written name becomes the keys the index stores and is searched by.

Two keys: ``normalise`` (diacritics stripped, transliteration letters mapped: "Kəlbəcər" ->
"kalbacar") and ``loose_key``, a phonetic key that folds the letters romanisation systems disagree
on (c/j/ch/zh/dzh, sh/s, kh/x/q/g/k, e/a, y/i, doubled letters), so that "Kalbajar", "Kelbajar"
and "Kəlbəcər" meet. ``name_rows`` decides which keys a place is indexed under. Everything here
changes what an index holds, so its source is part of the index's version (``gazbuild.schema_id``).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from functools import lru_cache

from flashpoint.lang import words

# ---------------------------------------------------------------------------------------------
# Name keys
# ---------------------------------------------------------------------------------------------

_SPECIAL = str.maketrans(
    {
        "ə": "a", "Ə": "a", "ı": "i", "ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
        "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th",
        "ð": "d", "Ð": "d", "ħ": "h", "Ħ": "h", "ŧ": "t", "ŋ": "ng",
        # Apostrophes and letter-like marks for ayin/hamza/softness vanish: "Kʻarvacar" = "Karvacar".
        "ʻ": "", "’": "", "'": "", "ʼ": "", "‘": "", "`": "", "´": "", "ʿ": "", "ʾ": "", "ˌ": "",
        "ʹ": "", "ʺ": "", ".": "",
        # Separators become spaces: "Nagorno-Karabakh" = "Nagorno Karabakh".
        "-": " ", "‐": " ", "‑": " ", "–": " ", "—": " ", "_": " ", "/": " ", ",": " ",
        "(": " ", ")": " ", "\u00a0": " ",
    }
)
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _normalise(name: str) -> str:
    s = name.translate(_SPECIAL)
    if not s.isascii():
        s = _COMBINING.sub("", unicodedata.normalize("NFKD", s))
    return " ".join(s.casefold().split())


@lru_cache(maxsize=200_000)
def normalise(name: str) -> str:
    """The exact matching key: diacritics stripped, transliteration letters mapped, casefolded.

    >>> normalise("Kəlbəcər"), normalise("Nagorno-Karabakh"), normalise("Kʻarvacar")
    ('kalbacar', 'nagorno karabakh', 'karvacar')
    """
    return _normalise(name)


# Romanisations disagree most on these; folding them to one letter makes one key per sound class.
# Digraphs go in one left-to-right pass, longest first (so "dzh" is not read as "d" + "zh"),
# then single letters through a translation table.
_LOOSE_DIGRAPHS = {
    "dzh": "c", "tch": "c", "dj": "c", "zh": "c", "ch": "c", "sh": "s", "kh": "k", "gh": "k",
    "ph": "f", "th": "t", "dh": "d", "ou": "u",
}
_LOOSE_RE = re.compile("|".join(sorted(_LOOSE_DIGRAPHS, key=len, reverse=True)))
_LOOSE_LETTERS = str.maketrans({"j": "c", "x": "k", "q": "k", "g": "k", "w": "v", "y": "i", "e": "a", " ": None})
# Arabic-style article before a name ("al-Raqqah", "ar Raqqa", "el Fasher").
_ARTICLE_RE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ad|ed|es|et|en|ez|ul)\s+(?=\S{3})")
_FINAL_H_RE = re.compile(r"(?<=[aeiou])h\b")
_DOUBLE_RE = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def loose_key(name: str) -> str:
    """The looser phonetic key, applied to ``normalise(name)``; '' when too short to be safe.

    >>> loose_key("Kalbajar") == loose_key("Kəlbəcər") == loose_key("Kelbajar")
    True
    """
    return _loose_of_key(normalise(name))


def _loose_of_key(key: str) -> str:
    s = _ARTICLE_RE.sub("", key) if key[:1] in "aeu" else key
    if "h" in s:
        s = _FINAL_H_RE.sub("", s)
    if "h" in s or "dj" in s or "ou" in s:
        s = _LOOSE_RE.sub(lambda m: _LOOSE_DIGRAPHS[m.group(0)], s)
    s = _DOUBLE_RE.sub(r"\1", s.translate(_LOOSE_LETTERS))
    return s if len(s) >= 4 else ""


def _hash64(text: str) -> int:
    """CRC-32 in the high half, Adler-32 in the low half: stable across processes, and about
    three times faster than a cryptographic hash (the high half also indexes the bit filter)."""
    b = text.encode("utf-8")
    v = (zlib.crc32(b) << 32) | zlib.adler32(b)
    return v - _2_64 if v >= _2_63 else v


_2_63, _2_64 = 1 << 63, 1 << 64


def name_hash(key: str) -> int:
    """Stable 64-bit hash of an exact key (the index stores hashes, not strings: smaller, faster)."""
    return _hash64(key)


def loose_hash(loose: str) -> int:
    """Stable 64-bit hash of a loose key; prefixed so it never equals an exact key's hash."""
    return _hash64("~" + loose)


# ---------------------------------------------------------------------------------------------
# Administrative suffixes ("Kalbajar District")
# ---------------------------------------------------------------------------------------------

DIVISION_SUFFIXES: tuple[str, ...] = tuple(sorted(words("en", "division_suffixes")))
_SUFFIX_RE = re.compile(r"^(?P<stem>.+?)\s+(?P<suffix>" + "|".join(
    re.escape(s) for s in sorted(DIVISION_SUFFIXES, key=len, reverse=True)) + r")$")
_PREFIX_RE = re.compile(r"^(?:the\s+)?(?:province|governorate|region|state|county|district|prefecture|"
                        r"oblast|department|municipality|canton|wilaya|emirate)\s+of\s+(?P<stem>.+)$")


def division_stem(key: str) -> str | None:
    """The name without an administrative suffix/prefix ("kalbajar district" -> "kalbajar"), or None."""
    m = _SUFFIX_RE.match(key) or _PREFIX_RE.match(key)
    return m.group("stem") if m else None

# ---------------------------------------------------------------------------------------------
# Common words that are also names of small places ("Report", "Police", "Of")
# ---------------------------------------------------------------------------------------------

# Capitalised words frequent in news copy (headline case, sentence starts, organisation names).
# A place of fewer than _STOPWORD_MAX_POP people is not indexed under such a word; larger places
# (Mobile, Reading, Split) keep it and are left to the toponym matcher's context rules.
_STOPWORDS = words("en", "place_stopwords")
_STOPWORD_MAX_POP = 100_000

_NON_LATIN = re.compile("[^\u0000-\u024f\u0250-\u02ff\u0300-\u036f\u1e00-\u1eff\u2000-\u206f]")

NameRow = tuple[int, int, "int | None", str]
"""(h, geonameid, lh, name): one row of the names table."""


def name_rows(geonameid: int, names: Iterable[str], *, feature_class: str, population: int,
              feature_code: str = "") -> Iterator[NameRow]:
    """(h, geonameid, lh, name) rows to index a place under its names. Common English words
    ("Report", "Police") are skipped for places under 100,000 people, except countries and
    first-level divisions (Lebanon's "North", Nigeria's "Delta" are what ACLED writes)."""
    keep_common = feature_class == "A" and (feature_code == "ADM1" or feature_code.startswith("PCL"))
    seen: set[str] = set()
    for name in names:
        if not name or _NON_LATIN.search(name):
            continue  # other scripts never match English text (and normalising them is slow)
        key = _normalise(name)
        if len(key) < 2 or key in seen or not key.isascii() or not any(c.isalpha() for c in key):
            continue
        seen.add(key)
        if key in _STOPWORDS and not keep_common and population < _STOPWORD_MAX_POP:
            continue
        loose = _loose_of_key(key)
        yield name_hash(key), geonameid, (loose_hash(loose) if loose else None), name.strip()


def division_name_variants(names: Iterable[str]) -> list[str]:
    """Division names plus their stems: "Zangilan District" is also indexed as "Zangilan"."""
    out: list[str] = []
    for name in names:
        out.append(name)
        stem = division_stem(normalise(name))
        if stem and len(stem) >= 3:
            # Keep the original spelling of the stem where the suffix is a separate last word.
            words = name.split()
            out.append(" ".join(words[: len(stem.split())]) if len(words) > 1 else stem)
    return out


