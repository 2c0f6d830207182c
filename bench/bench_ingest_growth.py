"""Does ingest slow down as the store grows? Two measurements, one JSON line each.

Run: .venv/bin/python bench/bench_ingest_growth.py [--sizes 1000,10000,100000] [--same-day 2000] [--skip-sizes]

1. ``store_size``: a SQLite store is filled with N events spread as a real corpus spreads them
   (two years of days, a few hundred places, a few dozen actor pairs, one report in three a second
   side's version of a happening already stored, linked to it), written straight into the tables
   (``--fill sql``, the default: 100k events in a minute or two; the store then builds what it keeps
   of each incident as its migration would) or through ``Store.add`` (``--fill api``); then 300 more
   such documents are stored and linked. Documents/s of ``Store.add`` (storing and linking; coding
   does not depend on the store, so it is left out) at each size, and its ratio to the first size's.
2. ``same_day``: N small reports of one day and one town (written here, in this file's own words),
   through the real ``ingest`` (reading, coding with ``--model``, rules by default so that the
   store's share is not hidden under the encoder's, storing, linking); documents/s for each
   quarter of the run. The check: the last quarter runs at least half as fast as the first.
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


def _coded(rng: random.Random, i: int, places: list[tuple[float, float, str]], previous: list[object],  # type: ignore[no-untyped-def]
           origin: dict[str, str] | None = None):
    from flashpoint.model import Claimant, CodedDocument, Document, Event

    if previous and rng.random() < 0.33:  # another side's report of a happening already stored
        base = rng.choice(previous)
        fields = dict(base.__dict__)  # type: ignore[attr-defined]
        fields.update(id=f"d{i}-1", document_id=f"d{i}", claimant=Claimant(name=f"Side {i % 3}", side=f"S{i % 3}"))
        event = Event(**fields)
        if origin is not None:
            origin[event.id] = base.id  # type: ignore[attr-defined]
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


def _fill_sql(store, rng: random.Random, size: int, places, previous: list[object]) -> None:  # type: ignore[no-untyped-def]
    """Write ``size`` generated documents, their events and incidents straight into the tables (a
    second side's report joins its happening's incident), then let the store build what it keeps
    of each incident, as migration 0011 builds it for an existing database."""
    from sqlalchemy import insert

    from flashpoint.corpus.store import schema
    from flashpoint.corpus.store import store as store_module

    incident_of: dict[str, int] = {}  # the first report of a happening -> its incident
    origin: dict[str, str] = {}
    docs, evs, incs, links = [], [], {}, []  # type: ignore[var-annotated]
    now = dt.datetime.now(dt.UTC)
    for i in range(size):
        coded = _coded(rng, i, places, previous, origin)
        event = coded.events[0]
        incident = incident_of.setdefault(origin.get(event.id, event.id), len(incident_of) + 1)
        docs.append(store_module._document_row(coded.document))
        evs.append(store_module._event_row(event, 0, store.rules))
        row = incs.setdefault(incident, {"id": incident, "date_lo": event.event_date, "date_hi": event.event_date,
                                         "country": event.country, "admin1": event.admin1, "location": event.location,
                                         "latitude": event.latitude, "longitude": event.longitude, "n_events": 0,
                                         "n_documents": 0, "disputed": "", "created_at": now, "updated_at": now})
        row["n_events"] += 1
        row["n_documents"] += 1
        links.append({"event_id": event.id, "incident_id": incident, "linked_by": "auto", "reasons": ""})
    with store.engine.begin() as conn:
        for table, rows in ((schema.documents, docs), (schema.events, evs), (schema.incidents, list(incs.values())),
                            (schema.incident_events, links)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start:start + 5000])
        try:
            from flashpoint.corpus.store.kept import rebuild_kept  # stores that keep incident state
        except ImportError:
            return
        rebuild_kept(conn, None, store.rules)


def store_size(sizes: list[int], probe: int = 300, fill: str = "sql") -> None:
    from flashpoint.corpus import open_store

    first: float | None = None
    for size in sizes:
        rng = random.Random(size)
        places = _places(rng)
        previous: list[object] = []
        with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "growth.db") as store:
            t_fill = time.perf_counter()
            if fill == "sql":
                _fill_sql(store, rng, size, places, previous)
            else:
                for i in range(size):
                    store.add(_coded(rng, i, places, previous))
            t_fill = time.perf_counter() - t_fill
            t0 = time.perf_counter()
            for i in range(size, size + probe):
                store.add(_coded(rng, i, places, previous))
            seconds = time.perf_counter() - t0
            counts = store.counts()
        rate = probe / seconds
        first = first or rate
        print(json.dumps({"bench": "store_size", "stored_events": size, "fill": fill, "fill_s": round(t_fill, 1),
                          "probe_docs": probe, "add_docs_per_s": round(rate, 1), "vs_first_size": round(rate / first, 2),
                          "incidents": counts["incidents"], "load": round(os.getloadavg()[0], 2)}), flush=True)


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


def same_day(n: int, model: str = "rules") -> bool:
    from flashpoint.corpus import ingest, open_store
    from flashpoint.pipeline import code_documents, default_coder

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
            report = ingest([str(folder)], store, progress=progress,
                            coder=lambda docs: code_documents(docs, model=model))
            incidents = store.counts()["incidents"]
    edges = [t0, *marks]
    rates = [round(quarter / (b - a), 1) for a, b in zip(edges, edges[1:])]
    ok = len(rates) == 4 and rates[-1] >= 0.5 * rates[0]
    print(json.dumps({"bench": "same_day", "model": model, "docs": n, "added": report.added, "events": report.events,
                      "incidents": incidents, "docs_per_s_by_quarter": rates, "last_vs_first": round(rates[-1] / rates[0], 2),
                      "check_last_quarter_at_least_half_as_fast": ok, "load": round(os.getloadavg()[0], 2)}), flush=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="stored events before the probe, comma-separated")
    parser.add_argument("--fill", choices=("sql", "api"), default="sql", help="how the store is filled before the probe")
    parser.add_argument("--model", default="rules", help="type classifier for the same-day run (default rules)")
    parser.add_argument("--same-day", type=int, default=2000, help="reports in the same-day run (0: skip)")
    parser.add_argument("--skip-sizes", action="store_true")
    args = parser.parse_args()
    if not args.skip_sizes:
        store_size([int(s) for s in args.sizes.split(",")], fill=args.fill)
    if args.same_day and not same_day(args.same_day, args.model):
        sys.exit(1)


if __name__ == "__main__":
    main()
