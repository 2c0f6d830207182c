"""Benchmark the gazetteer: build time, size, cold open, key-set load, lookups/s, memory.

    python bench/bench_gazetteer.py [--index PATH] [--queries N]

Without --index it builds a fresh default index in a temporary directory (in a child process, so
the build's peak memory is measured on its own). Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def rss_mb() -> float:
    """Current resident memory of this process (Linux /proc), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build(path: Path) -> dict[str, float]:
    code = ("import sys; from pathlib import Path; from flashpoint.geo.gazetteer import build_default; "
            "build_default(Path(sys.argv[1]), progress=False)")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    return {"build_seconds": round(time.perf_counter() - t0, 2),
            "build_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


def cold_open(path: Path) -> float:
    """Seconds to import the module and open the index, in a fresh interpreter."""
    code = ("import time, sys; t = time.perf_counter(); from flashpoint.geo.gazetteer import Gazetteer; "
            "g = Gazetteer.open(sys.argv[1], build=False); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def queries(path: Path, n: int) -> list[str]:
    """Half real place names (sampled from the index), half misses (common words and noise)."""
    import sqlite3

    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM names ORDER BY random() LIMIT ?", (n // 2,))]
    conn.close()
    rng = random.Random(1)
    words = ["Report", "Ministry", "Tuesday", "Armed", "Forces", "Embassy", "Statement", "Artillery", "Village"]
    misses = [rng.choice(words) + ("" if rng.random() < 0.5 else f" {rng.randint(1, 999)}x") for _ in range(n // 2)]
    mixed = names + misses
    rng.shuffle(mixed)
    return mixed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, help="benchmark an existing index instead of building one")
    ap.add_argument("--queries", type=int, default=20_000)
    args = ap.parse_args()
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.index or Path(tmp) / "gazetteer-v1.sqlite"
        if args.index is None:
            result.update(build(path))
        result["index_size_mb"] = round(path.stat().st_size / 1e6, 1)
        result["cold_open_seconds"] = round(cold_open(path), 4)

        from flashpoint.geo.gazetteer import Gazetteer

        qs = queries(path, args.queries)
        base = rss_mb()
        t0 = time.perf_counter()
        gaz = Gazetteer.open(path, build=False)
        result["open_seconds_in_process"] = round(time.perf_counter() - t0, 5)
        t0 = time.perf_counter()
        gaz.is_name("Lachin")
        result["first_is_name_seconds"] = round(time.perf_counter() - t0, 4)
        result["key_set_rss_growth_mb"] = round(rss_mb() - base, 1)  # includes importing numpy
        result["key_set_retained_mb"] = round((sys.getsizeof(gaz._keys) + len(gaz._filter)) / 1e6, 1)
        info = gaz.info()
        result["places"] = info["places"]
        result["names"] = info["names"]

        from flashpoint.geo.gazetteer import loose_key, normalise

        normalise.cache_clear()
        loose_key.cache_clear()
        t0 = time.perf_counter()
        hits = sum(gaz.is_name(q) for q in qs)
        dt = time.perf_counter() - t0
        result["is_name_per_second_uncached"] = round(len(qs) / dt)
        result["is_name_microseconds_uncached"] = round(dt / len(qs) * 1e6, 2)
        t0 = time.perf_counter()
        for q in qs:
            gaz.is_name(q)
        result["is_name_per_second_cached_keys"] = round(len(qs) / (time.perf_counter() - t0))
        result["is_name_hit_rate"] = round(hits / len(qs), 3)

        sample = qs[: min(len(qs), 5000)]
        t0 = time.perf_counter()
        found = sum(bool(gaz.lookup(q, limit=10)) for q in sample)
        dt = time.perf_counter() - t0
        result["lookups_per_second"] = round(len(sample) / dt)
        result["lookup_hit_rate"] = round(found / len(sample), 3)
        gaz.close()
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
