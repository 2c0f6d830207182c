"""The gazetteer: a read-only handle on the compact SQLite index of the world's places.

The index is built by :mod:`flashpoint.geo.gazbuild` from packaged data (and GeoNames dumps a user
imports, :mod:`flashpoint.geo.geonames`); names are matched through the keys of
:mod:`flashpoint.geo.names` (``normalise`` exact, ``loose_key`` phonetic, a fallback only).
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import math
import re
import sqlite3
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flashpoint.errors import GazetteerError
from flashpoint.geo.gazbuild import (
    ACLED_COUNTRY_NAMES,
    E_OPEN,
    _sorted_unique,
    build_default,
    default_path,
    schema_id,
)
from flashpoint.geo.names import (
    _STOPWORDS,
    DIVISION_SUFFIXES,
    _2_63,
    _2_64,
    division_stem,
    loose_hash,
    loose_key,
    name_hash,
    normalise,
)
from flashpoint.lang import words

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
    "division_stem",
    "schema_id",
]

_STATE_FORM_WORDS = words("en", "state_form_words")



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
_POPULOUS_EXTRA = 3
"""Candidates beyond the limit kept for their population (larger than any within it)."""
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
        if len(entries) <= limit:
            return entries
        # The prior favours administrative seats; a large town without such a code (Santa Ana,
        # California, among a dozen Latin American seats of that name) must still be a candidate.
        top = entries[:limit]
        largest = sorted((e for e in entries[limit:] if normalise(e.name) == key),
                         key=lambda e: -e.population)[:_POPULOUS_EXTRA]
        floor = min((e.population for e in top), default=0)
        return top + [e for e in largest if e.population > max(floor, 10_000)]

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
        keys = self._keys
        assert keys is not None  # loaded by is_name before any _contains
        j = bisect.bisect_left(keys, h)
        return j < len(keys) and keys[j] == h

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

    def nearest_town(self, latitude: float, longitude: float, *, country_code: str | None = None,
                     radius_km: float = 60.0, min_population: int = 1_000) -> GazEntry | None:
        """The populated place nearest a point (within ``radius_km``), larger towns first among
        near-equals: where ACLED codes an event at a mountain, valley or "the border zone"."""
        from flashpoint.geo.geodesy import haversine_km

        dlat = radius_km / 111.0
        dlon = radius_km / max(1.0, 111.0 * math.cos(math.radians(latitude)))
        sql = (f"{_ENTRY_SQL_PLAIN} WHERE p.latitude BETWEEN ? AND ? AND p.longitude BETWEEN ? AND ? "
               "AND p.feature_class = 'P' AND p.population >= ?")
        params: list[Any] = [latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon, min_population]
        if country_code:
            sql += " AND p.country_code = ?"
            params.append(country_code)
        best: tuple[float, GazEntry] | None = None
        for row in self._conn.execute(sql, params):
            e = _entry(row)
            # A town counts as a little nearer the larger it is (a representative town, not a hamlet).
            d = haversine_km(latitude, longitude, e.latitude, e.longitude) / (1 + math.log10(max(e.population, 1)) / 6)
            if best is None or d < best[0]:
                best = (d, e)
        return best[1] if best else None

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


