"""Measure how many Russian toponyms of the Russian gold reach their gold coordinates through
``flashpoint.geo.cyrillic.latin_names`` and the gazetteer's lookup.

For each gold place with coordinates in tests/fixtures/ru/articles.jsonl: ``lookup_russian`` (its
Latin candidates looked up in order, the right kind of entry chosen), preferring the countries the
document's other places resolve to (a geoparser's document context; a first pass without context
gives those countries). Hit: within 25 km. ``--baseline`` looks up only the BGN/PCGN
transliteration of the name as written (no aliases, no morphology), for comparison.

    PYTHONPATH=src python tools/ru_places.py [--misses] [--baseline] [--no-context]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from flashpoint.geo.cyrillic import lookup_russian, transliterate
from flashpoint.geo.gazetteer import GazEntry, Gazetteer
from flashpoint.geo.geodesy import haversine_km

GOLD = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ru" / "articles.jsonl"


def resolve(gaz: Gazetteer, name: str, context: Counter[str], baseline: bool = False) -> tuple[str | None, GazEntry | None]:
    if not baseline:
        found = lookup_russian(gaz, name, countries=context)
        return found if found else (None, None)
    latin = transliterate(name)  # the name as written, BGN/PCGN only
    entries = gaz.lookup(latin, limit=1)
    return latin, entries[0] if entries else None


def main(argv: list[str]) -> int:
    gaz = Gazetteer.open()
    baseline = "--baseline" in argv
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    misses = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        places = [p for p in article["places"] if p.get("latitude") is not None]
        context: Counter[str] = Counter()
        if "--no-context" not in argv:
            for place in places:
                _, entry = resolve(gaz, place["name"], Counter(), baseline)
                if entry is not None:
                    context[entry.country_code] += 1
        for place in places:
            chosen, entry = resolve(gaz, place["name"], context, baseline)
            km = haversine_km(place["latitude"], place["longitude"], entry.latitude, entry.longitude) if entry else None
            ok = km is not None and km <= 25
            for key in ("all", place["kind"]):
                totals[key] += 1
                hits[key] += ok
            if not ok:
                misses.append((article["id"], place["name"], chosen, entry.name if entry else None,
                               entry.country_code if entry else None, round(km) if km is not None else None))
    for key in ("all", "literal", "adjectival", "metonymic"):
        print(f"{key:11s} {hits[key]:4d}/{totals[key]:<4d} {hits[key] / max(totals[key], 1):.3f} within 25 km")
    if "--misses" in argv:
        for miss in misses:
            print("MISS", *miss, sep="\t")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
