"""Does ingest slow down as the store grows? Two measurements, one JSON line each.

Run: .venv/bin/python bench/bench_ingest_growth.py [--sizes 1000,10000] [--same-day 2000] [--skip-sizes]

1. ``store_size``: a SQLite store is filled with N events spread as a real corpus spreads them
   (two years of days, a few hundred places, a few dozen actor pairs, one report in three a second
   side's version of a happening already stored); then 300 more such documents are stored and
   linked. Documents/s of ``Store.add`` (storing and linking; coding does not depend on the store,
   so it is left out) at each size.
2. ``same_day``: N small reports of one day and one town (written here, in this file's own words),
   through the real ``ingest`` (reading, coding, storing, linking); documents/s for each quarter
   of the run. The check: the last quarter runs at least half as fast as the first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

START = dt.date(2022, 1, 1)
ACTORS = [f"Military Forces of Country{i} (2000-)" for i in range(12)] + [
    f"Group{i}: Armed Group {i}" for i in range(20)] + [None, "Unidentified Armed Group (Country1)"]
TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"), ("Riots", "Mob violence")]


def _places(rng: random.Random, n: int = 400) -> list[tuple[float, float, str]]:
    return [(rng.uniform(-30, 60), rng.uniform(-20, 120), f"Region{i % 90}") for i in range(n)]


def _coded(rng: random.Random, i: int, places: list[tuple[float, float, str]], previous: list[object]):  # type: ignore[no-untyped-def]
    from flashpoint.model import Claimant, CodedDocument, Document, Event

    if previous and rng.random() < 0.33:  # another side's report of a happening already stored
        base = rng.choice(previous)
        fields = dict(base.__dict__)  # type: ignore[attr-defined]
        fields.update(id=f"d{i}-1", document_id=f"d{i}", claimant=Claimant(name=f"Side {i % 3}", side=f"S{i % 3}"))
        event = Event(**fields)
    else:
        lat, lon, admin1 = rng.choice(places)
        kind = rng.choice(TYPES)
        event = Event(id=f"d{i}-1", document_id=f"d{i}", event_date=START + dt.timedelta(days=rng.randrange(730)),
                      time_precision=rng.choice((1, 1, 1, 2)), event_type=kind[0], sub_event_type=kind[1],
                      actor1=rng.choice(ACTORS), actor2=rng.choice(ACTORS), latitude=lat, longitude=lon,
                      geo_precision=rng.choice((1, 1, 2)), country="Country", admin1=admin1, location=f"Town{i % 997}",
                      claimant=Claimant(name=f"Side {i % 3}", side=f"S{i % 3}"))
        previous.append(event)
    document = Document(id=f"d{i}", text=f"Report {i}.", published=event.event_date, source=f"d{i}")
    return CodedDocument(document, events=[event])


def store_size(sizes: list[int], probe: int = 300) -> None:
    from flashpoint.corpus import open_store

    for size in sizes:
        rng = random.Random(size)
        places = _places(rng)
        previous: list[object] = []
        with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "growth.db") as store:
            for i in range(size):
                store.add(_coded(rng, i, places, previous))
            t0 = time.perf_counter()
            for i in range(size, size + probe):
                store.add(_coded(rng, i, places, previous))
            seconds = time.perf_counter() - t0
            counts = store.counts()
        print(json.dumps({"bench": "store_size", "stored_events": size, "probe_docs": probe,
                          "add_docs_per_s": round(probe / seconds, 1), "incidents": counts["incidents"],
                          "load": round(os.getloadavg()[0], 2)}), flush=True)


def write_same_day(folder: Path, n: int, seed: int = 7) -> None:
    """``n`` short reports of one day in one town, each worded a little differently."""
    rng = random.Random(seed)
    doers = ["Gunmen", "Unidentified attackers", "Soldiers", "Rebel fighters", "Armed men", "Militants"]
    verbs = ["attacked", "raided", "fired on", "ambushed", "shelled"]
    targets = ["a police checkpoint", "a village market", "a military convoy", "a group of farmers", "an army post"]
    sources = ["local officials said", "police said", "a hospital source said", "residents told reporters"]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = (f"Clashes reported near Kramatorsk\n\nKramatorsk, 3 March 2024 - {rng.choice(doers)} "
                f"{rng.choice(verbs)} {rng.choice(targets)} near Kramatorsk in Donetsk Oblast on Sunday, killing "
                f"{rng.randint(1, 9)} people and wounding {rng.randint(2, 20)}, {rng.choice(sources)}. "
                f"Reference {i}.\n")
        (folder / f"r{i:05d}.txt").write_text(text, encoding="utf-8")


def same_day(n: int) -> bool:
    from flashpoint.corpus import ingest, open_store
    from flashpoint.pipeline import default_coder

    default_coder().nlp  # noqa: B018  (load spaCy and the gazetteer before the clock starts)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        write_same_day(folder, n)
        marks: list[float] = []
        quarter = max(n // 4, 1)

        def progress(report):  # type: ignore[no-untyped-def]
            if report.processed % quarter == 0 and len(marks) < report.processed // quarter:
                marks.append(time.perf_counter())

        with open_store(Path(tmp) / "same_day.db") as store:
            t0 = time.perf_counter()
            report = ingest([str(folder)], store, progress=progress)
            incidents = store.counts()["incidents"]
    edges = [t0, *marks]
    rates = [round(quarter / (b - a), 1) for a, b in zip(edges, edges[1:])]
    ok = len(rates) == 4 and rates[-1] >= 0.5 * rates[0]
    print(json.dumps({"bench": "same_day", "docs": n, "added": report.added, "events": report.events,
                      "incidents": incidents, "docs_per_s_by_quarter": rates, "last_vs_first": round(rates[-1] / rates[0], 2),
                      "check_last_quarter_at_least_half_as_fast": ok, "load": round(os.getloadavg()[0], 2)}), flush=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000", help="stored events before the probe, comma-separated")
    parser.add_argument("--same-day", type=int, default=2000, help="reports in the same-day run (0: skip)")
    parser.add_argument("--skip-sizes", action="store_true")
    args = parser.parse_args()
    if not args.skip_sizes:
        store_size([int(s) for s in args.sizes.split(",")])
    if args.same_day and not same_day(args.same_day):
        sys.exit(1)


if __name__ == "__main__":
    main()
