"""Store and linking benchmark: documents/s into the store, and linking time as the corpus grows.

    .venv/bin/python bench/bench_store.py              # 1k, 10k, 100k events (in memory); store at 1k, 10k
    .venv/bin/python bench/bench_store.py --store-max 100000

Events are generated, not coded (coding speed is bench_code.py's business): happenings spread over
a region of about 1,000 x 1,000 km, each reported by 1-4 documents (two sides and wires) with
the noise real reports have (a day's precision lost, a place known only to the region, actors in
either order). Two growth modes:

- ``constant density``: a bigger corpus covers a longer period (as a real archive does); with
  blocking by date and area each new event sees a bounded number of candidates, so time per event
  should stay flat (linear total);
- ``fixed period``: every size squeezed into one year, so candidates per event grow with N — the
  worst case, reported so the limit is visible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from flashpoint import link  # noqa: E402
from flashpoint.model import Claimant, CodedDocument, Document, Event  # noqa: E402

START = dt.date(2020, 1, 1)
SIDES = ("Armenia", "Azerbaijan", "wire", "wire")
TYPES = (("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Violence against civilians", "Attack"), ("Protests", "Peaceful protest"))
ACTORS = ("Military Forces of Armenia (2018-)", "Military Forces of Azerbaijan (2003-)",
          "Police Forces of Georgia (2018-)", "Protesters (Armenia)", "Civilians (Azerbaijan)")


def generate(n_events: int, days: int, seed: int = 1) -> list[tuple[Document, Event]]:
    """``n_events`` reports (one event per document) of happenings over ``days`` days."""
    rng = random.Random(seed)
    out: list[tuple[Document, Event]] = []
    happening = 0
    while len(out) < n_events:
        happening += 1
        day = START + dt.timedelta(days=rng.randrange(days))
        lat, lon = 38.0 + rng.random() * 9, 40.0 + rng.random() * 12
        etype, sub = rng.choice(TYPES)
        a1, a2 = rng.sample(ACTORS, 2)
        for r in range(rng.randint(1, 4)):
            if len(out) == n_events:
                break
            doc_id = f"{happening:07d}{r}"
            precision = rng.choices((1, 2, 3), (90, 7, 3))[0]
            geo = rng.choices((1, 2, 3), (60, 30, 10))[0]
            jitter = (0.02, 0.15, 0.6)[geo - 1]
            e = Event(
                id=f"{doc_id}-1", document_id=doc_id, event_date=day, time_precision=precision,
                event_type=etype, sub_event_type=sub,
                actor1=a1 if r % 2 == 0 else a2, actor2=a2 if r % 2 == 0 else a1,
                latitude=lat + rng.uniform(-jitter, jitter), longitude=lon + rng.uniform(-jitter, jitter),
                geo_precision=geo, admin1=f"R{int(lat)}{int(lon)}", country="Armenia", location=f"P{happening}",
                fatalities=rng.randrange(5), claimant=Claimant(name=f"source {r}", side=SIDES[r]),
            )
            doc = Document(id=doc_id, text=f"report {doc_id}", published=day + dt.timedelta(days=r // 2))
            out.append((doc, e))
    return out


def bench_linker(sizes: list[int], mode: str) -> None:
    print(f"\nin-memory linking, {mode}")
    print(f"{'events':>8} {'days':>6} {'seconds':>9} {'us/event':>9} {'incidents':>10} {'reports/incident':>17}")
    for n in sizes:
        days = max(30, n // 30) if mode == "constant density" else 365
        data = generate(n, days)
        t0 = time.perf_counter()
        incidents = link.link(e for _, e in data)
        secs = time.perf_counter() - t0
        print(f"{n:>8} {days:>6} {secs:>9.2f} {secs / n * 1e6:>9.1f} {len(incidents):>10} {n / len(incidents):>17.2f}")


def bench_store(sizes: list[int]) -> None:
    from flashpoint.corpus.store import open_store

    print("\nstore (SQLite, one transaction per document, incremental linking), constant density")
    print(f"{'events':>8} {'seconds':>9} {'docs/s':>8} {'ms/doc, 50-60%':>18} {'ms/doc, last 10%':>17} {'incidents':>10}")
    for n in sizes:
        data = generate(n, max(30, n // 30))
        with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "bench.db") as store:
            marks: list[float] = []
            t0 = time.perf_counter()
            for doc, event in data:
                store.add(CodedDocument(doc, events=[event]))
                marks.append(time.perf_counter())
            secs = marks[-1] - t0
            tenth = max(1, n // 10)
            middle = (marks[n // 2 + tenth - 1] - marks[n // 2 - 1]) / tenth * 1000
            last = (marks[-1] - marks[-tenth - 1]) / tenth * 1000
            print(f"{n:>8} {secs:>9.1f} {n / secs:>8.0f} {middle:>18.2f} {last:>17.2f} {store.counts()['incidents']:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--store-max", type=int, default=10000, help="largest corpus to run through the store")
    parser.add_argument("--store-only", action="store_true", help="skip the in-memory linking runs")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if not args.store_only:
        bench_linker(sizes, "constant density")
        bench_linker(sizes, "fixed period")
    bench_store([n for n in sizes if n <= args.store_max])


if __name__ == "__main__":
    main()
